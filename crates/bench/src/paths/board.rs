//! The room board of a full hotel against reading the same rooms and stays with one plain
//! SELECT.

use std::path::Path;

use anyhow::{Result, ensure};
use frontdesk::RoomState;
use rusqlite::{Connection, OpenFlags};

use crate::data::{self, Layout, Stays};
use crate::harness::{Row, alternate, thousands, timed};
use crate::plan::Plan;

/// Every room with its live stays and their guests: what the board shows, as one query reads
/// it, without the board's grouping into floors, stays and states.
const PLAIN_SELECT: &str = "
    SELECT s.id, s.key, s.name, s.floor, s.kind,
           g.reservation_key, g.starts_at, g.ends_at, u.full_name,
           (SELECT COUNT(*) FROM warnings w WHERE w.access_grant_id = g.id)
    FROM spaces s
    LEFT JOIN entrance_spaces es ON es.space_id = s.id
    LEFT JOIN access_grant_entrances ge ON ge.entrance_id = es.entrance_id
    LEFT JOIN access_grants g ON g.id = ge.access_grant_id AND g.deleted_at IS NULL
    LEFT JOIN user_identities u ON u.id = g.user_identity_id
    WHERE s.kind <> 'common' AND s.retired_at IS NULL";

type PlainRow = (
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

pub fn run(plan: &Plan, dir: &Path) -> Result<Row> {
    let path = dir.join("board.db");
    let desk = data::open_hotel(&path, plan.board_rooms)?;
    let layout = Layout::read(&desk)?;
    drop(desk);
    Stays {
        past: 0,
        in_house: true,
    }
    .write(&path, &layout)?;
    let desk = frontdesk::FrontDesk::new(store::Store::open(&path)?);
    let operator = data::receptionist();
    let reader = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;

    let board = || {
        let (board, elapsed) = timed(|| Ok(desk.room_board(&operator, data::now())?))?;
        let tiles: Vec<_> = board.floors.iter().flat_map(|floor| &floor.rooms).collect();
        ensure!(
            tiles.len() == plan.board_rooms
                && tiles
                    .iter()
                    .all(|tile| tile.state == RoomState::InHouse && tile.stays.len() == 1),
            "the board of a full hotel of {} rooms showed {} rooms, not all in house",
            plan.board_rooms,
            tiles.len()
        );
        Ok(elapsed)
    };
    let select = || {
        let (rows, elapsed) = timed(|| {
            let mut statement = reader.prepare_cached(PLAIN_SELECT)?;
            let rows = statement.query_map([], |row| {
                Ok::<PlainRow, _>((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                    row.get(9)?,
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        ensure!(
            rows.len() == plan.board_rooms && rows.iter().all(|row| row.5.is_some()),
            "the plain SELECT read {} rows for {} full rooms",
            rows.len(),
            plan.board_rooms
        );
        Ok(elapsed)
    };
    let (figure, baseline) = alternate(plan.warm_up, plan.board_runs, board, select)?;
    Ok(Row {
        path: format!(
            "room board, {} rooms, a guest in each",
            thousands(plan.board_rooms)
        ),
        figure,
        baseline_name: "the same rows, one plain SELECT".to_owned(),
        baseline,
        max_ratio: 2.0,
        extra_goal: None,
        notes: String::new(),
    })
}
