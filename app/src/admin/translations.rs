//! The translations page: search every key of the interface, see the bundled original, edit
//! the wording for this hotline, preview it, and revert to the original. Changes are in
//! effect at once, in every server process.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::Permission;
use crate::error::AppError;
use crate::i18n::overrides::{self, Status};
use crate::i18n::{self, compiled_chain};
use crate::web::form::{form_pairs, one};
use crate::web::{Ctx, Page};

/// At most this many keys are listed for one search.
const LIMIT: usize = 100;

/// The languages an admin may override: the hotline's own.
fn languages(ctx: &Ctx) -> Vec<(String, String)> {
    ctx.state
        .config
        .hotline
        .locales
        .iter()
        .map(|l| (l.clone(), i18n::native_name(l)))
        .collect()
}

fn chosen_locale(ctx: &Ctx, asked: &Option<String>) -> String {
    let mine = &ctx.state.config.hotline.locales;
    asked
        .as_ref()
        .filter(|l| mine.contains(l))
        .cloned()
        .unwrap_or_else(|| ctx.state.config.default_locale().to_string())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    locale: Option<String>,
    /// `changed`, `outdated` or `invalid`: only keys with such an override.
    #[serde(default)]
    only: String,
}

pub struct Row {
    pub key: String,
    pub english: String,
    pub current: String,
    /// `""` without an override, else its status code.
    pub status: String,
}

#[derive(Template)]
#[template(path = "admin/translations.html")]
struct ListPage {
    page: Page,
    q: String,
    locale: String,
    only: String,
    languages: Vec<(String, String)>,
    rows: Vec<Row>,
    total: usize,
    more: bool,
    limit: usize,
    counts: (usize, usize, usize),
    problems: Vec<(String, String)>,
}

pub async fn list(ctx: Ctx, Query(query): Query<ListQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageSettings)?;
    let locale = chosen_locale(&ctx, &query.locale);
    let entries = overrides::list(&ctx.state.db).await?;
    let mine = overrides::by_key(&entries, &locale);
    // Each change's status, once; and the figures of the language shown.
    let statuses: std::collections::HashMap<&str, Status> = mine
        .values()
        .map(|e| (e.key.as_str(), overrides::status(e)))
        .collect();
    let counts = (
        mine.len(),
        statuses
            .values()
            .filter(|s| **s == Status::Outdated)
            .count(),
        statuses.values().filter(|s| **s == Status::Invalid).count(),
    );
    let q = query.q.trim().to_lowercase();
    let mut rows = Vec::new();
    let mut total = 0;
    let known = i18n::keys_for(&locale);
    for key in &known {
        let english = i18n::english_of(key).unwrap_or_default();
        let entry = mine.get(key);
        let status = statuses.get(key.as_str()).map_or("", |s| s.code());
        let wanted = match query.only.as_str() {
            "changed" => entry.is_some(),
            "outdated" => status == "outdated",
            "invalid" => status == "invalid",
            _ => true,
        };
        let current = i18n::tr(&locale, key);
        let matches = q.is_empty()
            || key.to_lowercase().contains(&q)
            || english.to_lowercase().contains(&q)
            || current.to_lowercase().contains(&q);
        if !wanted || !matches {
            continue;
        }
        total += 1;
        if rows.len() < LIMIT {
            rows.push(Row {
                key: key.clone(),
                english,
                current: entry.map(|e| e.text.clone()).unwrap_or(current),
                status: status.to_string(),
            });
        }
    }
    // Changes whose key this version no longer has: not used, and listed so that they can be
    // reverted.
    if matches!(query.only.as_str(), "changed" | "invalid") {
        for e in mine.values().filter(|e| !known.contains(&e.key)) {
            total += 1;
            if rows.len() < LIMIT {
                rows.push(Row {
                    key: e.key.clone(),
                    english: String::new(),
                    current: e.text.clone(),
                    status: Status::Invalid.code().to_string(),
                });
            }
        }
    }
    let file_problems = overrides::file_problems();
    let t = ListPage {
        page: Page::new(&ctx, &ctx.t("translation.title")),
        q: query.q.trim().to_string(),
        only: query.only,
        languages: languages(&ctx),
        more: total > rows.len(),
        limit: LIMIT,
        rows,
        total,
        counts,
        problems: file_problems
            .iter()
            .map(|w| (w.file.clone(), w.message(&ctx.locale)))
            .collect(),
        locale,
    };
    Ok(Html(t.render()?).into_response())
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    key: String,
    locale: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/translation_edit.html")]
struct EditPage {
    page: Page,
    key: String,
    locale: String,
    language: String,
    english: String,
    bundled: String,
    placeholders: String,
    text: String,
    /// The saved override and its status code, if there is one.
    saved: Option<(String, String)>,
    /// The text in pieces, placeholders marked, after "Preview".
    preview: Option<Vec<(String, bool)>>,
    error: Option<String>,
}

async fn edit_page(
    ctx: &Ctx,
    locale: &str,
    key: &str,
    text: Option<String>,
    preview: Option<Vec<(String, bool)>>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let saved = overrides::get(&ctx.state.db, locale, key)
        .await?
        .map(|e| (e.text.clone(), overrides::status(&e).code().to_string()));
    // A key this version no longer has is shown only to revert its stored change.
    let english = match (i18n::english_of(key), &saved) {
        (Some(e), _) => e,
        (None, Some(_)) => String::new(),
        (None, None) => return Err(AppError::NotFound),
    };
    let bundled = compiled_chain(locale, key).unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = EditPage {
        page: Page::new(ctx, &ctx.t("translation.edit_title")),
        key: key.to_string(),
        locale: locale.to_string(),
        language: i18n::native_name(locale),
        placeholders: i18n::shown_placeholders(&english),
        text: text
            .or_else(|| saved.as_ref().map(|(t, _)| t.clone()))
            .unwrap_or_else(|| bundled.clone()),
        english,
        bundled,
        saved,
        preview,
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn edit(ctx: Ctx, Query(query): Query<EditQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageSettings)?;
    let locale = chosen_locale(&ctx, &query.locale);
    edit_page(&ctx, &locale, &query.key, None, None, None).await
}

/// The text cut into plain pieces and placeholders (`true`), for the preview.
fn preview_parts(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("%{") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push((rest[..start].to_string(), false));
        out.push((rest[start + 2..start + len].to_string(), true));
        rest = &rest[start + len + 1..];
    }
    out.push((rest.to_string(), false));
    out
}

pub async fn save(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::ManageSettings)?;
    let f = form_pairs(&body)?;
    let key = one(&f, "key").to_string();
    let locale = one(&f, "locale").to_string();
    let action = one(&f, "action");
    // Any stored change can be reverted, even of a key or a language no longer in use;
    // new wording only for the hotline's languages and existing keys.
    let editable =
        ctx.state.config.hotline.locales.contains(&locale) && i18n::english_of(&key).is_some();
    if action != "revert" && !editable {
        return Err(AppError::NotFound);
    }
    // Keep the translator's own spacing and line breaks; only the ends are trimmed.
    let text = one(&f, "text").to_string();
    let back = |notice: &str| {
        Redirect::to(&format!(
            "/admin/translations/edit?locale={locale}&key={}&notice={notice}",
            crate::error::urlencode(&key)
        ))
        .into_response()
    };
    match action {
        "revert" => {
            if !overrides::revert(&ctx.state.db, &ctx.actor(), &locale, &key).await? {
                return Err(AppError::NotFound);
            }
            overrides::reload(&ctx.state.dir, &ctx.state.db).await?;
            if !editable {
                return Ok(Redirect::to(
                    "/admin/translations?only=invalid&notice=translation_reverted",
                )
                .into_response());
            }
            Ok(back("translation_reverted"))
        }
        action => {
            if let Err(r) = overrides::check(&locale, &key, &text) {
                let message = r.text(&ctx.locale);
                return edit_page(&ctx, &locale, &key, Some(text), None, Some(message)).await;
            }
            if action == "preview" {
                let parts = preview_parts(&text);
                return edit_page(&ctx, &locale, &key, Some(text), Some(parts), None).await;
            }
            overrides::save(&ctx.state.db, &ctx.actor(), &locale, &key, &text).await?;
            overrides::reload(&ctx.state.dir, &ctx.state.db).await?;
            Ok(back("translation_saved"))
        }
    }
}
