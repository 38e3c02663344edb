//! Fictional outreach for `hotline demo`: organisations reached at home and abroad,
//! consultations on the playbooks' topics, and materials handed out, spread over this year
//! so that the program goals page has something to show.

use crate::audit::Actor;
use crate::db::{Db, DbError};

use super::quiz;
use super::store::{self, Consultation, Material, ReachedOrg};

/// Name, sector, country (`None`: the hotline's own country).
const ORGANIZATIONS: &[(&str, &str, Option<&str>)] = &[
    (
        "Demo State Police, Community Safety Division",
        "law_enforcement",
        None,
    ),
    ("Demo Labour Standards Office", "government", None),
    ("Demo Migrant Workers' Union", "ngo", None),
    ("Demo City General Hospital", "health", None),
    ("Demo Technical High School", "education", None),
    ("Demo Hotel Group", "business", None),
    ("Demo Hotline Partners, Manila", "ngo", Some("PH")),
    (
        "Demo Ministry of Social Welfare, Hanoi",
        "government",
        Some("VN"),
    ),
    (
        "Demo Anti-Trafficking Network, Kathmandu",
        "ngo",
        Some("NP"),
    ),
];

/// Days before today, channel, organisation (index), topic, related topics, minutes.
type DemoConsultation = (
    i64,
    &'static str,
    usize,
    &'static str,
    &'static [&'static str],
    i64,
);

const CONSULTATIONS: &[DemoConsultation] = &[
    (
        150,
        "video",
        6,
        "hotline_operations",
        &["contact_handling", "crisis_response"],
        90,
    ),
    (
        120,
        "in_person",
        0,
        "police_child_protection_reporting",
        &["legal_consent_confidentiality"],
        120,
    ),
    (
        90,
        "video",
        7,
        "readiness_feasibility",
        &["stakeholder_referral_mapping"],
        75,
    ),
    (60, "phone", 2, "community_training", &[], 40),
    (
        30,
        "video",
        8,
        "data_management_statistics",
        &["launch_awareness_monitoring"],
        60,
    ),
    (10, "email", 6, "staffing_training_wellbeing", &[], 30),
];

/// Title, kind, language, then (days before today, organisation index, copies).
/// Days before today, organisation (index), copies.
type Handout = (i64, usize, i64);

const MATERIALS: &[(&str, &str, &str, &[Handout])] = &[
    (
        "Know your rights (wallet card)",
        "card",
        "en",
        &[(140, 2, 400), (45, 5, 250)],
    ),
    (
        "Signs of trafficking for health workers",
        "leaflet",
        "ja",
        &[(100, 3, 300)],
    ),
    (
        "Call the hotline: 24/7, free, confidential",
        "poster",
        "vi",
        &[(80, 7, 150), (20, 1, 120)],
    ),
];

/// Seeds the outreach records, dated up to now but never before the start of this year in
/// the hotline's time zone.
pub async fn seed(
    db: &Db,
    keys: &crate::crypto::Keys,
    home_country: &str,
    timezone: &str,
) -> Result<(), DbError> {
    let actor = Actor::cli();
    let (year_start, _) = super::goals::year_bounds(super::goals::current_year(timezone), timezone);
    let today = crate::db::now();
    let day = |before: i64| (today - before * 86_400).max(year_start);
    let mut orgs = Vec::new();
    for (name, sector, country) in ORGANIZATIONS {
        let o = ReachedOrg {
            id: 0,
            name: (*name).into(),
            sector: (*sector).into(),
            country: country.unwrap_or(home_country).into(),
            directory_id: None,
        };
        orgs.push((store::add_organization(db, &actor, &o).await?, o.country));
    }
    for (before, channel, org, topic, related, minutes) in CONSULTATIONS {
        let (id, country) = &orgs[*org];
        let c = Consultation {
            held_at: day(*before),
            channel: (*channel).into(),
            organization_id: Some(*id),
            organization: String::new(),
            country: country.clone(),
            topic: (*topic).into(),
            minutes: Some(*minutes),
            follow_ups: String::new(),
            related: related.iter().map(|r| (*r).to_string()).collect(),
            notes: String::new(),
        };
        store::add_consultation(db, &actor, &c).await?;
    }
    for (title, kind, language, handed_out) in MATERIALS {
        let m = Material {
            id: 0,
            title: (*title).into(),
            kind: (*kind).into(),
            language: (*language).into(),
            link: String::new(),
            document: None,
            distributed: 0,
        };
        let id = store::add_material(db, &actor, &m).await?;
        for (before, org, copies) in *handed_out {
            store::distribute(
                db,
                &actor,
                id,
                *copies,
                Some(orgs[*org].0),
                "",
                day(*before),
            )
            .await?;
        }
    }
    // Trainings with fictional registrants; about four in five attended.
    for (n, (title, tier, sector, mode, before, org, people, modules)) in
        TRAININGS.iter().enumerate()
    {
        let e = super::training::TrainingEvent {
            title: (*title).into(),
            tier: (*tier).into(),
            sector: (*sector).into(),
            mode: (*mode).into(),
            starts_at: day(*before),
            place: if *mode == "online" {
                "https://meet.example.org/demo".into()
            } else {
                "Community Hall, Room 2".into()
            },
            trainers: "Li Wei".into(),
            modules: modules.iter().map(|m| (*m).to_string()).collect(),
            ..Default::default()
        };
        let event = super::training::add_event(db, &actor, &e).await?;
        for i in 0..*people {
            let first = FIRST_NAMES[(i + n * 7) % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 3 + n) % LAST_NAMES.len()];
            let email = format!("trainee{}.{i}@demo.hotline.test", n + 1);
            super::training::register(
                db,
                keys,
                &actor,
                event,
                &format!("{first} {last}"),
                &email,
                Some(orgs[*org].0),
            )
            .await?;
        }
        let present: Vec<i64> = super::training::people(db, keys, event)
            .await?
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 5 != 4)
            .map(|(_, p)| p.id)
            .collect();
        super::training::set_attendance(db, &actor, event, &present).await?;
        // Attendees took the pre-test and the post-test; the oldest training also has
        // follow-ups.
        for (i, person) in present.iter().enumerate() {
            let before = 2 + i % 4;
            let after = (before + 2 + i % 3).min(quiz::QUESTIONS.len());
            quiz::submit(db, *person, "pre", &demo_answers(before), None).await?;
            let satisfaction = Some(3 + (i as i64 % 3));
            quiz::submit(db, *person, "post", &demo_answers(after), satisfaction).await?;
            if n == 0 && i % 2 == 0 {
                quiz::submit(db, *person, "follow_up", &demo_answers(after - 1), None).await?;
            }
        }
    }
    // Two roundtables, with participants, a best practice and actions.
    for (before, theme, host, level, members, practice, actions) in ROUNDTABLES {
        let r = super::roundtables::Roundtable {
            held_at: day(*before),
            theme: (*theme).into(),
            host: (*host).into(),
            confidentiality: (*level).into(),
            agenda: "1. Cases seen since the last meeting\n2. Gaps in referrals\n3. Actions".into(),
            ..Default::default()
        };
        let id = super::roundtables::add(db, &actor, &r).await?;
        for (org, side) in *members {
            super::roundtables::add_participant(db, &actor, id, orgs[*org].0, side).await?;
        }
        super::roundtables::add_practice(db, &actor, id, practice.0, practice.1).await?;
        // The partners-only roundtable's practice is published to the staff library.
        if *level == "partners" {
            for p in super::roundtables::practices(db, id).await? {
                let item = crate::library::store::Item::practice(
                    p.id,
                    p.title,
                    p.description,
                    "en",
                    "staff",
                );
                crate::library::store::add(db, &actor, std::path::Path::new("."), &item, None)
                    .await?;
            }
        }
        for (description, owner, due_in_days) in *actions {
            super::roundtables::add_action(
                db,
                &actor,
                id,
                description,
                owner,
                today + due_in_days * 86_400,
            )
            .await?;
        }
    }
    // Links in the library: one public, one for staff.
    for (title, url, tags, visibility, audience) in LIBRARY_LINKS {
        let item = crate::library::store::Item {
            kind: "link".into(),
            title: (*title).into(),
            url: (*url).into(),
            tags: crate::library::store::parse_tags(tags),
            language: "en".into(),
            audience: (*audience).into(),
            visibility: (*visibility).into(),
            ..Default::default()
        };
        crate::library::store::add(db, &actor, std::path::Path::new("."), &item, None).await?;
    }
    Ok(())
}

/// Title, link, tags, visibility, audience.
const LIBRARY_LINKS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "UNODC Global Report on Trafficking in Persons",
        "https://www.unodc.org/unodc/en/data-and-analysis/glotip.html",
        "report, statistics",
        "public",
        "general",
    ),
    (
        "Demo referral protocol for hospitals (draft)",
        "https://docs.example.org/demo-hospital-protocol",
        "health, referral, protocol",
        "staff",
        "health",
    ),
];

/// Days before today, theme, host, confidentiality, participants (organisation index,
/// side), a best practice (title, description), actions (description, owner, due in days).
type DemoRoundtable = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static [(usize, &'static str)],
    (&'static str, &'static str),
    &'static [(&'static str, &'static str, i64)],
);

const ROUNDTABLES: &[DemoRoundtable] = &[
    (
        100,
        "Labour trafficking in agriculture and construction",
        "Demo Labour Standards Office",
        "partners",
        &[(1, "government"), (0, "government"), (2, "ngo"), (5, "other")],
        ("Joint visits with labour inspectors", "Inspectors and NGO outreach workers visit worksites together, so that workers can speak to someone who is not an official."),
        &[("Draft a referral protocol for migrant workers", "Demo Migrant Workers' Union", -10), ("Translate the wallet card into three more languages", "Li Wei", 20)],
    ),
    (
        15,
        "Identifying victims in hospitals",
        "Demo City General Hospital",
        "restricted",
        &[(3, "other"), (0, "government"), (2, "ngo")],
        ("A named contact on every ward", "Each ward names one nurse who has taken the training and knows the hotline's referral steps."),
        &[("Train the emergency department's night staff", "Demo City General Hospital", 30)],
    ),
];

/// Answers with the first `right` questions right and the others wrong.
fn demo_answers(right: usize) -> Vec<(u8, String)> {
    quiz::QUESTIONS
        .iter()
        .enumerate()
        .map(|(i, (n, answer))| {
            let wrong = if *answer == "d" { "a" } else { "d" };
            (*n, if i < right { *answer } else { wrong }.to_string())
        })
        .collect()
}

/// Title, tier, audience sector, format, days before today, organisation (index),
/// registrants, modules.
type DemoTraining = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    usize,
    usize,
    &'static [&'static str],
);

const TRAININGS: &[DemoTraining] = &[
    (
        "Recognising trafficking: police first responders",
        "blended",
        "law_enforcement",
        "in_person",
        130,
        0,
        25,
        &["scope", "indicators", "referral_options"],
    ),
    (
        "Indicators for health workers",
        "online",
        "health",
        "online",
        70,
        3,
        18,
        &["indicators", "trauma_informed_interviewing"],
    ),
    (
        "Training of trainers: community outreach",
        "trainers",
        "ngo",
        "in_person",
        25,
        2,
        12,
        &[
            "scope",
            "indicators",
            "trauma_informed_interviewing",
            "referral_options",
        ],
    ),
];

const FIRST_NAMES: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dmitri", "Emi", "Farah", "Gabriel", "Hana", "Ivan", "Jun", "Kavya",
    "Luis", "Mei", "Nadia", "Omar",
];
const LAST_NAMES: &[&str] = &[
    "Alvarez", "Brown", "Chen", "Diallo", "Evans", "Fujita", "Garcia", "Haddad", "Ito", "Johnson",
    "Kim",
];
