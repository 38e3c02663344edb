//! One database handle over SQLite or PostgreSQL.
//!
//! SQL is written once with `$1` placeholders, which both backends accept through sqlx's
//! `Any` driver. Integers are `BIGINT` (decoded as `i64`), flags are `0/1` integers and
//! timestamps are UTC Unix seconds, so rows decode the same way on both backends.
//! Dialect-specific SQL is kept in this module, marked as such.

pub mod fields;
mod migrate;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Transaction};

pub use migrate::{Migration, MigrationStatus};

/// Which database engine a deployment runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The shared database handle.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// A database failure, kept apart from the URL (which may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL")]
    Unsupported,
    /// An existing deployment's SQLite file is gone: never silently start with an empty one.
    #[error("the database file {0} does not exist")]
    SqliteMissing(String),
    #[error("{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration {version} was changed after it was applied")]
    ChecksumMismatch { version: i64 },
    #[error("the database holds migration {version}, newer than this program knows")]
    TooNew { version: i64 },
    /// Files kept beside the database (library uploads) could not be written.
    #[error("file storage: {0}")]
    Io(String),
}

pub type Tx = Transaction<'static, Any>;

impl DbError {
    /// A description safe for logs: the kind of failure, never a database message (which
    /// may quote a row's values).
    pub fn kind(&self) -> String {
        match self {
            DbError::Sqlx(sqlx::Error::Database(db)) => format!(
                "database error {}",
                db.code().map(|c| c.into_owned()).unwrap_or_default()
            ),
            DbError::Sqlx(sqlx::Error::PoolTimedOut) => "database pool timed out".into(),
            DbError::Sqlx(sqlx::Error::Io(_)) => "database I/O error".into(),
            DbError::Sqlx(_) => "database error".into(),
            other => other.to_string(),
        }
    }
}

impl Db {
    /// Connects to an existing database (a resolved `sqlite://…` path or `postgres://…`).
    /// A missing SQLite file is an error: an empty database must never replace lost data.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        if let Some(path) = crate::config::sqlite_path(url) {
            if !std::path::Path::new(path).exists() {
                return Err(DbError::SqliteMissing(path.to_string()));
            }
        }
        Self::open(url, false).await
    }

    /// Connects, creating the SQLite file if needed (provisioning only).
    pub async fn create(url: &str) -> Result<Db, DbError> {
        Self::open(url, true).await
    }

    /// Every SQLite connection gets WAL, `synchronous = FULL`, foreign keys and a busy
    /// timeout.
    async fn open(url: &str, create: bool) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::Unsupported);
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => {
                format!("{url}?mode={}", if create { "rwc" } else { "rw" })
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2));
        let mut pool = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        if backend == Backend::Sqlite {
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // Dialect-specific: SQLite connection settings.
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await?;
        Ok(Db { pool, backend })
    }

    /// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is
    /// taken up front and a read-then-write transaction cannot fail half-way.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// SQLite's journal mode (`wal` expected); `None` on PostgreSQL.
    pub async fn sqlite_journal_mode(&self) -> Result<Option<String>, DbError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(mode.to_lowercase()))
    }

    /// Closes every connection (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The current time as UTC Unix seconds.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}
