//! The advocate console: start a contact in one click, record it with a keyboard-friendly
//! form, the queue of tips, texts and missed calls, the contact list and a contact's page.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store::{self, Contact, Edit, Filter, Listed, NewContact, SaveError};
use super::{alerts, sms, vocab};
use crate::audit::{self, Event};
use crate::auth::Permission;
use crate::db::now;
use crate::error::AppError;
use crate::settings::{self, Operations};
use crate::web::{format_duration, show_time, Ctx, Page};

/// A code and its label, for selects and checkboxes.
pub struct Opt {
    pub code: String,
    pub label: String,
}

/// Options from a list of codes, labelled by the locale keys `<prefix>.<code>`.
pub fn opts(ctx: &Ctx, list: &[&str], prefix: &str) -> Vec<Opt> {
    list.iter()
        .map(|c| Opt {
            code: c.to_string(),
            label: ctx.t(&format!("{prefix}.{c}")),
        })
        .collect()
}

/// The regions of this deployment: the country's bundled list plus the admin's additions.
pub fn regions(ctx: &Ctx, ops: &Operations) -> Vec<Opt> {
    let country = &ctx.state.config.hotline.country;
    let mut out: Vec<Opt> = settings::bundled_regions(country)
        .into_iter()
        .map(|code| Opt {
            label: ctx.t(&format!("region.{country}.{code}")),
            code,
        })
        .collect();
    out.extend(ops.regions.iter().map(|c| Opt {
        code: c.code.clone(),
        label: c.label_in(&ctx.locale).to_string(),
    }));
    out
}

pub fn heard_about(ctx: &Ctx, ops: &Operations) -> Vec<Opt> {
    let mut out = opts(ctx, settings::HEARD_ABOUT, "heard_about");
    out.extend(ops.heard_about.iter().map(|c| Opt {
        code: c.code.clone(),
        label: c.label_in(&ctx.locale).to_string(),
    }));
    out
}

/// Languages offered for a contact: the hotline's own, then those often interpreted.
fn languages(ctx: &Ctx) -> Vec<Opt> {
    let primary = |c: &str| c.split('-').next().unwrap_or(c).to_string();
    let mut codes: Vec<String> = ctx.state.config.hotline.locales.clone();
    for c in vocab::INTERPRETER_LANGUAGES {
        // Chinese is offered once, as the hotline's zh-Hans if it has it.
        if !codes.iter().any(|x| primary(x) == *c) {
            codes.push(c.to_string());
        }
    }
    codes
        .into_iter()
        .map(|code| Opt {
            label: language_label(ctx, &code),
            code,
        })
        .collect()
}

/// A language's name in the reader's language: `language_name.<code>`, else the name of its
/// main language (`zh-Hans` → Chinese), else the language's own name (a language the
/// hotline added itself).
pub fn language_label(ctx: &Ctx, code: &str) -> String {
    let primary = code.split('-').next().unwrap_or(code);
    [code, primary]
        .iter()
        .map(|c| format!("language_name.{c}"))
        .find(|k| crate::i18n::has_key(k))
        .map(|k| ctx.t(&k))
        .unwrap_or_else(|| crate::i18n::native_name(code))
}

pub fn label_of(opts: &[Opt], code: &Option<String>) -> String {
    code.as_deref()
        .and_then(|c| opts.iter().find(|o| o.code == c))
        .map(|o| o.label.clone())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- the console

#[derive(Template)]
#[template(path = "intake/console.html")]
struct ConsolePage {
    page: Page,
    channels: Vec<Opt>,
    queue: Vec<Row>,
    mine: Vec<Row>,
}

/// A listed contact, ready to show.
pub struct Row {
    pub id: i64,
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub started: String,
    pub duration: String,
    pub kind: String,
    pub region: String,
    pub language: String,
    pub advocate: String,
    pub outcome: String,
    pub crisis: bool,
}

fn rows(ctx: &Ctx, ops: &Operations, list: Vec<Listed>) -> Vec<Row> {
    let regions = regions(ctx, ops);
    list.into_iter()
        .map(|l| Row {
            id: l.id,
            reference: l.reference,
            channel: ctx.t(&format!("contact.channel.{}", l.channel)),
            status: ctx.t(&format!("contact.status.{}", l.status)),
            started: show_time(ctx, l.started_at),
            duration: l.duration_seconds.map(format_duration).unwrap_or_default(),
            kind: l
                .contact_type
                .as_deref()
                .map(|t| ctx.t(&format!("contact.type.{t}")))
                .unwrap_or_default(),
            region: label_of(&regions, &l.region),
            language: l
                .language
                .as_deref()
                .map(|c| language_label(ctx, c))
                .unwrap_or_default(),
            advocate: l.advocate_name.unwrap_or_default(),
            outcome: l
                .call_outcome
                .as_deref()
                .map(|o| ctx.t(&format!("contact.outcome.{o}")))
                .unwrap_or_default(),
            crisis: l.crisis_alerted,
        })
        .collect()
}

pub async fn console(ctx: Ctx) -> Result<Html<String>, AppError> {
    let user = ctx.require(Permission::EditContacts)?;
    let db = &ctx.state.db;
    let keys = &ctx.state.keys;
    let ops = settings::load(db).await?;
    let queue = store::list(
        db,
        keys,
        &Filter {
            status: Some("queued".into()),
            oldest_first: true,
            ..Filter::default()
        },
        100,
        0,
    )
    .await?;
    let mine = store::list(
        db,
        keys,
        &Filter {
            status: Some("open".into()),
            advocate_id: Some(user.id),
            ..Filter::default()
        },
        50,
        0,
    )
    .await?;
    let t = ConsolePage {
        page: Page::new(&ctx, &ctx.t("console.title")),
        channels: opts(&ctx, vocab::CHANNELS, "contact.channel"),
        queue: rows(&ctx, &ops, queue),
        mine: rows(&ctx, &ops, mine),
    };
    Ok(Html(t.render()?))
}

#[derive(Deserialize)]
pub struct StartForm {
    channel: String,
}

/// `POST /contacts/start`: one click opens a new contact with its timer running.
pub async fn start(ctx: Ctx, Form(f): Form<StartForm>) -> Result<Response, AppError> {
    ctx.require(Permission::EditContacts)?;
    if !vocab::is_one_of(vocab::CHANNELS, &f.channel) {
        return Err(AppError::BadRequest("error.bad_request"));
    }
    let (id, _) = store::create(
        &ctx.state.db,
        &ctx.state.keys,
        &ctx.actor(),
        NewContact {
            channel: f.channel,
            status: "open".into(),
            started_at: now(),
            advocate_id: ctx.user.as_ref().map(|u| u.id),
            anonymous: true,
            ..NewContact::default()
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/contacts/{id}/edit")).into_response())
}

/// `POST /contacts/{id}/claim`: take a queued contact.
pub async fn claim(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::EditContacts)?;
    if store::claim(&ctx.state.db, &ctx.actor(), id).await? {
        Ok(Redirect::to(&format!("/contacts/{id}/edit")).into_response())
    } else {
        // Someone was quicker: say so rather than silently opening their contact.
        Ok(Redirect::to(&format!("/contacts/{id}?notice=already_taken")).into_response())
    }
}

// ---------------------------------------------------------------- the form

/// The form's values exactly as typed, so nothing is lost when it must be shown again.
#[derive(Default, Clone)]
pub struct Values {
    pub map: HashMap<String, String>,
    pub flags: Vec<String>,
}

impl Values {
    fn from_pairs(pairs: Vec<(String, String)>) -> Values {
        let mut v = Values::default();
        for (k, val) in pairs {
            if k == "red_flags" {
                v.flags.push(val);
            } else {
                v.map.insert(k, val);
            }
        }
        v
    }

    fn from_contact(c: &Contact) -> Values {
        let mut m = HashMap::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                m.insert(k.to_string(), v.to_string());
            }
        };
        put("channel", Some(&c.channel));
        put("language", c.language.as_deref());
        put("interpreter_language", c.interpreter_language.as_deref());
        put("contact_type", c.contact_type.as_deref());
        put(
            "non_substantive_outcome",
            c.non_substantive_outcome.as_deref(),
        );
        put("signaler_role", c.signaler_role.as_deref());
        put("region", c.region.as_deref());
        put("heard_about", c.heard_about.as_deref());
        put("name", c.name.as_deref());
        put("phone", c.phone.as_deref());
        put("email", c.email.as_deref());
        put("narrative", c.narrative.as_deref());
        put("safe_contact", c.safe_contact.as_deref());
        put("version", Some(&c.version.to_string()));
        if c.interpreter_used {
            put("interpreter_used", Some("on"));
        }
        if c.anonymous {
            put("anonymous", Some("on"));
        }
        if c.consent_follow_up {
            put("consent_follow_up", Some("on"));
        }
        Values {
            map: m,
            flags: c.red_flags.clone(),
        }
    }

    /// The typed value of `field` (empty when absent).
    pub fn get(&self, field: &str) -> &str {
        self.map.get(field).map(String::as_str).unwrap_or("")
    }

    pub fn is(&self, field: &str, code: &str) -> bool {
        self.get(field) == code
    }

    pub fn checked(&self, field: &str) -> bool {
        !self.get(field).is_empty()
    }

    pub fn flagged(&self, code: &str) -> bool {
        self.flags.iter().any(|f| f == code)
    }

    fn opt(&self, field: &str) -> Option<String> {
        let v = self.get(field).trim();
        (!v.is_empty()).then(|| v.to_string())
    }
}

/// Checks the form; each problem names its field and a locale key.
fn validate(
    ctx: &Ctx,
    ops: &Operations,
    v: &Values,
) -> Result<Edit, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let mut code = |field: &'static str, allowed: &[String]| -> Option<String> {
        let value = v.opt(field)?;
        if allowed.contains(&value) {
            Some(value)
        } else {
            errors.push((field, "contact.error.choice"));
            None
        }
    };
    let owned = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let channel = code("channel", &owned(vocab::CHANNELS));
    let langs: Vec<String> = languages(ctx).into_iter().map(|o| o.code).collect();
    let language = code("language", &langs);
    let interpreter_language = code("interpreter_language", &langs);
    let contact_type = code("contact_type", &owned(vocab::TYPES));
    let non_substantive_outcome = code("non_substantive_outcome", &owned(vocab::NON_SUBSTANTIVE));
    let signaler_role = code("signaler_role", &owned(vocab::SIGNALER_ROLES));
    let region_codes: Vec<String> = regions(ctx, ops).into_iter().map(|o| o.code).collect();
    let region = code("region", &region_codes);
    let heard_codes: Vec<String> = heard_about(ctx, ops).into_iter().map(|o| o.code).collect();
    let heard = code("heard_about", &heard_codes);
    if channel.is_none() && !errors.iter().any(|(f, _)| *f == "channel") {
        errors.push(("channel", "contact.error.channel"));
    }
    if contact_type.as_deref() == Some("non_substantive") && non_substantive_outcome.is_none() {
        errors.push(("non_substantive_outcome", "contact.error.outcome_needed"));
    }
    for f in &v.flags {
        if !vocab::is_one_of(vocab::RED_FLAGS, f) {
            errors.push(("red_flags", "contact.error.choice"));
        }
    }
    if let Some(p) = v.opt("phone") {
        if crate::config::validate_phone(&p, false).is_err() {
            errors.push(("phone", "contact.error.phone"));
        }
    }
    if let Some(e) = v.opt("email") {
        if crate::auth::users::check_email(&e).is_err() {
            errors.push(("email", "contact.error.email"));
        }
    }
    for (field, max) in [
        ("narrative", 20_000),
        ("name", 200),
        ("safe_contact", 1_000),
    ] {
        if v.get(field).chars().count() > max {
            errors.push((field, "contact.error.too_long"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let non_substantive_outcome = if contact_type.as_deref() == Some("non_substantive") {
        non_substantive_outcome
    } else {
        None
    };
    Ok(Edit {
        channel: channel.unwrap_or_else(|| "other".into()),
        language,
        interpreter_used: v.checked("interpreter_used"),
        interpreter_language: if v.checked("interpreter_used") {
            interpreter_language
        } else {
            None
        },
        contact_type,
        non_substantive_outcome,
        signaler_role,
        region,
        heard_about: heard,
        anonymous: v.checked("anonymous"),
        consent_follow_up: v.checked("consent_follow_up"),
        red_flags: vocab::RED_FLAGS
            .iter()
            .filter(|f| v.flagged(f))
            .map(|f| f.to_string())
            .collect(),
        name: v.opt("name"),
        phone: v.opt("phone"),
        email: v.opt("email"),
        narrative: v.opt("narrative"),
        safe_contact: v.opt("safe_contact"),
        close: v.get("action") == "close",
    })
}

#[derive(Template)]
#[template(path = "intake/edit.html")]
struct EditPage {
    page: Page,
    id: i64,
    reference: String,
    started_at: i64,
    started: String,
    running: bool,
    values: Values,
    errors: Vec<(String, String)>,
    conflict: bool,
    channels: Vec<Opt>,
    types: Vec<Opt>,
    outcomes: Vec<Opt>,
    roles: Vec<Opt>,
    regions: Vec<Opt>,
    heard: Vec<Opt>,
    languages: Vec<Opt>,
    flags: Vec<Opt>,
    alerted: bool,
}

impl EditPage {
    /// The message for `field`, if it has one.
    pub fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }
}

#[allow(clippy::too_many_arguments)]
fn edit_page(
    ctx: &Ctx,
    ops: &Operations,
    c: &Contact,
    values: Values,
    errors: Vec<(&'static str, &'static str)>,
    conflict: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = EditPage {
        page: Page::new(ctx, &ctx.t("contact.edit_title")),
        id: c.id,
        reference: c.reference.clone(),
        started_at: c.started_at,
        started: show_time(ctx, c.started_at),
        running: c.ended_at.is_none() && c.status != "closed",
        values,
        errors: errors
            .into_iter()
            .map(|(f, k)| (f.to_string(), ctx.t(k)))
            .collect(),
        conflict,
        channels: opts(ctx, vocab::CHANNELS, "contact.channel"),
        types: opts(ctx, vocab::TYPES, "contact.type"),
        outcomes: opts(ctx, vocab::NON_SUBSTANTIVE, "contact.non_substantive"),
        roles: opts(ctx, vocab::SIGNALER_ROLES, "contact.role"),
        regions: regions(ctx, ops),
        heard: heard_about(ctx, ops),
        languages: languages(ctx),
        flags: opts(ctx, vocab::RED_FLAGS, "contact.flag"),
        alerted: c.supervisor_alerted_at.is_some(),
    };
    Ok((status, Html(t.render()?)).into_response())
}

async fn load(ctx: &Ctx, id: i64) -> Result<Contact, AppError> {
    store::get(&ctx.state.db, &ctx.state.keys, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn audit_view(ctx: &Ctx, id: i64) -> Result<(), AppError> {
    audit::record_now(
        &ctx.state.db,
        &ctx.actor(),
        Event::new("contact.view").target("contact", id),
    )
    .await?;
    Ok(())
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::EditContacts)?;
    let c = load(&ctx, id).await?;
    audit_view(&ctx, id).await?;
    let ops = settings::load(&ctx.state.db).await?;
    edit_page(
        &ctx,
        &ops,
        &c,
        Values::from_contact(&c),
        Vec::new(),
        false,
        StatusCode::OK,
    )
}

/// `POST /contacts/{id}`: saves the form. On any problem the form comes back with every
/// typed value; a save over someone else's newer save is refused, never merged silently.
pub async fn save(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::EditContacts)?;
    let pairs = crate::web::form::form_pairs(&body)?;
    let values = Values::from_pairs(pairs);
    let c = load(&ctx, id).await?;
    let ops = settings::load(&ctx.state.db).await?;
    let version: i64 = values.get("version").parse().unwrap_or(-1);
    // A crisis reaches the supervisors even when the form itself cannot be saved yet
    // (a typo, or a colleague's newer save): lives come before paperwork.
    let wants_alert = values.get("action") == "alert"
        || (values.get("contact_type") == "crisis" && c.supervisor_alerted_at.is_none());
    let mut alerted = None;
    if wants_alert {
        let n = alerts::raise(
            &ctx.state.db,
            &ctx.actor(),
            id,
            &ctx.state.config.hotline.timezone,
        )
        .await?;
        alerted = Some(n);
    }
    let edit = match validate(&ctx, &ops, &values) {
        Ok(e) => e,
        Err(mut errors) => {
            if alerted == Some(0) {
                errors.insert(0, ("contact_type", "notice.no_supervisor"));
            }
            // Reloaded after an alert, so that the form shows it was sent.
            let c = if wants_alert {
                load(&ctx, id).await?
            } else {
                c
            };
            return edit_page(
                &ctx,
                &ops,
                &c,
                values,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let saved = store::update(
        &ctx.state.db,
        &ctx.state.keys,
        &ctx.actor(),
        id,
        version,
        &edit,
    )
    .await;
    match saved {
        Ok(_) => {}
        Err(SaveError::Conflict) => {
            let c = load(&ctx, id).await?;
            let mut values = values;
            // Keep what this advocate typed, but against the newest version.
            values.map.insert("version".into(), c.version.to_string());
            return edit_page(
                &ctx,
                &ops,
                &c,
                values,
                Vec::new(),
                true,
                StatusCode::CONFLICT,
            );
        }
        Err(SaveError::NotFound) => return Err(AppError::NotFound),
        Err(SaveError::Db(e)) => return Err(e.into()),
    }
    let to = if alerted == Some(0) {
        format!("/contacts/{id}/edit?notice=no_supervisor")
    } else if edit.close {
        format!("/contacts/{id}?notice=contact_closed")
    } else if alerted.is_some() {
        format!("/contacts/{id}/edit?notice=supervisor_alerted")
    } else {
        format!("/contacts/{id}/edit?notice=contact_saved")
    };
    Ok(Redirect::to(&to).into_response())
}

// ---------------------------------------------------------------- list and detail

#[derive(Deserialize, Default)]
pub struct ListQuery {
    from: Option<String>,
    to: Option<String>,
    channel: Option<String>,
    contact_type: Option<String>,
    advocate: Option<String>,
    region: Option<String>,
    language: Option<String>,
    status: Option<String>,
    q: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "intake/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    query: ListQueryView,
    channels: Vec<Opt>,
    types: Vec<Opt>,
    regions: Vec<Opt>,
    languages: Vec<Opt>,
    advocates: Vec<Opt>,
    statuses: Vec<Opt>,
    page_no: i64,
    has_more: bool,
    next_link: String,
    prev_link: String,
}

/// The filters as typed, for showing them again.
#[derive(Default)]
pub struct ListQueryView {
    pub from: String,
    pub to: String,
    pub channel: String,
    pub contact_type: String,
    pub advocate: String,
    pub region: String,
    pub language: String,
    pub status: String,
    pub q: String,
}

/// `YYYY-MM-DD`, `plus_days` later, at local midnight → Unix seconds.
fn local_day(ctx: &Ctx, s: &str, plus_days: i64) -> Option<i64> {
    crate::web::local_timestamp(ctx, s, plus_days, jiff::civil::Time::midnight())
}

const PAGE_SIZE: i64 = 50;

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ViewContacts)?;
    let db = &ctx.state.db;
    let ops = settings::load(db).await?;
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let filter = Filter {
        from: q.from.as_deref().and_then(|d| local_day(&ctx, d, 0)),
        to: q.to.as_deref().and_then(|d| local_day(&ctx, d, 1)),
        channel: nonempty(&q.channel),
        contact_type: nonempty(&q.contact_type),
        advocate_id: q.advocate.as_deref().and_then(|a| a.parse().ok()),
        region: nonempty(&q.region),
        language: nonempty(&q.language),
        status: nonempty(&q.status),
        q: nonempty(&q.q),
        oldest_first: false,
    };
    if filter.q.is_some() {
        // Looking someone up by phone or email is itself a sensitive act.
        audit::record_now(db, &ctx.actor(), Event::new("contact.search")).await?;
    }
    let page_no = q.page.unwrap_or(1).max(1);
    let mut found = store::list(
        db,
        &ctx.state.keys,
        &filter,
        PAGE_SIZE + 1,
        (page_no - 1) * PAGE_SIZE,
    )
    .await?;
    let has_more = found.len() as i64 > PAGE_SIZE;
    found.truncate(PAGE_SIZE as usize);
    let advocates = crate::auth::users::list(db)
        .await?
        .into_iter()
        .filter(|u| crate::auth::allows(u.role, Permission::EditContacts))
        .map(|u| Opt {
            code: u.id.to_string(),
            label: u.display_name,
        })
        .collect();
    let view = ListQueryView {
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        channel: q.channel.clone().unwrap_or_default(),
        contact_type: q.contact_type.clone().unwrap_or_default(),
        advocate: q.advocate.clone().unwrap_or_default(),
        region: q.region.clone().unwrap_or_default(),
        language: q.language.clone().unwrap_or_default(),
        status: q.status.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
    };
    let link = |p: i64| {
        let pairs = [
            ("from", &view.from),
            ("to", &view.to),
            ("channel", &view.channel),
            ("contact_type", &view.contact_type),
            ("advocate", &view.advocate),
            ("region", &view.region),
            ("language", &view.language),
            ("status", &view.status),
            ("q", &view.q),
        ];
        let mut s: String = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}&", crate::error::urlencode(v)))
            .collect();
        s.push_str(&format!("page={p}"));
        format!("/contacts?{s}")
    };
    let t = ListPage {
        page: Page::new(&ctx, &ctx.t("contact.list_title")),
        rows: rows(&ctx, &ops, found),
        next_link: link(page_no + 1),
        prev_link: link(page_no - 1),
        query: view,
        channels: opts(&ctx, vocab::CHANNELS, "contact.channel"),
        types: opts(&ctx, vocab::TYPES, "contact.type"),
        regions: regions(&ctx, &ops),
        languages: languages(&ctx),
        advocates,
        statuses: opts(&ctx, vocab::STATUSES, "contact.status"),
        page_no,
        has_more,
    };
    Ok(Html(t.render()?))
}

/// A labelled value of the detail page.
pub struct Field {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "intake/detail.html")]
struct DetailPage {
    page: Page,
    id: i64,
    reference: String,
    fields: Vec<Field>,
    identity: Vec<Field>,
    narrative: String,
    flags: Vec<String>,
    earlier: Vec<Row>,
    alerts: Vec<Field>,
    can_edit: bool,
    queued: bool,
    thread: Option<sms::Thread>,
    case_id: Option<i64>,
    can_open_case: bool,
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ViewContacts)?;
    let db = &ctx.state.db;
    let c = load(&ctx, id).await?;
    audit_view(&ctx, id).await?;
    let ops = settings::load(db).await?;
    let yes_no = |b: bool| ctx.t(if b { "form.yes" } else { "form.no" });
    let code = |prefix: &str, v: &Option<String>| {
        v.as_deref()
            .map(|c| ctx.t(&format!("{prefix}.{c}")))
            .unwrap_or_default()
    };
    let mut fields = vec![
        Field {
            label: ctx.t("contact.field.channel"),
            value: ctx.t(&format!("contact.channel.{}", c.channel)),
        },
        Field {
            label: ctx.t("contact.field.status"),
            value: ctx.t(&format!("contact.status.{}", c.status)),
        },
        Field {
            label: ctx.t("contact.field.started"),
            value: show_time(&ctx, c.started_at),
        },
        Field {
            label: ctx.t("contact.field.duration"),
            value: c.duration_seconds.map(format_duration).unwrap_or_default(),
        },
        Field {
            label: ctx.t("contact.field.type"),
            value: code("contact.type", &c.contact_type),
        },
        Field {
            label: ctx.t("contact.field.outcome"),
            value: code("contact.non_substantive", &c.non_substantive_outcome),
        },
        Field {
            label: ctx.t("contact.field.call_outcome"),
            value: code("contact.outcome", &c.call_outcome),
        },
        Field {
            label: ctx.t("contact.field.role"),
            value: code("contact.role", &c.signaler_role),
        },
        Field {
            label: ctx.t("contact.field.region"),
            value: label_of(&regions(&ctx, &ops), &c.region),
        },
        Field {
            label: ctx.t("contact.field.language"),
            value: c
                .language
                .as_deref()
                .map(|l| language_label(&ctx, l))
                .unwrap_or_default(),
        },
        Field {
            label: ctx.t("contact.field.interpreter"),
            value: if c.interpreter_used {
                code("language_name", &c.interpreter_language)
            } else {
                yes_no(false)
            },
        },
        Field {
            label: ctx.t("contact.field.heard_about"),
            value: label_of(&heard_about(&ctx, &ops), &c.heard_about),
        },
        Field {
            label: ctx.t("contact.field.advocate"),
            value: c.advocate_name.clone().unwrap_or_default(),
        },
    ];
    fields.retain(|f| !f.value.is_empty());
    let identity: Vec<Field> = [
        ("contact.field.anonymous", Some(yes_no(c.anonymous))),
        ("contact.field.name", c.name.clone()),
        ("contact.field.phone", c.phone.clone()),
        ("contact.field.email", c.email.clone()),
        ("contact.field.consent", Some(yes_no(c.consent_follow_up))),
        ("contact.field.safe_contact", c.safe_contact.clone()),
        ("contact.field.voicemail", c.voicemail.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.map(|value| Field {
            label: ctx.t(k),
            value,
        })
    })
    .collect();
    let earlier = store::same_signaler(db, &c).await?;
    let alerts = alerts::for_contact(db, id)
        .await?
        .into_iter()
        .map(|(name, at, seen)| Field {
            label: name,
            value: match seen {
                Some(s) => crate::i18n::tr_with(
                    &ctx.locale,
                    "crisis.alerted_seen",
                    &[("at", &show_time(&ctx, at)), ("seen", &show_time(&ctx, s))],
                ),
                None => crate::i18n::tr_with(
                    &ctx.locale,
                    "crisis.alerted_at",
                    &[("at", &show_time(&ctx, at))],
                ),
            },
        })
        .collect();
    let thread = if c.channel == "sms" {
        sms::thread_for_contact(&ctx, &c).await?
    } else {
        None
    };
    let t = DetailPage {
        page: Page::new(&ctx, &ctx.t("contact.detail_title")),
        id,
        reference: c.reference.clone(),
        fields,
        identity,
        narrative: c.narrative.clone().unwrap_or_default(),
        flags: c
            .red_flags
            .iter()
            .map(|f| ctx.t(&format!("contact.flag.{f}")))
            .collect(),
        earlier: rows(&ctx, &ops, earlier),
        alerts,
        can_edit: ctx.can(Permission::EditContacts),
        queued: c.status == "queued",
        thread,
        case_id: c.case_id,
        can_open_case: ctx.can(Permission::WorkCases),
    };
    Ok(Html(t.render()?))
}
