//! Workshops: a trainer presents playbooks to another organisation or country. Stored: the
//! workshop (date, organisation, country, language, playbooks in order, an optional training
//! event it belongs to, notes) and its participants (names and emails encrypted).

use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::crypto::Keys;
use crate::db::fields::{dec, enc, split};
use crate::db::{now, Db, DbError};

const NAME: &str = "workshop_participants.name";
const EMAIL: &str = "workshop_participants.email";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workshop {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub organisation: String,
    /// ISO 3166-1 alpha-2, or empty.
    pub country: String,
    /// The playbooks' language.
    pub locale: String,
    /// Playbook ids in the order presented.
    pub playbooks: Vec<String>,
    pub training_id: Option<i64>,
    pub notes: String,
    pub participants: i64,
}

const COLUMNS: &str = "w.id, w.title, w.held_on, w.organisation, w.country, w.locale, w.playbooks,
    w.training_id, w.notes,
    (SELECT COUNT(*) FROM workshop_participants p WHERE p.workshop_id = w.id)";

fn workshop(r: &sqlx::any::AnyRow) -> Result<Workshop, sqlx::Error> {
    Ok(Workshop {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        held_on: r.try_get(2)?,
        organisation: r.try_get(3)?,
        country: r.try_get(4)?,
        locale: r.try_get(5)?,
        playbooks: split(r.try_get(6)?),
        training_id: r.try_get(7)?,
        notes: r.try_get(8)?,
        participants: r.try_get(9)?,
    })
}

/// All workshops, latest first.
pub async fn list(db: &Db) -> Result<Vec<Workshop>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM workshops w ORDER BY w.held_on DESC, w.id DESC"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(workshop).collect::<Result<_, _>>()?)
}

/// The workshops of one training event.
pub async fn of_training(db: &Db, training_id: i64) -> Result<Vec<Workshop>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM workshops w WHERE w.training_id = $1 ORDER BY w.held_on, w.id"
    ))
    .bind(training_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(workshop).collect::<Result<_, _>>()?)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Workshop>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM workshops w WHERE w.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(workshop).transpose()?)
}

pub async fn add(db: &Db, actor: &Actor, w: &Workshop) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO workshops (title, held_on, organisation, country, locale, playbooks,
           training_id, notes, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&w.title)
    .bind(&w.held_on)
    .bind(&w.organisation)
    .bind(&w.country)
    .bind(&w.locale)
    .bind(w.playbooks.join(","))
    .bind(w.training_id)
    .bind(&w.notes)
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("workshop.add").target("workshop", id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a workshop's details (not its notes or participants).
pub async fn update(db: &Db, actor: &Actor, w: &Workshop) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE workshops SET title = $1, held_on = $2, organisation = $3, country = $4,
           locale = $5, playbooks = $6, training_id = $7 WHERE id = $8",
    )
    .bind(&w.title)
    .bind(&w.held_on)
    .bind(&w.organisation)
    .bind(&w.country)
    .bind(&w.locale)
    .bind(w.playbooks.join(","))
    .bind(w.training_id)
    .bind(w.id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("workshop.edit").target("workshop", w.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_notes(db: &Db, actor: &Actor, id: i64, notes: &str) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let changed = sqlx::query("UPDATE workshops SET notes = $1 WHERE id = $2")
        .bind(notes)
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
        Event::new("workshop.notes").target("workshop", id),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Participant {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub organisation: String,
    pub role: String,
}

pub async fn participants(db: &Db, keys: &Keys, id: i64) -> Result<Vec<Participant>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name_enc, email_enc, organisation, role FROM workshop_participants
         WHERE workshop_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Participant {
                id: r.try_get(0)?,
                name: dec(keys, NAME, Some(r.try_get(1)?))?.unwrap_or_default(),
                email: dec(keys, EMAIL, r.try_get(2)?)?,
                organisation: r.try_get(3)?,
                role: r.try_get(4)?,
            })
        })
        .collect()
}

pub async fn add_participant(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    workshop_id: i64,
    p: &Participant,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO workshop_participants (workshop_id, name_enc, email_enc, organisation, role, added_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(workshop_id)
    .bind(keys.fields.encrypt_text(NAME, p.name.trim()))
    .bind(enc(keys, EMAIL, &p.email))
    .bind(&p.organisation)
    .bind(&p.role)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("workshop.participant_add").target("workshop", workshop_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a participant; false when they are not this workshop's.
pub async fn remove_participant(
    db: &Db,
    actor: &Actor,
    workshop_id: i64,
    participant: i64,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let gone = sqlx::query("DELETE FROM workshop_participants WHERE id = $1 AND workshop_id = $2")
        .bind(participant)
        .bind(workshop_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Ok(false);
    }
    audit::record(
        &mut tx,
        actor,
        Event::new("workshop.participant_remove").target("workshop", workshop_id),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
