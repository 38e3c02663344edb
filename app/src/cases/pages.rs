//! Case pages: the list, a case's page, its form, and the work recorded on it.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::store::{self, Case, Edit, Person, SaveError};
use super::vocab;
use crate::audit::{self, Event};
use crate::auth::users::{self, User};
use crate::auth::{allows, Permission};
use crate::error::AppError;
use crate::intake::console::{label_of, opts, regions, Opt};
use crate::settings::{self, Operations};
use crate::web::form::{form_pairs, many, one};
use crate::web::{show_time, Ctx, Page};

/// The typology plus the country's own venues and the admin's additions.
fn venues(ctx: &Ctx, ops: &Operations) -> Vec<Opt> {
    let country = &ctx.state.config.hotline.country;
    let mut out = opts(ctx, vocab::VENUES, "case.venue");
    out.extend(vocab::country_venues(country).iter().map(|c| Opt {
        code: c.to_string(),
        label: ctx.t(&format!("case.venue_country.{country}.{c}")),
    }));
    out.extend(ops.venues.iter().map(|c| Opt {
        code: c.code.clone(),
        label: c.label_in(&ctx.locale).to_string(),
    }));
    out
}

async fn visible(ctx: &Ctx, id: i64) -> Result<(User, Case), AppError> {
    let user = ctx.require(Permission::WorkCases)?.clone();
    let case = store::get_visible(&ctx.state.db, &ctx.state.keys, &user, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((user, case))
}

// ---------------------------------------------------------------- list

pub struct Row {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub kind: String,
    pub region: String,
    pub assigned: String,
    pub updated: String,
    pub crisis: bool,
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    statuses: Vec<Opt>,
    status: String,
    mine: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    mine: Option<String>,
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Html<String>, AppError> {
    let user = ctx.require(Permission::WorkCases)?.clone();
    let ops = settings::load(&ctx.state.db).await?;
    let status = q.status.filter(|s| vocab::STATUSES.contains(&s.as_str()));
    let mine = q.mine.is_some();
    let found = store::list_visible(&ctx.state.db, &user, status.as_deref(), mine, 500).await?;
    let regions = regions(&ctx, &ops);
    let rows = found
        .into_iter()
        .map(|c| Row {
            id: c.id,
            number: c.number,
            status: ctx.t(&format!("case.status.{}", c.status)),
            kind: ctx.t(&format!("case.type.{}", c.case_type)),
            region: label_of(&regions, &c.region),
            assigned: c.assigned_name.unwrap_or_default(),
            updated: show_time(&ctx, c.updated_at),
            crisis: c.crisis,
        })
        .collect();
    let t = ListPage {
        page: Page::new(&ctx, &ctx.t("case.list_title")),
        rows,
        statuses: opts(&ctx, vocab::STATUSES, "case.status"),
        status: status.unwrap_or_default(),
        mine,
    };
    Ok(Html(t.render()?))
}

/// `POST /contacts/{id}/case`: opens a case from a contact (or goes to its case).
pub async fn open_from_contact(
    ctx: Ctx,
    Path(contact_id): Path<i64>,
) -> Result<Response, AppError> {
    ctx.require(Permission::WorkCases)?;
    let cfg = &ctx.state.config.hotline;
    let id = store::create_from_contact(
        &ctx.state.db,
        &ctx.actor(),
        &cfg.country,
        &cfg.timezone,
        contact_id,
    )
    .await
    .map_err(|e| match e {
        crate::db::DbError::Sqlx(sqlx::Error::RowNotFound) => AppError::NotFound,
        other => other.into(),
    })?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

// ---------------------------------------------------------------- a case's page

pub struct Field {
    pub label: String,
    pub value: String,
}

pub struct PersonView {
    pub kind: String,
    pub name: String,
    pub facts: String,
    pub details: String,
}

pub struct NoteView {
    pub author: String,
    pub at: String,
    pub body: String,
}

pub struct TaskView {
    pub id: i64,
    pub title: String,
    pub due: String,
    pub assignee: String,
    pub done: bool,
    pub overdue: bool,
}

pub struct LogView {
    pub at: String,
    pub who: String,
    pub action: String,
}

#[derive(Template)]
#[template(path = "cases/detail.html")]
struct DetailPage {
    page: Page,
    id: i64,
    number: String,
    fields: Vec<Field>,
    indicators: Vec<String>,
    level: String,
    proposed: String,
    override_reason: String,
    summary: String,
    safety_plan: String,
    people: Vec<PersonView>,
    contacts: Vec<(i64, String, String)>,
    notes: Vec<NoteView>,
    tasks: Vec<TaskView>,
    next_statuses: Vec<Opt>,
    closure_reasons: Vec<Opt>,
    case_managers: Vec<Opt>,
    supervise: bool,
    log: Vec<LogView>,
    person_kinds: Vec<Opt>,
    age_bands: Vec<Opt>,
    genders: Vec<Opt>,
    error: Option<String>,
    services: Vec<Field>,
    emergencies: Vec<Field>,
    consents: Vec<ConsentView>,
    reports: Vec<Field>,
    duties: Vec<String>,
    service_types: Vec<Opt>,
    emergency_kinds: Vec<Opt>,
    scopes: Vec<Opt>,
    recipients: Vec<Opt>,
    bases: Vec<Opt>,
    referrals: Vec<ReferralView>,
    referral_kinds: Vec<Opt>,
    referral_statuses: Vec<Opt>,
    partner_services: Vec<Opt>,
    can_override: bool,
    assigned_id: String,
}

pub struct ReferralView {
    pub id: i64,
    pub status_code: String,
    pub title: String,
    pub status: String,
    pub details: String,
}

pub struct ConsentView {
    pub id: i64,
    pub text: String,
    pub active: bool,
}

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let ops = settings::load(&ctx.state.db).await?;
    render_detail(&ctx, &c, &ops, None, StatusCode::OK).await
}

/// The case page again with `msg`, for a form that was refused.
async fn refuse(
    ctx: &Ctx,
    c: &Case,
    msg: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ops = settings::load(&ctx.state.db).await?;
    render_detail(ctx, c, &ops, Some(msg), status).await
}

/// The page of case `c` (already checked visible to the user) with the settings `ops`.
async fn render_detail(
    ctx: &Ctx,
    c: &Case,
    ops: &Operations,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let id = c.id;
    let db = &ctx.state.db;
    let keys = &ctx.state.keys;
    audit::record_now(db, &ctx.actor(), Event::new("case.view").target("case", id)).await?;
    let code = |prefix: &str, v: &Option<String>| {
        v.as_deref()
            .map(|x| ctx.t(&format!("{prefix}.{x}")))
            .unwrap_or_default()
    };
    let mut fields = vec![
        Field {
            label: ctx.t("case.field.status"),
            value: ctx.t(&format!("case.status.{}", c.status)),
        },
        Field {
            label: ctx.t("case.field.closure_reason"),
            value: code("case.closure", &c.closure_reason),
        },
        Field {
            label: ctx.t("case.field.type"),
            value: ctx.t(&format!("case.type.{}", c.case_type)),
        },
        Field {
            label: ctx.t("case.field.venue"),
            value: label_of(&venues(ctx, ops), &c.venue),
        },
        Field {
            label: ctx.t("contact.field.region"),
            value: label_of(&regions(ctx, ops), &c.region),
        },
        Field {
            label: ctx.t("case.field.assigned"),
            value: c.assigned_name.clone().unwrap_or_default(),
        },
        Field {
            label: ctx.t("case.field.opened"),
            value: show_time(ctx, c.created_at),
        },
        Field {
            label: ctx.t("case.field.recruitment"),
            value: crate::i18n::join_list(
                &ctx.locale,
                c.recruitment
                    .iter()
                    .map(|r| ctx.t(&format!("case.recruitment.{r}"))),
            ),
        },
        Field {
            label: ctx.t("case.field.control"),
            value: crate::i18n::join_list(
                &ctx.locale,
                c.control
                    .iter()
                    .map(|r| ctx.t(&format!("case.control.{r}"))),
            ),
        },
    ];
    if c.crisis {
        fields.insert(
            0,
            Field {
                label: ctx.t("case.field.crisis"),
                value: ctx.t("form.yes"),
            },
        );
    }
    fields.retain(|f| !f.value.is_empty());
    let people_rows = store::people_of(db, keys, id).await?;
    let people = people_rows
        .iter()
        .map(|p| {
            let mut facts = Vec::new();
            if let Some(a) = &p.age_band {
                facts.push(ctx.t(&format!("case.age.{a}")));
            }
            if p.minor {
                facts.push(ctx.t("case.person.minor"));
            }
            if let Some(g) = &p.gender {
                facts.push(ctx.t(&format!("case.gender.{g}")));
            }
            if let Some(n) = &p.nationality {
                facts.push(n.clone());
            }
            if !p.languages.is_empty() {
                facts.push(crate::i18n::join_list(&ctx.locale, &p.languages));
            }
            PersonView {
                kind: ctx.t(&format!("case.person.{}", p.kind)),
                name: p.name.clone().unwrap_or_default(),
                facts: facts.join(" · "),
                details: p.details.clone().unwrap_or_default(),
            }
        })
        .collect();
    let contacts = store::contacts_of(db, id)
        .await?
        .into_iter()
        .map(|(cid, reference, channel, at)| {
            (
                cid,
                reference,
                format!(
                    "{} · {}",
                    ctx.t(&format!("contact.channel.{channel}")),
                    show_time(ctx, at)
                ),
            )
        })
        .collect();
    let notes = store::notes_of(db, keys, id)
        .await?
        .into_iter()
        .map(|(author, at, body)| NoteView {
            author,
            at: show_time(ctx, at),
            body,
        })
        .collect();
    let t_now = crate::db::now();
    let tasks = store::tasks_of(db, keys, id)
        .await?
        .into_iter()
        .map(|t| TaskView {
            id: t.id,
            title: t.title,
            due: show_time(ctx, t.due_at),
            assignee: t.assignee.unwrap_or_default(),
            done: t.done_at.is_some(),
            overdue: t.done_at.is_none() && t.due_at < t_now,
        })
        .collect();
    let supervise = ctx.can(Permission::SuperviseCases);
    let log = if supervise {
        store::access_log(db, id)
            .await?
            .into_iter()
            .map(|e| LogView {
                at: show_time(ctx, e.at),
                who: crate::audit::shown_actor(&ctx.locale, &e.actor),
                action: e.action,
            })
            .collect()
    } else {
        Vec::new()
    };
    let case_managers = users::list(db)
        .await?
        .into_iter()
        .filter(|u| u.active && allows(u.role, Permission::WorkCases))
        .map(|u| Opt {
            code: u.id.to_string(),
            label: format!("{} · {}", u.display_name, ctx.t(&u.role.label_key())),
        })
        .collect();
    let next: Vec<String> = ops.next_statuses(&c.status);
    let date = |t: i64| crate::web::show_day(ctx, t);
    let services = store::services_of(db, keys, id)
        .await?
        .into_iter()
        .map(|s| {
            let mut v = vec![date(s.delivered_on)];
            if let Some(n) = s.sessions {
                v.push(crate::i18n::tr_count(
                    &ctx.locale,
                    "case.sessions_count",
                    u64::try_from(n).unwrap_or(0),
                    &[],
                ));
            }
            if let Some(m) = s.minutes {
                v.push(crate::i18n::tr_count(
                    &ctx.locale,
                    "case.minutes_count",
                    u64::try_from(m).unwrap_or(0),
                    &[],
                ));
            }
            if let Some(n) = s.notes {
                v.push(n);
            }
            Field {
                label: ctx.t(&format!("case.service.{}", s.service_type)),
                value: v.join(" · "),
            }
        })
        .collect();
    let emergencies = store::emergencies_of(db, keys, id)
        .await?
        .into_iter()
        .map(|e| {
            let v: Vec<String> = [
                date(e.happened_at),
                e.coordinated_with,
                e.outcome,
                e.notes.unwrap_or_default(),
            ]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect();
            Field {
                label: ctx.t(&format!("case.emergency.{}", e.kind)),
                value: v.join(" · "),
            }
        })
        .collect();
    let consent_rows = store::consents_of(db, id).await?;
    let consents = consent_rows
        .iter()
        .map(|k| {
            let scope = crate::i18n::join_list(
                &ctx.locale,
                k.scope.iter().map(|s| ctx.t(&format!("case.scope.{s}"))),
            );
            let mut text = crate::i18n::tr_with(
                &ctx.locale,
                "case.consent_line",
                &[
                    ("scope", &scope),
                    (
                        "recipient",
                        &ctx.t(&format!("case.recipient.{}", k.recipient)),
                    ),
                    ("date", &date(k.given_at)),
                ],
            );
            if let Some(w) = k.withdrawn_at {
                text.push_str(&crate::i18n::tr_with(
                    &ctx.locale,
                    "case.consent_withdrawn",
                    &[("date", &date(w))],
                ));
            }
            ConsentView {
                id: k.id,
                text,
                active: k.withdrawn_at.is_none(),
            }
        })
        .collect();
    let reports = store::reports_of(db, keys, id)
        .await?
        .into_iter()
        .map(|r| Field {
            label: format!(
                "{} · {}",
                ctx.t(&format!("case.recipient.{}", r.authority)),
                show_time(ctx, r.sent_at)
            ),
            value: crate::i18n::tr_with(
                &ctx.locale,
                "case.report_line",
                &[
                    ("basis", &ctx.t(&format!("case.basis.{}", r.legal_basis))),
                    (
                        "fields",
                        &crate::i18n::join_list(
                            &ctx.locale,
                            r.fields_shared
                                .iter()
                                .map(|f| ctx.t(&format!("case.scope.{f}"))),
                        ),
                    ),
                    ("who", &r.sent_by.unwrap_or_default()),
                ],
            ) + &r.notes.map(|n| format!(" — {n}")).unwrap_or_default(),
        })
        .collect();
    let referrals = store::referrals_of(db, keys, id)
        .await?
        .into_iter()
        .map(|r| {
            let mut details = vec![crate::i18n::tr_with(
                &ctx.locale,
                "case.referral_sent",
                &[("date", &show_time(ctx, r.created_at))],
            )];
            if r.status_at != r.created_at {
                details.push(crate::i18n::tr_with(
                    &ctx.locale,
                    "case.referral_updated",
                    &[("date", &show_time(ctx, r.status_at))],
                ));
            }
            if let Some(o) = r.outcome {
                details.push(o);
            }
            if let Some(reason) = r.override_reason {
                details.push(crate::i18n::tr_with(
                    &ctx.locale,
                    "case.referral_overridden",
                    &[("reason", &reason)],
                ));
            }
            ReferralView {
                id: r.id,
                status_code: r.status.clone(),
                title: format!(
                    "{} · {} — {}",
                    ctx.t(&format!("case.referral_kind.{}", r.kind)),
                    r.organization_name,
                    r.service_name
                ),
                status: ctx.t(&format!("case.referral_status.{}", r.status)),
                details: details.join(" · "),
            }
        })
        .collect();
    let partner_services = {
        let orgs = crate::directory::store::organizations(db).await?;
        crate::directory::store::services(db)
            .await?
            .into_iter()
            .filter(|s| s.status == "active")
            .map(|s| Opt {
                label: format!(
                    "{} — {}",
                    orgs.iter()
                        .find(|o| o.id == s.organization_id)
                        .map(|o| o.name.as_str())
                        .unwrap_or(""),
                    s.name
                ),
                code: s.id,
            })
            .collect()
    };
    let duties = store::applicable_duties(c, &people_rows, &ops.duties())
        .into_iter()
        .map(|(when, duty)| ctx.t(&format!("case.duty.{when}.{duty}")))
        .collect();
    let t = DetailPage {
        page: Page::new(ctx, &ctx.t("case.detail_title")),
        id,
        number: c.number.clone(),
        fields,
        indicators: c
            .indicators
            .iter()
            .map(|i| ctx.t(&format!("case.indicator.{i}")))
            .collect(),
        level: code("case.level", &c.indicator_level),
        proposed: vocab::proposed_level(&c.indicators)
            .map(|l| ctx.t(&format!("case.level.{l}")))
            .unwrap_or_default(),
        override_reason: c.level_override_reason.clone().unwrap_or_default(),
        summary: c.summary.clone().unwrap_or_default(),
        safety_plan: c.safety_plan.clone().unwrap_or_default(),
        people,
        contacts,
        notes,
        tasks,
        next_statuses: next
            .iter()
            .map(|s| Opt {
                code: s.clone(),
                label: ctx.t(&format!("case.status.{s}")),
            })
            .collect(),
        closure_reasons: opts(ctx, vocab::CLOSURE_REASONS, "case.closure"),
        case_managers,
        supervise,
        log,
        person_kinds: opts(ctx, vocab::PERSON_KINDS, "case.person"),
        age_bands: opts(ctx, vocab::AGE_BANDS, "case.age"),
        genders: opts(ctx, vocab::GENDERS, "case.gender"),
        error,
        services,
        emergencies,
        consents,
        reports,
        duties,
        service_types: opts(ctx, vocab::SERVICE_TYPES, "case.service"),
        emergency_kinds: opts(ctx, vocab::EMERGENCY_KINDS, "case.emergency"),
        scopes: opts(ctx, vocab::CONSENT_SCOPES, "case.scope"),
        recipients: opts(ctx, vocab::RECIPIENTS, "case.recipient"),
        bases: opts(ctx, vocab::LEGAL_BASES, "case.basis"),
        referrals,
        referral_kinds: opts(ctx, store::REFERRAL_KINDS, "case.referral_kind"),
        referral_statuses: opts(ctx, store::REFERRAL_STATUSES, "case.referral_status"),
        partner_services,
        can_override: ctx.can(Permission::OverrideConsent),
        assigned_id: c.assigned_to.map(|a| a.to_string()).unwrap_or_default(),
    };
    Ok((status, Html(t.render()?)).into_response())
}

// ---------------------------------------------------------------- the case form

/// The form's values as typed.
#[derive(Default, Clone)]
pub struct Values {
    map: HashMap<String, String>,
    lists: HashMap<String, Vec<String>>,
}

impl Values {
    fn from_pairs(pairs: Vec<(String, String)>) -> Values {
        let mut v = Values::default();
        for (k, val) in pairs {
            if ["indicators", "recruitment", "control"].contains(&k.as_str()) {
                v.lists.entry(k).or_default().push(val);
            } else {
                v.map.insert(k, val);
            }
        }
        v
    }

    fn from_case(c: &Case) -> Values {
        let mut v = Values::default();
        v.map.insert("case_type".into(), c.case_type.clone());
        for (k, x) in [
            ("venue", &c.venue),
            ("region", &c.region),
            ("summary", &c.summary),
            ("safety_plan", &c.safety_plan),
            ("override_reason", &c.level_override_reason),
        ] {
            if let Some(x) = x {
                v.map.insert(k.into(), x.clone());
            }
        }
        if c.level_override_reason.is_some() {
            if let Some(l) = &c.indicator_level {
                v.map.insert("level_override".into(), l.clone());
            }
        }
        v.map.insert("version".into(), c.version.to_string());
        v.lists.insert("indicators".into(), c.indicators.clone());
        v.lists.insert("recruitment".into(), c.recruitment.clone());
        v.lists.insert("control".into(), c.control.clone());
        v
    }

    pub fn get(&self, k: &str) -> &str {
        self.map.get(k).map(String::as_str).unwrap_or("")
    }

    pub fn is(&self, k: &str, code: &str) -> bool {
        self.get(k) == code
    }

    pub fn has(&self, list: &str, code: &str) -> bool {
        self.lists
            .get(list)
            .is_some_and(|l| l.iter().any(|x| x == code))
    }

    fn opt(&self, k: &str) -> Option<String> {
        let v = self.get(k).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    fn list(&self, k: &str) -> Vec<String> {
        self.lists.get(k).cloned().unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "cases/edit.html")]
struct EditPage {
    page: Page,
    id: i64,
    number: String,
    values: Values,
    errors: Vec<String>,
    conflict: bool,
    types: Vec<Opt>,
    venues: Vec<Opt>,
    regions: Vec<Opt>,
    indicators: Vec<Opt>,
    recruitment: Vec<Opt>,
    control: Vec<Opt>,
    levels: Vec<Opt>,
    proposed: String,
}

fn edit_page(
    ctx: &Ctx,
    ops: &Operations,
    c: &Case,
    values: Values,
    errors: Vec<String>,
    conflict: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let proposed = vocab::proposed_level(&values.list("indicators"))
        .map(|l| ctx.t(&format!("case.level.{l}")))
        .unwrap_or_else(|| ctx.t("case.level_none"));
    let t = EditPage {
        page: Page::new(ctx, &ctx.t("case.edit_title")),
        id: c.id,
        number: c.number.clone(),
        values,
        errors,
        conflict,
        types: opts(ctx, vocab::CASE_TYPES, "case.type"),
        venues: venues(ctx, ops),
        regions: regions(ctx, ops),
        indicators: vocab::INDICATORS
            .iter()
            .map(|(c, _)| Opt {
                code: c.to_string(),
                label: ctx.t(&format!("case.indicator.{c}")),
            })
            .collect(),
        recruitment: opts(ctx, vocab::RECRUITMENT, "case.recruitment"),
        control: opts(ctx, vocab::CONTROL, "case.control"),
        levels: opts(ctx, &["high", "moderate"], "case.level"),
        proposed,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    audit::record_now(
        &ctx.state.db,
        &ctx.actor(),
        Event::new("case.view").target("case", id),
    )
    .await?;
    let ops = settings::load(&ctx.state.db).await?;
    edit_page(
        &ctx,
        &ops,
        &c,
        Values::from_case(&c),
        Vec::new(),
        false,
        StatusCode::OK,
    )
}

fn validate(ctx: &Ctx, ops: &Operations, v: &Values) -> Result<Edit, Vec<String>> {
    let mut errors = Vec::new();
    let case_type = v.get("case_type").to_string();
    if !vocab::CASE_TYPES.contains(&case_type.as_str()) {
        errors.push(ctx.t("case.error.type"));
    }
    let venue = v.opt("venue");
    if venue
        .as_ref()
        .is_some_and(|x| !venues(ctx, ops).iter().any(|o| &o.code == x))
    {
        errors.push(ctx.t("contact.error.choice"));
    }
    let region = v.opt("region");
    if region
        .as_ref()
        .is_some_and(|x| !regions(ctx, ops).iter().any(|o| &o.code == x))
    {
        errors.push(ctx.t("contact.error.choice"));
    }
    let check = |list: &str, allowed: &[&str], errors: &mut Vec<String>| -> Vec<String> {
        let got = v.list(list);
        if got.iter().any(|g| !allowed.contains(&g.as_str())) {
            errors.push(ctx.t("contact.error.choice"));
        }
        allowed
            .iter()
            .filter(|a| got.iter().any(|g| g == *a))
            .map(|s| s.to_string())
            .collect()
    };
    let indicator_codes: Vec<&str> = vocab::INDICATORS.iter().map(|(c, _)| *c).collect();
    let indicators = check("indicators", &indicator_codes, &mut errors);
    let recruitment = check("recruitment", vocab::RECRUITMENT, &mut errors);
    let control = check("control", vocab::CONTROL, &mut errors);
    let level_override = v.opt("level_override");
    if level_override
        .as_deref()
        .is_some_and(|l| l != "high" && l != "moderate")
    {
        errors.push(ctx.t("contact.error.choice"));
    }
    let proposed = vocab::proposed_level(&indicators);
    let override_reason = v.opt("override_reason");
    if level_override.is_some()
        && level_override.as_deref() != proposed
        && override_reason.is_none()
    {
        errors.push(ctx.t("case.error.override_reason"));
    }
    for (k, max) in [
        ("summary", 20_000),
        ("safety_plan", 10_000),
        ("override_reason", 1_000),
    ] {
        if v.get(k).chars().count() > max {
            errors.push(ctx.t("contact.error.too_long"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Edit {
        case_type,
        venue,
        region,
        indicators,
        level_override,
        override_reason,
        recruitment,
        control,
        summary: v.opt("summary"),
        safety_plan: v.opt("safety_plan"),
    })
}

/// `POST /cases/{id}`: saves the case form; a second editor is refused, their text kept.
pub async fn save(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let pairs = form_pairs(&body)?;
    let values = Values::from_pairs(pairs);
    let ops = settings::load(&ctx.state.db).await?;
    let edit = match validate(&ctx, &ops, &values) {
        Ok(e) => e,
        Err(errors) => {
            return edit_page(
                &ctx,
                &ops,
                &c,
                values,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let version: i64 = values.get("version").parse().unwrap_or(-1);
    match store::update(
        &ctx.state.db,
        &ctx.state.keys,
        &ctx.actor(),
        id,
        version,
        &edit,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?notice=case_saved")).into_response()),
        Err(SaveError::Conflict) => {
            let mut values = values;
            values.map.insert("version".into(), c.version.to_string());
            edit_page(
                &ctx,
                &ops,
                &c,
                values,
                Vec::new(),
                true,
                StatusCode::CONFLICT,
            )
        }
        Err(SaveError::Db(e)) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- work on a case

#[derive(Deserialize)]
pub struct StatusForm {
    to: String,
    #[serde(default)]
    closure_reason: String,
}

pub async fn change_status(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let ops = settings::load(&ctx.state.db).await?;
    if !ops.next_statuses(&c.status).contains(&f.to) {
        let msg = crate::i18n::tr_with(
            &ctx.locale,
            "case.error.transition",
            &[
                ("from", &ctx.t(&format!("case.status.{}", c.status))),
                ("to", &ctx.t(&format!("case.status.{}", safe_code(&f.to)))),
            ],
        );
        return render_detail(&ctx, &c, &ops, Some(msg), StatusCode::CONFLICT).await;
    }
    if f.to == "closed" && !vocab::CLOSURE_REASONS.contains(&f.closure_reason.as_str()) {
        let msg = ctx.t("case.error.closure_reason");
        return render_detail(&ctx, &c, &ops, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    store::transition(
        &ctx.state.db,
        &ctx.actor(),
        &c,
        &f.to,
        Some(&f.closure_reason),
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{id}?notice=case_status")).into_response())
}

/// A status code shown back only if it is a known one.
fn safe_code(s: &str) -> &str {
    if vocab::STATUSES.contains(&s) {
        s
    } else {
        "open"
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    user_id: String,
}

pub async fn assign(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, AppError> {
    ctx.require(Permission::SuperviseCases)?;
    visible(&ctx, id).await?;
    let target = match f.user_id.parse::<i64>() {
        Ok(uid) => {
            let u = users::get(&ctx.state.db, uid)
                .await?
                .ok_or(AppError::BadRequest("contact.error.choice"))?;
            if !u.active || !allows(u.role, Permission::WorkCases) {
                return Err(AppError::BadRequest("contact.error.choice"));
            }
            Some(uid)
        }
        Err(_) => None,
    };
    store::assign(&ctx.state.db, &ctx.actor(), id, target).await?;
    Ok(Redirect::to(&format!("/cases/{id}?notice=case_assigned")).into_response())
}

#[derive(Deserialize)]
pub struct AttachForm {
    reference: String,
}

pub async fn attach_contact(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AttachForm>,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    if store::attach_contact(&ctx.state.db, &ctx.actor(), id, &f.reference).await? {
        Ok(Redirect::to(&format!("/cases/{id}?notice=contact_attached")).into_response())
    } else {
        let msg = ctx.t("case.error.attach");
        refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await
    }
}

#[derive(Deserialize)]
pub struct PersonForm {
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    age_band: String,
    #[serde(default)]
    minor: Option<String>,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    languages: String,
}

pub async fn add_person(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<PersonForm>,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let ok = vocab::PERSON_KINDS.contains(&f.kind.as_str())
        && (f.age_band.is_empty() || vocab::AGE_BANDS.contains(&f.age_band.as_str()))
        && (f.gender.is_empty() || vocab::GENDERS.contains(&f.gender.as_str()))
        && f.name.chars().count() <= 200
        && f.details.chars().count() <= 5_000
        && f.nationality.chars().count() <= 60
        && f.languages.chars().count() <= 200;
    if !ok {
        let msg = ctx.t("case.error.person");
        return refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let minor = f.minor.is_some() || matches!(f.age_band.as_str(), "under_12" | "12_17");
    let person = Person {
        id: 0,
        kind: f.kind.clone(),
        name: opt(&f.name),
        details: opt(&f.details),
        age_band: opt(&f.age_band),
        minor: minor && f.kind == "victim",
        gender: opt(&f.gender),
        nationality: opt(&f.nationality),
        languages: f
            .languages
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    };
    store::add_person(&ctx.state.db, &ctx.state.keys, &ctx.actor(), id, &person).await?;
    Ok(Redirect::to(&format!("/cases/{id}?notice=person_added")).into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    body: String,
}

pub async fn add_note(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    if f.body.trim().is_empty() || f.body.chars().count() > 20_000 {
        let msg = ctx.t("case.error.note");
        return refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    store::add_note(&ctx.state.db, &ctx.state.keys, &ctx.actor(), id, &f.body).await?;
    Ok(Redirect::to(&format!("/cases/{id}?notice=note_added#notes")).into_response())
}

#[derive(Deserialize)]
pub struct TaskForm {
    title: String,
    due: String,
    #[serde(default)]
    assigned_to: String,
}

pub async fn add_task(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TaskForm>,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    // Due at the end of that day in the hotline's time zone.
    let due = local_date(&ctx, &f.due, true);
    let title_ok = !f.title.trim().is_empty() && f.title.chars().count() <= 300;
    let (Some(due), true) = (due, title_ok) else {
        let msg = ctx.t("case.error.task");
        return refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let assignee = match f.assigned_to.parse::<i64>() {
        Ok(uid) => {
            let ok = users::get(&ctx.state.db, uid)
                .await?
                .is_some_and(|u| u.active && allows(u.role, Permission::WorkCases));
            if !ok {
                let msg = ctx.t("case.error.task");
                return refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            Some(uid)
        }
        Err(_) => None,
    };
    store::add_task(
        &ctx.state.db,
        &ctx.state.keys,
        &ctx.actor(),
        id,
        &f.title,
        due,
        assignee,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{id}?notice=task_added#tasks")).into_response())
}

pub async fn complete_task(
    ctx: Ctx,
    Path((id, task)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    visible(&ctx, id).await?;
    if !store::complete_task(&ctx.state.db, &ctx.actor(), id, task).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/cases/{id}?notice=task_done#tasks")).into_response())
}

/// A `YYYY-MM-DD` date in the hotline's time zone: its start, or its last second.
fn local_date(ctx: &Ctx, s: &str, end_of_day: bool) -> Option<i64> {
    let midnight = jiff::civil::Time::midnight();
    if end_of_day {
        crate::web::local_timestamp(ctx, s, 1, midnight).map(|t| t - 1)
    } else {
        crate::web::local_timestamp(ctx, s, 0, midnight)
    }
}

pub async fn add_service(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let kind = one(&f, "service_type");
    let num = |k: &str| -> Result<Option<i64>, ()> {
        match one(&f, k) {
            "" => Ok(None),
            v => v
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=100_000).contains(n))
                .map(Some)
                .ok_or(()),
        }
    };
    let (sessions, minutes) = (num("sessions"), num("minutes"));
    let date = local_date(&ctx, one(&f, "date"), false);
    match (
        vocab::SERVICE_TYPES.contains(&kind),
        sessions,
        minutes,
        date,
    ) {
        (true, Ok(sessions), Ok(minutes), Some(delivered_on))
            if one(&f, "notes").chars().count() <= 5_000 =>
        {
            let s = store::Service {
                service_type: kind.to_string(),
                sessions,
                minutes,
                delivered_on,
                notes: Some(one(&f, "notes").to_string()).filter(|n| !n.is_empty()),
            };
            store::add_service(&ctx.state.db, &ctx.state.keys, &ctx.actor(), id, &s).await?;
            Ok(Redirect::to(&format!("/cases/{id}?notice=service_added#services")).into_response())
        }
        _ => {
            let msg = ctx.t("case.error.service");
            refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn add_emergency(
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let kind = one(&f, "kind");
    let date = local_date(&ctx, one(&f, "date"), false);
    let short = |k: &str| one(&f, k).chars().count() <= 500;
    match date {
        Some(happened_at)
            if vocab::EMERGENCY_KINDS.contains(&kind)
                && short("coordinated_with")
                && short("outcome")
                && one(&f, "notes").chars().count() <= 5_000 =>
        {
            let e = store::Emergency {
                kind: kind.to_string(),
                coordinated_with: one(&f, "coordinated_with").to_string(),
                outcome: one(&f, "outcome").to_string(),
                happened_at,
                notes: Some(one(&f, "notes").to_string()).filter(|n| !n.is_empty()),
            };
            store::add_emergency(&ctx.state.db, &ctx.state.keys, &ctx.actor(), id, &e).await?;
            Ok(
                Redirect::to(&format!("/cases/{id}?notice=emergency_added#emergencies"))
                    .into_response(),
            )
        }
        _ => {
            let msg = ctx.t("case.error.emergency");
            refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn add_consent(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let scope: Vec<String> = vocab::CONSENT_SCOPES
        .iter()
        .filter(|s| many(&f, "scope").iter().any(|x| x == *s))
        .map(|s| s.to_string())
        .collect();
    let recipient = one(&f, "recipient");
    let given = local_date(&ctx, one(&f, "date"), false);
    let all_known = many(&f, "scope")
        .iter()
        .all(|x| vocab::CONSENT_SCOPES.contains(&x.as_str()));
    match given {
        Some(given_at)
            if !scope.is_empty() && all_known && vocab::RECIPIENTS.contains(&recipient) =>
        {
            store::add_consent(&ctx.state.db, &ctx.actor(), id, &scope, recipient, given_at)
                .await?;
            Ok(Redirect::to(&format!("/cases/{id}?notice=consent_added#consent")).into_response())
        }
        _ => {
            let msg = ctx.t("case.error.consent");
            refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn withdraw_consent(
    ctx: Ctx,
    Path((id, consent)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    visible(&ctx, id).await?;
    if !store::withdraw_consent(&ctx.state.db, &ctx.actor(), id, consent).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/cases/{id}?notice=consent_withdrawn#consent")).into_response())
}

/// `POST /cases/{id}/reports`: records a report to an authority. The legal basis must hold:
/// an active consent covering the fields and the authority, a reporting duty that applies to
/// this case, or imminent danger (a crisis case that is not closed).
pub async fn add_report(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let authority = one(&f, "authority");
    let basis = one(&f, "legal_basis");
    let fields: Vec<String> = vocab::CONSENT_SCOPES
        .iter()
        .filter(|s| many(&f, "fields").iter().any(|x| x == *s))
        .map(|s| s.to_string())
        .collect();
    let notes = one(&f, "notes");
    let fail = |key: &str| ctx.t(key);
    // For a legal duty's check, and for the page if the report is refused.
    let ops = settings::load(&ctx.state.db).await?;
    let problem = if !vocab::RECIPIENTS.contains(&authority)
        || !vocab::LEGAL_BASES.contains(&basis)
        || fields.is_empty()
        || notes.chars().count() > 5_000
    {
        Some(fail("case.error.report"))
    } else {
        let db = &ctx.state.db;
        match basis {
            "consent" => {
                let consents = store::consents_of(db, id).await?;
                (!store::consent_covers(&consents, authority, &fields))
                    .then(|| fail("case.error.no_consent"))
            }
            "legal_duty" => {
                let people = store::people_of(db, &ctx.state.keys, id).await?;
                let duties = store::applicable_duties(&c, &people, &ops.duties());
                (!duties.iter().any(|(_, d)| d == authority)).then(|| fail("case.error.no_duty"))
            }
            _ => (!(c.crisis && c.status != "closed")).then(|| fail("case.error.no_danger")),
        }
    };
    if let Some(msg) = problem {
        return render_detail(&ctx, &c, &ops, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let r = store::Report {
        authority: authority.to_string(),
        legal_basis: basis.to_string(),
        fields_shared: fields,
        sent_by: None,
        sent_at: crate::db::now(),
        notes: Some(notes.to_string()).filter(|n| !n.is_empty()),
    };
    store::add_report(&ctx.state.db, &ctx.state.keys, &ctx.actor(), id, &r).await?;
    Ok(Redirect::to(&format!("/cases/{id}?notice=report_added#reports")).into_response())
}

/// `POST /cases/{id}/referrals`: refers the case to a partner's service. Without an active
/// consent covering identity for that kind of recipient it is refused, unless a user who may
/// override consent gives a reason (kept encrypted, audited).
pub async fn add_referral(
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let kind = one(&f, "kind");
    let service_id = one(&f, "service_id");
    let reason = one(&f, "override_reason");
    let db = &ctx.state.db;
    let service = crate::directory::store::service(db, service_id)
        .await?
        .filter(|s| s.status == "active");
    if !store::REFERRAL_KINDS.contains(&kind) || service.is_none() || reason.chars().count() > 1_000
    {
        let msg = ctx.t("case.error.referral");
        return refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // A warm transfer only to a partner that takes them.
    if kind == "warm_transfer" {
        let org_id = service
            .as_ref()
            .map(|s| s.organization_id.clone())
            .unwrap_or_default();
        let takes = crate::directory::store::organization(db, &org_id)
            .await?
            .is_some_and(|o| o.accepts_warm_transfers);
        if !takes {
            let msg = ctx.t("case.error.no_warm_transfer");
            return refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    let consents = store::consents_of(db, id).await?;
    let consent_id = store::covering_consent(
        &consents,
        store::referral_recipient(kind),
        &["identity".to_string()],
    );
    let consented = consent_id.is_some();
    let override_reason = if consented {
        None
    } else if ctx.can(Permission::OverrideConsent) && !reason.is_empty() {
        Some(reason)
    } else {
        let key = if ctx.can(Permission::OverrideConsent) {
            "case.error.override_needs_reason"
        } else {
            "case.error.referral_consent"
        };
        let msg = ctx.t(key);
        return refuse(&ctx, &c, msg, StatusCode::FORBIDDEN).await;
    };
    store::add_referral(
        db,
        &ctx.state.keys,
        &ctx.actor(),
        id,
        service_id,
        kind,
        consent_id,
        override_reason,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{id}?notice=referral_sent#referrals")).into_response())
}

pub async fn referral_status(
    ctx: Ctx,
    Path((id, referral)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, c) = visible(&ctx, id).await?;
    let f = form_pairs(&body)?;
    let status = one(&f, "status");
    let outcome = one(&f, "outcome");
    if !store::REFERRAL_STATUSES.contains(&status) || outcome.chars().count() > 2_000 {
        let msg = ctx.t("case.error.referral");
        return refuse(&ctx, &c, msg, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let outcome = (!outcome.is_empty()).then_some(outcome);
    if !store::set_referral_status(
        &ctx.state.db,
        &ctx.state.keys,
        &ctx.actor(),
        id,
        referral,
        status,
        outcome,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/cases/{id}?notice=referral_updated#referrals")).into_response())
}
