//! The audit log: who did what, when, and what it changed. Written in the same transaction
//! as the change it records.

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
            "SELECT id, at, actor, action, subject_id, outcome, before, after, detail, terminal
             FROM audit_log
             WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR subject_id = ?2)
               AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at < ?4)
             ORDER BY id DESC LIMIT ?5",
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
    pub fn audit(&self, entry: &NewAuditEntry<'_>, now: DateTime<Utc>) -> Result<()> {
        let json = |value: &Option<Value>| value.as_ref().map(Value::to_string);
        self.connection.execute_cached(
            "INSERT INTO audit_log (at, actor, action, subject_id, outcome, before, after, detail,
                 terminal)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                time::to_text(now),
                entry.actor,
                entry.action,
                entry.subject_id,
                entry.outcome.as_str(),
                json(&entry.before),
                json(&entry.after),
                entry.detail,
                entry.terminal
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
    })
}
