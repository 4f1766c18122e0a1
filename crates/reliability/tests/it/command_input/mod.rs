//! Bad-input harness for the desktop app's commands: each command is a one-line call of a
//! use case (`src-tauri/src/commands.rs`), so random arguments go straight to those use
//! cases, called as the commands call them, by a manager or a receptionist: stays (check-in,
//! joiner, move, dates, reissue, remade cards, check-out, lost card), the prediction asked
//! before a check-in, move or change of dates, staff cards (door choices; cards on all guest
//! rooms, floors, common doors and single doors; changed, revoked, deleted, lost), cards
//! encoded on the simulated encoder, cancel cards, cards out of use marked collected or lost,
//! a room's cards out, the timeline, the stay search, the check-in form for a day, operators
//! and sign-in. Arguments are names, keys and queries with control characters or hundreds of
//! thousands of characters, instants from year -262,143 to year 262,142, days from the
//! calendar's first to its last, counts up to `u32::MAX`, and ids that exist (stays, rooms,
//! doors, staff entries, cards and their plastic, made earlier in the run) and ids that do
//! not.
//!
//! No call may panic or fail with a 5xx; every `invalid_input` names its field; a refused
//! call leaves every record as it was; a read (the prediction, the timeline, the search, door
//! choices, a room's cards out, the check-in form) changes no record even when it succeeds;
//! and a receptionist is refused every manager's use case with a permission error.
//!
//! 200 calls by default, 2,000 with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use frontdesk::{CheckIn, NewGuest, Role, StaffDoorChoices};
use proptest::prelude::*;
use proptest::sample::Index;
use reliability::desk::{self, DeskFiles, ROOMS};
use reliability::figures::Figures;
use uuid::Uuid;

mod arguments;
mod calls;
mod commands;

use calls::{run, snapshot};
use commands::command;

/// The tables a refused command or a read must leave alone (the audit log records the
/// refusal, and a wrong PIN counts towards a lock-out, so neither is among them).
const RECORDS: [&str; 10] = [
    "access_grants",
    "access_grant_entrances",
    "access_methods",
    "warnings",
    "reservations",
    "reservation_doors",
    "user_identities",
    "operators",
    "cards",
    "encode_operations",
];

/// An id made earlier in the run, found in the records as the call is made: one of those
/// the call is about (a staff entry, a card to encode…), one of another kind (a guest's
/// grant for a staff call), or one nothing has.
#[derive(Debug, Clone)]
enum Made {
    Fitting(Index),
    Other(Index),
    Unknown(u128),
}

/// The plastic of a card: a UID the desk wrote (out of use, or any), or text.
#[derive(Debug, Clone)]
enum Plastic {
    Made(Made),
    Typed(String),
}

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Manager,
    Receptionist,
}

/// A planned change as `predict` is asked it; `None` keys stand for the newest stay.
#[derive(Debug, Clone)]
enum Plan {
    CheckIn {
        space_id: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        guests: Vec<String>,
        joins: Option<Option<String>>,
    },
    Move(Option<String>, Uuid),
    ChangeDates(Option<String>, Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

/// One command with its arguments; `None` keys stand for a stay made earlier in the run.
#[derive(Debug, Clone)]
enum Command {
    CheckIn(CheckIn),
    AddGuest(Option<String>, NewGuest, Option<Vec<Uuid>>, Vec<Uuid>, u32),
    MoveStay(Option<String>, Uuid),
    ChangeDates(Option<String>, Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    ReissueStay(Option<String>),
    RemakeCards(Option<String>),
    CheckOut(Option<String>),
    ReportCardLost(Uuid),
    Predict(Plan),
    EncodeCard(Made),
    EncodeCancelCard(Vec<Uuid>),
    CardCollected(Plastic),
    CardLost(Plastic),
    RoomCardsOut(Uuid),
    Timeline(NaiveDate, u32),
    FindStays(Option<String>),
    PastStay(Option<String>),
    CheckInOptions(Uuid, Option<NaiveDate>),
    StaffDoorChoices,
    IssueStaffAccess(String, Vec<Uuid>, DateTime<Utc>, DateTime<Utc>),
    UpdateStaffAccess {
        entry: Made,
        full_name: Option<String>,
        doors: Option<Vec<Uuid>>,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
    },
    RevokeStaffAccess(Made),
    DeleteStaffAccess(Made),
    ReportStaffCardLost(Made),
    CreateOperator(String, String, bool),
    SignIn(String, String),
}

impl Command {
    /// A manager's use case: a receptionist is refused it.
    fn needs_manager(&self) -> bool {
        matches!(
            self,
            Self::StaffDoorChoices
                | Self::IssueStaffAccess(..)
                | Self::UpdateStaffAccess { .. }
                | Self::RevokeStaffAccess(_)
                | Self::DeleteStaffAccess(_)
                | Self::ReportStaffCardLost(_)
                | Self::CreateOperator(..)
        )
    }

    /// Shows what is; changes no record, accepted or refused.
    fn is_read(&self) -> bool {
        matches!(
            self,
            Self::Predict(_)
                | Self::RoomCardsOut(_)
                | Self::Timeline(..)
                | Self::FindStays(_)
                | Self::PastStay(_)
                | Self::CheckInOptions(..)
                | Self::StaffDoorChoices
        )
    }
}

/// What the desk has, for the strategies to choose from.
struct Choices {
    now: DateTime<Utc>,
    /// The rooms.
    rooms: Vec<Uuid>,
    /// Rooms and common areas.
    spaces: Vec<Uuid>,
    entrances: Vec<Uuid>,
    common_areas: Vec<Uuid>,
    /// Each way the staff screen offers doors: all guest rooms, each floor, each common
    /// door, each room door.
    staff_doors: Vec<Vec<Uuid>>,
}

type Row = BTreeMap<String, Option<String>>;
type Snapshot = Vec<Vec<Row>>;

/// The ids made so far, from the records, as [`Made`] picks them.
#[derive(Default)]
struct Known {
    staff_entries: Vec<Uuid>,
    guest_grants: Vec<Uuid>,
    /// Card access methods not encoded yet.
    cards_to_encode: Vec<Uuid>,
    access_methods: Vec<Uuid>,
    staff_cards: Vec<Uuid>,
    guest_cards: Vec<Uuid>,
    /// UIDs of plastic no longer anyone's key, not back yet.
    plastic_out: Vec<String>,
    plastic: Vec<String>,
}

#[derive(Default)]
struct Tally {
    ok: u64,
    refused: u64,
    reads: u64,
    forbidden: u64,
    stays: Vec<String>,
    problems: Vec<String>,
}

#[test]
fn random_command_input_is_refused_by_field_and_changes_nothing() {
    let _alone = crate::one_at_a_time();
    let cases = if reliability::full_run() { 2_000 } else { 200 };
    let now = Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    let opened = desk::open(&files, "commands", now).unwrap();
    let desk = &opened.desk;
    let manager = desk
        .create_first_manager(&frontdesk::Context::new("workstation", now), "Mia", "2468")
        .unwrap();
    let receptionist = desk
        .create_operator(&manager, now, "Rui", "1357", Role::Receptionist)
        .unwrap();
    let rooms: Vec<Uuid> = ROOMS
        .iter()
        .map(|key| desk::space_id(desk, key).unwrap())
        .collect();
    let spaces: Vec<Uuid> = desk
        .spaces()
        .unwrap()
        .iter()
        .map(|space| space.id)
        .collect();
    let entrances: Vec<Uuid> = desk
        .entrances(None, None)
        .unwrap()
        .iter()
        .map(|entrance| entrance.id)
        .collect();
    let common_areas: Vec<Uuid> = desk
        .check_in_options(&manager, rooms[0], now)
        .unwrap()
        .common_areas
        .iter()
        .map(|option| option.acs_entrance_id)
        .collect();
    let StaffDoorChoices {
        all_guest_rooms,
        floors,
        common_doors,
        room_doors,
    } = desk.staff_door_choices(&manager).unwrap();
    let staff_doors: Vec<Vec<Uuid>> = std::iter::once(all_guest_rooms)
        .chain(floors)
        .map(|group| group.entrance_ids)
        .chain(
            common_doors
                .iter()
                .chain(&room_doors)
                .map(|door| vec![door.acs_entrance_id]),
        )
        .collect();
    assert!(
        staff_doors.len() > 4,
        "the test property offers staff cards no floors or doors"
    );
    let choices = Choices {
        now,
        rooms,
        spaces,
        entrances,
        common_areas,
        staff_doors,
    };

    let mut figures = Figures::new("command_input", 0);
    let tally = RefCell::new(Tally::default());
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let commands = command(&choices);
    let result = runner.run(&commands, |(who, command)| {
        let mut tally = tally.borrow_mut();
        let before = snapshot(&files.database());
        let known = Known::from(&before);
        let described = format!("{who:?} {command:.200?}");
        let operator = match who {
            Who::Manager => &manager,
            Who::Receptionist => &receptionist,
        };
        let needs_manager = command.needs_manager();
        let is_read = command.is_read();
        let outcome = run(&opened, operator, now, &tally.stays, &known, command);
        let changed = || snapshot(&files.database()) != before;
        match outcome {
            Ok(made) => {
                tally.ok += 1;
                if who == Who::Receptionist && needs_manager {
                    tally
                        .problems
                        .push(format!("a receptionist did a manager's work: {described}"));
                }
                if is_read {
                    tally.reads += 1;
                    if changed() {
                        tally
                            .problems
                            .push(format!("a read changed the records: {described}"));
                    }
                }
                tally.stays.extend(made);
            }
            Err(error) => {
                tally.refused += 1;
                let wire = error.to_wire();
                if wire.error_type == "forbidden" {
                    tally.forbidden += 1;
                }
                let mut problem = |what: &str| {
                    tally
                        .problems
                        .push(format!("{what}: {described} -> {wire:?}"))
                };
                if wire.status >= 500 {
                    problem("a server error");
                }
                if wire.message.trim().is_empty() {
                    problem("no message");
                }
                if wire.error_type == "invalid_input" && wire.field.is_none() {
                    problem("a validation error that names no field");
                }
                if who == Who::Receptionist && needs_manager && wire.error_type != "forbidden" {
                    problem("a receptionist refused a manager's work for another reason");
                }
                if changed() {
                    problem("a refused command changed the records");
                }
            }
        }
        Ok(())
    });
    let tally = tally.into_inner();
    if let Err(error) = result {
        figures.losses += 1;
        println!("proptest: {error}");
    }
    figures.runs = tally.ok + tally.refused;
    figures.faults_injected = tally.refused;
    figures.losses += tally.problems.len() as u64;
    figures.count("accepted", tally.ok);
    figures.count("refused", tally.refused);
    figures.count("reads", tally.reads);
    figures.count("forbidden", tally.forbidden);
    figures.print();
    assert!(
        tally.problems.is_empty(),
        "{}",
        tally.problems[..tally.problems.len().min(10)].join("\n")
    );
    assert_eq!(figures.losses, 0);
    assert!(
        tally.ok > 0,
        "no command was accepted: the harness tests nothing"
    );
}
