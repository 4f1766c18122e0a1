//! Spare cards kept in the safe for when the desk is down, with the numbers they carry.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use engine::model::{AccessMethodId, EntranceId, SpaceId};
use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use crate::catalog::uuid_column;
use crate::error::Result;
use crate::time;
use crate::{CachedStatements, Reader, Writer};

/// A spare about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSpare {
    pub id: Uuid,
    pub space_id: SpaceId,
    /// The encode that writes it.
    pub op_id: Uuid,
    pub made_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// The number it carries for each door of its room.
    pub doors: BTreeMap<EntranceId, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpareRecord {
    pub id: Uuid,
    pub space_id: SpaceId,
    /// Spare 1, 2, … of its room.
    pub number: u32,
    pub op_id: Uuid,
    pub made_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub handed_at: Option<DateTime<Utc>>,
    /// The stay it was handed to.
    pub reservation_key: Option<String>,
    pub voided_at: Option<DateTime<Utc>>,
    pub doors: BTreeMap<EntranceId, u32>,
}

impl SpareRecord {
    /// Still in the safe: neither handed out nor taken out.
    pub fn in_safe(&self) -> bool {
        self.handed_at.is_none() && self.voided_at.is_none()
    }
}

const SPARE_COLUMNS: &str =
    "id, space_id, number, op_id, made_at, valid_until, handed_at, reservation_key, voided_at";

impl Reader<'_> {
    /// Every spare whose card was written, oldest first.
    pub fn spare_cards(&self) -> Result<Vec<SpareRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {SPARE_COLUMNS} FROM spare_cards s
             WHERE EXISTS (SELECT 1 FROM encode_operations o
                           WHERE o.op_id = s.op_id AND o.state = 'written')
             ORDER BY made_at, number"
        ))?;
        let mut rows = statement.query([])?;
        let mut spares = Vec::new();
        while let Some(row) = rows.next()? {
            spares.push(spare_row(row)?);
        }
        for spare in &mut spares {
            spare.doors = self.spare_doors(spare.id)?;
        }
        Ok(spares)
    }

    pub fn spare_card(&self, id: Uuid) -> Result<Option<SpareRecord>> {
        let spare = self
            .connection
            .query_row_cached(
                &format!("SELECT {SPARE_COLUMNS} FROM spare_cards WHERE id = ?1"),
                [id.to_string()],
                |row| Ok(spare_row(row)),
            )
            .optional()?
            .transpose()?;
        let Some(mut spare) = spare else {
            return Ok(None);
        };
        spare.doors = self.spare_doors(id)?;
        Ok(Some(spare))
    }

    /// The spare written by the encode `op_id`, if that card is a spare.
    pub fn spare_of_card(&self, op_id: Uuid) -> Result<Option<SpareRecord>> {
        let id: Option<String> = self
            .connection
            .query_row_cached(
                "SELECT id FROM spare_cards WHERE op_id = ?1",
                [op_id.to_string()],
                |row| row.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.spare_card(crate::catalog::parse_uuid(&id)?),
            None => Ok(None),
        }
    }

    fn spare_doors(&self, id: Uuid) -> Result<BTreeMap<EntranceId, u32>> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT entrance_id, sequence FROM spare_doors WHERE spare_id = ?1")?;
        let mut rows = statement.query([id.to_string()])?;
        let mut doors = BTreeMap::new();
        while let Some(row) = rows.next()? {
            doors.insert(uuid_column(row, 0)?, row.get(1)?);
        }
        Ok(doors)
    }

    /// The highest number a door handed out to a reservation (a stay, a cancel card, a spare
    /// handed out); 0 if none. Spares in the safe are not counted.
    pub fn last_reservation_sequence(&self, entrance_id: EntranceId) -> Result<u32> {
        let last: Option<u32> = self.connection.query_row_cached(
            "SELECT MAX(sequence) FROM reservation_doors WHERE entrance_id = ?1",
            [entrance_id.to_string()],
            |row| row.get(0),
        )?;
        Ok(last.unwrap_or(0))
    }
}

impl Writer<'_> {
    /// Records a spare about to be written, as its room's next; returns that number.
    pub fn insert_spare(&self, spare: &NewSpare) -> Result<u32> {
        let number: u32 = self.connection.query_row_cached(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM spare_cards WHERE space_id = ?1",
            [spare.space_id.to_string()],
            |row| row.get(0),
        )?;
        self.connection.execute_cached(
            "INSERT INTO spare_cards (id, space_id, number, op_id, made_at, valid_until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                spare.id.to_string(),
                spare.space_id.to_string(),
                number,
                spare.op_id.to_string(),
                time::to_text(spare.made_at),
                time::to_text(spare.valid_until),
            ],
        )?;
        for (door, sequence) in &spare.doors {
            self.connection.execute_cached(
                "INSERT INTO spare_doors (spare_id, entrance_id, sequence) VALUES (?1, ?2, ?3)",
                params![spare.id.to_string(), door.to_string(), sequence],
            )?;
        }
        Ok(number)
    }

    /// Records that a spare was handed to the stay `reservation_key` at `at`.
    pub fn mark_spare_handed(
        &self,
        id: Uuid,
        reservation_key: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE spare_cards SET handed_at = ?2, reservation_key = ?3 WHERE id = ?1",
            params![id.to_string(), time::to_text(at), reservation_key],
        )?;
        Ok(())
    }

    /// Records that a spare left the safe for good without being handed out.
    pub fn void_spare(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE spare_cards SET voided_at = ?2 WHERE id = ?1 AND voided_at IS NULL",
            params![id.to_string(), time::to_text(now)],
        )?;
        Ok(())
    }

    /// Makes a card written with no access method (a spare) the current card of `method`.
    pub fn attach_card(&self, op_id: Uuid, method: AccessMethodId) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE cards SET access_method_id = ?2 WHERE op_id = ?1",
            params![op_id.to_string(), method.to_string()],
        )?;
        Ok(())
    }
}

fn spare_row(row: &Row<'_>) -> Result<SpareRecord> {
    Ok(SpareRecord {
        id: uuid_column(row, 0)?,
        space_id: uuid_column(row, 1)?,
        number: row.get(2)?,
        op_id: uuid_column(row, 3)?,
        made_at: time::column(row, 4)?,
        valid_until: time::column(row, 5)?,
        handed_at: time::optional_column(row, 6)?,
        reservation_key: row.get(7)?,
        voided_at: time::optional_column(row, 8)?,
        doors: BTreeMap::new(),
    })
}
