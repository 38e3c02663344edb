//! The resource library: documents, links and published best practices, for staff and (when
//! public) for everyone on the public site.

pub mod bundle;
pub mod pages;
pub mod store;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/library", get(pages::staff_library).post(pages::add_link))
        .route(
            "/library/upload",
            post(pages::upload).layer(axum::extract::DefaultBodyLimit::max(
                store::MAX_FILE_BYTES + 1024 * 1024,
            )),
        )
        .route("/library/files/{id}", get(pages::download))
        .route(
            "/library/bundle",
            get(pages::bundle_export)
                .post(pages::bundle_import)
                .layer(axum::extract::DefaultBodyLimit::max(100 * 1024 * 1024)),
        )
        .route("/resources", get(pages::public_library))
        .route(
            "/roundtables/{id}/practices/{practice}/publish",
            post(pages::publish_practice),
        )
}
