//! Stays over time, for the timeline and the stay search: every grant with a reservation on a
//! room, live or deleted (a checked-out or moved stay keeps its place in the past).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use engine::model::{AccessGrantId, SpaceId, UserIdentityId};
use rusqlite::{Params, Row, params};

use crate::Reader;
use crate::catalog::uuid_column;
use crate::error::Result;
use crate::time;

/// One grant of a stay on one room, live or deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayRow {
    pub space_id: SpaceId,
    pub access_grant_id: AccessGrantId,
    pub reservation_key: String,
    pub user_identity_id: UserIdentityId,
    pub full_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Its warnings that hold at the `now` asked for.
    pub warnings: u32,
    /// Made by a move into this room: when it was made, the stay's grants on other doors
    /// were deleted and none on this room's.
    pub moved_in: bool,
    /// Deleted by a move out of this room: the stay was made again on other doors.
    pub moved_away: bool,
}

/// A grant a search matched, with what orders the matches by nearness to now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaySearchHit {
    pub reservation_key: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The columns of a [`StayRow`]; `?1` is `now`. A move deletes a stay's grants and makes
/// them again on the new room in one transaction, at one instant: a grant made when others of
/// its key were deleted came from elsewhere unless one of those was on its own door (a
/// lost-key reissue, which stays in the room).
const STAY_ROWS: &str =
    "SELECT es.space_id, g.id, g.reservation_key, g.user_identity_id, u.full_name,
        g.starts_at, g.ends_at, g.created_at, g.deleted_at,
        (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id
             AND (w.expires_at IS NULL OR w.expires_at > ?1)),
        EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.deleted_at = g.created_at),
        g.deleted_at IS NOT NULL
            AND EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)
            AND NOT EXISTS (SELECT 1 FROM access_grants o INDEXED BY access_grants_stays_by_key
                JOIN access_grant_entrances oe
                    ON oe.access_grant_id = o.id AND oe.entrance_id = ge.entrance_id
                WHERE o.reservation_key = g.reservation_key AND o.created_at = g.deleted_at)";

impl Reader<'_> {
    /// Every grant with a reservation on a room whose time there overlaps `[from, to)`: live
    /// ones over their dates, deleted ones until they were deleted (none deleted before they
    /// started), with their warnings that hold at `now`.
    pub fn timeline_rows(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StayRow>> {
        self.stay_rows(
            "access_grants_stays_by_end",
            "g.ends_at > ?2 AND g.starts_at < ?3
             AND (g.deleted_at IS NULL OR (g.deleted_at > ?2 AND g.deleted_at > g.starts_at))",
            params![time::to_text(now), time::to_text(from), time::to_text(to)],
        )
    }

    /// Every grant, live or deleted, of a reservation key.
    pub fn stay_rows_of_key(
        &self,
        reservation_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<StayRow>> {
        self.stay_rows(
            "access_grants_stays_by_key",
            "g.reservation_key = ?2",
            params![time::to_text(now), reservation_key],
        )
    }

    fn stay_rows(&self, index: &str, filter: &str, params: impl Params) -> Result<Vec<StayRow>> {
        // No DISTINCT (see `board_rows`): a grant on two doors of a suite repeats, dropped here.
        let mut statement = self.connection.prepare_cached(&format!(
            "{STAY_ROWS}
             FROM access_grants g INDEXED BY {index}
             JOIN user_identities u ON u.id = g.user_identity_id
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id
             JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
             JOIN spaces s ON s.id = es.space_id AND s.kind <> 'common'
             WHERE g.reservation_key IS NOT NULL AND {filter}
             ORDER BY g.starts_at, g.rowid"
        ))?;
        let mut rows = statement.query(params)?;
        let mut stays = Vec::new();
        let mut seen = HashSet::new();
        while let Some(row) = rows.next()? {
            let stay = stay_row(row)?;
            if seen.insert((stay.space_id, stay.access_grant_id)) {
                stays.push(stay);
            }
        }
        Ok(stays)
    }

    /// Every guest with a name, for a search by name (done by the caller, which folds
    /// accents and case the way the desk shows them).
    pub fn guest_names(&self) -> Result<Vec<(UserIdentityId, String)>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, full_name FROM user_identities
             WHERE kind = 'guest' AND full_name IS NOT NULL",
        )?;
        let mut rows = statement.query([])?;
        let mut guests = Vec::new();
        while let Some(row) = rows.next()? {
            guests.push((uuid_column(row, 0)?, row.get(1)?));
        }
        Ok(guests)
    }

    /// The grants with a reservation of a guest, live or deleted.
    pub fn stay_hits_of_guest(&self, user: UserIdentityId) -> Result<Vec<StaySearchHit>> {
        self.stay_hits(
            "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_by_user
             WHERE user_identity_id = ?1 AND reservation_key IS NOT NULL",
            [user.to_string()],
        )
    }

    /// The grants with a reservation that ever opened a door of a room.
    pub fn stay_hits_of_room(&self, space: SpaceId) -> Result<Vec<StaySearchHit>> {
        self.stay_hits(
            "SELECT g.reservation_key, g.starts_at, g.ends_at, g.deleted_at
             FROM entrance_spaces es
             JOIN access_grant_entrances ge ON ge.entrance_id = es.entrance_id
             JOIN access_grants g ON g.id = ge.access_grant_id
             WHERE es.space_id = ?1 AND g.reservation_key IS NOT NULL",
            [space.to_string()],
        )
    }

    /// The grants of a reservation key.
    pub fn stay_hits_of_key(&self, key: &str) -> Result<Vec<StaySearchHit>> {
        self.stay_hits(
            "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_stays_by_key
             WHERE reservation_key = ?1",
            [key],
        )
    }

    /// The grants whose reservation key starts with `prefix`.
    pub fn stay_hits_of_key_prefix(&self, prefix: &str) -> Result<Vec<StaySearchHit>> {
        // A range, not LIKE: LIKE would read the whole index.
        self.stay_hits(
            "SELECT reservation_key, starts_at, ends_at, deleted_at
             FROM access_grants INDEXED BY access_grants_stays_by_key
             WHERE reservation_key >= ?1 AND reservation_key < ?1 || char(1114111)",
            [prefix],
        )
    }

    fn stay_hits(&self, sql: &str, params: impl Params) -> Result<Vec<StaySearchHit>> {
        let mut statement = self.connection.prepare_cached(sql)?;
        let mut rows = statement.query(params)?;
        let mut hits = Vec::new();
        while let Some(row) = rows.next()? {
            hits.push(StaySearchHit {
                reservation_key: row.get(0)?,
                starts_at: time::column(row, 1)?,
                ends_at: time::column(row, 2)?,
                deleted_at: time::optional_column(row, 3)?,
            });
        }
        Ok(hits)
    }
}

fn stay_row(row: &Row<'_>) -> Result<StayRow> {
    Ok(StayRow {
        space_id: uuid_column(row, 0)?,
        access_grant_id: uuid_column(row, 1)?,
        reservation_key: row.get(2)?,
        user_identity_id: uuid_column(row, 3)?,
        full_name: row.get(4)?,
        starts_at: time::column(row, 5)?,
        ends_at: time::column(row, 6)?,
        created_at: time::column(row, 7)?,
        deleted_at: time::optional_column(row, 8)?,
        warnings: row.get(9)?,
        moved_in: row.get(10)?,
        moved_away: row.get(11)?,
    })
}
