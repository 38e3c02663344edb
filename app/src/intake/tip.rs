//! The public online tip form: anonymous by default, no cookies and no tracking, with spam
//! defences that never ask a frightened person to solve a puzzle: a rate limit per address,
//! a hidden honeypot field, and a minimum time to fill the form (a signed timestamp).

use askama::Template;
use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::console::{regions, Opt};
use super::store::{self, NewContact};
use crate::audit::Actor;
use crate::db::now;
use crate::error::AppError;
use crate::settings;
use crate::web::{Ctx, Page};

/// Fewer seconds than this between showing and sending the form is a robot.
const MIN_FILL_SECONDS: i64 = 3;
/// A form older than this has expired.
const MAX_FORM_AGE: i64 = 4 * 3600;
/// Tips accepted per address per hour.
const PER_HOUR: i64 = 5;

#[derive(Template)]
#[template(path = "intake/tip.html")]
struct TipPage {
    page: Page,
    token: String,
    regions: Vec<Opt>,
    form: TipForm,
    error: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct TipForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    safe_contact: String,
    /// The honeypot: hidden from people, filled in by robots.
    #[serde(default)]
    website: String,
}

fn token(ctx: &Ctx) -> String {
    let t = now();
    format!("{t}.{}", ctx.state.keys.csrf_token(&format!("tip:{t}")))
}

/// How old a form token is, if it is genuine.
fn token_age(ctx: &Ctx, token: &str) -> Option<i64> {
    let (t, mac) = token.split_once('.')?;
    let issued: i64 = t.parse().ok()?;
    ctx.state
        .keys
        .csrf_valid(&format!("tip:{issued}"), mac)
        .then(|| now() - issued)
}

async fn render(
    ctx: &Ctx,
    form: TipForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ops = settings::load(&ctx.state.db).await?;
    let t = TipPage {
        page: Page::new(ctx, &ctx.t("tip.title")),
        token: token(ctx),
        regions: regions(ctx, &ops),
        form,
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn form(ctx: Ctx) -> Result<Response, AppError> {
    render(&ctx, TipForm::default(), None, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "intake/tip_thanks.html")]
struct Thanks {
    page: Page,
    reference: String,
}

pub async fn submit(ctx: Ctx, Form(f): Form<TipForm>) -> Result<Response, AppError> {
    let age = token_age(&ctx, &f.token);
    match age {
        None => {
            return render(
                &ctx,
                f,
                Some(ctx.t("tip.error.expired")),
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        Some(a) if a > MAX_FORM_AGE => {
            return render(
                &ctx,
                f,
                Some(ctx.t("tip.error.expired")),
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        Some(a) if a < MIN_FILL_SECONDS => {
            return render(
                &ctx,
                f,
                Some(ctx.t("tip.error.too_fast")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Some(_) => {}
    }
    let db = &ctx.state.db;
    let ip_hash = ctx.state.keys.index.index("tip_ip", &ctx.ip);
    let recent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tip_submissions WHERE ip_hash = $1 AND at > $2")
            .bind(&ip_hash)
            .bind(now() - 3600)
            .fetch_one(&db.pool)
            .await?;
    if recent >= PER_HOUR {
        return render(
            &ctx,
            f,
            Some(ctx.t("tip.error.too_many")),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    if f.what.trim().is_empty() || f.what.chars().count() > 10_000 {
        return render(
            &ctx,
            f,
            Some(ctx.t("tip.error.what")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let ops = settings::load(db).await?;
    let region = Some(f.region.trim().to_string()).filter(|r| !r.is_empty());
    if let Some(r) = &region {
        if !regions(&ctx, &ops).iter().any(|o| &o.code == r) {
            return render(
                &ctx,
                f,
                Some(ctx.t("contact.error.choice")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    }
    if !f.phone.trim().is_empty() && crate::config::validate_phone(&f.phone, false).is_err() {
        return render(
            &ctx,
            f,
            Some(ctx.t("contact.error.phone")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if !f.email.trim().is_empty() && crate::auth::users::check_email(&f.email).is_err() {
        return render(
            &ctx,
            f,
            Some(ctx.t("contact.error.email")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    sqlx::query("INSERT INTO tip_submissions (ip_hash, at) VALUES ($1, $2)")
        .bind(&ip_hash)
        .bind(now())
        .execute(&db.pool)
        .await?;
    if !f.website.is_empty() {
        // A robot: thank it like a person, keep nothing.
        let t = Thanks {
            page: Page::new(&ctx, &ctx.t("tip.thanks_title")),
            reference: store::new_reference(),
        };
        return Ok(Html(t.render()?).into_response());
    }
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let anonymous =
        f.name.trim().is_empty() && f.phone.trim().is_empty() && f.email.trim().is_empty();
    let (id, _) = store::create(
        db,
        &ctx.state.keys,
        &Actor {
            user_id: None,
            label: "tip form".into(),
            ip: None,
        },
        NewContact {
            channel: "web_form".into(),
            status: "queued".into(),
            started_at: now(),
            language: Some(ctx.locale.clone()),
            contact_type: Some("tip".into()),
            region,
            anonymous,
            consent_follow_up: f.consent.is_some() && !anonymous,
            name: opt(&f.name),
            phone: opt(&f.phone),
            email: opt(&f.email),
            narrative: opt(&f.what),
            safe_contact: opt(&f.safe_contact),
            ..NewContact::default()
        },
    )
    .await?;
    let reference = store::get(db, &ctx.state.keys, id)
        .await?
        .map(|c| c.reference)
        .unwrap_or_default();
    let t = Thanks {
        page: Page::new(&ctx, &ctx.t("tip.thanks_title")),
        reference,
    };
    Ok(Html(t.render()?).into_response())
}
