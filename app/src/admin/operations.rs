//! The admin's operational settings page and the on-call roster page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;

use crate::auth::{users, Permission};
use crate::error::AppError;
use crate::intake::twilio;
use crate::settings::{self, format_hhmm, parse_hhmm, Choice, Hours, Interval, Operations};
use crate::web::{Ctx, Page};

/// Weekday names, Monday first (locale keys `weekday.0` … `weekday.6`).
fn weekdays(ctx: &Ctx) -> Vec<String> {
    (0..7).map(|d| ctx.t(&format!("weekday.{d}"))).collect()
}

/// One weekday row of the hours form.
pub struct DayRow {
    pub day: usize,
    pub name: String,
    pub open: String,
    pub close: String,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    page: Page,
    v: HashMap<String, String>,
    days: Vec<DayRow>,
    token_set: bool,
    errors: Vec<String>,
    fallback: String,
}

impl SettingsPage {
    pub fn get(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
}

/// `code = label | ja = ラベル | es = etiqueta` lines.
fn choices_text(list: &[Choice]) -> String {
    list.iter()
        .map(|c| {
            let mut line = format!("{} = {}", c.code, c.label);
            for (l, label) in &c.translations {
                line.push_str(&format!(" | {l} = {label}"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn values_of(ops: &Operations) -> HashMap<String, String> {
    let mut v = HashMap::new();
    v.insert("phone_number".into(), ops.phone_number.clone());
    v.insert("sms_number".into(), ops.sms_number.clone());
    v.insert("backup_number".into(), ops.backup_number.clone());
    if ops.hours.always_open {
        v.insert("always_open".into(), "on".into());
    }
    for i in &ops.hours.weekly {
        v.insert(format!("open_{}", i.weekday), format_hhmm(i.start));
        v.insert(format!("close_{}", i.weekday), format_hhmm(i.end));
    }
    v.insert("regions".into(), choices_text(&ops.regions));
    v.insert("heard_about".into(), choices_text(&ops.heard_about));
    v.insert("venues".into(), choices_text(&ops.venues));
    v.insert("workflow".into(), workflow_text(ops));
    v.insert(
        "duties".into(),
        ops.duties()
            .iter()
            .map(|(a, b)| format!("{a}: {b}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    v.insert("api_base_url".into(), ops.telephony.api_base_url.clone());
    v.insert("account_sid".into(), ops.telephony.account_sid.clone());
    v.insert(
        "ring_seconds".into(),
        ops.telephony.ring_seconds.to_string(),
    );
    v
}

fn render(
    ctx: &Ctx,
    v: HashMap<String, String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let days = weekdays(ctx)
        .into_iter()
        .enumerate()
        .map(|(day, name)| DayRow {
            day,
            name,
            open: v.get(&format!("open_{day}")).cloned().unwrap_or_default(),
            close: v.get(&format!("close_{day}")).cloned().unwrap_or_default(),
        })
        .collect();
    let base = ctx
        .state
        .config
        .server
        .public_base_url
        .trim_end_matches('/');
    let t = SettingsPage {
        page: Page::new(ctx, &ctx.t("settings.title")),
        days,
        token_set: twilio::auth_token(&ctx.state.dir).is_some(),
        errors,
        fallback: ctx
            .state
            .dir
            .join(crate::intake::voice::FALLBACK_FILE)
            .display()
            .to_string(),
        v: {
            let mut v = v;
            v.insert("webhook_voice".into(), format!("{base}/webhooks/voice"));
            v.insert(
                "webhook_voice_status".into(),
                format!("{base}/webhooks/voice/status"),
            );
            v.insert("webhook_sms".into(), format!("{base}/webhooks/sms"));
            v
        },
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn settings_page(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::ManageSettings)?;
    let ops = settings::load(&ctx.state.db).await?;
    render(&ctx, values_of(&ops), Vec::new(), StatusCode::OK)
}

/// `code = label` lines; codes are letters, digits, `-` and `_`.
fn parse_choices(text: &str) -> Result<Vec<Choice>, ()> {
    let mut out: Vec<Choice> = Vec::new();
    let label_ok = |label: &str| !label.is_empty() && label.chars().count() <= 100;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (code, rest) = line.split_once('=').ok_or(())?;
        let code = code.trim();
        // The label in other languages follows `|` as `ja = 北部地区`; a `|` that does not
        // start one belongs to the label (labels saved before languages could be given).
        let mut parts = rest.split('|');
        let mut label = parts.next().unwrap_or_default().to_string();
        let mut translations: Vec<(String, String)> = Vec::new();
        for part in parts {
            match part.split_once('=') {
                Some((lang, text)) if crate::config::is_locale_code(lang.trim()) => {
                    let (lang, text) = (lang.trim(), text.trim());
                    if !label_ok(text) || translations.iter().any(|(l, _)| l == lang) {
                        return Err(());
                    }
                    translations.push((lang.to_string(), text.to_string()));
                }
                _ if translations.is_empty() => {
                    label.push('|');
                    label.push_str(part);
                }
                _ => return Err(()),
            }
        }
        let label = label.trim();
        let ok = !code.is_empty()
            && code.len() <= 40
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && label_ok(label);
        if !ok || out.iter().any(|c| c.code == code) {
            return Err(());
        }
        out.push(Choice {
            code: code.to_string(),
            label: label.to_string(),
            translations,
        });
    }
    Ok(out)
}

/// `from: to, to` lines with known statuses; empty text means the default workflow.
fn parse_workflow(text: &str) -> Result<Vec<(String, Vec<String>)>, ()> {
    let known = |s: &str| crate::cases::vocab::STATUSES.contains(&s);
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (from, to) = line.split_once(':').ok_or(())?;
        let from = from.trim();
        let to: Vec<String> = to
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if !known(from) || to.iter().any(|t| !known(t)) || out.iter().any(|(f, _)| f == from) {
            return Err(());
        }
        out.push((from.to_string(), to));
    }
    Ok(out)
}

/// `situation: duty` lines (situations minor, imminent_harm, adult; duties a recipient or
/// consent_only).
fn parse_duties(text: &str) -> Result<Vec<(String, String)>, ()> {
    use crate::cases::vocab::{DUTY_CONDITIONS, RECIPIENTS};
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (when, duty) = line.split_once(':').ok_or(())?;
        let (when, duty) = (when.trim(), duty.trim());
        if !DUTY_CONDITIONS.contains(&when)
            || !(RECIPIENTS.contains(&duty) || duty == "consent_only")
        {
            return Err(());
        }
        out.push((when.to_string(), duty.to_string()));
    }
    Ok(out)
}

fn workflow_text(ops: &Operations) -> String {
    let lines: Vec<String> = if ops.case_transitions.is_empty() {
        crate::cases::vocab::DEFAULT_TRANSITIONS
            .iter()
            .map(|(f, to)| format!("{f}: {}", to.join(", ")))
            .collect()
    } else {
        ops.case_transitions
            .iter()
            .map(|(f, to)| format!("{f}: {}", to.join(", ")))
            .collect()
    };
    lines.join("\n")
}

pub async fn save_settings(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::ManageSettings)?;
    let pairs = crate::web::form::form_pairs(&body)?;
    let mut v: HashMap<String, String> = pairs.into_iter().collect();
    let token = v.remove("auth_token").unwrap_or_default();
    v.remove("_csrf");
    let get = |k: &str| v.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut errors = Vec::new();
    for k in ["phone_number", "sms_number", "backup_number"] {
        if crate::config::validate_phone(&get(k), false).is_err() {
            errors.push(ctx.t(&format!("settings.error.{k}")));
        }
    }
    let mut weekly = Vec::new();
    for day in 0..7u8 {
        let (o, c) = (get(&format!("open_{day}")), get(&format!("close_{day}")));
        if o.is_empty() && c.is_empty() {
            continue;
        }
        match (parse_hhmm(&o), parse_hhmm(&c)) {
            (Some(start), Some(end)) if start < end => weekly.push(Interval {
                weekday: day,
                start,
                end,
            }),
            _ => errors.push(crate::i18n::tr_with(
                &ctx.locale,
                "settings.error.hours",
                &[("day", &ctx.t(&format!("weekday.{day}")))],
            )),
        }
    }
    let regions = parse_choices(&get("regions")).unwrap_or_else(|()| {
        errors.push(ctx.t("settings.error.choices"));
        Vec::new()
    });
    let heard_about = parse_choices(&get("heard_about")).unwrap_or_else(|()| {
        errors.push(ctx.t("settings.error.choices"));
        Vec::new()
    });
    let venues = parse_choices(&get("venues")).unwrap_or_else(|()| {
        errors.push(ctx.t("settings.error.choices"));
        Vec::new()
    });
    let case_transitions = parse_workflow(&get("workflow")).unwrap_or_else(|()| {
        errors.push(ctx.t("settings.error.workflow"));
        Vec::new()
    });
    let reporting_duties = parse_duties(&get("duties")).unwrap_or_else(|()| {
        errors.push(ctx.t("settings.error.duties"));
        Vec::new()
    });
    let api = get("api_base_url");
    if !api.is_empty() && crate::config::validate_public_url(&api).is_err() {
        errors.push(ctx.t("settings.error.api_base_url"));
    }
    let ring: u16 = match get("ring_seconds").parse() {
        Ok(n) if (5..=120).contains(&n) => n,
        _ => {
            errors.push(ctx.t("settings.error.ring_seconds"));
            20
        }
    };
    if token.trim().chars().any(char::is_whitespace) || token.len() > 200 {
        errors.push(ctx.t("settings.error.token"));
    }
    if !errors.is_empty() {
        return render(&ctx, v, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let ops = Operations {
        phone_number: get("phone_number"),
        sms_number: get("sms_number"),
        backup_number: get("backup_number"),
        hours: Hours {
            always_open: v.contains_key("always_open"),
            weekly,
        },
        regions,
        heard_about,
        telephony: settings::Telephony {
            api_base_url: api,
            account_sid: get("account_sid"),
            ring_seconds: ring,
        },
        case_transitions,
        venues,
        reporting_duties,
    };
    settings::save(&ctx.state.db, &ctx.actor(), &ops).await?;
    if !token.trim().is_empty() {
        twilio::set_auth_token(&ctx.state.dir, &token)
            .map_err(|e| AppError::Internal(format!("saving the auth token: {e}")))?;
        crate::audit::record_now(
            &ctx.state.db,
            &ctx.actor(),
            crate::audit::Event::new("settings.telephony_token"),
        )
        .await?;
    }
    crate::intake::voice::write_fallback(&ctx.state, &ops)
        .map_err(|e| AppError::Internal(format!("writing the fallback TwiML: {e}")))?;
    Ok(Redirect::to("/admin/settings?notice=settings_saved").into_response())
}

// ---------------------------------------------------------------- roster

pub struct ShiftRow {
    pub id: i64,
    pub day: String,
    pub name: String,
    pub role: String,
    pub start: String,
    pub end: String,
    pub phone: String,
    pub on_now: bool,
}

pub struct Person {
    pub id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin/roster.html")]
struct RosterPage {
    page: Page,
    rows: Vec<ShiftRow>,
    people: Vec<Person>,
    days: Vec<String>,
    error: Option<String>,
    form: ShiftForm,
}

#[derive(Deserialize, Default)]
pub struct ShiftForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    weekday: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    duty_phone: String,
}

async fn roster_render(
    ctx: &Ctx,
    form: ShiftForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let db = &ctx.state.db;
    let days = weekdays(ctx);
    let (wd, minute) =
        settings::local_weekday_minute(crate::db::now(), &ctx.state.config.hotline.timezone);
    let rows = settings::shifts(db)
        .await?
        .into_iter()
        .map(|s| ShiftRow {
            id: s.id,
            day: days.get(s.weekday as usize).cloned().unwrap_or_default(),
            name: s.user_name,
            role: ctx.t(&s.role.label_key()),
            start: format_hhmm(s.start),
            end: format_hhmm(s.end),
            phone: s.duty_phone,
            on_now: s.weekday == wd && s.start <= minute && minute < s.end,
        })
        .collect();
    let people = users::list(db)
        .await?
        .into_iter()
        .filter(|u| u.active && crate::auth::allows(u.role, Permission::EditContacts))
        .map(|u| Person {
            id: u.id,
            label: format!("{} · {}", u.display_name, ctx.t(&u.role.label_key())),
        })
        .collect();
    let t = RosterPage {
        page: Page::new(ctx, &ctx.t("roster.title")),
        rows,
        people,
        days,
        error,
        form,
    };
    Ok((status, Html(t.render()?)).into_response())
}

pub async fn roster(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Permission::ManageRoster)?;
    roster_render(&ctx, ShiftForm::default(), None, StatusCode::OK).await
}

pub async fn add_shift(ctx: Ctx, Form(f): Form<ShiftForm>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageRoster)?;
    let user = match f.user_id.parse::<i64>() {
        Ok(id) => users::get(&ctx.state.db, id).await?,
        Err(_) => None,
    };
    let weekday = f.weekday.parse::<u8>().ok().filter(|d| *d < 7);
    let (start, end) = (parse_hhmm(&f.start), parse_hhmm(&f.end));
    let phone_ok = crate::config::validate_phone(&f.duty_phone, false).is_ok();
    match (user, weekday, start, end) {
        (Some(u), Some(d), Some(s), Some(e)) if s < e && u.active && phone_ok => {
            settings::add_shift(&ctx.state.db, &ctx.actor(), u.id, d, s, e, &f.duty_phone).await?;
            Ok(Redirect::to("/admin/roster?notice=shift_added").into_response())
        }
        _ => {
            let msg = ctx.t("roster.error");
            roster_render(&ctx, f, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn remove_shift(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::ManageRoster)?;
    if settings::remove_shift(&ctx.state.db, &ctx.actor(), id).await? {
        Ok(Redirect::to("/admin/roster?notice=shift_removed").into_response())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_carry_labels_per_language_and_keep_a_plain_bar() {
        let list = parse_choices("north = Northern | ja = 北部 | es = Norte\nx = A | B")
            .unwrap_or_default();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].label_in("ja"), "北部");
        assert_eq!(list[0].label_in("pt-BR"), "Northern");
        assert_eq!(list[1].label, "A | B");
        assert_eq!(
            choices_text(&list),
            "north = Northern | ja = 北部 | es = Norte\nx = A | B"
        );
        assert!(parse_choices("n = N | ja = 北 | ja = 北部").is_err());
        assert!(parse_choices("n = N | ja = 北 | stray").is_err());
    }
}
