//! Cards and their encoding journal, the simulated locks' memory and decisions, and the
//! API's action attempts.

use chrono::{DateTime, Utc};
use engine::lock::LockState;
use engine::model::{AccessGrantId, AccessMethodId, EntranceId};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{optional_uuid_column, uuid_column};
use crate::error::{Error, Result};
use crate::time;
use crate::{CachedStatements, Reader, Writer};

/// What a card is for, as its image says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardPurpose {
    Guest,
    Staff,
    Cancel,
    OneShot,
    LockOut,
    LockOutLift,
}

impl CardPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guest => "guest",
            Self::Staff => "staff",
            Self::Cancel => "cancel",
            Self::OneShot => "one_shot",
            Self::LockOut => "lock_out",
            Self::LockOutLift => "lock_out_lift",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "guest" => Ok(Self::Guest),
            "staff" => Ok(Self::Staff),
            "cancel" => Ok(Self::Cancel),
            "one_shot" => Ok(Self::OneShot),
            "lock_out" => Ok(Self::LockOut),
            "lock_out_lift" => Ok(Self::LockOutLift),
            other => Err(Error::corrupt(format!("card kind {other:?}"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodeState {
    /// Committed before the card was touched; the outcome is not known yet.
    Pending,
    Written,
    Failed,
}

impl EncodeState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Written => "written",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "pending" => Ok(Self::Pending),
            "written" => Ok(Self::Written),
            "failed" => Ok(Self::Failed),
            other => Err(Error::corrupt(format!("encode state {other:?}"))),
        }
    }
}

/// An encode about to touch a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEncodeOperation<'a> {
    pub op_id: Uuid,
    pub access_method_id: Option<AccessMethodId>,
    pub kind: CardPurpose,
    pub card_uid: &'a str,
    pub image: &'a [u8],
    pub image_hash: &'a str,
    pub actor: &'a str,
    /// The encoder it is sent to: `None` for the encoder of the process that owns the
    /// database, else the terminal's id.
    pub encoder_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncodeOperationRecord {
    pub op_id: Uuid,
    pub access_method_id: Option<AccessMethodId>,
    pub kind: CardPurpose,
    pub card_uid: String,
    #[serde(skip)]
    pub image: Vec<u8>,
    pub image_hash: String,
    pub state: EncodeState,
    pub error: Option<String>,
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A card that was written, and what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCard<'a> {
    pub op_id: Uuid,
    pub card_uid: &'a str,
    pub access_method_id: Option<AccessMethodId>,
    pub kind: CardPurpose,
    pub key_epoch: u32,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardRecord {
    pub op_id: Uuid,
    pub card_uid: String,
    pub access_method_id: Option<AccessMethodId>,
    pub kind: CardPurpose,
    pub key_epoch: u32,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub written_at: DateTime<Utc>,
    pub superseded_at: Option<DateTime<Utc>>,
    /// This plastic came back to the desk.
    pub collected_at: Option<DateTime<Utc>>,
    /// This plastic was reported lost.
    pub lost_at: Option<DateTime<Utc>>,
}

/// A simulated door's decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLockEvent<'a> {
    pub entrance_id: EntranceId,
    pub card_uid: &'a str,
    /// The encode that wrote the card presented, when the door could read it.
    pub op_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub granted: bool,
    pub reason: &'a serde_json::Value,
    pub explanation: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockEventRecord {
    pub id: i64,
    pub entrance_id: EntranceId,
    pub card_uid: String,
    pub at: DateTime<Utc>,
    pub granted: bool,
    pub reason: serde_json::Value,
    pub explanation: String,
    /// The encode that wrote the card presented; `None` for an unreadable card, or a decision
    /// recorded before cards were told apart.
    pub op_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    Pending,
    Success,
    Error,
}

impl AttemptStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Success => "success",
            Self::Error => "error",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "pending" => Ok(Self::Pending),
            "success" => Ok(Self::Success),
            "error" => Ok(Self::Error),
            other => Err(Error::corrupt(format!("action attempt status {other:?}"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionAttemptRecord {
    pub id: Uuid,
    pub action_type: String,
    pub status: AttemptStatus,
    pub result: Option<serde_json::Value>,
    pub error: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const OPERATION_COLUMNS: &str = "op_id, access_method_id, kind, card_uid, image, image_hash, \
     state, error, actor, created_at, resolved_at";

const CARD_COLUMNS: &str = "op_id, card_uid, access_method_id, kind, key_epoch, valid_from, \
     valid_until, written_at, superseded_at, collected_at, lost_at";

impl Reader<'_> {
    pub fn encode_operation(&self, op_id: Uuid) -> Result<Option<EncodeOperationRecord>> {
        self.connection
            .query_row_cached(
                &format!("SELECT {OPERATION_COLUMNS} FROM encode_operations WHERE op_id = ?1"),
                [op_id.to_string()],
                |row| Ok(operation_row(row)),
            )
            .optional()?
            .transpose()
    }

    /// The operations sent to one encoder (see [`NewEncodeOperation::encoder_id`]) whose
    /// outcome is not known yet, oldest first.
    pub fn pending_encode_operations(
        &self,
        encoder_id: Option<Uuid>,
    ) -> Result<Vec<EncodeOperationRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {OPERATION_COLUMNS} FROM encode_operations
             WHERE state = 'pending' AND encoder_id IS ?1
             ORDER BY created_at"
        ))?;
        let mut rows = statement.query([encoder_id.map(|id| id.to_string())])?;
        let mut operations = Vec::new();
        while let Some(row) = rows.next()? {
            operations.push(operation_row(row)?);
        }
        Ok(operations)
    }

    /// Every card written onto the plastic with this UID, newest first.
    pub fn cards_by_uid(&self, card_uid: &str) -> Result<Vec<CardRecord>> {
        self.query_cards(
            "WHERE card_uid = ?1 ORDER BY written_at DESC, rowid DESC",
            card_uid,
        )
    }

    /// Every card written for one access method, newest first.
    pub fn cards_of_method(&self, id: AccessMethodId) -> Result<Vec<CardRecord>> {
        self.query_cards(
            "WHERE access_method_id = ?1 ORDER BY written_at DESC, rowid DESC",
            &id.to_string(),
        )
    }

    /// Every card written for the access methods of one grant, newest first.
    pub fn cards_of_grant(&self, id: AccessGrantId) -> Result<Vec<CardRecord>> {
        self.query_cards(
            "WHERE access_method_id IN (SELECT id FROM access_methods WHERE access_grant_id = ?1)
             ORDER BY written_at DESC, rowid DESC",
            &id.to_string(),
        )
    }

    /// One written card, by the operation that wrote it.
    pub fn card(&self, op_id: Uuid) -> Result<Option<CardRecord>> {
        Ok(self
            .query_cards("WHERE op_id = ?1", &op_id.to_string())?
            .pop())
    }

    fn query_cards(&self, filter: &str, value: &str) -> Result<Vec<CardRecord>> {
        let mut statement = self
            .connection
            .prepare_cached(&format!("SELECT {CARD_COLUMNS} FROM cards {filter}"))?;
        let mut rows = statement.query([value])?;
        let mut cards = Vec::new();
        while let Some(row) = rows.next()? {
            cards.push(card_row(row)?);
        }
        Ok(cards)
    }

    /// What a simulated lock remembers; a lock that has seen no card remembers nothing.
    pub fn lock_state(&self, entrance_id: EntranceId) -> Result<LockState> {
        Ok(self.known_lock_state(entrance_id)?.unwrap_or_default())
    }

    /// What a simulated lock remembers, if a card ever changed it.
    pub fn known_lock_state(&self, entrance_id: EntranceId) -> Result<Option<LockState>> {
        let row = self
            .connection
            .query_row_cached(
                "SELECT guest_sequence, overridden_at, privacy, one_shot_sequence, locked_out
                 FROM lock_states WHERE entrance_id = ?1",
                [entrance_id.to_string()],
                |row| {
                    Ok((
                        row.get::<_, u32>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, bool>(2)?,
                        row.get::<_, u32>(3)?,
                        row.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()?;
        row.map(
            |(guest_sequence, overridden_at, privacy, one_shot_sequence, locked_out)| {
                Ok(LockState {
                    guest_sequence,
                    overridden_at: overridden_at.as_deref().map(time::from_text).transpose()?,
                    privacy,
                    one_shot_sequence,
                    locked_out,
                })
            },
        )
        .transpose()
    }

    /// A simulated lock's latest decisions, newest first.
    pub fn lock_events(&self, entrance_id: EntranceId, limit: u32) -> Result<Vec<LockEventRecord>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, entrance_id, card_uid, at, decision, reason, explanation, op_id
             FROM lock_events WHERE entrance_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let mut rows = statement.query(params![entrance_id.to_string(), limit])?;
        let mut events = Vec::new();
        while let Some(row) = rows.next()? {
            let reason: String = row.get(5)?;
            events.push(LockEventRecord {
                id: row.get(0)?,
                entrance_id: uuid_column(row, 1)?,
                card_uid: row.get(2)?,
                at: time::column(row, 3)?,
                granted: row.get::<_, String>(4)? == "granted",
                reason: serde_json::from_str(&reason).map_err(Error::corrupt)?,
                explanation: row.get(6)?,
                op_id: optional_uuid_column(row, 7)?,
            });
        }
        Ok(events)
    }

    pub fn action_attempt(&self, id: Uuid) -> Result<Option<ActionAttemptRecord>> {
        let row = self
            .connection
            .query_row_cached(
                "SELECT id, action_type, status, result, error, created_at, updated_at
                 FROM action_attempts WHERE id = ?1",
                [id.to_string()],
                |row| {
                    Ok((
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, Option<String>>(4)?,
                        row.get::<_, String>(5)?,
                        row.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((action_type, status, result, error, created_at, updated_at)) = row else {
            return Ok(None);
        };
        let json = |text: Option<String>| -> Result<Option<serde_json::Value>> {
            text.map(|text| serde_json::from_str(&text).map_err(Error::corrupt))
                .transpose()
        };
        Ok(Some(ActionAttemptRecord {
            id,
            action_type,
            status: AttemptStatus::parse(&status)?,
            result: json(result)?,
            error: json(error)?,
            created_at: time::from_text(&created_at)?,
            updated_at: time::from_text(&updated_at)?,
        }))
    }
}

impl Writer<'_> {
    /// The intent: committed before the encoder touches the card.
    pub fn insert_encode_operation(
        &self,
        operation: &NewEncodeOperation<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "INSERT INTO encode_operations (op_id, access_method_id, kind, card_uid, image,
                 image_hash, state, actor, created_at, encoder_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8, ?9)",
            params![
                operation.op_id.to_string(),
                operation.access_method_id.map(|id| id.to_string()),
                operation.kind.as_str(),
                operation.card_uid,
                operation.image,
                operation.image_hash,
                operation.actor,
                time::to_text(now),
                operation.encoder_id.map(|id| id.to_string())
            ],
        )?;
        Ok(())
    }

    /// Settles a pending operation; an operation is settled once.
    pub fn resolve_encode_operation(
        &self,
        op_id: Uuid,
        state: EncodeState,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let changed = self.connection.execute_cached(
            "UPDATE encode_operations SET state = ?2, error = ?3, resolved_at = ?4
             WHERE op_id = ?1 AND state = 'pending'",
            params![op_id.to_string(), state.as_str(), error, time::to_text(now)],
        )?;
        if changed == 1 {
            Ok(())
        } else {
            Err(Error::corrupt(format!(
                "encode operation {op_id} is not pending"
            )))
        }
    }

    /// Records a written card; earlier cards of the same access method on other plastic
    /// are marked superseded (they are still out there, with older data).
    pub fn insert_card(&self, card: &NewCard<'_>, now: DateTime<Utc>) -> Result<()> {
        let now = time::to_text(now);
        if let Some(method) = card.access_method_id {
            self.connection.execute_cached(
                "UPDATE cards SET superseded_at = ?2
                 WHERE access_method_id = ?1 AND superseded_at IS NULL",
                params![method.to_string(), now],
            )?;
        }
        self.connection.execute_cached(
            "INSERT INTO cards (op_id, card_uid, access_method_id, kind, key_epoch, valid_from,
                 valid_until, written_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                card.op_id.to_string(),
                card.card_uid,
                card.access_method_id.map(|id| id.to_string()),
                card.kind.as_str(),
                card.key_epoch,
                time::to_text(card.valid_from),
                time::to_text(card.valid_until),
                now
            ],
        )?;
        Ok(())
    }

    /// Records that one plastic came back to the desk.
    pub fn mark_card_collected(&self, op_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE cards SET collected_at = ?2 WHERE op_id = ?1 AND collected_at IS NULL",
            params![op_id.to_string(), time::to_text(now)],
        )?;
        Ok(())
    }

    /// Records that one plastic will not come back.
    pub fn mark_card_lost(&self, op_id: Uuid, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE cards SET lost_at = ?2 WHERE op_id = ?1 AND lost_at IS NULL",
            params![op_id.to_string(), time::to_text(now)],
        )?;
        Ok(())
    }

    pub fn set_lock_state(&self, entrance_id: EntranceId, state: &LockState) -> Result<()> {
        self.connection.execute_cached(
            "INSERT INTO lock_states (entrance_id, guest_sequence, overridden_at, privacy,
                 one_shot_sequence, locked_out)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (entrance_id) DO UPDATE SET guest_sequence = excluded.guest_sequence,
                 overridden_at = excluded.overridden_at, privacy = excluded.privacy,
                 one_shot_sequence = excluded.one_shot_sequence,
                 locked_out = excluded.locked_out",
            params![
                entrance_id.to_string(),
                state.guest_sequence,
                state.overridden_at.map(time::to_text),
                state.privacy,
                state.one_shot_sequence,
                state.locked_out
            ],
        )?;
        Ok(())
    }

    /// Takes the next one-shot number of each door, for good.
    pub fn take_one_shot_numbers(
        &self,
        doors: &[EntranceId],
    ) -> Result<std::collections::BTreeMap<EntranceId, u32>> {
        let mut statement = self.connection.prepare_cached(
            "INSERT INTO one_shot_numbers (entrance_id, last) VALUES (?1, 1)
             ON CONFLICT (entrance_id) DO UPDATE SET last = last + 1
             RETURNING last",
        )?;
        doors
            .iter()
            .map(|door| {
                let number = statement.query_row([door.to_string()], |row| row.get(0))?;
                Ok((*door, number))
            })
            .collect()
    }

    pub fn insert_lock_event(&self, event: &NewLockEvent<'_>) -> Result<i64> {
        self.connection.execute_cached(
            "INSERT INTO lock_events (entrance_id, card_uid, at, decision, reason, explanation,
                 op_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                event.entrance_id.to_string(),
                event.card_uid,
                time::to_text(event.at),
                if event.granted { "granted" } else { "denied" },
                event.reason.to_string(),
                event.explanation,
                event.op_id.map(|id| id.to_string())
            ],
        )?;
        Ok(self.connection.last_insert_rowid())
    }

    pub fn insert_action_attempt(
        &self,
        id: Uuid,
        action_type: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = time::to_text(now);
        self.connection.execute_cached(
            "INSERT INTO action_attempts (id, action_type, status, created_at, updated_at)
             VALUES (?1, ?2, 'pending', ?3, ?3)",
            params![id.to_string(), action_type, now],
        )?;
        Ok(())
    }

    /// Ends every attempt still pending with `error`; returns how many there were.
    pub fn expire_pending_action_attempts(
        &self,
        error: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        Ok(self.connection.execute_cached(
            "UPDATE action_attempts SET status = 'error', error = ?1, updated_at = ?2
             WHERE status = 'pending'",
            params![error.to_string(), time::to_text(now)],
        )?)
    }

    pub fn finish_action_attempt(
        &self,
        id: Uuid,
        status: AttemptStatus,
        result: Option<&serde_json::Value>,
        error: Option<&serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE action_attempts SET status = ?2, result = ?3, error = ?4, updated_at = ?5
             WHERE id = ?1",
            params![
                id.to_string(),
                status.as_str(),
                result.map(serde_json::Value::to_string),
                error.map(serde_json::Value::to_string),
                time::to_text(now)
            ],
        )?;
        Ok(())
    }
}

fn operation_row(row: &Row<'_>) -> Result<EncodeOperationRecord> {
    Ok(EncodeOperationRecord {
        op_id: uuid_column(row, 0)?,
        access_method_id: optional_uuid_column(row, 1)?,
        kind: CardPurpose::parse(&row.get::<_, String>(2)?)?,
        card_uid: row.get(3)?,
        image: row.get(4)?,
        image_hash: row.get(5)?,
        state: EncodeState::parse(&row.get::<_, String>(6)?)?,
        error: row.get(7)?,
        actor: row.get(8)?,
        created_at: time::column(row, 9)?,
        resolved_at: time::optional_column(row, 10)?,
    })
}

fn card_row(row: &Row<'_>) -> Result<CardRecord> {
    Ok(CardRecord {
        op_id: uuid_column(row, 0)?,
        card_uid: row.get(1)?,
        access_method_id: optional_uuid_column(row, 2)?,
        kind: CardPurpose::parse(&row.get::<_, String>(3)?)?,
        key_epoch: row.get(4)?,
        valid_from: time::column(row, 5)?,
        valid_until: time::column(row, 6)?,
        written_at: time::column(row, 7)?,
        superseded_at: time::optional_column(row, 8)?,
        collected_at: time::optional_column(row, 9)?,
        lost_at: time::optional_column(row, 10)?,
    })
}
