//! Training and outreach: organisations reached, consultations, training materials, and the
//! program goals computed from every feature's records.

pub mod demo;
pub mod goals;
pub mod pages;
pub mod store;

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
}
