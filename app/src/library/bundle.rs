//! Bundles: the library (with its documents) and the roundtables' shareable best practices
//! as one zip file, to move between deployments. `manifest.json` names the format, its
//! version and the source hotline; documents are under `files/`. An import checks
//! everything first and then adds all or nothing; items from a bundle keep their source,
//! and an item imported before is skipped.

use crate::i18n::message::io_problem;
use crate::i18n::Message;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::store::{self, Item};
use crate::audit::Actor;
use crate::db::{Db, DbError};

pub const FORMAT: &str = "hotline-bundle";
pub const VERSION: u32 = 1;

/// A bundle's documents by their path inside it.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Largest bundle read, unpacked.
const MAX_UNPACKED: u64 = 200 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
pub struct Source {
    pub hotline: String,
    pub country: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub source: Source,
    pub items: Vec<BundleItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleItem {
    /// The item's id in the deployment it was first made in.
    pub id: String,
    /// Where it was first made ("Hotline name (CC)"); empty for the exporting hotline.
    #[serde(default)]
    pub origin: String,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub url: String,
    /// The document's path inside the bundle (`files/…`), for kind `file`.
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub original_name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub language: String,
    pub audience: String,
}

/// A reason a bundle is refused: a locale key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem(pub Message);

impl Problem {
    fn new(key: &'static str) -> Problem {
        Problem(Message::new(key, &[]))
    }
    fn with(key: &'static str, name: &'static str, value: impl Into<String>) -> Problem {
        Problem(Message::new(key, &[(name, &value.into())]))
    }
    /// The problem in `locale`.
    pub fn text(&self, locale: &str) -> String {
        self.0.text(locale)
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub skipped: usize,
}

/// The bundle of this deployment: every library item, and the best practices of public and
/// partners-only roundtables not yet in the library. Restricted roundtables never leave.
pub async fn export(
    db: &Db,
    dir: &Path,
    hotline: &crate::config::HotlineSettings,
) -> Result<Vec<u8>, DbError> {
    let mut items = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let library = store::search(db, "", false).await?;
    // The practices already in the library go out as library items.
    let published: std::collections::HashSet<i64> =
        library.iter().filter_map(|i| i.practice_id).collect();
    for i in library {
        let file = if i.kind == "file" {
            let bytes = std::fs::read(store::files_dir(dir).join(&i.file_name))
                .map_err(|e| DbError::Io(io_problem(&e)))?;
            let path = format!("files/{}", i.file_name);
            files.push((path.clone(), bytes));
            path
        } else {
            String::new()
        };
        // A published practice keeps the practice's id, so that it is the same item
        // whether it was exported before or after being published.
        let (id, origin) = if let (true, Some(p)) = (i.source.is_empty(), i.practice_id) {
            (format!("practice-{p}"), String::new())
        } else if i.source.is_empty() {
            (format!("library-{}", i.id), String::new())
        } else {
            (i.source_ref.clone(), i.source.clone())
        };
        items.push(BundleItem {
            id,
            origin,
            kind: i.kind,
            title: i.title,
            description: i.description,
            url: i.url,
            file,
            original_name: i.original_name,
            tags: i.tags,
            language: i.language,
            audience: i.audience,
        });
    }
    for (practice_id, title, description) in shareable_practices(db).await? {
        if !published.contains(&practice_id) {
            let item = store::Item::practice(
                practice_id,
                title,
                description,
                hotline.locales.first().map_or("en", String::as_str),
                "public",
            );
            items.push(BundleItem {
                id: format!("practice-{practice_id}"),
                origin: String::new(),
                kind: item.kind,
                title: item.title,
                description: item.description,
                url: String::new(),
                file: String::new(),
                original_name: String::new(),
                tags: item.tags,
                language: item.language,
                audience: item.audience,
            });
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        source: Source {
            hotline: hotline.name.clone(),
            country: hotline.country.clone(),
        },
        items,
    };
    let io = |e: std::io::Error| DbError::Io(io_problem(&e));
    // Writing a zip in memory fails only on an internal error.
    let zipped = |_: zip::result::ZipError| DbError::Io(Message::new("problem.io.unknown", &[]));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|_| DbError::Io(Message::new("problem.io.unknown", &[])))?;
    zip.start_file("manifest.json", options).map_err(zipped)?;
    zip.write_all(&json).map_err(io)?;
    for (path, bytes) in files {
        zip.start_file(path, options).map_err(zipped)?;
        zip.write_all(&bytes).map_err(io)?;
    }
    Ok(zip.finish().map_err(zipped)?.into_inner())
}

/// Best practices of roundtables that are not restricted: (id, title, description).
async fn shareable_practices(db: &Db) -> Result<Vec<(i64, String, String)>, DbError> {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT p.id, p.title, p.description FROM roundtable_practices p
         JOIN roundtables r ON r.id = p.roundtable_id
         WHERE r.confidentiality <> 'restricted' ORDER BY p.id",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// Reads and checks a bundle: the manifest, its format and version, every item and every
/// document. Returns the manifest and the documents, or every problem found.
pub fn read(bytes: &[u8]) -> Result<(Manifest, Files), Vec<Problem>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| vec![Problem::new("library.bundle.error.not_zip")])?;
    let mut entries = BTreeMap::new();
    let mut total = 0u64;
    for i in 0..archive.len().min(10_000) {
        let Ok(mut entry) = archive.by_index(i) else {
            return Err(vec![Problem::new("library.bundle.error.not_zip")]);
        };
        let name = entry.name().unwrap_or_default().to_string();
        total = total.saturating_add(entry.size());
        if total > MAX_UNPACKED {
            return Err(vec![Problem::new("library.bundle.error.too_large")]);
        }
        let mut data = Vec::new();
        if entry
            .by_ref()
            .take(MAX_UNPACKED)
            .read_to_end(&mut data)
            .is_err()
        {
            return Err(vec![Problem::new("library.bundle.error.not_zip")]);
        }
        entries.insert(name, data);
    }
    let manifest_bytes = entries
        .remove("manifest.json")
        .ok_or_else(|| vec![Problem::new("library.bundle.error.no_manifest")])?;
    // The format and version first, so that a newer bundle is named as such.
    let head: serde_json::Value = serde_json::from_slice(&manifest_bytes)
        .map_err(|_| vec![Problem::new("library.bundle.error.manifest")])?;
    if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(vec![Problem::new("library.bundle.error.format")]);
    }
    let version = head.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version != u64::from(VERSION) {
        return Err(vec![Problem::with(
            "library.bundle.error.version",
            "version",
            version.to_string(),
        )]);
    }
    let manifest: Manifest = serde_json::from_value(head)
        .map_err(|_| vec![Problem::new("library.bundle.error.manifest")])?;
    let mut problems = Vec::new();
    for item in &manifest.items {
        let ok = ["file", "link", "practice"].contains(&item.kind.as_str())
            && !item.id.is_empty()
            && store::labels_ok(&item.title, &item.tags, &item.language, &item.audience)
            // Roundtables' practices may be longer than what the library page takes.
            && item.description.chars().count() <= 10_000
            && (item.kind != "link" || item.url.starts_with("https://"));
        if !ok {
            problems.push(Problem::with(
                "library.bundle.error.item",
                "item",
                item.title.clone(),
            ));
            continue;
        }
        if item.kind == "file" {
            let checked = entries
                .get(&item.file)
                .map(|bytes| store::check_upload(&item.original_name, bytes));
            if !matches!(checked, Some(Ok(_))) {
                problems.push(Problem::with(
                    "library.bundle.error.file",
                    "item",
                    item.title.clone(),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok((manifest, entries))
    } else {
        Err(problems)
    }
}

/// Imports a bundle read by [`read`]: items new to this deployment are added for staff only
/// (someone decides what goes public), with their source.
pub async fn import(
    db: &Db,
    actor: &Actor,
    dir: &Path,
    local: &str,
    manifest: &Manifest,
    files: &Files,
) -> Result<Imported, DbError> {
    let source_of_bundle = format!("{} ({})", manifest.source.hotline, manifest.source.country);
    let mut done = Imported::default();
    let mut new_items = Vec::new();
    for b in &manifest.items {
        let source = if b.origin.is_empty() {
            source_of_bundle.clone()
        } else {
            b.origin.clone()
        };
        let known = if source == local {
            // One of this hotline's own items, coming back through another deployment.
            is_own(db, &b.id).await?
        } else {
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM library_items WHERE source = $1 AND source_ref = $2",
            )
            .bind(&source)
            .bind(&b.id)
            .fetch_optional(&db.pool)
            .await?
            .is_some()
        };
        // The same item twice in one bundle counts once.
        if known
            || new_items
                .iter()
                .any(|(i, _): &(Item, _)| i.source == source && i.source_ref == b.id)
        {
            done.skipped += 1;
            continue;
        }
        let bytes = files.get(&b.file).filter(|_| b.kind == "file");
        let item = Item {
            kind: b.kind.clone(),
            title: b.title.trim().into(),
            description: b.description.clone(),
            url: b.url.clone(),
            original_name: b.original_name.clone(),
            mime: bytes
                .and_then(|bytes| store::check_upload(&b.original_name, bytes).ok())
                .unwrap_or_default()
                .into(),
            tags: b.tags.iter().take(20).map(|t| t.to_lowercase()).collect(),
            language: b.language.clone(),
            audience: b.audience.clone(),
            visibility: "staff".into(),
            source,
            source_ref: b.id.clone(),
            ..Item::default()
        };
        new_items.push((item, bytes.map(Vec::as_slice)));
    }
    // All or nothing: one transaction for every record, files removed again on failure.
    store::add_all(db, actor, dir, &new_items).await?;
    done.added = new_items.len();
    Ok(done)
}

/// Whether `id` (`library-<n>` or `practice-<n>`) names an item of this deployment.
async fn is_own(db: &Db, id: &str) -> Result<bool, DbError> {
    let (table, n) = match id.split_once('-') {
        Some(("library", n)) => (
            "SELECT id FROM library_items WHERE id = $1 AND source = ''",
            n,
        ),
        Some(("practice", n)) => ("SELECT id FROM roundtable_practices WHERE id = $1", n),
        _ => return Ok(false),
    };
    let Ok(n) = n.parse::<i64>() else {
        return Ok(false);
    };
    Ok(sqlx::query_scalar::<_, i64>(table)
        .bind(n)
        .fetch_optional(&db.pool)
        .await?
        .is_some())
}
