//! Fictional cases for `hotline demo`, opened from the demo's substantive contacts, with the
//! people involved, notes, tasks, services, consent and an emergency response. Every person
//! and story here is invented.

use sqlx::Row;

use super::store::{self, Emergency, Person, Service};
use crate::audit::Actor;
use crate::crypto::Keys;
use crate::db::{now, Db, DbError};

const STORIES: &[(&str, &str, &str, &[&str])] = &[
    ("labor", "restaurants", "Cook kept working 14-hour days for tips only; employer holds his passport.", &["documents_confiscated", "excessive_hours", "unpaid_wages"]),
    ("sex", "illicit_massage", "Woman moved between massage businesses; owes a 'travel debt' that keeps growing.", &["debt_bondage", "lives_at_work", "monitored"]),
    ("labor", "agriculture", "Farm crew paid far below promises, housing deducted from wages, threats about immigration status.", &["false_promises", "unpaid_wages", "threats_or_violence"]),
    ("sex", "outdoor_solicitation", "Teenager controlled by an older 'boyfriend' who takes all the money.", &["minor_commercial_sex", "monitored"]),
    ("labor", "domestic_work", "Live-in domestic worker not allowed out, no day off in a year.", &["not_free_to_leave", "isolated", "excessive_hours"]),
    ("unknown", "hotels_hospitality", "Hotel housekeeping staff recruited abroad; fees unclear, situation still being assessed.", &["recruitment_fees"]),
];

/// Seeds up to `n` cases from closed, substantive demo contacts.
pub async fn seed(
    db: &Db,
    keys: &Keys,
    country: &str,
    timezone: &str,
    case_managers: &[(i64, String)],
    partner_services: &[String],
    n: usize,
) -> Result<usize, DbError> {
    let rows = sqlx::query(
        "SELECT id, advocate_id FROM contacts WHERE status = 'closed'
           AND contact_type IN ('tip', 'crisis', 'high_risk', 'referral') AND case_id IS NULL
         ORDER BY started_at DESC LIMIT $1",
    )
    .bind(n as i64)
    .fetch_all(&db.pool)
    .await?;
    let mut made = 0;
    for (i, row) in rows.iter().enumerate() {
        let contact: i64 = row.try_get(0)?;
        let advocate: Option<i64> = row.try_get(1)?;
        let (cm_id, cm_label) = case_managers
            .get(i % case_managers.len().max(1))
            .cloned()
            .unwrap_or((0, "demo".into()));
        let actor = Actor {
            user_id: advocate,
            label: "demo".into(),
            ip: None,
        };
        let id = store::create_from_contact(db, &actor, country, timezone, contact).await?;
        let (kind, venue, summary, indicators) = STORIES[i % STORIES.len()];
        let case = store::get_any(db, keys, id).await?;
        let Some(case) = case else { continue };
        let edit = store::Edit {
            case_type: kind.into(),
            venue: Some(venue.into()),
            region: case.region.clone(),
            indicators: indicators.iter().map(|s| s.to_string()).collect(),
            summary: Some(summary.into()),
            safety_plan: (i % 2 == 0).then(|| {
                "Knows the hotline number by heart; code word agreed with a friend.".into()
            }),
            ..store::Edit::default()
        };
        store::update(db, keys, &actor, id, case.version, &edit)
            .await
            .map_err(|e| match e {
                store::SaveError::Db(d) => d,
                store::SaveError::Conflict => DbError::Sqlx(sqlx::Error::RowNotFound),
            })?;
        if cm_id != 0 {
            store::assign(db, &actor, id, Some(cm_id)).await?;
        }
        let minor = indicators.contains(&"minor_commercial_sex");
        store::add_person(
            db,
            keys,
            &actor,
            id,
            &Person {
                id: 0,
                kind: "victim".into(),
                name: Some(
                    [
                        "Ana R.", "Bich N.", "Chidi O.", "Dara K.", "Elena M.", "Farid S.",
                    ][i % 6]
                        .into(),
                ),
                details: None,
                age_band: Some(
                    if minor {
                        "12_17"
                    } else {
                        ["18_24", "25_34", "35_49"][i % 3]
                    }
                    .into(),
                ),
                minor,
                gender: Some(["female", "male", "female", "non_binary"][i % 4].into()),
                nationality: Some(["MX", "VN", "NG", "PH", "GT", "US"][i % 6].into()),
                languages: vec![["es", "vi", "en", "tl", "es", "en"][i % 6].into()],
            },
        )
        .await?;
        store::add_note(db, keys, &actor, id, &format!("First meeting with {cm_label}: safe for now, wants legal advice before anything else.")).await?;
        let t = now();
        store::add_task(
            db,
            keys,
            &actor,
            id,
            "Follow-up call about legal advice",
            t + ((i as i64 % 5) - 2) * 86_400,
            Some(cm_id).filter(|c| *c != 0),
        )
        .await?;
        store::add_service(
            db,
            keys,
            &actor,
            id,
            &Service {
                service_type: ["case_management", "counselling", "legal", "shelter"][i % 4].into(),
                sessions: Some(1 + (i as i64 % 4)),
                minutes: Some(60),
                delivered_on: t - 7 * 86_400,
                notes: None,
            },
        )
        .await?;
        store::add_consent(
            db,
            &actor,
            id,
            &["identity".into(), "story".into()],
            "service_provider",
            t - 10 * 86_400,
        )
        .await?;
        if let Some(service) = partner_services.get(i % partner_services.len().max(1)) {
            if i % 3 != 2 {
                let kind = if i % 4 == 0 {
                    "warm_transfer"
                } else {
                    "referral"
                };
                let consents = store::consents_of(db, id).await?;
                let consent = store::covering_consent(
                    &consents,
                    "service_provider",
                    &["identity".to_string()],
                );
                store::add_referral(db, keys, &actor, id, service, kind, consent, None).await?;
            }
        }
        if i % 5 == 0 {
            store::add_emergency(
                db,
                keys,
                &actor,
                id,
                &Emergency {
                    kind: ["shelter", "transportation", "extraction"][i % 3].into(),
                    coordinated_with: "Local shelter and police liaison".into(),
                    outcome: "Moved to safety the same day".into(),
                    happened_at: t - 20 * 86_400,
                    notes: None,
                },
            )
            .await?;
        }
        made += 1;
    }
    Ok(made)
}
