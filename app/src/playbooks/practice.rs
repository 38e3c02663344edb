//! Practice calls: bundled role-play scenarios (`playbooks/<locale>/practice/*.md`) with a
//! caller script for the trainer and the expected classification, and the scoring of a
//! trainee's real contact record against it, field by field, with the reasons.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use sqlx::Row;

use super::catalog::{front_matter, Problem, BUNDLED_DIR};
use crate::audit::{self, Actor, Event};
use crate::config::BUNDLED_LOCALES;
use crate::crypto::Keys;
use crate::db::{now, Db, DbError};
use crate::i18n;
use crate::intake::store::Contact;
use crate::intake::vocab;

/// What the trainee's record should say. Only the fields given are scored.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub contact_type: Option<String>,
    pub non_substantive_outcome: Option<String>,
    pub signaler_role: Option<String>,
    pub red_flags: Option<Vec<String>>,
    pub crisis_alert: Option<bool>,
    pub anonymous: Option<bool>,
    pub consent_follow_up: Option<bool>,
    /// An interpreter was needed, in this language.
    pub interpreter_language: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Front {
    id: String,
    title: String,
    locale: String,
    channel: String,
    summary: String,
    related: Vec<String>,
    expected: Expected,
    reasons: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub locale: String,
    pub channel: String,
    pub summary: String,
    pub related: Vec<String>,
    pub expected: Expected,
    /// Why each expected value is right, by field name.
    pub reasons: BTreeMap<String, String>,
    /// The trainer's Markdown: situation, caller script, what a good call does, debrief.
    pub body: String,
    /// The body rendered once, when the file is read.
    pub rendered: super::render::Rendered,
}

/// The field names of [`Expected`], in the order a score lists them.
pub const FIELDS: &[&str] = &[
    "contact_type",
    "non_substantive_outcome",
    "signaler_role",
    "red_flags",
    "crisis_alert",
    "interpreter_language",
    "anonymous",
    "consent_follow_up",
];

impl Expected {
    /// The fields this scenario scores.
    pub fn fields(&self) -> Vec<&'static str> {
        FIELDS
            .iter()
            .copied()
            .filter(|f| match *f {
                "contact_type" => self.contact_type.is_some(),
                "non_substantive_outcome" => self.non_substantive_outcome.is_some(),
                "signaler_role" => self.signaler_role.is_some(),
                "red_flags" => self.red_flags.is_some(),
                "crisis_alert" => self.crisis_alert.is_some(),
                "interpreter_language" => self.interpreter_language.is_some(),
                "anonymous" => self.anonymous.is_some(),
                _ => self.consent_follow_up.is_some(),
            })
            .collect()
    }

    /// The first value outside its vocabulary, as `(field, value)`.
    fn unknown_value(&self) -> Option<(&'static str, String)> {
        let check = |field: &'static str, list: &[&str], v: &Option<String>| {
            v.as_ref()
                .filter(|v| !list.contains(&v.as_str()))
                .map(|v| (field, v.clone()))
        };
        check("contact_type", vocab::TYPES, &self.contact_type)
            .or_else(|| {
                check(
                    "non_substantive_outcome",
                    vocab::NON_SUBSTANTIVE,
                    &self.non_substantive_outcome,
                )
            })
            .or_else(|| check("signaler_role", vocab::SIGNALER_ROLES, &self.signaler_role))
            .or_else(|| {
                check(
                    "interpreter_language",
                    vocab::INTERPRETER_LANGUAGES,
                    &self.interpreter_language,
                )
            })
            .or_else(|| {
                self.red_flags.as_ref().and_then(|flags| {
                    flags
                        .iter()
                        .find(|f| !vocab::RED_FLAGS.contains(&f.as_str()))
                        .map(|f| ("red_flags", f.clone()))
                })
            })
    }
}

/// Parses a scenario file; `folder` is its locale folder.
pub fn parse(file: &str, folder: &str, text: &str) -> Result<Scenario, Problem> {
    let problem = |key, args: &[(&'static str, &str)]| Problem::new(file, key, args);
    let (table, body) = front_matter(file, text)?;
    let front: Front = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| Problem::toml(file, "", 1, &e))?;
    if front.locale != folder || !BUNDLED_LOCALES.contains(&front.locale.as_str()) {
        return Err(problem(
            "playbook.problem.wrong_folder",
            &[("locale", &front.locale), ("folder", folder)],
        ));
    }
    if !vocab::CHANNELS.contains(&front.channel.as_str()) {
        return Err(problem(
            "practice.problem.value",
            &[("field", "channel"), ("value", &front.channel)],
        ));
    }
    if let Some((field, value)) = front.expected.unknown_value() {
        return Err(problem(
            "practice.problem.value",
            &[("field", field), ("value", &value)],
        ));
    }
    let fields = front.expected.fields();
    if fields.is_empty() {
        return Err(problem("practice.problem.nothing_expected", &[]));
    }
    for f in &fields {
        if front.reasons.get(*f).is_none_or(|r| r.trim().is_empty()) {
            return Err(problem("practice.problem.reason", &[("field", f)]));
        }
    }
    Ok(Scenario {
        id: front.id,
        title: front.title,
        locale: front.locale,
        channel: front.channel,
        summary: front.summary,
        related: front.related,
        expected: front.expected,
        reasons: front.reasons,
        body: body.to_string(),
        rendered: super::render::render(body),
    })
}

/// Every bundled scenario (in every locale), and the files that did not parse.
pub fn bundled() -> &'static (Vec<Scenario>, Vec<Problem>) {
    static ALL: OnceLock<(Vec<Scenario>, Vec<Problem>)> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut list = Vec::new();
        let mut problems = Vec::new();
        for locale in BUNDLED_LOCALES {
            if let Some(dir) = BUNDLED_DIR.get_dir(format!("{locale}/practice")) {
                super::catalog::parse_bundled(dir, locale, parse, &mut list, &mut problems);
            }
        }
        list.sort_by(|a, b| a.id.cmp(&b.id));
        (list, problems)
    })
}

/// The scenarios for a reader of `locale` (each in their language if it exists, else along
/// the fallback chain), ordered by id.
pub fn list(locale: &str) -> Vec<&'static Scenario> {
    let (all, _) = bundled();
    let mut ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
    ids.dedup();
    ids.iter().filter_map(|id| get(id, locale)).collect()
}

pub fn get(id: &str, locale: &str) -> Option<&'static Scenario> {
    let (all, _) = bundled();
    i18n::fallback_chain(locale)
        .iter()
        .find_map(|l| all.iter().find(|s| s.id == id && s.locale == *l))
        .or_else(|| all.iter().find(|s| s.id == id))
}

/// One scored field.
#[derive(Debug, Clone)]
pub struct FieldScore {
    pub field: &'static str,
    pub expected: String,
    pub recorded: String,
    pub correct: bool,
    pub reason: String,
    /// For red flags: the expected ones not recorded, and the recorded ones not expected.
    pub missed: Vec<String>,
    pub extra: Vec<String>,
}

fn label(locale: &str, prefix: &str, code: &Option<String>) -> String {
    match code {
        Some(c) => i18n::tr(locale, &format!("{prefix}.{c}")),
        None => i18n::tr(locale, "practice.not_recorded"),
    }
}

fn yes_no(locale: &str, v: bool) -> String {
    i18n::tr(locale, if v { "practice.yes" } else { "practice.no" })
}

/// Compares the trainee's record with the scenario; labels in `locale` (the reader's),
/// reasons in the scenario's language.
pub fn score(s: &Scenario, c: &Contact, locale: &str) -> Vec<FieldScore> {
    let e = &s.expected;
    s.expected
        .fields()
        .into_iter()
        .map(|field| {
            let mut missed = Vec::new();
            let mut extra = Vec::new();
            let (expected, recorded, correct) = match field {
                "contact_type" => (
                    label(locale, "contact.type", &e.contact_type),
                    label(locale, "contact.type", &c.contact_type),
                    e.contact_type == c.contact_type,
                ),
                "non_substantive_outcome" => (
                    label(
                        locale,
                        "contact.non_substantive",
                        &e.non_substantive_outcome,
                    ),
                    label(
                        locale,
                        "contact.non_substantive",
                        &c.non_substantive_outcome,
                    ),
                    e.non_substantive_outcome == c.non_substantive_outcome,
                ),
                "signaler_role" => (
                    label(locale, "contact.role", &e.signaler_role),
                    label(locale, "contact.role", &c.signaler_role),
                    e.signaler_role == c.signaler_role,
                ),
                "red_flags" => {
                    let want = e.red_flags.clone().unwrap_or_default();
                    let flag = |f: &String| i18n::tr(locale, &format!("contact.flag.{f}"));
                    missed = want
                        .iter()
                        .filter(|f| !c.red_flags.contains(f))
                        .map(flag)
                        .collect();
                    extra = c
                        .red_flags
                        .iter()
                        .filter(|f| !want.contains(f))
                        .map(flag)
                        .collect();
                    let list = |v: Vec<String>| {
                        if v.is_empty() {
                            i18n::tr(locale, "practice.none")
                        } else {
                            i18n::join_list(locale, &v)
                        }
                    };
                    (
                        list(want.iter().map(flag).collect()),
                        list(c.red_flags.iter().map(flag).collect()),
                        missed.is_empty() && extra.is_empty(),
                    )
                }
                "crisis_alert" => {
                    let want = e.crisis_alert.unwrap_or(false);
                    let got = c.supervisor_alerted_at.is_some();
                    (yes_no(locale, want), yes_no(locale, got), want == got)
                }
                "interpreter_language" => {
                    let got = c
                        .interpreter_used
                        .then(|| c.interpreter_language.clone())
                        .flatten();
                    (
                        label(locale, "language_name", &e.interpreter_language),
                        label(locale, "language_name", &got),
                        got == e.interpreter_language,
                    )
                }
                "anonymous" => {
                    let want = e.anonymous.unwrap_or(false);
                    (
                        yes_no(locale, want),
                        yes_no(locale, c.anonymous),
                        want == c.anonymous,
                    )
                }
                _ => {
                    let want = e.consent_follow_up.unwrap_or(false);
                    (
                        yes_no(locale, want),
                        yes_no(locale, c.consent_follow_up),
                        want == c.consent_follow_up,
                    )
                }
            };
            FieldScore {
                field,
                expected,
                recorded,
                correct,
                reason: s.reasons.get(field).cloned().unwrap_or_default(),
                missed,
                extra,
            }
        })
        .collect()
}

/// A trainee's go at a scenario: the real contact they recorded.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: i64,
    pub scenario: String,
    pub locale: String,
    pub contact_id: i64,
    pub trainee_id: i64,
    pub trainee: String,
    pub started_at: i64,
    /// `(correct, total)` once finished.
    pub result: Option<(i64, i64)>,
}

const ATTEMPT_COLUMNS: &str = "a.id, a.scenario, a.locale, a.contact_id, a.trainee_id,
    u.display_name, a.started_at, a.correct, a.total";

fn attempt(r: &sqlx::any::AnyRow) -> Result<Attempt, sqlx::Error> {
    let correct: Option<i64> = r.try_get(7)?;
    let total: Option<i64> = r.try_get(8)?;
    Ok(Attempt {
        id: r.try_get(0)?,
        scenario: r.try_get(1)?,
        locale: r.try_get(2)?,
        contact_id: r.try_get(3)?,
        trainee_id: r.try_get(4)?,
        trainee: r.try_get(5)?,
        started_at: r.try_get(6)?,
        result: correct.zip(total),
    })
}

/// Starts a practice call: a new open contact for the trainee in the real console and the
/// attempt that links it to the scenario, written together. Returns the contact's id.
pub async fn start(
    db: &Db,
    keys: &Keys,
    actor: &Actor,
    scenario: &Scenario,
    trainee_id: i64,
) -> Result<i64, DbError> {
    let mut tx = db.begin().await?;
    let (contact, _) = crate::intake::store::create_in(
        &mut tx,
        keys,
        actor,
        crate::intake::store::NewContact {
            channel: scenario.channel.clone(),
            status: "open".into(),
            started_at: now(),
            advocate_id: Some(trainee_id),
            anonymous: true,
            ..Default::default()
        },
    )
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO practice_attempts (scenario, locale, contact_id, trainee_id, started_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&scenario.id)
    .bind(&scenario.locale)
    .bind(contact)
    .bind(trainee_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("practice.start")
            .target("practice_attempt", id)
            .detail(scenario.id.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(contact)
}

pub async fn get_attempt(db: &Db, id: i64) -> Result<Option<Attempt>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM practice_attempts a JOIN users u ON u.id = a.trainee_id
         WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(attempt).transpose()?)
}

/// Recent attempts, latest first: everyone's, or one trainee's.
pub async fn attempts(db: &Db, trainee: Option<i64>) -> Result<Vec<Attempt>, DbError> {
    let filter = if trainee.is_some() {
        "WHERE a.trainee_id = $1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {ATTEMPT_COLUMNS} FROM practice_attempts a JOIN users u ON u.id = a.trainee_id
         {filter} ORDER BY a.started_at DESC, a.id DESC LIMIT 100"
    );
    let mut query = sqlx::query(&sql);
    if let Some(t) = trainee {
        query = query.bind(t);
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(rows.iter().map(attempt).collect::<Result<_, _>>()?)
}

/// Records the score once; a second finish changes nothing.
pub async fn finish(
    db: &Db,
    actor: &Actor,
    id: i64,
    correct: i64,
    total: i64,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let changed = sqlx::query(
        "UPDATE practice_attempts SET correct = $1, total = $2, scored_at = $3
         WHERE id = $4 AND scored_at IS NULL",
    )
    .bind(correct)
    .bind(total)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        audit::record(
            &mut tx,
            actor,
            Event::new("practice.finish")
                .target("practice_attempt", id)
                .detail(format!("{correct}/{total}")),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_scenarios_parse() {
        let (list, problems) = bundled();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(!list.is_empty());
    }
}
