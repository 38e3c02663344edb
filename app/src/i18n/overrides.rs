//! Translation overrides made on the admin page, stored in the database, and merged with the
//! deployment's override files (`DIR/locales/*.yml`) into the layer over the compiled
//! strings. An entry on the admin page wins over a file; both win over the compiled text.
//!
//! Each entry remembers the text it replaced. When an upgrade changes that text the entry
//! is "outdated" (still used, flagged for a look); when its `%{placeholders}` no longer match
//! the English original it is "invalid" and not used.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::RwLock;

use sqlx::Row;

use super::{compiled, Message, OverrideWarning};
use crate::audit::{self, Actor, Event};
use crate::db::{now, Db, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub locale: String,
    pub key: String,
    pub text: String,
    /// The text this entry replaced when it was saved.
    pub original: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// The text it replaced has changed since (an upgrade): used, but worth a look.
    Outdated,
    /// The key is gone, or its placeholders differ from the English original: not used.
    Invalid,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Outdated => "outdated",
            Status::Invalid => "invalid",
        }
    }
}

/// The text an entry of `locale` replaces: the compiled text of the language or its parents
/// (`sw` for `sw-KE`), else the English original. The deployment's default language is left
/// out, so that the answer does not change with the settings.
pub fn original_text(locale: &str, key: &str) -> String {
    super::lineage(locale)
        .find_map(|tag| compiled(tag, key))
        .or_else(|| super::english_of(key))
        .unwrap_or_default()
}

/// Where an entry stands against the strings compiled into this version.
pub fn status(e: &Entry) -> Status {
    if super::text_problem(&e.locale, &e.key, &e.text).is_some() {
        return Status::Invalid;
    }
    if original_text(&e.locale, &e.key) != e.original {
        return Status::Outdated;
    }
    Status::Ok
}

pub async fn list(db: &Db) -> Result<Vec<Entry>, DbError> {
    list_where(db, None).await
}

/// Every entry, or the one of `(locale, key)`.
async fn list_where(db: &Db, only: Option<(&str, &str)>) -> Result<Vec<Entry>, DbError> {
    let rows = match only {
        None => {
            sqlx::query(
                "SELECT locale, key, text, original, updated_at FROM translation_overrides
                 ORDER BY locale, key",
            )
            .fetch_all(&db.pool)
            .await?
        }
        Some((locale, key)) => {
            sqlx::query(
                "SELECT locale, key, text, original, updated_at FROM translation_overrides
                 WHERE locale = $1 AND key = $2",
            )
            .bind(locale)
            .bind(key)
            .fetch_all(&db.pool)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(Entry {
                locale: r.try_get(0)?,
                key: r.try_get(1)?,
                text: r.try_get(2)?,
                original: r.try_get(3)?,
                updated_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// Checks a new text for `key` in `locale`: the key must exist, the text must not be empty,
/// and it must use exactly the English original's placeholders. The refusal says why.
pub fn check(locale: &str, key: &str, text: &str) -> Result<(), Message> {
    if let Some(problem) = super::text_problem(locale, key, text) {
        return Err(problem);
    }
    if text.trim().is_empty() {
        return Err(Message::new("translation.error.empty", &[]));
    }
    Ok(())
}

/// Saves (or replaces) the override of `key` in `locale`, remembering the text it replaces,
/// and bumps the generation so that every server process reloads.
pub async fn save(
    db: &Db,
    actor: &Actor,
    locale: &str,
    key: &str,
    text: &str,
) -> Result<(), DbError> {
    let original = original_text(locale, key);
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO translation_overrides (locale, key, text, original, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (locale, key) DO UPDATE SET text = excluded.text,
           original = excluded.original, updated_by = excluded.updated_by,
           updated_at = excluded.updated_at",
    )
    .bind(locale)
    .bind(key)
    .bind(text)
    .bind(&original)
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    bump(&mut tx).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("translation.save").detail(format!("{locale} {key}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the override of `key` in `locale`: the bundled text (or a file's) is used again.
pub async fn revert(db: &Db, actor: &Actor, locale: &str, key: &str) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let gone = sqlx::query("DELETE FROM translation_overrides WHERE locale = $1 AND key = $2")
        .bind(locale)
        .bind(key)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Ok(false);
    }
    bump(&mut tx).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("translation.revert").detail(format!("{locale} {key}")),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

async fn bump(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE translation_state SET generation = generation + 1")
        .execute(conn)
        .await?;
    Ok(())
}

/// A number that changes whenever an override is saved or reverted.
pub async fn generation(db: &Db) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT generation FROM translation_state")
            .fetch_one(&db.pool)
            .await?,
    )
}

/// The generation this process last loaded (see [`follow`]).
static LOADED: AtomicI64 = AtomicI64::new(i64::MIN);
/// The problems of the override files found by the last load (for the admin page).
static FILE_PROBLEMS: RwLock<Vec<OverrideWarning>> = RwLock::new(Vec::new());

/// Reads the override files and the admin page's entries, and puts them in service: files
/// first, the page's valid entries over them. Returns the files' problems.
pub async fn reload(dir: &Path, db: &Db) -> Result<Vec<OverrideWarning>, DbError> {
    // Read first: a save after this point bumps it again, and the next look reloads.
    let loaded = generation(db).await?;
    let (mut map, warnings) = super::read_overrides(dir);
    for e in list(db).await? {
        if status(&e) != Status::Invalid {
            map.entry(e.locale).or_default().insert(e.key, e.text);
        }
    }
    super::install(map);
    *FILE_PROBLEMS.write().unwrap_or_else(|e| e.into_inner()) = warnings.clone();
    LOADED.store(loaded, Ordering::Relaxed);
    Ok(warnings)
}

/// The problems of the deployment's override files, as found when they were last read.
pub fn file_problems() -> Vec<OverrideWarning> {
    FILE_PROBLEMS
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// Keeps this process's overrides in step with the database (other processes behind a load
/// balancer save too): reloads whenever the generation differs from the one it loaded.
pub async fn follow(dir: std::path::PathBuf, db: Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tick.tick().await;
        let Ok(now) = generation(&db).await else {
            continue;
        };
        if now != LOADED.load(Ordering::Relaxed) {
            if let Err(e) = reload(&dir, &db).await {
                tracing::warn!(error = %e.kind(), "translation reload failed");
            }
        }
    }
}

/// The stored change of `key` in `locale`, if there is one.
pub async fn get(db: &Db, locale: &str, key: &str) -> Result<Option<Entry>, DbError> {
    Ok(list_where(db, Some((locale, key)))
        .await?
        .into_iter()
        .next())
}

/// The entries of one locale, by key (for the admin page).
pub fn by_key(entries: &[Entry], locale: &str) -> HashMap<String, Entry> {
    entries
        .iter()
        .filter(|e| e.locale == locale)
        .map(|e| (e.key.clone(), e.clone()))
        .collect()
}
