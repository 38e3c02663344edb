//! Contacts in the database: identifying fields encrypted, phone and email blind-indexed,
//! every change in the same transaction as its audit entry, and optimistic versioning so a
//! second editor can never silently overwrite the first.

use rand::Rng;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Actor, Event};
use crate::crypto::Keys;
use crate::db::fields::{dec, enc, split};
use crate::db::{now, Db, DbError};

/// A contact with its identifying fields decrypted.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub id: i64,
    pub reference: String,
    pub channel: String,
    pub direction: String,
    pub status: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub duration_seconds: Option<i64>,
    pub language: Option<String>,
    pub interpreter_used: bool,
    pub interpreter_language: Option<String>,
    pub contact_type: Option<String>,
    pub non_substantive_outcome: Option<String>,
    pub signaler_role: Option<String>,
    pub region: Option<String>,
    pub heard_about: Option<String>,
    pub anonymous: bool,
    pub consent_follow_up: bool,
    pub red_flags: Vec<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub narrative: Option<String>,
    pub safe_contact: Option<String>,
    pub voicemail: Option<String>,
    pub phone_index: Option<String>,
    pub email_index: Option<String>,
    pub advocate_id: Option<i64>,
    pub advocate_name: Option<String>,
    pub supervisor_alerted_at: Option<i64>,
    pub call_outcome: Option<String>,
    /// The case this contact is attached to, if any.
    pub case_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// A contact as listed: no identifying data.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub started_at: i64,
    pub duration_seconds: Option<i64>,
    pub contact_type: Option<String>,
    pub region: Option<String>,
    pub language: Option<String>,
    pub advocate_name: Option<String>,
    pub call_outcome: Option<String>,
    pub crisis_alerted: bool,
}

/// What creates a contact (the console, the tip form, the telephony webhooks).
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub channel: String,
    pub status: String,
    pub started_at: i64,
    pub advocate_id: Option<i64>,
    pub provider_sid: Option<String>,
    pub language: Option<String>,
    pub contact_type: Option<String>,
    pub region: Option<String>,
    pub anonymous: bool,
    pub consent_follow_up: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub narrative: Option<String>,
    pub safe_contact: Option<String>,
}

/// The advocate's form, already validated.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub channel: String,
    pub language: Option<String>,
    pub interpreter_used: bool,
    pub interpreter_language: Option<String>,
    pub contact_type: Option<String>,
    pub non_substantive_outcome: Option<String>,
    pub signaler_role: Option<String>,
    pub region: Option<String>,
    pub heard_about: Option<String>,
    pub anonymous: bool,
    pub consent_follow_up: bool,
    pub red_flags: Vec<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub narrative: Option<String>,
    pub safe_contact: Option<String>,
    /// Close the contact (sets the end time and duration if unknown).
    pub close: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Someone else saved the contact since this form was opened.
    #[error("conflict")]
    Conflict,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for SaveError {
    fn from(e: sqlx::Error) -> Self {
        SaveError::Db(DbError::Sqlx(e))
    }
}

// Encryption contexts, bound into each ciphertext.
const NAME: &str = "contacts.name";
const PHONE: &str = "contacts.phone";
const EMAIL: &str = "contacts.email";
const NARRATIVE: &str = "contacts.narrative";
const SAFE: &str = "contacts.safe_contact";
const VOICEMAIL: &str = "contacts.voicemail";

/// A reference code people can read out: `K7M3-Q9TR`.
pub fn new_reference() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    s
}

fn idx(keys: &Keys, domain: &str, v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| keys.index.index(domain, s))
}

/// Creates a contact. With a `provider_sid` already known (a repeated webhook delivery),
/// nothing is created and the existing contact's id is returned with `false`.
pub async fn create(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    new: NewContact,
) -> Result<(i64, bool), DbError> {
    let mut tx = db.begin().await?;
    let made = create_in(&mut tx, keys, actor, new).await?;
    if made.1 {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(made)
}

/// [`create`] inside the caller's transaction (which commits it).
pub async fn create_in(
    tx: &mut AnyConnection,
    keys: &Keys,
    actor: &Actor,
    new: NewContact,
) -> Result<(i64, bool), DbError> {
    if let Some(sid) = &new.provider_sid {
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM contacts WHERE provider_sid = $1")
                .bind(sid)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
    }
    let t = now();
    let id = loop {
        let reference = new_reference();
        // Dialect note: both backends accept ON CONFLICT DO NOTHING with RETURNING.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO contacts (reference, channel, status, started_at, advocate_id,
                provider_sid, language, contact_type, region, anonymous, consent_follow_up,
                name_enc, phone_enc, email_enc, narrative_enc, safe_contact_enc,
                phone_index, email_index, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                $17, $18, $19, $19)
             ON CONFLICT (reference) DO NOTHING RETURNING id",
        )
        .bind(&reference)
        .bind(&new.channel)
        .bind(&new.status)
        .bind(new.started_at)
        .bind(new.advocate_id)
        .bind(&new.provider_sid)
        .bind(&new.language)
        .bind(&new.contact_type)
        .bind(&new.region)
        .bind(i64::from(new.anonymous))
        .bind(i64::from(new.consent_follow_up))
        .bind(enc(keys, NAME, &new.name))
        .bind(enc(keys, PHONE, &new.phone))
        .bind(enc(keys, EMAIL, &new.email))
        .bind(enc(keys, NARRATIVE, &new.narrative))
        .bind(enc(keys, SAFE, &new.safe_contact))
        .bind(idx(keys, "phone", &new.phone))
        .bind(idx(keys, "email", &new.email))
        .bind(t)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            break id;
        }
    };
    audit::record(
        &mut *tx,
        actor,
        Event::new("contact.create")
            .target("contact", id)
            .detail(format!("channel={}", new.channel)),
    )
    .await?;
    Ok((id, true))
}

const COLUMNS: &str = "c.id, c.reference, c.channel, c.direction, c.status, c.started_at,
    c.ended_at, c.duration_seconds, c.language, c.interpreter_used, c.interpreter_language,
    c.contact_type, c.non_substantive_outcome, c.signaler_role, c.region, c.heard_about,
    c.anonymous, c.consent_follow_up, c.red_flags, c.name_enc, c.phone_enc, c.email_enc,
    c.narrative_enc, c.safe_contact_enc, c.voicemail_enc, c.phone_index, c.email_index,
    c.advocate_id, u.display_name, c.supervisor_alerted_at, c.call_outcome, c.created_at,
    c.updated_at, c.version, c.case_id";

fn decode(keys: &Keys, r: &AnyRow) -> Result<Contact, DbError> {
    Ok(Contact {
        id: r.try_get(0)?,
        reference: r.try_get(1)?,
        channel: r.try_get(2)?,
        direction: r.try_get(3)?,
        status: r.try_get(4)?,
        started_at: r.try_get(5)?,
        ended_at: r.try_get(6)?,
        duration_seconds: r.try_get(7)?,
        language: r.try_get(8)?,
        interpreter_used: r.try_get::<i64, _>(9)? != 0,
        interpreter_language: r.try_get(10)?,
        contact_type: r.try_get(11)?,
        non_substantive_outcome: r.try_get(12)?,
        signaler_role: r.try_get(13)?,
        region: r.try_get(14)?,
        heard_about: r.try_get(15)?,
        anonymous: r.try_get::<i64, _>(16)? != 0,
        consent_follow_up: r.try_get::<i64, _>(17)? != 0,
        red_flags: split(r.try_get(18)?),
        name: dec(keys, NAME, r.try_get(19)?)?,
        phone: dec(keys, PHONE, r.try_get(20)?)?,
        email: dec(keys, EMAIL, r.try_get(21)?)?,
        narrative: dec(keys, NARRATIVE, r.try_get(22)?)?,
        safe_contact: dec(keys, SAFE, r.try_get(23)?)?,
        voicemail: dec(keys, VOICEMAIL, r.try_get(24)?)?,
        phone_index: r.try_get(25)?,
        email_index: r.try_get(26)?,
        advocate_id: r.try_get(27)?,
        advocate_name: r.try_get(28)?,
        supervisor_alerted_at: r.try_get(29)?,
        call_outcome: r.try_get(30)?,
        created_at: r.try_get(31)?,
        updated_at: r.try_get(32)?,
        version: r.try_get(33)?,
        case_id: r.try_get(34)?,
    })
}

/// Loads and decrypts a contact (the caller records the view in the audit trail).
pub async fn get(db: &Db, keys: &Keys, id: i64) -> Result<Option<Contact>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM contacts c LEFT JOIN users u ON u.id = c.advocate_id WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(|r| decode(keys, r)).transpose()
}

pub async fn id_by_sid(conn: &mut AnyConnection, sid: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM contacts WHERE provider_sid = $1")
        .bind(sid)
        .fetch_optional(conn)
        .await
}

/// Saves the advocate's form if nobody else saved since `version`.
pub async fn update(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    id: i64,
    version: i64,
    edit: &Edit,
) -> Result<Contact, SaveError> {
    let before = get(db, keys, id).await?.ok_or(SaveError::NotFound)?;
    let t = now();
    let (ended_at, duration) = if edit.close && before.ended_at.is_none() {
        (Some(t), Some((t - before.started_at).max(0)))
    } else {
        (before.ended_at, before.duration_seconds)
    };
    let status = if edit.close {
        "closed"
    } else if before.status == "queued" {
        "open"
    } else {
        before.status.as_str()
    };
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE contacts SET channel = $1, language = $2, interpreter_used = $3,
            interpreter_language = $4, contact_type = $5, non_substantive_outcome = $6,
            signaler_role = $7, region = $8, heard_about = $9, anonymous = $10,
            consent_follow_up = $11, red_flags = $12, name_enc = $13, phone_enc = $14,
            email_enc = $15, narrative_enc = $16, safe_contact_enc = $17, phone_index = $18,
            email_index = $19, status = $20, ended_at = $21, duration_seconds = $22,
            advocate_id = COALESCE(advocate_id, $23), updated_at = $24, version = version + 1
         WHERE id = $25 AND version = $26",
    )
    .bind(&edit.channel)
    .bind(&edit.language)
    .bind(i64::from(edit.interpreter_used))
    .bind(&edit.interpreter_language)
    .bind(&edit.contact_type)
    .bind(&edit.non_substantive_outcome)
    .bind(&edit.signaler_role)
    .bind(&edit.region)
    .bind(&edit.heard_about)
    .bind(i64::from(edit.anonymous))
    .bind(i64::from(edit.consent_follow_up))
    .bind(edit.red_flags.join(","))
    .bind(enc(keys, NAME, &edit.name))
    .bind(enc(keys, PHONE, &edit.phone))
    .bind(enc(keys, EMAIL, &edit.email))
    .bind(enc(keys, NARRATIVE, &edit.narrative))
    .bind(enc(keys, SAFE, &edit.safe_contact))
    .bind(idx(keys, "phone", &edit.phone))
    .bind(idx(keys, "email", &edit.email))
    .bind(status)
    .bind(ended_at)
    .bind(duration)
    .bind(actor.user_id)
    .bind(t)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(SaveError::Conflict);
    }
    let changed = changed_fields(&before, edit);
    audit::record(
        &mut tx,
        actor,
        Event::new(if edit.close {
            "contact.close"
        } else {
            "contact.update"
        })
        .target("contact", id)
        .detail(changed.join(",")),
    )
    .await?;
    tx.commit().await?;
    Ok(get(db, keys, id).await?.unwrap_or(before))
}

/// The names (never the values) of the fields an edit changes, for the audit trail.
fn changed_fields(b: &Contact, e: &Edit) -> Vec<&'static str> {
    let norm = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut out = Vec::new();
    let mut check = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    check("channel", b.channel == e.channel);
    check("language", b.language == e.language);
    check(
        "interpreter",
        b.interpreter_used == e.interpreter_used
            && b.interpreter_language == e.interpreter_language,
    );
    check(
        "type",
        b.contact_type == e.contact_type && b.non_substantive_outcome == e.non_substantive_outcome,
    );
    check("signaler_role", b.signaler_role == e.signaler_role);
    check("region", b.region == e.region);
    check("heard_about", b.heard_about == e.heard_about);
    check("anonymous", b.anonymous == e.anonymous);
    check("consent", b.consent_follow_up == e.consent_follow_up);
    check("red_flags", b.red_flags == e.red_flags);
    check("name", norm(&b.name) == norm(&e.name));
    check("phone", norm(&b.phone) == norm(&e.phone));
    check("email", norm(&b.email) == norm(&e.email));
    check("narrative", norm(&b.narrative) == norm(&e.narrative));
    check(
        "safe_contact",
        norm(&b.safe_contact) == norm(&e.safe_contact),
    );
    out
}

/// Filters of the contact list. Dates are Unix seconds.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub channel: Option<String>,
    pub contact_type: Option<String>,
    pub advocate_id: Option<i64>,
    pub region: Option<String>,
    pub language: Option<String>,
    pub status: Option<String>,
    /// A reference code, or a phone number or email (matched through the blind index).
    pub q: Option<String>,
    /// First come, first served (the queue) instead of newest first.
    pub oldest_first: bool,
}

enum Bind {
    I(i64),
    S(String),
}

/// Contacts matching `filter`, newest first.
pub async fn list(
    db: &Db,
    keys: &Keys,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<Listed>, DbError> {
    let mut cond = Vec::new();
    let mut binds = Vec::new();
    let mut push = |sql: &str, b: Bind| {
        binds.push(b);
        cond.push(sql.replace('?', &format!("${}", binds.len())));
    };
    if let Some(v) = filter.from {
        push("c.started_at >= ?", Bind::I(v));
    }
    if let Some(v) = filter.to {
        push("c.started_at < ?", Bind::I(v));
    }
    for (col, v) in [
        ("c.channel", &filter.channel),
        ("c.contact_type", &filter.contact_type),
        ("c.region", &filter.region),
        ("c.language", &filter.language),
        ("c.status", &filter.status),
    ] {
        if let Some(v) = v {
            push(&format!("{col} = ?"), Bind::S(v.clone()));
        }
    }
    if let Some(v) = filter.advocate_id {
        push("c.advocate_id = ?", Bind::I(v));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let reference = q.to_uppercase();
        let phone = keys.index.index("phone", q);
        let email = keys.index.index("email", q);
        binds.push(Bind::S(reference));
        binds.push(Bind::S(phone));
        binds.push(Bind::S(email));
        let n = binds.len();
        cond.push(format!(
            "(c.reference = ${} OR c.phone_index = ${} OR c.email_index = ${})",
            n - 2,
            n - 1,
            n
        ));
    }
    let where_sql = if cond.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", cond.join(" AND "))
    };
    let sql = format!(
        "SELECT c.id, c.reference, c.channel, c.status, c.started_at, c.duration_seconds,
                c.contact_type, c.region, c.language, u.display_name, c.call_outcome,
                c.supervisor_alerted_at
         FROM contacts c LEFT JOIN users u ON u.id = c.advocate_id
         {where_sql}
         ORDER BY c.started_at {order}, c.id {order} LIMIT ${} OFFSET ${}",
        binds.len() + 1,
        binds.len() + 2,
        order = if filter.oldest_first { "ASC" } else { "DESC" },
    );
    let mut query = sqlx::query(&sql);
    for b in binds {
        query = match b {
            Bind::I(v) => query.bind(v),
            Bind::S(v) => query.bind(v),
        };
    }
    let rows = query.bind(limit).bind(offset).fetch_all(&db.pool).await?;
    rows.iter().map(listed).collect()
}

fn listed(r: &AnyRow) -> Result<Listed, DbError> {
    Ok(Listed {
        id: r.try_get(0)?,
        reference: r.try_get(1)?,
        channel: r.try_get(2)?,
        status: r.try_get(3)?,
        started_at: r.try_get(4)?,
        duration_seconds: r.try_get(5)?,
        contact_type: r.try_get(6)?,
        region: r.try_get(7)?,
        language: r.try_get(8)?,
        advocate_name: r.try_get(9)?,
        call_outcome: r.try_get(10)?,
        crisis_alerted: r.try_get::<Option<i64>, _>(11)?.is_some(),
    })
}

/// Other contacts from the same signaler (same phone or email), newest first.
pub async fn same_signaler(db: &Db, c: &Contact) -> Result<Vec<Listed>, DbError> {
    if c.phone_index.is_none() && c.email_index.is_none() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT c.id, c.reference, c.channel, c.status, c.started_at, c.duration_seconds,
                c.contact_type, c.region, c.language, u.display_name, c.call_outcome,
                c.supervisor_alerted_at
         FROM contacts c LEFT JOIN users u ON u.id = c.advocate_id
         WHERE c.id <> $1 AND ((c.phone_index IS NOT NULL AND c.phone_index = $2)
                            OR (c.email_index IS NOT NULL AND c.email_index = $3))
         ORDER BY c.started_at DESC LIMIT 50",
    )
    .bind(c.id)
    .bind(c.phone_index.clone().unwrap_or_default())
    .bind(c.email_index.clone().unwrap_or_default())
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(listed).collect()
}

/// Takes a queued contact (a tip, a text, a missed call) into the advocate's hands.
pub async fn claim(db: &Db, actor: &Actor, id: i64) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE contacts SET status = 'open', advocate_id = $1, updated_at = $2,
            version = version + 1
         WHERE id = $3 AND status = 'queued'",
    )
    .bind(actor.user_id)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            actor,
            Event::new("contact.claim").target("contact", id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

/// Records how a call ended (from the provider's status callback).
pub async fn set_call_end(
    conn: &mut AnyConnection,
    id: i64,
    duration: Option<i64>,
    outcome: Option<&str>,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query(
        "UPDATE contacts SET ended_at = COALESCE(ended_at, $1),
            duration_seconds = COALESCE($2, duration_seconds),
            call_outcome = COALESCE(call_outcome, $3), updated_at = $1
         WHERE id = $4",
    )
    .bind(t)
    .bind(duration)
    .bind(outcome)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An answered call belongs to the advocate who picked up: it opens in their console.
pub async fn assign_answered(db: &Db, id: i64, user_id: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE contacts SET advocate_id = $1, status = 'open', updated_at = $2,
            version = version + 1
         WHERE id = $3 AND status = 'queued'",
    )
    .bind(user_id)
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Sets the call outcome (answered, voicemail…), replacing what was there.
pub async fn set_outcome(db: &Db, id: i64, outcome: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE contacts SET call_outcome = $1, updated_at = $2 WHERE id = $3")
        .bind(outcome)
        .bind(now())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn set_language(db: &Db, id: i64, language: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE contacts SET language = $1, updated_at = $2 WHERE id = $3")
        .bind(language)
        .bind(now())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Stores where a voicemail can be fetched (encrypted: it is the caller's voice).
pub async fn set_voicemail(db: &Db, keys: &Keys, id: i64, url: &str) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE contacts SET voicemail_enc = $1, call_outcome = 'voicemail', updated_at = $2
         WHERE id = $3",
    )
    .bind(keys.fields.encrypt_text(VOICEMAIL, url))
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Marks that supervisors were alerted about this contact.
pub async fn mark_alerted(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contacts SET supervisor_alerted_at = COALESCE(supervisor_alerted_at, $1)
         WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many contacts there are (for the demo and the staff home).
pub async fn count(db: &Db) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
        .fetch_one(&db.pool)
        .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_are_readable_and_distinct() {
        let a = super::new_reference();
        assert_eq!(a.len(), 9);
        assert_eq!(&a[4..5], "-");
        assert!(!a.contains(['0', 'O', '1', 'I']));
        assert_ne!(a, super::new_reference());
    }
}
