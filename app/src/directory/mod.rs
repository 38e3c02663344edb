//! The referral directory: partner organisations and their services, exchanged in Open
//! Referral HSDS 3.0.

pub mod demo;
pub mod hsds;
pub mod pages;
pub mod store;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/directory", get(pages::search))
        .route("/directory/review", get(pages::review))
        .route("/directory/export.json", get(pages::export_json))
        .route("/directory/export.zip", get(pages::export_zip))
        .route(
            "/directory/import",
            get(pages::import_form)
                .post(pages::import)
                // Uploads are larger than forms: up to 20 MiB.
                .layer(axum::extract::DefaultBodyLimit::max(20 * 1024 * 1024)),
        )
        .route("/directory/organizations", post(pages::save_org))
        .route("/directory/organizations/new", get(pages::new_org))
        .route("/directory/organizations/{id}", get(pages::show_org))
        .route(
            "/directory/organizations/{id}/services/new",
            get(pages::new_service),
        )
        .route("/directory/services", post(pages::save_service))
        .route("/directory/services/{id}", get(pages::edit_service))
}
