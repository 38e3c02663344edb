//! Operational settings that admins edit in the app (stored in the database so every server
//! process sees the same): the public numbers, operating hours, regions, "how they heard of
//! us", telephony, and the on-call roster.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::auth::Role;
use crate::db::{now, Db, DbError};

const KEY: &str = "operations";

/// A choice added by the local admin: a code stored in records and the label staff see,
/// with the label in other languages where the admin gave one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Choice {
    pub code: String,
    pub label: String,
    /// `(language, label)`, e.g. `("ja", "北部地区")`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<(String, String)>,
}

impl Choice {
    /// The label in `locale`: its own translation, else that of its language without the
    /// region (`pt` for `pt-BR`), else the label as first written.
    pub fn label_in(&self, locale: &str) -> &str {
        crate::i18n::lineage(locale)
            .find_map(|tag| self.translations.iter().find(|(l, _)| l == tag))
            .map_or(self.label.as_str(), |(_, label)| label.as_str())
    }
}

/// When the hotline answers calls. Outside these hours callers reach voicemail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Hours {
    pub always_open: bool,
    /// Open intervals per weekday (0 = Monday), minutes since midnight in the deployment's
    /// time zone; `end` may be 1440 (midnight).
    #[serde(default)]
    pub weekly: Vec<Interval>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Interval {
    pub weekday: u8,
    pub start: u16,
    pub end: u16,
}

impl Default for Hours {
    fn default() -> Self {
        Hours {
            always_open: true,
            weekly: Vec::new(),
        }
    }
}

impl Hours {
    /// Open at `weekday` (0 = Monday) and `minute` since local midnight?
    pub fn is_open(&self, weekday: u8, minute: u16) -> bool {
        self.always_open
            || self
                .weekly
                .iter()
                .any(|i| i.weekday == weekday && i.start <= minute && minute < i.end)
    }
}

/// Where SMS replies are sent (any provider that speaks Twilio's REST API).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Telephony {
    /// e.g. `https://api.twilio.com`
    pub api_base_url: String,
    pub account_sid: String,
    /// Seconds to ring each advocate before trying the next.
    pub ring_seconds: u16,
}

impl Default for Telephony {
    fn default() -> Self {
        Telephony {
            api_base_url: "https://api.twilio.com".into(),
            account_sid: String::new(),
            ring_seconds: 20,
        }
    }
}

/// Everything under the admin's "Settings" page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Operations {
    #[serde(default)]
    pub phone_number: String,
    #[serde(default)]
    pub sms_number: String,
    /// Dialled by the static fallback when the hotline app cannot answer.
    #[serde(default)]
    pub backup_number: String,
    #[serde(default)]
    pub hours: Hours,
    /// Regions added to (or, for countries without a bundled list, making up) the list.
    #[serde(default)]
    pub regions: Vec<Choice>,
    /// Extra answers to "how did you hear of the hotline?".
    #[serde(default)]
    pub heard_about: Vec<Choice>,
    #[serde(default)]
    pub telephony: Telephony,
    /// The case workflow: which statuses may follow each status (empty: the default).
    #[serde(default)]
    pub case_transitions: Vec<(String, Vec<String>)>,
    /// Venues the country adds to the typology.
    #[serde(default)]
    pub venues: Vec<Choice>,
    /// Reporting rules: situation → duty (`child_protection`, `police`, …, or
    /// `consent_only`). Empty: the default rules.
    #[serde(default)]
    pub reporting_duties: Vec<(String, String)>,
}

impl Operations {
    /// The reporting rules in force.
    pub fn duties(&self) -> Vec<(String, String)> {
        if self.reporting_duties.is_empty() {
            crate::cases::vocab::DEFAULT_DUTIES
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        } else {
            self.reporting_duties.clone()
        }
    }

    /// The statuses a case may move to from `from`.
    pub fn next_statuses(&self, from: &str) -> Vec<String> {
        if self.case_transitions.is_empty() {
            crate::cases::vocab::DEFAULT_TRANSITIONS
                .iter()
                .find(|(f, _)| *f == from)
                .map(|(_, to)| to.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        } else {
            self.case_transitions
                .iter()
                .find(|(f, _)| f == from)
                .map(|(_, to)| to.clone())
                .unwrap_or_default()
        }
    }
}

/// Reads the settings (defaults when none were saved).
pub async fn load(db: &Db) -> Result<Operations, DbError> {
    Ok(load_exact(db).await?.unwrap_or_else(|| {
        tracing::error!("the saved settings cannot be read; using defaults");
        Operations::default()
    }))
}

/// The settings as saved (defaults when none were saved), or `None` when the saved ones
/// cannot be read: for work that must not act on defaults standing in for them.
pub async fn load_exact(db: &Db) -> Result<Option<Operations>, DbError> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(KEY)
        .fetch_optional(&db.pool)
        .await?;
    Ok(match value {
        None => Some(Operations::default()),
        Some(v) => serde_json::from_str(&v).ok(),
    })
}

/// Saves the settings and records the change.
pub async fn save(db: &Db, actor: &Actor, ops: &Operations) -> Result<(), DbError> {
    let json =
        serde_json::to_string(ops).map_err(|e| DbError::Sqlx(sqlx::Error::Encode(e.into())))?;
    let mut tx = db.begin().await?;
    // Same SQL on both backends: SQLite and PostgreSQL both accept this upsert.
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(KEY)
    .bind(json)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, actor, Event::new("settings.update")).await?;
    tx.commit().await?;
    Ok(())
}

/// Region codes bundled for a country (their names are locale keys `region.<CC>.<code>`).
pub fn bundled_regions(country: &str) -> Vec<String> {
    match country {
        "US" => "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT \
                 NE NV NH NJ NM NY NC ND OH OK OR PA PR RI SC SD TN TX UT VT VA WA WV WI WY"
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        "JP" => (1..=47).map(|n| format!("{n:02}")).collect(),
        _ => Vec::new(),
    }
}

/// The bundled answers to "how did you hear of the hotline?" (locale keys `heard_about.<code>`).
pub const HEARD_ABOUT: &[&str] = &[
    "search_engine",
    "social_media",
    "tv_radio",
    "poster_flyer",
    "news",
    "friend_family",
    "service_provider",
    "law_enforcement",
    "training",
    "other",
];

/// One shift of the on-call roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub role: Role,
    pub weekday: u8,
    pub start: u16,
    pub end: u16,
    pub duty_phone: String,
}

pub async fn shifts(db: &Db) -> Result<Vec<Shift>, DbError> {
    let rows = sqlx::query(
        "SELECT r.id, r.user_id, u.display_name, u.role, r.weekday, r.start_minute, r.end_minute,
                COALESCE(r.duty_phone, '')
         FROM roster r JOIN users u ON u.id = r.user_id
         WHERE u.active = 1
         ORDER BY r.weekday, r.start_minute, u.display_name",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get(3)?;
            Ok(Shift {
                id: r.try_get(0)?,
                user_id: r.try_get(1)?,
                user_name: r.try_get(2)?,
                role: Role::parse(&role).unwrap_or(Role::Advocate),
                weekday: u8::try_from(r.try_get::<i64, _>(4)?).unwrap_or(0),
                start: u16::try_from(r.try_get::<i64, _>(5)?).unwrap_or(0),
                end: u16::try_from(r.try_get::<i64, _>(6)?).unwrap_or(0),
                duty_phone: r.try_get(7)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// The shifts covering `weekday` and `minute`.
pub async fn on_duty(db: &Db, weekday: u8, minute: u16) -> Result<Vec<Shift>, DbError> {
    Ok(shifts(db)
        .await?
        .into_iter()
        .filter(|s| s.weekday == weekday && s.start <= minute && minute < s.end)
        .collect())
}

pub async fn add_shift(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    weekday: u8,
    start: u16,
    end: u16,
    duty_phone: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO roster (user_id, weekday, start_minute, end_minute, duty_phone)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(i64::from(weekday))
    .bind(i64::from(start))
    .bind(i64::from(end))
    .bind((!duty_phone.trim().is_empty()).then(|| duty_phone.trim().to_string()))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("roster.add")
            .target("shift", id)
            .detail(format!("user={user_id} weekday={weekday} {start}-{end}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_shift(db: &Db, actor: &Actor, id: i64) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM roster WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            actor,
            Event::new("roster.remove").target("shift", id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

/// `HH:MM` → minutes since midnight (`24:00` allowed as the end of a day).
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Minutes since midnight → `HH:MM`.
pub fn format_hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The local weekday (0 = Monday) and minute of `unix` in the time zone `tz`.
pub fn local_weekday_minute(unix: i64, tz: &str) -> (u8, u16) {
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    match jiff::Timestamp::from_second(unix) {
        Ok(t) => {
            let z = t.to_zoned(zone);
            let weekday = z.weekday().to_monday_zero_offset() as u8;
            let minute = (z.hour() as u16) * 60 + z.minute() as u16;
            (weekday, minute)
        }
        Err(_) => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_times() {
        let h = Hours {
            always_open: false,
            weekly: vec![Interval {
                weekday: 0,
                start: 9 * 60,
                end: 17 * 60,
            }],
        };
        assert!(h.is_open(0, 9 * 60));
        assert!(!h.is_open(0, 17 * 60));
        assert!(!h.is_open(1, 10 * 60));
        assert!(Hours::default().is_open(6, 3));
        assert_eq!(parse_hhmm("09:30"), Some(570));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("9h"), None);
        assert_eq!(format_hhmm(570), "09:30");
        assert_eq!(bundled_regions("US").len(), 52);
        assert_eq!(bundled_regions("JP").len(), 47);
        // 2026-11-30 is a Monday; 10:00 in Tokyo is 01:00 UTC.
        let monday_10_tokyo = "2026-11-30T01:00:00Z".parse::<jiff::Timestamp>().unwrap();
        assert_eq!(
            local_weekday_minute(monday_10_tokyo.as_second(), "Asia/Tokyo"),
            (0, 600)
        );
    }
}
