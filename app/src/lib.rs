//! `hotline-app`: the running hotline — web app, storage, localization and security.
//!
//! The installer crate (`hotline`, the binary) provisions deployments and calls into this
//! crate; this crate never calls the installer.

// Compiled strings from `locales/*.yml`; `i18n::tr` looks at the deployment's overrides first.
rust_i18n::i18n!("../locales", fallback = "en");

pub mod admin;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod config;
pub mod countries;
pub mod crypto;
pub mod db;
pub mod directory;
pub mod error;
pub mod files;
pub mod i18n;
pub mod intake;
pub mod library;
pub mod outreach;
pub mod playbooks;
pub mod settings;
pub mod state;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use config::Config;
pub use db::Db;
pub use state::AppState;

/// Why a deployment could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Secrets(#[from] crypto::CryptoError),
    #[error("database: {0}")]
    Db(#[from] db::DbError),
}

/// Loads a deployment: its configuration, secrets and database (migrated), and installs its
/// translation overrides. Override problems are logged and skipped.
pub async fn open(dir: &Path) -> Result<AppState, OpenError> {
    let config = Config::load(dir)?;
    let keys = crypto::Keys::load(dir)?;
    let db = Db::connect(&config.resolved_database_url(dir)).await?;
    db.migrate().await?;
    carry_old_numbers(&config, &db).await?;
    i18n::set_default_locale(config.default_locale());
    for w in i18n::overrides::reload(dir, &db).await? {
        tracing::warn!(file = %w.file, problem = %w.message("en"), "translation override skipped");
    }
    let state = AppState::new(PathBuf::from(dir), config, db, keys);
    // The fallback document follows the languages and emergency number of hotline.toml,
    // which may have changed since the settings were last saved.
    // (Not from defaults standing in for settings that cannot be read: that would drop the
    // backup number from it.)
    if let Some(ops) = settings::load_exact(&state.db).await? {
        if let Err(e) = intake::voice::write_fallback(&state, &ops) {
            tracing::warn!(error = %e, "the telephony fallback document could not be written");
        }
    }
    Ok(state)
}

/// Numbers kept in `hotline.toml` by early deployments move into the settings once.
async fn carry_old_numbers(config: &Config, db: &Db) -> Result<(), db::DbError> {
    let (phone, sms) = (&config.hotline.phone_number, &config.hotline.sms_number);
    if phone.is_none() && sms.is_none() {
        return Ok(());
    }
    // Only for a deployment from before the settings existed (no settings saved yet).
    let saved: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings")
        .fetch_one(&db.pool)
        .await?;
    if saved > 0 {
        return Ok(());
    }
    let mut ops = settings::load(db).await?;
    ops.phone_number = phone.clone().unwrap_or_default();
    ops.sms_number = sms.clone().unwrap_or_default();
    settings::save(db, &audit::Actor::cli(), &ops).await
}

/// Serves the hotline on `listener` until `shutdown` completes, then finishes the requests
/// in flight and closes the database.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let housekeeping = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                if let Err(e) =
                    auth::session::purge_expired(&state.db, &state.config.sessions).await
                {
                    tracing::warn!(error = %e.kind(), "session clean-up failed");
                }
            }
        })
    };
    let translations = tokio::spawn(i18n::overrides::follow(state.dir.clone(), state.db.clone()));
    let app = web::router(state.clone());
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    housekeeping.abort();
    translations.abort();
    state.db.close().await;
    result
}
