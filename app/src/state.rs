//! The state every request shares.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    /// The deployment directory.
    pub dir: PathBuf,
    pub config: Config,
    pub db: Db,
    pub keys: Keys,
}

impl AppState {
    pub fn new(dir: PathBuf, config: Config, db: Db, keys: Keys) -> Self {
        Self(Arc::new(Inner {
            dir,
            config,
            db,
            keys,
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
