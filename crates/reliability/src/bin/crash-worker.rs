//! The crash harness's child: opens the desk in a directory as the app does (resolving
//! pending encodes), then checks guests in, adds joiners, moves stays, checks them out and
//! encodes their cards, until it is killed. Each fact is journaled after its commit returned.
//! It exits on its own only when something unexpected failed, with the reason on stderr.
//!
//!     crash-worker DIR SEED

use std::process::ExitCode;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use engine::model::AccessMode;
use frontdesk::{AddGuest, CheckIn, Error, FrontDesk, NewGuest, Operator, StayDetail};
use reliability::desk::{self, DeskFiles, OpenDesk, ROOMS};
use reliability::journal::{Fact, Journal};
use uuid::Uuid;

/// About a USB full-speed HID report each way, so that a kill often lands inside an encode.
const REPORT_DELAY: Duration = Duration::from_millis(1);
/// Stays kept live at once: more and the worker checks out rather than in.
const MAX_LIVE_STAYS: usize = 6;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(seed)) = (args.next(), args.next().and_then(|s| s.parse().ok())) else {
        eprintln!("usage: crash-worker DIR SEED");
        return ExitCode::from(64);
    };
    match run(&DeskFiles::new(dir), seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("crash-worker: {message}");
            ExitCode::FAILURE
        }
    }
}

struct Worker {
    opened: OpenDesk,
    operator: Operator,
    journal: Journal,
    rng: fastrand::Rng,
    stays: Vec<String>,
}

fn run(files: &DeskFiles, seed: u64) -> Result<(), String> {
    let opened = desk::open(files, "crash", Utc::now())?;
    opened.simulator.set_report_delay(REPORT_DELAY);
    let stays = live_stays(&opened.desk)?;
    let mut worker = Worker {
        opened,
        operator: desk::manager("crash-worker"),
        journal: Journal::open(&files.journal()).map_err(|e| e.to_string())?,
        rng: fastrand::Rng::with_seed(seed),
        stays,
    };
    loop {
        worker.step()?;
    }
}

/// The stays live now, by reservation key.
fn live_stays(desk: &FrontDesk) -> Result<Vec<String>, String> {
    let rows = desk
        .store()
        .read(|r| r.table_rows("reservations"))
        .map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .filter(|row| row.get("cleared_at").is_some_and(Option::is_none))
        .filter_map(|row| row.get("reservation_key").cloned().flatten())
        .filter(|key| key.starts_with("stay-"))
        .collect())
}

/// Why a step did not go through.
enum Failure {
    Desk(Error),
    /// The worker itself could not go on (its journal, the property).
    Worker(String),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Desk(error)
    }
}

/// Refusals the rules make (a taken room, a stay gone) are part of the workload; anything
/// else is a failure.
fn expected(failure: &Failure) -> bool {
    matches!(
        failure,
        Failure::Desk(Error::Rule(_) | Error::NotFound { .. } | Error::Conflict { .. })
    )
}

impl Worker {
    fn step(&mut self) -> Result<(), String> {
        let choice = if self.stays.is_empty() {
            0
        } else if self.stays.len() >= MAX_LIVE_STAYS {
            self.rng.u32(3..10)
        } else {
            self.rng.u32(0..10)
        };
        let result = match choice {
            0..=2 => self.check_in(),
            3..=4 => self.add_guest(),
            5..=6 => self.move_stay(),
            7 => self.copy_card(),
            _ => self.check_out(),
        };
        match result {
            Ok(()) => Ok(()),
            Err(failure) if expected(&failure) => Ok(()),
            Err(Failure::Desk(error)) => Err(desk::wire_message(error)),
            Err(Failure::Worker(message)) => Err(message),
        }
    }

    fn pick_stay(&mut self) -> String {
        let index = self.rng.usize(..self.stays.len());
        self.stays[index].clone()
    }

    fn room(&mut self) -> Result<Uuid, Failure> {
        let key = ROOMS[self.rng.usize(..ROOMS.len())];
        desk::space_id(&self.opened.desk, key).map_err(Failure::Worker)
    }

    fn guest(&mut self) -> NewGuest {
        NewGuest {
            full_name: format!("Guest {}", self.rng.u32(..100_000)),
            email_address: None,
            phone_number: None,
        }
    }

    fn check_in(&mut self) -> Result<(), Failure> {
        let now = Utc::now();
        let key = format!("stay-{}", Uuid::new_v4().simple());
        let guests = (0..self.rng.usize(1..=2)).map(|_| self.guest()).collect();
        let request = CheckIn {
            space_id: self.room()?,
            starts_at: now,
            ends_at: now + TimeDelta::days(2),
            guests,
            common_entrance_ids: Vec::new(),
            cards_per_guest: 1,
            reservation_key: Some(key.clone()),
            // Random rooms overlap often: the worker tests crashes, not the desk's guard.
            allow_overlap: true,
        };
        let stay = self.opened.desk.check_in(&self.operator, now, &request)?;
        self.stays.push(key);
        self.journal_grants(&stay)?;
        self.encode_missing(&stay)
    }

    fn add_guest(&mut self) -> Result<(), Failure> {
        let key = self.pick_stay();
        let request = AddGuest {
            reservation_key: key,
            guest: self.guest(),
            room_entrance_ids: None,
            common_entrance_ids: Vec::new(),
            cards: 1,
        };
        let stay = self
            .opened
            .desk
            .add_guest(&self.operator, Utc::now(), &request)?;
        self.journal_grants(&stay)?;
        self.encode_missing(&stay)
    }

    fn move_stay(&mut self) -> Result<(), Failure> {
        let key = self.pick_stay();
        let before = self.opened.desk.stay(&self.operator, &key)?;
        let to = self.room()?;
        let moved = self
            .opened
            .desk
            .move_stay(&self.operator, Utc::now(), &key, to, true)?;
        self.journal_deleted(&before)?;
        self.journal_grants(&moved.stay)?;
        self.encode_missing(&moved.stay)
    }

    fn copy_card(&mut self) -> Result<(), Failure> {
        let key = self.pick_stay();
        let stay = self.opened.desk.stay(&self.operator, &key)?;
        let Some(guest) = stay.guests.first() else {
            return Ok(());
        };
        let context = self.operator.context(Utc::now());
        self.opened
            .desk
            .add_card_copy(&context, guest.access_grant_id)?;
        let stay = self.opened.desk.stay(&self.operator, &key)?;
        self.encode_missing(&stay)
    }

    fn check_out(&mut self) -> Result<(), Failure> {
        let key = self.pick_stay();
        let before = self.opened.desk.stay(&self.operator, &key)?;
        self.opened
            .desk
            .check_out(&self.operator, Utc::now(), &key)?;
        self.stays.retain(|stay| *stay != key);
        self.journal_deleted(&before)
    }

    /// Encodes every card of the stay not issued yet, one after another, each on a fresh
    /// blank (the clerk takes the written card away first).
    fn encode_missing(&mut self, stay: &StayDetail) -> Result<(), Failure> {
        let ids: Vec<Uuid> = stay
            .guests
            .iter()
            .flat_map(|guest| &guest.cards)
            .filter(|card| card.mode == AccessMode::Card && !card.is_issued())
            .map(|card| card.id)
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        self.opened.simulator.remove_card();
        let context = self.operator.context(Utc::now());
        let written =
            self.opened
                .desk
                .encode_cards(&context, &self.opened.station, &ids, &mut |_| {})?;
        for card in written {
            let Some(method) = card.access_method else {
                continue;
            };
            self.record(&Fact::Card {
                op_id: card.op_id,
                card_uid: card.card_id,
                access_method_id: method.id,
            })?;
        }
        Ok(())
    }

    fn journal_grants(&mut self, stay: &StayDetail) -> Result<(), Failure> {
        for guest in &stay.guests {
            let grant = self.opened.desk.access_grant(guest.access_grant_id)?;
            self.record(&Fact::Grant {
                id: grant.id,
                reservation_key: stay.reservation_key.clone(),
                entrances: Some(
                    grant
                        .entrances
                        .iter()
                        .map(|entrance| (entrance.entrance_id, entrance.reservation_door))
                        .collect(),
                ),
            })?;
        }
        Ok(())
    }

    fn journal_deleted(&mut self, before: &StayDetail) -> Result<(), Failure> {
        for guest in &before.guests {
            self.record(&Fact::Deleted {
                id: guest.access_grant_id,
            })?;
        }
        Ok(())
    }

    fn record(&mut self, fact: &Fact) -> Result<(), Failure> {
        self.journal
            .record(fact)
            .map_err(|error| Failure::Worker(format!("cannot journal: {error}")))
    }
}
