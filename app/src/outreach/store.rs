//! Outreach records: organisations reached, consultations, materials and their distribution,
//! and the program goals' targets.

use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::db::{now, Db, DbError};

pub const SECTORS: &[&str] = &[
    "ngo",
    "government",
    "law_enforcement",
    "health",
    "education",
    "business",
    "faith",
    "media",
    "other",
];
pub const CHANNELS: &[&str] = &["phone", "video", "in_person", "email"];
pub const MATERIAL_KINDS: &[&str] = &["leaflet", "poster", "card", "guide", "video", "other"];

/// The playbooks, as consultation topics (labels `playbook_topic.<code>`).
pub const TOPICS: &[&str] = &[
    "readiness_feasibility",
    "stakeholder_referral_mapping",
    "legal_consent_confidentiality",
    "hotline_operations",
    "contact_handling",
    "crisis_response",
    "police_child_protection_reporting",
    "staffing_training_wellbeing",
    "data_management_statistics",
    "community_training",
    "strategic_roundtables",
    "launch_awareness_monitoring",
];

#[derive(Debug, Clone)]
pub struct ReachedOrg {
    pub id: i64,
    pub name: String,
    pub sector: String,
    pub country: String,
    pub directory_id: Option<String>,
}

pub async fn organizations(db: &Db) -> Result<Vec<ReachedOrg>, DbError> {
    let rows = sqlx::query(
        "SELECT id, name, sector, country, directory_id FROM reached_organizations ORDER BY name, id",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReachedOrg {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                sector: r.try_get(2)?,
                country: r.try_get(3)?,
                directory_id: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

pub async fn add_organization(db: &Db, actor: &Actor, o: &ReachedOrg) -> Result<i64, DbError> {
    let t = now();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reached_organizations (name, sector, country, directory_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&o.name)
    .bind(&o.sector)
    .bind(&o.country)
    .bind(&o.directory_id)
    .bind(t)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("outreach.add_organization").target("reached_organization", id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Consultation {
    pub held_at: i64,
    pub channel: String,
    pub organization_id: Option<i64>,
    pub organization: String,
    pub country: String,
    pub topic: String,
    pub minutes: Option<i64>,
    pub follow_ups: String,
    pub related: Vec<String>,
    pub notes: String,
}

pub async fn add_consultation(db: &Db, actor: &Actor, c: &Consultation) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO consultations (held_at, channel, organization_id, country, topic, minutes,
            follow_ups, related_playbooks, notes, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(c.held_at)
    .bind(&c.channel)
    .bind(c.organization_id)
    .bind(&c.country)
    .bind(&c.topic)
    .bind(c.minutes)
    .bind(&c.follow_ups)
    .bind(c.related.join(","))
    .bind(&c.notes)
    .bind(actor.user_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("outreach.add_consultation").target("consultation", id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Consultations held in `[from, to)`, newest first.
pub async fn consultations(db: &Db, from: i64, to: i64) -> Result<Vec<Consultation>, DbError> {
    let rows = sqlx::query(
        "SELECT c.held_at, c.channel, c.organization_id, COALESCE(o.name, ''), c.country, c.topic,
                c.minutes, c.follow_ups, c.related_playbooks, c.notes
         FROM consultations c LEFT JOIN reached_organizations o ON o.id = c.organization_id
         WHERE c.held_at >= $1 AND c.held_at < $2 ORDER BY c.held_at DESC, c.id DESC",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let related: String = r.try_get(8)?;
            Ok(Consultation {
                held_at: r.try_get(0)?,
                channel: r.try_get(1)?,
                organization_id: r.try_get(2)?,
                organization: r.try_get(3)?,
                country: r.try_get(4)?,
                topic: r.try_get(5)?,
                minutes: r.try_get(6)?,
                follow_ups: r.try_get(7)?,
                related: crate::db::fields::split(related),
                notes: r.try_get(9)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

#[derive(Debug, Clone)]
pub struct Material {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub language: String,
    pub link: String,
    /// The library document it is, if any.
    pub document: Option<i64>,
    /// Copies distributed in the period asked for.
    pub distributed: i64,
}

pub async fn add_material(db: &Db, actor: &Actor, m: &Material) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO materials (title, kind, language, link, library_item_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&m.title)
    .bind(&m.kind)
    .bind(&m.language)
    .bind(&m.link)
    .bind(m.document)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("outreach.add_material").target("material", id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The catalog, with copies distributed in `[from, to)`.
pub async fn materials(db: &Db, from: i64, to: i64) -> Result<Vec<Material>, DbError> {
    let rows = sqlx::query(
        "SELECT m.id, m.title, m.kind, m.language, m.link, m.library_item_id,
                CAST(COALESCE((SELECT SUM(d.quantity) FROM material_distributions d
                          WHERE d.material_id = m.id AND d.distributed_at >= $1 AND d.distributed_at < $2), 0)
                     AS BIGINT)
         FROM materials m ORDER BY m.title, m.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Material {
                id: r.try_get(0)?,
                title: r.try_get(1)?,
                kind: r.try_get(2)?,
                language: r.try_get(3)?,
                link: r.try_get(4)?,
                document: r.try_get(5)?,
                distributed: r.try_get(6)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// Records copies of a material handed out.
pub async fn distribute(
    db: &Db,
    actor: &Actor,
    material_id: i64,
    quantity: i64,
    organization_id: Option<i64>,
    recipient: &str,
    at: i64,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM materials WHERE id = $1")
        .bind(material_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO material_distributions (material_id, quantity, organization_id, recipient,
            distributed_at, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(material_id)
    .bind(quantity)
    .bind(organization_id)
    .bind(recipient)
    .bind(at)
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("outreach.distribute")
            .target("material", material_id)
            .detail(format!("{quantity}")),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
