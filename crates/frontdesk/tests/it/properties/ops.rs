//! The random operations: what each one does and how they are drawn.

use engine::model::AccessMode;
use proptest::prelude::*;
use proptest::sample::Index;

use super::{ACTORS, KEYS, NAMES};

/// Something that already exists (chosen among what the sequence made so far), or an id
/// nothing has.
#[derive(Debug, Clone)]
pub(super) enum Pick {
    Known(Index),
    Unknown,
}

#[derive(Debug, Clone)]
pub(super) enum Op {
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
pub(super) enum JoinerDoors {
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
pub(super) const GUEST_DOORS: [&str; 5] = [
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
pub(super) fn ops(max: usize) -> impl Strategy<Value = Vec<(usize, Op)>> {
    prop::collection::vec((0..ACTORS.len(), op()), 1..max)
}
