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
    Io(crate::i18n::Message),
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

    /// What went wrong, to say in the reader's language; like [`DbError::kind`], never a
    /// database message (which may quote a row's values).
    pub fn message(&self) -> crate::i18n::Message {
        use crate::i18n::message::io_problem;
        use crate::i18n::Message;
        let simple = |key| Message::new(key, &[]);
        match self {
            DbError::Unsupported => simple("problem.db.unsupported"),
            DbError::SqliteMissing(_) => simple("problem.db.cannot_open"),
            DbError::ChecksumMismatch { version } => Message::new(
                "problem.db.changed_migration",
                &[("version", &version.to_string())],
            ),
            DbError::TooNew { version } => {
                Message::new("problem.db.too_new", &[("version", &version.to_string())])
            }
            DbError::Io(m) => simple("problem.db.file_storage").because(m.clone()),
            DbError::Sqlx(e) => match e {
                sqlx::Error::Database(db) => {
                    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                    match code.as_str() {
                        // PostgreSQL SQLSTATE codes, then SQLite's (extended) result codes.
                        "28P01" | "28000" => simple("problem.db.auth"),
                        "3D000" => simple("problem.db.no_database"),
                        "53300" => simple("problem.db.too_many"),
                        "53100" | "13" => simple("problem.db.full"),
                        "23505" | "1555" | "2067" => simple("problem.db.duplicate"),
                        "25006" | "8" => simple("problem.db.read_only"),
                        "5" | "517" | "6" | "55P03" => simple("problem.db.busy"),
                        "14" => simple("problem.db.cannot_open"),
                        "11" | "26" => simple("problem.db.corrupt"),
                        _ if code.is_empty() => simple("problem.db.other"),
                        _ => Message::new("problem.db.code", &[("code", &code)]),
                    }
                }
                sqlx::Error::PoolTimedOut => simple("problem.db.timeout"),
                sqlx::Error::Io(io) => io_problem(io),
                sqlx::Error::Tls(_) => simple("problem.db.tls"),
                sqlx::Error::Configuration(_) => simple("problem.db.bad_url"),
                _ => simple("problem.db.other"),
            },
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
