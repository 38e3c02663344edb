//! Voice calls over TwiML: greeting and language menu, the emergency message, ringing the
//! advocates on duty in turn, voicemail outside hours or when nobody answers, and status
//! callbacks. Every call becomes a contact, answered or not, so missed calls count.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::store::{self, NewContact};
use super::twilio::{self, say, twiml, verified, xml_escape};
use crate::db::now;
use crate::i18n::{tr, tr_with};
use crate::settings;
use crate::state::AppState;

fn url(state: &AppState, path: &str) -> String {
    format!(
        "{}{path}",
        state.config.server.public_base_url.trim_end_matches('/')
    )
}

/// The contact of a call, created on first sight of its CallSid (repeats are idempotent).
async fn contact_for_call(state: &AppState, p: &twilio::Params) -> Result<i64, Response> {
    let sid = p.get("CallSid").ok_or_else(bad_request)?;
    let (id, _) = store::create(
        &state.db,
        &state.keys,
        &twilio::provider_actor(),
        NewContact {
            channel: "phone".into(),
            status: "queued".into(),
            started_at: now(),
            provider_sid: Some(sid.to_string()),
            phone: p.get("From").map(str::to_string),
            anonymous: true,
            ..NewContact::default()
        },
    )
    .await
    .map_err(|e| fallback_answer(state, &e.kind()))?;
    Ok(id)
}

/// Verifies a call webhook and finds (or records) its contact.
async fn verified_call(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(twilio::Params, i64), Response> {
    let p = verified(state, uri, headers, body).map_err(IntoResponse::into_response)?;
    let id = contact_for_call(state, &p).await?;
    Ok((p, id))
}

fn bad_request() -> Response {
    use axum::response::IntoResponse;
    (axum::http::StatusCode::BAD_REQUEST, "missing CallSid").into_response()
}

fn server_error(kind: &str) -> Response {
    use axum::response::IntoResponse;
    tracing::error!(error = %kind, "voice webhook failed");
    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "error").into_response()
}

/// When the hotline cannot handle a call step (its database does not answer), the caller
/// still hears the hotline, not the provider's English error message: the fallback
/// document (the backup number, or the emergency number in each language).
fn fallback_answer(state: &AppState, kind: &str) -> Response {
    use axum::response::IntoResponse;
    tracing::error!(error = %kind, "voice webhook failed; the caller gets the fallback");
    let document = std::fs::read_to_string(state.dir.join(FALLBACK_FILE)).unwrap_or_else(|_| {
        fallback_document(
            "",
            &state.config.hotline.emergency_number,
            &state.config.hotline.locales,
        )
    });
    (
        [(axum::http::header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        document,
    )
        .into_response()
}

/// `POST /webhooks/voice`: a call arrives.
pub async fn incoming(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, id) = match verified_call(&state, &uri, &headers, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let locales = &state.config.hotline.locales;
    let name = &state.config.hotline.name;
    if locales.len() == 1 {
        let l = &locales[0];
        let _ = store::set_language(&state.db, id, l).await;
        let welcome = say(l, &tr_with(l, "ivr.welcome", &[("name", name)]));
        return twiml(&format!("{welcome}{}", route_inner(&state, l).await));
    }
    let mut menu = String::new();
    menu.push_str(&say(
        &locales[0],
        &tr_with(&locales[0], "ivr.welcome", &[("name", name)]),
    ));
    // One key per language: the first nine languages are offered.
    for (i, l) in locales.iter().take(MENU_LANGUAGES).enumerate() {
        menu.push_str(&say(
            l,
            &tr_with(l, "ivr.press", &[("digit", &(i + 1).to_string())]),
        ));
    }
    twiml(&format!(
        "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"6\" action=\"{action}\" method=\"POST\">{menu}</Gather>\
         <Redirect method=\"POST\">{fallback}</Redirect>",
        action = xml_escape(&url(&state, "/webhooks/voice/language")),
        fallback = xml_escape(&url(&state, "/webhooks/voice/language?default=1")),
    ))
}

/// The phone menu reads one key, so it offers at most nine languages (keys 1 to 9).
pub const MENU_LANGUAGES: usize = 9;

#[derive(Deserialize)]
pub struct LangQuery {
    default: Option<String>,
}

/// `POST /webhooks/voice/language`: the caller chose a language (or did not).
pub async fn language(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    body: Bytes,
) -> Response {
    let p = match verified(&state, &uri, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let locales = &state.config.hotline.locales;
    let chosen = if q.default.is_some() {
        None
    } else {
        p.get("Digits")
            .and_then(|d| d.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .filter(|i| *i < MENU_LANGUAGES)
            .and_then(|i| locales.get(i))
    };
    let locale = chosen.unwrap_or(&locales[0]).clone();
    if let Ok(id) = contact_for_call(&state, &p).await {
        let _ = store::set_language(&state.db, id, &locale).await;
    }
    route(&state, &locale).await
}

/// The emergency message, then the advocates on duty in turn, else voicemail.
async fn route(state: &AppState, locale: &str) -> Response {
    twiml(&route_inner(state, locale).await)
}

/// The inside of [`route`]'s TwiML document.
async fn route_inner(state: &AppState, locale: &str) -> String {
    let emergency = say(
        locale,
        &tr_with(
            locale,
            "ivr.emergency",
            &[("number", &state.config.hotline.emergency_number)],
        ),
    );
    // The settings are read once for the whole call step.
    let ops = settings::load(&state.db).await.ok();
    let phones = duty_phones(state, ops.as_ref()).await;
    match phones.first().map(|(p, _)| p) {
        Some(first) => format!(
            "{emergency}{connecting}{dial}",
            connecting = say(locale, &tr(locale, "ivr.connecting")),
            dial = dial(state, ops.as_ref(), locale, first, 0),
        ),
        None => format!(
            "{emergency}{}",
            voicemail_prompt(state, locale, "ivr.closed")
        ),
    }
}

/// The duty phones to ring now, with whose they are: none outside operating hours, nor when
/// the settings `ops` could not be read.
async fn duty_phones(state: &AppState, ops: Option<&settings::Operations>) -> Vec<(String, i64)> {
    let (weekday, minute) = settings::local_weekday_minute(now(), &state.config.hotline.timezone);
    if !ops.is_some_and(|o| o.hours.is_open(weekday, minute)) {
        return Vec::new();
    }
    let mut shifts = settings::on_duty(&state.db, weekday, minute)
        .await
        .unwrap_or_default();
    // Advocates first, then supervisors, then anyone else rostered.
    shifts.sort_by_key(|s| match s.role {
        crate::auth::Role::Advocate => 0,
        crate::auth::Role::Supervisor => 1,
        _ => 2,
    });
    let mut phones: Vec<(String, i64)> = Vec::new();
    for s in shifts {
        if !s.duty_phone.is_empty() && !phones.iter().any(|(p, _)| *p == s.duty_phone) {
            phones.push((s.duty_phone, s.user_id));
        }
    }
    phones
}

/// Rings `phone` for as long as the settings `ops` say (20 seconds if they could not be read).
fn dial(
    state: &AppState,
    ops: Option<&settings::Operations>,
    locale: &str,
    phone: &str,
    attempt: usize,
) -> String {
    let ring = ops.map_or(20, |o| o.telephony.ring_seconds);
    format!(
        "<Dial timeout=\"{ring}\" action=\"{action}\" method=\"POST\"><Number>{number}</Number></Dial>",
        action = xml_escape(&url(
            state,
            &format!("/webhooks/voice/dial?attempt={attempt}&lang={locale}")
        )),
        number = xml_escape(phone),
    )
}

fn voicemail_prompt(state: &AppState, locale: &str, key: &str) -> String {
    format!(
        "{}<Record maxLength=\"180\" playBeep=\"true\" action=\"{}\" method=\"POST\"/>",
        say(locale, &tr(locale, key)),
        xml_escape(&url(
            state,
            &format!("/webhooks/voice/voicemail?lang={locale}")
        )),
    )
}

#[derive(Deserialize)]
pub struct DialQuery {
    attempt: Option<usize>,
    lang: Option<String>,
}

fn locale_of(state: &AppState, lang: &Option<String>) -> String {
    lang.clone()
        .filter(|l| state.config.hotline.locales.contains(l))
        .unwrap_or_else(|| state.config.default_locale().to_string())
}

/// `POST /webhooks/voice/dial`: how ringing one advocate went.
pub async fn dial_result(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<DialQuery>,
    body: Bytes,
) -> Response {
    let (p, id) = match verified_call(&state, &uri, &headers, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let locale = locale_of(&state, &q.lang);
    let attempt = q.attempt.unwrap_or(0);
    let ops = settings::load(&state.db).await.ok();
    let phones = duty_phones(&state, ops.as_ref()).await;
    if matches!(
        p.get("DialCallStatus"),
        Some("completed") | Some("answered")
    ) {
        let _ = store::set_outcome(&state.db, id, "answered").await;
        // The advocate who picked up owns the contact: it opens in their console.
        if let Some((_, user_id)) = phones.get(attempt) {
            let _ = store::assign_answered(&state.db, id, *user_id).await;
        }
        return twiml("<Hangup/>");
    }
    let next = attempt + 1;
    match phones.get(next).map(|(p, _)| p) {
        Some(phone) => twiml(&dial(&state, ops.as_ref(), &locale, phone, next)),
        None => twiml(&voicemail_prompt(&state, &locale, "ivr.no_answer")),
    }
}

/// `POST /webhooks/voice/voicemail`: a message was recorded.
pub async fn voicemail(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<DialQuery>,
    body: Bytes,
) -> Response {
    let (p, id) = match verified_call(&state, &uri, &headers, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let locale = locale_of(&state, &q.lang);
    if let Some(recording) = p.get("RecordingUrl") {
        if let Err(e) = store::set_voicemail(&state.db, &state.keys, id, recording).await {
            return fallback_answer(&state, &e.kind());
        }
    }
    twiml(&format!(
        "{}<Hangup/>",
        say(&locale, &tr(&locale, "ivr.thanks"))
    ))
}

/// `POST /webhooks/voice/status`: the call ended. A call the hotline never saw (its first
/// webhook failed and the fallback answered) is recorded now, so it still counts.
pub async fn status(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = match verified(&state, &uri, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let seen_before = match p.get("CallSid") {
        Some(sid) => async {
            let mut conn = state.db.pool.acquire().await?;
            store::id_by_sid(&mut conn, sid).await
        }
        .await
        .ok()
        .flatten()
        .is_some(),
        None => return bad_request(),
    };
    let id = match contact_for_call(&state, &p).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    let duration = p.get("CallDuration").and_then(|d| d.parse::<i64>().ok());
    let outcome = match p.get("CallStatus") {
        Some("busy") | Some("no-answer") | Some("failed") => Some("missed"),
        Some("canceled") => Some("abandoned"),
        // Completed without an advocate answering: the caller hung up first. A completed call
        // the app never handled went to the fallback line: how it ended is not known here.
        Some("completed") if seen_before => Some("abandoned"),
        _ => None,
    };
    let result = async {
        let mut conn = state.db.pool.acquire().await?;
        store::set_call_end(&mut conn, id, duration, outcome).await
    }
    .await;
    match result {
        Ok(()) => twiml(""),
        Err(e) => server_error(&crate::db::DbError::Sqlx(e).kind()),
    }
}

/// The static TwiML a provider fetches when the hotline app does not answer in time: it
/// dials the backup number (announced in the first of `locales`), or, without one, gives the
/// emergency message in each language the phone menu offers.
pub fn fallback_document(
    backup_number: &str,
    emergency_number: &str,
    locales: &[String],
) -> String {
    let first = locales.first().map_or("en", String::as_str);
    let inner = if backup_number.trim().is_empty() {
        // Once per wording: a language of the hotline's own without its texts yet would
        // repeat another's.
        let mut said: Vec<String> = Vec::new();
        for l in locales.iter().take(MENU_LANGUAGES) {
            let s = say(
                l,
                &tr_with(l, "ivr.emergency", &[("number", emergency_number)]),
            );
            if !said.contains(&s) {
                said.push(s);
            }
        }
        said.concat()
    } else {
        format!(
            "{}<Dial>{}</Dial>",
            say(first, &tr(first, "ivr.connecting")),
            xml_escape(backup_number.trim())
        )
    };
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>{inner}</Response>\n")
}

/// Where `hotline init` and the settings page write the fallback document.
pub const FALLBACK_FILE: &str = "telephony-fallback.xml";

/// Writes `DIR/telephony-fallback.xml` for the current settings.
pub fn write_fallback(state: &AppState, ops: &settings::Operations) -> std::io::Result<()> {
    write_fallback_in(
        &state.dir,
        &ops.backup_number,
        &state.config.hotline.emergency_number,
        &state.config.hotline.locales,
    )
}

/// Writes the fallback document into a deployment folder.
pub fn write_fallback_in(
    dir: &std::path::Path,
    backup_number: &str,
    emergency_number: &str,
    locales: &[String],
) -> std::io::Result<()> {
    // Several processes (or a save on the Settings page) may write at the same moment.
    crate::files::replace(
        &dir.join(FALLBACK_FILE),
        fallback_document(backup_number, emergency_number, locales).as_bytes(),
    )
}
