//! The launch plan: every checklist item of every playbook the deployment serves (bundled,
//! adapted or its own), with the owner, due date, status and notes the team gives it, grouped
//! by launch phase, and a readiness score per phase and overall.

use std::collections::HashMap;

use sqlx::Row;

use super::catalog::{Catalog, PHASES};
use crate::audit::{self, Actor, Event};
use crate::db::{now, Db, DbError};

/// Item statuses (labels `launch.status.<code>`).
pub const STATUSES: &[&str] = &["open", "in_progress", "done", "not_applicable"];

/// What the team recorded about one checklist item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub playbook: String,
    /// Position in the playbook's checklist, from 1.
    pub item: i64,
    pub status: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due_on: Option<String>,
    pub notes: String,
    /// The item's wording when saved, and the playbook language it was read in.
    pub item_text: String,
    pub item_locale: String,
}

pub async fn entries(db: &Db) -> Result<HashMap<(String, i64), Entry>, DbError> {
    let rows = sqlx::query(
        "SELECT playbook, item, status, owner, due_on, notes, item_text, item_locale
         FROM launch_items",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let e = Entry {
            playbook: r.try_get(0)?,
            item: r.try_get(1)?,
            status: r.try_get(2)?,
            owner: r.try_get(3)?,
            due_on: r.try_get(4)?,
            notes: r.try_get(5)?,
            item_text: r.try_get(6)?,
            item_locale: r.try_get(7)?,
        };
        out.insert((e.playbook.clone(), e.item), e);
    }
    Ok(out)
}

/// Records an item's status, owner, due date and notes (one row per item, replaced).
pub async fn save(db: &Db, actor: &Actor, e: &Entry) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO launch_items (playbook, item, status, owner, due_on, notes, updated_by,
           updated_at, item_text, item_locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (playbook, item) DO UPDATE SET status = excluded.status,
           owner = excluded.owner, due_on = excluded.due_on, notes = excluded.notes,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at,
           item_text = excluded.item_text, item_locale = excluded.item_locale",
    )
    .bind(&e.playbook)
    .bind(e.item)
    .bind(&e.status)
    .bind(&e.owner)
    .bind(&e.due_on)
    .bind(&e.notes)
    .bind(actor.user_id)
    .bind(now())
    .bind(&e.item_text)
    .bind(&e.item_locale)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("launch.item_update")
            .target("launch_item", format!("{}#{}", e.playbook, e.item))
            .detail(e.status.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One checklist item with what was recorded about it.
#[derive(Debug, Clone)]
pub struct Item {
    pub number: i64,
    pub text: String,
    pub status: String,
    pub owner: String,
    pub due_on: String,
    /// The due date as the reader's language writes it (set by the pages).
    pub due_shown: String,
    pub notes: String,
    pub overdue: bool,
    /// The item's wording changed since its status was saved (an adapted or upgraded
    /// playbook): the status may belong to another item now.
    pub changed: bool,
}

impl std::ops::AddAssign for Score {
    fn add_assign(&mut self, other: Score) {
        self.done += other.done;
        self.applicable += other.applicable;
    }
}

/// Done out of applicable (items marked not applicable do not count).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub done: usize,
    pub applicable: usize,
}

impl Score {
    pub fn percent(&self) -> usize {
        (self.done * 100)
            .checked_div(self.applicable)
            .unwrap_or(100)
    }

    /// Counts one item of `status`.
    fn add(&mut self, status: &str) {
        if status != "not_applicable" {
            self.applicable += 1;
            if status == "done" {
                self.done += 1;
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct PlanPlaybook {
    pub id: String,
    /// The language of the playbook version the items come from.
    pub locale: String,
    pub title: String,
    pub phase: String,
    pub items: Vec<Item>,
    pub score: Score,
    pub overdue: usize,
}

#[derive(Debug, Clone)]
pub struct PhaseScore {
    pub phase: String,
    pub score: Score,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub playbooks: Vec<PlanPlaybook>,
    /// Saved items that no playbook has any more (a shortened checklist, a removed playbook).
    pub orphans: Vec<Entry>,
    pub phases: Vec<PhaseScore>,
    pub overall: Score,
}

/// The plan in `locale` (the items' wording), with `today` (`YYYY-MM-DD`, the hotline's
/// time zone) deciding what is overdue.
pub fn build(
    catalog: &Catalog,
    locale: &str,
    entries: &HashMap<(String, i64), Entry>,
    today: &str,
) -> Plan {
    let mut phases: Vec<PhaseScore> = PHASES
        .iter()
        .map(|p| PhaseScore {
            phase: p.to_string(),
            score: Score::default(),
        })
        .collect();
    let mut overall = Score::default();
    let mut playbooks = Vec::new();
    // An item's wording in the language it was saved in.
    let wording = |id: &str, locale: &str, i: usize| -> Option<&String> {
        catalog
            .get(id, locale)
            .filter(|p| p.locale == locale)
            .and_then(|p| p.checklist().get(i))
    };
    for p in catalog.list(locale) {
        let checklist = p.checklist().to_vec();
        if checklist.is_empty() {
            continue;
        }
        let mut score = Score::default();
        let mut overdue = 0;
        let items: Vec<Item> = checklist
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                let number = i as i64 + 1;
                let e = entries.get(&(p.id.clone(), number));
                let status = e.map_or("open", |e| e.status.as_str()).to_string();
                let due_on = e.and_then(|e| e.due_on.clone()).unwrap_or_default();
                let is_overdue = !due_on.is_empty()
                    && due_on.as_str() < today
                    && matches!(status.as_str(), "open" | "in_progress");
                let changed = e.is_some_and(|e| {
                    !e.item_text.is_empty()
                        && if e.item_locale == p.locale {
                            e.item_text != text
                        } else {
                            wording(&p.id, &e.item_locale, i) != Some(&e.item_text)
                        }
                });
                score.add(&status);
                overdue += usize::from(is_overdue);
                Item {
                    number,
                    text,
                    owner: e.map(|e| e.owner.clone()).unwrap_or_default(),
                    notes: e.map(|e| e.notes.clone()).unwrap_or_default(),
                    status,
                    due_shown: due_on.clone(),
                    due_on,
                    overdue: is_overdue,
                    changed,
                }
            })
            .collect();
        if let Some(ph) = phases.iter_mut().find(|ph| ph.phase == p.phase) {
            ph.score += score;
        }
        overall += score;
        playbooks.push(PlanPlaybook {
            id: p.id.clone(),
            locale: p.locale.clone(),
            title: p.title.clone(),
            phase: p.phase.clone(),
            items,
            score,
            overdue,
        });
    }
    let mut orphans: Vec<Entry> = entries
        .values()
        .filter(|e| {
            !playbooks
                .iter()
                .any(|p| p.id == e.playbook && e.item >= 1 && e.item as usize <= p.items.len())
        })
        .cloned()
        .collect();
    orphans.sort_by(|a, b| (&a.playbook, a.item).cmp(&(&b.playbook, b.item)));
    Plan {
        playbooks,
        orphans,
        phases,
        overall,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_count_done_among_applicable_items() {
        let mut s = Score::default();
        for st in ["done", "open", "not_applicable", "in_progress", "done"] {
            s.add(st);
        }
        assert_eq!(
            s,
            Score {
                done: 2,
                applicable: 4
            }
        );
        assert_eq!(s.percent(), 50);
        assert_eq!(Score::default().percent(), 100);
    }

    #[test]
    fn builds_from_the_bundled_checklists() {
        let catalog = Catalog::load(None);
        let mut entries = HashMap::new();
        entries.insert(
            ("readiness-feasibility".to_string(), 1),
            Entry {
                playbook: "readiness-feasibility".into(),
                item: 1,
                status: "done".into(),
                ..Entry::default()
            },
        );
        entries.insert(
            ("readiness-feasibility".to_string(), 2),
            Entry {
                playbook: "readiness-feasibility".into(),
                item: 2,
                status: "open".into(),
                due_on: Some("2026-01-01".into()),
                ..Entry::default()
            },
        );
        let plan = build(&catalog, "en", &entries, "2026-06-01");
        assert_eq!(plan.playbooks.len(), 12);
        let r = &plan.playbooks[0];
        assert_eq!(r.id, "readiness-feasibility");
        assert_eq!(r.score.done, 1);
        assert_eq!(r.overdue, 1);
        assert!(r.items[1].overdue);
        assert_eq!(plan.phases[0].phase, "assessment");
        assert_eq!(plan.phases[0].score.done, 1);
        assert_eq!(plan.overall.done, 1);
    }
}
