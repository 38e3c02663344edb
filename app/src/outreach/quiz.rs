//! Training questionnaires: the built-in question set (its words are locale keys
//! `quiz.q<n>.text` and `quiz.q<n>.<option>`), the personal links registrants answer
//! through, scoring, and each event's evaluation (scores, knowledge gain, satisfaction).

use sqlx::Row;

use crate::crypto::Keys;
use crate::db::{now, Db, DbError};

/// Pre-test (before the training), post-test (right after), follow-up (three months on).
pub const STAGES: &[&str] = &["pre", "post", "follow_up"];
pub const OPTIONS: &[&str] = &["a", "b", "c", "d"];

/// The questions, by number, with the right option. The same questions at every stage, so
/// that the scores compare.
pub const QUESTIONS: &[(u8, &str)] = &[
    (1, "b"),
    (2, "c"),
    (3, "a"),
    (4, "b"),
    (5, "b"),
    (6, "b"),
    (7, "a"),
    (8, "b"),
];

/// The personal link code of a registrant: their id and a keyed fingerprint of it, so that
/// links cannot be guessed and nothing needs storing.
pub fn link_code(keys: &Keys, person_id: i64) -> String {
    let mac = keys.index.index("questionnaire", &person_id.to_string());
    format!("{person_id}-{}", &mac[..32])
}

/// The registrant a link code belongs to, if it is genuine.
pub fn person_of(keys: &Keys, code: &str) -> Option<i64> {
    let (id, _) = code.split_once('-')?;
    let id: i64 = id.parse().ok()?;
    (link_code(keys, id) == code).then_some(id)
}

/// The number of right answers among `answers` (question number, chosen option).
pub fn score(answers: &[(u8, String)]) -> i64 {
    QUESTIONS
        .iter()
        .filter(|(n, right)| answers.iter().any(|(q, a)| q == n && a == right))
        .count() as i64
}

/// Stores a sheet, replacing the registrant's earlier one for the stage.
pub async fn submit(
    db: &Db,
    person_id: i64,
    stage: &str,
    answers: &[(u8, String)],
    satisfaction: Option<i64>,
) -> Result<(), DbError> {
    let stored = answers
        .iter()
        .map(|(q, a)| format!("{q}={a}"))
        .collect::<Vec<_>>()
        .join(",");
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM training_answers WHERE person_id = $1 AND stage = $2")
        .bind(person_id)
        .bind(stage)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO training_answers (person_id, stage, answers, score, total, satisfaction, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(person_id)
    .bind(stage)
    .bind(stored)
    .bind(score(answers))
    .bind(QUESTIONS.len() as i64)
    .bind(satisfaction)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The event a registrant belongs to.
pub async fn event_of(db: &Db, person_id: i64) -> Result<Option<i64>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT event_id FROM training_people WHERE id = $1")
            .bind(person_id)
            .fetch_optional(&db.pool)
            .await?,
    )
}

/// One registrant's score at one stage.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub person_id: i64,
    pub stage: String,
    pub score: i64,
    pub total: i64,
    pub satisfaction: Option<i64>,
}

pub async fn sheets(db: &Db, event_id: i64) -> Result<Vec<Sheet>, DbError> {
    let rows = sqlx::query(
        "SELECT a.person_id, a.stage, a.score, a.total, a.satisfaction
         FROM training_answers a JOIN training_people p ON p.id = a.person_id
         WHERE p.event_id = $1",
    )
    .bind(event_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Sheet {
                person_id: r.try_get(0)?,
                stage: r.try_get(1)?,
                score: r.try_get(2)?,
                total: r.try_get(3)?,
                satisfaction: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// An event's evaluation: average scores in percent per stage, knowledge gain (post minus
/// pre, in points, over the people who took both), average satisfaction out of 5.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    pub pre: Option<i64>,
    pub post: Option<i64>,
    pub follow_up: Option<i64>,
    pub gain: Option<i64>,
    pub satisfaction: Option<f64>,
}

fn percent(s: &Sheet) -> f64 {
    if s.total == 0 {
        0.0
    } else {
        s.score as f64 * 100.0 / s.total as f64
    }
}

fn average(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub fn evaluate(sheets: &[Sheet]) -> Evaluation {
    let at = |stage: &str| -> Vec<&Sheet> { sheets.iter().filter(|s| s.stage == stage).collect() };
    let avg = |stage: &str| average(&at(stage).iter().map(|s| percent(s)).collect::<Vec<_>>());
    let gains: Vec<f64> = at("post")
        .iter()
        .filter_map(|post| {
            at("pre")
                .iter()
                .find(|pre| pre.person_id == post.person_id)
                .map(|pre| percent(post) - percent(pre))
        })
        .collect();
    let sat: Vec<f64> = sheets
        .iter()
        .filter_map(|s| s.satisfaction)
        .map(|v| v as f64)
        .collect();
    Evaluation {
        pre: avg("pre").map(|v| v.round() as i64),
        post: avg("post").map(|v| v.round() as i64),
        follow_up: avg("follow_up").map(|v| v.round() as i64),
        gain: average(&gains).map(|v| v.round() as i64),
        satisfaction: average(&sat).map(|v| (v * 10.0).round() / 10.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(person_id: i64, stage: &str, score: i64, satisfaction: Option<i64>) -> Sheet {
        Sheet {
            person_id,
            stage: stage.into(),
            score,
            total: 8,
            satisfaction,
        }
    }

    #[test]
    fn scores_count_right_answers_only() {
        let all_right: Vec<(u8, String)> =
            QUESTIONS.iter().map(|(n, a)| (*n, a.to_string())).collect();
        assert_eq!(score(&all_right), 8);
        assert_eq!(
            score(&[(1, "b".into()), (2, "a".into()), (9, "a".into())]),
            1
        );
        assert_eq!(score(&[]), 0);
    }

    #[test]
    fn knowledge_gain_compares_the_same_people() {
        let e = evaluate(&[
            sheet(1, "pre", 2, None),
            sheet(1, "post", 6, Some(5)),
            sheet(2, "pre", 4, None),
            sheet(2, "post", 8, Some(4)),
            // Took only the post-test: in the post average, not in the gain.
            sheet(3, "post", 0, None),
        ]);
        assert_eq!(e.pre, Some(38)); // (25 + 50) / 2 = 37.5
        assert_eq!(e.post, Some(58)); // (75 + 100 + 0) / 3
        assert_eq!(e.gain, Some(50));
        assert_eq!(e.follow_up, None);
        assert_eq!(e.satisfaction, Some(4.5));
        assert_eq!(evaluate(&[]), Evaluation::default());
    }
}
