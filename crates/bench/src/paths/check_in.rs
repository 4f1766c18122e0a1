//! Check-in: one guest with two cards on a room and the lobby, as the desk commits it
//! (checks, reservation, grant, access methods, warnings, audit) against the cheapest commit
//! SQLite can make under the same settings.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, ensure};
use chrono::Days;
use frontdesk::{CheckIn, NewGuest};
use rusqlite::{Connection, TransactionBehavior};

use crate::data::{self, Layout};
use crate::harness::{Row, alternate, timed};
use crate::plan::Plan;

pub fn run(plan: &Plan, dir: &Path) -> Result<Row> {
    // A room for every run: each check-in starts a stay on an empty room.
    let desk = data::open_hotel(&dir.join("check-in.db"), plan.warm_up + plan.check_in_runs)?;
    let layout = Layout::read(&desk)?;
    let operator = data::receptionist();
    let mut bare = BareInsert::open(&dir.join("bare-insert.db"))?;

    let mut run = 0;
    let check_in = || {
        let request = CheckIn {
            space_id: layout.room(run).space_id,
            starts_at: data::now(),
            ends_at: data::now() + Days::new(2),
            guests: vec![NewGuest {
                full_name: format!("Guest {run}"),
                email_address: None,
                phone_number: None,
            }],
            common_entrance_ids: vec![layout.lobby_door],
            cards_per_guest: 2,
            reservation_key: None,
            allow_overlap: false,
        };
        run += 1;
        let (stay, elapsed) = timed(|| Ok(desk.check_in(&operator, data::now(), &request)?))?;
        ensure!(
            stay.guests.len() == 1 && stay.guests[0].cards.len() == 2,
            "a check-in of one guest with two cards gave {stay:?}"
        );
        Ok(elapsed)
    };
    let (figure, baseline) =
        alternate(plan.warm_up, plan.check_in_runs, check_in, || bare.commit())?;
    Ok(Row {
        path: "check-in: 1 guest, 2 cards, room + lobby (WAL, synchronous=FULL)".to_owned(),
        figure,
        baseline_name: "1-row INSERT commit, same pragmas".to_owned(),
        baseline,
        max_ratio: 1.5,
        extra_goal: None,
        notes: String::new(),
    })
}

/// A table of one column in its own file, set up as the store sets up its connection.
struct BareInsert {
    connection: Connection,
}

impl BareInsert {
    fn open(path: &Path) -> Result<Self> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.execute(
            "CREATE TABLE rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL)",
            [],
        )?;
        Ok(Self { connection })
    }

    /// One single-row insert in its own write transaction, as [`store::Store::write`] opens
    /// them.
    fn commit(&mut self) -> Result<Duration> {
        let ((), elapsed) = timed(|| {
            let transaction = self
                .connection
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute("INSERT INTO rows (value) VALUES ('one row')", [])?;
            transaction.commit()?;
            Ok(())
        })?;
        Ok(elapsed)
    }
}
