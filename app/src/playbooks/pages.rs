//! The playbook library: a list grouped by launch phase with search, one playbook with its
//! table of contents (print-friendly), its handout, and the admin's view of local files.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::catalog::{Catalog, Playbook, PHASES};
use super::render::{self, Rendered};
use crate::auth::Permission;
use crate::config::BUNDLED_LOCALES;
use crate::error::AppError;
use crate::i18n;
use crate::web::{Ctx, Page};

/// A playbook as pages and handouts show it.
pub struct View {
    pub id: String,
    pub title: String,
    pub locale: String,
    /// The text direction of the playbook's language.
    pub dir: &'static str,
    pub version: String,
    pub estimated_time: String,
    pub audience: String,
    pub phase: String,
    /// `(id, title)` of each related playbook the catalog has.
    pub related: Vec<(String, String)>,
    /// The local file this version comes from, if it is local.
    pub local_file: Option<String>,
    /// A local version of a playbook that is also bundled.
    pub adapted: bool,
    pub rendered: Rendered,
}

/// The label of an audience code; codes a local playbook invents are shown as written.
fn audience_label(locale: &str, code: &str) -> String {
    let key = format!("playbook.audience.{code}");
    if i18n::has_key(&key) {
        i18n::tr(locale, &key)
    } else {
        code.to_string()
    }
}

impl View {
    /// `locale` is the language of the labels around the playbook (the reader's).
    pub fn new(catalog: &Catalog, p: &Playbook, locale: &str) -> View {
        View {
            id: p.id.clone(),
            title: p.title.clone(),
            locale: p.locale.clone(),
            dir: i18n::direction(&p.locale),
            version: p.version.clone(),
            estimated_time: p.estimated_time.clone(),
            audience: i18n::join_list(locale, p.audience.iter().map(|a| audience_label(locale, a))),
            phase: i18n::tr(locale, &format!("playbook.phase.{}", p.phase)),
            related: catalog.titles(&p.related, &p.locale),
            local_file: p.local_file().map(str::to_string),
            adapted: p.is_local() && catalog.bundled_version(&p.id, &p.locale).is_some(),
            rendered: p.rendered.clone(),
        }
    }
}

/// The deployment's catalog.
pub fn catalog(ctx: &Ctx) -> Catalog {
    Catalog::load(Some(&ctx.state.dir))
}

/// The playbook language asked for with `?locale=`, else the reader's.
fn reading_locale(ctx: &Ctx, asked: &Option<String>) -> String {
    asked
        .as_deref()
        .filter(|l| BUNDLED_LOCALES.contains(l))
        .unwrap_or(&ctx.locale)
        .to_string()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    locale: Option<String>,
}

pub struct Hit {
    pub id: String,
    pub title: String,
    pub estimated_time: String,
    pub audience: String,
    pub local: bool,
    pub adapted: bool,
    pub checklist: usize,
    /// Sections whose text matches the search: `(anchor, title)`.
    pub sections: Vec<(String, String)>,
}

pub struct PhaseGroup {
    pub label: String,
    pub hits: Vec<Hit>,
}

pub struct LocaleChoice {
    pub code: String,
    pub name: String,
    pub current: bool,
}

fn locale_choices(locales: Vec<String>, current: &str) -> Vec<LocaleChoice> {
    locales
        .into_iter()
        .map(|l| LocaleChoice {
            name: i18n::native_name(&l),
            current: l == current,
            code: l,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "playbooks/list.html")]
struct ListPage {
    page: Page,
    q: String,
    reading: String,
    choices: Vec<LocaleChoice>,
    groups: Vec<PhaseGroup>,
    found: usize,
    problems: usize,
    can_manage: bool,
}

pub async fn library(ctx: Ctx, Query(query): Query<ListQuery>) -> Result<Response, AppError> {
    ctx.require(Permission::StaffHome)?;
    let reading = reading_locale(&ctx, &query.locale);
    let catalog = catalog(&ctx);
    let q = query.q.trim().to_lowercase();
    let mut groups: Vec<PhaseGroup> = PHASES
        .iter()
        .map(|p| PhaseGroup {
            label: ctx.t(&format!("playbook.phase.{p}")),
            hits: Vec::new(),
        })
        .collect();
    let mut found = 0;
    for p in catalog.list(&reading) {
        let sections: Vec<(String, String)> = if q.is_empty() {
            Vec::new()
        } else {
            p.rendered
                .sections
                .iter()
                .filter(|s| render::section_matches(s, &q))
                .map(|s| (s.id.clone(), s.title.clone()))
                .collect()
        };
        if !q.is_empty() && sections.is_empty() && !p.title.to_lowercase().contains(&q) {
            continue;
        }
        let view = View::new(&catalog, p, &ctx.locale);
        found += 1;
        let phase = PHASES.iter().position(|x| *x == p.phase).unwrap_or(0);
        groups[phase].hits.push(Hit {
            checklist: p.checklist().len(),
            id: view.id,
            title: view.title,
            estimated_time: view.estimated_time,
            audience: view.audience,
            local: view.local_file.is_some(),
            adapted: view.adapted,
            sections,
        });
    }
    groups.retain(|g| !g.hits.is_empty());
    let t = ListPage {
        page: Page::new(&ctx, &ctx.t("playbook.title")),
        q: query.q.trim().to_string(),
        choices: locale_choices(catalog.locales(), &reading),
        reading,
        groups,
        found,
        problems: catalog.problems.len(),
        can_manage: ctx.can(Permission::ManageSettings),
    };
    Ok(Html(t.render()?).into_response())
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    locale: Option<String>,
    /// `bundled` shows the bundled version of an adapted playbook.
    version: Option<String>,
}

#[derive(Template)]
#[template(path = "playbooks/show.html")]
struct ShowPage {
    page: Page,
    view: View,
    reading: String,
    choices: Vec<LocaleChoice>,
    /// Showing the bundled version of a playbook that has a local one.
    comparing: bool,
}

/// For staff: the catalog and the language to read it in.
fn open(ctx: &Ctx, query: &ShowQuery) -> Result<(Catalog, String), AppError> {
    ctx.require(Permission::StaffHome)?;
    Ok((catalog(ctx), reading_locale(ctx, &query.locale)))
}

pub async fn show(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let (catalog, reading) = open(&ctx, &query)?;
    let current = catalog.get(&id, &reading).ok_or(AppError::NotFound)?;
    let comparing = query.version.as_deref() == Some("bundled") && current.is_local();
    let shown = if comparing {
        catalog
            .bundled_version(&id, &current.locale)
            .ok_or(AppError::NotFound)?
    } else {
        current
    };
    let view = View::new(&catalog, shown, &ctx.locale);
    let t = ShowPage {
        page: Page::new(&ctx, &view.title),
        view,
        choices: locale_choices(catalog.locales_of(&id), &shown.locale),
        reading,
        comparing,
    };
    Ok(Html(t.render()?).into_response())
}

/// The playbook as a self-contained HTML file to save, print or hand out.
pub async fn handout(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let (catalog, reading) = open(&ctx, &query)?;
    let p = catalog.get(&id, &reading).ok_or(AppError::NotFound)?;
    let html = super::export::handout(&catalog, &[p], &p.locale, &exporter(&ctx))?;
    let name = format!("{}-{}.html", p.id, p.locale);
    Ok(crate::web::attachment(
        "text/html; charset=utf-8",
        &name,
        html,
    ))
}

pub struct LocalRow {
    pub id: String,
    pub title: String,
    pub locale: String,
    pub file: String,
    pub adapted: bool,
}

#[derive(Template)]
#[template(path = "playbooks/admin.html")]
struct AdminPage {
    page: Page,
    folder: String,
    local: Vec<LocalRow>,
    problems: Vec<(String, String)>,
}

/// Local playbooks in use and the files that were skipped, with the reason.
pub async fn admin(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::ManageSettings)?;
    let catalog = catalog(&ctx);
    let local = catalog
        .local
        .iter()
        .map(|p| LocalRow {
            id: p.id.clone(),
            title: p.title.clone(),
            locale: p.locale.clone(),
            file: p.local_file().unwrap_or_default().to_string(),
            adapted: catalog.bundled_version(&p.id, &p.locale).is_some(),
        })
        .collect();
    let problems = catalog
        .problems
        .iter()
        .map(|p| (p.file.clone(), p.message(&ctx.locale)))
        .collect();
    let t = AdminPage {
        page: Page::new(&ctx, &ctx.t("playbook.admin.title")),
        folder: ctx
            .state
            .dir
            .join(super::catalog::LOCAL_DIR)
            .display()
            .to_string(),
        local,
        problems,
    };
    Ok(Html(t.render()?).into_response())
}

/// This hotline, today, for handouts.
pub fn exporter(ctx: &Ctx) -> super::export::Exporter<'_> {
    super::export::Exporter {
        hotline: &ctx.state.config.hotline.name,
        date: crate::web::today(ctx),
    }
}
