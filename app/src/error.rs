//! One error type for handlers. It becomes a localized page: the handler only names what went
//! wrong; `web::context` renders it in the request's language.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in (or the session ended): go to the login page and come back.
    #[error("login required")]
    LoginRequired { next: String, expired: bool },
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A request that cannot be served, explained by a locale key.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("internal: {0}")]
    Internal(String),
}

/// Placed on an error response so the context layer renders the localized page.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage {
    pub message_key: &'static str,
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Sqlx(e) => e.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for AppError {
    /// Keeps only the kind of failure: a database's own message may quote the values of a
    /// row (a unique-key violation does), and those must never reach a log.
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(DbError::Sqlx(e).kind())
    }
}

impl From<crate::auth::users::UserError> for AppError {
    fn from(e: crate::auth::users::UserError) -> Self {
        match e {
            crate::auth::users::UserError::Db(db) => db.into(),
            crate::auth::users::UserError::NotFound => AppError::NotFound,
            other => AppError::BadRequest(other.key()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// The message shown for a status code when nothing more specific was named.
pub fn message_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "error.bad_request",
        403 => "error.forbidden",
        404 => "error.not_found",
        405 => "error.method_not_allowed",
        408 => "error.timeout",
        413 => "error.too_large",
        415 => "error.bad_request",
        429 => "error.too_many",
        503 => "error.unavailable",
        _ => "error.internal",
    }
}

fn error_response(status: StatusCode, key: &'static str) -> Response {
    let mut r = status.into_response();
    r.extensions_mut().insert(ErrorPage { message_key: key });
    r
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::LoginRequired { next, expired } => {
                let mut url = format!("/login?next={}", urlencode(&next));
                if expired {
                    url.push_str("&expired=1");
                }
                Redirect::to(&url).into_response()
            }
            AppError::Forbidden => error_response(StatusCode::FORBIDDEN, "error.forbidden"),
            AppError::NotFound => error_response(StatusCode::NOT_FOUND, "error.not_found"),
            AppError::BadRequest(key) => error_response(StatusCode::BAD_REQUEST, key),
            AppError::Internal(detail) => {
                // The detail names the failing operation, never request data.
                tracing::error!(%detail, "internal error");
                error_response(StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
            }
        }
    }
}

/// Percent-encodes a string for use in a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only same-site paths are accepted as a place to return to after login.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/staff".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_kept_on_site() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("//evil.example")), "/staff");
        assert_eq!(safe_next(Some("https://evil.example")), "/staff");
        assert_eq!(safe_next(Some("/\\evil")), "/staff");
        assert_eq!(safe_next(None), "/staff");
        assert_eq!(urlencode("/a b?c=d"), "/a%20b%3Fc%3Dd");
    }
}
