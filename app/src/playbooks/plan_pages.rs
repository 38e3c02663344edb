//! Launch plan pages: the readiness summary, one playbook's items (editable by admins and
//! supervisors), saving an item, and the CSV export.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::catalog::Catalog;
use super::plan::{self, Entry, Plan, PlanPlaybook, Score, STATUSES};
use crate::auth::Permission;
use crate::error::AppError;
use crate::intake::console::{opts, Opt};
use crate::web::form::{form_pairs, one};
use crate::web::{num, pct, Ctx, Page};

/// A phase or playbook score as the pages show it.
pub struct Bar {
    pub label: String,
    pub percent: usize,
    pub text: String,
}

fn bar(ctx: &Ctx, label: String, s: Score) -> Bar {
    Bar {
        label,
        percent: s.percent(),
        text: crate::i18n::tr_with(
            &ctx.locale,
            "launch.score",
            &[
                ("done", &num(&ctx.locale, s.done)),
                ("total", &num(&ctx.locale, s.applicable)),
                ("percent", &pct(&ctx.locale, s.percent())),
            ],
        ),
    }
}

/// The plan as the reader sees it now.
pub async fn current_plan(ctx: &Ctx) -> Result<Plan, AppError> {
    let catalog = Catalog::load(Some(&ctx.state.dir));
    let entries = plan::entries(&ctx.state.db).await?;
    let mut plan = plan::build(&catalog, &ctx.locale, &entries, &crate::web::today(ctx));
    for item in plan.playbooks.iter_mut().flat_map(|p| p.items.iter_mut()) {
        item.due_shown = crate::web::show_iso_day(ctx, &item.due_on);
    }
    Ok(plan)
}

/// The readiness block on the staff home: overall and per phase.
pub struct Readiness {
    pub overall: Bar,
    pub phases: Vec<Bar>,
}

pub async fn readiness(ctx: &Ctx) -> Result<Readiness, AppError> {
    let plan = current_plan(ctx).await?;
    Ok(Readiness {
        overall: bar(ctx, ctx.t("launch.overall"), plan.overall),
        phases: plan
            .phases
            .iter()
            .map(|p| bar(ctx, ctx.t(&format!("playbook.phase.{}", p.phase)), p.score))
            .collect(),
    })
}

pub struct PlaybookRow {
    pub id: String,
    pub title: String,
    pub bar: Bar,
    pub overdue: usize,
}

pub struct PhaseBlock {
    pub bar: Bar,
    pub playbooks: Vec<PlaybookRow>,
}

pub struct OverdueItem {
    pub playbook: String,
    pub playbook_title: String,
    pub number: i64,
    pub text: String,
    pub owner: String,
    pub due_on: String,
    pub due_shown: String,
}

#[derive(Template)]
#[template(path = "playbooks/launch.html")]
struct SummaryPage {
    page: Page,
    overall: Bar,
    phases: Vec<PhaseBlock>,
    overdue: Vec<OverdueItem>,
    /// Saved items no playbook has any more (status already as a label).
    orphans: Vec<Entry>,
}

pub async fn summary(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::StaffHome)?;
    let plan = current_plan(&ctx).await?;
    let mut overdue = Vec::new();
    let phases = plan
        .phases
        .iter()
        .map(|ph| PhaseBlock {
            bar: bar(
                &ctx,
                ctx.t(&format!("playbook.phase.{}", ph.phase)),
                ph.score,
            ),
            playbooks: plan
                .playbooks
                .iter()
                .filter(|p| p.phase == ph.phase)
                .map(|p| PlaybookRow {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    bar: bar(&ctx, p.title.clone(), p.score),
                    overdue: p.overdue,
                })
                .collect(),
        })
        .filter(|b: &PhaseBlock| !b.playbooks.is_empty())
        .collect();
    for p in &plan.playbooks {
        for i in p.items.iter().filter(|i| i.overdue) {
            overdue.push(OverdueItem {
                playbook: p.id.clone(),
                playbook_title: p.title.clone(),
                number: i.number,
                text: i.text.clone(),
                owner: i.owner.clone(),
                due_on: i.due_on.clone(),
                due_shown: i.due_shown.clone(),
            });
        }
    }
    overdue.sort_by(|a, b| a.due_on.cmp(&b.due_on));
    let t = SummaryPage {
        page: Page::new(&ctx, &ctx.t("launch.title")),
        overall: bar(&ctx, ctx.t("launch.overall"), plan.overall),
        phases,
        overdue,
        orphans: plan
            .orphans
            .into_iter()
            .map(|mut o| {
                o.status = ctx.t(&format!("launch.status.{}", o.status));
                o
            })
            .collect(),
    };
    Ok(Html(t.render()?).into_response())
}

#[derive(Template)]
#[template(path = "playbooks/launch_playbook.html")]
struct PlaybookPage {
    page: Page,
    playbook: PlanPlaybook,
    bar: Bar,
    statuses: Vec<Opt>,
    can_edit: bool,
    error: Option<String>,
    /// The item whose form failed, so the page can scroll there.
    failed: i64,
}

async fn playbook_page(
    ctx: &Ctx,
    id: &str,
    failed: Option<(Entry, &'static str)>,
) -> Result<Response, AppError> {
    let plan = current_plan(ctx).await?;
    let mut playbook = plan
        .playbooks
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)?;
    let mut error = None;
    let mut failed_item = 0;
    let status = if let Some((e, key)) = failed {
        // Show what was typed, not what is stored.
        if let Some(i) = playbook.items.iter_mut().find(|i| i.number == e.item) {
            i.status = e.status;
            i.owner = e.owner;
            i.due_on = e.due_on.unwrap_or_default();
            i.notes = e.notes;
        }
        error = Some(ctx.t(key));
        failed_item = e.item;
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = PlaybookPage {
        page: Page::new(ctx, &playbook.title),
        bar: bar(ctx, playbook.title.clone(), playbook.score),
        playbook,
        statuses: opts(ctx, STATUSES, "launch.status"),
        can_edit: ctx.can(Permission::ManageLaunch),
        error,
        failed: failed_item,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn playbook(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    ctx.require(Permission::StaffHome)?;
    playbook_page(&ctx, &id, None).await
}

/// Checks a submitted item; the locale key of the problem if it is wrong.
fn check(e: &Entry) -> Result<(), &'static str> {
    if !STATUSES.contains(&e.status.as_str())
        || e.owner.chars().count() > 200
        || e.notes.chars().count() > 5_000
    {
        return Err("launch.error.item");
    }
    if let Some(d) = &e.due_on {
        if !crate::web::is_iso_date(d) {
            return Err("launch.error.due");
        }
    }
    Ok(())
}

pub async fn save_item(
    ctx: Ctx,
    Path((id, item)): Path<(String, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    ctx.require(Permission::ManageLaunch)?;
    let plan = current_plan(&ctx).await?;
    // The item as the reader sees it: its wording is kept with the status.
    let (item_text, item_locale) = plan
        .playbooks
        .iter()
        .find(|p| p.id == id)
        .and_then(|p| {
            usize::try_from(item - 1)
                .ok()
                .and_then(|i| p.items.get(i))
                .map(|i| (i.text.clone(), p.locale.clone()))
        })
        .ok_or(AppError::NotFound)?;
    let f = form_pairs(&body)?;
    let due = one(&f, "due_on");
    let e = Entry {
        playbook: id.clone(),
        item,
        status: one(&f, "status").to_string(),
        owner: one(&f, "owner").to_string(),
        due_on: (!due.is_empty()).then(|| due.to_string()),
        notes: one(&f, "notes").to_string(),
        item_text,
        item_locale,
    };
    if let Err(key) = check(&e) {
        return playbook_page(&ctx, &id, Some((e, key))).await;
    }
    plan::save(&ctx.state.db, &ctx.actor(), &e).await?;
    Ok(Redirect::to(&format!("/launch/{id}?notice=launch_saved#item-{item}")).into_response())
}

/// The whole plan as CSV, in the reader's language.
pub async fn csv(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::StaffHome)?;
    let plan = current_plan(&ctx).await?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let header: Vec<String> = [
        "launch.csv.phase",
        "launch.csv.playbook",
        "launch.csv.number",
        "launch.csv.item",
        "launch.csv.status",
        "launch.csv.owner",
        "launch.csv.due",
        "launch.csv.notes",
    ]
    .iter()
    .map(|k| ctx.t(k))
    .collect();
    let fail = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record(&header).map_err(fail)?;
    for p in &plan.playbooks {
        let phase = ctx.t(&format!("playbook.phase.{}", p.phase));
        for i in &p.items {
            w.write_record([
                spreadsheet_safe(&phase),
                spreadsheet_safe(&p.title),
                i.number.to_string(),
                spreadsheet_safe(&i.text),
                ctx.t(&format!("launch.status.{}", i.status)),
                spreadsheet_safe(&i.owner),
                i.due_on.clone(),
                spreadsheet_safe(&i.notes),
            ])
            .map_err(fail)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("launch-plan-{}.csv", crate::web::today(&ctx));
    Ok(crate::web::attachment(
        "text/csv; charset=utf-8",
        &name,
        bytes,
    ))
}

/// A cell a spreadsheet will not run as a formula.
fn spreadsheet_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}
