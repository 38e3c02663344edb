//! Training and outreach: organisations reached, consultations, training materials, and the
//! program goals computed from every feature's records.

pub mod demo;
pub mod goals;
pub mod pages;
pub mod quiz;
pub mod roundtable_pages;
pub mod roundtables;
pub mod store;
pub mod training;
pub mod training_pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/outreach/organizations",
            get(pages::organizations).post(pages::add_organization),
        )
        .route(
            "/outreach/consultations",
            get(pages::consultations).post(pages::add_consultation),
        )
        .route(
            "/outreach/materials",
            get(pages::materials).post(pages::add_material),
        )
        .route("/outreach/materials/distribute", post(pages::distribute))
        .route("/goals", get(pages::goals_view).post(pages::set_goals))
        .route(
            "/training",
            get(training_pages::list).post(training_pages::add_event),
        )
        .route("/training/modules", post(training_pages::add_module))
        .route("/training/{id}", get(training_pages::detail))
        .route("/training/{id}/register", post(training_pages::register))
        .route(
            "/training/{id}/attendance",
            post(training_pages::attendance),
        )
        .route(
            "/training/{id}/certificates",
            get(training_pages::certificates),
        )
        .route(
            "/roundtables",
            get(roundtable_pages::list).post(roundtable_pages::add),
        )
        .route("/roundtables/{id}", get(roundtable_pages::detail))
        .route("/roundtables/{id}/notes", post(roundtable_pages::notes))
        .route(
            "/roundtables/{id}/participants",
            post(roundtable_pages::participant),
        )
        .route(
            "/roundtables/{id}/practices",
            post(roundtable_pages::practice),
        )
        .route("/roundtables/{id}/actions", post(roundtable_pages::action))
        .route(
            "/roundtables/{id}/actions/{action}/status",
            post(roundtable_pages::action_status),
        )
        .route(
            "/questionnaire/{code}/{stage}",
            get(training_pages::questionnaire).post(training_pages::answer_questionnaire),
        )
}
