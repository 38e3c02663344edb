//! Texts over TwiML webhooks: one conversation per sender (found through the phone number's
//! blind index), threaded into a contact; advocates reply from the contact's page through
//! the provider's REST API; delivery statuses are recorded; STOP and START are honoured.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;

use super::store::{self, Contact, NewContact};
use super::twilio::{self, twiml, verified, xml_escape};
use crate::audit::{self, Event};
use crate::auth::Permission;
use crate::db::{now, Db, DbError};
use crate::error::AppError;
use crate::i18n::tr_with;
use crate::settings;
use crate::state::AppState;
use crate::web::{show_time, Ctx};

const BODY: &str = "sms_messages.body";
const PHONE: &str = "sms_conversations.phone";

/// Keywords carriers and providers treat as opting out, and back in.
const STOP_WORDS: &[&str] = &["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"];
const START_WORDS: &[&str] = &["START", "YES", "UNSTOP"];
/// Words that ask for help in any hotline, besides each language's `sms.keywords`.
const UNIVERSAL_HELP: &[&str] = &["HELP", "INFO"];

fn fail(e: DbError) -> Response {
    tracing::error!(error = %e.kind(), "sms webhook failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response()
}

/// `POST /webhooks/sms`: a text arrives.
pub async fn incoming(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = match verified(&state, &uri, &headers, &body) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (Some(sid), Some(from)) = (p.get("MessageSid"), p.get("From")) else {
        return (StatusCode::BAD_REQUEST, "missing MessageSid or From").into_response();
    };
    let text = p.get("Body").unwrap_or("").to_string();
    match receive(&state, sid, from, &text).await {
        Ok(Some(reply)) => twiml(&format!("<Message>{}</Message>", xml_escape(&reply))),
        Ok(None) => twiml(""),
        Err(e) => fail(e),
    }
}

/// Stores one inbound text; returns the automatic reply to send, if any.
async fn receive(
    state: &AppState,
    sid: &str,
    from: &str,
    text: &str,
) -> Result<Option<String>, DbError> {
    let db = &state.db;
    let keys = &state.keys;
    let seen: Option<i64> =
        sqlx::query_scalar("SELECT id FROM sms_messages WHERE provider_sid = $1")
            .bind(sid)
            .fetch_optional(&db.pool)
            .await?;
    if seen.is_some() {
        return Ok(None); // a repeated delivery
    }
    let phone_index = keys.index.index("phone", from);
    let t = now();
    // STOP and START as providers match them: the whole text, nothing around it.
    let keyword = text.trim().to_uppercase();
    let enabled = &state.config.hotline.locales;
    let existing = conversation(db, &phone_index).await?;
    let current = existing
        .as_ref()
        .and_then(|c| c.language.clone())
        .filter(|l| enabled.contains(l));
    // A help keyword in one of the hotline's languages chooses that language.
    let help_word = keyword_of(text);
    let asked = help_language(&help_word, current.as_deref(), enabled);
    // HELP and INFO ask for help whatever languages the hotline offers.
    let wants_help = asked.is_some() || UNIVERSAL_HELP.contains(&help_word.as_str());
    let locale = asked
        .clone()
        .or(current)
        .unwrap_or_else(|| state.config.default_locale().to_string());

    // The conversation of this sender.
    let (conv_id, was_opted_out, current_contact) = match existing {
        Some(c) => (c.id, c.opted_out, c.contact_id),
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sms_conversations (phone_index, phone_enc, last_message_at, language)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (phone_index) DO UPDATE SET last_message_at = excluded.last_message_at
                 RETURNING id",
            )
            .bind(&phone_index)
            .bind(keys.fields.encrypt_text(PHONE, from))
            .bind(t)
            .bind(&locale)
            .fetch_one(&db.pool)
            .await?;
            (id, false, None)
        }
    };

    // An open contact continues the thread; otherwise the text starts a new one.
    let open_contact = match current_contact {
        Some(cid) => store::get(db, keys, cid)
            .await?
            .filter(|c| c.status != "closed")
            .map(|c| c.id),
        None => None,
    };
    let (contact_id, new_contact) = match open_contact {
        Some(id) => (id, false),
        None => {
            let (id, _) = store::create(
                db,
                keys,
                &twilio::provider_actor(),
                NewContact {
                    channel: "sms".into(),
                    status: "queued".into(),
                    started_at: t,
                    provider_sid: Some(sid.to_string()),
                    phone: Some(from.to_string()),
                    language: Some(locale.clone()),
                    anonymous: true,
                    ..NewContact::default()
                },
            )
            .await?;
            (id, true)
        }
    };

    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO sms_messages (conversation_id, contact_id, direction, body_enc, provider_sid,
            status, created_at, updated_at)
         VALUES ($1, $2, 'inbound', $3, $4, 'received', $5, $5)
         ON CONFLICT (provider_sid) DO NOTHING",
    )
    .bind(conv_id)
    .bind(contact_id)
    .bind(keys.fields.encrypt_text(BODY, text))
    .bind(sid)
    .bind(t)
    .execute(&mut *tx)
    .await?;
    let opted = if STOP_WORDS.contains(&keyword.as_str()) {
        Some(1)
    } else if START_WORDS.contains(&keyword.as_str()) {
        Some(0)
    } else {
        None
    };
    // The language changes only when the texter asks for one.
    sqlx::query(
        "UPDATE sms_conversations SET contact_id = $1, last_message_at = $2,
            opted_out = COALESCE($3, opted_out), language = COALESCE($4, language)
         WHERE id = $5",
    )
    .bind(contact_id)
    .bind(t)
    .bind(opted)
    .bind(asked.as_deref())
    .bind(conv_id)
    .execute(&mut *tx)
    .await?;
    if asked.is_some() {
        // The advocate answers in the language the texter asked for.
        sqlx::query("UPDATE contacts SET language = $1, updated_at = $2 WHERE id = $3")
            .bind(&locale)
            .bind(t)
            .bind(contact_id)
            .execute(&mut *tx)
            .await?;
    }
    // Recorded only when the choice changes (a "yes" in a chat is not news).
    if let Some(o) = opted.filter(|o| (*o == 1) != was_opted_out) {
        audit::record(
            &mut tx,
            &twilio::provider_actor(),
            Event::new(if o == 1 { "sms.opt_out" } else { "sms.opt_in" })
                .target("contact", contact_id),
        )
        .await?;
    }
    tx.commit().await?;

    let emergency = &state.config.hotline.emergency_number;
    Ok(match keyword.as_str() {
        // The provider sends its own confirmation for STOP and START; the hotline adds nothing.
        k if STOP_WORDS.contains(&k) || START_WORDS.contains(&k) => None,
        _ if wants_help => Some(tr_with(&locale, "sms.help", &[("number", emergency)])),
        _ if new_contact => {
            let mut reply = tr_with(&locale, "sms.auto_reply", &[("number", emergency)]);
            // How to be answered in each of the hotline's other languages (once each: a
            // language of the hotline's own without its texts yet would repeat another's).
            let mut hints: Vec<String> = Vec::new();
            for other in enabled.iter().filter(|l| **l != locale) {
                if let Some(word) = help_keywords(other).into_iter().next() {
                    let hint = tr_with(other, "sms.language_hint", &[("keyword", &word)]);
                    if !reply.contains(&hint) && !hints.contains(&hint) {
                        hints.push(hint);
                    }
                }
            }
            for hint in hints {
                reply.push('\n');
                reply.push_str(&hint);
            }
            Some(reply)
        }
        _ => None,
    })
}

/// A text as a keyword: trimmed, without closing punctuation, in capitals.
fn keyword_of(text: &str) -> String {
    text.trim()
        .trim_end_matches(['.', '!', '?', '。', '！', '？', '؟'])
        .trim()
        .to_uppercase()
}

/// The words that ask for help in `locale` (`sms.keywords`, comma-separated), in capitals.
fn help_keywords(locale: &str) -> Vec<String> {
    crate::i18n::tr(locale, "sms.keywords")
        .split([',', '、', '،'])
        .map(|w| w.trim().to_uppercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The language whose help keyword `keyword` is: the conversation's own first (INFO is a
/// word of several languages), then the hotline's languages in their order.
fn help_language(keyword: &str, current: Option<&str>, enabled: &[String]) -> Option<String> {
    current
        .into_iter()
        .chain(enabled.iter().map(String::as_str))
        .find(|l| help_keywords(l).iter().any(|w| w == keyword))
        .map(str::to_string)
}

/// `POST /webhooks/sms/status`: the provider reports how an outgoing text fared.
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
    let (Some(sid), Some(st)) = (p.get("MessageSid"), p.get("MessageStatus")) else {
        return (
            StatusCode::BAD_REQUEST,
            "missing MessageSid or MessageStatus",
        )
            .into_response();
    };
    let st: String = st
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(20)
        .collect();
    let result =
        sqlx::query("UPDATE sms_messages SET status = $1, updated_at = $2 WHERE provider_sid = $3")
            .bind(&st)
            .bind(now())
            .bind(sid)
            .execute(&state.db.pool)
            .await;
    match result {
        Ok(r) if r.rows_affected() == 0 => {
            (StatusCode::NOT_FOUND, "unknown message").into_response()
        }
        Ok(_) => twiml(""),
        Err(e) => fail(e.into()),
    }
}

/// One message of a thread, ready to show.
pub struct Message {
    pub inbound: bool,
    pub body: String,
    pub at: String,
    pub status: String,
}

/// A sender's conversation as stored.
struct Conversation {
    id: i64,
    opted_out: bool,
    /// The contact its latest texts are threaded into.
    contact_id: Option<i64>,
    /// The language the hotline answers in (the last help keyword's, else the default).
    language: Option<String>,
}

/// The conversation with the phone number whose blind index is `phone_index`, if any.
async fn conversation(db: &Db, phone_index: &str) -> Result<Option<Conversation>, DbError> {
    let row = sqlx::query(
        "SELECT id, opted_out, contact_id, language FROM sms_conversations
         WHERE phone_index = $1",
    )
    .bind(phone_index)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Conversation {
        id: r.try_get(0)?,
        opted_out: r.try_get::<i64, _>(1)? != 0,
        contact_id: r.try_get(2)?,
        language: r.try_get(3)?,
    }))
}

/// The SMS conversation of a contact.
pub struct Thread {
    pub messages: Vec<Message>,
    pub opted_out: bool,
    pub reply: String,
    pub error: String,
}

/// The thread shown on an SMS contact's page.
pub async fn thread_for_contact(ctx: &Ctx, c: &Contact) -> Result<Option<Thread>, AppError> {
    let db = &ctx.state.db;
    let keys = &ctx.state.keys;
    let Some(index) = &c.phone_index else {
        return Ok(None);
    };
    let Some(conv) = conversation(db, index).await? else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT direction, body_enc, created_at, status FROM sms_messages
         WHERE conversation_id = $1 ORDER BY created_at, id",
    )
    .bind(conv.id)
    .fetch_all(&db.pool)
    .await?;
    let mut messages = Vec::new();
    for r in rows {
        let direction: String = r.try_get(0)?;
        let enc: String = r.try_get(1)?;
        let status: String = r.try_get(3)?;
        messages.push(Message {
            inbound: direction == "inbound",
            body: keys
                .fields
                .decrypt_text(BODY, &enc)
                .map_err(|_| AppError::Internal("a message could not be decrypted".into()))?,
            at: show_time(ctx, r.try_get(2)?),
            status: ctx.t(&format!("sms.status.{}", known_status(&status))),
        });
    }
    Ok(Some(Thread {
        messages,
        opted_out: conv.opted_out,
        reply: String::new(),
        error: String::new(),
    }))
}

fn known_status(s: &str) -> &str {
    match s {
        "received" | "queued" | "sending" | "sent" | "delivered" | "undelivered" | "failed"
        | "accepted" | "read" => s,
        _ => "other",
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    body: String,
}

#[derive(Template)]
#[template(path = "intake/sms_failed.html")]
struct ReplyFailed {
    page: crate::web::Page,
    id: i64,
    reference: String,
    body: String,
    error: String,
}

/// `POST /contacts/{id}/sms`: an advocate replies. On failure the typed text comes back.
pub async fn reply(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReplyForm>,
) -> Result<Response, AppError> {
    ctx.require(Permission::EditContacts)?;
    let state = &ctx.state;
    let c = store::get(&state.db, &state.keys, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let refuse = |key: &str, status: StatusCode| -> Result<Response, AppError> {
        let t = ReplyFailed {
            page: crate::web::Page::new(&ctx, &ctx.t("sms.reply_failed_title")),
            id,
            reference: c.reference.clone(),
            body: f.body.clone(),
            error: ctx.t(key),
        };
        Ok((status, axum::response::Html(t.render()?)).into_response())
    };
    let body = f.body.trim();
    if body.is_empty() || body.chars().count() > 1600 {
        return refuse("sms.error.length", StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (Some(index), Some(to)) = (&c.phone_index, &c.phone) else {
        return refuse("sms.error.no_number", StatusCode::UNPROCESSABLE_ENTITY);
    };
    let Some(conv) = conversation(&state.db, index).await? else {
        return refuse("sms.error.no_number", StatusCode::UNPROCESSABLE_ENTITY);
    };
    if conv.opted_out {
        return refuse("sms.error.opted_out", StatusCode::CONFLICT);
    }
    let ops = settings::load(&state.db).await?;
    let sent = twilio::send_sms(
        state,
        &ops.telephony.api_base_url,
        &ops.telephony.account_sid,
        &ops.sms_number,
        to,
        body,
    )
    .await;
    let (sid, status) = match sent {
        Ok(s) => s,
        Err(twilio::SendError::NotConfigured) => {
            return refuse("sms.error.not_configured", StatusCode::SERVICE_UNAVAILABLE)
        }
        Err(e) => {
            tracing::warn!(error = %e, "sending a text failed");
            return refuse("sms.error.send_failed", StatusCode::BAD_GATEWAY);
        }
    };
    let t = now();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO sms_messages (conversation_id, contact_id, direction, body_enc, provider_sid,
            status, sent_by, created_at, updated_at)
         VALUES ($1, $2, 'outbound', $3, $4, $5, $6, $7, $7)
         ON CONFLICT (provider_sid) DO NOTHING",
    )
    .bind(conv.id)
    .bind(id)
    .bind(state.keys.fields.encrypt_text(BODY, body))
    .bind((!sid.is_empty()).then_some(sid))
    .bind(status)
    .bind(ctx.user.as_ref().map(|u| u.id))
    .bind(t)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new("sms.reply").target("contact", id),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/contacts/{id}?notice=sms_sent")).into_response())
}
