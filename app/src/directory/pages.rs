//! Directory pages: search, partners and their services, the review list, HSDS import and
//! export.

use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::hsds;
use super::store::{self, Organization, Search, Service, CATEGORIES, POPULATIONS};
use crate::auth::Permission;
use crate::error::AppError;
use crate::intake::console::{opts, regions, Opt};
use crate::settings;
use crate::web::form::{form_pairs, many, one};
use crate::web::{today, Ctx, Page};

pub(crate) fn languages(ctx: &Ctx) -> Vec<Opt> {
    crate::intake::vocab::INTERPRETER_LANGUAGES
        .iter()
        .map(|c| Opt {
            code: c.to_string(),
            label: ctx.t(&format!("language_name.{c}")),
        })
        .collect()
}

/// A search result, ready to show.
pub struct Hit {
    pub org_id: String,
    pub org: String,
    pub service: String,
    pub description: String,
    pub facts: String,
    pub phone: String,
    pub warm: bool,
    pub tier: String,
}

#[derive(Template)]
#[template(path = "directory/search.html")]
struct SearchPage {
    page: Page,
    hits: Vec<Hit>,
    q: Search,
    categories: Vec<Opt>,
    populations: Vec<Opt>,
    languages: Vec<Opt>,
    regions: Vec<Opt>,
    manage: bool,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    population: String,
    #[serde(default)]
    q: String,
}

pub async fn search(ctx: Ctx, Query(q): Query<SearchQuery>) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ViewDirectory)?;
    let ops = settings::load(&ctx.state.db).await?;
    let s = Search {
        category: q.category,
        region: q.region,
        language: q.language,
        population: q.population,
        q: q.q,
    };
    let found = store::search(&ctx.state.db, &s).await?;
    let hits = found
        .into_iter()
        .map(|(svc, org)| {
            let mut facts: Vec<String> = svc
                .categories
                .iter()
                .map(|c| ctx.t(&format!("directory.category.{c}")))
                .collect();
            facts.extend(
                svc.populations
                    .iter()
                    .map(|p| ctx.t(&format!("directory.population.{p}"))),
            );
            facts.extend(
                svc.languages
                    .iter()
                    .map(|l| ctx.t(&format!("language_name.{l}"))),
            );
            if !svc.hours.is_empty() {
                facts.push(svc.hours.clone());
            }
            Hit {
                org_id: org.id,
                org: org.name,
                service: svc.name,
                description: svc.description,
                facts: facts.join(" · "),
                phone: svc.phone,
                warm: org.accepts_warm_transfers,
                tier: org.vetting_tier.map(|t| t.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let t = SearchPage {
        page: Page::new(&ctx, &ctx.t("directory.title")),
        hits,
        q: s,
        categories: opts(&ctx, CATEGORIES, "directory.category"),
        populations: opts(&ctx, POPULATIONS, "directory.population"),
        languages: languages(&ctx),
        regions: regions(&ctx, &ops),
        manage: ctx.can(Permission::ManageDirectory),
    };
    Ok(Html(t.render()?))
}

// ---------------------------------------------------------------- organisations

#[derive(Template)]
#[template(path = "directory/organization.html")]
struct OrgPage {
    page: Page,
    org: Organization,
    is_new: bool,
    services: Vec<Service>,
    manage: bool,
    error: Option<String>,
    today: String,
}

impl OrgPage {
    pub fn tier_is(&self, t: &i64) -> bool {
        self.org.vetting_tier == Some(*t)
    }
}

fn org_page(
    ctx: &Ctx,
    org: Organization,
    is_new: bool,
    services: Vec<Service>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = OrgPage {
        page: Page::new(ctx, &ctx.t("directory.organization")),
        org,
        is_new,
        services,
        manage: ctx.can(Permission::ManageDirectory),
        error,
        today: today(ctx),
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn new_org(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    org_page(
        &ctx,
        Organization {
            id: store::new_uuid(),
            ..Organization::default()
        },
        true,
        Vec::new(),
        None,
        StatusCode::OK,
    )
}

pub async fn show_org(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    ctx.require(Permission::ViewDirectory)?;
    let org = store::organization(&ctx.state.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let services = store::services(&ctx.state.db)
        .await?
        .into_iter()
        .filter(|s| s.organization_id == id)
        .collect();
    org_page(&ctx, org, false, services, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct OrgForm {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    vetting_tier: String,
    #[serde(default)]
    accepts_warm_transfers: Option<String>,
    #[serde(default)]
    last_verified: String,
}

pub async fn save_org(
    ctx: Ctx,
    axum::extract::Form(f): axum::extract::Form<OrgForm>,
) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let exists = store::organization(&ctx.state.db, &f.id).await?.is_some();
    let tier = match f.vetting_tier.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|t| (1..=4).contains(t))
            .map(Some)
            .ok_or(()),
    };
    let verified = match f.last_verified.trim() {
        "" => Ok(None),
        d => d
            .parse::<jiff::civil::Date>()
            .map(|d| Some(d.to_string()))
            .map_err(|_| ()),
    };
    let org = Organization {
        id: f.id.clone(),
        name: f.name.trim().to_string(),
        description: f.description.trim().to_string(),
        email: f.email.trim().to_string(),
        website: f.website.trim().to_string(),
        vetting_tier: tier.unwrap_or(None),
        accepts_warm_transfers: f.accepts_warm_transfers.is_some(),
        last_verified: verified.clone().unwrap_or(None),
    };
    let ok = store::is_uuid(&f.id)
        && !org.name.is_empty()
        && org.name.chars().count() <= 200
        && tier.is_ok()
        && verified.is_ok()
        && crate::config::validate_public_url(&org.website).is_ok();
    if !ok {
        let msg = ctx.t("directory.error.organization");
        return org_page(
            &ctx,
            org,
            !exists,
            Vec::new(),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    store::save_organization(&ctx.state.db, &ctx.actor(), &org).await?;
    Ok(Redirect::to(&format!(
        "/directory/organizations/{}?notice=directory_saved",
        org.id
    ))
    .into_response())
}

// ---------------------------------------------------------------- services

#[derive(Template)]
#[template(path = "directory/service.html")]
struct ServicePage {
    page: Page,
    svc: Service,
    org_name: String,
    categories: Vec<Opt>,
    populations: Vec<Opt>,
    languages: Vec<Opt>,
    error: Option<String>,
}

impl ServicePage {
    pub fn has(&self, list: &str, code: &str) -> bool {
        let l = match list {
            "categories" => &self.svc.categories,
            "populations" => &self.svc.populations,
            _ => &self.svc.languages,
        };
        l.iter().any(|x| x == code)
    }
}

/// The form for `svc`, a service of the partner named `org_name` (which the caller loaded).
fn service_page(
    ctx: &Ctx,
    svc: Service,
    org_name: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = ServicePage {
        page: Page::new(ctx, &ctx.t("directory.service")),
        svc,
        org_name,
        categories: opts(ctx, CATEGORIES, "directory.category"),
        populations: opts(ctx, POPULATIONS, "directory.population"),
        languages: languages(ctx),
        error,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn new_service(ctx: Ctx, Path(org): Path<String>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let o = store::organization(&ctx.state.db, &org)
        .await?
        .ok_or(AppError::NotFound)?;
    let svc = Service {
        id: store::new_uuid(),
        organization_id: org,
        status: "active".into(),
        ..Service::default()
    };
    service_page(&ctx, svc, o.name, None, StatusCode::OK)
}

pub async fn edit_service(ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let svc = store::service(&ctx.state.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let org_name = store::organization(&ctx.state.db, &svc.organization_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    service_page(&ctx, svc, org_name, None, StatusCode::OK)
}

pub async fn save_service(ctx: Ctx, body: axum::body::Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let pairs = form_pairs(&body)?;
    // The known codes chosen, each once, sorted.
    let chosen = |k: &str, allowed: &[&str]| -> Vec<String> {
        let mut v = many(&pairs, k);
        v.retain(|x| allowed.contains(&x.as_str()));
        v.sort();
        v.dedup();
        v
    };
    let langs: Vec<&str> = crate::intake::vocab::INTERPRETER_LANGUAGES.to_vec();
    let svc = Service {
        id: one(&pairs, "id").to_string(),
        organization_id: one(&pairs, "organization_id").to_string(),
        name: one(&pairs, "name").to_string(),
        description: one(&pairs, "description").to_string(),
        status: if one(&pairs, "status") == "inactive" {
            "inactive".into()
        } else {
            "active".into()
        },
        categories: chosen("categories", CATEGORIES),
        populations: chosen("populations", POPULATIONS),
        languages: chosen("languages", &langs),
        area: one(&pairs, "area").to_string(),
        hours: one(&pairs, "hours").to_string(),
        phone: one(&pairs, "phone").to_string(),
        email: one(&pairs, "email").to_string(),
        url: one(&pairs, "url").to_string(),
    };
    let org = store::organization(&ctx.state.db, &svc.organization_id).await?;
    let org_ok = org.is_some();
    let ok = store::is_uuid(&svc.id)
        && org_ok
        && !svc.name.is_empty()
        && svc.name.chars().count() <= 200
        && crate::config::validate_phone(&svc.phone, false).is_ok()
        && crate::config::validate_public_url(&svc.url).is_ok();
    if !ok {
        let msg = ctx.t("directory.error.service");
        let org_name = org.map(|o| o.name).unwrap_or_default();
        return service_page(
            &ctx,
            svc,
            org_name,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    store::save_service(&ctx.state.db, &ctx.actor(), &svc).await?;
    Ok(Redirect::to(&format!(
        "/directory/organizations/{}?notice=directory_saved",
        svc.organization_id
    ))
    .into_response())
}

// ---------------------------------------------------------------- review, export, import

#[derive(Template)]
#[template(path = "directory/review.html")]
struct ReviewPage {
    page: Page,
    due: Vec<Organization>,
}

pub async fn review(ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let orgs = store::organizations(&ctx.state.db).await?;
    let t = ReviewPage {
        page: Page::new(&ctx, &ctx.t("directory.review_title")),
        due: store::due_for_review(&orgs, &today(&ctx)),
    };
    Ok(Html(t.render()?))
}

pub async fn export_json(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let p = hsds::load(&ctx.state.db).await?;
    Ok(crate::web::attachment(
        "application/json; charset=utf-8",
        "directory-hsds.json",
        hsds::to_json(&p),
    ))
}

pub async fn export_zip(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let p = hsds::load(&ctx.state.db).await?;
    let bytes = hsds::to_zip(&p).map_err(|e| AppError::Internal(format!("zip: {e}")))?;
    Ok(crate::web::attachment(
        "application/zip",
        "directory-hsds.zip",
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "directory/import.html")]
struct ImportPage {
    page: Page,
    problems: Vec<String>,
    summary: Option<String>,
    applied: bool,
}

pub async fn import_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let t = ImportPage {
        page: Page::new(&ctx, &ctx.t("directory.import_title")),
        problems: Vec::new(),
        summary: None,
        applied: false,
    };
    Ok(Html(t.render()?))
}

/// Describes what an import changes, in the reader's language.
pub fn summary(locale: &str, c: &hsds::Changes) -> String {
    crate::i18n::tr_with(
        locale,
        "directory.import_summary",
        &[
            ("new_orgs", &c.new_organizations.to_string()),
            ("updated_orgs", &c.updated_organizations.to_string()),
            ("same_orgs", &c.unchanged_organizations.to_string()),
            ("new_services", &c.new_services.to_string()),
            ("updated_services", &c.updated_services.to_string()),
            ("same_services", &c.unchanged_services.to_string()),
        ],
    )
}

/// `POST /directory/import` (multipart: `file`, optional `dry_run`). A package with any
/// problem imports nothing; the problems are listed by file, line and field.
pub async fn import(ctx: Ctx, mut form: Multipart) -> Result<Response, AppError> {
    ctx.require(Permission::ManageDirectory)?;
    let mut file = Vec::new();
    let mut name = String::from("upload.json");
    let mut dry_run = false;
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("file") => {
                name = field
                    .file_name()
                    .unwrap_or("upload.json")
                    .chars()
                    .take(100)
                    .collect();
                file = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::BadRequest("error.too_large"))?
                    .to_vec();
            }
            Some("dry_run") => dry_run = true,
            _ => {}
        }
    }
    let render = |problems: Vec<String>,
                  summary: Option<String>,
                  applied: bool,
                  status: StatusCode|
     -> Result<Response, AppError> {
        let t = ImportPage {
            page: Page::new(&ctx, &ctx.t("directory.import_title")),
            problems,
            summary,
            applied,
        };
        Ok((status, Html(t.render()?)).into_response())
    };
    let parsed = if hsds::is_zip(&file) {
        hsds::files_from_zip(&name, &file).and_then(|files| hsds::from_tabular(&files))
    } else {
        hsds::from_json(&name, &file)
    };
    let package = match parsed {
        Ok(p) => p,
        Err(problems) => {
            return render(
                problems.iter().map(|p| p.text(&ctx.locale)).collect(),
                None,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let changes = hsds::import(&ctx.state.db, &ctx.actor(), &package, !dry_run).await?;
    render(
        Vec::new(),
        Some(summary(&ctx.locale, &changes)),
        !dry_run,
        StatusCode::OK,
    )
}
