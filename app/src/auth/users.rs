//! Staff accounts: storage and the rules around them (shared by the web and the CLI).

use sqlx::{AnyConnection, Row};

use super::{password, Role};
use crate::audit::{self, Actor, Event};
use crate::db::{now, Db, DbError};

/// A staff account (without its password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: Option<String>,
    pub active: bool,
    pub created_at: i64,
}

/// Why an account change was refused. Each maps to a locale key.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("user.error.email_taken")]
    EmailTaken,
    #[error("user.error.email_invalid")]
    EmailInvalid,
    #[error("user.error.name_invalid")]
    NameInvalid,
    #[error("user.error.locale_invalid")]
    LocaleInvalid,
    #[error("{0}")]
    Password(&'static str),
    #[error("user.error.not_found")]
    NotFound,
    #[error("user.error.last_admin")]
    LastAdmin,
    #[error("{0}")]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for UserError {
    fn from(e: sqlx::Error) -> Self {
        UserError::Db(DbError::Sqlx(e))
    }
}

impl UserError {
    /// The locale key explaining the refusal (`error.internal` for database failures).
    pub fn key(&self) -> &'static str {
        match self {
            UserError::EmailTaken => "user.error.email_taken",
            UserError::EmailInvalid => "user.error.email_invalid",
            UserError::NameInvalid => "user.error.name_invalid",
            UserError::LocaleInvalid => "user.error.locale_invalid",
            UserError::Password(k) => k,
            UserError::NotFound => "user.error.not_found",
            UserError::LastAdmin => "user.error.last_admin",
            UserError::Db(_) => "error.internal",
        }
    }
}

/// What is needed to create an account.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub locale: Option<&'a str>,
    pub password: &'a str,
}

/// Email addresses are the login names: trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn check_email(email: &str) -> Result<(), UserError> {
    let e = email.trim();
    let ok = e.len() <= 254
        && !e.contains(char::is_whitespace)
        && e.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if ok {
        Ok(())
    } else {
        Err(UserError::EmailInvalid)
    }
}

fn check_name(name: &str) -> Result<(), UserError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        Err(UserError::NameInvalid)
    } else {
        Ok(())
    }
}

fn check_locale(locale: Option<&str>) -> Result<(), UserError> {
    match locale {
        None => Ok(()),
        // A bundled language, or one a deployment added itself (`hotline locale add`).
        Some(l)
            if crate::config::BUNDLED_LOCALES.contains(&l) || crate::config::is_locale_code(l) =>
        {
            Ok(())
        }
        Some(_) => Err(UserError::LocaleInvalid),
    }
}

const COLUMNS: &str = "id, email, display_name, role, locale, active, created_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    let role: String = r.try_get(3)?;
    let active: i64 = r.try_get(5)?;
    Ok(User {
        id: r.try_get(0)?,
        email: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode("unknown role".into()))?,
        locale: r.try_get(4)?,
        active: active != 0,
        created_at: r.try_get(6)?,
    })
}

/// Creates an account and records it in the audit trail.
pub async fn create(db: &Db, actor: &Actor, new: NewUser<'_>) -> Result<User, UserError> {
    check_email(new.email)?;
    check_name(new.display_name)?;
    check_locale(new.locale)?;
    password::check_new(new.password).map_err(UserError::Password)?;
    let email = normalize_email(new.email);
    let hash = password::hash(new.password).map_err(|_| UserError::Password("error.internal"))?;
    let mut tx = db.begin().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(UserError::EmailTaken);
    }
    let t = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, locale, password_hash, active,
                            created_at, updated_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $6) RETURNING id",
    )
    .bind(&email)
    .bind(new.display_name.trim())
    .bind(new.role.as_str())
    .bind(new.locale)
    .bind(&hash)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("user.create")
            .target("user", id)
            .detail(format!("role={}", new.role.as_str())),
    )
    .await?;
    tx.commit().await?;
    Ok(User {
        id,
        email,
        display_name: new.display_name.trim().to_string(),
        role: new.role,
        locale: new.locale.map(str::to_string),
        active: true,
        created_at: t,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<User>, DbError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>, DbError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
        .bind(normalize_email(email))
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// The account and its password hash, for login.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<(User, String)>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE email = $1"
    ))
    .bind(normalize_email(email))
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(r) => Ok(Some((from_row(&r)?, r.try_get(7)?))),
        None => Ok(None),
    }
}

pub async fn list(db: &Db) -> Result<Vec<User>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM users ORDER BY active DESC, display_name"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn count(db: &Db) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?)
}

async fn active_admins_other_than(conn: &mut AnyConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// What an admin may change about an account.
pub struct Changes<'a> {
    pub display_name: &'a str,
    pub role: Role,
    pub locale: Option<&'a str>,
    pub active: bool,
}

/// Updates an account. Disabling it ends its sessions; the last active admin cannot be
/// disabled or demoted.
pub async fn update(db: &Db, actor: &Actor, id: i64, ch: Changes<'_>) -> Result<User, UserError> {
    check_name(ch.display_name)?;
    check_locale(ch.locale)?;
    let before = get(db, id).await?.ok_or(UserError::NotFound)?;
    let mut tx = db.begin().await?;
    let loses_admin = before.role == Role::Admin && (ch.role != Role::Admin || !ch.active);
    if loses_admin && active_admins_other_than(&mut tx, id).await? == 0 {
        return Err(UserError::LastAdmin);
    }
    sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, locale = $3, active = $4, updated_at = $5
         WHERE id = $6",
    )
    .bind(ch.display_name.trim())
    .bind(ch.role.as_str())
    .bind(ch.locale)
    .bind(i64::from(ch.active))
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let mut what = Vec::new();
    if before.role != ch.role {
        what.push(format!(
            "role {}->{}",
            before.role.as_str(),
            ch.role.as_str()
        ));
    }
    if before.active != ch.active {
        what.push(if ch.active { "enabled" } else { "disabled" }.to_string());
    }
    if before.display_name != ch.display_name.trim() {
        what.push("name".into());
    }
    if before.locale.as_deref() != ch.locale {
        what.push("locale".into());
    }
    if !ch.active || before.role != ch.role {
        super::session::end_all_for_user(&mut tx, id).await?;
    }
    let action = match (before.active, ch.active) {
        (true, false) => "user.disable",
        (false, true) => "user.enable",
        _ => "user.update",
    };
    audit::record(
        &mut tx,
        actor,
        Event::new(action)
            .target("user", id)
            .detail(what.join(", ")),
    )
    .await?;
    tx.commit().await?;
    Ok(User {
        display_name: ch.display_name.trim().to_string(),
        role: ch.role,
        locale: ch.locale.map(str::to_string),
        active: ch.active,
        ..before
    })
}

/// Disables an account (ending its sessions), keeping everything else.
pub async fn disable(db: &Db, actor: &Actor, id: i64) -> Result<User, UserError> {
    let u = get(db, id).await?.ok_or(UserError::NotFound)?;
    update(
        db,
        actor,
        id,
        Changes {
            display_name: &u.display_name,
            role: u.role,
            locale: u.locale.as_deref(),
            active: false,
        },
    )
    .await
}

/// Sets a new password and ends every session of the account.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    new_password: &str,
) -> Result<(), UserError> {
    password::check_new(new_password).map_err(UserError::Password)?;
    let hash = password::hash(new_password).map_err(|_| UserError::Password("error.internal"))?;
    let mut tx = db.begin().await?;
    let t = now();
    let n = sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2
         WHERE id = $3",
    )
    .bind(&hash)
    .bind(t)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(UserError::NotFound);
    }
    super::session::end_all_for_user(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("user.password_reset").target("user", id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the language a user picked in the switcher.
pub async fn set_locale(db: &Db, id: i64, locale: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3")
        .bind(locale)
        .bind(now())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Lifts a login lockout of an account (its failed attempts are forgotten).
pub async fn unlock(
    db: &Db,
    index: &crate::crypto::BlindIndex,
    actor: &Actor,
    id: i64,
) -> Result<User, UserError> {
    let u = get(db, id).await?.ok_or(UserError::NotFound)?;
    let mut tx = db.begin().await?;
    super::session::clear_failures(&mut tx, index, &u.email).await?;
    audit::record(&mut tx, actor, Event::new("user.unlock").target("user", id)).await?;
    tx.commit().await?;
    Ok(u)
}
