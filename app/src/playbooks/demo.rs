//! Fictional launch-plan progress and a workshop for the sandbox (`hotline demo`).

use super::plan::{self, Entry};
use super::workshops::{self, Participant, Workshop};
use crate::audit::Actor;
use crate::crypto::Keys;
use crate::db::{Db, DbError};

/// Launch-plan items recorded in the sandbox: `(playbook, item, status, owner, due in days
/// from today (negative: past), notes)`.
const ITEMS: &[(&str, i64, &str, &str, i64, &str)] = &[
    (
        "readiness-feasibility",
        1,
        "done",
        "Dana Reyes",
        -60,
        "Steering group formed; terms of reference signed.",
    ),
    ("readiness-feasibility", 2, "done", "Dana Reyes", -50, ""),
    ("readiness-feasibility", 3, "done", "Kenji Sato", -45, ""),
    ("readiness-feasibility", 4, "done", "Kenji Sato", -40, ""),
    (
        "readiness-feasibility",
        5,
        "done",
        "Ministry focal point",
        -35,
        "",
    ),
    (
        "readiness-feasibility",
        6,
        "in_progress",
        "Dana Reyes",
        -5,
        "Waiting for the ministry's budget letter.",
    ),
    (
        "readiness-feasibility",
        7,
        "not_applicable",
        "",
        0,
        "Covered by the national action plan.",
    ),
    (
        "stakeholder-referral-mapping",
        1,
        "done",
        "Amara Okafor",
        -30,
        "",
    ),
    (
        "stakeholder-referral-mapping",
        2,
        "done",
        "Amara Okafor",
        -25,
        "",
    ),
    (
        "stakeholder-referral-mapping",
        3,
        "in_progress",
        "Amara Okafor",
        10,
        "Twelve partners visited, six to go.",
    ),
    (
        "legal-consent-confidentiality",
        1,
        "in_progress",
        "Legal adviser",
        20,
        "",
    ),
    (
        "legal-consent-confidentiality",
        2,
        "open",
        "Legal adviser",
        30,
        "",
    ),
    ("hotline-operations", 1, "open", "Kenji Sato", 45, ""),
    ("contact-handling", 1, "open", "Kenji Sato", -3, ""),
    (
        "staffing-training-wellbeing",
        1,
        "in_progress",
        "Li Wei",
        15,
        "Two-week intensive booked.",
    ),
];

pub async fn seed(db: &Db, keys: &Keys, locale: &str, timezone: &str) -> Result<(), DbError> {
    let actor = Actor::cli();
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    let day = |offset: i64| {
        today
            .checked_add(jiff::Span::new().days(offset))
            .unwrap_or(today)
            .to_string()
    };
    let catalog = super::Catalog::load(None);
    for (playbook, item, status, owner, due, notes) in ITEMS {
        let version = catalog.get(playbook, locale);
        let item_text = version
            .and_then(|p| p.checklist().get(*item as usize - 1).cloned())
            .unwrap_or_default();
        plan::save(
            db,
            &actor,
            &Entry {
                playbook: (*playbook).into(),
                item: *item,
                status: (*status).into(),
                owner: (*owner).into(),
                due_on: (*due != 0).then(|| day(*due)),
                notes: (*notes).into(),
                item_text,
                item_locale: version.map(|p| p.locale.clone()).unwrap_or_default(),
            },
        )
        .await?;
    }
    let training: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM training_events")
        .fetch_one(&db.pool)
        .await?;
    let id = workshops::add(
        db,
        &actor,
        &Workshop {
            title: "Launching a national hotline: first consultation".into(),
            held_on: day(-14),
            organisation: "Ministry of Social Affairs (fictional)".into(),
            country: "PH".into(),
            locale: locale.into(),
            playbooks: vec![
                "readiness-feasibility".into(),
                "stakeholder-referral-mapping".into(),
                "contact-handling".into(),
            ],
            training_id: training,
            notes: "Participants asked for the readiness self-assessment in advance next time."
                .into(),
            ..Workshop::default()
        },
    )
    .await?;
    for (name, organisation, role) in [
        (
            "Rosa Dizon",
            "Ministry of Social Affairs",
            "Programme officer",
        ),
        ("Jun Mercado", "Ministry of Social Affairs", "Legal adviser"),
        ("Grace Villanueva", "Shelter network", "Director"),
        ("Paolo Reyes", "Labour inspectorate", "Inspector"),
    ] {
        workshops::add_participant(
            db,
            keys,
            &actor,
            id,
            &Participant {
                name: name.into(),
                organisation: organisation.into(),
                role: role.into(),
                ..Participant::default()
            },
        )
        .await?;
    }
    Ok(())
}
