//! The web layer: the router, shared layout data, static assets, cookies and security headers.

pub mod context;
pub mod form;
mod pages;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use context::Ctx;

use crate::auth::Permission;
use crate::i18n;
use crate::state::AppState;

/// One entry of the language switcher.
pub struct LocaleLink {
    pub code: String,
    pub name: String,
    pub current: bool,
}

/// A number of things, as templates have them (owned or borrowed, signed or not).
pub trait Count {
    fn count(&self) -> u64;
}

impl Count for usize {
    fn count(&self) -> u64 {
        *self as u64
    }
}

impl Count for i64 {
    fn count(&self) -> u64 {
        u64::try_from(*self).unwrap_or(0)
    }
}

impl<T: Count> Count for &T {
    fn count(&self) -> u64 {
        (**self).count()
    }
}

/// Everything the shared layout (`base.html`) shows.
pub struct Page {
    pub locale: String,
    pub dir: &'static str,
    pub title: String,
    pub hotline_name: String,
    pub emergency_number: String,
    pub demo: bool,
    pub quick_exit_url: String,
    /// The enabled locales, for the language switcher.
    pub locales: Vec<LocaleLink>,
    /// `?lang=xx` to keep a visitor's chosen language in public links, else empty.
    pub lang_query: String,
    pub user_name: Option<String>,
    pub user_role: String,
    pub can_manage_users: bool,
    pub can_view_audit: bool,
    pub can_take_contacts: bool,
    pub can_view_contacts: bool,
    pub can_manage_settings: bool,
    pub can_manage_roster: bool,
    pub gets_crisis_alerts: bool,
    pub can_work_cases: bool,
    pub can_outreach: bool,
    pub can_view_goals: bool,
    /// A notice to show once (a locale key under `notice.`), from `?notice=`.
    pub notice: Option<String>,
    /// The current path, for the language switcher to come back to.
    pub here: String,
    ctx: Ctx,
}

impl Page {
    pub fn new(ctx: &Ctx, title: &str) -> Page {
        let cfg = &ctx.state.config;
        let notice = ctx
            .uri
            .split_once('?')
            .and_then(|(_, q)| {
                q.split('&')
                    .find_map(|p| p.strip_prefix("notice=").map(str::to_string))
            })
            .map(|n| format!("notice.{n}"))
            .filter(|k| i18n::has_key(k))
            .map(|k| ctx.t(&k));
        Page {
            locale: ctx.locale.clone(),
            dir: i18n::direction(&ctx.locale),
            title: title.to_string(),
            hotline_name: cfg.hotline.name.clone(),
            emergency_number: cfg.hotline.emergency_number.clone(),
            demo: cfg.hotline.demo,
            quick_exit_url: cfg.hotline.quick_exit_url.clone(),
            locales: cfg
                .hotline
                .locales
                .iter()
                .map(|l| LocaleLink {
                    code: l.clone(),
                    name: i18n::native_name(l),
                    current: *l == ctx.locale,
                })
                .collect(),
            lang_query: ctx
                .lang_param
                .as_ref()
                .map(|l| format!("?lang={l}"))
                .unwrap_or_default(),
            user_name: ctx.user.as_ref().map(|u| u.display_name.clone()),
            user_role: ctx
                .user
                .as_ref()
                .map(|u| ctx.t(&u.role.label_key()))
                .unwrap_or_default(),
            can_manage_users: ctx.can(Permission::ManageUsers),
            can_view_audit: ctx.can(Permission::ViewAudit),
            can_take_contacts: ctx.can(Permission::EditContacts),
            can_view_contacts: ctx.can(Permission::ViewContacts),
            can_manage_settings: ctx.can(Permission::ManageSettings),
            can_manage_roster: ctx.can(Permission::ManageRoster),
            gets_crisis_alerts: ctx.can(Permission::ReceiveCrisisAlerts),
            can_work_cases: ctx.can(Permission::WorkCases),
            can_outreach: ctx.can(Permission::Outreach),
            can_view_goals: ctx.can(Permission::ViewGoals),
            notice,
            here: ctx.uri.split('?').next().unwrap_or("/").to_string(),
            ctx: ctx.clone(),
        }
    }

    /// Translates `key` into the page's language.
    pub fn t(&self, key: &str) -> String {
        i18n::tr(&self.locale, key)
    }

    /// Translates `key`, filling the placeholder `name` with `value`.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        i18n::tr_with(&self.locale, key, &[(name, value)])
    }

    /// A number as this language writes it (`1,234`, `1.234`, `1 234`).
    pub fn num(&self, n: impl Count) -> String {
        num(&self.locale, n)
    }

    /// Items listed as this language lists them (`a, b`; `a、b`).
    pub fn list(&self, items: &[String]) -> String {
        i18n::join_list(&self.locale, items)
    }

    /// A percentage as this language writes it (`42%`, `42 %`).
    pub fn pct(&self, n: impl Count) -> String {
        pct(&self.locale, n)
    }

    /// A text that counts `n` things, in the plural form `n` takes in this language.
    pub fn tn(&self, key: &str, n: impl Count) -> String {
        i18n::tr_count(&self.locale, key, n.count(), &[])
    }

    /// The CSRF token for a form on this page.
    pub fn csrf(&self) -> String {
        self.ctx.csrf()
    }

    /// "In immediate danger, call …" in the page's language.
    pub fn emergency_line(&self) -> String {
        self.with_emergency_number("emergency.call")
    }

    /// Translates `key`, filling `%{number}` with the deployment's emergency number.
    pub fn with_emergency_number(&self, key: &str) -> String {
        self.t1(key, "number", &self.emergency_number)
    }

    pub fn logged_in(&self) -> bool {
        self.user_name.is_some()
    }
}

/// The hotline's time zone (checked when the configuration is loaded; UTC otherwise).
fn zone(ctx: &Ctx) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&ctx.state.config.hotline.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A file to save: `body` of `content_type`, named `name` (the name percent-encoded per
/// RFC 5987 beside a plain ASCII fallback).
pub fn attachment(
    content_type: &str,
    name: &str,
    body: impl axum::response::IntoResponse,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        body,
    )
        .into_response()
}

/// Escapes text for XML and HTML (TwiML, the bare error page).
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// A number as `locale` writes it (`1,234`, `1.234`, `1 234`).
pub fn num(locale: &str, n: impl Count) -> String {
    i18n::format_number(locale, i64::try_from(n.count()).unwrap_or(i64::MAX))
}

/// A percentage as `locale` writes it (`42%`, `42 %`).
pub fn pct(locale: &str, n: impl Count) -> String {
    i18n::format_percent(locale, i64::try_from(n.count()).unwrap_or(i64::MAX))
}

/// A Unix time in the deployment's time zone, `YYYY-MM-DD HH:MM`.
pub fn format_time(ctx: &Ctx, unix: i64) -> String {
    let tz = zone(ctx);
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// True for a calendar date written exactly `YYYY-MM-DD` (what a date field sends).
pub fn is_iso_date(s: &str) -> bool {
    s.parse::<jiff::civil::Date>()
        .is_ok_and(|d| d.to_string() == s)
}

/// A moment as the reader's language writes it ("Nov 29, 2026, 2:05 PM"), in the hotline's
/// time zone. For display only: forms and comparisons use [`format_time`].
pub fn show_time(ctx: &Ctx, unix: i64) -> String {
    let tz = zone(ctx);
    jiff::Timestamp::from_second(unix)
        .map(|t| i18n::dates::day_time(&ctx.locale, t.to_zoned(tz).datetime()))
        .unwrap_or_default()
}

/// The day of a moment as the reader's language writes it ("Nov 29, 2026"). For display
/// only: forms and comparisons use [`format_day`].
pub fn show_day(ctx: &Ctx, unix: i64) -> String {
    let tz = zone(ctx);
    jiff::Timestamp::from_second(unix)
        .map(|t| i18n::dates::day(&ctx.locale, t.to_zoned(tz).date()))
        .unwrap_or_default()
}

/// A stored `YYYY-MM-DD` date as the reader's language writes it (as given if it is not a
/// date). For display only.
pub fn show_iso_day(ctx: &Ctx, date: &str) -> String {
    i18n::dates::iso_day(&ctx.locale, date)
}

/// Today's date (`YYYY-MM-DD`) in the hotline's time zone.
pub fn today(ctx: &Ctx) -> String {
    format_day(ctx, jiff::Timestamp::now().as_second())
}

/// The day of a Unix time in the deployment's time zone, `YYYY-MM-DD`.
pub fn format_day(ctx: &Ctx, unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.to_zoned(zone(ctx)).date().to_string())
        .unwrap_or_default()
}

/// A `YYYY-MM-DD` date, `plus_days` later, at `time` in the deployment's time zone, as a
/// Unix time; `None` for a date that is not one.
pub fn local_timestamp(
    ctx: &Ctx,
    date: &str,
    plus_days: i64,
    time: jiff::civil::Time,
) -> Option<i64> {
    let d: jiff::civil::Date = date.trim().parse().ok()?;
    let d = d.checked_add(jiff::Span::new().days(plus_days)).ok()?;
    let tz = zone(ctx);
    d.to_datetime(time)
        .to_zoned(tz)
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// A duration in seconds as `M:SS` (or `H:MM:SS`).
pub fn format_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Cookie helpers (the few cookies this app sets are built here, all `HttpOnly`).
pub mod cookie {
    use std::collections::HashMap;

    use axum::http::{header, HeaderMap};

    pub fn parse(headers: &HeaderMap) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for v in headers.get_all(header::COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            for pair in s.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=') {
                    out.entry(k.to_string()).or_insert_with(|| v.to_string());
                }
            }
        }
        out
    }

    /// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, whole site, `Secure` over TLS.
    pub fn build(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if secure {
            c.push_str("; Secure");
        }
        if let Some(a) = max_age {
            c.push_str(&format!("; Max-Age={a}"));
        }
        c
    }

    pub fn clear(name: &str, secure: bool) -> String {
        build(name, "", secure, Some(0))
    }
}

const STYLE_CSS: &str = include_str!("../../static/style.css");
const APP_JS: &str = include_str!("../../static/app.js");

async fn style_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE_CSS,
    )
}

async fn app_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_JS,
    )
}

async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "ok")
}

async fn readyz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    if state.db.ping().await {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            "ready",
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            "database unreachable",
        )
    }
}

fn static_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.server.body_limit_kib * 1024;
    let app = Router::new()
        .merge(pages::routes())
        .merge(crate::auth::routes::routes())
        .merge(crate::admin::routes())
        .merge(crate::intake::routes())
        .merge(crate::cases::routes())
        .merge(crate::directory::routes())
        .merge(crate::outreach::routes())
        .merge(crate::library::routes())
        .merge(crate::playbooks::routes())
        .route("/static/style.css", get(style_css))
        .route("/static/app.js", get(app_js))
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::new())
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            context::middleware,
        ));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(app)
        // No response compression: pages carry CSRF tokens next to reflected input, and
        // compressing both over TLS would expose the tokens to BREACH-style guessing.
        .layer(static_header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        .layer(static_header("x-content-type-options", "nosniff"))
        .layer(static_header("x-frame-options", "DENY"))
        .layer(static_header("referrer-policy", "no-referrer"))
        .layer(static_header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
        // Pages about people in danger are never cached by the browser or a proxy.
        .layer(static_header("cache-control", "no-store"))
        // Spans carry only the method: paths and queries may hold identifiers.
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<_>| tracing::info_span!("request", method = %req.method()),
        ))
        .with_state(state)
}
