//! Roundtable pages: the year's meetings, and one meeting with its participants, notes, best
//! practices and actions.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::goals;
use super::pages::{local_day, org_id, org_options, year_of, YearQuery};
use super::roundtables::{self as rt, Roundtable, ACTION_STATUSES, CONFIDENTIALITY, SIDES};
use super::store;
use crate::auth::Permission;
use crate::error::AppError;
use crate::intake::console::{opts, Opt};
use crate::web::form::{form_pairs as pairs, one};
use crate::web::{show_day, Ctx, Page};

pub struct Row {
    pub id: i64,
    pub when: String,
    pub theme: String,
    pub host: String,
    pub confidentiality: String,
    pub participants: i64,
    pub open_actions: i64,
}

#[derive(Template)]
#[template(path = "outreach/roundtables.html")]
struct ListPage {
    page: Page,
    year: i32,
    rows: Vec<Row>,
    levels: Vec<Opt>,
    error: Option<String>,
}

async fn list_page(
    ctx: &Ctx,
    year: i32,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (from, to) = goals::year_bounds(year, &ctx.state.config.hotline.timezone);
    let rows = rt::list(&ctx.state.db, from, to)
        .await?
        .into_iter()
        .map(|r| Row {
            id: r.id,
            when: show_day(ctx, r.held_at),
            confidentiality: ctx.t(&format!("roundtable.level.{}", r.confidentiality)),
            theme: r.theme,
            host: r.host,
            participants: r.participants,
            open_actions: r.open_actions,
        })
        .collect();
    let t = ListPage {
        page: Page::new(ctx, &ctx.t("roundtable.title")),
        year,
        rows,
        levels: opts(ctx, CONFIDENTIALITY, "roundtable.level"),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn list(ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let year = year_of(&ctx, &q);
    list_page(&ctx, year, None, StatusCode::OK).await
}

pub async fn add(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let next = match one(&p, "next_meeting") {
        "" => Some(None),
        d => local_day(&ctx, d).map(Some),
    };
    let r = Roundtable {
        held_at: local_day(&ctx, one(&p, "date")).unwrap_or(0),
        theme: one(&p, "theme").into(),
        host: one(&p, "host").into(),
        confidentiality: one(&p, "confidentiality").into(),
        agenda: one(&p, "agenda").into(),
        next_meeting: next.flatten(),
        ..Roundtable::default()
    };
    let ok = r.held_at != 0
        && next.is_some()
        && !r.theme.is_empty()
        && r.theme.chars().count() <= 200
        && r.host.chars().count() <= 200
        && CONFIDENTIALITY.contains(&r.confidentiality.as_str())
        && r.agenda.chars().count() <= 5_000;
    if !ok {
        let msg = ctx.t("roundtable.error.meeting");
        let year = goals::current_year(&ctx.state.config.hotline.timezone);
        return list_page(&ctx, year, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let id = rt::add(&ctx.state.db, &ctx.actor(), &r).await?;
    Ok(Redirect::to(&format!("/roundtables/{id}?notice=roundtable_saved")).into_response())
}

pub struct ParticipantRow {
    pub organization: String,
    pub country: String,
    pub side: String,
}

pub struct ActionRow {
    pub id: i64,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
    pub status: String,
    pub status_label: String,
}

#[derive(Template)]
#[template(path = "outreach/roundtable.html")]
struct DetailPage {
    page: Page,
    id: i64,
    when: String,
    theme: String,
    host: String,
    confidentiality: String,
    agenda: String,
    notes: String,
    next_meeting: String,
    participants: Vec<ParticipantRow>,
    practices: Vec<rt::Practice>,
    actions: Vec<ActionRow>,
    orgs: Vec<Opt>,
    sides: Vec<Opt>,
    statuses: Vec<Opt>,
    publishable: bool,
    error: Option<String>,
}

async fn detail_page(
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let db = &ctx.state.db;
    let r = rt::get(db, id).await?.ok_or(AppError::NotFound)?;
    let today = crate::web::today(ctx);
    let participants = rt::participants(db, id)
        .await?
        .into_iter()
        .map(|p| ParticipantRow {
            side: ctx.t(&format!("roundtable.side.{}", p.side)),
            organization: p.organization,
            country: p.country,
        })
        .collect();
    let actions = rt::actions(db, id)
        .await?
        .into_iter()
        .map(|a| ActionRow {
            id: a.id,
            due: show_day(ctx, a.due_on),
            // Overdue once the due day is over, in the hotline's time zone.
            overdue: a.status == "open" && crate::web::format_day(ctx, a.due_on) < today,
            status_label: ctx.t(&format!("roundtable.status.{}", a.status)),
            status: a.status,
            description: a.description,
            owner: a.owner,
        })
        .collect();
    let t = DetailPage {
        page: Page::new(ctx, &r.theme),
        id,
        when: show_day(ctx, r.held_at),
        confidentiality: ctx.t(&format!("roundtable.level.{}", r.confidentiality)),
        next_meeting: r.next_meeting.map(|n| show_day(ctx, n)).unwrap_or_default(),
        theme: r.theme,
        host: r.host,
        agenda: r.agenda,
        notes: r.notes,
        participants,
        practices: rt::practices(db, id).await?,
        actions,
        orgs: org_options(&store::organizations(db).await?),
        sides: opts(ctx, SIDES, "roundtable.side"),
        statuses: opts(ctx, ACTION_STATUSES, "roundtable.status"),
        publishable: r.confidentiality != "restricted",
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    detail_page(&ctx, id, None, StatusCode::OK).await
}

/// Checks the roundtable exists and parses the form.
async fn prepare(ctx: &Ctx, id: i64, body: &Bytes) -> Result<Vec<(String, String)>, AppError> {
    ctx.require(Permission::Outreach)?;
    rt::get(&ctx.state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    pairs(body)
}

async fn refuse(ctx: &Ctx, id: i64, key: &str) -> Result<Response, AppError> {
    let msg = ctx.t(key);
    detail_page(ctx, id, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
}

fn saved(id: i64) -> Result<Response, AppError> {
    Ok(Redirect::to(&format!("/roundtables/{id}?notice=roundtable_saved")).into_response())
}

pub async fn notes(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = prepare(&ctx, id, &body).await?;
    let notes = one(&p, "notes");
    if notes.chars().count() > 20_000 {
        return refuse(&ctx, id, "roundtable.error.notes").await;
    }
    rt::set_notes(&ctx.state.db, &ctx.actor(), id, notes).await?;
    saved(id)
}

pub async fn participant(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = prepare(&ctx, id, &body).await?;
    let side = one(&p, "side");
    match org_id(&ctx, one(&p, "organization_id")).await? {
        Ok(Some(org)) if SIDES.contains(&side) => {
            rt::add_participant(&ctx.state.db, &ctx.actor(), id, org, side).await?;
            saved(id)
        }
        _ => refuse(&ctx, id, "roundtable.error.participant").await,
    }
}

pub async fn practice(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = prepare(&ctx, id, &body).await?;
    let (title, description) = (one(&p, "title"), one(&p, "description"));
    if title.is_empty() || title.chars().count() > 200 || description.chars().count() > 10_000 {
        return refuse(&ctx, id, "roundtable.error.practice").await;
    }
    rt::add_practice(&ctx.state.db, &ctx.actor(), id, title, description).await?;
    saved(id)
}

pub async fn action(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = prepare(&ctx, id, &body).await?;
    let (description, owner) = (one(&p, "description"), one(&p, "owner"));
    let due = local_day(&ctx, one(&p, "due"));
    match due {
        Some(due)
            if !description.is_empty()
                && description.chars().count() <= 1_000
                && !owner.is_empty()
                && owner.chars().count() <= 200 =>
        {
            rt::add_action(&ctx.state.db, &ctx.actor(), id, description, owner, due).await?;
            saved(id)
        }
        _ => refuse(&ctx, id, "roundtable.error.action").await,
    }
}

pub async fn action_status(
    ctx: Ctx,
    Path((id, action_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = prepare(&ctx, id, &body).await?;
    let status = one(&p, "status");
    if !ACTION_STATUSES.contains(&status) {
        return Err(AppError::BadRequest("error.bad_request"));
    }
    if !rt::set_action_status(&ctx.state.db, &ctx.actor(), id, action_id, status).await? {
        return Err(AppError::NotFound);
    }
    saved(id)
}
