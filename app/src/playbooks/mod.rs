//! Consultation playbooks: the catalog (bundled and local), rendering, the in-app library,
//! self-contained HTML handouts, and the launch plan built from their checklists.

pub mod catalog;
pub mod export;
pub mod pages;
pub mod plan;
pub mod plan_pages;
pub mod render;

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
}
