//! Partner organisations and their services.

use rand::RngCore;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Actor, Event};
use crate::db::fields::split;
use crate::db::{now, Db, DbError};

/// Service categories (labels `directory.category.<code>`).
pub const CATEGORIES: &[&str] = &[
    "case_management",
    "counselling",
    "shelter",
    "legal",
    "medical",
    "interpretation",
    "other",
];

/// Populations served (labels `directory.population.<code>`).
pub const POPULATIONS: &[&str] = &[
    "adults", "minors", "women", "men", "lgbtq", "migrants", "labor", "sex",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub website: String,
    /// 1 (highest confidence) to 4.
    pub vetting_tier: Option<i64>,
    pub accepts_warm_transfers: bool,
    /// `YYYY-MM-DD`.
    pub last_verified: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub categories: Vec<String>,
    pub populations: Vec<String>,
    pub languages: Vec<String>,
    pub area: String,
    pub hours: String,
    pub phone: String,
    pub email: String,
    pub url: String,
}

/// A random UUID (version 4), as HSDS ids are.
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

pub fn format_uuid(b: &[u8; 16]) -> String {
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// True for the canonical textual form of a UUID.
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn org_row(r: &AnyRow) -> Result<Organization, sqlx::Error> {
    Ok(Organization {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        description: r.try_get(2)?,
        email: r.try_get(3)?,
        website: r.try_get(4)?,
        vetting_tier: r.try_get(5)?,
        accepts_warm_transfers: r.try_get::<i64, _>(6)? != 0,
        last_verified: r.try_get(7)?,
    })
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn service_row(r: &AnyRow) -> Result<Service, sqlx::Error> {
    Ok(Service {
        id: r.try_get(0)?,
        organization_id: r.try_get(1)?,
        name: r.try_get(2)?,
        description: r.try_get(3)?,
        status: r.try_get(4)?,
        categories: sorted(split(r.try_get(5)?)),
        populations: sorted(split(r.try_get(6)?)),
        languages: sorted(split(r.try_get(7)?)),
        area: r.try_get(8)?,
        hours: r.try_get(9)?,
        phone: r.try_get(10)?,
        email: r.try_get(11)?,
        url: r.try_get(12)?,
    })
}

const ORG_COLUMNS: &str =
    "id, name, description, email, website, vetting_tier, accepts_warm_transfers, last_verified";
const SERVICE_COLUMNS: &str = "id, organization_id, name, description, status, categories,
    populations, languages, area, hours, phone, email, url";

pub async fn organizations(db: &Db) -> Result<Vec<Organization>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {ORG_COLUMNS} FROM organizations ORDER BY name, id"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(org_row).collect::<Result<_, _>>()?)
}

pub async fn services(db: &Db) -> Result<Vec<Service>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {SERVICE_COLUMNS} FROM services ORDER BY name, id"
    ))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(service_row).collect::<Result<_, _>>()?)
}

pub async fn organization(db: &Db, id: &str) -> Result<Option<Organization>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {ORG_COLUMNS} FROM organizations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(org_row).transpose()?)
}

pub async fn service(db: &Db, id: &str) -> Result<Option<Service>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(service_row).transpose()?)
}

/// Inserts or updates an organisation by id (inside the caller's transaction).
pub async fn upsert_organization(
    conn: &mut AnyConnection,
    o: &Organization,
) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query(
        "INSERT INTO organizations (id, name, description, email, website, vetting_tier,
            accepts_warm_transfers, last_verified, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
            email = excluded.email, website = excluded.website,
            vetting_tier = excluded.vetting_tier,
            accepts_warm_transfers = excluded.accepts_warm_transfers,
            last_verified = excluded.last_verified, updated_at = excluded.updated_at",
    )
    .bind(&o.id)
    .bind(&o.name)
    .bind(&o.description)
    .bind(&o.email)
    .bind(&o.website)
    .bind(o.vetting_tier)
    .bind(i64::from(o.accepts_warm_transfers))
    .bind(&o.last_verified)
    .bind(t)
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts or updates a service by id (inside the caller's transaction).
pub async fn upsert_service(conn: &mut AnyConnection, s: &Service) -> Result<(), sqlx::Error> {
    let t = now();
    sqlx::query(
        "INSERT INTO services (id, organization_id, name, description, status, categories,
            populations, languages, area, hours, phone, email, url, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
         ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id,
            name = excluded.name, description = excluded.description, status = excluded.status,
            categories = excluded.categories, populations = excluded.populations,
            languages = excluded.languages, area = excluded.area, hours = excluded.hours,
            phone = excluded.phone, email = excluded.email, url = excluded.url,
            updated_at = excluded.updated_at",
    )
    .bind(&s.id)
    .bind(&s.organization_id)
    .bind(&s.name)
    .bind(&s.description)
    .bind(&s.status)
    .bind(s.categories.join(","))
    .bind(s.populations.join(","))
    .bind(s.languages.join(","))
    .bind(&s.area)
    .bind(&s.hours)
    .bind(&s.phone)
    .bind(&s.email)
    .bind(&s.url)
    .bind(t)
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves one organisation from the web form.
pub async fn save_organization(db: &Db, actor: &Actor, o: &Organization) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    upsert_organization(&mut tx, o).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("directory.save_organization").target("organization", &o.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves one service from the web form.
pub async fn save_service(db: &Db, actor: &Actor, s: &Service) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    upsert_service(&mut tx, s).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("directory.save_service").target("service", &s.id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Search filters; empty ones match everything.
#[derive(Debug, Default, Clone)]
pub struct Search {
    pub category: String,
    pub region: String,
    pub language: String,
    pub population: String,
    pub q: String,
}

/// Active services matching a search, with their organisation.
pub async fn search(db: &Db, s: &Search) -> Result<Vec<(Service, Organization)>, DbError> {
    let orgs = organizations(db).await?;
    let q = s.q.trim().to_lowercase();
    let has = |list: &[String], code: &str| code.is_empty() || list.iter().any(|x| x == code);
    Ok(services(db)
        .await?
        .into_iter()
        .filter(|svc| svc.status == "active")
        .filter(|svc| has(&svc.categories, &s.category))
        .filter(|svc| has(&svc.languages, &s.language))
        .filter(|svc| has(&svc.populations, &s.population))
        .filter(|svc| {
            s.region.is_empty()
                || svc
                    .area
                    .split(',')
                    .any(|a| a.trim() == s.region || a.trim() == "national")
        })
        .filter_map(|svc| {
            let org = orgs.iter().find(|o| o.id == svc.organization_id)?.clone();
            let text = format!(
                "{} {} {} {}",
                svc.name, svc.description, org.name, org.description
            )
            .to_lowercase();
            (q.is_empty() || text.contains(&q)).then_some((svc, org))
        })
        .collect())
}

/// Organisations not verified in the last 12 months (or never), oldest first.
pub fn due_for_review(orgs: &[Organization], today: &str) -> Vec<Organization> {
    let year_ago = match today.split_once('-') {
        Some((y, rest)) => format!("{}-{rest}", y.parse::<i64>().map_or(0, |y| y - 1)),
        None => String::new(),
    };
    let mut due: Vec<Organization> = orgs
        .iter()
        .filter(|o| {
            o.last_verified
                .as_deref()
                .is_none_or(|d| d <= year_ago.as_str())
        })
        .cloned()
        .collect();
    due.sort_by(|a, b| a.last_verified.cmp(&b.last_verified));
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_generated_and_checked() {
        let u = new_uuid();
        assert!(is_uuid(&u), "{u}");
        assert_eq!(&u[14..15], "4");
        assert!(!is_uuid("not-a-uuid"));
        assert!(!is_uuid("1234567-1234-1234-1234-123456789012"));
        assert!(is_uuid("ac148810-d857-441c-9675-631a5f1ade93"));
    }

    #[test]
    fn review_lists_the_unverified_and_the_stale() {
        let o = |id: &str, d: Option<&str>| Organization {
            id: id.into(),
            last_verified: d.map(str::to_string),
            ..Organization::default()
        };
        let due = due_for_review(
            &[
                o("fresh", Some("2026-06-01")),
                o("old", Some("2025-11-01")),
                o("never", None),
            ],
            "2026-11-28",
        );
        let ids: Vec<&str> = due.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["never", "old"]);
    }
}
