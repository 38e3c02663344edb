//! Training events: the curriculum modules, events, the people registered for each (names
//! and emails encrypted, the same email merged) and attendance taken on the day.

use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::crypto::Keys;
use crate::db::fields::dec;
use crate::db::{now, Db, DbError};

pub const TIERS: &[&str] = &["online", "blended", "trainers"];
pub const MODES: &[&str] = &["in_person", "online"];

const NAME: &str = "training_people.name";
const EMAIL: &str = "training_people.email";

/// A curriculum module: bundled ones are labelled by `training.module.<code>`, the admin's
/// own by `label`.
#[derive(Debug, Clone)]
pub struct Module {
    pub code: String,
    pub label: String,
}

pub async fn modules(db: &Db) -> Result<Vec<Module>, DbError> {
    let rows = sqlx::query(
        "SELECT code, label FROM training_modules WHERE active = 1 ORDER BY position, code",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Module {
                code: r.try_get(0)?,
                label: r.try_get(1)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// Adds a module of the hotline's own; its code comes from the label.
pub async fn add_module(db: &Db, actor: &Actor, label: &str) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let position: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(position), 0) + 1 AS BIGINT) FROM training_modules",
    )
    .fetch_one(&mut *tx)
    .await?;
    let code = format!("custom_{position}");
    sqlx::query("INSERT INTO training_modules (code, label, position) VALUES ($1, $2, $3)")
        .bind(&code)
        .bind(label)
        .bind(position)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("training.add_module").detail(code),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct TrainingEvent {
    pub id: i64,
    pub title: String,
    pub tier: String,
    pub sector: String,
    pub mode: String,
    pub starts_at: i64,
    pub place: String,
    pub trainers: String,
    pub modules: Vec<String>,
    pub registered: i64,
    pub attended: i64,
}

const EVENT_COLUMNS: &str =
    "e.id, e.title, e.tier, e.sector, e.mode, e.starts_at, e.place, e.trainers, e.modules,
    (SELECT COUNT(*) FROM training_people p WHERE p.event_id = e.id),
    (SELECT COUNT(*) FROM training_people p WHERE p.event_id = e.id AND p.attended = 1)";

fn event_from(r: &sqlx::any::AnyRow) -> Result<TrainingEvent, sqlx::Error> {
    let modules: String = r.try_get(8)?;
    Ok(TrainingEvent {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        tier: r.try_get(2)?,
        sector: r.try_get(3)?,
        mode: r.try_get(4)?,
        starts_at: r.try_get(5)?,
        place: r.try_get(6)?,
        trainers: r.try_get(7)?,
        modules: crate::db::fields::split(modules),
        registered: r.try_get(9)?,
        attended: r.try_get(10)?,
    })
}

/// The events starting in `[from, to)`, latest first.
pub async fn events(db: &Db, from: i64, to: i64) -> Result<Vec<TrainingEvent>, DbError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM training_events e
         WHERE e.starts_at >= $1 AND e.starts_at < $2 ORDER BY e.starts_at DESC, e.id DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(from)
        .bind(to)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(event_from)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

pub async fn event(db: &Db, id: i64) -> Result<Option<TrainingEvent>, DbError> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM training_events e WHERE e.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&db.pool).await?;
    Ok(row.as_ref().map(event_from).transpose()?)
}

pub async fn add_event(db: &Db, actor: &Actor, e: &TrainingEvent) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO training_events
            (title, tier, sector, mode, starts_at, place, trainers, modules, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&e.title)
    .bind(&e.tier)
    .bind(&e.sector)
    .bind(&e.mode)
    .bind(e.starts_at)
    .bind(&e.place)
    .bind(&e.trainers)
    .bind(e.modules.join(","))
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("training.add_event").target("training_event", id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Someone registered for an event, decrypted.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub organization: String,
    pub attended: bool,
}

/// Whether a registration added someone or merged with their earlier registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    Added,
    Merged,
}

/// Registers someone; the same email on the same event updates the earlier registration
/// (name, organisation) instead of adding a second one.
pub async fn register(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    event_id: i64,
    name: &str,
    email: &str,
    organization_id: Option<i64>,
) -> Result<Registered, DbError> {
    let index = keys.index.index("email", email);
    let mut tx = db.begin().await?;
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM training_people WHERE event_id = $1 AND email_index = $2",
    )
    .bind(event_id)
    .bind(&index)
    .fetch_optional(&mut *tx)
    .await?;
    let name_enc = keys.fields.encrypt_text(NAME, name.trim());
    let email_enc = keys
        .fields
        .encrypt_text(EMAIL, &crate::crypto::normalize("email", email));
    let outcome = match existing {
        Some(id) => {
            sqlx::query(
                "UPDATE training_people SET name_enc = $1, email_enc = $2,
                    organization_id = COALESCE($3, organization_id) WHERE id = $4",
            )
            .bind(&name_enc)
            .bind(&email_enc)
            .bind(organization_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Registered::Merged
        }
        None => {
            sqlx::query(
                "INSERT INTO training_people
                    (event_id, name_enc, email_enc, email_index, organization_id, registered_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(event_id)
            .bind(&name_enc)
            .bind(&email_enc)
            .bind(&index)
            .bind(organization_id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            Registered::Added
        }
    };
    audit::record(
        &mut tx,
        actor,
        Event::new("training.register").target("training_event", event_id),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

pub async fn people(db: &Db, keys: &Keys, event_id: i64) -> Result<Vec<Person>, DbError> {
    let rows = sqlx::query(
        "SELECT p.id, p.name_enc, p.email_enc, COALESCE(o.name, ''), p.attended
         FROM training_people p LEFT JOIN reached_organizations o ON o.id = p.organization_id
         WHERE p.event_id = $1 ORDER BY p.id",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let attended: i64 = r.try_get(4)?;
        out.push(Person {
            id: r.try_get(0)?,
            name: dec(keys, NAME, r.try_get(1)?)?.unwrap_or_default(),
            email: dec(keys, EMAIL, r.try_get(2)?)?.unwrap_or_default(),
            organization: r.try_get(3)?,
            attended: attended == 1,
        });
    }
    Ok(out)
}

/// Takes attendance: exactly the people in `present` attended.
pub async fn set_attendance(
    db: &Db,
    actor: &Actor,
    event_id: i64,
    present: &[i64],
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE training_people SET attended = 0 WHERE event_id = $1")
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
    for id in present {
        sqlx::query("UPDATE training_people SET attended = 1 WHERE event_id = $1 AND id = $2")
            .bind(event_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        actor,
        Event::new("training.attendance")
            .target("training_event", event_id)
            .detail(format!("{}", present.len())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// People who attended an event starting in `[from, to)`.
pub async fn people_trained(db: &Db, from: i64, to: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM training_people p JOIN training_events e ON e.id = p.event_id
         WHERE p.attended = 1 AND e.starts_at >= $1 AND e.starts_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&db.pool)
    .await?)
}
