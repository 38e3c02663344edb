//! Embedded, per-backend migrations with checksums.
//!
//! Each migration runs in its own transaction together with the row that records it, so a
//! failed migration leaves nothing half-applied. PostgreSQL takes an advisory lock so that
//! several `hotline serve` processes starting at once migrate one at a time; SQLite's
//! `BEGIN IMMEDIATE` does the same.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Backend, Db, DbError};

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}

const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        description: "accounts, sessions, login throttling, audit trail",
        sql: include_str!("../../migrations/sqlite/0001_spine.sql"),
    },
    Migration {
        version: 2,
        description: "contacts, SMS, crisis alerts, roster, settings",
        sql: include_str!("../../migrations/sqlite/0002_contacts.sql"),
    },
    Migration {
        version: 3,
        description: "cases, people, notes, tasks, services, consent, reports",
        sql: include_str!("../../migrations/sqlite/0003_cases.sql"),
    },
    Migration {
        version: 4,
        description: "referral directory and referrals",
        sql: include_str!("../../migrations/sqlite/0004_directory.sql"),
    },
    Migration {
        version: 5,
        description: "outreach: organisations reached, consultations, materials, goals",
        sql: include_str!("../../migrations/sqlite/0005_outreach.sql"),
    },
    Migration {
        version: 6,
        description: "training events: modules, events, registrants and attendance",
        sql: include_str!("../../migrations/sqlite/0006_training.sql"),
    },
    Migration {
        version: 7,
        description: "training questionnaires: answers and scores per stage",
        sql: include_str!("../../migrations/sqlite/0007_questionnaires.sql"),
    },
    Migration {
        version: 8,
        description: "strategic roundtables: participants, best practices, actions",
        sql: include_str!("../../migrations/sqlite/0008_roundtables.sql"),
    },
    Migration {
        version: 9,
        description: "resource library: documents, links, published best practices",
        sql: include_str!("../../migrations/sqlite/0009_library.sql"),
    },
    Migration {
        version: 10,
        description: "library items: where an imported item came from",
        sql: include_str!("../../migrations/sqlite/0010_library_sources.sql"),
    },
    Migration {
        version: 11,
        description: "training materials: a document of the library",
        sql: include_str!("../../migrations/sqlite/0011_material_documents.sql"),
    },
    Migration {
        version: 12,
        description: "a best practice is published to the library once",
        sql: include_str!("../../migrations/sqlite/0012_unique_published_practice.sql"),
    },
    Migration {
        version: 13,
        description: "the launch plan: status, owner, due date and notes of checklist items",
        sql: include_str!("../../migrations/sqlite/0013_launch_plan.sql"),
    },
    Migration {
        version: 14,
        description: "workshops built from playbooks, and their participants",
        sql: include_str!("../../migrations/sqlite/0014_workshops.sql"),
    },
    Migration {
        version: 15,
        description: "practice calls: a trainee's attempts at role-play scenarios and their scores",
        sql: include_str!("../../migrations/sqlite/0015_practice_attempts.sql"),
    },
    Migration {
        version: 16,
        description: "launch-plan items remember their wording, to flag changed playbooks",
        sql: include_str!("../../migrations/sqlite/0016_launch_item_wording.sql"),
    },
    Migration {
        version: 17,
        description: "translation overrides made on the admin page",
        sql: include_str!("../../migrations/sqlite/0017_translation_overrides.sql"),
    },
];

const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        description: "accounts, sessions, login throttling, audit trail",
        sql: include_str!("../../migrations/postgres/0001_spine.sql"),
    },
    Migration {
        version: 2,
        description: "contacts, SMS, crisis alerts, roster, settings",
        sql: include_str!("../../migrations/postgres/0002_contacts.sql"),
    },
    Migration {
        version: 3,
        description: "cases, people, notes, tasks, services, consent, reports",
        sql: include_str!("../../migrations/postgres/0003_cases.sql"),
    },
    Migration {
        version: 4,
        description: "referral directory and referrals",
        sql: include_str!("../../migrations/postgres/0004_directory.sql"),
    },
    Migration {
        version: 5,
        description: "outreach: organisations reached, consultations, materials, goals",
        sql: include_str!("../../migrations/postgres/0005_outreach.sql"),
    },
    Migration {
        version: 6,
        description: "training events: modules, events, registrants and attendance",
        sql: include_str!("../../migrations/postgres/0006_training.sql"),
    },
    Migration {
        version: 7,
        description: "training questionnaires: answers and scores per stage",
        sql: include_str!("../../migrations/postgres/0007_questionnaires.sql"),
    },
    Migration {
        version: 8,
        description: "strategic roundtables: participants, best practices, actions",
        sql: include_str!("../../migrations/postgres/0008_roundtables.sql"),
    },
    Migration {
        version: 9,
        description: "resource library: documents, links, published best practices",
        sql: include_str!("../../migrations/postgres/0009_library.sql"),
    },
    Migration {
        version: 10,
        description: "library items: where an imported item came from",
        sql: include_str!("../../migrations/postgres/0010_library_sources.sql"),
    },
    Migration {
        version: 11,
        description: "training materials: a document of the library",
        sql: include_str!("../../migrations/postgres/0011_material_documents.sql"),
    },
    Migration {
        version: 12,
        description: "a best practice is published to the library once",
        sql: include_str!("../../migrations/postgres/0012_unique_published_practice.sql"),
    },
    Migration {
        version: 13,
        description: "the launch plan: status, owner, due date and notes of checklist items",
        sql: include_str!("../../migrations/postgres/0013_launch_plan.sql"),
    },
    Migration {
        version: 14,
        description: "workshops built from playbooks, and their participants",
        sql: include_str!("../../migrations/postgres/0014_workshops.sql"),
    },
    Migration {
        version: 15,
        description: "practice calls: a trainee's attempts at role-play scenarios and their scores",
        sql: include_str!("../../migrations/postgres/0015_practice_attempts.sql"),
    },
    Migration {
        version: 16,
        description: "launch-plan items remember their wording, to flag changed playbooks",
        sql: include_str!("../../migrations/postgres/0016_launch_item_wording.sql"),
    },
    Migration {
        version: 17,
        description: "translation overrides made on the admin page",
        sql: include_str!("../../migrations/postgres/0017_translation_overrides.sql"),
    },
];

/// Where the database stands against the embedded migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub applied: Vec<i64>,
    pub pending: Vec<i64>,
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

// Dialect-specific: the bookkeeping table.
const CREATE_SQLITE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at INTEGER NOT NULL)";
const CREATE_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at BIGINT NOT NULL)";

impl Db {
    /// The migrations embedded for this backend.
    pub fn migrations(&self) -> &'static [Migration] {
        match self.backend {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        }
    }

    async fn ensure_bookkeeping(&self) -> Result<(), DbError> {
        let sql = match self.backend {
            Backend::Sqlite => CREATE_SQLITE,
            Backend::Postgres => CREATE_POSTGRES,
        };
        sqlx::query(sql).execute(&self.pool).await?;
        Ok(())
    }

    /// Applied and pending migrations; fails if an applied one was altered or is unknown.
    pub async fn migration_status(&self) -> Result<MigrationStatus, DbError> {
        self.ensure_bookkeeping().await?;
        let rows = sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&self.pool)
            .await?;
        let known = self.migrations();
        let mut applied = Vec::new();
        for row in rows {
            let version: i64 = row.try_get(0)?;
            let sum: String = row.try_get(1)?;
            match known.iter().find(|m| m.version == version) {
                Some(m) if checksum(m.sql) == sum => applied.push(version),
                Some(_) => return Err(DbError::ChecksumMismatch { version }),
                None => return Err(DbError::TooNew { version }),
            }
        }
        let pending = known
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect();
        Ok(MigrationStatus { applied, pending })
    }

    /// Applies every pending migration, returning the versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, DbError> {
        self.ensure_bookkeeping().await?;
        let mut done = Vec::new();
        for m in self.migrations() {
            let mut tx = self.begin().await?;
            if self.backend == Backend::Postgres {
                // Dialect-specific: serialize concurrent migrators.
                sqlx::query("SELECT pg_advisory_xact_lock(7243001)")
                    .execute(&mut *tx)
                    .await?;
            }
            let existing: Option<String> =
                sqlx::query_scalar("SELECT checksum FROM schema_migrations WHERE version = $1")
                    .bind(m.version)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(sum) if sum == checksum(m.sql) => {
                    tx.rollback().await?;
                    continue;
                }
                Some(_) => return Err(DbError::ChecksumMismatch { version: m.version }),
                None => {}
            }
            sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, description, checksum, applied_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.description)
            .bind(checksum(m.sql))
            .bind(super::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, "applied migration");
            done.push(m.version);
        }
        // A newer database than this binary is refused here too.
        self.migration_status().await?;
        Ok(done)
    }
}
