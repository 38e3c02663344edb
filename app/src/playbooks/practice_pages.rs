//! Practice call pages: the scenarios, a scenario's script for the trainer, starting a
//! practice call (a real contact in the console, sandbox only), and the score.

use askama::Template;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::practice::{self, FieldScore, Scenario};
use crate::auth::Permission;
use crate::error::AppError;
use crate::i18n;
use crate::intake::store as contacts;
use crate::web::{show_time, Ctx, Page};

/// Trainers and supervisors see the scripts and everyone's attempts.
fn is_trainer(ctx: &Ctx) -> bool {
    ctx.can(Permission::Outreach) || ctx.can(Permission::SuperviseCases)
}

pub struct AttemptRow {
    pub id: i64,
    pub title: String,
    pub trainee: String,
    pub started: String,
    pub result: String,
}

#[derive(Template)]
#[template(path = "playbooks/practice.html")]
struct ListPage {
    page: Page,
    sandbox: bool,
    trainer: bool,
    can_take: bool,
    scenarios: Vec<&'static Scenario>,
    attempts: Vec<AttemptRow>,
}

pub async fn list(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::StaffHome)?;
    let trainer = is_trainer(&ctx);
    let can_take = ctx.can(Permission::EditContacts);
    if !trainer && !can_take {
        return Err(AppError::Forbidden);
    }
    let mine = ctx.user.as_ref().map(|u| u.id);
    let attempts = practice::attempts(&ctx.state.db, if trainer { None } else { mine })
        .await?
        .into_iter()
        .map(|a| AttemptRow {
            id: a.id,
            title: practice::get(&a.scenario, &ctx.locale)
                .map(|s| s.title.clone())
                .unwrap_or(a.scenario),
            trainee: a.trainee,
            started: show_time(&ctx, a.started_at),
            result: match a.result {
                Some((c, t)) => i18n::tr_with(
                    &ctx.locale,
                    "practice.result",
                    &[
                        ("correct", &crate::web::num(&ctx.locale, c)),
                        ("total", &crate::web::num(&ctx.locale, t)),
                    ],
                ),
                None => ctx.t("practice.unfinished"),
            },
        })
        .collect();
    let t = ListPage {
        page: Page::new(&ctx, &ctx.t("practice.title")),
        sandbox: ctx.state.config.hotline.demo,
        trainer,
        can_take,
        scenarios: practice::list(&ctx.locale),
        attempts,
    };
    Ok(Html(t.render()?).into_response())
}

/// One expected value with its label, for the trainer's script.
pub struct ExpectedRow {
    pub field: String,
    pub value: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "playbooks/practice_script.html")]
struct ScriptPage {
    page: Page,
    s: &'static Scenario,
    expected: Vec<ExpectedRow>,
    /// `(id, title)` of the playbooks the scenario practises.
    related: Vec<(String, String)>,
    sandbox: bool,
    can_take: bool,
}

/// The labels of a scenario's expected record, as a field-by-field table.
fn expected_rows(ctx: &Ctx, s: &Scenario) -> Vec<ExpectedRow> {
    // Scoring an empty record gives each expected value with its label.
    let blank = contacts::Contact::default();
    practice::score(s, &blank, &ctx.locale)
        .into_iter()
        .map(|f| ExpectedRow {
            field: ctx.t(&format!("practice.field.{}", f.field)),
            value: f.expected,
            reason: f.reason,
        })
        .collect()
}

pub async fn script(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    ctx.require(Permission::StaffHome)?;
    if !is_trainer(&ctx) {
        return Err(AppError::Forbidden);
    }
    let s = practice::get(&id, &ctx.locale).ok_or(AppError::NotFound)?;
    let catalog = super::pages::catalog(&ctx);
    let t = ScriptPage {
        page: Page::new(&ctx, &s.title),
        expected: expected_rows(&ctx, s),
        related: catalog.titles(&s.related, &s.locale),
        sandbox: ctx.state.config.hotline.demo,
        can_take: ctx.can(Permission::EditContacts),
        s,
    };
    Ok(Html(t.render()?).into_response())
}

/// Starts a practice call: a new contact in the real console, linked to the scenario.
pub async fn start(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let user = ctx.require(Permission::EditContacts)?.clone();
    if !ctx.state.config.hotline.demo {
        return Err(AppError::BadRequest("practice.sandbox_only"));
    }
    let s = practice::get(&id, &ctx.locale).ok_or(AppError::NotFound)?;
    let contact = practice::start(&ctx.state.db, &ctx.state.keys, &ctx.actor(), s, user.id).await?;
    Ok(Redirect::to(&format!("/contacts/{contact}/edit?notice=practice_started")).into_response())
}

#[derive(Template)]
#[template(path = "playbooks/practice_score.html")]
struct ScorePage {
    page: Page,
    attempt_id: i64,
    title: String,
    trainee: String,
    contact_id: i64,
    scores: Vec<FieldScore>,
    labels: Vec<String>,
    correct: usize,
    total: usize,
    finished: bool,
    /// The score recorded when the trainee finished, if they did.
    recorded: String,
    can_open_contact: bool,
    /// The trainee themselves (only they finish).
    own: bool,
}

async fn attempt_for(ctx: &Ctx, id: i64) -> Result<practice::Attempt, AppError> {
    let user = ctx.require(Permission::StaffHome)?;
    let a = practice::get_attempt(&ctx.state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.trainee_id != user.id && !is_trainer(ctx) {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

/// The trainee's record compared with the scenario, field by field.
pub async fn result(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let a = attempt_for(&ctx, id).await?;
    let s = practice::get(&a.scenario, &a.locale).ok_or(AppError::NotFound)?;
    let c = contacts::get(&ctx.state.db, &ctx.state.keys, a.contact_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scores = practice::score(s, &c, &ctx.locale);
    let correct = scores.iter().filter(|f| f.correct).count();
    let t = ScorePage {
        page: Page::new(&ctx, &s.title),
        attempt_id: a.id,
        title: s.title.clone(),
        trainee: a.trainee,
        contact_id: a.contact_id,
        labels: scores
            .iter()
            .map(|f| ctx.t(&format!("practice.field.{}", f.field)))
            .collect(),
        total: scores.len(),
        correct,
        scores,
        finished: a.result.is_some(),
        recorded: a
            .result
            .map(|(c, t)| {
                i18n::tr_with(
                    &ctx.locale,
                    "practice.result_recorded",
                    &[
                        ("correct", &crate::web::num(&ctx.locale, c)),
                        ("total", &crate::web::num(&ctx.locale, t)),
                    ],
                )
            })
            .unwrap_or_default(),
        can_open_contact: ctx.can(Permission::EditContacts),
        own: ctx.user.as_ref().map(|u| u.id) == Some(a.trainee_id),
    };
    Ok(Html(t.render()?).into_response())
}

/// Records the score as it stands (the trainee says they are done).
pub async fn finish(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let a = attempt_for(&ctx, id).await?;
    // Only the trainee says when they are done.
    if ctx.user.as_ref().map(|u| u.id) != Some(a.trainee_id) {
        return Err(AppError::Forbidden);
    }
    let s = practice::get(&a.scenario, &a.locale).ok_or(AppError::NotFound)?;
    let c = contacts::get(&ctx.state.db, &ctx.state.keys, a.contact_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scores = practice::score(s, &c, &ctx.locale);
    let correct = scores.iter().filter(|f| f.correct).count() as i64;
    practice::finish(
        &ctx.state.db,
        &ctx.actor(),
        a.id,
        correct,
        scores.len() as i64,
    )
    .await?;
    Ok(Redirect::to(&format!("/practice/attempts/{id}?notice=practice_scored")).into_response())
}
