//! Library pages: the staff library (search, add a link, upload a document), the public
//! library, downloads, and publishing a roundtable's best practice.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store::{self, Item, VISIBILITY};
use crate::auth::Permission;
use crate::directory::pages::languages;
use crate::error::AppError;
use crate::intake::console::{opts, Opt};
use crate::outreach::store::SECTORS;
use crate::web::form::{form_pairs as pairs, one};
use crate::web::{Ctx, Page};

/// Audiences: everyone, or one sector.
fn audiences(ctx: &Ctx) -> Vec<Opt> {
    let mut out = vec![Opt {
        code: "general".into(),
        label: ctx.t("library.audience.general"),
    }];
    out.extend(opts(ctx, SECTORS, "outreach.sector"));
    out
}

pub struct ItemRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub href: String,
    pub details: String,
    pub tags: String,
    pub public: bool,
}

fn row(ctx: &Ctx, i: Item) -> ItemRow {
    let mut details = vec![
        ctx.t(&format!("library.kind.{}", i.kind)),
        crate::intake::console::language_label(ctx, &i.language),
    ];
    if i.audience == "general" {
        details.push(ctx.t("library.audience.general"));
    } else {
        details.push(ctx.t(&format!("outreach.sector.{}", i.audience)));
    }
    if i.kind == "file" {
        let size = crate::i18n::format_size(&ctx.locale, u64::try_from(i.size).unwrap_or(0));
        details.push(format!("{}, {size}", i.original_name));
    }
    if !i.source.is_empty() {
        details.push(crate::i18n::tr_with(
            &ctx.locale,
            "library.from",
            &[("source", &i.source)],
        ));
    }
    ItemRow {
        href: match i.kind.as_str() {
            "file" => format!("/library/files/{}", i.id),
            "link" => i.url.clone(),
            _ => String::new(),
        },
        id: i.id,
        kind: i.kind,
        title: i.title,
        description: i.description,
        details: details.join(" · "),
        tags: crate::i18n::join_list(&ctx.locale, &i.tags),
        public: i.visibility == "public",
    }
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "library/staff.html")]
struct StaffPage {
    page: Page,
    q: String,
    rows: Vec<ItemRow>,
    can_add: bool,
    languages: Vec<Opt>,
    audiences: Vec<Opt>,
    visibilities: Vec<Opt>,
    max_mb: usize,
    error: Option<String>,
    problems: Vec<String>,
    message: Option<String>,
}

async fn staff_page(
    ctx: &Ctx,
    q: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff_page_with(ctx, q, error, Vec::new(), None, status).await
}

async fn staff_page_with(
    ctx: &Ctx,
    q: &str,
    error: Option<String>,
    problems: Vec<String>,
    message: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let rows = store::search(&ctx.state.db, q, false)
        .await?
        .into_iter()
        .map(|i| row(ctx, i))
        .collect();
    let t = StaffPage {
        page: Page::new(ctx, &ctx.t("library.title")),
        q: q.to_string(),
        rows,
        can_add: ctx.can(Permission::Outreach),
        languages: languages(ctx),
        audiences: audiences(ctx),
        visibilities: opts(ctx, VISIBILITY, "library.visibility"),
        max_mb: store::MAX_FILE_BYTES / (1024 * 1024),
        error,
        problems,
        message,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn staff_library(ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::StaffHome)?;
    staff_page(&ctx, &q.q, None, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "library/public.html")]
struct PublicPage {
    page: Page,
    q: String,
    rows: Vec<ItemRow>,
}

pub async fn public_library(ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Response, AppError> {
    let rows = store::search(&ctx.state.db, &q.q, true)
        .await?
        .into_iter()
        .map(|i| row(&ctx, i))
        .collect();
    let t = PublicPage {
        page: Page::new(&ctx, &ctx.t("library.public_title")),
        q: q.q,
        rows,
    };
    Ok(Html(t.render()?).into_response())
}

/// The fields every item has, from a form; `None` if one is missing or wrong.
fn common(fields: &[(String, String)]) -> Option<Item> {
    let item = Item {
        title: one(fields, "title").into(),
        description: one(fields, "description").into(),
        tags: store::parse_tags(one(fields, "tags")),
        language: one(fields, "language").into(),
        audience: one(fields, "audience").into(),
        visibility: one(fields, "visibility").into(),
        ..Item::default()
    };
    let ok = store::labels_ok(&item.title, &item.tags, &item.language, &item.audience)
        && item.description.chars().count() <= 5_000
        && VISIBILITY.contains(&item.visibility.as_str());
    ok.then_some(item)
}

pub async fn add_link(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let url = one(&p, "url");
    let item = common(&p)
        .filter(|_| url.starts_with("https://") && crate::config::validate_public_url(url).is_ok());
    let Some(mut item) = item else {
        return staff_page(
            &ctx,
            "",
            Some(ctx.t("library.error.fields")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    item.kind = "link".into();
    item.url = url.into();
    store::add(&ctx.state.db, &ctx.actor(), &ctx.state.dir, &item, None).await?;
    Ok(Redirect::to("/library?notice=library_saved").into_response())
}

pub async fn upload(ctx: Ctx, mut form: Multipart) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let mut fields = Vec::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                let msg = ctx.t(store::UploadError::TooLarge.key());
                return staff_page(&ctx, "", Some(msg), StatusCode::PAYLOAD_TOO_LARGE).await;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let original: String = field.file_name().unwrap_or("").chars().take(200).collect();
            let Ok(bytes) = field.bytes().await else {
                let msg = ctx.t(store::UploadError::TooLarge.key());
                return staff_page(&ctx, "", Some(msg), StatusCode::PAYLOAD_TOO_LARGE).await;
            };
            file = Some((original, bytes.to_vec()));
        } else if let Ok(text) = field.text().await {
            fields.push((name, text));
        }
    }
    let Some(mut item) = common(&fields) else {
        return staff_page(
            &ctx,
            "",
            Some(ctx.t("library.error.fields")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (original, bytes) = file.unwrap_or_default();
    let mime = match store::check_upload(&original, &bytes) {
        Ok(m) => m,
        Err(e) => {
            let status = if e == store::UploadError::TooLarge {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return staff_page(&ctx, "", Some(ctx.t(e.key())), status).await;
        }
    };
    item.kind = "file".into();
    item.original_name = original;
    item.mime = mime.into();
    store::add(
        &ctx.state.db,
        &ctx.actor(),
        &ctx.state.dir,
        &item,
        Some(&bytes),
    )
    .await?;
    Ok(Redirect::to("/library?notice=library_saved").into_response())
}

/// A document: public ones for everyone, the others for staff only (anyone else is told
/// it does not exist).
pub async fn download(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let item = store::get(&ctx.state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.kind != "file" {
        return Err(AppError::NotFound);
    }
    if item.visibility != "public" && !ctx.can(Permission::StaffHome) {
        return Err(AppError::NotFound);
    }
    // The name was chosen by the server; refuse anything else all the same.
    if item.file_name.contains(['/', '\\']) || item.file_name.starts_with('.') {
        return Err(AppError::NotFound);
    }
    let path = store::files_dir(&ctx.state.dir).join(&item.file_name);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::Internal("library file missing".into()))?;
    Ok(crate::web::attachment(
        &item.mime,
        &item.original_name,
        bytes,
    ))
}

/// Publishes a roundtable's best practice to the library: public for a public roundtable,
/// staff only for a partners-only one; a restricted roundtable's practices stay where they
/// are.
pub async fn publish_practice(
    ctx: Ctx,
    Path((id, practice_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let _ = pairs(&body)?;
    let db = &ctx.state.db;
    let r = crate::outreach::roundtables::get(db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let practice = crate::outreach::roundtables::practices(db, id)
        .await?
        .into_iter()
        .find(|p| p.id == practice_id)
        .ok_or(AppError::NotFound)?;
    let visibility = match r.confidentiality.as_str() {
        "public" => "public",
        "partners" => "staff",
        _ => return Err(AppError::BadRequest("library.error.restricted")),
    };
    if store::published_practice(db, practice_id).await?.is_none() {
        let item = Item::practice(
            practice_id,
            practice.title,
            practice.description,
            ctx.state.config.default_locale(),
            visibility,
        );
        match store::add(db, &ctx.actor(), &ctx.state.dir, &item, None).await {
            // Published meanwhile (a double click): once is enough.
            Err(crate::db::DbError::Sqlx(sqlx::Error::Database(e))) if e.is_unique_violation() => {}
            other => {
                other?;
            }
        }
    }
    Ok(Redirect::to(&format!("/roundtables/{id}?notice=practice_published")).into_response())
}

// ---------------------------------------------------------------- bundles

/// `GET /library/bundle`: this deployment's bundle, as a zip file.
pub async fn bundle_export(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let cfg = &ctx.state.config.hotline;
    let bytes = super::bundle::export(&ctx.state.db, &ctx.state.dir, cfg).await?;
    Ok(crate::web::attachment(
        "application/zip",
        "hotline-bundle.zip",
        bytes,
    ))
}

/// `POST /library/bundle` (multipart `file`): imports a bundle, all or nothing.
pub async fn bundle_import(ctx: Ctx, mut form: Multipart) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let mut bytes = Vec::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("file") {
                    match field.bytes().await {
                        Ok(b) => bytes = b.to_vec(),
                        Err(_) => {
                            let msg = ctx.t("library.bundle.error.too_large");
                            return staff_page(&ctx, "", Some(msg), StatusCode::PAYLOAD_TOO_LARGE)
                                .await;
                        }
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                let msg = ctx.t("library.bundle.error.too_large");
                return staff_page(&ctx, "", Some(msg), StatusCode::PAYLOAD_TOO_LARGE).await;
            }
        }
    }
    let (manifest, files) = match super::bundle::read(&bytes) {
        Ok(read) => read,
        Err(problems) => {
            let problems = problems.iter().map(|p| p.text(&ctx.locale)).collect();
            let msg = ctx.t("library.bundle.refused");
            return staff_page_with(
                &ctx,
                "",
                Some(msg),
                problems,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let done = super::bundle::import(
        &ctx.state.db,
        &ctx.actor(),
        &ctx.state.dir,
        &format!(
            "{} ({})",
            ctx.state.config.hotline.name, ctx.state.config.hotline.country
        ),
        &manifest,
        &files,
    )
    .await?;
    let message = crate::i18n::tr_with(
        &ctx.locale,
        "library.bundle.imported",
        &[
            ("added", &done.added.to_string()),
            ("skipped", &done.skipped.to_string()),
            (
                "source",
                &format!("{} ({})", manifest.source.hotline, manifest.source.country),
            ),
        ],
    );
    staff_page_with(&ctx, "", None, Vec::new(), Some(message), StatusCode::OK).await
}
