//! The audit log: who did what, when, and what it changed. Written in the same transaction
//! as the change it records.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::time;
use crate::{CachedStatements, Reader, Writer};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Ok,
    Refused,
}

impl AuditOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Refused => "refused",
        }
    }
}

/// An entry to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject_id: Option<String>,
    pub outcome: AuditOutcome,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub detail: Option<String>,
    /// The terminal the change was made at, when it came from one.
    pub terminal: Option<&'a str>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// A JSON number: ids stay far below 2^53.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject_id: Option<String>,
    pub outcome: AuditOutcome,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub detail: Option<String>,
    pub terminal: Option<String>,
    /// The change the entry is part of: entries written by one use case share it. `None` for
    /// entries older than changes.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub change_id: Option<i64>,
    /// What the change was asked to do (`stay.check_in`), which its entries' own actions
    /// (`access_grant.create`) are parts of.
    pub change_action: Option<String>,
}

/// The change a write records: named by the use case before it writes, numbered at its
/// first entry.
#[derive(Debug, Default)]
pub(crate) struct Change {
    state: RefCell<ChangeState>,
}

#[derive(Debug, Default)]
struct ChangeState {
    action: Option<String>,
    id: Option<i64>,
}

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub subject_id: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

impl Reader<'_> {
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT entry.id, at, actor, entry.action, subject_id, outcome, before, after, detail,
                 terminal, change_id, change.action
             FROM audit_log AS entry LEFT JOIN audit_changes AS change ON change.id = change_id
             WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR subject_id = ?2)
               AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)
             ORDER BY entry.id DESC LIMIT ?5",
        )?;
        let mut rows = statement.query(params![
            filter.actor,
            filter.subject_id,
            filter.since.map(time::to_text),
            filter.until.map(time::to_text),
            filter.limit.map_or(-1, i64::from),
        ])?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next()? {
            entries.push(audit_row(row)?);
        }
        Ok(entries)
    }

    /// The newest entry's id (0 for none): every change writes an entry, so this grows with
    /// each change, whoever made it.
    pub fn audit_last_id(&self) -> Result<i64> {
        Ok(self.connection.query_row_cached(
            "SELECT COALESCE(MAX(id), 0) FROM audit_log",
            [],
            |row| row.get(0),
        )?)
    }

    pub fn audit_count(&self) -> Result<i64> {
        Ok(self
            .connection
            .query_row_cached("SELECT COUNT(*) FROM audit_log", [], |row| row.get(0))?)
    }
}

impl Writer<'_> {
    /// Names the change this write makes (`stay.check_in`), before any of its entries. A
    /// write that names none is a change named by its first entry's action.
    pub fn begin_change(&self, action: &str) {
        let mut change = self.change.state.borrow_mut();
        if change.id.is_none() {
            change.action = Some(action.to_owned());
        }
    }

    /// The change's number, recorded at its first entry.
    fn change_id(&self, first_action: &str) -> Result<i64> {
        let mut change = self.change.state.borrow_mut();
        if let Some(id) = change.id {
            return Ok(id);
        }
        let action = change.action.as_deref().unwrap_or(first_action);
        self.connection
            .execute_cached("INSERT INTO audit_changes (action) VALUES (?1)", [action])?;
        let id = self.connection.last_insert_rowid();
        change.id = Some(id);
        Ok(id)
    }

    pub fn audit(&self, entry: &NewAuditEntry<'_>, now: DateTime<Utc>) -> Result<()> {
        let json = |value: &Option<Value>| value.as_ref().map(Value::to_string);
        let change_id = self.change_id(entry.action)?;
        self.connection.execute_cached(
            "INSERT INTO audit_log (at, actor, action, subject_id, outcome, before, after, detail,
                 terminal, change_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                time::to_text(now),
                entry.actor,
                entry.action,
                entry.subject_id,
                entry.outcome.as_str(),
                json(&entry.before),
                json(&entry.after),
                entry.detail,
                entry.terminal,
                change_id
            ],
        )?;
        Ok(())
    }
}

fn audit_row(row: &Row<'_>) -> Result<AuditEntry> {
    let json = |index| -> Result<Option<Value>> {
        row.get::<_, Option<String>>(index)?
            .map(|text| serde_json::from_str(&text).map_err(Error::corrupt))
            .transpose()
    };
    let outcome: String = row.get(5)?;
    Ok(AuditEntry {
        id: row.get(0)?,
        at: time::column(row, 1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        subject_id: row.get(4)?,
        outcome: match outcome.as_str() {
            "ok" => AuditOutcome::Ok,
            "refused" => AuditOutcome::Refused,
            other => return Err(Error::corrupt(format!("audit outcome {other:?}"))),
        },
        before: json(6)?,
        after: json(7)?,
        detail: row.get(8)?,
        terminal: row.get(9)?,
        change_id: row.get(10)?,
        change_action: row.get(11)?,
    })
}
