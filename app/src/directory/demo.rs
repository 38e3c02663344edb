//! Fictional partners for `hotline demo`. Every organisation here is invented.

use super::store::{self, new_uuid, Organization, Service};
use crate::audit::{self, Actor, Event};
use crate::db::{Db, DbError};

/// Name, what it does, hours, categories, populations, languages.
type Partner = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const PARTNERS: &[Partner] = &[
    (
        "Safe Harbor Shelter Network",
        "Emergency and transitional shelter",
        "24/7 intake",
        &["shelter", "case_management"],
        &["adults", "women", "sex"],
        &["en", "es"],
    ),
    (
        "Northside Legal Aid",
        "Immigration relief and labor claims",
        "Mon–Fri 9:00–17:00",
        &["legal"],
        &["adults", "migrants", "labor"],
        &["en", "es", "vi"],
    ),
    (
        "Bridges Youth Services",
        "Shelter, counselling and school support for young people",
        "24/7 intake",
        &["shelter", "counselling"],
        &["minors"],
        &["en"],
    ),
    (
        "Community Health Clinic",
        "Confidential medical care, no ID required",
        "Mon–Sat 8:00–20:00",
        &["medical"],
        &["adults", "minors", "migrants"],
        &["en", "es", "tl"],
    ),
    (
        "Language Link Interpreters",
        "Phone interpreting in 200 languages",
        "24/7",
        &["interpretation"],
        &["adults", "minors"],
        &["en", "es", "ja", "vi", "tl", "zh"],
    ),
    (
        "Hope Counselling Center",
        "Trauma-informed counselling for survivors",
        "Mon–Fri 10:00–19:00",
        &["counselling", "case_management"],
        &["adults", "lgbtq", "sex", "labor"],
        &["en", "es"],
    ),
];

/// Seeds the fictional partners; returns the ids of their services.
pub async fn seed(db: &Db, today: &str) -> Result<Vec<String>, DbError> {
    let mut ids = Vec::new();
    let mut tx = db.begin().await?;
    for (i, (name, what, hours, categories, populations, languages)) in PARTNERS.iter().enumerate()
    {
        let org = Organization {
            id: new_uuid(),
            name: (*name).into(),
            description: (*what).into(),
            email: format!("intake{}@partners.hotline.test", i + 1),
            website: format!("https://partner{}.hotline.test", i + 1),
            vetting_tier: Some(1 + (i as i64 % 3)),
            accepts_warm_transfers: i % 2 == 0,
            // One partner is overdue for its yearly check, to show the review list.
            last_verified: Some(if i == 3 {
                "2024-05-02".into()
            } else {
                today.to_string()
            }),
        };
        store::upsert_organization(&mut tx, &org).await?;
        let svc = Service {
            id: new_uuid(),
            organization_id: org.id.clone(),
            name: (*what).into(),
            description: format!("{what}. Fictional partner of the demo hotline."),
            status: "active".into(),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            populations: populations.iter().map(|s| s.to_string()).collect(),
            languages: languages.iter().map(|s| s.to_string()).collect(),
            area: "national".into(),
            hours: (*hours).into(),
            phone: format!("+1 555 0100 4{i:02}"),
            email: String::new(),
            url: String::new(),
        };
        store::upsert_service(&mut tx, &svc).await?;
        ids.push(svc.id);
    }
    audit::record(
        &mut tx,
        &Actor::cli(),
        Event::new("demo.seed").detail(format!("partners={}", PARTNERS.len())),
    )
    .await?;
    tx.commit().await?;
    Ok(ids)
}
