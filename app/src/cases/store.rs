//! Cases in the database. Who may see a case is decided here, in one SQL condition used both
//! for lists and for single cases, so a case someone may not see is indistinguishable from
//! one that does not exist.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::vocab;
use crate::audit::{self, Actor, Event};
use crate::auth::users::User;
use crate::auth::Role;
use crate::crypto::Keys;
use crate::db::fields::{dec, enc, split};
use crate::db::{now, Db, DbError};

const SUMMARY: &str = "cases.summary";
const SAFETY: &str = "cases.safety_plan";
const OVERRIDE: &str = "cases.level_override_reason";
const PERSON_NAME: &str = "case_people.name";
const PERSON_DETAILS: &str = "case_people.details";
const NOTE: &str = "case_notes.body";
const TASK: &str = "case_tasks.title";

#[derive(Debug, Clone, Default)]
pub struct Case {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub closure_reason: Option<String>,
    pub region: Option<String>,
    pub case_type: String,
    pub venue: Option<String>,
    pub indicators: Vec<String>,
    pub indicator_level: Option<String>,
    pub level_override_reason: Option<String>,
    pub recruitment: Vec<String>,
    pub control: Vec<String>,
    pub summary: Option<String>,
    pub safety_plan: Option<String>,
    pub crisis: bool,
    pub assigned_to: Option<i64>,
    pub assigned_name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub number: String,
    pub status: String,
    pub case_type: String,
    pub region: Option<String>,
    pub assigned_name: Option<String>,
    pub updated_at: i64,
    pub crisis: bool,
}

/// The condition (on alias `c`) that a user may see a case, with its binds.
///
/// Supervisors see every case; case managers the cases assigned to them (and those they
/// opened); advocates the cases they worked on (opened, were assigned, took a linked contact,
/// wrote a note) and every case in crisis that is not closed; everyone else none.
fn access(user: &User, first_bind: usize) -> (String, Vec<i64>) {
    let n = first_bind;
    match user.role {
        Role::Supervisor => ("1 = 1".into(), vec![]),
        Role::CaseManager => (
            format!("(c.assigned_to = ${n} OR c.created_by = ${n})"),
            vec![user.id],
        ),
        Role::Advocate => (
            format!(
                "(c.created_by = ${n} OR c.assigned_to = ${n}
                  OR EXISTS (SELECT 1 FROM contacts k WHERE k.case_id = c.id AND k.advocate_id = ${n})
                  OR EXISTS (SELECT 1 FROM case_notes m WHERE m.case_id = c.id AND m.author_id = ${n})
                  OR (c.crisis = 1 AND c.status <> 'closed'))"
            ),
            vec![user.id],
        ),
        _ => ("1 = 0".into(), vec![]),
    }
}

const COLUMNS: &str = "c.id, c.number, c.status, c.closure_reason, c.region, c.case_type, c.venue,
    c.indicators, c.indicator_level, c.level_override_reason_enc, c.recruitment, c.control,
    c.summary_enc, c.safety_plan_enc, c.crisis, c.assigned_to, u.display_name, c.created_at,
    c.updated_at, c.version";

fn decode(keys: &Keys, r: &AnyRow) -> Result<Case, DbError> {
    Ok(Case {
        id: r.try_get(0)?,
        number: r.try_get(1)?,
        status: r.try_get(2)?,
        closure_reason: r.try_get(3)?,
        region: r.try_get(4)?,
        case_type: r.try_get(5)?,
        venue: r.try_get(6)?,
        indicators: split(r.try_get(7)?),
        indicator_level: r.try_get(8)?,
        level_override_reason: dec(keys, OVERRIDE, r.try_get(9)?)?,
        recruitment: split(r.try_get(10)?),
        control: split(r.try_get(11)?),
        summary: dec(keys, SUMMARY, r.try_get(12)?)?,
        safety_plan: dec(keys, SAFETY, r.try_get(13)?)?,
        crisis: r.try_get::<i64, _>(14)? != 0,
        assigned_to: r.try_get(15)?,
        assigned_name: r.try_get(16)?,
        created_at: r.try_get(17)?,
        updated_at: r.try_get(18)?,
        version: r.try_get(19)?,
    })
}

/// The case if `user` may see it; `None` both when it does not exist and when it is not
/// theirs to see.
pub async fn get_visible(
    db: &Db,
    keys: &Keys,
    user: &User,
    id: i64,
) -> Result<Option<Case>, DbError> {
    let (cond, binds) = access(user, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM cases c LEFT JOIN users u ON u.id = c.assigned_to
         WHERE c.id = $1 AND {cond}"
    );
    let mut q = sqlx::query(&sql).bind(id);
    for b in binds {
        q = q.bind(b);
    }
    let row = q.fetch_optional(&db.pool).await?;
    row.as_ref().map(|r| decode(keys, r)).transpose()
}

/// A case regardless of who asks (for the demo seeder and internal use only).
pub async fn get_any(db: &Db, keys: &Keys, id: i64) -> Result<Option<Case>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM cases c LEFT JOIN users u ON u.id = c.assigned_to WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(|r| decode(keys, r)).transpose()
}

/// Cases `user` may see, most recently updated first.
pub async fn list_visible(
    db: &Db,
    user: &User,
    status: Option<&str>,
    mine: bool,
    limit: i64,
) -> Result<Vec<Listed>, DbError> {
    let (cond, binds) = access(user, 1);
    let mut sql = format!(
        "SELECT c.id, c.number, c.status, c.case_type, c.region, u.display_name, c.updated_at, c.crisis
         FROM cases c LEFT JOIN users u ON u.id = c.assigned_to WHERE {cond}"
    );
    let mut n = binds.len();
    if status.is_some() {
        n += 1;
        sql.push_str(&format!(" AND c.status = ${n}"));
    }
    if mine {
        n += 1;
        sql.push_str(&format!(" AND c.assigned_to = ${n}"));
    }
    sql.push_str(&format!(
        " ORDER BY c.updated_at DESC, c.id DESC LIMIT ${}",
        n + 1
    ));
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b);
    }
    if let Some(s) = status {
        q = q.bind(s.to_string());
    }
    if mine {
        q = q.bind(user.id);
    }
    let rows = q.bind(limit).fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(Listed {
                id: r.try_get(0)?,
                number: r.try_get(1)?,
                status: r.try_get(2)?,
                case_type: r.try_get(3)?,
                region: r.try_get(4)?,
                assigned_name: r.try_get(5)?,
                updated_at: r.try_get(6)?,
                crisis: r.try_get::<i64, _>(7)? != 0,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// The next human case number of a country and year, e.g. `JP-2026-00042`.
async fn next_number(
    conn: &mut AnyConnection,
    country: &str,
    year: i64,
) -> Result<String, sqlx::Error> {
    // Same SQL on both backends (SQLite 3.35+ and PostgreSQL): an upsert that returns the value.
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO case_counters (country, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (country, year) DO UPDATE SET last = case_counters.last + 1
         RETURNING last",
    )
    .bind(country)
    .bind(year)
    .fetch_one(conn)
    .await?;
    Ok(format!("{country}-{year}-{n:05}"))
}

/// Opens a case from a contact (the contact is linked to it).
pub async fn create_from_contact(
    db: &Db,
    actor: &Actor,
    country: &str,
    timezone: &str,
    contact_id: i64,
) -> Result<i64, DbError> {
    let t = now();
    let year = jiff::Timestamp::from_second(t)
        .ok()
        .and_then(|ts| {
            jiff::tz::TimeZone::get(timezone)
                .ok()
                .map(|tz| ts.to_zoned(tz).year())
        })
        .map_or(1970, i64::from);
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT region, contact_type, case_id FROM contacts WHERE id = $1")
        .bind(contact_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Err(DbError::Sqlx(sqlx::Error::RowNotFound));
    };
    let existing: Option<i64> = row.try_get(2)?;
    if let Some(id) = existing {
        tx.rollback().await?;
        return Ok(id);
    }
    let region: Option<String> = row.try_get(0)?;
    let kind: Option<String> = row.try_get(1)?;
    let number = next_number(&mut tx, country, year).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (number, status, region, crisis, created_by, created_at, updated_at)
         VALUES ($1, 'open', $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&number)
    .bind(region)
    .bind(i64::from(kind.as_deref() == Some("crisis")))
    .bind(actor.user_id)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE contacts SET case_id = $1 WHERE id = $2")
        .bind(id)
        .bind(contact_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.create")
            .target("case", id)
            .detail(format!("contact={contact_id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The case form, validated.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub case_type: String,
    pub venue: Option<String>,
    pub region: Option<String>,
    pub indicators: Vec<String>,
    /// `Some(level)` when the worker overrides the proposed level.
    pub level_override: Option<String>,
    pub override_reason: Option<String>,
    pub recruitment: Vec<String>,
    pub control: Vec<String>,
    pub summary: Option<String>,
    pub safety_plan: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("conflict")]
    Conflict,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for SaveError {
    fn from(e: sqlx::Error) -> Self {
        SaveError::Db(e.into())
    }
}

/// Saves the case form if nobody saved since `version`. The indicator level is the one the
/// indicators propose unless overridden (with a reason, kept encrypted and audited).
pub async fn update(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    id: i64,
    version: i64,
    e: &Edit,
) -> Result<(), SaveError> {
    let proposed = vocab::proposed_level(&e.indicators).map(str::to_string);
    let level = e.level_override.clone().or(proposed.clone());
    let overridden = e.level_override.is_some() && e.level_override != proposed;
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE cases SET case_type = $1, venue = $2, region = $3, indicators = $4,
            indicator_level = $5, level_override_reason_enc = $6, recruitment = $7, control = $8,
            summary_enc = $9, safety_plan_enc = $10, updated_at = $11, version = version + 1
         WHERE id = $12 AND version = $13",
    )
    .bind(&e.case_type)
    .bind(&e.venue)
    .bind(&e.region)
    .bind(e.indicators.join(","))
    .bind(level)
    .bind(if overridden {
        enc(keys, OVERRIDE, &e.override_reason)
    } else {
        None
    })
    .bind(e.recruitment.join(","))
    .bind(e.control.join(","))
    .bind(enc(keys, SUMMARY, &e.summary))
    .bind(enc(keys, SAFETY, &e.safety_plan))
    .bind(now())
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(SaveError::Conflict);
    }
    audit::record(
        &mut tx,
        actor,
        Event::new("case.update")
            .target("case", id)
            .detail(if overridden { "level=overridden" } else { "" }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a case to another status if the workflow allows it.
pub async fn transition(
    db: &Db,
    actor: &Actor,
    case: &Case,
    to: &str,
    closure_reason: Option<&str>,
) -> Result<(), DbError> {
    let t = now();
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE cases SET status = $1, closure_reason = $2, closed_at = $3, updated_at = $4,
            version = version + 1
         WHERE id = $5",
    )
    .bind(to)
    .bind(if to == "closed" { closure_reason } else { None })
    .bind((to == "closed").then_some(t))
    .bind(t)
    .bind(case.id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.status")
            .target("case", case.id)
            .detail(format!("{} -> {to}", case.status)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn assign(db: &Db, actor: &Actor, id: i64, user_id: Option<i64>) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE cases SET assigned_to = $1, updated_at = $2, version = version + 1 WHERE id = $3",
    )
    .bind(user_id)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.assign")
            .target("case", id)
            .detail(user_id.map(|u| format!("user={u}")).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Links a contact (by its reference) to the case; false when no such free contact exists.
pub async fn attach_contact(
    db: &Db,
    actor: &Actor,
    id: i64,
    reference: &str,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let n =
        sqlx::query("UPDATE contacts SET case_id = $1 WHERE reference = $2 AND case_id IS NULL")
            .bind(id)
            .bind(reference.trim().to_uppercase())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if n > 0 {
        // A crisis contact makes the case a crisis case.
        sqlx::query(
            "UPDATE cases SET crisis = 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM contacts
                WHERE case_id = $1 AND contact_type = 'crisis')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Event::new("case.attach_contact").target("case", id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

/// The contacts of a case: id, reference, channel, start.
pub async fn contacts_of(db: &Db, id: i64) -> Result<Vec<(i64, String, String, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT id, reference, channel, started_at FROM contacts WHERE case_id = $1 ORDER BY started_at",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// A person involved in a case.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub kind: String,
    pub name: Option<String>,
    pub details: Option<String>,
    pub age_band: Option<String>,
    pub minor: bool,
    pub gender: Option<String>,
    pub nationality: Option<String>,
    pub languages: Vec<String>,
}

pub async fn add_person(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    p: &Person,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO case_people (case_id, kind, name_enc, details_enc, age_band, minor, gender,
            nationality, languages, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(case_id)
    .bind(&p.kind)
    .bind(enc(keys, PERSON_NAME, &p.name))
    .bind(enc(keys, PERSON_DETAILS, &p.details))
    .bind(&p.age_band)
    .bind(i64::from(p.minor))
    .bind(&p.gender)
    .bind(&p.nationality)
    .bind(p.languages.join(","))
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.add_person")
            .target("case", case_id)
            .detail(format!("{} {id}", p.kind)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn people_of(db: &Db, keys: &Keys, case_id: i64) -> Result<Vec<Person>, DbError> {
    let rows = sqlx::query(
        "SELECT id, kind, name_enc, details_enc, age_band, minor, gender, nationality, languages
         FROM case_people WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Person {
                id: r.try_get(0)?,
                kind: r.try_get(1)?,
                name: dec(keys, PERSON_NAME, r.try_get(2)?)?,
                details: dec(keys, PERSON_DETAILS, r.try_get(3)?)?,
                age_band: r.try_get(4)?,
                minor: r.try_get::<i64, _>(5)? != 0,
                gender: r.try_get(6)?,
                nationality: r.try_get(7)?,
                languages: split(r.try_get(8)?),
            })
        })
        .collect()
}

pub async fn add_note(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    body: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO case_notes (case_id, author_id, body_enc, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(case_id)
    .bind(actor.user_id)
    .bind(keys.fields.encrypt_text(NOTE, body.trim()))
    .bind(now())
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.add_note").target("case", case_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Notes of a case, newest first: author, time, text.
pub async fn notes_of(
    db: &Db,
    keys: &Keys,
    case_id: i64,
) -> Result<Vec<(String, i64, String)>, DbError> {
    let rows = sqlx::query(
        "SELECT COALESCE(u.display_name, ''), n.created_at, n.body_enc FROM case_notes n
         LEFT JOIN users u ON u.id = n.author_id WHERE n.case_id = $1 ORDER BY n.created_at DESC, n.id DESC",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                dec(keys, NOTE, Some(r.try_get(2)?))?.unwrap_or_default(),
            ))
        })
        .collect()
}

/// A task of a case.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub title: String,
    pub due_at: i64,
    pub assignee: Option<String>,
    pub done_at: Option<i64>,
}

pub async fn add_task(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    title: &str,
    due_at: i64,
    assigned_to: Option<i64>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO case_tasks (case_id, title_enc, due_at, assigned_to, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(keys.fields.encrypt_text(TASK, title.trim()))
    .bind(due_at)
    .bind(assigned_to)
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.add_task").target("case", case_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn complete_task(
    db: &Db,
    actor: &Actor,
    case_id: i64,
    task_id: i64,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE case_tasks SET done_at = $1 WHERE id = $2 AND case_id = $3 AND done_at IS NULL",
    )
    .bind(now())
    .bind(task_id)
    .bind(case_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            actor,
            Event::new("case.complete_task").target("case", case_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

const TASK_COLUMNS: &str =
    "t.id, t.case_id, c.number, t.title_enc, t.due_at, u.display_name, t.done_at";

fn task_row(keys: &Keys, r: &AnyRow) -> Result<Task, DbError> {
    Ok(Task {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        case_number: r.try_get(2)?,
        title: dec(keys, TASK, Some(r.try_get(3)?))?.unwrap_or_default(),
        due_at: r.try_get(4)?,
        assignee: r.try_get(5)?,
        done_at: r.try_get(6)?,
    })
}

pub async fn tasks_of(db: &Db, keys: &Keys, case_id: i64) -> Result<Vec<Task>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {TASK_COLUMNS} FROM case_tasks t JOIN cases c ON c.id = t.case_id
         LEFT JOIN users u ON u.id = t.assigned_to WHERE t.case_id = $1
         ORDER BY t.done_at IS NOT NULL, t.due_at"
    ))
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| task_row(keys, r)).collect()
}

/// Open tasks past their due time: a user's own (assigned to them, or on cases assigned to
/// them), or every one for supervisors.
pub async fn overdue_for(db: &Db, keys: &Keys, user: &User) -> Result<Vec<Task>, DbError> {
    // Only tasks on cases the user may open: the same rule as everywhere else.
    let (cond, binds) = access(user, 4);
    let all = user.role == Role::Supervisor;
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM case_tasks t JOIN cases c ON c.id = t.case_id
         LEFT JOIN users u ON u.id = t.assigned_to
         WHERE t.done_at IS NULL AND t.due_at < $1
           AND ($2 = 1 OR t.assigned_to = $3 OR (t.assigned_to IS NULL AND c.assigned_to = $3))
           AND {cond}
         ORDER BY t.due_at LIMIT 100"
    );
    let mut q = sqlx::query(&sql);
    q = q.bind(now()).bind(i64::from(all)).bind(user.id);
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&db.pool).await?;
    rows.iter().map(|r| task_row(keys, r)).collect()
}

/// Everyone who viewed or changed the case, newest first (for supervisors).
pub async fn access_log(db: &Db, id: i64) -> Result<Vec<audit::Entry>, DbError> {
    let rows = sqlx::query(
        "SELECT id, at, user_id, actor, action, target_type, target_id, ip, detail FROM audit_log
         WHERE target_type = 'case' AND target_id = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(id.to_string())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(audit::Entry {
                id: r.try_get(0)?,
                at: r.try_get(1)?,
                user_id: r.try_get(2)?,
                actor: r.try_get(3)?,
                action: r.try_get(4)?,
                target_type: r.try_get(5)?,
                target_id: r.try_get(6)?,
                ip: r.try_get(7)?,
                detail: r.try_get(8)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

// ---------------------------------------------------------------- services, emergencies,
// consent and reports

const SERVICE_NOTES: &str = "case_services.notes";
const EMERGENCY_NOTES: &str = "emergency_responses.notes";
const REPORT_NOTES: &str = "authority_reports.notes";

/// A service delivered.
#[derive(Debug, Clone)]
pub struct Service {
    pub service_type: String,
    pub sessions: Option<i64>,
    pub minutes: Option<i64>,
    pub delivered_on: i64,
    pub notes: Option<String>,
}

pub async fn add_service(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    s: &Service,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO case_services (case_id, service_type, sessions, minutes, delivered_on,
            notes_enc, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(case_id)
    .bind(&s.service_type)
    .bind(s.sessions)
    .bind(s.minutes)
    .bind(s.delivered_on)
    .bind(enc(keys, SERVICE_NOTES, &s.notes))
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.add_service")
            .target("case", case_id)
            .detail(s.service_type.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn services_of(db: &Db, keys: &Keys, case_id: i64) -> Result<Vec<Service>, DbError> {
    let rows = sqlx::query(
        "SELECT service_type, sessions, minutes, delivered_on, notes_enc FROM case_services
         WHERE case_id = $1 ORDER BY delivered_on DESC, id DESC",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Service {
                service_type: r.try_get(0)?,
                sessions: r.try_get(1)?,
                minutes: r.try_get(2)?,
                delivered_on: r.try_get(3)?,
                notes: dec(keys, SERVICE_NOTES, r.try_get(4)?)?,
            })
        })
        .collect()
}

/// An emergency response (shelter, extraction, transportation).
#[derive(Debug, Clone)]
pub struct Emergency {
    pub kind: String,
    pub coordinated_with: String,
    pub outcome: String,
    pub happened_at: i64,
    pub notes: Option<String>,
}

pub async fn add_emergency(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    e: &Emergency,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO emergency_responses (case_id, kind, coordinated_with, outcome, happened_at,
            notes_enc, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(case_id)
    .bind(&e.kind)
    .bind(&e.coordinated_with)
    .bind(&e.outcome)
    .bind(e.happened_at)
    .bind(enc(keys, EMERGENCY_NOTES, &e.notes))
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.add_emergency")
            .target("case", case_id)
            .detail(e.kind.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn emergencies_of(db: &Db, keys: &Keys, case_id: i64) -> Result<Vec<Emergency>, DbError> {
    let rows = sqlx::query(
        "SELECT kind, coordinated_with, outcome, happened_at, notes_enc FROM emergency_responses
         WHERE case_id = $1 ORDER BY happened_at DESC, id DESC",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Emergency {
                kind: r.try_get(0)?,
                coordinated_with: r.try_get(1)?,
                outcome: r.try_get(2)?,
                happened_at: r.try_get(3)?,
                notes: dec(keys, EMERGENCY_NOTES, r.try_get(4)?)?,
            })
        })
        .collect()
}

/// What someone agreed may be shared, with whom, since when, and until when.
#[derive(Debug, Clone)]
pub struct Consent {
    pub id: i64,
    pub scope: Vec<String>,
    pub recipient: String,
    pub given_at: i64,
    pub withdrawn_at: Option<i64>,
}

pub async fn add_consent(
    db: &Db,
    actor: &Actor,
    case_id: i64,
    scope: &[String],
    recipient: &str,
    given_at: i64,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO consents (case_id, scope, recipient, given_at, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(scope.join(","))
    .bind(recipient)
    .bind(given_at)
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.consent_given")
            .target("case", case_id)
            .detail(format!("{recipient}: {}", scope.join(","))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn withdraw_consent(
    db: &Db,
    actor: &Actor,
    case_id: i64,
    consent_id: i64,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE consents SET withdrawn_at = $1 WHERE id = $2 AND case_id = $3 AND withdrawn_at IS NULL",
    )
    .bind(now())
    .bind(consent_id)
    .bind(case_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            actor,
            Event::new("case.consent_withdrawn")
                .target("case", case_id)
                .detail(format!("consent={consent_id}")),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

pub async fn consents_of(db: &Db, case_id: i64) -> Result<Vec<Consent>, DbError> {
    let rows = sqlx::query(
        "SELECT id, scope, recipient, given_at, withdrawn_at FROM consents WHERE case_id = $1
         ORDER BY id DESC",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Consent {
                id: r.try_get(0)?,
                scope: split(r.try_get(1)?),
                recipient: r.try_get(2)?,
                given_at: r.try_get(3)?,
                withdrawn_at: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// True when an active consent lets `fields` go to `recipient`.
pub fn consent_covers(consents: &[Consent], recipient: &str, fields: &[String]) -> bool {
    covering_consent(consents, recipient, fields).is_some()
}

/// The active consent that lets `fields` go to `recipient`, if any.
pub fn covering_consent(consents: &[Consent], recipient: &str, fields: &[String]) -> Option<i64> {
    consents
        .iter()
        .find(|c| {
            c.withdrawn_at.is_none()
                && c.recipient == recipient
                && fields.iter().all(|f| c.scope.contains(f))
        })
        .map(|c| c.id)
}

/// A report to an authority.
#[derive(Debug, Clone)]
pub struct Report {
    pub authority: String,
    pub legal_basis: String,
    pub fields_shared: Vec<String>,
    pub sent_by: Option<String>,
    pub sent_at: i64,
    pub notes: Option<String>,
}

pub async fn add_report(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    r: &Report,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO authority_reports (case_id, authority, legal_basis, fields_shared, sent_by,
            sent_at, notes_enc)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(case_id)
    .bind(&r.authority)
    .bind(&r.legal_basis)
    .bind(r.fields_shared.join(","))
    .bind(actor.user_id)
    .bind(r.sent_at)
    .bind(enc(keys, REPORT_NOTES, &r.notes))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("case.report")
            .target("case", case_id)
            .detail(format!(
                "{} ({}): {}",
                r.authority,
                r.legal_basis,
                r.fields_shared.join(",")
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn reports_of(db: &Db, keys: &Keys, case_id: i64) -> Result<Vec<Report>, DbError> {
    let rows = sqlx::query(
        "SELECT r.authority, r.legal_basis, r.fields_shared, u.display_name, r.sent_at, r.notes_enc
         FROM authority_reports r LEFT JOIN users u ON u.id = r.sent_by
         WHERE r.case_id = $1 ORDER BY r.sent_at DESC, r.id DESC",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Report {
                authority: r.try_get(0)?,
                legal_basis: r.try_get(1)?,
                fields_shared: split(r.try_get(2)?),
                sent_by: r.try_get(3)?,
                sent_at: r.try_get(4)?,
                notes: dec(keys, REPORT_NOTES, r.try_get(5)?)?,
            })
        })
        .collect()
}

/// The reporting duties that apply to a case under `rules`: a minor among the potential
/// victims, imminent harm (a crisis case that is not closed), adults.
pub fn applicable_duties(
    case: &Case,
    people: &[Person],
    rules: &[(String, String)],
) -> Vec<(String, String)> {
    let victims: Vec<&Person> = people.iter().filter(|p| p.kind == "victim").collect();
    let minor = victims.iter().any(|p| p.minor);
    let adult = victims.is_empty() || victims.iter().any(|p| !p.minor);
    let imminent = case.crisis && case.status != "closed";
    rules
        .iter()
        .filter(|(when, _)| match when.as_str() {
            "minor" => minor,
            "imminent_harm" => imminent,
            "adult" => adult,
            _ => false,
        })
        .cloned()
        .collect()
}

// ---------------------------------------------------------------- referrals

const REFERRAL_OUTCOME: &str = "referrals.outcome";
const REFERRAL_OVERRIDE: &str = "referrals.override_reason";

pub const REFERRAL_KINDS: &[&str] = &[
    "referral",
    "warm_transfer",
    "police_report",
    "child_protection_report",
];
pub const REFERRAL_STATUSES: &[&str] = &["sent", "accepted", "declined", "completed", "withdrawn"];

/// Who receives the information in a referral of `kind`, for the consent check.
pub fn referral_recipient(kind: &str) -> &'static str {
    match kind {
        "police_report" => "police",
        "child_protection_report" => "child_protection",
        _ => "service_provider",
    }
}

#[derive(Debug, Clone)]
pub struct Referral {
    pub id: i64,
    pub service_name: String,
    pub organization_name: String,
    pub kind: String,
    pub status: String,
    pub outcome: Option<String>,
    pub override_reason: Option<String>,
    pub created_at: i64,
    pub status_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_referral(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    service_id: &str,
    kind: &str,
    consent_id: Option<i64>,
    override_reason: Option<&str>,
) -> Result<(), DbError> {
    let t = now();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO referrals (case_id, service_id, kind, status, consent_id,
            override_reason_enc, overridden_by, created_by, created_at, status_at)
         VALUES ($1, $2, $3, 'sent', $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(case_id)
    .bind(service_id)
    .bind(kind)
    .bind(consent_id)
    .bind(override_reason.map(|r| keys.fields.encrypt_text(REFERRAL_OVERRIDE, r)))
    .bind(override_reason.and(actor.user_id))
    .bind(actor.user_id)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(if override_reason.is_some() {
            "case.referral_consent_override"
        } else {
            "case.referral"
        })
        .target("case", case_id)
        .detail(format!("referral={id} kind={kind} service={service_id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn referrals_of(db: &Db, keys: &Keys, case_id: i64) -> Result<Vec<Referral>, DbError> {
    let rows = sqlx::query(
        "SELECT r.id, COALESCE(s.name, ''), COALESCE(o.name, ''), r.kind, r.status, r.outcome_enc,
                r.override_reason_enc, r.created_at, r.status_at
         FROM referrals r LEFT JOIN services s ON s.id = r.service_id
         LEFT JOIN organizations o ON o.id = s.organization_id
         WHERE r.case_id = $1 ORDER BY r.id DESC",
    )
    .bind(case_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Referral {
                id: r.try_get(0)?,
                service_name: r.try_get(1)?,
                organization_name: r.try_get(2)?,
                kind: r.try_get(3)?,
                status: r.try_get(4)?,
                outcome: dec(keys, REFERRAL_OUTCOME, r.try_get(5)?)?,
                override_reason: dec(keys, REFERRAL_OVERRIDE, r.try_get(6)?)?,
                created_at: r.try_get(7)?,
                status_at: r.try_get(8)?,
            })
        })
        .collect()
}

pub async fn set_referral_status(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    case_id: i64,
    referral_id: i64,
    status: &str,
    outcome: Option<&str>,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE referrals SET status = $1, outcome_enc = COALESCE($2, outcome_enc), status_at = $3
         WHERE id = $4 AND case_id = $5",
    )
    .bind(status)
    .bind(outcome.map(|o| keys.fields.encrypt_text(REFERRAL_OUTCOME, o)))
    .bind(now())
    .bind(referral_id)
    .bind(case_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            actor,
            Event::new("case.referral_status")
                .target("case", case_id)
                .detail(format!("referral={referral_id} status={status}")),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}
