//! Contacts ("signals") from every channel: the advocate console, the public tip form, voice
//! and SMS webhooks, and crisis alerts.

pub mod alerts;
pub mod console;
pub mod demo;
pub mod sms;
pub mod store;
pub mod tip;
pub mod twilio;
pub mod vocab;
pub mod voice;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(console::console))
        .route("/contacts", get(console::list))
        .route("/contacts/start", post(console::start))
        .route("/contacts/{id}", get(console::detail).post(console::save))
        .route("/contacts/{id}/edit", get(console::edit_form))
        .route("/contacts/{id}/claim", post(console::claim))
        .route("/contacts/{id}/sms", post(sms::reply))
        .route("/alerts/stream", get(alerts::stream))
        .route("/alerts/{id}/seen", post(alerts::seen))
        .route("/tip", get(tip::form).post(tip::submit))
        .route("/webhooks/voice", post(voice::incoming))
        .route("/webhooks/voice/language", post(voice::language))
        .route("/webhooks/voice/dial", post(voice::dial_result))
        .route("/webhooks/voice/voicemail", post(voice::voicemail))
        .route("/webhooks/voice/status", post(voice::status))
        .route("/webhooks/sms", post(sms::incoming))
        .route("/webhooks/sms/status", post(sms::status))
}
