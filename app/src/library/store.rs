//! Library items, the checks an upload must pass, and where uploaded files live.

use crate::i18n::message::io_problem;
use std::path::{Path, PathBuf};

use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::db::{now, Db, DbError};

/// The largest upload accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Accepted file types: extension, media type.
pub const FILE_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("txt", "text/plain; charset=utf-8"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
];

pub const VISIBILITY: &[&str] = &["staff", "public"];

/// Why an upload is refused (each a locale key under `library.error.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadError {
    Empty,
    TooLarge,
    Type,
    Mismatch,
}

impl UploadError {
    pub fn key(self) -> &'static str {
        match self {
            UploadError::Empty => "library.error.empty",
            UploadError::TooLarge => "library.error.too_large",
            UploadError::Type => "library.error.type",
            UploadError::Mismatch => "library.error.mismatch",
        }
    }
}

/// The extension of a file name, lower-cased.
fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether an Office Open XML file really is one of `kind` (`word`, `xl`, `ppt`).
fn is_ooxml(bytes: &[u8], part: &str) -> bool {
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return false;
    };
    let has_types = archive.by_name("[Content_Types].xml").is_ok();
    let prefix = format!("{part}/");
    let has_part = archive
        .file_names()
        .any(|n| n.is_ok_and(|n| n.starts_with(&prefix)));
    has_types && has_part
}

/// Checks an upload: not empty, not too large, an accepted type by its name, and content
/// that is what the name says. Returns the media type to serve it with.
pub fn check_upload(name: &str, bytes: &[u8]) -> Result<&'static str, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(UploadError::TooLarge);
    }
    let ext = extension(name);
    let (_, mime) = FILE_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .ok_or(UploadError::Type)?;
    let matches = match ext.as_str() {
        "pdf" => bytes.starts_with(b"%PDF-"),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "txt" => std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')),
        "docx" => is_ooxml(bytes, "word"),
        "xlsx" => is_ooxml(bytes, "xl"),
        "pptx" => is_ooxml(bytes, "ppt"),
        _ => false,
    };
    if matches {
        Ok(mime)
    } else {
        Err(UploadError::Mismatch)
    }
}

/// The folder uploads are kept in.
pub fn files_dir(deployment: &Path) -> PathBuf {
    deployment.join("data").join("library")
}

#[derive(Debug, Clone, Default)]
pub struct Item {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub file_name: String,
    pub original_name: String,
    pub mime: String,
    pub size: i64,
    pub tags: Vec<String>,
    pub language: String,
    pub audience: String,
    pub visibility: String,
    pub practice_id: Option<i64>,
    /// For an imported item: the hotline it came from, and its id there.
    pub source: String,
    pub source_ref: String,
}

/// Whether an item's title, tags, language and audience are acceptable, wherever it comes
/// from (the library page, another hotline's bundle). Descriptions have their caller's limit.
pub fn labels_ok(title: &str, tags: &[String], language: &str, audience: &str) -> bool {
    !title.trim().is_empty()
        && title.chars().count() <= 200
        && tags.len() <= 20
        && tags.iter().all(|t| t.chars().count() <= 40)
        && crate::intake::vocab::INTERPRETER_LANGUAGES.contains(&language)
        && (audience == "general" || crate::outreach::store::SECTORS.contains(&audience))
}

impl Item {
    /// A roundtable's best practice as a library item (`visibility`: public or staff).
    pub fn practice(
        practice_id: i64,
        title: String,
        description: String,
        language: &str,
        visibility: &str,
    ) -> Item {
        Item {
            kind: "practice".into(),
            title,
            description,
            language: language.into(),
            audience: "general".into(),
            visibility: visibility.into(),
            practice_id: Some(practice_id),
            ..Item::default()
        }
    }
}

const COLUMNS: &str =
    "id, kind, title, description, url, file_name, original_name, mime, size, tags,
    language, audience, visibility, practice_id, source, source_ref";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Item, sqlx::Error> {
    let tags: String = r.try_get(9)?;
    Ok(Item {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        title: r.try_get(2)?,
        description: r.try_get(3)?,
        url: r.try_get(4)?,
        file_name: r.try_get(5)?,
        original_name: r.try_get(6)?,
        mime: r.try_get(7)?,
        size: r.try_get(8)?,
        tags: crate::db::fields::split(tags),
        language: r.try_get(10)?,
        audience: r.try_get(11)?,
        visibility: r.try_get(12)?,
        practice_id: r.try_get(13)?,
        source: r.try_get(14)?,
        source_ref: r.try_get(15)?,
    })
}

/// Tags as typed ("labour, Agriculture ,, ") to their stored form.
pub fn parse_tags(raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(',').map(|t| t.trim().to_lowercase()) {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// Items matching `query` in their title, description or tags (any capitals, in every
/// script: matched here rather than with SQL's LOWER, which SQLite only applies to ASCII);
/// public ones only when `public_only`.
pub async fn search(db: &Db, query: &str, public_only: bool) -> Result<Vec<Item>, DbError> {
    let visibility = if public_only {
        "WHERE visibility = 'public'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM library_items {visibility} ORDER BY created_at DESC, id DESC"
    );
    let rows = sqlx::query(&sql).fetch_all(&db.pool).await?;
    let items: Vec<Item> = rows
        .iter()
        .map(from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)?;
    let needle = query.trim().to_lowercase();
    Ok(items
        .into_iter()
        .filter(|i| {
            needle.is_empty()
                || format!("{} {} {}", i.title, i.description, i.tags.join(" "))
                    .to_lowercase()
                    .contains(&needle)
        })
        .collect())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Item>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM library_items WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&db.pool).await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Adds an item. For a file, `bytes` are written under `dir` with a name the server chooses,
/// first to a temporary name; the file is removed again if the record cannot be stored.
pub async fn add(
    db: &Db,
    actor: &Actor,
    dir: &Path,
    item: &Item,
    bytes: Option<&[u8]>,
) -> Result<i64, DbError> {
    let ids = add_all(db, actor, dir, &[(item.clone(), bytes)]).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| DbError::Io(crate::i18n::Message::new("problem.io.unknown", &[])))
}

/// Writes a file under `folder` with a server-chosen name (temporary name, then rename).
fn write_file(folder: &Path, original_name: &str, bytes: &[u8]) -> Result<String, DbError> {
    std::fs::create_dir_all(folder).map_err(|e| DbError::Io(io_problem(&e)))?;
    let name = format!(
        "{}.{}",
        crate::crypto::random_token(),
        extension(original_name)
    );
    crate::files::replace(&folder.join(&name), bytes).map_err(|e| DbError::Io(io_problem(&e)))?;
    Ok(name)
}

/// Adds several items at once, all or nothing: the files are written first, then every
/// record in one transaction; if anything fails, the files written are removed again.
pub async fn add_all(
    db: &Db,
    actor: &Actor,
    dir: &Path,
    items: &[(Item, Option<&[u8]>)],
) -> Result<Vec<i64>, DbError> {
    let folder = files_dir(dir);
    let mut written: Vec<PathBuf> = Vec::new();
    let mut prepared = Vec::new();
    let cleanup = |written: &[PathBuf]| {
        for path in written {
            let _ = std::fs::remove_file(path);
        }
    };
    for (item, bytes) in items {
        let mut item = item.clone();
        if let Some(bytes) = bytes {
            match write_file(&folder, &item.original_name, bytes) {
                Ok(name) => {
                    written.push(folder.join(&name));
                    item.file_name = name;
                    item.size = bytes.len() as i64;
                }
                Err(e) => {
                    cleanup(&written);
                    return Err(e);
                }
            }
        }
        prepared.push(item);
    }
    let stored = insert_all(db, actor, &prepared).await;
    if stored.is_err() {
        cleanup(&written);
    }
    stored
}

async fn insert_all(db: &Db, actor: &Actor, items: &[Item]) -> Result<Vec<i64>, DbError> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::new();
    for item in items {
        ids.push(insert(&mut tx, actor, item).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

async fn insert(tx: &mut sqlx::AnyConnection, actor: &Actor, item: &Item) -> Result<i64, DbError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO library_items (kind, title, description, url, file_name, original_name, mime,
            size, tags, language, audience, visibility, practice_id, source, source_ref, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(&item.kind)
    .bind(&item.title)
    .bind(&item.description)
    .bind(&item.url)
    .bind(&item.file_name)
    .bind(&item.original_name)
    .bind(&item.mime)
    .bind(item.size)
    .bind(item.tags.join(","))
    .bind(&item.language)
    .bind(&item.audience)
    .bind(&item.visibility)
    .bind(item.practice_id)
    .bind(&item.source)
    .bind(&item.source_ref)
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        tx,
        actor,
        Event::new("library.add").target("library_item", id),
    )
    .await?;
    Ok(id)
}

/// The library item a best practice was published as, if any.
pub async fn published_practice(db: &Db, practice_id: i64) -> Result<Option<i64>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM library_items WHERE practice_id = $1")
            .bind(practice_id)
            .fetch_optional(&db.pool)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_what_their_names_say() {
        assert_eq!(
            check_upload("guide.pdf", b"%PDF-1.7 ..."),
            Ok("application/pdf")
        );
        assert_eq!(
            check_upload("guide.PDF", b"%PDF-1.4"),
            Ok("application/pdf")
        );
        assert_eq!(
            check_upload("guide.pdf", b"MZ\x90\x00 a program"),
            Err(UploadError::Mismatch)
        );
        assert_eq!(
            check_upload("photo.jpg", b"%PDF-1.7"),
            Err(UploadError::Mismatch)
        );
        assert_eq!(
            check_upload("notes.txt", "Über".as_bytes()),
            Ok("text/plain; charset=utf-8")
        );
        assert_eq!(
            check_upload("notes.txt", b"a\0b"),
            Err(UploadError::Mismatch)
        );
        assert_eq!(check_upload("tool.exe", b"MZ"), Err(UploadError::Type));
        assert_eq!(check_upload("empty.pdf", b""), Err(UploadError::Empty));
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(check_upload("big.txt", &big), Err(UploadError::TooLarge));
        assert_eq!(
            check_upload("fake.docx", b"PK\x03\x04 not really"),
            Err(UploadError::Mismatch)
        );
    }

    #[test]
    fn tags_are_trimmed_lowered_and_unique() {
        assert_eq!(
            parse_tags(" Labour, labour ,, Agriculture"),
            vec!["labour", "agriculture"]
        );
        assert_eq!(
            parse_tags("labour, agriculture, LABOUR"),
            vec!["labour", "agriculture"]
        );
    }
}
