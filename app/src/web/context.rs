//! Per-request context: who is asking (session), in which language, from where; CSRF
//! verification of every state-changing request; and localized error pages.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::{cookie, Page};
use crate::audit::Actor;
use crate::auth::session::{self, Lookup};
use crate::auth::users::User;
use crate::auth::{allows, Permission};
use crate::crypto::random_token;
use crate::error::{message_for, AppError, ErrorPage};
use crate::i18n;
use crate::state::AppState;

/// The cookie that binds an anonymous visitor's form (the login form) to its CSRF token.
/// It is only set when such a form is shown, and lasts until the browser closes.
pub const PRE_COOKIE: &str = "hb_pre";
/// Paths that take state-changing requests without the cookie-bound CSRF token because they
/// authenticate in another way: provider signatures on webhooks, and the anonymous tip form's
/// own signed token (it must work without any cookie).
const CSRF_EXEMPT_PREFIXES: &[&str] = &["/webhooks/"];
const CSRF_EXEMPT_PATHS: &[&str] = &["/tip"];

/// What a handler knows about the request beyond its own input.
#[derive(Clone)]
pub struct Ctx {
    pub state: AppState,
    pub locale: String,
    /// `Some(locale)` when the visitor chose a language with `?lang=` (kept in public links).
    pub lang_param: Option<String>,
    pub user: Option<User>,
    pub session_expired: bool,
    pub ip: String,
    /// Path and query of this request.
    pub uri: String,
    binding: String,
    pre_new: bool,
    pre_used: Arc<AtomicBool>,
}

impl Ctx {
    pub fn t(&self, key: &str) -> String {
        i18n::tr(&self.locale, key)
    }

    /// The CSRF token to embed in a form.
    pub fn csrf(&self) -> String {
        self.pre_used.store(true, Ordering::Relaxed);
        self.state.keys.csrf_token(&self.binding)
    }

    /// Who is acting, for the audit trail.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.as_ref().map(|u| u.id),
            label: self
                .user
                .as_ref()
                .map_or_else(|| "anonymous".to_string(), |u| u.email.clone()),
            ip: Some(self.ip.clone()),
        }
    }

    /// The logged-in user if they hold `permission`; otherwise the login page or a refusal.
    pub fn require(&self, permission: Permission) -> Result<&User, AppError> {
        match &self.user {
            None => Err(AppError::LoginRequired {
                next: self.uri.clone(),
                expired: self.session_expired,
            }),
            Some(u) if allows(u.role, permission) => Ok(u),
            Some(_) => Err(AppError::Forbidden),
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| allows(u.role, permission))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

/// The client's address. Behind a trusted reverse proxy (one on this machine, or one listed
/// in `trusted_proxies`) the entry that proxy added to `X-Forwarded-For` (the right-most) is
/// used; a client cannot forge it, since the proxy appends what it saw.
fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>, trusted: &[String]) -> String {
    let peer_ip = peer.map(|p| p.ip());
    let from_proxy = peer_ip
        .is_none_or(|ip| ip.is_loopback() || trusted.iter().any(|t| t.parse::<IpAddr>() == Ok(ip)));
    if from_proxy {
        if let Some(fwd) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return fwd.to_string();
        }
    }
    peer_ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
}

fn lang_param(uri: &axum::http::Uri) -> Option<String> {
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "lang" && !v.is_empty() && v.len() <= 20).then(|| v.to_string())
    })
}

/// The context middleware (see the module documentation).
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ip = client_ip(&parts.headers, peer, &state.config.server.trusted_proxies);
    let cookies = cookie::parse(&parts.headers);
    let enabled = &state.config.hotline.locales;

    let mut user = None;
    let mut session_expired = false;
    let mut binding = None;
    if let Some(token) = cookies.get(session::COOKIE) {
        match session::lookup(&state.db, token, &state.config.sessions).await {
            Ok(Lookup::Active { user: u, .. }) => {
                user = Some(u);
                binding = Some(token.clone());
            }
            Ok(Lookup::Expired) => session_expired = true,
            Err(e) => {
                tracing::error!(error = %e.kind(), "session lookup failed");
                let accept = parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok());
                let locale = i18n::negotiate(None, None, accept, enabled);
                return plain_error(&state, &locale, StatusCode::SERVICE_UNAVAILABLE);
            }
        }
    }
    let (binding, pre_new) = match (binding, cookies.get(PRE_COOKIE)) {
        (Some(b), _) => (b, false),
        (None, Some(pre)) if pre.len() >= 32 => (pre.clone(), false),
        _ => (random_token(), true),
    };

    let lang = lang_param(&parts.uri).filter(|l| enabled.contains(l));
    let accept = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let locale = i18n::negotiate(
        user.as_ref().and_then(|u: &User| u.locale.as_deref()),
        lang.as_deref(),
        accept,
        enabled,
    );

    let ctx = Ctx {
        state: state.clone(),
        locale,
        lang_param: lang,
        user,
        session_expired,
        ip,
        uri: parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string()),
        binding,
        pre_new,
        pre_used: Arc::new(AtomicBool::new(false)),
    };

    // CSRF: every state-changing request carries a token bound to this browser.
    let state_changing = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let exempt = CSRF_EXEMPT_PREFIXES
        .iter()
        .any(|p| parts.uri.path().starts_with(p))
        || CSRF_EXEMPT_PATHS.contains(&parts.uri.path());
    let body = if state_changing && !exempt {
        let query_token = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|p| p.strip_prefix("_csrf=").map(str::to_string))
        });
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        // File uploads (multipart) carry the token in the form's action URL and are not
        // buffered here: their route sets its own size limit.
        let (submitted, body) = if multipart {
            (header_token.or(query_token), body)
        } else {
            let limit = state.config.server.body_limit_kib * 1024;
            let bytes = match axum::body::to_bytes(body, limit).await {
                Ok(b) => b,
                Err(_) => {
                    return error_page(&ctx, StatusCode::PAYLOAD_TOO_LARGE, "error.too_large")
                }
            };
            let token = header_token.or_else(|| csrf_field(&bytes)).or(query_token);
            (token, Body::from(bytes))
        };
        let valid =
            !ctx.pre_new && submitted.is_some_and(|t| state.keys.csrf_valid(&ctx.binding, &t));
        if !valid {
            let mut r = error_page(&ctx, StatusCode::FORBIDDEN, "error.csrf");
            finish(&ctx, &mut r);
            return r;
        }
        body
    } else {
        body
    };
    parts.extensions.insert(ctx.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(e) = response.extensions().get::<ErrorPage>().copied() {
        let status = response.status();
        response = error_page(&ctx, status, e.message_key);
    } else if response.status().is_client_error() || response.status().is_server_error() {
        let is_html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html {
            let status = response.status();
            response = error_page(&ctx, status, message_for(status));
        }
    }
    finish(&ctx, &mut response);
    response
}

/// Sets the cookies the request needs: the pre-session cookie when a form used it, and the
/// removal of a session cookie that expired.
fn finish(ctx: &Ctx, response: &mut Response) {
    let secure = ctx.state.config.served_over_tls();
    if secure {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if ctx.pre_new && ctx.pre_used.load(Ordering::Relaxed) {
        if let Ok(v) = HeaderValue::from_str(&cookie::build(PRE_COOKIE, &ctx.binding, secure, None))
        {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    let sets_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(session::COOKIE.as_bytes()));
    if ctx.session_expired && !sets_session {
        if let Ok(v) = HeaderValue::from_str(&cookie::clear(session::COOKIE, secure)) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// The `_csrf` field of a URL-encoded form body.
fn csrf_field(body: &Bytes) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Only {
        #[serde(rename = "_csrf")]
        csrf: Option<String>,
    }
    serde_urlencoded::from_bytes::<Only>(body).ok()?.csrf
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    page: Page,
    status: u16,
    message: String,
    login_link: bool,
}

/// The localized error page for `status`.
pub fn error_page(ctx: &Ctx, status: StatusCode, message_key: &str) -> Response {
    let title = ctx.t("error.title");
    let page = Page::new(ctx, &title);
    let t = ErrorTemplate {
        status: status.as_u16(),
        message: ctx.t(message_key),
        login_link: status == StatusCode::FORBIDDEN && ctx.user.is_none(),
        page,
    };
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            plain_error(&ctx.state, &ctx.locale, status)
        }
    }
}

/// The last resort, when the page itself cannot be made (the database does not answer, a
/// template failed): a bare page in the reader's language that still gives the emergency
/// number.
fn plain_error(state: &AppState, locale: &str, status: StatusCode) -> Response {
    let esc = super::xml_escape;
    let t = |key: &str| esc(&i18n::tr(locale, key));
    let emergency = i18n::tr_with(
        locale,
        "emergency.call",
        &[("number", &state.config.hotline.emergency_number)],
    );
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><h1>{title}</h1><p>{message}</p>\
         <p><strong>{emergency}</strong></p></body></html>\n",
        lang = esc(locale),
        dir = i18n::direction(locale),
        title = t("error.title"),
        message = t(message_for(status)),
        emergency = esc(&emergency),
    );
    (status, Html(html)).into_response()
}
