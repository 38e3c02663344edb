//! Consultation playbooks: the catalog (bundled and local), rendering, the in-app library,
//! and self-contained HTML handouts.

pub mod catalog;
pub mod export;
pub mod pages;
pub mod render;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub use catalog::{Catalog, Playbook, Problem};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/playbooks", get(pages::library))
        .route("/playbooks/{id}", get(pages::show))
        .route("/playbooks/{id}/handout", get(pages::handout))
        .route("/admin/playbooks", get(pages::admin))
}
