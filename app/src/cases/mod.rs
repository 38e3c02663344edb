//! Cases: potential trafficking situations built from contacts, and the work on them.

pub mod demo;
pub mod pages;
pub mod store;
pub mod vocab;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(pages::list))
        .route("/contacts/{id}/case", post(pages::open_from_contact))
        .route("/cases/{id}", get(pages::detail).post(pages::save))
        .route("/cases/{id}/edit", get(pages::edit_form))
        .route("/cases/{id}/status", post(pages::change_status))
        .route("/cases/{id}/assign", post(pages::assign))
        .route("/cases/{id}/contacts", post(pages::attach_contact))
        .route("/cases/{id}/people", post(pages::add_person))
        .route("/cases/{id}/notes", post(pages::add_note))
        .route("/cases/{id}/tasks", post(pages::add_task))
        .route("/cases/{id}/tasks/{task}/done", post(pages::complete_task))
        .route("/cases/{id}/services", post(pages::add_service))
        .route("/cases/{id}/emergencies", post(pages::add_emergency))
        .route("/cases/{id}/consents", post(pages::add_consent))
        .route(
            "/cases/{id}/consents/{consent}/withdraw",
            post(pages::withdraw_consent),
        )
        .route("/cases/{id}/reports", post(pages::add_report))
        .route("/cases/{id}/referrals", post(pages::add_referral))
        .route(
            "/cases/{id}/referrals/{referral}/status",
            post(pages::referral_status),
        )
}
