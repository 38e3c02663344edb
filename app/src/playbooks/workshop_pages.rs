//! Workshop pages: the list and a new workshop, one workshop (participants, notes, linked
//! training), the presentation view (one screen at a time, keyboard navigation) and the
//! participants' handout.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::catalog::Catalog;
use super::pages::View;
use super::render;
use super::workshops::{self, Participant, Workshop};
use crate::auth::Permission;
use crate::config::BUNDLED_LOCALES;
use crate::error::AppError;
use crate::i18n;
use crate::outreach::training;
use crate::web::form::{form_pairs, many, one};
use crate::web::{Ctx, Page};

/// A choice in a list: the code sent and the label shown.
pub use crate::intake::console::Opt as Choice;

/// The workshop form (new or edit) and its choices.
pub struct FormParts {
    pub form: Workshop,
    pub playbooks: Vec<Choice>,
    pub locales: Vec<Choice>,
    pub trainings: Vec<Choice>,
    pub chosen_training: String,
    pub error: Option<String>,
    /// The form's address, and whether it has the notes field (only a new workshop's).
    pub action: String,
    pub with_notes: bool,
}

impl FormParts {
    fn picked(&self, code: &str) -> bool {
        self.form.playbooks.iter().any(|p| p == code)
    }

    async fn new(ctx: &Ctx, form: Workshop, error: Option<String>) -> Result<FormParts, AppError> {
        let catalog = Catalog::load(Some(&ctx.state.dir));
        let year = 365 * 24 * 3600;
        let now = crate::db::now();
        let mut events = training::events(&ctx.state.db, now - 2 * year, now + 2 * year).await?;
        // The workshop's own training stays a choice, however long ago it was.
        if let Some(id) = form.training_id {
            if !events.iter().any(|e| e.id == id) {
                if let Some(e) = training::event(&ctx.state.db, id).await? {
                    events.push(e);
                }
            }
        }
        let trainings = events
            .into_iter()
            .map(|e| Choice {
                code: e.id.to_string(),
                label: format!("{} ({})", e.title, crate::web::show_day(ctx, e.starts_at)),
            })
            .collect();
        Ok(FormParts {
            playbooks: catalog
                .list(&ctx.locale)
                .into_iter()
                .map(|p| Choice {
                    code: p.id.clone(),
                    label: p.title.clone(),
                })
                .collect(),
            locales: locales(&catalog),
            trainings,
            chosen_training: form.training_id.map(|t| t.to_string()).unwrap_or_default(),
            error,
            action: if form.id == 0 {
                "/workshops".into()
            } else {
                format!("/workshops/{}/edit", form.id)
            },
            with_notes: form.id == 0,
            form,
        })
    }
}

fn form_status(f: &FormParts) -> StatusCode {
    if f.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

#[derive(Template)]
#[template(path = "playbooks/workshops.html")]
struct ListPage {
    page: Page,
    workshops: Vec<Row>,
    f: FormParts,
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub held_on: String,
    pub organisation: String,
    pub country: String,
    pub playbooks: usize,
    pub participants: i64,
}

/// The languages the playbooks are written in.
fn locales(catalog: &Catalog) -> Vec<Choice> {
    catalog
        .locales()
        .into_iter()
        .map(|l| Choice {
            label: i18n::native_name(&l),
            code: l,
        })
        .collect()
}

async fn list_page(ctx: &Ctx, error: Option<String>, form: Workshop) -> Result<Response, AppError> {
    let workshops = workshops::list(&ctx.state.db)
        .await?
        .into_iter()
        .map(|w| Row {
            id: w.id,
            title: w.title,
            held_on: crate::web::show_iso_day(ctx, &w.held_on),
            organisation: w.organisation,
            country: w.country,
            playbooks: w.playbooks.len(),
            participants: w.participants,
        })
        .collect();
    let f = FormParts::new(ctx, form, error).await?;
    let t = ListPage {
        page: Page::new(ctx, &ctx.t("workshop.title")),
        workshops,
        f,
    };
    Ok((form_status(&t.f), Html(t.render()?)).into_response())
}

pub async fn list(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let form = Workshop {
        locale: ctx.locale.clone(),
        held_on: crate::web::today(&ctx),
        ..Workshop::default()
    };
    list_page(&ctx, None, form).await
}

/// A workshop from the form, and whether it is valid.
async fn read_form(ctx: &Ctx, body: &Bytes) -> Result<(Workshop, bool), AppError> {
    let f = form_pairs(body)?;
    let known = Catalog::load(Some(&ctx.state.dir)).ids();
    let training_id = one(&f, "training").parse::<i64>().ok();
    let w = Workshop {
        title: one(&f, "title").to_string(),
        held_on: one(&f, "held_on").to_string(),
        organisation: one(&f, "organisation").to_string(),
        country: one(&f, "country").to_uppercase(),
        locale: one(&f, "locale").to_string(),
        // In the order the catalog lists them (the launch order).
        playbooks: {
            let chosen = many(&f, "playbooks");
            known
                .iter()
                .filter(|id| chosen.contains(id))
                .cloned()
                .collect()
        },
        training_id,
        notes: one(&f, "notes").to_string(),
        ..Workshop::default()
    };
    let training_ok = match training_id {
        None => one(&f, "training").is_empty(),
        Some(id) => training::event(&ctx.state.db, id).await?.is_some(),
    };
    let ok = !w.title.is_empty()
        && w.title.chars().count() <= 200
        && crate::web::is_iso_date(&w.held_on)
        && w.organisation.chars().count() <= 200
        && (w.country.is_empty() || crate::countries::is_country(&w.country))
        && BUNDLED_LOCALES.contains(&w.locale.as_str())
        && !w.playbooks.is_empty()
        && w.notes.chars().count() <= 10_000
        && training_ok;
    Ok((w, ok))
}

pub async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Outreach)?;
    let (w, ok) = read_form(&ctx, &body).await?;
    if !ok {
        return list_page(&ctx, Some(ctx.t("workshop.error.form")), w).await;
    }
    let id = workshops::add(&ctx.state.db, &ctx.actor(), &w).await?;
    Ok(Redirect::to(&format!("/workshops/{id}?notice=workshop_saved")).into_response())
}

#[derive(Template)]
#[template(path = "playbooks/workshop_edit.html")]
struct EditPage {
    page: Page,
    f: FormParts,
}

async fn edit_page(ctx: &Ctx, w: Workshop, error: Option<String>) -> Result<Response, AppError> {
    let f = FormParts::new(ctx, w, error).await?;
    let t = EditPage {
        page: Page::new(ctx, &ctx.t("workshop.edit")),
        f,
    };
    Ok((form_status(&t.f), Html(t.render()?)).into_response())
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let w = load(&ctx, id).await?;
    edit_page(&ctx, w, None).await
}

/// Saves the workshop's details (its notes and participants have their own forms).
pub async fn update(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let stored = load(&ctx, id).await?;
    let (mut w, ok) = read_form(&ctx, &body).await?;
    w.id = id;
    w.notes = stored.notes;
    if !ok {
        return edit_page(&ctx, w, Some(ctx.t("workshop.error.form"))).await;
    }
    workshops::update(&ctx.state.db, &ctx.actor(), &w).await?;
    Ok(Redirect::to(&format!("/workshops/{id}?notice=workshop_saved")).into_response())
}

async fn load(ctx: &Ctx, id: i64) -> Result<Workshop, AppError> {
    ctx.require(Permission::Outreach)?;
    workshops::get(&ctx.state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "playbooks/workshop.html")]
struct DetailPage {
    page: Page,
    w: Workshop,
    held_on: String,
    language: String,
    playbooks: Vec<Choice>,
    training: Option<Choice>,
    participants: Vec<Participant>,
    error: Option<String>,
    screens: usize,
}

/// The playbooks of a workshop, as the catalog has them now (a removed local one is skipped).
fn playbooks_of<'a>(catalog: &'a Catalog, w: &Workshop) -> Vec<&'a super::Playbook> {
    w.playbooks
        .iter()
        .filter_map(|id| catalog.get(id, &w.locale))
        .collect()
}

async fn detail_page(ctx: &Ctx, w: Workshop, error: Option<String>) -> Result<Response, AppError> {
    let catalog = Catalog::load(Some(&ctx.state.dir));
    let chosen = playbooks_of(&catalog, &w);
    let training = match w.training_id {
        Some(id) => training::event(&ctx.state.db, id).await?.map(|e| Choice {
            code: e.id.to_string(),
            label: e.title,
        }),
        None => None,
    };
    let participants = workshops::participants(&ctx.state.db, &ctx.state.keys, w.id).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = DetailPage {
        page: Page::new(ctx, &w.title),
        screens: deck(&catalog, &w, &ctx.locale).len(),
        language: i18n::native_name(&w.locale),
        held_on: crate::web::show_iso_day(ctx, &w.held_on),
        playbooks: chosen
            .iter()
            .map(|p| Choice {
                code: p.id.clone(),
                label: p.title.clone(),
            })
            .collect(),
        training,
        participants,
        error,
        w,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let w = load(&ctx, id).await?;
    detail_page(&ctx, w, None).await
}

pub async fn save_notes(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let w = load(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let notes = one(&f, "notes");
    if notes.chars().count() > 10_000 {
        return detail_page(&ctx, w, Some(ctx.t("workshop.error.notes"))).await;
    }
    workshops::set_notes(&ctx.state.db, &ctx.actor(), id, notes).await?;
    Ok(Redirect::to(&format!("/workshops/{id}?notice=workshop_saved#notes")).into_response())
}

pub async fn add_participant(
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let w = load(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let email = one(&f, "email");
    let p = Participant {
        name: one(&f, "name").to_string(),
        email: (!email.is_empty()).then(|| email.to_string()),
        organisation: one(&f, "organisation").to_string(),
        role: one(&f, "role").to_string(),
        ..Participant::default()
    };
    let ok = !p.name.is_empty()
        && p.name.chars().count() <= 200
        && p.organisation.chars().count() <= 200
        && p.role.chars().count() <= 200
        && p.email
            .as_deref()
            .is_none_or(|e| crate::auth::users::check_email(e).is_ok());
    if !ok {
        return detail_page(&ctx, w, Some(ctx.t("workshop.error.participant"))).await;
    }
    workshops::add_participant(&ctx.state.db, &ctx.state.keys, &ctx.actor(), id, &p).await?;
    Ok(Redirect::to(&format!(
        "/workshops/{id}?notice=workshop_saved#participants"
    ))
    .into_response())
}

pub async fn remove_participant(
    ctx: Ctx,
    Path((id, participant)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    load(&ctx, id).await?;
    if !workshops::remove_participant(&ctx.state.db, &ctx.actor(), id, participant).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/workshops/{id}#participants")).into_response())
}

/// One screen of the presentation.
pub struct Screen {
    /// The playbook's title (empty on the opening screen).
    pub playbook: String,
    /// The section's title (empty on a title screen).
    pub section: String,
    /// The step's title inside the section, if the section has steps (already HTML).
    pub step: String,
    /// The body (already HTML from the Markdown renderer).
    pub html: String,
    /// A title screen: the workshop's opening or a playbook's first screen.
    pub title_screen: bool,
    pub lines: Vec<String>,
}

/// The workshop's date as its own language writes it (for the screens and the handout).
fn held_on_in(w: &Workshop) -> String {
    i18n::dates::iso_day(&w.locale, &w.held_on)
}

/// The whole presentation: an opening screen, then for each playbook a title screen and a
/// screen per section (or per step, in sections that have steps).
fn deck(catalog: &Catalog, w: &Workshop, ui_locale: &str) -> Vec<Screen> {
    let mut out = Vec::new();
    let chosen = playbooks_of(catalog, w);
    let mut opening = vec![held_on_in(w)];
    if !w.organisation.is_empty() {
        opening.push(w.organisation.clone());
    }
    out.push(Screen {
        playbook: String::new(),
        section: w.title.clone(),
        step: String::new(),
        html: String::new(),
        title_screen: true,
        lines: opening
            .into_iter()
            .chain(chosen.iter().map(|p| p.title.clone()))
            .collect(),
    });
    for p in chosen {
        let view = View::new(catalog, p, ui_locale);
        out.push(Screen {
            playbook: String::new(),
            section: view.title.clone(),
            step: String::new(),
            html: String::new(),
            title_screen: true,
            lines: vec![view.estimated_time.clone(), view.audience.clone()],
        });
        for s in &view.rendered.sections {
            for (step, html) in render::screens(s) {
                out.push(Screen {
                    playbook: view.title.clone(),
                    section: s.title.clone(),
                    step,
                    html,
                    title_screen: false,
                    lines: Vec::new(),
                });
            }
        }
    }
    out
}

#[derive(Deserialize)]
pub struct ScreenQuery {
    #[serde(default = "first")]
    s: usize,
}

fn first() -> usize {
    1
}

#[derive(Template)]
#[template(path = "playbooks/present.html")]
struct PresentPage {
    locale: String,
    ui_locale: String,
    dir: &'static str,
    id: i64,
    n: usize,
    total: usize,
    screen: Screen,
    title: String,
}

impl PresentPage {
    fn t(&self, key: &str) -> String {
        i18n::tr(&self.ui_locale, key)
    }
}

pub async fn present(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ScreenQuery>,
) -> Result<Response, AppError> {
    let w = load(&ctx, id).await?;
    let catalog = Catalog::load(Some(&ctx.state.dir));
    let mut screens = deck(&catalog, &w, &w.locale);
    let total = screens.len();
    if q.s == 0 || q.s > total {
        return Err(AppError::NotFound);
    }
    let screen = screens.swap_remove(q.s - 1);
    let t = PresentPage {
        locale: w.locale.clone(),
        ui_locale: ctx.locale.clone(),
        dir: i18n::direction(&w.locale),
        id,
        n: q.s,
        total,
        title: w.title,
        screen,
    };
    Ok(Html(t.render()?).into_response())
}

/// The participants' handout: the workshop's playbooks in its language, in one file.
pub async fn handout(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let w = load(&ctx, id).await?;
    let catalog = Catalog::load(Some(&ctx.state.dir));
    let chosen = playbooks_of(&catalog, &w);
    let mut intro = vec![w.title.clone(), held_on_in(&w)];
    if !w.organisation.is_empty() {
        intro.push(w.organisation.clone());
    }
    let html = super::export::handout_with(
        &catalog,
        &chosen,
        &w.locale,
        &super::pages::exporter(&ctx),
        &intro,
    )?;
    let name = format!("workshop-{}-{}.html", w.id, w.held_on);
    Ok(crate::web::attachment(
        "text/html; charset=utf-8",
        &name,
        html,
    ))
}
