//! Fictional contacts for `hotline demo`: a few hundred over the last three months, across
//! channels, types, regions and languages, so trainers and evaluators see a living hotline.
//! Every person and story here is invented.

use super::store::new_reference;
use super::vocab;
use crate::audit::{self, Actor, Event};
use crate::crypto::Keys;
use crate::db::{now, Db, DbError};

/// A small deterministic generator, so every demo looks alike.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Picks by weight.
    fn weighted<'a>(&mut self, items: &[(&'a str, u32)]) -> &'a str {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut r = (self.next() % u64::from(total)) as u32;
        for (item, w) in items {
            if r < *w {
                return item;
            }
            r -= w;
        }
        items[0].0
    }
}

const NARRATIVES: &[&str] = &[
    "Caller works at a nail salon; the owner keeps her passport and she sleeps at the shop. Owes a recruitment debt that keeps growing.",
    "Neighbor noticed several young women brought to a house late at night and driven away in the morning. No one seems to leave alone.",
    "Farm worker says the crew leader takes most of their pay for housing and transport; workers are told they will be reported to immigration if they complain.",
    "Mother worried about her 16-year-old daughter who met an older 'boyfriend' online and now has new phones and clothes.",
    "Teacher asks for training materials on recognizing labor trafficking among students working after school.",
    "Restaurant cook works 14 hours a day, 7 days a week, for tips only; lives above the restaurant with 8 others.",
    "Caller asked for shelter referral after leaving a massage business; she is afraid the manager will find her.",
    "Police detective requests information on local service providers who accept warm transfers for labor trafficking survivors.",
    "Hang-up after 20 seconds; background noise, no one spoke.",
    "Caller was promised a job in hospitality abroad; on arrival the contract changed and her documents were taken 'for safekeeping'.",
    "Construction worker reports that his employer has not paid wages in three months and threatens workers who ask.",
    "A friend says a domestic worker next door is never allowed out and appears thin and frightened.",
    "Survivor calling back for the number of the legal aid partner discussed last week.",
    "General question about the difference between smuggling and trafficking for a school project.",
    "Texted from a hotel: cannot speak freely, someone is outside the door. Asked for help to leave tonight.",
];

/// Seeds `n` fictional contacts handled by `advocates`, in `country`'s regions.
pub async fn seed(
    db: &Db,
    keys: &Keys,
    advocates: &[i64],
    regions: &[String],
    locales: &[String],
    n: usize,
) -> Result<usize, DbError> {
    let mut rng = Lcg(0x5EED_2026);
    let t_now = now();
    let mut tx = db.begin().await?;
    for i in 0..n {
        let channel = rng.weighted(&[
            ("phone", 60),
            ("sms", 15),
            ("web_form", 10),
            ("email", 7),
            ("chat", 5),
            ("walk_in", 2),
            ("other", 1),
        ]);
        let kind = rng.weighted(&[
            ("tip", 25),
            ("crisis", 8),
            ("tta", 12),
            ("referral", 15),
            ("general_information", 15),
            ("high_risk", 8),
            ("non_substantive", 17),
        ]);
        let started = t_now - (rng.below(90 * 24 * 60) as i64) * 60 - 600;
        let duration = 60 + rng.below(40 * 60) as i64;
        let language = if locales.len() > 1 && rng.below(4) == 0 {
            locales[1 + rng.below(locales.len() - 1)].clone()
        } else {
            locales.first().cloned().unwrap_or_else(|| "en".into())
        };
        let interpreter = rng.below(12) == 0;
        let role = vocab::SIGNALER_ROLES[rng.below(vocab::SIGNALER_ROLES.len())];
        let region = regions.get(rng.below(regions.len().max(1))).cloned();
        let heard = crate::settings::HEARD_ABOUT[rng.below(crate::settings::HEARD_ABOUT.len())];
        let outcome = (kind == "non_substantive")
            .then(|| vocab::NON_SUBSTANTIVE[rng.below(vocab::NON_SUBSTANTIVE.len())]);
        let mut flags: Vec<&str> = Vec::new();
        if matches!(kind, "tip" | "crisis" | "high_risk") {
            for _ in 0..(1 + rng.below(3)) {
                let f = vocab::RED_FLAGS[rng.below(vocab::RED_FLAGS.len())];
                if !flags.contains(&f) {
                    flags.push(f);
                }
            }
        }
        let narrative = if kind == "non_substantive" {
            NARRATIVES[8]
        } else {
            NARRATIVES[rng.below(NARRATIVES.len())]
        };
        let anonymous = rng.below(3) != 0;
        let phone = (channel == "phone" || channel == "sms")
            .then(|| format!("+1 555 01{:02} {:03}", rng.below(100), rng.below(1000)));
        let status = if i < 6 { "queued" } else { "closed" };
        let call_outcome = (channel == "phone").then(|| {
            rng.weighted(&[
                ("answered", 80),
                ("missed", 8),
                ("abandoned", 7),
                ("voicemail", 5),
            ])
        });
        let advocate = (!advocates.is_empty() && status != "queued")
            .then(|| advocates[rng.below(advocates.len())]);
        let enc = |ctx: &str, v: &str| keys.fields.encrypt_text(ctx, v);
        sqlx::query(
            "INSERT INTO contacts (reference, channel, status, started_at, ended_at,
                duration_seconds, language, interpreter_used, interpreter_language, contact_type,
                non_substantive_outcome, signaler_role, region, heard_about, anonymous,
                consent_follow_up, red_flags, name_enc, phone_enc, narrative_enc, phone_index,
                advocate_id, call_outcome, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $23, $4, $4)",
        )
        .bind(new_reference())
        .bind(channel)
        .bind(status)
        .bind(started)
        .bind((status == "closed").then_some(started + duration))
        .bind((status == "closed").then_some(duration))
        .bind(&language)
        .bind(i64::from(interpreter))
        .bind(interpreter.then_some("vi"))
        .bind((status == "closed").then_some(kind))
        .bind(outcome)
        .bind(role)
        .bind(region)
        .bind(heard)
        .bind(i64::from(anonymous))
        .bind(i64::from(!anonymous && rng.below(2) == 0))
        .bind(flags.join(","))
        .bind((!anonymous).then(|| enc("contacts.name", "Alex Example")))
        .bind(phone.as_deref().map(|p| enc("contacts.phone", p)))
        .bind(enc("contacts.narrative", narrative))
        .bind(phone.as_deref().map(|p| keys.index.index("phone", p)))
        .bind(advocate)
        .bind(call_outcome)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        &Actor::cli(),
        Event::new("demo.seed").detail(format!("contacts={n}")),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}
