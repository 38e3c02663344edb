//! Crisis alerts: when a contact is marked as a crisis, every supervisor on duty (every active
//! supervisor when the roster names none) gets an alert row, and their open screens show it
//! at once through a server-sent event stream. The rows record who was alerted, when, and
//! when they saw it. The stream reads the database, so it works with several server processes.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::Path;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use sqlx::Row;

use super::store;
use crate::audit::{self, Actor, Event};
use crate::auth::{Permission, Role};
use crate::db::{now, Db, DbError};
use crate::error::AppError;
use crate::settings;
use crate::web::Ctx;

/// Alerts the supervisors on duty about contact `id`; returns how many were alerted.
pub async fn raise(db: &Db, actor: &Actor, id: i64, timezone: &str) -> Result<usize, DbError> {
    let (weekday, minute) = settings::local_weekday_minute(now(), timezone);
    let mut supervisors: Vec<i64> = settings::on_duty(db, weekday, minute)
        .await?
        .into_iter()
        .filter(|s| s.role == Role::Supervisor)
        .map(|s| s.user_id)
        .collect();
    if supervisors.is_empty() {
        // Nobody rostered: an alert must still reach someone.
        supervisors = sqlx::query_scalar(
            "SELECT id FROM users WHERE role = 'supervisor' AND active = 1 ORDER BY id",
        )
        .fetch_all(&db.pool)
        .await?;
    }
    supervisors.sort_unstable();
    supervisors.dedup();
    let t = now();
    let mut tx = db.begin().await?;
    for user_id in &supervisors {
        sqlx::query(
            "INSERT INTO crisis_alerts (contact_id, user_id, raised_by, alerted_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(user_id)
        .bind(actor.user_id)
        .bind(t)
        .execute(&mut *tx)
        .await?;
    }
    if !supervisors.is_empty() {
        store::mark_alerted(&mut tx, id).await?;
    }
    audit::record(
        &mut tx,
        actor,
        Event::new("contact.crisis_alert")
            .target("contact", id)
            .detail(format!(
                "supervisors={}",
                supervisors
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(supervisors.len())
}

/// An alert as a supervisor sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pending {
    pub id: i64,
    pub contact_id: i64,
    pub reference: String,
    pub raised_by: String,
    pub alerted_at: i64,
}

/// Unseen alerts of `user_id` with an id above `after`.
pub async fn pending(db: &Db, user_id: i64, after: i64) -> Result<Vec<Pending>, DbError> {
    let rows = sqlx::query(
        "SELECT a.id, a.contact_id, c.reference, COALESCE(u.display_name, ''), a.alerted_at
         FROM crisis_alerts a
         JOIN contacts c ON c.id = a.contact_id
         LEFT JOIN users u ON u.id = a.raised_by
         WHERE a.user_id = $1 AND a.seen_at IS NULL AND a.id > $2
         ORDER BY a.id",
    )
    .bind(user_id)
    .bind(after)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Pending {
                id: r.try_get(0)?,
                contact_id: r.try_get(1)?,
                reference: r.try_get(2)?,
                raised_by: r.try_get(3)?,
                alerted_at: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}

/// `GET /alerts/stream`: the live notices of the logged-in supervisor.
pub async fn stream(
    ctx: Ctx,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    let user = ctx.require(Permission::ReceiveCrisisAlerts)?.clone();
    let db = ctx.state.db.clone();
    let locale = ctx.locale.clone();
    let events = stream::unfold((db, 0i64, true), move |(db, last, first)| {
        let user_id = user.id;
        let locale = locale.clone();
        async move {
            if !first {
                tokio::time::sleep(Duration::from_secs(2)).await;
                // An account disabled (or demoted) meanwhile stops receiving at once.
                let still = crate::auth::users::get(&db, user_id).await.ok().flatten();
                if !still.is_some_and(|u| {
                    u.active && crate::auth::allows(u.role, Permission::ReceiveCrisisAlerts)
                }) {
                    return None;
                }
            }
            let found = pending(&db, user_id, last).await.unwrap_or_default();
            let next = found.last().map_or(last, |p| p.id);
            let events: Vec<Result<SseEvent, Infallible>> = found
                .into_iter()
                .map(|p| {
                    let text = crate::i18n::tr_with(
                        &locale,
                        "crisis.notice",
                        &[("reference", &p.reference), ("advocate", &p.raised_by)],
                    );
                    let data = serde_json::json!({
                        "id": p.id,
                        "url": format!("/contacts/{}", p.contact_id),
                        "reference": p.reference,
                        "text": text,
                    });
                    Ok(SseEvent::default().event("crisis").data(data.to_string()))
                })
                .collect();
            Some((stream::iter(events), (db, next, false)))
        }
    });
    use futures_util::StreamExt;
    Ok(Sse::new(events.flatten()).keep_alive(KeepAlive::default()))
}

/// `POST /alerts/{id}/seen`: the supervisor acknowledges an alert.
pub async fn seen(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let user = ctx.require(Permission::ReceiveCrisisAlerts)?;
    let n = sqlx::query(
        "UPDATE crisis_alerts SET seen_at = $1 WHERE id = $2 AND user_id = $3 AND seen_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .bind(user.id)
    .execute(&ctx.state.db.pool)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record_now(
        &ctx.state.db,
        &ctx.actor(),
        Event::new("contact.crisis_alert_seen").target("crisis_alert", id),
    )
    .await?;
    Ok(axum::response::Redirect::to("/staff").into_response())
}

/// Who was alerted about a contact and when (for its page).
pub async fn for_contact(
    db: &Db,
    contact_id: i64,
) -> Result<Vec<(String, i64, Option<i64>)>, DbError> {
    let rows = sqlx::query(
        "SELECT u.display_name, a.alerted_at, a.seen_at FROM crisis_alerts a
         JOIN users u ON u.id = a.user_id WHERE a.contact_id = $1 ORDER BY a.id",
    )
    .bind(contact_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}
