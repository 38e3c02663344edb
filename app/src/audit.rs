//! The append-only audit trail: who did what to which record, when (UTC) and from where.
//!
//! Entries are written in the same transaction as the change they describe, so a change
//! without its entry (or the reverse) cannot be stored. The database refuses updates and
//! deletes of this table.

use sqlx::{AnyConnection, Row};

use crate::db::{now, Db, DbError};

/// Every action the trail records (documented in the admin guide). Actions look like
/// `subject.verb`; they are codes, not text shown to people.
pub const ACTIONS: &[&str] = &[
    "account.password_check_failed",
    "auth.login",
    "auth.login_failed",
    "auth.login_throttled",
    "auth.logout",
    "contact.claim",
    "contact.close",
    "contact.create",
    "contact.crisis_alert",
    "contact.crisis_alert_seen",
    "contact.search",
    "contact.update",
    "contact.view",
    "case.add_emergency",
    "case.add_note",
    "case.add_person",
    "case.add_service",
    "case.add_task",
    "case.assign",
    "case.attach_contact",
    "case.complete_task",
    "case.consent_given",
    "case.consent_withdrawn",
    "case.create",
    "case.referral",
    "case.referral_consent_override",
    "case.referral_status",
    "case.report",
    "case.status",
    "case.update",
    "case.view",
    "demo.seed",
    "directory.import",
    "goals.set",
    "training.add_module",
    "training.add_event",
    "training.register",
    "training.attendance",
    "roundtable.add",
    "roundtable.notes",
    "roundtable.participant",
    "roundtable.practice",
    "roundtable.action",
    "roundtable.action_status",
    "launch.item_update",
    "workshop.add",
    "workshop.notes",
    "workshop.edit",
    "workshop.participant_add",
    "workshop.participant_remove",
    "practice.start",
    "practice.finish",
    "translation.save",
    "translation.revert",
    "library.add",
    "outreach.add_consultation",
    "outreach.add_material",
    "outreach.add_organization",
    "outreach.distribute",
    "directory.save_organization",
    "directory.save_service",
    "roster.add",
    "roster.remove",
    "settings.telephony_token",
    "settings.update",
    "sms.opt_in",
    "sms.opt_out",
    "sms.reply",
    "user.create",
    "user.disable",
    "user.enable",
    "user.password_reset",
    "user.unlock",
    "user.update",
];

/// Who acted.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// The account's email, `cli` for the command line, `anonymous` before login.
    pub label: String,
    /// The client address, when the action came over the web.
    pub ip: Option<String>,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            label: "cli".into(),
            ip: None,
        }
    }
}

/// Who an entry names, in `locale`: a staff member's email as it is, the hotline's own
/// actors (the command line, the provider, the tip form…) by their localized name.
pub fn shown_actor(locale: &str, actor: &str) -> String {
    let key = format!("audit.actor.{}", actor.replace(' ', "_"));
    if !actor.contains('@') && crate::i18n::has_key(&key) {
        crate::i18n::tr(locale, &key)
    } else {
        actor.to_string()
    }
}

/// The record an entry is about, in `locale` ("case #12").
pub fn shown_target(locale: &str, kind: Option<&str>, id: Option<&str>) -> String {
    let (Some(kind), Some(id)) = (kind, id) else {
        return String::new();
    };
    let key = format!("audit.target.{kind}");
    if crate::i18n::has_key(&key) {
        crate::i18n::tr_with(locale, &key, &[("id", id)])
    } else {
        crate::i18n::tr_with(locale, "audit.target.other", &[("kind", kind), ("id", id)])
    }
}

/// One entry of the trail.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// What happened. `detail` must never hold identifying data of callers or victims.
pub struct Event<'a> {
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str) -> Self {
        debug_assert!(ACTIONS.contains(&action), "unlisted audit action {action}");
        Self {
            action,
            target_type: None,
            target_id: None,
            detail: None,
        }
    }

    pub fn target(mut self, kind: &'a str, id: impl ToString) -> Self {
        self.target_type = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Appends an entry inside the caller's transaction.
pub async fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, actor, action, target_type, target_id, ip, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now())
    .bind(actor.user_id)
    .bind(&actor.label)
    .bind(event.action)
    .bind(event.target_type)
    .bind(event.target_id)
    .bind(actor.ip.as_deref())
    .bind(event.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends an entry in a transaction of its own.
pub async fn record_now(db: &Db, actor: &Actor, event: Event<'_>) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The newest entries first, optionally only those whose action starts with `action_prefix`.
pub async fn recent(
    db: &Db,
    action_prefix: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Entry>, DbError> {
    let pattern = format!("{}%", action_prefix.unwrap_or(""));
    let rows = sqlx::query(
        "SELECT id, at, user_id, actor, action, target_type, target_id, ip, detail
         FROM audit_log WHERE action LIKE $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Entry {
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
