//! Consultation playbooks: the catalog (bundled and local), rendering, the in-app library,
//! self-contained HTML handouts, the launch plan built from their checklists, workshops, and
//! practice calls.

pub mod catalog;
pub mod demo;
pub mod export;
pub mod pages;
pub mod plan;
pub mod plan_pages;
pub mod practice;
pub mod practice_pages;
pub mod render;
pub mod workshop_pages;
pub mod workshops;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub use catalog::{Catalog, Playbook, Problem};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/playbooks", get(pages::library))
        .route("/playbooks/{id}", get(pages::show))
        .route("/playbooks/{id}/handout", get(pages::handout))
        .route("/admin/playbooks", get(pages::admin))
        .route("/launch", get(plan_pages::summary))
        .route("/launch/plan.csv", get(plan_pages::csv))
        .route("/launch/{id}", get(plan_pages::playbook))
        .route("/launch/{id}/{item}", post(plan_pages::save_item))
        .route(
            "/workshops",
            get(workshop_pages::list).post(workshop_pages::create),
        )
        .route("/workshops/{id}", get(workshop_pages::detail))
        .route(
            "/workshops/{id}/edit",
            get(workshop_pages::edit_form).post(workshop_pages::update),
        )
        .route("/workshops/{id}/notes", post(workshop_pages::save_notes))
        .route(
            "/workshops/{id}/participants",
            post(workshop_pages::add_participant),
        )
        .route(
            "/workshops/{id}/participants/{participant}/remove",
            post(workshop_pages::remove_participant),
        )
        .route("/workshops/{id}/present", get(workshop_pages::present))
        .route("/workshops/{id}/handout", get(workshop_pages::handout))
        .route("/practice", get(practice_pages::list))
        .route("/practice/scenarios/{id}", get(practice_pages::script))
        .route(
            "/practice/scenarios/{id}/start",
            post(practice_pages::start),
        )
        .route("/practice/attempts/{id}", get(practice_pages::result))
        .route(
            "/practice/attempts/{id}/finish",
            post(practice_pages::finish),
        )
}
