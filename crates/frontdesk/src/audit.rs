//! The audit log as a manager reads it: newest first, by operator, by room, by dates.

use chrono::{DateTime, Utc};
use engine::model::SpaceId;
use serde::{Deserialize, Serialize};

use crate::operators::{Operator, Permission};
use crate::{FrontDesk, Result};

/// One audit entry as a manager reads it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditView {
    /// A JSON number: ids stay far below 2^53.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `operator:<name>`, `api`, or the desk's own work.
    pub actor: String,
    pub action: String,
    pub subject_id: Option<String>,
    pub outcome: store::AuditOutcome,
    /// The records as they were before the change, and after it.
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// Why a refused change was refused.
    pub detail: Option<String>,
    /// The terminal the change was made at, when it came from one.
    pub terminal: Option<String>,
}

impl From<store::AuditEntry> for AuditView {
    fn from(entry: store::AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            actor: entry.actor,
            action: entry.action,
            subject_id: entry.subject_id,
            outcome: entry.outcome,
            before: entry.before,
            after: entry.after,
            detail: entry.detail,
            terminal: entry.terminal,
        }
    }
}

/// How many audit entries a page shows by default.
pub const AUDIT_PAGE: u32 = 200;

/// What a manager filters the audit log by.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// An operator's name (or any actor as the log shows it, e.g. `api`).
    pub actor: Option<String>,
    pub room_space_id: Option<SpaceId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

impl FrontDesk {
    /// The audit log for a manager: newest first, by operator, by room, by dates.
    pub fn audit_entries(&self, operator: &Operator, query: &AuditQuery) -> Result<Vec<AuditView>> {
        operator.require(Permission::Manage)?;
        let limit = query.limit.unwrap_or(AUDIT_PAGE).min(AUDIT_PAGE * 10);
        let filter = store::AuditFilter {
            actor: query.actor.as_ref().map(|actor| {
                if actor.contains(':') {
                    actor.clone()
                } else {
                    format!("operator:{actor}")
                }
            }),
            subject_id: None,
            since: query.since,
            until: query.until,
            // A room is found in the entries' records, after the query: then it reads them all.
            limit: query.room_space_id.is_none().then_some(limit),
        };
        let limit = limit as usize;
        self.store.read(|r| {
            let entries = r.audit_log(&filter)?;
            let Some(room) = query.room_space_id else {
                return Ok(entries
                    .into_iter()
                    .take(limit)
                    .map(AuditView::from)
                    .collect());
            };
            // A change is about a room when the records it wrote name the room.
            let room = room.to_string();
            let mentions = |value: &Option<serde_json::Value>| {
                value
                    .as_ref()
                    .is_some_and(|value| value.to_string().contains(&room))
            };
            Ok(entries
                .into_iter()
                .filter(|entry| mentions(&entry.before) || mentions(&entry.after))
                .take(limit)
                .map(AuditView::from)
                .collect())
        })
    }
}
