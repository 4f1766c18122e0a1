//! What the PMS's key link needs of the store: rooms by the PMS's numbers, common areas by
//! key-option position, and the journal of key requests with their answers.

use chrono::{DateTime, Utc};
use engine::model::{EntranceId, SpaceId};
use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use crate::catalog::{optional_uuid_column, uuid_column};
use crate::error::Result;
use crate::time;
use crate::{CachedStatements, Reader, Writer};

/// A key request as it came, for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPmsKeyRequest<'a> {
    /// The record as the PMS sent it: the same text again is the same request.
    pub record: &'a str,
    pub workstation: Option<&'a str>,
    pub reservation: Option<&'a str>,
    pub key_type: &'a str,
    pub room: &'a str,
    pub encoder_id: Option<Uuid>,
}

/// How a key request was answered: FIAS's `AS`, `CT` and `$2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmsKeyAnswer {
    pub status: String,
    pub text: String,
    pub card_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmsKeyRequestRecord {
    pub id: Uuid,
    pub received_at: DateTime<Utc>,
    pub record: String,
    pub workstation: Option<String>,
    pub reservation: Option<String>,
    pub key_type: String,
    pub room: String,
    pub encoder_id: Option<Uuid>,
    /// `None` while the request runs (or when the process stopped while it ran).
    pub answer: Option<PmsKeyAnswer>,
    pub answered_at: Option<DateTime<Utc>>,
}

const REQUEST_COLUMNS: &str = "id, received_at, workstation, reservation, key_type, room, \
                               encoder_id, status, text, card_id, answered_at, record";

impl Reader<'_> {
    /// The live room whose PMS room number is `number`, or else whose key is.
    pub fn space_by_pms_room_number(&self, number: &str) -> Result<Option<SpaceId>> {
        let id: Option<String> = self
            .connection
            .query_row_cached(
                "SELECT id FROM spaces WHERE retired_at IS NULL
                     AND (pms_room_number = ?1 OR (pms_room_number IS NULL AND key = ?1))
                 ORDER BY pms_room_number IS NULL LIMIT 1",
                [number],
                |row| row.get(0),
            )
            .optional()?;
        id.map(|id| crate::catalog::parse_uuid(&id)).transpose()
    }

    /// The live entrances the PMS's key options switch, by position.
    pub fn pms_key_options(&self) -> Result<Vec<(u32, EntranceId)>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT pms_key_option, id FROM entrances
             WHERE retired_at IS NULL AND pms_key_option IS NOT NULL ORDER BY pms_key_option",
        )?;
        let mut rows = statement.query([])?;
        let mut options = Vec::new();
        while let Some(row) = rows.next()? {
            options.push((row.get(0)?, uuid_column(row, 1)?));
        }
        Ok(options)
    }

    /// The latest request of this record received at or after `since`.
    pub fn latest_pms_key_request(
        &self,
        record: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<PmsKeyRequestRecord>> {
        self.connection
            .query_row_cached(
                &format!(
                    "SELECT {REQUEST_COLUMNS} FROM pms_key_requests
                     WHERE record = ?1 AND received_at >= ?2
                     ORDER BY received_at DESC LIMIT 1"
                ),
                params![record, time::to_text(since)],
                |row| Ok(request_row(row)),
            )
            .optional()?
            .transpose()
    }
}

impl Writer<'_> {
    pub fn insert_pms_key_request(
        &self,
        request: &NewPmsKeyRequest<'_>,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        let id = crate::new_row_id();
        self.connection.execute_cached(
            "INSERT INTO pms_key_requests (id, received_at, workstation, reservation, key_type,
                 room, encoder_id, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id.to_string(),
                time::to_text(now),
                request.workstation,
                request.reservation,
                request.key_type,
                request.room,
                request.encoder_id.map(|id| id.to_string()),
                request.record,
            ],
        )?;
        Ok(id)
    }

    pub fn answer_pms_key_request(
        &self,
        id: Uuid,
        answer: &PmsKeyAnswer,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE pms_key_requests SET status = ?2, text = ?3, card_id = ?4, answered_at = ?5
             WHERE id = ?1",
            params![
                id.to_string(),
                answer.status,
                answer.text,
                answer.card_id,
                time::to_text(now)
            ],
        )?;
        Ok(())
    }
}

fn request_row(row: &Row<'_>) -> Result<PmsKeyRequestRecord> {
    let status: Option<String> = row.get(7)?;
    let answer = match status {
        Some(status) => Some(PmsKeyAnswer {
            status,
            text: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
            card_id: row.get(9)?,
        }),
        None => None,
    };
    Ok(PmsKeyRequestRecord {
        id: uuid_column(row, 0)?,
        received_at: time::column(row, 1)?,
        workstation: row.get(2)?,
        reservation: row.get(3)?,
        key_type: row.get(4)?,
        room: row.get(5)?,
        encoder_id: optional_uuid_column(row, 6)?,
        answer,
        answered_at: time::optional_column(row, 10)?,
        record: row.get(11)?,
    })
}
