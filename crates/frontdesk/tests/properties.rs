//! Property-based tests: random sequences of front-desk operations (create, update and delete
//! grants; copy, encode, collect and revoke access methods; the clock moving on) through the
//! real use cases on a real SQLite database. After every operation the whole database is
//! read back and checked against the invariants of `docs/domain.md`, and a small model of the
//! reservations predicts whether each operation goes through and, if not, with which error.
// Helpers outside #[test] functions unwrap too; requests and errors are kept unboxed.
#![allow(
    clippy::unwrap_used,
    clippy::result_large_err,
    clippy::large_enum_variant
)]

mod support;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use engine::model::{AccessMode, OPEN_END, RequestedAccessMethod, TimeFrame, UserKind};
use frontdesk::{
    AccessGrantRecord, AccessMethodRecord, Context, CreateAccessGrant, EntranceRecord, SpaceRecord,
    UpdateAccessGrant, WireError,
};
use proptest::prelude::*;
use proptest::sample::Index;
use store::Store;
use support::Desk;
use uuid::Uuid;

/// One row of a table, column name to value as text.
type Row = BTreeMap<String, Option<String>>;

/// Every table the use cases write, except the audit log (which refusals may grow).
const DATA_TABLES: [&str; 12] = [
    "property",
    "access_systems",
    "spaces",
    "entrances",
    "entrance_spaces",
    "user_identities",
    "reservations",
    "reservation_doors",
    "access_grants",
    "access_grant_entrances",
    "access_methods",
    "warnings",
];

/// Tables whose row count may never go down: nothing is ever deleted.
const GROWING_TABLES: [&str; 5] = [
    "access_grants",
    "access_grant_entrances",
    "access_methods",
    "reservations",
    "reservation_doors",
];

const KEYS: [&str; 4] = ["k1", "k2", "k3", "k4"];
const ACTORS: [&str; 3] = ["desk", "api-client", "night-audit"];
const NAMES: [&str; 3] = ["Late checkout", "Room move", ""];
/// Frames are built from slots of six hours around `origin()`, so that stays often touch.
const SLOT_HOURS: i64 = 6;

/// The fixed `now` every sequence starts at.
fn origin() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 10, 12, 0, 0).unwrap()
}

fn slot(n: i64) -> DateTime<Utc> {
    origin() + Duration::hours(n * SLOT_HOURS)
}

// ---------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------

/// Something that already exists (chosen among what the sequence made so far), or an id
/// nothing has.
#[derive(Debug, Clone)]
enum Pick {
    Known(Index),
    Unknown,
}

#[derive(Debug, Clone)]
enum Op {
    Create {
        /// 0 and 1 guests, 2 a resident, 3 staff, 4 nobody.
        user: usize,
        /// Entrance keys, then space keys, of the test property.
        entrances: Vec<&'static str>,
        spaces: Vec<&'static str>,
        unknown_entrance: bool,
        start_slot: i64,
        /// `None`: no end.
        length_slots: Option<i64>,
        /// A key of `KEYS`, a blank key, or none.
        key: Option<&'static str>,
        modes: Vec<AccessMode>,
    },
    /// A create aimed at an existing grant's reservation: its key, its reservation-capable
    /// doors (all, one fewer, or one more, maybe with a common door) and a frame near its own.
    Joiner {
        grant: Pick,
        user: usize,
        doors: JoinerDoors,
        start_shift: i64,
        length_slots: i64,
        modes: Vec<AccessMode>,
    },
    /// New times (slots moved from the grant's own, or no end any more), a new name, or both.
    Update {
        grant: Pick,
        start_shift: Option<i64>,
        end_shift: Option<i64>,
        /// Takes the end away (instead of `end_shift`).
        open_end: bool,
        name: Option<&'static str>,
    },
    Delete {
        grant: Pick,
    },
    CopyCard {
        grant: Pick,
    },
    Encode {
        method: Pick,
    },
    Collect {
        method: Pick,
    },
    RevokeMethod {
        method: Pick,
    },
    RevokeMethodsOfGrant {
        grant: Pick,
    },
    RevokeMethodsOfReservation {
        key: &'static str,
    },
    AdvanceClock {
        hours: i64,
    },
}

#[derive(Debug, Clone)]
enum JoinerDoors {
    Same,
    /// Leave one door out (when there is more than one).
    Fewer(Index),
    /// Add a guest door (a superset, unless the door is already there).
    More(&'static str),
    /// Add a common door, which the subset check ignores.
    WithCommon(&'static str),
}

fn joiner_op() -> impl Strategy<Value = Op> {
    (
        pick(),
        prop_oneof![8 => 0..2usize, 4 => Just(2usize), 1 => Just(3usize)],
        prop_oneof![
            4 => Just(JoinerDoors::Same),
            2 => any::<Index>().prop_map(JoinerDoors::Fewer),
            2 => prop::sample::select(GUEST_DOORS.to_vec()).prop_map(JoinerDoors::More),
            1 => prop::sample::select(COMMON_DOORS.to_vec()).prop_map(JoinerDoors::WithCommon),
        ],
        -8..=8i64,
        1..=8i64,
        prop_oneof![6 => Just(vec![AccessMode::Card]), 1 => Just(vec![AccessMode::MobileKey])],
    )
        .prop_map(
            |(grant, user, doors, start_shift, length_slots, modes)| Op::Joiner {
                grant,
                user,
                doors,
                start_shift,
                length_slots,
                modes,
            },
        )
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        12 => any::<Index>().prop_map(Pick::Known),
        1 => Just(Pick::Unknown),
    ]
}

fn mode() -> impl Strategy<Value = AccessMode> {
    prop_oneof![
        16 => Just(AccessMode::Card),
        3 => Just(AccessMode::MobileKey),
        1 => Just(AccessMode::Code),
    ]
}

const ROOMS: [&str; 4] = ["room-101", "room-102", "room-203", "suite-300"];
const COMMON_AREAS: [&str; 4] = ["gym", "pool", "lobby", "parking"];
const GUEST_DOORS: [&str; 5] = [
    "room-101-door",
    "room-102-door",
    "room-203-door",
    "suite-300-main",
    "suite-300-bedroom",
];
const COMMON_DOORS: [&str; 4] = ["gym-door", "pool-door", "lobby-door", "parking-gate"];

/// The entrances and spaces a create targets: mostly one room or one guest door (so that
/// later grants often target the same doors, or a subset of them), sometimes with a common
/// area, sometimes a random mix.
fn targets() -> impl Strategy<Value = (Vec<&'static str>, Vec<&'static str>)> {
    let room = || prop::sample::select(ROOMS.to_vec());
    let guest_door = || prop::sample::select(GUEST_DOORS.to_vec());
    let any_door = || prop::sample::select([&GUEST_DOORS[..], &COMMON_DOORS[..]].concat());
    let any_space = || prop::sample::select([ROOMS, COMMON_AREAS].concat());
    prop_oneof![
        4 => room().prop_map(|space| (Vec::new(), vec![space])),
        3 => guest_door().prop_map(|door| (vec![door], Vec::new())),
        2 => (room(), prop::sample::select(COMMON_DOORS.to_vec()))
            .prop_map(|(space, door)| (vec![door], vec![space])),
        1 => prop::sample::select(COMMON_AREAS.to_vec())
            .prop_map(|space| (Vec::new(), vec![space])),
        2 => (
            prop::collection::vec(any_door(), 0..=2),
            prop::collection::vec(any_space(), 0..=2),
        ),
    ]
}

fn create_op() -> impl Strategy<Value = Op> {
    (
        prop_oneof![8 => 0..2usize, 4 => Just(2usize), 2 => Just(3usize), 1 => Just(4usize)],
        targets(),
        prop::bool::weighted(0.02),
        -2..=16i64,
        prop_oneof![
            1 => (-1..=0i64).prop_map(Some),
            24 => (1..=10i64).prop_map(Some),
            3 => Just(None),
        ],
        prop_oneof![
            8 => Just(Some(KEYS[0])),
            6 => Just(Some(KEYS[1])),
            4 => Just(Some(KEYS[2])),
            2 => Just(Some(KEYS[3])),
            4 => Just(None),
            1 => Just(Some(" ")),
        ],
        prop_oneof![
            1 => Just(Vec::new()),
            16 => mode().prop_map(|mode| vec![mode]),
            4 => prop::collection::vec(mode(), 2),
        ],
    )
        .prop_map(
            |(
                user,
                (entrances, spaces),
                unknown_entrance,
                start_slot,
                length_slots,
                key,
                modes,
            )| {
                Op::Create {
                    user,
                    entrances,
                    spaces,
                    unknown_entrance,
                    start_slot,
                    length_slots,
                    key,
                    modes,
                }
            },
        )
}

fn update_op() -> impl Strategy<Value = Op> {
    let name = || prop::option::weighted(0.3, prop::sample::select(NAMES.to_vec()));
    prop_oneof![
        // Move the whole stay.
        2 => (pick(), -12..=12i64, name()).prop_map(|(grant, shift, name)| Op::Update {
            grant,
            start_shift: Some(shift),
            end_shift: Some(shift),
            open_end: false,
            name,
        }),
        // Take the end away, maybe moving the start.
        1 => (pick(), prop::option::weighted(0.4, -8..=6i64)).prop_map(|(grant, start_shift)| {
            Op::Update {
                grant,
                start_shift,
                end_shift: None,
                open_end: true,
                name: None,
            }
        }),
        // Move either end, or just rename.
        3 => (
            pick(),
            prop::option::weighted(0.6, -8..=6i64),
            prop::option::weighted(0.7, -8..=6i64),
            name(),
        )
            .prop_map(|(grant, start_shift, end_shift, name)| Op::Update {
                grant,
                start_shift,
                end_shift,
                open_end: false,
                name,
            }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => create_op(),
        4 => joiner_op(),
        4 => update_op(),
        3 => pick().prop_map(|grant| Op::Delete { grant }),
        2 => pick().prop_map(|grant| Op::CopyCard { grant }),
        5 => pick().prop_map(|method| Op::Encode { method }),
        2 => pick().prop_map(|method| Op::Collect { method }),
        1 => pick().prop_map(|method| Op::RevokeMethod { method }),
        1 => pick().prop_map(|grant| Op::RevokeMethodsOfGrant { grant }),
        1 => prop::sample::select(vec!["k1", "k2", "k3", "k4", "k9"])
            .prop_map(|key| Op::RevokeMethodsOfReservation { key }),
        2 => (1..=30i64).prop_map(|hours| Op::AdvanceClock { hours }),
    ]
}

/// A sequence of operations, each by one of `ACTORS`.
fn ops(max: usize) -> impl Strategy<Value = Vec<(usize, Op)>> {
    prop::collection::vec((0..ACTORS.len(), op()), 1..max)
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct ModelGrant {
    id: Uuid,
    key: Option<String>,
    reservation_id: Option<Uuid>,
    /// Reservation-capable doors targeted (they carry the reservation's sequence).
    capable: BTreeSet<Uuid>,
    /// Whether a door of an offline system that opens with a card is targeted: only those
    /// go on the desk's cards.
    has_card_door: bool,
    frame: TimeFrame,
    live: bool,
}

#[derive(Debug, Clone)]
struct ModelMethod {
    id: Uuid,
    grant: Uuid,
    mode: AccessMode,
    revoked: bool,
    card_id: Option<String>,
    /// The end written on its card: the grant's end when it was encoded.
    card_until: Option<DateTime<Utc>>,
    /// The ends written on its earlier cards, each replaced by a card on a new blank: they
    /// are still out there.
    replaced_until: Vec<DateTime<Utc>>,
    collected: bool,
    encoding_required: bool,
}

#[derive(Debug, Clone)]
struct ModelReservation {
    id: Uuid,
    doors: BTreeSet<Uuid>,
}

#[derive(Debug, Default)]
struct Model {
    grants: Vec<ModelGrant>,
    methods: Vec<ModelMethod>,
    /// The live reservation of each key.
    reservations: BTreeMap<String, ModelReservation>,
}

/// Where the model expects a new grant to go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Placement {
    Standard,
    Establish,
    Join(Uuid),
}

/// What the model expects of one operation: its audit action and the outcome (the error
/// `type` when refused).
#[derive(Debug)]
struct Expect {
    action: &'static str,
    outcome: Result<Expected, &'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Grant(Placement),
    Updated,
    Deleted,
    NewCard,
    Method,
    Revoked(BTreeSet<Uuid>),
    Nothing,
}

impl Model {
    fn grant(&self, id: Uuid) -> Option<&ModelGrant> {
        self.grants.iter().find(|grant| grant.id == id)
    }

    fn live_grant(&self, id: Uuid) -> Option<&ModelGrant> {
        self.grant(id).filter(|grant| grant.live)
    }

    fn method(&self, id: Uuid) -> Option<&ModelMethod> {
        self.methods.iter().find(|method| method.id == id)
    }

    fn live_methods_of(&self, grant: Uuid) -> BTreeSet<Uuid> {
        self.methods
            .iter()
            .filter(|method| method.grant == grant && !method.revoked)
            .map(|method| method.id)
            .collect()
    }

    fn pick_grant(&self, pick: &Pick) -> Uuid {
        match pick {
            Pick::Known(index) if !self.grants.is_empty() => {
                self.grants[index.index(self.grants.len())].id
            }
            _ => Uuid::new_v4(),
        }
    }

    fn pick_method(&self, pick: &Pick) -> Uuid {
        match pick {
            Pick::Known(index) if !self.methods.is_empty() => {
                self.methods[index.index(self.methods.len())].id
            }
            _ => Uuid::new_v4(),
        }
    }

    fn revoke(&mut self, ids: &BTreeSet<Uuid>) {
        for method in &mut self.methods {
            if ids.contains(&method.id) {
                method.revoked = true;
                method.encoding_required = false;
            }
        }
    }
}

fn text_ok(text: &str) -> bool {
    !text.trim().is_empty()
}

// ---------------------------------------------------------------------------------------
// The world: a front desk on a database, the model, and what history has shown
// ---------------------------------------------------------------------------------------

/// A concrete request, made from an [`Op`] against the current state.
#[derive(Debug)]
enum Request {
    Create(CreateAccessGrant),
    Update(UpdateAccessGrant),
    Delete(Uuid),
    CopyCard(Uuid),
    Encode(Uuid),
    Collect(Uuid),
    RevokeMethod(Uuid),
    RevokeMethodsOfGrant(Uuid),
    RevokeMethodsOfReservation(&'static str),
    AdvanceClock(i64),
}

#[derive(Debug)]
enum Outcome {
    Grant(AccessGrantRecord),
    Method(AccessMethodRecord),
    Methods(Vec<AccessMethodRecord>),
    Nothing,
}

/// A whole-database snapshot: the data tables, and the audit log apart.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    data: BTreeMap<&'static str, Vec<Row>>,
    audit: Vec<Row>,
}

/// What the database has shown so far, to check that history is never rewritten.
#[derive(Debug, Default)]
struct History {
    /// Each reservation's doors and sequences as last seen (`None`: no card encoded yet).
    reservation_doors: BTreeMap<String, BTreeMap<String, Option<i64>>>,
    /// Each (door, sequence) ever handed out, and to which reservation.
    sequences: BTreeMap<(String, i64), String>,
    /// Cleared reservations, with when.
    cleared: BTreeMap<String, String>,
    /// Access methods ever issued.
    issued: BTreeSet<String>,
    /// Row counts of `GROWING_TABLES`.
    counts: BTreeMap<&'static str, usize>,
}

struct World {
    desk: Desk,
    now: DateTime<Utc>,
    /// (id, kind) of users 0 to 3.
    users: Vec<(Uuid, UserKind)>,
    entrances: Vec<EntranceRecord>,
    spaces: Vec<SpaceRecord>,
    model: Model,
    history: History,
    /// How many operations went through and how many were refused, for the coverage check.
    accepted: usize,
    refused: usize,
}

impl World {
    fn new(store: Store) -> Self {
        let desk = Desk::on(store);
        let users = [
            UserKind::Guest,
            UserKind::Guest,
            UserKind::Resident,
            UserKind::Staff,
        ]
        .into_iter()
        .map(|kind| (desk.user(kind).id, kind))
        .collect();
        let entrances = desk.desk.entrances(None, None).unwrap();
        let spaces = desk.desk.spaces().unwrap();
        assert_eq!(entrances.len(), 9);
        assert_eq!(spaces.len(), 8);
        let mut world = Self {
            desk,
            now: origin(),
            users,
            entrances,
            spaces,
            model: Model::default(),
            history: History::default(),
            accepted: 0,
            refused: 0,
        };
        let snapshot = world.snapshot();
        world.check_invariants(&snapshot, &snapshot, None);
        world.remember(&snapshot);
        world
    }

    fn snapshot(&self) -> Snapshot {
        self.desk
            .desk
            .store()
            .read(|r| {
                let mut data = BTreeMap::new();
                for table in DATA_TABLES {
                    data.insert(table, r.table_rows(table)?);
                }
                Ok::<_, store::Error>(Snapshot {
                    data,
                    audit: r.table_rows("audit_log")?,
                })
            })
            .unwrap()
    }

    /// Entrance ids in the order of their keys, so that a sequence picks the same door
    /// whatever ids the run gave them.
    fn by_key(&self, ids: &BTreeSet<Uuid>) -> Vec<Uuid> {
        self.entrances
            .iter()
            .filter(|entrance| ids.contains(&entrance.id))
            .map(|entrance| entrance.id)
            .collect()
    }

    fn entrance_by_key(&self, key: &str) -> &EntranceRecord {
        self.entrances.iter().find(|e| e.key == key).unwrap()
    }

    fn space_by_key(&self, key: &str) -> &SpaceRecord {
        self.spaces.iter().find(|space| space.key == key).unwrap()
    }

    fn entrance(&self, id: Uuid) -> Option<&EntranceRecord> {
        self.entrances.iter().find(|entrance| entrance.id == id)
    }

    /// Turns an operation into a request on the current state.
    fn request(&self, op: &Op) -> Request {
        match op {
            Op::Create {
                user,
                entrances,
                spaces,
                unknown_entrance,
                start_slot,
                length_slots,
                key,
                modes,
            } => {
                let user_identity_id = Some(
                    self.users
                        .get(*user)
                        .map_or_else(Uuid::new_v4, |(id, _)| *id),
                );
                let mut acs_entrance_ids: Vec<Uuid> = entrances
                    .iter()
                    .map(|key| self.entrance_by_key(key).id)
                    .collect();
                if *unknown_entrance {
                    acs_entrance_ids.push(Uuid::new_v4());
                }
                Request::Create(CreateAccessGrant {
                    user_identity_id,
                    acs_entrance_ids,
                    space_ids: spaces.iter().map(|key| self.space_by_key(key).id).collect(),
                    space_keys: Vec::new(),
                    starts_at: Some(slot(*start_slot)),
                    ends_at: length_slots.map(|length| slot(start_slot + length)),
                    requested_access_methods: modes
                        .iter()
                        .map(|mode| RequestedAccessMethod {
                            mode: *mode,
                            code: None,
                        })
                        .collect(),
                    reservation_key: key.map(str::to_owned),
                    ..Default::default()
                })
            }
            Op::Joiner {
                grant,
                user,
                doors,
                start_shift,
                length_slots,
                modes,
            } => {
                let target = match grant {
                    Pick::Known(index) if !self.model.grants.is_empty() => {
                        Some(&self.model.grants[index.index(self.model.grants.len())])
                    }
                    _ => None,
                };
                let (key, mut entrances, starts_at) = match target {
                    Some(target) => (
                        target.key.clone().unwrap_or_else(|| KEYS[0].to_owned()),
                        self.by_key(&target.capable),
                        target.frame.starts_at,
                    ),
                    None => (
                        KEYS[0].to_owned(),
                        vec![self.entrance_by_key(GUEST_DOORS[0]).id],
                        origin(),
                    ),
                };
                match doors {
                    JoinerDoors::Same => {}
                    JoinerDoors::Fewer(index) => {
                        if entrances.len() > 1 {
                            entrances.remove(index.index(entrances.len()));
                        }
                    }
                    JoinerDoors::More(door) | JoinerDoors::WithCommon(door) => {
                        let id = self.entrance_by_key(door).id;
                        if !entrances.contains(&id) {
                            entrances.push(id);
                        }
                    }
                }
                let starts_at = starts_at + Duration::hours(start_shift * SLOT_HOURS);
                Request::Create(CreateAccessGrant {
                    user_identity_id: Some(self.users[*user].0),
                    acs_entrance_ids: entrances,
                    starts_at: Some(starts_at),
                    ends_at: Some(starts_at + Duration::hours(length_slots * SLOT_HOURS)),
                    requested_access_methods: modes
                        .iter()
                        .map(|mode| RequestedAccessMethod {
                            mode: *mode,
                            code: None,
                        })
                        .collect(),
                    reservation_key: Some(key),
                    ..Default::default()
                })
            }
            Op::Update {
                grant,
                start_shift,
                end_shift,
                open_end,
                name,
            } => {
                let id = self.model.pick_grant(grant);
                let frame = self
                    .model
                    .grant(id)
                    .map_or(TimeFrame::new(slot(0), slot(4)), |grant| grant.frame);
                let shift = |slots: &i64| Duration::hours(slots * SLOT_HOURS);
                // An open end moved is a date again, near the start.
                let end = if frame.is_open_ended() {
                    frame.starts_at + shift(&4)
                } else {
                    frame.ends_at
                };
                Request::Update(UpdateAccessGrant {
                    access_grant_id: id,
                    starts_at: start_shift.as_ref().map(|s| frame.starts_at + shift(s)),
                    ends_at: if *open_end {
                        Some(OPEN_END)
                    } else {
                        end_shift.as_ref().map(|s| end + shift(s))
                    },
                    name: name.map(str::to_owned),
                })
            }
            Op::Delete { grant } => Request::Delete(self.model.pick_grant(grant)),
            Op::CopyCard { grant } => Request::CopyCard(self.model.pick_grant(grant)),
            Op::Encode { method } => Request::Encode(self.model.pick_method(method)),
            Op::Collect { method } => Request::Collect(self.model.pick_method(method)),
            Op::RevokeMethod { method } => Request::RevokeMethod(self.model.pick_method(method)),
            Op::RevokeMethodsOfGrant { grant } => {
                Request::RevokeMethodsOfGrant(self.model.pick_grant(grant))
            }
            Op::RevokeMethodsOfReservation { key } => Request::RevokeMethodsOfReservation(key),
            Op::AdvanceClock { hours } => Request::AdvanceClock(*hours),
        }
    }

    /// What the model expects of `request`, following the validation order of `docs/domain.md`.
    fn expect(&self, request: &Request) -> Expect {
        match request {
            Request::Create(create) => Expect {
                action: "access_grant.create",
                outcome: self.expect_create(create).map(Expected::Grant),
            },
            Request::Update(update) => Expect {
                action: "access_grant.update",
                outcome: self.expect_update(update).map(|()| Expected::Updated),
            },
            Request::Delete(id) => Expect {
                action: "access_grant.delete",
                outcome: match self.model.live_grant(*id) {
                    Some(_) => Ok(Expected::Deleted),
                    None => Err("not_found"),
                },
            },
            Request::CopyCard(id) => Expect {
                action: "access_method.copy",
                outcome: match self.model.live_grant(*id) {
                    None => Err("not_found"),
                    Some(grant) => {
                        let has_card = self
                            .model
                            .methods
                            .iter()
                            .any(|m| m.grant == grant.id && m.mode == AccessMode::Card);
                        if has_card {
                            Ok(Expected::NewCard)
                        } else {
                            Err("invalid_input")
                        }
                    }
                },
            },
            Request::Encode(id) => Expect {
                action: "access_method.encoded",
                outcome: match self.model.method(*id).filter(|m| !m.revoked) {
                    None => Err("not_found"),
                    Some(method) if method.mode != AccessMode::Card => Err("invalid_input"),
                    Some(method)
                        if !self
                            .model
                            .grant(method.grant)
                            .is_some_and(|g| g.has_card_door) =>
                    {
                        Err("invalid_input")
                    }
                    Some(_) => Ok(Expected::Method),
                },
            },
            Request::Collect(id) => Expect {
                action: "access_method.collected",
                outcome: match self.model.method(*id) {
                    None => Err("not_found"),
                    // Only a revoked card that was encoded can come back to the desk.
                    Some(method)
                        if method.mode != AccessMode::Card
                            || method.card_id.is_none()
                            || !method.revoked =>
                    {
                        Err("invalid_input")
                    }
                    Some(_) => Ok(Expected::Method),
                },
            },
            Request::RevokeMethod(id) => Expect {
                action: "access_method.delete",
                outcome: match self.model.method(*id).filter(|m| !m.revoked) {
                    None => Err("not_found"),
                    Some(method) => Ok(Expected::Revoked(BTreeSet::from([method.id]))),
                },
            },
            Request::RevokeMethodsOfGrant(id) => Expect {
                action: "access_method.delete",
                outcome: match self.model.live_grant(*id) {
                    None => Err("not_found"),
                    Some(grant) => Ok(Expected::Revoked(self.model.live_methods_of(grant.id))),
                },
            },
            Request::RevokeMethodsOfReservation(key) => {
                let grants: Vec<_> = self
                    .model
                    .grants
                    .iter()
                    .filter(|g| g.live && g.key.as_deref() == Some(*key))
                    .collect();
                Expect {
                    action: "access_method.delete",
                    outcome: if grants.is_empty() {
                        Err("not_found")
                    } else {
                        Ok(Expected::Revoked(
                            grants
                                .iter()
                                .flat_map(|grant| self.model.live_methods_of(grant.id))
                                .collect(),
                        ))
                    },
                }
            }
            Request::AdvanceClock(_) => Expect {
                action: "",
                outcome: Ok(Expected::Nothing),
            },
        }
    }

    fn expect_create(&self, request: &CreateAccessGrant) -> Result<Placement, &'static str> {
        // 1. Input.
        let user_id = request.user_identity_id.ok_or("invalid_input")?;
        let (_, kind) = self
            .users
            .iter()
            .find(|(id, _)| *id == user_id)
            .ok_or("invalid_input")?;
        let mut targeted = BTreeSet::new();
        for id in &request.acs_entrance_ids {
            self.entrance(*id).ok_or("invalid_input")?;
            targeted.insert(*id);
        }
        for id in &request.space_ids {
            let space = self.spaces.iter().find(|space| space.id == *id).unwrap();
            targeted.extend(space.entrance_ids.iter().copied());
        }
        if targeted.is_empty() {
            return Err("invalid_input");
        }
        let frame = TimeFrame::until(request.starts_at.unwrap_or(self.now), request.ends_at);
        if frame.ends_at <= frame.starts_at || frame.ends_at <= self.now {
            return Err("invalid_input");
        }
        let targeted: Vec<&EntranceRecord> = targeted
            .iter()
            .map(|id| self.entrance(*id).unwrap())
            .collect();
        let modes: BTreeSet<AccessMode> = request
            .requested_access_methods
            .iter()
            .map(|m| m.mode)
            .collect();
        if modes.is_empty()
            || modes
                .iter()
                .any(|mode| !targeted.iter().any(|e| e.modes.contains(mode)))
        {
            return Err("invalid_input");
        }
        if let Some(key) = &request.reservation_key
            && !text_ok(key)
        {
            return Err("invalid_input");
        }
        // 2. Staff.
        if request.reservation_key.is_some() && *kind == UserKind::Staff {
            return Err("staff_credentials_cannot_belong_to_reservation");
        }
        let capable: BTreeSet<Uuid> = targeted
            .iter()
            .filter(|e| e.can_belong_to_reservation)
            .map(|e| e.id)
            .collect();
        let Some(key) = &request.reservation_key else {
            // 4. Guest cards on override-based doors need a key.
            let card_on_capable = targeted
                .iter()
                .any(|e| e.can_belong_to_reservation && e.modes.contains(&AccessMode::Card));
            if *kind != UserKind::Staff && modes.contains(&AccessMode::Card) && card_on_capable {
                return Err("reservation_key_required_for_guest_cards");
            }
            return Ok(Placement::Standard);
        };
        // 3. A key needs a capable door.
        if capable.is_empty() {
            return Err("reservation_key_not_supported");
        }
        // 5. Joiner of a live reservation.
        if let Some(reservation) = self.model.reservations.get(key) {
            if !capable.is_subset(&reservation.doors) {
                return Err(if capable.is_superset(&reservation.doors) {
                    "reservation_joiner_entrance_set_conflict"
                } else {
                    "reservation_entrance_change_requires_cleanup"
                });
            }
            let overlaps = self
                .model
                .grants
                .iter()
                .filter(|g| g.live && g.key.as_deref() == Some(key.as_str()))
                .all(|g| g.frame.overlaps(&frame));
            if !overlaps {
                return Err("reservation_time_frames_must_overlap");
            }
            return Ok(Placement::Join(reservation.id));
        }
        // 6. A new reservation.
        Ok(Placement::Establish)
    }

    fn expect_update(&self, request: &UpdateAccessGrant) -> Result<(), &'static str> {
        let grant = self
            .model
            .live_grant(request.access_grant_id)
            .ok_or("not_found")?;
        let frame = TimeFrame::new(
            request.starts_at.unwrap_or(grant.frame.starts_at),
            request.ends_at.unwrap_or(grant.frame.ends_at),
        );
        if let Some(name) = &request.name
            && !text_ok(name)
        {
            return Err("invalid_input");
        }
        if frame == grant.frame {
            // Unchanged dates are not judged again, even when they are past.
            return Ok(());
        }
        if frame.ends_at <= frame.starts_at || frame.ends_at <= self.now {
            return Err("invalid_input");
        }
        if let Some(reservation_id) = grant.reservation_id {
            let others: Vec<_> = self
                .model
                .grants
                .iter()
                .filter(|g| g.live && g.id != grant.id && g.reservation_id == Some(reservation_id))
                .collect();
            // Rule 4: every grant of a reservation overlaps every other one.
            if !others.iter().all(|g| g.frame.overlaps(&frame)) {
                return Err("reservation_time_frames_must_overlap");
            }
        }
        Ok(())
    }

    fn perform(&mut self, request: &Request, context: &Context) -> Result<Outcome, WireError> {
        let desk = &self.desk.desk;
        let wire = |error: frontdesk::Error| error.to_wire();
        match request {
            Request::Create(create) => desk
                .create_access_grant(context, create)
                .map(Outcome::Grant)
                .map_err(wire),
            Request::Update(update) => desk
                .update_access_grant(context, update)
                .map(Outcome::Grant)
                .map_err(wire),
            Request::Delete(id) => desk
                .delete_access_grant(context, *id)
                .map(Outcome::Grant)
                .map_err(wire),
            Request::CopyCard(id) => desk
                .add_card_copy(context, *id)
                .map(Outcome::Method)
                .map_err(wire),
            Request::Encode(id) => {
                // A fresh blank each time: the desk never writes over another guest's key.
                self.desk.station.simulator().unwrap().present_blank_card();
                self.desk
                    .encode_at(context, *id)
                    .map(|written| {
                        Outcome::Method(written.access_method.expect("a card of a grant"))
                    })
                    .map_err(wire)
            }
            Request::Collect(id) => desk
                .mark_card_collected(context, *id)
                .map(Outcome::Method)
                .map_err(wire),
            Request::RevokeMethod(id) => desk
                .delete_access_method(context, *id)
                .map(Outcome::Methods)
                .map_err(wire),
            Request::RevokeMethodsOfGrant(id) => desk
                .delete_access_methods_of_grant(context, *id)
                .map(Outcome::Methods)
                .map_err(wire),
            Request::RevokeMethodsOfReservation(key) => desk
                .delete_access_methods_of_reservation(context, key)
                .map(Outcome::Methods)
                .map_err(wire),
            Request::AdvanceClock(hours) => {
                self.now += Duration::hours(*hours);
                Ok(Outcome::Nothing)
            }
        }
    }

    /// Runs one operation and checks everything.
    fn step(&mut self, actor: &str, op: &Op) {
        let request = self.request(op);
        let expect = self.expect(&request);
        let context = Context::new(actor, self.now);
        let before = self.snapshot();
        let outcome = self.perform(&request, &context);
        let after = self.snapshot();
        let what = format!("{request:#?}");

        match (&outcome, &expect.outcome) {
            (Err(error), Err(expected)) => {
                assert_eq!(
                    error.error_type, *expected,
                    "{what}\nrefused with {error:?}, the model expected {expected}"
                );
            }
            (Err(error), Ok(expected)) => {
                panic!("{what}\nrefused with {error:?}, the model expected {expected:?}")
            }
            (Ok(outcome), Err(expected)) => {
                panic!("{what}\nwent through ({outcome:#?}), the model expected {expected}")
            }
            (Ok(_), Ok(_)) => {}
        }

        let outcome_ok = outcome.is_ok();
        match outcome {
            Err(error) => {
                self.refused += 1;
                // 1. A refusal changes nothing but the audit log, which records it.
                assert!(
                    !matches!(
                        error.error_type.as_str(),
                        "database_error" | "database_busy" | "database_too_new"
                    ),
                    "{what}\nthe database failed: {error:?}"
                );
                for table in DATA_TABLES {
                    assert_eq!(
                        before.data[table], after.data[table],
                        "{what}\nrefused ({error:?}) but table {table} changed"
                    );
                }
                let new = new_audit_row(&before, &after, &what);
                assert_audit(&new, "refused", actor, expect.action, &what);
            }
            Ok(outcome) => {
                if matches!(request, Request::AdvanceClock(_)) {
                    assert_eq!(before, after, "moving the clock changed the database");
                } else {
                    self.accepted += 1;
                    // 5. A change adds exactly one audit record, ok, by the actor.
                    let new = new_audit_row(&before, &after, &what);
                    assert_audit(&new, "ok", actor, expect.action, &what);
                }
                let Ok(expected) = expect.outcome else {
                    unreachable!()
                };
                self.apply(&request, &expected, outcome, &before, &what);
            }
        }

        self.check_invariants(&before, &after, Some(&what));
        let encoded = match (&request, &outcome_ok) {
            (Request::Encode(id), true) => Some(*id),
            _ => None,
        };
        self.check_numbering(&after, encoded, &what);
        // 6. Rule 4: the live grants of one key overlap pairwise, whatever the operations.
        let apart = grants_apart(&after);
        assert!(
            apart.is_empty(),
            "{what}\nlive grants of one key that do not overlap: {apart:?}"
        );
        self.remember(&after);
    }

    /// Brings the model up to date with an operation that went through, checking what the
    /// use case returned.
    fn apply(
        &mut self,
        request: &Request,
        expected: &Expected,
        outcome: Outcome,
        before: &Snapshot,
        what: &str,
    ) {
        match (request, expected, outcome) {
            (Request::Create(_), Expected::Grant(placement), Outcome::Grant(grant)) => {
                self.check_created(&grant, placement, before, what);
                let capable = grant
                    .entrances
                    .iter()
                    .map(|entrance| entrance.entrance_id)
                    .filter(|id| self.entrance(*id).unwrap().can_belong_to_reservation)
                    .collect::<BTreeSet<_>>();
                if *placement == Placement::Establish {
                    let key = grant.reservation_key.clone().unwrap();
                    self.model.reservations.insert(
                        key,
                        ModelReservation {
                            id: grant.reservation_id.unwrap(),
                            doors: capable.clone(),
                        },
                    );
                }
                for (index, id) in grant.access_method_ids.iter().enumerate() {
                    self.model.methods.push(ModelMethod {
                        id: *id,
                        grant: grant.id,
                        mode: grant.requested_access_methods[index].mode,
                        revoked: false,
                        card_id: None,
                        collected: false,
                        card_until: None,
                        replaced_until: Vec::new(),
                        encoding_required: false,
                    });
                }
                let has_card_door = grant.entrances.iter().any(|door| {
                    self.entrances.iter().any(|entrance| {
                        entrance.id == door.entrance_id
                            && entrance.access_system_kind.is_override_based()
                            && entrance.modes.contains(&AccessMode::Card)
                    })
                });
                self.model.grants.push(ModelGrant {
                    id: grant.id,
                    key: grant.reservation_key.clone(),
                    reservation_id: grant.reservation_id,
                    capable,
                    has_card_door,
                    frame: grant.frame(),
                    live: true,
                });
            }
            (Request::Update(update), Expected::Updated, Outcome::Grant(grant)) => {
                let model = self
                    .model
                    .grants
                    .iter_mut()
                    .find(|g| g.id == update.access_grant_id)
                    .unwrap();
                let frame = TimeFrame::new(
                    update.starts_at.unwrap_or(model.frame.starts_at),
                    update.ends_at.unwrap_or(model.frame.ends_at),
                );
                assert_eq!(grant.frame(), frame, "{what}\nupdated to other times");
                if let Some(name) = &update.name {
                    assert_eq!(grant.name.as_ref(), Some(name), "{what}");
                }
                let moved = frame != model.frame;
                model.frame = frame;
                if moved {
                    for method in &mut self.model.methods {
                        if method.grant == grant.id
                            && method.mode == AccessMode::Card
                            && method.card_id.is_some()
                            && !method.revoked
                        {
                            method.encoding_required = true;
                        }
                    }
                }
            }
            (Request::Delete(id), Expected::Deleted, Outcome::Grant(grant)) => {
                assert!(!grant.is_live(), "{what}\nthe deleted grant is still live");
                let revoked = self.model.live_methods_of(*id);
                self.model.revoke(&revoked);
                let model = self.model.grants.iter_mut().find(|g| g.id == *id).unwrap();
                model.live = false;
                if let Some(key) = model.key.clone()
                    && !self
                        .model
                        .grants
                        .iter()
                        .any(|g| g.live && g.key.as_ref() == Some(&key))
                {
                    self.model.reservations.remove(&key);
                }
            }
            (Request::CopyCard(id), Expected::NewCard, Outcome::Method(method)) => {
                assert_eq!(method.access_grant_id, *id, "{what}");
                assert_eq!(method.mode, AccessMode::Card, "{what}");
                assert!(!method.is_issued(), "{what}");
                self.model.methods.push(ModelMethod {
                    id: method.id,
                    grant: *id,
                    mode: AccessMode::Card,
                    revoked: false,
                    card_id: None,
                    collected: false,
                    card_until: None,
                    replaced_until: Vec::new(),
                    encoding_required: false,
                });
            }
            (Request::Encode(id), Expected::Method, Outcome::Method(method)) => {
                assert_eq!(method.id, *id, "{what}");
                assert!(method.card_id.is_some(), "{what}");
                let model = self.model.methods.iter_mut().find(|m| m.id == *id).unwrap();
                if let Some(replaced) = model.card_until.filter(|_| model.card_id.is_some()) {
                    model.replaced_until.push(replaced);
                }
                model.card_id = method.card_id.clone();
                model.encoding_required = false;
                let grant = self
                    .model
                    .grants
                    .iter()
                    .find(|g| g.id == model.grant)
                    .unwrap();
                model.card_until = Some(grant.frame.ends_at);
            }
            (Request::Collect(id), Expected::Method, Outcome::Method(method)) => {
                assert_eq!(method.id, *id, "{what}");
                assert!(method.collected_at.is_some(), "{what}");
                let model = self.model.methods.iter_mut().find(|m| m.id == *id).unwrap();
                model.collected = true;
            }
            (
                Request::RevokeMethod(_)
                | Request::RevokeMethodsOfGrant(_)
                | Request::RevokeMethodsOfReservation(_),
                Expected::Revoked(ids),
                Outcome::Methods(methods),
            ) => {
                let returned: BTreeSet<Uuid> = methods.iter().map(|m| m.id).collect();
                assert_eq!(&returned, ids, "{what}\nrevoked other access methods");
                assert!(methods.iter().all(|m| m.revoked_at.is_some()), "{what}");
                self.model.revoke(ids);
            }
            (Request::AdvanceClock(_), Expected::Nothing, Outcome::Nothing) => {}
            (request, expected, outcome) => {
                panic!("unexpected outcome {outcome:?} of {request:?} (expected {expected:?})")
            }
        }
    }

    /// A created grant carries the sequences the model predicts: none on a new reservation
    /// (its first encoded card takes them), its reservation's on a joiner.
    fn check_created(
        &self,
        grant: &AccessGrantRecord,
        placement: &Placement,
        before: &Snapshot,
        what: &str,
    ) {
        let sequences: BTreeMap<Uuid, Option<u32>> = grant
            .entrances
            .iter()
            .map(|entrance| (entrance.entrance_id, entrance.sequence))
            .collect();
        let capable = |id: &Uuid| self.entrance(*id).unwrap().can_belong_to_reservation;
        match placement {
            Placement::Standard => {
                assert_eq!(grant.reservation_id, None, "{what}");
                assert!(sequences.values().all(Option::is_none), "{what}");
            }
            Placement::Join(reservation_id) => {
                assert_eq!(
                    grant.reservation_id,
                    Some(*reservation_id),
                    "{what}\nnot joined"
                );
                let numbers = &self.history.reservation_doors[&reservation_id.to_string()];
                for (door, sequence) in &sequences {
                    if capable(door) {
                        assert_eq!(
                            sequence.map(i64::from),
                            numbers[&door.to_string()],
                            "{what}\na joiner without its reservation's number"
                        );
                    }
                }
            }
            Placement::Establish => {
                let id = grant.reservation_id.expect("a new reservation").to_string();
                assert!(
                    !before.data["reservations"]
                        .iter()
                        .any(|row| cell(row, "id") == id),
                    "{what}\nestablished on an old reservation"
                );
                assert!(
                    sequences.values().all(Option::is_none),
                    "{what}\na new reservation numbered before any card was encoded"
                );
            }
        }
        for entrance in &grant.entrances {
            assert_eq!(
                entrance.reservation_door,
                grant.reservation_id.is_some() && capable(&entrance.entrance_id),
                "{what}\na reservation door that is not capable, or a capable one left out"
            );
            assert!(
                entrance.reservation_door || entrance.sequence.is_none(),
                "{what}\na sequence on a door outside the reservation"
            );
        }
    }

    /// Numbers appear only with an encoded card, on the doors it carries, each the door's
    /// next: `encoded` is the access method a step encoded, if it did.
    fn check_numbering(&self, after: &Snapshot, encoded: Option<Uuid>, what: &str) {
        let doors_on_card: BTreeSet<(String, String)> = encoded
            .and_then(|id| self.model.method(id))
            .and_then(|method| self.model.grant(method.grant))
            .and_then(|grant| grant.reservation_id.map(|r| (r, grant.capable.clone())))
            .map(|(reservation, doors)| {
                doors
                    .into_iter()
                    .filter(|door| {
                        let entrance = self.entrance(*door).unwrap();
                        entrance.access_system_kind.is_override_based()
                            && entrance.modes.contains(&AccessMode::Card)
                    })
                    .map(|door| (reservation.to_string(), door.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        for row in &after.data["reservation_doors"] {
            let pair = (cell(row, "reservation_id"), cell(row, "entrance_id"));
            let was = self
                .history
                .reservation_doors
                .get(&pair.0)
                .and_then(|doors| doors.get(&pair.1))
                .copied()
                .flatten();
            let now = optional_number(row, "sequence");
            let is_cancel = cell(row, "live") == "0" && was.is_none() && now.is_some();
            if was.is_none() && now.is_some() && !is_cancel {
                assert!(
                    doors_on_card.contains(&pair),
                    "{what}\ndoor {} of reservation {} numbered without a card carrying it",
                    pair.1,
                    pair.0
                );
            }
            if doors_on_card.contains(&pair) {
                assert!(
                    now.is_some(),
                    "{what}\nan encoded card's door left unnumbered"
                );
            }
        }
    }

    /// Every invariant, on the state after an operation (`before` is the state before it).
    fn check_invariants(&self, before: &Snapshot, after: &Snapshot, what: Option<&str>) {
        let what = what.unwrap_or("initial state");
        let data = &after.data;
        let reservations: BTreeMap<String, &Row> = data["reservations"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        let mut doors_of: BTreeMap<String, BTreeMap<String, Option<i64>>> = BTreeMap::new();
        for row in &data["reservation_doors"] {
            let reservation = cell(row, "reservation_id");
            let live = cleared_at(reservations[&reservation]).is_none();
            assert_eq!(
                cell(row, "live") == "1",
                live,
                "{what}\nreservation_doors.live out of step with its reservation"
            );
            doors_of
                .entry(reservation)
                .or_default()
                .insert(cell(row, "entrance_id"), optional_number(row, "sequence"));
        }

        // 2. A reservation's doors never change, nor a number once given; a cleared one stays
        // cleared.
        for (reservation, doors) in &self.history.reservation_doors {
            let now = doors_of.get(reservation);
            assert_eq!(
                now.map(|now| now.keys().collect::<Vec<_>>()),
                Some(doors.keys().collect()),
                "{what}\nthe door set of reservation {reservation} changed"
            );
            for (door, sequence) in doors {
                if sequence.is_some() {
                    assert_eq!(
                        now.unwrap()[door],
                        *sequence,
                        "{what}\nthe number of door {door} of reservation {reservation} changed"
                    );
                }
            }
        }
        for (reservation, at) in &self.history.cleared {
            assert_eq!(
                cleared_at(reservations[reservation]).as_ref(),
                Some(at),
                "{what}\na cleared reservation came back"
            );
        }

        // 4. No (door, sequence) twice, ever; and each door's numbers only go up.
        let mut seen = BTreeSet::new();
        for (reservation, doors) in &doors_of {
            for (door, sequence) in doors {
                let Some(sequence) = sequence else {
                    continue;
                };
                assert!(*sequence > 0, "{what}");
                assert!(
                    seen.insert((door.clone(), *sequence)),
                    "{what}\nsequence {sequence} handed out twice on door {door}"
                );
                let pair = (door.clone(), *sequence);
                match self.history.sequences.get(&pair) {
                    Some(owner) => assert_eq!(
                        owner, reservation,
                        "{what}\nsequence {sequence} of door {door} moved to another reservation"
                    ),
                    None => {
                        let highest = self
                            .history
                            .sequences
                            .keys()
                            .filter(|(d, _)| d == door)
                            .map(|(_, s)| *s)
                            .max()
                            .unwrap_or(0);
                        assert!(
                            *sequence > highest,
                            "{what}\nnew sequence {sequence} on door {door} is not above {highest}"
                        );
                    }
                }
            }
        }

        // At most one live reservation per key, and it has live grants.
        let grants = &data["access_grants"];
        let mut live_keys = BTreeSet::new();
        for (id, row) in &reservations {
            if cleared_at(row).is_none() {
                let key = cell(row, "reservation_key");
                assert!(live_keys.insert(key.clone()), "{what}\ntwo live {key}");
                assert!(
                    grants
                        .iter()
                        .any(|g| g["reservation_id"].as_deref() == Some(id.as_str()) && is_live(g)),
                    "{what}\nlive reservation {key} without a live grant"
                );
                let model = self.model.reservations.get(&key);
                assert_eq!(
                    model.map(|m| m.id.to_string()),
                    Some(id.clone()),
                    "{what}\nlive reservation {key} unknown to the model"
                );
                let doors: BTreeSet<String> = doors_of
                    .get(id)
                    .map(|d| d.keys().cloned().collect())
                    .unwrap_or_default();
                let model_doors: BTreeSet<String> = model
                    .unwrap()
                    .doors
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                assert_eq!(doors, model_doors, "{what}\ndoor set of {key}");
            }
        }
        assert_eq!(
            live_keys,
            self.model.reservations.keys().cloned().collect(),
            "{what}\nlive reservations differ from the model"
        );

        // 3. A live grant of a reservation has each capable door in its reservation's door
        // set; the numbers are the reservation's.
        let mut entrances_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in &data["access_grant_entrances"] {
            entrances_of
                .entry(cell(row, "access_grant_id"))
                .or_default()
                .push(cell(row, "entrance_id"));
        }
        for grant in grants.iter().filter(|g| is_live(g)) {
            let id = cell(grant, "id");
            let entrances = entrances_of.get(&id).expect("a grant has entrances");
            match grant["reservation_id"].as_deref() {
                None => {}
                Some(reservation) => {
                    let row = reservations[reservation];
                    assert!(
                        cleared_at(row).is_none(),
                        "{what}\nlive grant on a cleared reservation"
                    );
                    assert_eq!(
                        grant["reservation_key"].as_deref(),
                        Some(cell(row, "reservation_key").as_str()),
                        "{what}"
                    );
                    let doors = &doors_of[reservation];
                    for door in entrances {
                        let capable = self
                            .entrance(door.parse().unwrap())
                            .unwrap()
                            .can_belong_to_reservation;
                        assert_eq!(
                            doors.contains_key(door),
                            capable,
                            "{what}\ngrant {id}: a capable door outside its reservation's door \
                             set, or a common door in it"
                        );
                    }
                }
            }
        }

        // 7. Nothing is ever deleted, and every issued card keeps its record.
        for table in GROWING_TABLES {
            let count = data[table].len();
            let previous = self.history.counts.get(table).copied().unwrap_or(0);
            assert!(
                count >= previous,
                "{what}\n{table} went from {previous} to {count}"
            );
        }
        let methods: BTreeMap<String, &Row> = data["access_methods"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        for id in &self.history.issued {
            let row = methods.get(id).expect("an issued card keeps its record");
            assert!(
                row["issued_at"].is_some(),
                "{what}\nissued card lost issued_at"
            );
            assert!(
                row["card_id"].is_some(),
                "{what}\nissued card lost its card id"
            );
        }
        assert!(before.audit.iter().all(|row| after.audit.contains(row)));

        self.check_model(after, what);
        self.check_door_warnings(after, what);
    }

    /// The lock-timeline warnings stored for each door are the ones the engine computes from
    /// the door's live reservations now, on each live grant of the reservation at the door.
    fn check_door_warnings(&self, after: &Snapshot, what: &str) {
        let door_codes = [
            "previous_guest_can_enter",
            "sequence_inversion",
            "sequence_too_far_ahead",
        ];
        let mut stored: Vec<(String, String, String, String)> = after.data["warnings"]
            .iter()
            .filter(|row| door_codes.contains(&cell(row, "code").as_str()))
            .map(|row| {
                (
                    cell(row, "entrance_id"),
                    cell(row, "access_grant_id"),
                    cell(row, "code"),
                    cell(row, "message"),
                )
            })
            .collect();
        stored.sort();
        let mut expected = Vec::new();
        for entrance in self
            .entrances
            .iter()
            .filter(|e| e.can_belong_to_reservation)
        {
            let (reservations, history) = self
                .desk
                .desk
                .store()
                .read(|r| {
                    let history = engine::warnings::DoorHistory {
                        last_sequence: r
                            .last_sequences(&BTreeSet::from([entrance.id]))?
                            .get(&entrance.id)
                            .copied()
                            .unwrap_or(0),
                        lock: r.known_lock_state(entrance.id)?,
                    };
                    Ok::<_, store::Error>((r.door_timeline(entrance.id)?, history))
                })
                .unwrap();
            for found in engine::warnings::door_warnings(
                entrance.id,
                &entrance.name,
                &reservations,
                &history,
            ) {
                for grant in &self.model.grants {
                    if grant.live
                        && grant.reservation_id == Some(found.reservation_id)
                        && grant.capable.contains(&entrance.id)
                    {
                        expected.push((
                            entrance.id.to_string(),
                            grant.id.to_string(),
                            found.warning.code.as_str().to_owned(),
                            found.warning.message.clone(),
                        ));
                    }
                }
            }
        }
        expected.sort();
        assert_eq!(
            stored, expected,
            "{what}
door warnings out of step"
        );
    }

    /// The database agrees with the model, grant by grant and method by method; and the
    /// encoding and collection warnings match the methods.
    fn check_model(&self, after: &Snapshot, what: &str) {
        let data = &after.data;
        assert_eq!(
            data["access_grants"].len(),
            self.model.grants.len(),
            "{what}"
        );
        assert_eq!(
            data["access_methods"].len(),
            self.model.methods.len(),
            "{what}"
        );
        let grants: BTreeMap<String, &Row> = data["access_grants"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        for grant in &self.model.grants {
            let row = grants[&grant.id.to_string()];
            assert_eq!(is_live(row), grant.live, "{what}\ngrant {}", grant.id);
            assert_eq!(instant(row, "starts_at"), grant.frame.starts_at, "{what}");
            assert_eq!(instant(row, "ends_at"), grant.frame.ends_at, "{what}");
            assert_eq!(
                row["reservation_id"].clone(),
                grant.reservation_id.map(|id| id.to_string()),
                "{what}"
            );
            assert_eq!(row["reservation_key"], grant.key, "{what}");
        }
        let methods: BTreeMap<String, &Row> = data["access_methods"]
            .iter()
            .map(|row| (cell(row, "id"), row))
            .collect();
        let mut warnings: BTreeMap<(String, Option<String>, String), usize> = BTreeMap::new();
        for row in &data["warnings"] {
            let code = cell(row, "code");
            let holds = row["expires_at"]
                .as_deref()
                .is_none_or(|expires_at| self.now < instant_of(expires_at));
            if holds && (code == "encoding_required" || code == "cards_not_collected") {
                *warnings
                    .entry((
                        cell(row, "access_grant_id"),
                        row["access_method_id"].clone(),
                        code,
                    ))
                    .or_default() += 1;
            }
        }
        let mut expected: BTreeMap<(String, Option<String>, String), usize> = BTreeMap::new();
        for method in &self.model.methods {
            let row = methods[&method.id.to_string()];
            let m = &method.id;
            assert_eq!(cell(row, "access_grant_id"), method.grant.to_string());
            assert_eq!(
                row["revoked_at"].is_some(),
                method.revoked,
                "{what}\nrevoked_at of {m}"
            );
            assert_eq!(row["card_id"], method.card_id, "{what}\ncard_id of {m}");
            assert_eq!(
                row["issued_at"].is_some(),
                method.card_id.is_some(),
                "{what}\nissued_at of {m}"
            );
            assert_eq!(
                row["collected_at"].is_some(),
                method.collected,
                "{what}\ncollected_at of {m}"
            );
            assert_eq!(
                cell(row, "is_encoding_required") == "1",
                method.encoding_required,
                "{what}\nis_encoding_required of {m}"
            );
            let grant = method.grant.to_string();
            if method.encoding_required {
                expected.insert(
                    (
                        grant.clone(),
                        Some(m.to_string()),
                        "encoding_required".into(),
                    ),
                    1,
                );
                expected.insert((grant.clone(), None, "encoding_required".into()), 1);
            }
            // A card out of use is warned about while a door may take it: no simulated lock
            // moved past it here, so until its end and the locks' clock skew.
            let skew = Duration::minutes(engine::lock::LockConfig::DEFAULT_CLOCK_SKEW_MINUTES);
            let current_out = method.revoked
                && !method.collected
                && method
                    .card_until
                    .is_some_and(|until| self.now < until + skew);
            let replaced_out = method
                .replaced_until
                .iter()
                .any(|until| self.now < *until + skew);
            if method.mode == AccessMode::Card && (current_out || replaced_out) {
                expected.insert((grant, None, "cards_not_collected".into()), 1);
            }
        }
        assert_eq!(
            warnings, expected,
            "{what}\nencoding/collection warnings out of step"
        );
    }

    /// Notes what the database shows now, for the checks of later steps.
    fn remember(&mut self, after: &Snapshot) {
        let data = &after.data;
        for row in &data["reservation_doors"] {
            let reservation = cell(row, "reservation_id");
            let door = cell(row, "entrance_id");
            let sequence = optional_number(row, "sequence");
            self.history
                .reservation_doors
                .entry(reservation.clone())
                .or_default()
                .insert(door.clone(), sequence);
            if let Some(sequence) = sequence {
                self.history.sequences.insert((door, sequence), reservation);
            }
        }
        for row in &data["reservations"] {
            if let Some(at) = cleared_at(row) {
                self.history.cleared.insert(cell(row, "id"), at);
            }
        }
        for row in &data["access_methods"] {
            if row["issued_at"].is_some() {
                self.history.issued.insert(cell(row, "id"));
            }
        }
        for table in GROWING_TABLES {
            self.history.counts.insert(table, data[table].len());
        }
    }

    fn run(&mut self, ops: &[(usize, Op)]) {
        for (actor, op) in ops {
            self.step(ACTORS[*actor], op);
        }
        assert_eq!(
            self.desk.desk.store().integrity_check().unwrap(),
            vec!["ok".to_owned()]
        );
    }
}

fn cell(row: &Row, column: &str) -> String {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column}"))
        .clone()
        .unwrap_or_else(|| panic!("{column} is NULL"))
}

fn optional_number(row: &Row, column: &str) -> Option<i64> {
    row[column].as_deref().map(|text| text.parse().unwrap())
}

fn instant(row: &Row, column: &str) -> DateTime<Utc> {
    instant_of(&cell(row, column))
}

fn instant_of(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn is_live(grant: &Row) -> bool {
    grant["deleted_at"].is_none()
}

fn cleared_at(reservation: &Row) -> Option<String> {
    reservation["cleared_at"].clone()
}

/// The one audit row an operation added; every earlier row is unchanged.
fn new_audit_row(before: &Snapshot, after: &Snapshot, what: &str) -> Row {
    assert_eq!(
        after.audit.len(),
        before.audit.len() + 1,
        "{what}\nexpected exactly one new audit record"
    );
    let mut new: Vec<&Row> = after
        .audit
        .iter()
        .filter(|row| !before.audit.contains(row))
        .collect();
    assert_eq!(new.len(), 1, "{what}\nan earlier audit record changed");
    new.pop().unwrap().clone()
}

fn assert_audit(row: &Row, outcome: &str, actor: &str, action: &str, what: &str) {
    assert_eq!(cell(row, "outcome"), outcome, "{what}\naudit outcome");
    assert_eq!(cell(row, "actor"), actor, "{what}\naudit actor");
    assert_eq!(cell(row, "action"), action, "{what}\naudit action");
}

/// Live grants of a key with more than one live grant whose frame overlaps none of the
/// others'.
/// Pairs of live grants of one key whose time frames do not overlap.
fn grants_apart(snapshot: &Snapshot) -> Vec<(String, String)> {
    let mut by_key: BTreeMap<String, Vec<(String, TimeFrame)>> = BTreeMap::new();
    for row in &snapshot.data["access_grants"] {
        if let Some(key) = &row["reservation_key"]
            && is_live(row)
        {
            by_key.entry(key.clone()).or_default().push((
                cell(row, "id"),
                TimeFrame::new(instant(row, "starts_at"), instant(row, "ends_at")),
            ));
        }
    }
    let mut apart = Vec::new();
    for grants in by_key.values() {
        for (index, (id, frame)) in grants.iter().enumerate() {
            for (other, other_frame) in &grants[index + 1..] {
                if !frame.overlaps(other_frame) {
                    apart.push((id.clone(), other.clone()));
                }
            }
        }
    }
    apart
}

// ---------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random operation sequences on an in-memory database keep every invariant after every
    /// operation, and each outcome is the one the model predicts.
    #[test]
    fn random_operations_keep_the_invariants(ops in ops(40)) {
        let mut world = World::new(Store::open_in_memory().unwrap());
        world.run(&ops);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The same on a database file; reopening the file afterwards shows the same state.
    #[test]
    fn random_operations_on_a_file_survive_reopening(ops in ops(40)) {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("frontdesk.sqlite");
        let mut world = World::new(Store::open(&path).unwrap());
        world.run(&ops);
        let last = world.snapshot();
        drop(world);
        let reopened = Store::open(&path).unwrap();
        let again = reopened
            .read(|r| {
                let mut data = BTreeMap::new();
                for table in DATA_TABLES {
                    data.insert(table, r.table_rows(table)?);
                }
                Ok::<_, store::Error>(Snapshot { data, audit: r.table_rows("audit_log")? })
            })
            .unwrap();
        prop_assert_eq!(last, again);
        prop_assert_eq!(reopened.integrity_check().unwrap(), vec!["ok".to_owned()]);
    }
}

/// The generator reaches the interesting outcomes: joiners, new reservations, and each of
/// the reservation conflicts, so the properties above are not vacuous.
#[test]
fn the_generated_sequences_reach_every_reservation_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = ops(40);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..64 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        let world = World::new(Store::open_in_memory().unwrap());
        let mut world = world;
        for (actor, op) in &ops {
            let request = world.request(op);
            let label = match (&request, world.expect(&request).outcome) {
                (Request::Create(_), Ok(Expected::Grant(Placement::Join(_)))) => "join".into(),
                (Request::Create(_), Ok(Expected::Grant(placement))) => {
                    format!("{placement:?}").to_lowercase()
                }
                (Request::Create(_), Err(error)) => error.to_owned(),
                (Request::Update(_), Err(error)) => format!("update {error}"),
                _ => "other".into(),
            };
            *outcomes.entry(label).or_default() += 1;
            world.step(ACTORS[*actor], op);
            for row in &world.snapshot().data["warnings"] {
                *outcomes
                    .entry(format!("warning {}", cell(row, "code")))
                    .or_default() += 1;
            }
        }
    }
    for outcome in [
        "join",
        "establish",
        "standard",
        "reservation_entrance_change_requires_cleanup",
        "reservation_joiner_entrance_set_conflict",
        "reservation_time_frames_must_overlap",
        "reservation_key_not_supported",
        "reservation_key_required_for_guest_cards",
        "staff_credentials_cannot_belong_to_reservation",
        "invalid_input",
        "update reservation_time_frames_must_overlap",
        "warning encoding_required",
        "warning cards_not_collected",
        "warning previous_guest_can_enter",
        "warning sequence_inversion",
    ] {
        assert!(
            outcomes.get(outcome).copied().unwrap_or(0) > 0,
            "no {outcome} in {outcomes:?}"
        );
    }
}
