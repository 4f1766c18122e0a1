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
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use engine::model::TimeFrame;
use frontdesk::{
    AddGuest, CheckIn, FrontDesk, NewGuest, Operator, Permission, PlannedChange, Role, StaffAccess,
    StaffChange, StaffDoorChoices,
};
use proptest::prelude::*;
use proptest::sample::Index;
use reliability::desk::{self, DeskFiles, OpenDesk, ROOMS};
use reliability::figures::Figures;
use uuid::Uuid;

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

/// Instants from year -262,143 to year 262,142 (the first and last a date can hold),
/// clustered around now where the rules decide, and within two hours of either end, where a
/// time zone's offset leaves the calendar.
fn instant(now: DateTime<Utc>) -> impl Strategy<Value = DateTime<Utc>> {
    let earliest = DateTime::<Utc>::MIN_UTC.timestamp();
    let latest = DateTime::<Utc>::MAX_UTC.timestamp();
    prop_oneof![
        8 => (-3i64 * 24..30 * 24).prop_map(move |hours| now + Duration::hours(hours)),
        2 => (earliest..latest)
            .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).unwrap_or_default()),
        1 => (0i64..7200, any::<bool>()).prop_map(|(seconds, last)| if last {
            DateTime::<Utc>::MAX_UTC - Duration::seconds(seconds)
        } else {
            DateTime::<Utc>::MIN_UTC + Duration::seconds(seconds)
        }),
    ]
}

/// A stay's or a staff card's time: mostly as the desk's forms make it, else any two instants.
fn frame(now: DateTime<Utc>) -> impl Strategy<Value = (DateTime<Utc>, DateTime<Utc>)> {
    prop_oneof![
        2 => (-48i64..48, 1i64..24 * 400).prop_map(move |(from, hours)| {
            let starts_at = now + Duration::hours(from);
            (starts_at, starts_at + Duration::hours(hours))
        }),
        1 => (instant(now), instant(now)),
    ]
}

/// Days around today, any day from the calendar's first to its last, and days near either
/// end.
fn day(today: NaiveDate) -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::MIN.num_days_from_ce();
    let last = NaiveDate::MAX.num_days_from_ce();
    prop_oneof![
        4 => (-400i64..400).prop_map(move |offset| {
            let days = Days::new(offset.unsigned_abs());
            if offset < 0 { today - days } else { today + days }
        }),
        1 => (first..=last)
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap_or_default()),
        1 => (0u64..100, any::<bool>()).prop_map(|(days, last)| if last {
            NaiveDate::MAX - Days::new(days)
        } else {
            NaiveDate::MIN + Days::new(days)
        }),
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

/// An id made earlier in the run, found in the records as the call is made: one of those
/// the call is about (a staff entry, a card to encode…), one of another kind (a guest's
/// grant for a staff call), or one nothing has.
#[derive(Debug, Clone)]
enum Made {
    Fitting(Index),
    Other(Index),
    Unknown(u128),
}

fn made() -> impl Strategy<Value = Made> {
    prop_oneof![
        4 => any::<Index>().prop_map(Made::Fitting),
        1 => any::<Index>().prop_map(Made::Other),
        1 => any::<u128>().prop_map(Made::Unknown),
    ]
}

/// The plastic of a card: a UID the desk wrote (out of use, or any), or text.
#[derive(Debug, Clone)]
enum Plastic {
    Made(Made),
    Typed(String),
}

fn plastic() -> impl Strategy<Value = Plastic> {
    prop_oneof![
        3 => made().prop_map(Plastic::Made),
        1 => prop_oneof![text(), "[0-9A-F]{8,14}"].prop_map(Plastic::Typed),
    ]
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

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Manager,
    Receptionist,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![3 => Just(Who::Manager), 1 => Just(Who::Receptionist)]
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

/// A check-in as the desk's form makes it (a room, the common areas it offers, a few nights,
/// one to three guests) but for its text: most are accepted, so that later commands find
/// stays to work on.
fn plausible_check_in(choices: &Choices) -> impl Strategy<Value = Command> + use<> {
    let now = choices.now;
    (
        prop::sample::select(choices.rooms.clone()),
        0i64..48,
        1i64..10,
        prop::collection::vec(guest(), 1..4),
        prop::sample::subsequence(choices.common_areas.clone(), 0..=choices.common_areas.len()),
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

/// Commands on stays.
fn stay_command(choices: &Choices) -> BoxedStrategy<Command> {
    let now = choices.now;
    let room = || pick_id(&choices.rooms);
    let entrance_list = || prop::collection::vec(pick_id(&choices.entrances), 0..4);
    prop_oneof![
        6 => plausible_check_in(choices),
        6 => (
            room(),
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
        2 => (pick_key(), room()).prop_map(|(key, to)| Command::MoveStay(key, to)),
        2 => (pick_key(), prop::option::of(instant(now)), prop::option::of(instant(now)))
            .prop_map(|(key, starts, ends)| Command::ChangeDates(key, starts, ends)),
        1 => pick_key().prop_map(Command::ReissueStay),
        1 => pick_key().prop_map(Command::RemakeCards),
        2 => pick_key().prop_map(Command::CheckOut),
        1 => any::<u128>().prop_map(|id| Command::ReportCardLost(Uuid::from_u128(id))),
    ]
    .boxed()
}

/// The prediction asked before a check-in, a move or a change of dates.
fn predict_command(choices: &Choices) -> BoxedStrategy<Command> {
    let now = choices.now;
    let space = || pick_id(&choices.spaces);
    prop_oneof![
        2 => (
            space(),
            frame(now),
            prop::collection::vec(text(), 0..3),
            prop::option::of(pick_key()),
        )
            .prop_map(|(space_id, (starts_at, ends_at), guests, joins)| Plan::CheckIn {
                space_id,
                starts_at,
                ends_at,
                guests,
                joins,
            }),
        1 => (pick_key(), space()).prop_map(|(key, to)| Plan::Move(key, to)),
        1 => (pick_key(), prop::option::of(instant(now)), prop::option::of(instant(now)))
            .prop_map(|(key, starts, ends)| Plan::ChangeDates(key, starts, ends)),
    ]
    .prop_map(Command::Predict)
    .boxed()
}

/// Cards: encoded, cancel cards, and cards out of use.
fn card_command(choices: &Choices) -> BoxedStrategy<Command> {
    prop_oneof![
        3 => made().prop_map(Command::EncodeCard),
        1 => prop::collection::vec(pick_id(&choices.entrances), 0..4)
            .prop_map(Command::EncodeCancelCard),
        1 => plastic().prop_map(Command::CardCollected),
        1 => plastic().prop_map(Command::CardLost),
        1 => pick_id(&choices.spaces).prop_map(Command::RoomCardsOut),
    ]
    .boxed()
}

/// The timeline, the search and the check-in form for a day.
fn view_command(choices: &Choices) -> BoxedStrategy<Command> {
    let today = choices.now.date_naive();
    prop_oneof![
        1 => (day(today), prop_oneof![4 => 1u32..=92, 1 => count()])
            .prop_map(|(from, days)| Command::Timeline(from, days)),
        1 => prop_oneof![
            2 => text().prop_map(Some),
            1 => "(Room )?[0-9]{1,3}".prop_map(Some),
            1 => Just(None),
        ]
        .prop_map(Command::FindStays),
        1 => pick_key().prop_map(Command::PastStay),
        1 => (pick_id(&choices.spaces), prop::option::of(day(today)))
            .prop_map(|(space, day)| Command::CheckInOptions(space, day)),
    ]
    .boxed()
}

/// The doors of a staff card as the staff screen picks them (whole groups and single doors,
/// mixed, repeated), or any door, or a door that does not exist.
fn staff_doors(choices: &Choices) -> impl Strategy<Value = Vec<Uuid>> + use<> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(choices.staff_doors.clone()),
            1 => pick_id(&choices.entrances).prop_map(|door| vec![door]),
        ],
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn staff_command(choices: &Choices) -> BoxedStrategy<Command> {
    let now = choices.now;
    prop_oneof![
        1 => Just(Command::StaffDoorChoices),
        4 => (text(), staff_doors(choices), frame(now)).prop_map(|(name, doors, (starts, ends))| {
            Command::IssueStaffAccess(name, doors, starts, ends)
        }),
        3 => (
            made(),
            prop::option::of(text()),
            prop::option::of(staff_doors(choices)),
            prop::option::of(instant(now)),
            prop::option::of(instant(now)),
        )
            .prop_map(|(entry, full_name, doors, starts_at, ends_at)| {
                Command::UpdateStaffAccess {
                    entry,
                    full_name,
                    doors,
                    starts_at,
                    ends_at,
                }
            }),
        1 => made().prop_map(Command::RevokeStaffAccess),
        1 => made().prop_map(Command::DeleteStaffAccess),
        1 => made().prop_map(Command::ReportStaffCardLost),
    ]
    .boxed()
}

fn command(choices: &Choices) -> BoxedStrategy<(Who, Command)> {
    let operators = prop_oneof![
        // Argon2 makes these slow: fewer of them.
        1 => (text(), "[0-9a-z]{0,10}", any::<bool>())
            .prop_map(|(name, pin, manager)| Command::CreateOperator(name, pin, manager)),
        1 => (text(), "[0-9]{0,9}").prop_map(|(name, pin)| Command::SignIn(name, pin)),
    ];
    let commands = prop_oneof![
        24 => stay_command(choices),
        6 => predict_command(choices),
        7 => card_command(choices),
        3 => view_command(choices),
        11 => staff_command(choices),
        2 => operators,
    ];
    (who(), commands).boxed()
}

type Row = BTreeMap<String, Option<String>>;
type Snapshot = Vec<Vec<Row>>;

fn snapshot(db: &std::path::Path) -> Snapshot {
    let store = store::Store::open(db).unwrap();
    store
        .read(|r| RECORDS.iter().map(|table| r.table_rows(table)).collect())
        .unwrap()
}

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

impl Known {
    fn from(records: &Snapshot) -> Self {
        let table = |name: &str| &records[RECORDS.iter().position(|table| *table == name).unwrap()];
        let get = |row: &Row, column: &str| row.get(column).cloned().flatten();
        let id = |row: &Row, column: &str| get(row, column).and_then(|id| id.parse::<Uuid>().ok());
        let staff: BTreeSet<String> = table("user_identities")
            .iter()
            .filter(|user| get(user, "kind").as_deref() == Some("staff"))
            .filter_map(|user| get(user, "id"))
            .collect();
        let mut known = Self::default();
        let mut staff_grants = BTreeSet::new();
        for grant in table("access_grants") {
            let Some(grant_id) = id(grant, "id") else {
                continue;
            };
            if get(grant, "user_identity_id").is_some_and(|user| staff.contains(&user)) {
                staff_grants.insert(grant_id);
                known.staff_entries.push(grant_id);
            } else {
                known.guest_grants.push(grant_id);
            }
        }
        let mut revoked = BTreeSet::new();
        for method in table("access_methods") {
            let Some(method_id) = id(method, "id") else {
                continue;
            };
            known.access_methods.push(method_id);
            let card = get(method, "mode").as_deref() == Some("card");
            let issued = get(method, "issued_at").is_some();
            if get(method, "revoked_at").is_some() {
                revoked.insert(method_id);
            }
            if card && !issued && get(method, "revoked_at").is_none() {
                known.cards_to_encode.push(method_id);
            }
            if card && issued {
                let of_staff = id(method, "access_grant_id")
                    .is_some_and(|grant| staff_grants.contains(&grant));
                if of_staff {
                    known.staff_cards.push(method_id);
                } else {
                    known.guest_cards.push(method_id);
                }
            }
        }
        for card in table("cards") {
            let Some(uid) = get(card, "card_uid") else {
                continue;
            };
            let out_of_use = get(card, "superseded_at").is_some()
                || id(card, "access_method_id").is_some_and(|method| revoked.contains(&method));
            if out_of_use && get(card, "collected_at").is_none() {
                known.plastic_out.push(uid.clone());
            }
            known.plastic.push(uid);
        }
        known
    }
}

/// The id `made` stands for: of `fitting`, of `other`, or one nothing has.
fn resolve<T: Clone>(made: &Made, fitting: &[T], other: &[T], unknown: impl Fn(u128) -> T) -> T {
    let pick = |pool: &[T], index: &Index| (!pool.is_empty()).then(|| index.get(pool).clone());
    match made {
        Made::Fitting(index) => pick(fitting, index).or_else(|| pick(other, index)),
        Made::Other(index) => pick(other, index),
        Made::Unknown(_) => None,
    }
    // Nothing of that kind made yet: the nil id, which nothing has.
    .unwrap_or_else(|| match made {
        Made::Unknown(id) => unknown(*id),
        Made::Fitting(_) | Made::Other(_) => unknown(0),
    })
}

/// The staff entry `id` as the staff screen lists it: what the staff commands answer.
fn staff_entry(
    desk: &FrontDesk,
    operator: &Operator,
    now: DateTime<Utc>,
    id: Uuid,
) -> frontdesk::Result<StaffAccess> {
    desk.staff_access(operator, now)?
        .into_iter()
        .find(|staff| staff.access_grant_id == id)
        .ok_or_else(|| frontdesk::Error::NotFound {
            resource: "access_grant",
            id: id.to_string(),
        })
}

/// What a command that made no stay answers.
fn no_stay<T>(_: T) -> Option<String> {
    None
}

/// Runs `command` as its desktop command would; `Ok` carries the stay's key when it made one.
fn run(
    opened: &OpenDesk,
    operator: &Operator,
    now: DateTime<Utc>,
    stays: &[String],
    known: &Known,
    command: Command,
) -> frontdesk::Result<Option<String>> {
    let desk: &FrontDesk = &opened.desk;
    let station = &opened.station;
    // A `None` key stands for the newest stay, when there is one.
    let key = |key: Option<String>| key.or_else(|| stays.last().cloned()).unwrap_or_default();
    let id = |made: &Made, fitting: &[Uuid], other: &[Uuid]| {
        resolve(made, fitting, other, Uuid::from_u128)
    };
    let plastic = |plastic: Plastic| match plastic {
        Plastic::Made(made) => resolve(&made, &known.plastic_out, &known.plastic, |id| {
            format!("{id:032X}")
        }),
        Plastic::Typed(text) => text,
    };
    match command {
        Command::CheckIn(request) => desk
            .check_in(operator, now, &request)
            .map(|stay| Some(stay.reservation_key)),
        Command::AddGuest(reservation_key, guest, rooms, common, cards) => desk
            .add_guest(
                operator,
                now,
                &AddGuest {
                    reservation_key: key(reservation_key),
                    guest,
                    room_entrance_ids: rooms,
                    common_entrance_ids: common,
                    cards,
                },
            )
            .map(no_stay),
        Command::MoveStay(reservation_key, to) => desk
            .move_stay(operator, now, &key(reservation_key), to, true)
            .map(no_stay),
        Command::ChangeDates(reservation_key, starts, ends) => desk
            .change_dates(operator, now, &key(reservation_key), starts, ends, true)
            .map(no_stay),
        Command::ReissueStay(reservation_key) => desk
            .reissue_stay(operator, now, &key(reservation_key))
            .map(no_stay),
        Command::RemakeCards(reservation_key) => desk
            .remake_cards(operator, now, &key(reservation_key))
            .map(no_stay),
        Command::CheckOut(reservation_key) => desk
            .check_out(operator, now, &key(reservation_key))
            .map(no_stay),
        Command::ReportCardLost(id) => desk.report_card_lost(operator, now, id).map(no_stay),
        Command::Predict(plan) => {
            let change = match plan {
                Plan::CheckIn {
                    space_id,
                    starts_at,
                    ends_at,
                    guests,
                    joins,
                } => PlannedChange::CheckIn {
                    space_id,
                    starts_at,
                    ends_at,
                    guests,
                    reservation_key: joins.map(key),
                },
                Plan::Move(reservation_key, to_space_id) => PlannedChange::Move {
                    reservation_key: key(reservation_key),
                    to_space_id,
                },
                Plan::ChangeDates(reservation_key, starts_at, ends_at) => {
                    PlannedChange::ChangeDates {
                        reservation_key: key(reservation_key),
                        starts_at,
                        ends_at,
                    }
                }
            };
            desk.predict(operator, now, &change).map(no_stay)
        }
        Command::EncodeCard(made) => {
            let card = id(&made, &known.cards_to_encode, &known.access_methods);
            operator.require(Permission::FrontDesk)?;
            desk.take_blank_for(station, &[card])?;
            desk.encode_cards(&operator.context(now), station, &[card], &mut |_| {})
                .map(no_stay)
        }
        Command::EncodeCancelCard(doors) => {
            operator.require(Permission::FrontDesk)?;
            desk.take_blank_for(station, &[])?;
            desk.encode_cancel_card(&operator.context(now), station, &doors, &mut |_, _| {})
                .map(no_stay)
        }
        Command::CardCollected(card) => desk
            .card_collected(operator, now, &plastic(card))
            .map(no_stay),
        Command::CardLost(card) => desk.card_lost(operator, now, &plastic(card)).map(no_stay),
        Command::RoomCardsOut(space_id) => {
            desk.room_cards_out(operator, space_id, now).map(no_stay)
        }
        Command::Timeline(from, days) => desk.timeline(operator, from, days, now).map(no_stay),
        Command::FindStays(query) => desk.find_stays(operator, &key(query), now).map(no_stay),
        Command::PastStay(reservation_key) => desk
            .past_stay(operator, &key(reservation_key), now)
            .map(no_stay),
        Command::CheckInOptions(space_id, day) => match day {
            Some(day) => desk.check_in_options_on(operator, space_id, day, now),
            None => desk.check_in_options(operator, space_id, now),
        }
        .map(no_stay),
        Command::StaffDoorChoices => desk.staff_door_choices(operator).map(no_stay),
        Command::IssueStaffAccess(name, doors, starts_at, ends_at) => {
            let grant = desk.issue_staff_access(
                operator,
                now,
                &name,
                &doors,
                TimeFrame::new(starts_at, ends_at),
            )?;
            staff_entry(desk, operator, now, grant.id).map(no_stay)
        }
        Command::UpdateStaffAccess {
            entry,
            full_name,
            doors,
            starts_at,
            ends_at,
        } => {
            let change = StaffChange {
                access_grant_id: id(&entry, &known.staff_entries, &known.guest_grants),
                full_name,
                acs_entrance_ids: doors,
                starts_at,
                ends_at,
            };
            let grant = desk.update_staff_access(operator, now, &change)?;
            staff_entry(desk, operator, now, grant.id).map(no_stay)
        }
        Command::RevokeStaffAccess(entry) => {
            let entry = id(&entry, &known.staff_entries, &known.guest_grants);
            desk.revoke_staff_access(operator, now, entry)?;
            // Listed while its card is out, else gone from the list: both are fine.
            let _listed = staff_entry(desk, operator, now, entry).ok();
            Ok(None)
        }
        Command::DeleteStaffAccess(entry) => {
            let entry = id(&entry, &known.staff_entries, &known.guest_grants);
            desk.delete_staff_access(operator, now, entry).map(no_stay)
        }
        Command::ReportStaffCardLost(card) => {
            let card = id(&card, &known.staff_cards, &known.guest_cards);
            desk.report_staff_card_lost(operator, now, card)
                .map(no_stay)
        }
        Command::CreateOperator(name, pin, is_manager) => {
            let role = if is_manager {
                Role::Manager
            } else {
                Role::Receptionist
            };
            desk.create_operator(operator, now, &name, &pin, role)
                .map(no_stay)
        }
        Command::SignIn(name, pin) => desk
            .sign_in(&operator.context(now), &name, &pin)
            .map(no_stay),
    }
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
