//! Program goals: a target per metric and year, set by the deployment; progress is computed
//! from the records themselves, never typed in.

use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::db::{now, Db, DbError};

/// The metrics, with the default yearly targets of the program this kit models.
pub const METRICS: &[(&str, i64)] = &[
    ("calls", 6_500),
    ("people_trained", 12_000),
    ("domestic_organizations", 100),
    ("international_organizations", 20),
    ("materials", 1_800),
    ("consultations", 16),
    ("emergency_responses", 30),
    ("roundtables", 5),
    ("case_management_growth", 25),
];

/// One metric's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub metric: &'static str,
    pub target: i64,
    pub actual: i64,
}

impl Progress {
    /// Percent of the target reached (0 when the target is 0).
    pub fn percent(&self) -> i64 {
        if self.target <= 0 {
            0
        } else {
            self.actual * 100 / self.target
        }
    }
}

/// Unix seconds of the start of `year` and of the next year, in the hotline's time zone.
pub fn year_bounds(year: i32, timezone: &str) -> (i64, i64) {
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let start = |y: i32| {
        jiff::civil::date(y as i16, 1, 1)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or(0)
    };
    (start(year), start(year + 1))
}

/// The current year in the hotline's time zone.
pub fn current_year(timezone: &str) -> i32 {
    let tz = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    i32::from(jiff::Timestamp::now().to_zoned(tz).year())
}

pub async fn targets(db: &Db, year: i32) -> Result<Vec<(&'static str, i64)>, DbError> {
    let rows = sqlx::query("SELECT metric, target FROM program_goals WHERE year = $1")
        .bind(i64::from(year))
        .fetch_all(&db.pool)
        .await?;
    let mut saved = std::collections::HashMap::new();
    for r in rows {
        let m: String = r.try_get(0)?;
        let t: i64 = r.try_get(1)?;
        saved.insert(m, t);
    }
    Ok(METRICS
        .iter()
        .map(|(m, default)| (*m, saved.get(*m).copied().unwrap_or(*default)))
        .collect())
}

pub async fn set_targets(
    db: &Db,
    actor: &Actor,
    year: i32,
    values: &[(&str, i64)],
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    for (metric, target) in values {
        sqlx::query(
            "INSERT INTO program_goals (year, metric, target, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (year, metric) DO UPDATE SET target = excluded.target,
                updated_at = excluded.updated_at",
        )
        .bind(i64::from(year))
        .bind(*metric)
        .bind(*target)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        actor,
        Event::new("goals.set").detail(format!("{year}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn scalar(db: &Db, sql: &str, binds: &[i64]) -> Result<i64, DbError> {
    let mut q = sqlx::query_scalar::<_, i64>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.fetch_one(&db.pool).await?)
}

/// Organisations reached in `[from, to)`: added then, or met through a consultation or a
/// distribution of materials then; domestic ones are in `country`.
async fn organizations_reached(
    db: &Db,
    from: i64,
    to: i64,
    country: &str,
    domestic: bool,
) -> Result<i64, DbError> {
    let op = if domestic { "=" } else { "<>" };
    let sql = format!(
        "SELECT COUNT(*) FROM reached_organizations o WHERE o.country {op} $3 AND (
            (o.created_at >= $1 AND o.created_at < $2)
            OR EXISTS (SELECT 1 FROM consultations c WHERE c.organization_id = o.id
                       AND c.held_at >= $1 AND c.held_at < $2)
            OR EXISTS (SELECT 1 FROM material_distributions d WHERE d.organization_id = o.id
                       AND d.distributed_at >= $1 AND d.distributed_at < $2))"
    );
    Ok(sqlx::query_scalar::<_, i64>(&sql)
        .bind(from)
        .bind(to)
        .bind(country)
        .fetch_one(&db.pool)
        .await?)
}

/// Cases that received case management in `[from, to)`.
async fn cases_with_case_management(db: &Db, from: i64, to: i64) -> Result<i64, DbError> {
    scalar(
        db,
        "SELECT COUNT(DISTINCT case_id) FROM case_services
         WHERE service_type = 'case_management' AND delivered_on >= $1 AND delivered_on < $2",
        &[from, to],
    )
    .await
}

/// Progress of every metric in `year`.
pub async fn progress(
    db: &Db,
    year: i32,
    timezone: &str,
    country: &str,
) -> Result<Vec<Progress>, DbError> {
    let (from, to) = year_bounds(year, timezone);
    let (prev_from, _) = year_bounds(year - 1, timezone);
    let mut out = Vec::new();
    for (metric, target) in targets(db, year).await? {
        let actual = match metric {
            // Non-substantive calls (hang-ups, wrong numbers…) are left out of statistics.
            "calls" => scalar(
                db,
                "SELECT COUNT(*) FROM contacts WHERE channel = 'phone'
                   AND (contact_type IS NULL OR contact_type <> 'non_substantive')
                   AND started_at >= $1 AND started_at < $2",
                &[from, to],
            )
            .await?,
            "roundtables" => super::roundtables::held(db, from, to).await?,
            "people_trained" => super::training::people_trained(db, from, to).await?,
            "domestic_organizations" => organizations_reached(db, from, to, country, true).await?,
            "international_organizations" => organizations_reached(db, from, to, country, false).await?,
            "materials" => scalar(
                db,
                "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM material_distributions
                 WHERE distributed_at >= $1 AND distributed_at < $2",
                &[from, to],
            )
            .await?,
            "consultations" => scalar(
                db,
                "SELECT COUNT(*) FROM consultations WHERE held_at >= $1 AND held_at < $2",
                &[from, to],
            )
            .await?,
            "emergency_responses" => scalar(
                db,
                "SELECT COUNT(*) FROM emergency_responses WHERE happened_at >= $1 AND happened_at < $2",
                &[from, to],
            )
            .await?,
            // Growth (%) in the number of cases receiving case management, against last year.
            "case_management_growth" => {
                let this = cases_with_case_management(db, from, to).await?;
                let last = cases_with_case_management(db, prev_from, from).await?;
                if last == 0 {
                    if this > 0 { 100 } else { 0 }
                } else {
                    (this - last) * 100 / last
                }
            }
            _ => 0,
        };
        out.push(Progress {
            metric,
            target,
            actual,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_follow_the_time_zone() {
        let (a, b) = year_bounds(2026, "Asia/Tokyo");
        assert_eq!(b - a, 365 * 86_400);
        // Midnight in Tokyo is 15:00 UTC the day before.
        assert_eq!(a % 86_400, 15 * 3600);
        let p = Progress {
            metric: "calls",
            target: 200,
            actual: 50,
        };
        assert_eq!(p.percent(), 25);
        assert_eq!(
            Progress {
                metric: "x",
                target: 0,
                actual: 5
            }
            .percent(),
            0
        );
    }
}
