//! Outreach pages: organisations reached, consultations, materials, and program goals.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::goals;
use super::store::{self, ReachedOrg, CHANNELS, MATERIAL_KINDS, SECTORS, TOPICS};
use crate::auth::Permission;
use crate::directory::pages::languages;
use crate::error::AppError;
use crate::intake::console::{opts, Opt};
use crate::web::form::{form_pairs as pairs, one};
use crate::web::{Ctx, Page};

/// A `YYYY-MM-DD` day at noon in the hotline's time zone (the middle of the day, so that
/// the day survives any time-zone display).
pub(super) fn local_day(ctx: &Ctx, s: &str) -> Option<i64> {
    crate::web::local_timestamp(ctx, s, 0, jiff::civil::Time::constant(12, 0, 0, 0))
}

pub(super) fn org_options(orgs: &[ReachedOrg]) -> Vec<Opt> {
    orgs.iter()
        .map(|o| Opt {
            code: o.id.to_string(),
            label: format!("{} ({})", o.name, o.country),
        })
        .collect()
}

pub(super) async fn org_id(ctx: &Ctx, raw: &str) -> Result<Result<Option<i64>, ()>, AppError> {
    if raw.is_empty() {
        return Ok(Ok(None));
    }
    let Ok(id) = raw.parse::<i64>() else {
        return Ok(Err(()));
    };
    let known = store::organizations(&ctx.state.db)
        .await?
        .iter()
        .any(|o| o.id == id);
    Ok(if known { Ok(Some(id)) } else { Err(()) })
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

pub(super) fn year_of(ctx: &Ctx, q: &YearQuery) -> i32 {
    q.year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| goals::current_year(&ctx.state.config.hotline.timezone))
}

// ---------------------------------------------------------------- organisations reached

pub struct OrgRow {
    pub name: String,
    pub sector: String,
    pub country: String,
    pub international: bool,
    pub in_directory: bool,
}

#[derive(Template)]
#[template(path = "outreach/organizations.html")]
struct OrgsPage {
    page: Page,
    rows: Vec<OrgRow>,
    sectors: Vec<Opt>,
    directory: Vec<Opt>,
    home: String,
    error: Option<String>,
}

async fn orgs_page(
    ctx: &Ctx,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let home = &ctx.state.config.hotline.country;
    let rows = store::organizations(&ctx.state.db)
        .await?
        .into_iter()
        .map(|o| OrgRow {
            international: &o.country != home,
            in_directory: o.directory_id.is_some(),
            sector: ctx.t(&format!("outreach.sector.{}", o.sector)),
            name: o.name,
            country: o.country,
        })
        .collect();
    let directory = crate::directory::store::organizations(&ctx.state.db)
        .await?
        .into_iter()
        .map(|o| Opt {
            code: o.id,
            label: o.name,
        })
        .collect();
    let t = OrgsPage {
        page: Page::new(ctx, &ctx.t("outreach.organizations_title")),
        rows,
        sectors: opts(ctx, SECTORS, "outreach.sector"),
        directory,
        home: home.clone(),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn organizations(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    orgs_page(&ctx, None, StatusCode::OK).await
}

pub async fn add_organization(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let country = match one(&p, "country").to_uppercase() {
        c if c.is_empty() => ctx.state.config.hotline.country.clone(),
        c => c,
    };
    let dir_id = Some(one(&p, "directory_id").to_string()).filter(|s| !s.is_empty());
    let dir_ok = match &dir_id {
        Some(id) => crate::directory::store::organization(&ctx.state.db, id)
            .await?
            .is_some(),
        None => true,
    };
    let name = one(&p, "name");
    let sector = one(&p, "sector");
    if name.is_empty()
        || name.chars().count() > 200
        || !SECTORS.contains(&sector)
        || !crate::countries::is_country(&country)
        || !dir_ok
    {
        let msg = ctx.t("outreach.error.organization");
        return orgs_page(&ctx, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let o = ReachedOrg {
        id: 0,
        name: name.to_string(),
        sector: sector.to_string(),
        country,
        directory_id: dir_id,
    };
    store::add_organization(&ctx.state.db, &ctx.actor(), &o).await?;
    Ok(Redirect::to("/outreach/organizations?notice=outreach_saved").into_response())
}

// ---------------------------------------------------------------- consultations

pub struct ConsultationRow {
    pub when: String,
    pub channel: String,
    pub organization: String,
    pub country: String,
    pub topic: String,
    pub minutes: String,
    pub follow_ups: String,
    pub related: String,
}

#[derive(Template)]
#[template(path = "outreach/consultations.html")]
struct ConsultationsPage {
    page: Page,
    year: i32,
    rows: Vec<ConsultationRow>,
    channels: Vec<Opt>,
    topics: Vec<Opt>,
    orgs: Vec<Opt>,
    home: String,
    error: Option<String>,
}

async fn consultations_page(
    ctx: &Ctx,
    year: i32,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (from, to) = goals::year_bounds(year, &ctx.state.config.hotline.timezone);
    let rows = store::consultations(&ctx.state.db, from, to)
        .await?
        .into_iter()
        .map(|c| ConsultationRow {
            when: crate::web::show_day(ctx, c.held_at),
            channel: ctx.t(&format!("outreach.channel.{}", c.channel)),
            organization: c.organization,
            country: c.country,
            topic: ctx.t(&format!("playbook_topic.{}", c.topic)),
            minutes: c.minutes.map(|m| m.to_string()).unwrap_or_default(),
            follow_ups: c.follow_ups,
            related: crate::i18n::join_list(
                &ctx.locale,
                c.related
                    .iter()
                    .map(|r| ctx.t(&format!("playbook_topic.{r}"))),
            ),
        })
        .collect();
    let t = ConsultationsPage {
        page: Page::new(ctx, &ctx.t("outreach.consultations_title")),
        year,
        rows,
        channels: opts(ctx, CHANNELS, "outreach.channel"),
        topics: opts(ctx, TOPICS, "playbook_topic"),
        orgs: org_options(&store::organizations(&ctx.state.db).await?),
        home: ctx.state.config.hotline.country.clone(),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn consultations(ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let year = year_of(&ctx, &q);
    consultations_page(&ctx, year, None, StatusCode::OK).await
}

pub async fn add_consultation(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let held = local_day(&ctx, one(&p, "date"));
    let org = org_id(&ctx, one(&p, "organization_id")).await?;
    let minutes = match one(&p, "minutes") {
        "" => Ok(None),
        m => m
            .parse::<i64>()
            .ok()
            .filter(|m| (0..=10_000).contains(m))
            .map(Some)
            .ok_or(()),
    };
    let mut country = one(&p, "country").to_uppercase();
    if country.is_empty() {
        country = match org {
            Ok(Some(id)) => store::organizations(&ctx.state.db)
                .await?
                .into_iter()
                .find(|o| o.id == id)
                .map(|o| o.country)
                .unwrap_or_default(),
            _ => ctx.state.config.hotline.country.clone(),
        };
    }
    let related: Vec<String> = p
        .iter()
        .filter(|(k, v)| k == "related" && TOPICS.contains(&v.as_str()))
        .map(|(_, v)| v.clone())
        .collect();
    let ok_text =
        one(&p, "follow_ups").chars().count() <= 2_000 && one(&p, "notes").chars().count() <= 5_000;
    let (Some(held_at), Ok(organization_id), Ok(minutes)) = (held, org, minutes) else {
        let msg = ctx.t("outreach.error.consultation");
        return consultations_page(
            &ctx,
            goals::current_year(&ctx.state.config.hotline.timezone),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if !CHANNELS.contains(&one(&p, "channel"))
        || !TOPICS.contains(&one(&p, "topic"))
        || !crate::countries::is_country(&country)
        || !ok_text
    {
        let msg = ctx.t("outreach.error.consultation");
        return consultations_page(
            &ctx,
            goals::current_year(&ctx.state.config.hotline.timezone),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let c = store::Consultation {
        held_at,
        channel: one(&p, "channel").into(),
        organization_id,
        organization: String::new(),
        country,
        topic: one(&p, "topic").into(),
        minutes,
        follow_ups: one(&p, "follow_ups").into(),
        related,
        notes: one(&p, "notes").into(),
    };
    store::add_consultation(&ctx.state.db, &ctx.actor(), &c).await?;
    Ok(Redirect::to("/outreach/consultations?notice=outreach_saved").into_response())
}

// ---------------------------------------------------------------- materials

pub struct MaterialRow {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub language: String,
    pub link: String,
    pub distributed: i64,
}

#[derive(Template)]
#[template(path = "outreach/materials.html")]
struct MaterialsPage {
    page: Page,
    year: i32,
    rows: Vec<MaterialRow>,
    total: i64,
    kinds: Vec<Opt>,
    languages: Vec<Opt>,
    orgs: Vec<Opt>,
    documents: Vec<Opt>,
    error: Option<String>,
}

/// The library's documents, to choose a material's file from.
async fn library_documents(ctx: &Ctx) -> Result<Vec<Opt>, AppError> {
    Ok(crate::library::store::search(&ctx.state.db, "", false)
        .await?
        .into_iter()
        .filter(|i| i.kind == "file")
        .map(|i| Opt {
            code: i.id.to_string(),
            label: format!("{} ({})", i.title, i.original_name),
        })
        .collect())
}

async fn materials_page(
    ctx: &Ctx,
    year: i32,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (from, to) = goals::year_bounds(year, &ctx.state.config.hotline.timezone);
    let list = store::materials(&ctx.state.db, from, to).await?;
    let total = list.iter().map(|m| m.distributed).sum();
    let rows = list
        .into_iter()
        .map(|m| MaterialRow {
            id: m.id,
            title: m.title,
            kind: ctx.t(&format!("outreach.kind.{}", m.kind)),
            language: ctx.t(&format!("language_name.{}", m.language)),
            link: match m.document {
                Some(id) => format!("/library/files/{id}"),
                None => m.link,
            },
            distributed: m.distributed,
        })
        .collect();
    let languages = languages(ctx);
    let t = MaterialsPage {
        page: Page::new(ctx, &ctx.t("outreach.materials_title")),
        year,
        rows,
        total,
        kinds: opts(ctx, MATERIAL_KINDS, "outreach.kind"),
        languages,
        orgs: org_options(&store::organizations(&ctx.state.db).await?),
        documents: library_documents(ctx).await?,
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn materials(ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let year = year_of(&ctx, &q);
    materials_page(&ctx, year, None, StatusCode::OK).await
}

pub async fn add_material(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let m = store::Material {
        id: 0,
        title: one(&p, "title").into(),
        kind: one(&p, "kind").into(),
        language: one(&p, "language").into(),
        link: one(&p, "link").into(),
        document: one(&p, "document").parse().ok(),
        distributed: 0,
    };
    let document_ok = match (one(&p, "document"), m.document) {
        ("", _) => true,
        (_, Some(id)) => crate::library::store::get(&ctx.state.db, id)
            .await?
            .is_some_and(|i| i.kind == "file"),
        _ => false,
    };
    let ok = document_ok
        && !m.title.is_empty()
        && m.title.chars().count() <= 200
        && MATERIAL_KINDS.contains(&m.kind.as_str())
        && crate::intake::vocab::INTERPRETER_LANGUAGES.contains(&m.language.as_str())
        && crate::config::validate_public_url(&m.link).is_ok();
    if !ok {
        let msg = ctx.t("outreach.error.material");
        let year = goals::current_year(&ctx.state.config.hotline.timezone);
        return materials_page(&ctx, year, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    store::add_material(&ctx.state.db, &ctx.actor(), &m).await?;
    Ok(Redirect::to("/outreach/materials?notice=outreach_saved").into_response())
}

pub async fn distribute(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let p = pairs(&body)?;
    let year = goals::current_year(&ctx.state.config.hotline.timezone);
    let material = one(&p, "material_id").parse::<i64>().ok();
    let quantity = one(&p, "quantity")
        .parse::<i64>()
        .ok()
        .filter(|q| (1..=1_000_000).contains(q));
    let at = local_day(&ctx, one(&p, "date"));
    let org = org_id(&ctx, one(&p, "organization_id")).await?;
    let recipient = one(&p, "recipient");
    let (Some(material), Some(quantity), Some(at), Ok(org)) = (material, quantity, at, org) else {
        let msg = ctx.t("outreach.error.distribution");
        return materials_page(&ctx, year, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    if recipient.chars().count() > 200
        || !store::distribute(
            &ctx.state.db,
            &ctx.actor(),
            material,
            quantity,
            org,
            recipient,
            at,
        )
        .await?
    {
        let msg = ctx.t("outreach.error.distribution");
        return materials_page(&ctx, year, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    Ok(Redirect::to("/outreach/materials?notice=outreach_saved").into_response())
}

// ---------------------------------------------------------------- goals

pub struct GoalRow {
    pub metric: String,
    pub label: String,
    /// The target as the form's field holds it (digits only).
    pub target: i64,
    /// The figures as the reader's language writes them.
    pub target_shown: String,
    pub actual: String,
    pub percent: i64,
    pub bar: i64,
}

#[derive(Template)]
#[template(path = "outreach/goals.html")]
struct GoalsPage {
    page: Page,
    year: i32,
    rows: Vec<GoalRow>,
    can_edit: bool,
    error: Option<String>,
}

async fn goals_page(
    ctx: &Ctx,
    year: i32,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let cfg = &ctx.state.config.hotline;
    let rows = goals::progress(&ctx.state.db, year, &cfg.timezone, &cfg.country)
        .await?
        .into_iter()
        .map(|p| GoalRow {
            metric: p.metric.to_string(),
            label: ctx.t(&format!("goals.metric.{}", p.metric)),
            target: p.target,
            target_shown: crate::i18n::format_number(&ctx.locale, p.target),
            actual: crate::i18n::format_number(&ctx.locale, p.actual),
            percent: p.percent(),
            bar: p.percent().clamp(0, 100),
        })
        .collect();
    let t = GoalsPage {
        page: Page::new(ctx, &ctx.t("goals.title")),
        year,
        rows,
        can_edit: ctx.can(Permission::SetGoals),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn goals_view(ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::ViewGoals)?;
    let year = year_of(&ctx, &q);
    goals_page(&ctx, year, None, StatusCode::OK).await
}

pub async fn set_goals(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::SetGoals)?;
    let p = pairs(&body)?;
    let year: i32 = match one(&p, "year").parse() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let mut values = Vec::new();
    for (metric, _) in goals::METRICS {
        match one(&p, metric).parse::<i64>() {
            Ok(t) if (0..=10_000_000).contains(&t) => values.push((*metric, t)),
            _ => {
                let msg = ctx.t("goals.error");
                return goals_page(&ctx, year, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        }
    }
    goals::set_targets(&ctx.state.db, &ctx.actor(), year, &values).await?;
    Ok(Redirect::to(&format!("/goals?year={year}&notice=goals_saved")).into_response())
}
