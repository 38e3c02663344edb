//! Strategic roundtables: meetings, participants, best practices and actions.

use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::db::{now, Db, DbError};

pub const CONFIDENTIALITY: &[&str] = &["public", "partners", "restricted"];
pub const SIDES: &[&str] = &["government", "ngo", "other"];
pub const ACTION_STATUSES: &[&str] = &["open", "done", "dropped"];

#[derive(Debug, Clone, Default)]
pub struct Roundtable {
    pub id: i64,
    pub held_at: i64,
    pub theme: String,
    pub host: String,
    pub confidentiality: String,
    pub agenda: String,
    pub notes: String,
    pub next_meeting: Option<i64>,
    pub participants: i64,
    pub open_actions: i64,
}

const COLUMNS: &str =
    "r.id, r.held_at, r.theme, r.host, r.confidentiality, r.agenda, r.notes, r.next_meeting,
    (SELECT COUNT(*) FROM roundtable_participants p WHERE p.roundtable_id = r.id),
    (SELECT COUNT(*) FROM roundtable_actions a WHERE a.roundtable_id = r.id AND a.status = 'open')";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Roundtable, sqlx::Error> {
    Ok(Roundtable {
        id: r.try_get(0)?,
        held_at: r.try_get(1)?,
        theme: r.try_get(2)?,
        host: r.try_get(3)?,
        confidentiality: r.try_get(4)?,
        agenda: r.try_get(5)?,
        notes: r.try_get(6)?,
        next_meeting: r.try_get(7)?,
        participants: r.try_get(8)?,
        open_actions: r.try_get(9)?,
    })
}

pub async fn list(db: &Db, from: i64, to: i64) -> Result<Vec<Roundtable>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM roundtables r WHERE r.held_at >= $1 AND r.held_at < $2
         ORDER BY r.held_at DESC, r.id DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(from)
        .bind(to)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Roundtable>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM roundtables r WHERE r.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&db.pool).await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn add(db: &Db, actor: &Actor, r: &Roundtable) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO roundtables (held_at, theme, host, confidentiality, agenda, next_meeting, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(r.held_at)
    .bind(&r.theme)
    .bind(&r.host)
    .bind(&r.confidentiality)
    .bind(&r.agenda)
    .bind(r.next_meeting)
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("roundtable.add").target("roundtable", id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_notes(db: &Db, actor: &Actor, id: i64, notes: &str) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE roundtables SET notes = $1 WHERE id = $2")
        .bind(notes)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("roundtable.notes").target("roundtable", id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A participating organisation: name, country, side.
#[derive(Debug, Clone)]
pub struct Participant {
    pub organization: String,
    pub country: String,
    pub side: String,
}

pub async fn participants(db: &Db, id: i64) -> Result<Vec<Participant>, DbError> {
    let rows = sqlx::query(
        "SELECT o.name, o.country, p.side FROM roundtable_participants p
         JOIN reached_organizations o ON o.id = p.organization_id
         WHERE p.roundtable_id = $1 ORDER BY o.name",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Participant {
                organization: r.try_get(0)?,
                country: r.try_get(1)?,
                side: r.try_get(2)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// Adds a participant; an organisation already taking part only has its side updated.
pub async fn add_participant(
    db: &Db,
    actor: &Actor,
    id: i64,
    organization_id: i64,
    side: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "DELETE FROM roundtable_participants WHERE roundtable_id = $1 AND organization_id = $2",
    )
    .bind(id)
    .bind(organization_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO roundtable_participants (roundtable_id, organization_id, side) VALUES ($1, $2, $3)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(side)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("roundtable.participant").target("roundtable", id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Practice {
    pub id: i64,
    pub title: String,
    pub description: String,
}

pub async fn practices(db: &Db, id: i64) -> Result<Vec<Practice>, DbError> {
    let rows = sqlx::query(
        "SELECT id, title, description FROM roundtable_practices WHERE roundtable_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Practice {
                id: r.try_get(0)?,
                title: r.try_get(1)?,
                description: r.try_get(2)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

pub async fn add_practice(
    db: &Db,
    actor: &Actor,
    id: i64,
    title: &str,
    description: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let pid: i64 = sqlx::query_scalar(
        "INSERT INTO roundtable_practices (roundtable_id, title, description, created_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(id)
    .bind(title)
    .bind(description)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("roundtable.practice").target("roundtable_practice", pid),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Action {
    pub id: i64,
    pub description: String,
    pub owner: String,
    pub due_on: i64,
    pub status: String,
}

pub async fn actions(db: &Db, id: i64) -> Result<Vec<Action>, DbError> {
    let rows = sqlx::query(
        "SELECT id, description, owner, due_on, status FROM roundtable_actions
         WHERE roundtable_id = $1 ORDER BY due_on, id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Action {
                id: r.try_get(0)?,
                description: r.try_get(1)?,
                owner: r.try_get(2)?,
                due_on: r.try_get(3)?,
                status: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

pub async fn add_action(
    db: &Db,
    actor: &Actor,
    id: i64,
    description: &str,
    owner: &str,
    due_on: i64,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let aid: i64 = sqlx::query_scalar(
        "INSERT INTO roundtable_actions (roundtable_id, description, owner, due_on, updated_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id)
    .bind(description)
    .bind(owner)
    .bind(due_on)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("roundtable.action").target("roundtable_action", aid),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets an action's status; false when the action is not this roundtable's.
pub async fn set_action_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    action_id: i64,
    status: &str,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE roundtable_actions SET status = $1, updated_at = $2 WHERE id = $3 AND roundtable_id = $4",
    )
    .bind(status)
    .bind(now())
    .bind(action_id)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    audit::record(
        &mut tx,
        actor,
        Event::new("roundtable.action_status")
            .target("roundtable_action", action_id)
            .detail(status.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Roundtables held in `[from, to)`.
pub async fn held(db: &Db, from: i64, to: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM roundtables WHERE held_at >= $1 AND held_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&db.pool)
    .await?)
}
