//! The property's terminals, their one-time pairing secrets and the operators signed in at
//! them. Secrets, credentials and session tokens are kept only as their SHA-256.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use uuid::Uuid;

use crate::catalog::uuid_column;
use crate::error::{Error, Result};
use crate::time;
use crate::{CachedStatements, Reader, Writer};

/// A paired terminal. Its credential's hash never leaves the store's callers' use cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalRecord {
    pub id: Uuid,
    pub name: String,
    #[serde(skip)]
    pub credential_hash: String,
    pub paired_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A one-time pairing secret, by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalPairingRecord {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// An operator's session at a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalSessionRecord {
    pub operator_id: Uuid,
    pub terminal_id: Uuid,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

const TERMINAL_COLUMNS: &str = "id, name, credential_hash, paired_at, revoked_at, last_seen_at";

impl Reader<'_> {
    /// Every terminal ever paired, revoked ones included, by name.
    pub fn terminals(&self) -> Result<Vec<TerminalRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {TERMINAL_COLUMNS} FROM terminals ORDER BY revoked_at IS NOT NULL, name, paired_at"
        ))?;
        let mut rows = statement.query([])?;
        let mut terminals = Vec::new();
        while let Some(row) = rows.next()? {
            terminals.push(terminal_row(row)?);
        }
        Ok(terminals)
    }

    pub fn terminal(&self, id: Uuid) -> Result<Option<TerminalRecord>> {
        self.connection
            .query_row_cached(
                &format!("SELECT {TERMINAL_COLUMNS} FROM terminals WHERE id = ?1"),
                [id.to_string()],
                |row| Ok(terminal_row(row)),
            )
            .optional()?
            .transpose()
    }

    /// The paired (not revoked) terminal with this name, if any.
    pub fn live_terminal_named(&self, name: &str) -> Result<Option<TerminalRecord>> {
        self.connection
            .query_row_cached(
                &format!(
                    "SELECT {TERMINAL_COLUMNS} FROM terminals
                     WHERE name = ?1 AND revoked_at IS NULL"
                ),
                [name],
                |row| Ok(terminal_row(row)),
            )
            .optional()?
            .transpose()
    }

    pub fn terminal_pairing(&self, secret_hash: &str) -> Result<Option<TerminalPairingRecord>> {
        self.connection
            .query_row_cached(
                "SELECT id, name, created_at, expires_at, used_at FROM terminal_pairings
                 WHERE secret_hash = ?1",
                [secret_hash],
                |row| Ok(pairing_row(row)),
            )
            .optional()?
            .transpose()
    }

    pub fn terminal_session(&self, token_hash: &str) -> Result<Option<TerminalSessionRecord>> {
        self.connection
            .query_row_cached(
                "SELECT operator_id, terminal_id, started_at, ended_at FROM terminal_sessions
                 WHERE token_hash = ?1",
                [token_hash],
                |row| Ok(session_row(row)),
            )
            .optional()?
            .transpose()
    }
}

impl Writer<'_> {
    pub fn insert_terminal_pairing(
        &self,
        name: &str,
        secret_hash: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Uuid> {
        let id = crate::new_row_id();
        self.connection.execute_cached(
            "INSERT INTO terminal_pairings (id, name, secret_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id.to_string(),
                name,
                secret_hash,
                time::to_text(now),
                time::to_text(expires_at)
            ],
        )?;
        Ok(id)
    }

    /// Marks a pairing used by the terminal it made; a pairing is used once.
    pub fn use_terminal_pairing(
        &self,
        pairing_id: Uuid,
        terminal_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let changed = self.connection.execute_cached(
            "UPDATE terminal_pairings SET used_at = ?2, terminal_id = ?3
             WHERE id = ?1 AND used_at IS NULL",
            params![
                pairing_id.to_string(),
                time::to_text(now),
                terminal_id.to_string()
            ],
        )?;
        if changed != 1 {
            return Err(Error::corrupt("a pairing was used twice"));
        }
        Ok(())
    }

    pub fn insert_terminal(
        &self,
        name: &str,
        credential_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<TerminalRecord> {
        let id = crate::new_row_id();
        self.connection.execute_cached(
            "INSERT INTO terminals (id, name, credential_hash, paired_at) VALUES (?1, ?2, ?3, ?4)",
            params![id.to_string(), name, credential_hash, time::to_text(now)],
        )?;
        self.terminal(id)?
            .ok_or_else(|| Error::corrupt("terminal vanished"))
    }

    /// Revokes a terminal and ends every session at it.
    pub fn revoke_terminal(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let now = time::to_text(now);
        self.connection.execute_cached(
            "UPDATE terminals SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id.to_string(), now],
        )?;
        self.connection.execute_cached(
            "UPDATE terminal_sessions SET ended_at = ?2 WHERE terminal_id = ?1 AND ended_at IS NULL",
            params![id.to_string(), now],
        )?;
        Ok(())
    }

    pub fn set_terminal_last_seen(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE terminals SET last_seen_at = ?2 WHERE id = ?1",
            params![id.to_string(), time::to_text(now)],
        )?;
        Ok(())
    }

    pub fn insert_terminal_session(
        &self,
        token_hash: &str,
        operator_id: Uuid,
        terminal_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "INSERT INTO terminal_sessions (token_hash, operator_id, terminal_id, started_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                token_hash,
                operator_id.to_string(),
                terminal_id.to_string(),
                time::to_text(now)
            ],
        )?;
        Ok(())
    }

    pub fn end_terminal_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE terminal_sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL",
            params![token_hash, time::to_text(now)],
        )?;
        Ok(())
    }
}

fn terminal_row(row: &Row<'_>) -> Result<TerminalRecord> {
    Ok(TerminalRecord {
        id: uuid_column(row, 0)?,
        name: row.get(1)?,
        credential_hash: row.get(2)?,
        paired_at: time::column(row, 3)?,
        revoked_at: time::optional_column(row, 4)?,
        last_seen_at: time::optional_column(row, 5)?,
    })
}

fn pairing_row(row: &Row<'_>) -> Result<TerminalPairingRecord> {
    Ok(TerminalPairingRecord {
        id: uuid_column(row, 0)?,
        name: row.get(1)?,
        created_at: time::column(row, 2)?,
        expires_at: time::column(row, 3)?,
        used_at: time::optional_column(row, 4)?,
    })
}

fn session_row(row: &Row<'_>) -> Result<TerminalSessionRecord> {
    Ok(TerminalSessionRecord {
        operator_id: uuid_column(row, 0)?,
        terminal_id: uuid_column(row, 1)?,
        started_at: time::column(row, 2)?,
        ended_at: time::optional_column(row, 3)?,
    })
}
