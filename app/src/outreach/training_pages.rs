//! Training pages: the events of a year, one event with its registrants and attendance, and
//! the curriculum modules.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::goals;
use super::pages::{org_id, org_options, year_of, YearQuery};
use super::quiz;
use super::store::{self, SECTORS};
use super::training::{self, Registered, TrainingEvent, MODES, TIERS};
use crate::auth::Permission;
use crate::error::AppError;
use crate::intake::console::{opts, Opt};
use crate::web::form::{form_pairs as pairs, one};
use crate::web::{show_time, Ctx, Page};

fn module_options(ctx: &Ctx, modules: &[training::Module]) -> Vec<Opt> {
    modules
        .iter()
        .map(|m| Opt {
            code: m.code.clone(),
            label: if m.label.is_empty() {
                ctx.t(&format!("training.module.{}", m.code))
            } else {
                m.label.clone()
            },
        })
        .collect()
}

/// The names of an event's modules, in the list's order, comma-separated.
async fn module_names(ctx: &Ctx, codes: &[String]) -> Result<String, AppError> {
    let labels = module_options(ctx, &training::modules(&ctx.state.db).await?);
    Ok(crate::i18n::join_list(
        &ctx.locale,
        codes
            .iter()
            .filter_map(|c| labels.iter().find(|o| &o.code == c).map(|o| &o.label)),
    ))
}

pub struct EventRow {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub tier: String,
    pub mode: String,
    pub registered: i64,
    pub attended: i64,
}

#[derive(Template)]
#[template(path = "outreach/training.html")]
struct TrainingList {
    page: Page,
    year: i32,
    rows: Vec<EventRow>,
    tiers: Vec<Opt>,
    modes: Vec<Opt>,
    sectors: Vec<Opt>,
    modules: Vec<Opt>,
    error: Option<String>,
}

async fn list_page(
    ctx: &Ctx,
    year: i32,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (from, to) = goals::year_bounds(year, &ctx.state.config.hotline.timezone);
    let rows = training::events(&ctx.state.db, from, to)
        .await?
        .into_iter()
        .map(|e| EventRow {
            id: e.id,
            when: show_time(ctx, e.starts_at),
            tier: ctx.t(&format!("training.tier.{}", e.tier)),
            mode: ctx.t(&format!("training.mode.{}", e.mode)),
            title: e.title,
            registered: e.registered,
            attended: e.attended,
        })
        .collect();
    let t = TrainingList {
        page: Page::new(ctx, &ctx.t("training.title")),
        year,
        rows,
        tiers: opts(ctx, TIERS, "training.tier"),
        modes: opts(ctx, MODES, "training.mode"),
        sectors: opts(ctx, SECTORS, "outreach.sector"),
        modules: module_options(ctx, &training::modules(&ctx.state.db).await?),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn list(ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let year = year_of(&ctx, &q);
    list_page(&ctx, year, None, StatusCode::OK).await
}

/// `date` (YYYY-MM-DD) at `time` (HH:MM) in the hotline's time zone.
fn local_time(ctx: &Ctx, date: &str, time: &str) -> Option<i64> {
    let t: jiff::civil::Time = match time.trim() {
        "" => jiff::civil::Time::midnight(),
        s => s.parse().ok()?,
    };
    crate::web::local_timestamp(ctx, date, 0, t)
}

pub async fn add_event(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let known = training::modules(&ctx.state.db).await?;
    let modules: Vec<String> = p
        .iter()
        .filter(|(k, v)| k == "modules" && known.iter().any(|m| &m.code == v))
        .map(|(_, v)| v.clone())
        .collect();
    let e = TrainingEvent {
        title: one(&p, "title").into(),
        tier: one(&p, "tier").into(),
        sector: one(&p, "sector").into(),
        mode: one(&p, "mode").into(),
        starts_at: local_time(&ctx, one(&p, "date"), one(&p, "time")).unwrap_or(0),
        place: one(&p, "place").into(),
        trainers: one(&p, "trainers").into(),
        modules,
        ..TrainingEvent::default()
    };
    let ok = !e.title.is_empty()
        && e.title.chars().count() <= 200
        && TIERS.contains(&e.tier.as_str())
        && MODES.contains(&e.mode.as_str())
        && SECTORS.contains(&e.sector.as_str())
        && e.starts_at != 0
        && e.place.chars().count() <= 300
        && e.trainers.chars().count() <= 300;
    if !ok {
        let msg = ctx.t("training.error.event");
        let year = goals::current_year(&ctx.state.config.hotline.timezone);
        return list_page(&ctx, year, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let id = training::add_event(&ctx.state.db, &ctx.actor(), &e).await?;
    Ok(Redirect::to(&format!("/training/{id}?notice=training_saved")).into_response())
}

pub async fn add_module(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let label = one(&p, "label");
    if label.is_empty() || label.chars().count() > 120 {
        let msg = ctx.t("training.error.module");
        let year = goals::current_year(&ctx.state.config.hotline.timezone);
        return list_page(&ctx, year, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    training::add_module(&ctx.state.db, &ctx.actor(), label).await?;
    Ok(Redirect::to("/training?notice=training_saved").into_response())
}

pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub organization: String,
    pub attended: bool,
    /// The personal questionnaire link code.
    pub link: String,
    /// Each stage with its score as "6/8", or empty when not answered yet.
    pub scores: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "outreach/training_event.html")]
struct EventPage {
    page: Page,
    id: i64,
    title: String,
    when: String,
    tier: String,
    mode: String,
    sector: String,
    place: String,
    trainers: String,
    modules: String,
    registered: i64,
    attended: i64,
    people: Vec<PersonRow>,
    orgs: Vec<Opt>,
    evaluation: Vec<(String, String)>,
    /// Workshops held as part of this event: `(id, title)`.
    workshops: Vec<(i64, String)>,
    error: Option<String>,
}

async fn event_page(
    ctx: &Ctx,
    id: i64,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let db = &ctx.state.db;
    let e = training::event(db, id).await?.ok_or(AppError::NotFound)?;
    let modules = module_names(ctx, &e.modules).await?;
    let sheets = quiz::sheets(db, id).await?;
    let people = training::people(db, &ctx.state.keys, id)
        .await?
        .into_iter()
        .map(|p| PersonRow {
            link: quiz::link_code(&ctx.state.keys, p.id),
            scores: quiz::STAGES
                .iter()
                .map(|stage| {
                    let score = sheets
                        .iter()
                        .find(|s| s.person_id == p.id && s.stage == *stage)
                        .map(|s| crate::i18n::format_fraction(&ctx.locale, s.score, s.total))
                        .unwrap_or_default();
                    (stage.to_string(), score)
                })
                .collect(),
            id: p.id,
            name: p.name,
            email: p.email,
            organization: p.organization,
            attended: p.attended,
        })
        .collect();
    let ev = quiz::evaluate(&sheets);
    let pct = |v: Option<i64>| {
        v.map(|v| crate::i18n::format_percent(&ctx.locale, v))
            .unwrap_or_else(|| "—".into())
    };
    let evaluation = vec![
        (ctx.t("quiz.stage.pre"), pct(ev.pre)),
        (ctx.t("quiz.stage.post"), pct(ev.post)),
        (ctx.t("quiz.stage.follow_up"), pct(ev.follow_up)),
        (
            ctx.t("quiz.gain"),
            ev.gain
                .map(|g| {
                    crate::i18n::tr_with(
                        &ctx.locale,
                        "quiz.points",
                        &[("points", &format!("{g:+}"))],
                    )
                })
                .unwrap_or_else(|| "—".into()),
        ),
        (
            ctx.t("quiz.satisfaction"),
            ev.satisfaction
                .map(|v| {
                    let tenths = (v * 10.0).round() as i64;
                    crate::i18n::tr_with(
                        &ctx.locale,
                        "number.rating",
                        &[("value", &crate::i18n::format_tenths(&ctx.locale, tenths))],
                    )
                })
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    let workshops = crate::playbooks::workshops::of_training(&ctx.state.db, id)
        .await?
        .into_iter()
        .map(|w| {
            let day = crate::web::show_iso_day(ctx, &w.held_on);
            (w.id, format!("{} ({day})", w.title))
        })
        .collect();
    let t = EventPage {
        page: Page::new(ctx, &e.title),
        workshops,
        id,
        when: show_time(ctx, e.starts_at),
        tier: ctx.t(&format!("training.tier.{}", e.tier)),
        mode: ctx.t(&format!("training.mode.{}", e.mode)),
        sector: ctx.t(&format!("outreach.sector.{}", e.sector)),
        title: e.title,
        place: e.place,
        trainers: e.trainers,
        modules,
        registered: e.registered,
        attended: e.attended,
        people,
        orgs: org_options(&store::organizations(db).await?),
        evaluation,
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    event_page(&ctx, id, None, StatusCode::OK).await
}

pub async fn register(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    training::event(&ctx.state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = pairs(&body)?;
    let name = one(&p, "name");
    let email = one(&p, "email");
    let org = org_id(&ctx, one(&p, "organization_id")).await?;
    let ok_name = !name.is_empty() && name.chars().count() <= 200;
    let ok_email = crate::auth::users::check_email(email).is_ok();
    let (true, true, Ok(org)) = (ok_name, ok_email, org) else {
        let msg = ctx.t("training.error.registrant");
        return event_page(&ctx, id, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let outcome = training::register(
        &ctx.state.db,
        &ctx.state.keys,
        &ctx.actor(),
        id,
        name,
        email,
        org,
    )
    .await?;
    let notice = match outcome {
        Registered::Added => "registrant_added",
        Registered::Merged => "registrant_merged",
    };
    Ok(Redirect::to(&format!("/training/{id}?notice={notice}")).into_response())
}

pub async fn attendance(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    training::event(&ctx.state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = pairs(&body)?;
    let mut present = Vec::new();
    for (k, v) in &p {
        if k == "present" {
            match v.parse::<i64>() {
                Ok(n) => present.push(n),
                Err(_) => return Err(AppError::BadRequest("error.bad_request")),
            }
        }
    }
    training::set_attendance(&ctx.state.db, &ctx.actor(), id, &present).await?;
    Ok(Redirect::to(&format!("/training/{id}?notice=attendance_saved")).into_response())
}

// ---------------------------------------------------------------- questionnaires (public)

pub struct Question {
    pub n: u8,
    pub text: String,
    pub options: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "outreach/questionnaire.html")]
struct QuestionnairePage {
    page: Page,
    action: String,
    stage_title: String,
    questions: Vec<Question>,
    ask_satisfaction: bool,
    satisfaction: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "outreach/questionnaire_thanks.html")]
struct QuestionnaireThanks {
    page: Page,
    result: String,
}

async fn questionnaire_page(
    ctx: &Ctx,
    code: &str,
    stage: &str,
    picked: &[(u8, String)],
    satisfaction: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let questions = quiz::QUESTIONS
        .iter()
        .map(|(n, _)| Question {
            n: *n,
            text: ctx.t(&format!("quiz.q{n}.text")),
            options: quiz::OPTIONS
                .iter()
                .map(|o| {
                    let chosen = picked.iter().any(|(q, a)| q == n && a == o);
                    (o.to_string(), ctx.t(&format!("quiz.q{n}.{o}")), chosen)
                })
                .collect(),
        })
        .collect();
    let t = QuestionnairePage {
        page: Page::new(ctx, &ctx.t("quiz.title")),
        action: format!("/questionnaire/{code}/{stage}"),
        stage_title: ctx.t(&format!("quiz.stage.{stage}")),
        questions,
        ask_satisfaction: stage == "post",
        satisfaction: satisfaction.to_string(),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

/// The registrant of a genuine link to an existing stage, or "not found".
async fn questionnaire_person(ctx: &Ctx, code: &str, stage: &str) -> Result<i64, AppError> {
    let person = quiz::person_of(&ctx.state.keys, code).ok_or(AppError::NotFound)?;
    if !quiz::STAGES.contains(&stage) || quiz::event_of(&ctx.state.db, person).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(person)
}

pub async fn questionnaire(
    ctx: Ctx,
    Path((code, stage)): Path<(String, String)>,
) -> Result<Response, AppError> {
    questionnaire_person(&ctx, &code, &stage).await?;
    questionnaire_page(&ctx, &code, &stage, &[], "", None, StatusCode::OK).await
}

pub async fn answer_questionnaire(
    ctx: Ctx,
    Path((code, stage)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let person = questionnaire_person(&ctx, &code, &stage).await?;
    let p = pairs(&body)?;
    let picked: Vec<(u8, String)> = quiz::QUESTIONS
        .iter()
        .filter_map(|(n, _)| {
            let a = one(&p, &format!("q{n}"));
            quiz::OPTIONS.contains(&a).then(|| (*n, a.to_string()))
        })
        .collect();
    let sat_raw = one(&p, "satisfaction");
    let satisfaction = sat_raw.parse::<i64>().ok().filter(|v| (1..=5).contains(v));
    let complete =
        picked.len() == quiz::QUESTIONS.len() && (stage != "post" || satisfaction.is_some());
    if !complete {
        let msg = ctx.t("quiz.error");
        return questionnaire_page(
            &ctx,
            &code,
            &stage,
            &picked,
            sat_raw,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    quiz::submit(
        &ctx.state.db,
        person,
        &stage,
        &picked,
        satisfaction.filter(|_| stage == "post"),
    )
    .await?;
    let t = QuestionnaireThanks {
        page: Page::new(&ctx, &ctx.t("quiz.thanks")),
        result: crate::i18n::tr_with(
            &ctx.locale,
            "quiz.result",
            &[
                ("score", &quiz::score(&picked).to_string()),
                ("total", &quiz::QUESTIONS.len().to_string()),
            ],
        ),
    };
    Ok(Html(t.render()?).into_response())
}

// ---------------------------------------------------------------- certificates

pub struct Certificate {
    pub name: String,
    pub organization: String,
}

#[derive(Template)]
#[template(path = "outreach/certificates.html")]
struct CertificatesPage {
    page: Page,
    id: i64,
    hotline: String,
    title: String,
    held_on: String,
    modules: String,
    trainers: String,
    certificates: Vec<Certificate>,
}

#[derive(serde::Deserialize, Default)]
pub struct CertificateQuery {
    person: Option<i64>,
}

/// Certificates of attendance, one printed page each: every attendee's, or one person's.
pub async fn certificates(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<CertificateQuery>,
) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let db = &ctx.state.db;
    let e = training::event(db, id).await?.ok_or(AppError::NotFound)?;
    let certificates: Vec<Certificate> = training::people(db, &ctx.state.keys, id)
        .await?
        .into_iter()
        .filter(|p| p.attended && q.person.is_none_or(|only| only == p.id))
        .map(|p| Certificate {
            name: p.name,
            organization: p.organization,
        })
        .collect();
    if q.person.is_some() && certificates.is_empty() {
        return Err(AppError::NotFound);
    }
    let modules = module_names(&ctx, &e.modules).await?;
    let day = crate::web::show_day(&ctx, e.starts_at);
    let t = CertificatesPage {
        page: Page::new(&ctx, &ctx.t("training.certificate.title")),
        id,
        hotline: ctx.state.config.hotline.name.clone(),
        held_on: crate::i18n::tr_with(
            &ctx.locale,
            "training.certificate.held_on",
            &[("date", &day)],
        ),
        title: e.title,
        modules,
        trainers: e.trainers,
        certificates,
    };
    Ok(Html(t.render()?).into_response())
}
