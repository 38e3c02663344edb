//! Staff sessions: a random token in an `HttpOnly` cookie, its SHA-256 in the database.
//!
//! Sessions are rows tied to the account, so disabling an account, changing its role or
//! resetting its password ends them at once, on every server process.

use sqlx::{AnyConnection, Row};

use super::users::{self, User};
use crate::config::SessionSettings;
use crate::crypto::{random_token, sha256_hex, BlindIndex};
use crate::db::{now, Db, DbError};

pub const COOKIE: &str = "hb_session";

/// The outcome of looking a session cookie up.
#[derive(Debug)]
pub enum Lookup {
    Active {
        user: User,
        session_id: i64,
    },
    /// The cookie named a session that timed out (idle or absolute) or no longer exists.
    Expired,
}

/// Starts a session for `user_id`, returning the token for the cookie.
pub async fn start(db: &Db, user_id: i64) -> Result<String, DbError> {
    let token = random_token();
    let t = now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(sha256_hex(&token))
    .bind(user_id)
    .bind(t)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// Finds the session of `token`, enforcing the idle and absolute timeouts and the account
/// being active. Refreshes the idle clock at most once a minute.
pub async fn lookup(db: &Db, token: &str, limits: &SessionSettings) -> Result<Lookup, DbError> {
    let hash = sha256_hex(token);
    let row = sqlx::query(
        "SELECT id, user_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(Lookup::Expired);
    };
    let id: i64 = row.try_get(0)?;
    let user_id: i64 = row.try_get(1)?;
    let created: i64 = row.try_get(2)?;
    let seen: i64 = row.try_get(3)?;
    let t = now();
    let idle_over = t - seen > limits.idle_timeout_minutes * 60;
    let absolute_over = t - created > limits.absolute_timeout_hours * 3600;
    let user = users::get(db, user_id).await?;
    match user {
        Some(user) if user.active && !idle_over && !absolute_over => {
            if t - seen >= 60 {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                    .bind(t)
                    .bind(id)
                    .execute(&db.pool)
                    .await?;
            }
            Ok(Lookup::Active {
                user,
                session_id: id,
            })
        }
        _ => {
            end(db, token).await?;
            Ok(Lookup::Expired)
        }
    }
}

/// Ends the session of `token`.
pub async fn end(db: &Db, token: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(sha256_hex(token))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends every session of an account (inside the caller's transaction).
pub async fn end_all_for_user(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes sessions past their timeouts and login attempts older than a day.
pub async fn purge_expired(db: &Db, limits: &SessionSettings) -> Result<(), DbError> {
    let t = now();
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(t - limits.idle_timeout_minutes * 60)
        .bind(t - limits.absolute_timeout_hours * 3600)
        .execute(&db.pool)
        .await?;
    sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(t - 86_400)
        .execute(&db.pool)
        .await?;
    // Tip-form rate limiting only needs the last hour.
    sqlx::query("DELETE FROM tip_submissions WHERE at < $1")
        .bind(t - 86_400)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The stored form of a typed login name: a keyed blind index (HMAC under the deployment's
/// index key), never the text itself, so even a password typed into the email field cannot be
/// recovered from the table.
fn email_hash(index: &BlindIndex, email: &str) -> String {
    index.index("login_email", &users::normalize_email(email))
}

/// Records a login attempt for throttling.
pub async fn record_attempt(
    db: &Db,
    index: &BlindIndex,
    email: &str,
    ip: &str,
    success: bool,
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO login_attempts (at, email_hash, ip, success) VALUES ($1, $2, $3, $4)")
        .bind(now())
        .bind(email_hash(index, email))
        .bind(ip)
        .bind(i64::from(success))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// True when the account or the address has too many recent failures to try again now.
/// Failures count since the last success of the account, within the lockout window.
pub async fn throttled(
    db: &Db,
    index: &BlindIndex,
    email: &str,
    ip: &str,
    limits: &SessionSettings,
) -> Result<bool, DbError> {
    let since = now() - limits.lockout_minutes * 60;
    let email = email_hash(index, email);
    let last_ok: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(at) FROM login_attempts WHERE email_hash = $1 AND success = 1 AND at >= $2",
    )
    .bind(&email)
    .bind(since)
    .fetch_one(&db.pool)
    .await?;
    let account_failures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE email_hash = $1 AND success = 0 AND at >= $2",
    )
    .bind(&email)
    .bind(last_ok.map_or(since, |t| t.max(since)))
    .fetch_one(&db.pool)
    .await?;
    if account_failures >= limits.max_failed_logins_per_account {
        return Ok(true);
    }
    let ip_failures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND success = 0 AND at >= $2",
    )
    .bind(ip)
    .bind(since)
    .fetch_one(&db.pool)
    .await?;
    Ok(ip_failures >= limits.max_failed_logins_per_ip)
}

/// Forgets the failed logins of an account, lifting its lockout (inside the caller's
/// transaction).
pub async fn clear_failures(
    conn: &mut AnyConnection,
    index: &BlindIndex,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE email_hash = $1 AND success = 0")
        .bind(email_hash(index, email))
        .execute(conn)
        .await?;
    Ok(())
}
