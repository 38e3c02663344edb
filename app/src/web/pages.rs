//! The public home, the staff home and the language switcher.

use askama::Template;
use axum::extract::Form;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{Ctx, Page};
use crate::auth::{users, Permission};
use crate::error::{safe_next, AppError};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public_home))
        .route("/staff", get(staff_home))
        .route("/language", post(switch_language))
}

#[derive(Template)]
#[template(path = "public/home.html")]
struct PublicHome {
    page: Page,
    phone_number: String,
    sms_number: String,
}

async fn public_home(ctx: Ctx) -> Result<Html<String>, AppError> {
    let cfg = &ctx.state.config.hotline;
    let ops = crate::settings::load(&ctx.state.db).await?;
    let t = PublicHome {
        page: Page::new(&ctx, &cfg.name),
        phone_number: ops.phone_number,
        sms_number: ops.sms_number,
    };
    Ok(Html(t.render()?))
}

/// An unseen crisis alert, on the staff home of a supervisor (it works without JavaScript).
struct AlertRow {
    id: i64,
    contact_id: i64,
    text: String,
}

#[derive(Template)]
#[template(path = "staff/home.html")]
struct StaffHome {
    page: Page,
    role_description: String,
    alerts: Vec<AlertRow>,
    queued: i64,
    overdue: Vec<OverdueRow>,
    readiness: crate::playbooks::plan_pages::Readiness,
}

/// An open case task past its due date.
struct OverdueRow {
    case_id: i64,
    case_number: String,
    title: String,
    due: String,
}

async fn staff_home(ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.require(Permission::StaffHome)?;
    let db = &ctx.state.db;
    let role_description = ctx.t(&format!("role_description.{}", user.role.as_str()));
    let alerts = if ctx.can(Permission::ReceiveCrisisAlerts) {
        crate::intake::alerts::pending(db, user.id, 0)
            .await?
            .into_iter()
            .map(|p| AlertRow {
                id: p.id,
                contact_id: p.contact_id,
                text: crate::i18n::tr_with(
                    &ctx.locale,
                    "crisis.notice",
                    &[("reference", &p.reference), ("advocate", &p.raised_by)],
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let queued: i64 = if ctx.can(Permission::EditContacts) {
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE status = 'queued'")
            .fetch_one(&db.pool)
            .await?
    } else {
        0
    };
    let overdue = if ctx.can(Permission::WorkCases) {
        crate::cases::store::overdue_for(db, &ctx.state.keys, user)
            .await?
            .into_iter()
            .map(|t| OverdueRow {
                case_id: t.case_id,
                case_number: t.case_number,
                title: t.title,
                due: crate::web::show_time(&ctx, t.due_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    let t = StaffHome {
        page: Page::new(&ctx, &ctx.t("staff.title")),
        role_description,
        alerts,
        queued,
        overdue,
        readiness: crate::playbooks::plan_pages::readiness(&ctx).await?,
    };
    Ok(Html(t.render()?))
}

#[derive(Deserialize)]
struct LanguageForm {
    locale: String,
    next: Option<String>,
}

/// Saves a logged-in user's language. (Visitors switch with `?lang=` links instead, which
/// leave no cookie behind on a shared device.)
async fn switch_language(ctx: Ctx, Form(form): Form<LanguageForm>) -> Result<Response, AppError> {
    if !ctx.state.config.hotline.locales.contains(&form.locale) {
        return Err(AppError::BadRequest("error.bad_request"));
    }
    let next = safe_next(form.next.as_deref());
    match &ctx.user {
        Some(u) => {
            users::set_locale(&ctx.state.db, u.id, &form.locale).await?;
            Ok(Redirect::to(&next).into_response())
        }
        None => {
            let sep = if next.contains('?') { '&' } else { '?' };
            Ok((
                [(header::LOCATION, format!("{next}{sep}lang={}", form.locale))],
                axum::http::StatusCode::SEE_OTHER,
            )
                .into_response())
        }
    }
}
