//! What the desktop app needs beyond the API: operators, settings, the room board's rows
//! and every stored warning.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use engine::model::{AccessGrantId, AccessMethodId, EntranceId, SpaceId, UserIdentityId};
use engine::warnings::WarningCode;
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use uuid::Uuid;

use crate::catalog::{optional_uuid_column, uuid_column};
use crate::error::{Error, Result};
use crate::time;
use crate::{CachedStatements, Reader, Writer};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Receptionist,
    Manager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receptionist => "receptionist",
            Self::Manager => "manager",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "receptionist" => Ok(Self::Receptionist),
            "manager" => Ok(Self::Manager),
            other => Err(Error::corrupt(format!("operator role {other:?}"))),
        }
    }
}

/// A person who signs in to the desktop app. The PIN's hash never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorRecord {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub pin_hash: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// The tag of the language the operator reads the desk in ("en", "es").
    pub language: String,
}

/// One live grant of a stay on one room, as the room board needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub space_id: SpaceId,
    pub access_grant_id: AccessGrantId,
    pub reservation_key: String,
    pub user_identity_id: UserIdentityId,
    pub full_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub warnings: u32,
}

/// A stored warning with what a manager needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningRow {
    pub access_grant_id: AccessGrantId,
    pub access_method_id: Option<AccessMethodId>,
    pub code: WarningCode,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub reservation_key: Option<String>,
    pub user_identity_id: UserIdentityId,
    pub grant_deleted: bool,
    pub entrance_id: Option<EntranceId>,
}

const OPERATOR_COLUMNS: &str = "id, name, role, pin_hash, created_at, disabled_at, language";

impl Reader<'_> {
    pub fn operators(&self) -> Result<Vec<OperatorRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY name"
        ))?;
        let mut rows = statement.query([])?;
        let mut operators = Vec::new();
        while let Some(row) = rows.next()? {
            operators.push(operator_row(row)?);
        }
        Ok(operators)
    }

    pub fn operator_by_name(&self, name: &str) -> Result<Option<OperatorRecord>> {
        self.connection
            .query_row_cached(
                &format!("SELECT {OPERATOR_COLUMNS} FROM operators WHERE name = ?1"),
                [name],
                |row| Ok(operator_row(row)),
            )
            .optional()?
            .transpose()
    }

    pub fn operator(&self, id: Uuid) -> Result<Option<OperatorRecord>> {
        self.connection
            .query_row_cached(
                &format!("SELECT {OPERATOR_COLUMNS} FROM operators WHERE id = ?1"),
                [id.to_string()],
                |row| Ok(operator_row(row)),
            )
            .optional()?
            .transpose()
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .connection
            .query_row_cached("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Live grants with a reservation that overlap `[from, to)`, one row per room they open,
    /// with the number of their warnings that hold at `now`.
    pub fn board_rows(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<BoardRow>> {
        // No DISTINCT: SQLite would build a temporary index of every row to drop the few
        // repeats (a grant on two doors of one suite), which cost a fifth of the query.
        let mut statement = self.connection.prepare_cached(
            "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
                    g.starts_at, g.ends_at,
                    (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
                         AND (w.expires_at IS NULL OR w.expires_at > ?3))
             FROM access_grants g INDEXED BY access_grants_live_by_end
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.deleted_at IS NULL AND g.ends_at > ?1 AND g.starts_at < ?2
               AND g.reservation_key IS NOT NULL
             ORDER BY g.starts_at, g.rowid",
        )?;
        let mut rows = statement.query(params![
            time::to_text(from),
            time::to_text(to),
            time::to_text(now)
        ])?;
        let mut board = Vec::new();
        let mut seen = HashSet::new();
        while let Some(row) = rows.next()? {
            let space_id = uuid_column(row, 0)?;
            let access_grant_id = uuid_column(row, 1)?;
            if !seen.insert((space_id, access_grant_id)) {
                continue;
            }
            board.push(BoardRow {
                space_id,
                access_grant_id,
                reservation_key: row.get(2)?,
                user_identity_id: uuid_column(row, 3)?,
                full_name: row.get(4)?,
                starts_at: time::column(row, 5)?,
                ends_at: time::column(row, 6)?,
                warnings: row.get(7)?,
            });
        }
        Ok(board)
    }

    /// The rooms (and other spaces) that a warning holding at `now` is about: the door a
    /// door's warning names, or else every door of the warned grant, live or deleted (a card
    /// of a stay checked out or moved away that may still open them).
    pub fn spaces_with_warnings(&self, now: DateTime<Utc>) -> Result<HashSet<SpaceId>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT DISTINCT es.space_id
             FROM warnings w
             JOIN access_grant_entrances ge ON ge.access_grant_id = w.access_grant_id
                  AND (w.entrance_id IS NULL OR ge.entrance_id = w.entrance_id)
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             WHERE w.expires_at IS NULL OR w.expires_at > ?1",
        )?;
        let mut rows = statement.query([time::to_text(now)])?;
        let mut spaces = HashSet::new();
        while let Some(row) = rows.next()? {
            spaces.insert(uuid_column(row, 0)?);
        }
        Ok(spaces)
    }

    /// Every warning that still holds at `now`, newest first.
    pub fn all_warnings(&self, now: DateTime<Utc>) -> Result<Vec<WarningRow>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT w.access_grant_id, w.access_method_id, w.code, w.message, w.created_at,
                    g.reservation_key, g.user_identity_id, g.deleted_at IS NOT NULL,
                    w.entrance_id
             FROM warnings w JOIN access_grants g ON g.id = w.access_grant_id
             WHERE w.expires_at IS NULL OR w.expires_at > ?1
             ORDER BY w.id DESC",
        )?;
        let mut rows = statement.query([time::to_text(now)])?;
        let mut warnings = Vec::new();
        while let Some(row) = rows.next()? {
            let code: String = row.get(2)?;
            warnings.push(WarningRow {
                access_grant_id: uuid_column(row, 0)?,
                access_method_id: optional_uuid_column(row, 1)?,
                code: WarningCode::parse(&code)
                    .ok_or_else(|| Error::corrupt(format!("warning code {code:?}")))?,
                message: row.get(3)?,
                created_at: time::column(row, 4)?,
                reservation_key: row.get(5)?,
                user_identity_id: uuid_column(row, 6)?,
                grant_deleted: row.get(7)?,
                entrance_id: optional_uuid_column(row, 8)?,
            });
        }
        Ok(warnings)
    }
}

/// Wrong PINs typed in a row for one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInFailures {
    pub failures: u32,
    pub last_failed_at: DateTime<Utc>,
    /// No PIN is checked for the name before this.
    pub locked_until: Option<DateTime<Utc>>,
}

impl Reader<'_> {
    pub fn sign_in_failures(&self, name: &str) -> Result<Option<SignInFailures>> {
        self.connection
            .query_row_cached(
                "SELECT failures, last_failed_at, locked_until FROM sign_in_failures
                 WHERE name = ?1",
                [name],
                |row| Ok(sign_in_failures_row(row)),
            )
            .optional()?
            .transpose()
    }
}

fn sign_in_failures_row(row: &rusqlite::Row<'_>) -> Result<SignInFailures> {
    Ok(SignInFailures {
        failures: row.get(0)?,
        last_failed_at: time::column(row, 1)?,
        locked_until: time::optional_column(row, 2)?,
    })
}

impl Writer<'_> {
    pub fn set_sign_in_failures(&self, name: &str, failures: &SignInFailures) -> Result<()> {
        self.connection.execute_cached(
            "INSERT INTO sign_in_failures (name, failures, last_failed_at, locked_until)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET failures = excluded.failures,
                 last_failed_at = excluded.last_failed_at, locked_until = excluded.locked_until",
            params![
                name,
                failures.failures,
                time::to_text(failures.last_failed_at),
                failures.locked_until.map(time::to_text)
            ],
        )?;
        Ok(())
    }

    pub fn clear_sign_in_failures(&self, name: &str) -> Result<()> {
        self.connection
            .execute_cached("DELETE FROM sign_in_failures WHERE name = ?1", [name])?;
        Ok(())
    }

    pub fn insert_operator(
        &self,
        name: &str,
        role: Role,
        pin_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<OperatorRecord> {
        let id = crate::new_row_id();
        self.connection.execute_cached(
            "INSERT INTO operators (id, name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), name, role.as_str(), pin_hash, time::to_text(now)],
        )?;
        self.operator_by_name(name)?
            .ok_or_else(|| Error::corrupt("operator vanished"))
    }

    pub fn set_operator_pin(&self, id: Uuid, pin_hash: &str) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE operators SET pin_hash = ?2 WHERE id = ?1",
            params![id.to_string(), pin_hash],
        )?;
        Ok(())
    }

    pub fn set_operator_role(&self, id: Uuid, role: Role) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE operators SET role = ?2 WHERE id = ?1",
            params![id.to_string(), role.as_str()],
        )?;
        Ok(())
    }

    pub fn set_operator_language(&self, id: Uuid, language: &str) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE operators SET language = ?2 WHERE id = ?1",
            params![id.to_string(), language],
        )?;
        Ok(())
    }

    /// Disables the operator from `disabled_at` on, or enables them again with `None`.
    pub fn set_operator_disabled(
        &self,
        id: Uuid,
        disabled_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE operators SET disabled_at = ?2 WHERE id = ?1",
            params![id.to_string(), disabled_at.map(time::to_text)],
        )?;
        Ok(())
    }

    pub fn set_setting(&self, key: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, value, time::to_text(now)],
        )?;
        Ok(())
    }
}

fn operator_row(row: &Row<'_>) -> Result<OperatorRecord> {
    Ok(OperatorRecord {
        id: uuid_column(row, 0)?,
        name: row.get(1)?,
        role: Role::parse(&row.get::<_, String>(2)?)?,
        pin_hash: row.get(3)?,
        created_at: time::column(row, 4)?,
        disabled_at: time::optional_column(row, 5)?,
        language: row.get(6)?,
    })
}
