//! Bad-input harness for the desktop app's commands: each command is a one-line call of a
//! use case (`src-tauri/src/commands.rs`), so random arguments go straight to those use
//! cases: names and keys with control characters or hundreds of thousands of characters,
//! dates from year 1 to year 262,000, counts up to `u32::MAX`, ids that exist and ids that
//! do not. No call may panic or fail with a 5xx; every `invalid_input` names its field;
//! and a refused call leaves every record as it was.
//!
//! 200 calls by default, 2,000 with `RELIABILITY_FULL=1`.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;

use chrono::{DateTime, Duration, Utc};
use engine::model::TimeFrame;
use frontdesk::{AddGuest, CheckIn, FrontDesk, NewGuest, Operator, Role};
use proptest::prelude::*;
use reliability::desk::{self, DeskFiles, ROOMS};
use reliability::figures::Figures;
use uuid::Uuid;

/// The tables a refused command must leave alone (the audit log records the refusal, and a
/// wrong PIN counts towards a lock-out, so neither is among them).
const RECORDS: [&str; 8] = [
    "access_grants",
    "access_methods",
    "reservations",
    "reservation_doors",
    "user_identities",
    "operators",
    "cards",
    "encode_operations",
];

/// Text as people and programs type it, and as they should not.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z][A-Za-z .'-]{0,30}",
        2 => any::<String>(),
        1 => "[\\x00-\\x1f\\x7f\\u{200b}\\u{202e}a-z]{0,12}",
        1 => (1_000usize..200_000).prop_map(|length| "x".repeat(length)),
        1 => Just(String::new()),
    ]
}

/// Instants from year 1 to year 262,000, clustered around now where the rules decide.
fn instant(now: DateTime<Utc>) -> impl Strategy<Value = DateTime<Utc>> {
    let earliest = DateTime::<Utc>::MIN_UTC.timestamp();
    let latest = DateTime::<Utc>::MAX_UTC.timestamp();
    prop_oneof![
        4 => (-3i64 * 24..30 * 24).prop_map(move |hours| now + Duration::hours(hours)),
        1 => (earliest..latest)
            .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).unwrap_or_default()),
    ]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..4, 1 => any::<u32>()]
}

/// One of the desk's real ids (by index into the ones given), or one nothing has.
fn pick_id(known: &[Uuid]) -> impl Strategy<Value = Uuid> + use<> {
    let known = known.to_vec();
    prop_oneof![
        3 => (0..known.len()).prop_map(move |index| known[index]),
        1 => any::<u128>().prop_map(Uuid::from_u128),
    ]
}

/// A reservation key of a stay made earlier in the run, or text.
fn pick_key() -> impl Strategy<Value = Option<String>> {
    prop_oneof![3 => Just(None), 1 => text().prop_map(Some)]
}

fn guest() -> impl Strategy<Value = NewGuest> {
    (text(), prop::option::of(text()), prop::option::of(text())).prop_map(
        |(full_name, email_address, phone_number)| NewGuest {
            full_name,
            email_address,
            phone_number,
        },
    )
}

/// One command with its arguments; `None` keys stand for a stay made earlier in the run.
#[derive(Debug, Clone)]
enum Command {
    CheckIn(CheckIn),
    AddGuest(Option<String>, NewGuest, Option<Vec<Uuid>>, Vec<Uuid>, u32),
    MoveStay(Option<String>, Uuid),
    ChangeDates(Option<String>, Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    ReissueStay(Option<String>),
    CheckOut(Option<String>),
    ReportCardLost(Uuid),
    IssueStaffAccess(String, Vec<Uuid>, DateTime<Utc>, DateTime<Utc>),
    CreateOperator(String, String, bool),
    SignIn(String, String),
}

/// A check-in as the desk's form makes it (a room, the common areas it offers, a few nights,
/// one to three guests) but for its text: most are accepted, so that later commands find
/// stays to work on.
fn plausible_check_in(
    now: DateTime<Utc>,
    spaces: &[Uuid],
    common_areas: &[Uuid],
) -> impl Strategy<Value = Command> + use<> {
    let spaces = spaces.to_vec();
    (
        prop::sample::select(spaces),
        0i64..48,
        1i64..10,
        prop::collection::vec(guest(), 1..4),
        prop::sample::subsequence(common_areas.to_vec(), 0..=common_areas.len()),
        1u32..3,
    )
        .prop_map(move |(space_id, from, nights, guests, common, cards)| {
            let starts_at = now + Duration::hours(from);
            Command::CheckIn(CheckIn {
                space_id,
                starts_at,
                ends_at: starts_at + Duration::days(nights),
                guests,
                common_entrance_ids: common,
                cards_per_guest: cards,
                reservation_key: None,
                allow_overlap: true,
            })
        })
}

fn command(
    now: DateTime<Utc>,
    spaces: &[Uuid],
    entrances: &[Uuid],
    common_areas: &[Uuid],
) -> BoxedStrategy<Command> {
    let space = || pick_id(spaces);
    let entrance_list = || prop::collection::vec(pick_id(entrances), 0..4);
    prop_oneof![
        6 => plausible_check_in(now, spaces, common_areas),
        6 => (
            space(),
            instant(now),
            instant(now),
            prop::collection::vec(guest(), 0..4),
            entrance_list(),
            count(),
            pick_key(),
            any::<bool>(),
        )
            .prop_map(
                |(space_id, starts_at, ends_at, guests, common, cards, key, allow_overlap)| {
                Command::CheckIn(CheckIn {
                    space_id,
                    starts_at,
                    ends_at,
                    guests,
                    common_entrance_ids: common,
                    cards_per_guest: cards,
                    reservation_key: key,
                    allow_overlap,
                })
            }),
        3 => (pick_key(), guest(), prop::option::of(entrance_list()), entrance_list(), count())
            .prop_map(|(key, guest, rooms, common, cards)| {
                Command::AddGuest(key, guest, rooms, common, cards)
            }),
        2 => (pick_key(), space()).prop_map(|(key, to)| Command::MoveStay(key, to)),
        2 => (pick_key(), prop::option::of(instant(now)), prop::option::of(instant(now)))
            .prop_map(|(key, starts, ends)| Command::ChangeDates(key, starts, ends)),
        1 => pick_key().prop_map(Command::ReissueStay),
        1 => pick_key().prop_map(Command::CheckOut),
        1 => any::<u128>().prop_map(|id| Command::ReportCardLost(Uuid::from_u128(id))),
        2 => (text(), entrance_list(), instant(now), instant(now))
            .prop_map(|(name, doors, starts, ends)| Command::IssueStaffAccess(name, doors, starts, ends)),
        // Argon2 makes these slow: fewer of them.
        1 => (text(), "[0-9a-z]{0,10}", any::<bool>())
            .prop_map(|(name, pin, manager)| Command::CreateOperator(name, pin, manager)),
        1 => (text(), "[0-9]{0,9}").prop_map(|(name, pin)| Command::SignIn(name, pin)),
    ]
    .boxed()
}

/// Runs `command` as its desktop command would; `Ok` carries the stay's key when it made one.
fn run(
    desk: &FrontDesk,
    manager: &Operator,
    now: DateTime<Utc>,
    stays: &[String],
    command: Command,
) -> frontdesk::Result<Option<String>> {
    // A `None` key stands for the newest stay, when there is one.
    let key = |key: Option<String>| key.or_else(|| stays.last().cloned()).unwrap_or_default();
    match command {
        Command::CheckIn(request) => desk
            .check_in(manager, now, &request)
            .map(|stay| Some(stay.reservation_key)),
        Command::AddGuest(reservation_key, guest, rooms, common, cards) => desk
            .add_guest(
                manager,
                now,
                &AddGuest {
                    reservation_key: key(reservation_key),
                    guest,
                    room_entrance_ids: rooms,
                    common_entrance_ids: common,
                    cards,
                },
            )
            .map(|_| None),
        Command::MoveStay(reservation_key, to) => desk
            .move_stay(manager, now, &key(reservation_key), to, true)
            .map(|_| None),
        Command::ChangeDates(reservation_key, starts, ends) => desk
            .change_dates(manager, now, &key(reservation_key), starts, ends, true)
            .map(|_| None),
        Command::ReissueStay(reservation_key) => desk
            .reissue_stay(manager, now, &key(reservation_key))
            .map(|_| None),
        Command::CheckOut(reservation_key) => desk
            .check_out(manager, now, &key(reservation_key))
            .map(|_| None),
        Command::ReportCardLost(id) => desk.report_card_lost(manager, now, id).map(|_| None),
        Command::IssueStaffAccess(name, doors, starts_at, ends_at) => desk
            .issue_staff_access(
                manager,
                now,
                &name,
                &doors,
                TimeFrame { starts_at, ends_at },
            )
            .map(|_| None),
        Command::CreateOperator(name, pin, is_manager) => {
            let role = if is_manager {
                Role::Manager
            } else {
                Role::Receptionist
            };
            desk.create_operator(manager, now, &name, &pin, role)
                .map(|_| None)
        }
        Command::SignIn(name, pin) => desk
            .sign_in(&manager.context(now), &name, &pin)
            .map(|_| None),
    }
}

type Snapshot = Vec<Vec<std::collections::BTreeMap<String, Option<String>>>>;

fn snapshot(db: &std::path::Path) -> Snapshot {
    let store = store::Store::open(db).unwrap();
    store
        .read(|r| RECORDS.iter().map(|table| r.table_rows(table)).collect())
        .unwrap()
}

#[derive(Default)]
struct Tally {
    ok: u64,
    refused: u64,
    stays: Vec<String>,
    problems: Vec<String>,
}

#[test]
fn random_command_input_is_refused_by_field_and_changes_nothing() {
    let cases = if reliability::full_run() { 2_000 } else { 200 };
    let now = Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let files = DeskFiles::new(dir.path());
    let opened = desk::open(&files, "commands", now).unwrap();
    let desk = &opened.desk;
    let manager = desk
        .create_first_manager(&frontdesk::Context::new("workstation", now), "Mia", "2468")
        .unwrap();
    let spaces: Vec<Uuid> = ROOMS
        .iter()
        .map(|key| desk::space_id(desk, key).unwrap())
        .collect();
    let entrances: Vec<Uuid> = desk
        .entrances(None, None)
        .unwrap()
        .iter()
        .map(|entrance| entrance.id)
        .collect();

    let mut figures = Figures::new("command_input", 0);
    let tally = RefCell::new(Tally::default());
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let common_areas: Vec<Uuid> = desk
        .check_in_options(&manager, spaces[0], now)
        .unwrap()
        .common_areas
        .iter()
        .map(|option| option.acs_entrance_id)
        .collect();
    let commands = command(now, &spaces, &entrances, &common_areas);
    let result = runner.run(&commands, |command| {
        let mut tally = tally.borrow_mut();
        let before = snapshot(&files.database());
        let described = format!("{command:.200?}");
        match run(desk, &manager, now, &tally.stays, command) {
            Ok(made) => {
                tally.ok += 1;
                tally.stays.extend(made);
            }
            Err(error) => {
                tally.refused += 1;
                let wire = error.to_wire();
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
                if snapshot(&files.database()) != before {
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
