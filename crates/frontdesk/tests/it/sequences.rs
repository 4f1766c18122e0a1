//! Property-based test of the override numbers against the simulated locks: random stays
//! created (any dates, any order, joiners), deleted, moved to another room, encoded, and
//! guests using their newest card at their door. After every step, every live guest's newest
//! card is accepted by its door's lock, or the desk warned on that stay (or, for an overlap,
//! on the stay whose first use locked it out); and no (door, number) was ever carried by the
//! cards of two reservations.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions unwrap too

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use encoder::CardUid;
use encoder::card;
use engine::lock::{self, Door};
use engine::warnings::WarningCode;
use frontdesk::{AccessGrantRecord, CreateAccessGrant, GrantFilter};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::{Desk, card as card_request};

const KEYS: [&str; 4] = ["k1", "k2", "k3", "k4"];
const ROOMS: [&str; 2] = ["room-101", "room-102"];

/// Stays are built from slots of twelve hours after the desk's clock, so that they often
/// touch, overlap, or come in any order.
fn slot(n: u8) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 2, 12, 0, 0).unwrap() + Duration::hours(12 * i64::from(n))
}

#[derive(Debug, Clone)]
enum Op {
    /// A stay under `key` on `room`; a joiner if the key already has a live stay there.
    Create {
        key: usize,
        room: usize,
        start: u8,
        nights: u8,
    },
    /// Every live grant of the key goes (a cancellation, or a checkout).
    Delete { key: usize },
    /// A property-management system books and cancels `count` stays on `room` without a card
    /// (churn, a year of bookings pushed and withdrawn).
    Churn { room: usize, count: u8 },
    /// Delete, then create with the same key and dates on the other room.
    Move { key: usize },
    /// A card for the `guest`-th live grant of the key.
    Encode { key: usize, guest: usize },
    /// The `guest`-th live guest of the key uses their newest card at their room's door,
    /// during their stay.
    Use { key: usize, guest: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0..KEYS.len();
    prop_oneof![
        4 => (key.clone(), 0..ROOMS.len(), 0u8..12, 1u8..4)
            .prop_map(|(key, room, start, nights)| Op::Create { key, room, start, nights }),
        2 => key.clone().prop_map(|key| Op::Delete { key }),
        1 => (0..ROOMS.len(), 10u8..40).prop_map(|(room, count)| Op::Churn { room, count }),
        1 => key.clone().prop_map(|key| Op::Move { key }),
        4 => (key.clone(), 0usize..3).prop_map(|(key, guest)| Op::Encode { key, guest }),
        4 => (key, 0usize..3).prop_map(|(key, guest)| Op::Use { key, guest }),
    ]
}

struct World {
    desk: Desk,
    /// Each (door, number) ever written on a card, with the reservation of that card.
    carried: BTreeMap<(Uuid, u32), Uuid>,
    /// The newest card of each grant.
    newest: BTreeMap<Uuid, String>,
}

impl World {
    fn new() -> Self {
        Self {
            desk: Desk::new(),
            carried: BTreeMap::new(),
            newest: BTreeMap::new(),
        }
    }

    fn live(&self, key: usize) -> Vec<AccessGrantRecord> {
        self.desk
            .desk
            .access_grants(&GrantFilter {
                reservation_key: Some(KEYS[key].to_owned()),
                ..Default::default()
            })
            .unwrap()
    }

    /// The room a live stay is on, by its space.
    fn room_of(&self, grant: &AccessGrantRecord) -> usize {
        ROOMS
            .iter()
            .position(|room| grant.space_ids.contains(&self.desk.space_id(room)))
            .unwrap()
    }

    fn door_of(&self, grant: &AccessGrantRecord) -> Uuid {
        self.desk
            .entrance_id(&format!("{}-door", ROOMS[self.room_of(grant)]))
    }

    fn create(&self, key: usize, room: usize, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
        let request = CreateAccessGrant {
            user_identity_id: Some(self.desk.guest().id),
            space_keys: vec![ROOMS[room].to_owned()],
            starts_at: Some(starts_at),
            ends_at: Some(ends_at),
            requested_access_methods: vec![card_request()],
            reservation_key: Some(KEYS[key].to_owned()),
            ..Default::default()
        };
        self.desk.create(&request).unwrap();
    }

    fn step(&mut self, op: &Op) {
        match *op {
            Op::Create {
                key,
                room,
                start,
                nights,
            } => {
                let live = self.live(key);
                match live.first() {
                    None => self.create(key, room, slot(start), slot(start + 2 * nights)),
                    // A joiner: the same room and dates as the stay.
                    Some(first) => {
                        self.create(key, self.room_of(first), first.starts_at, first.ends_at)
                    }
                }
            }
            Op::Delete { key } => {
                for grant in self.live(key) {
                    self.desk
                        .desk
                        .delete_access_grant(&self.desk.context, grant.id)
                        .unwrap();
                }
            }
            Op::Churn { room, count } => {
                for n in 0..count {
                    let request = CreateAccessGrant {
                        user_identity_id: Some(self.desk.guest().id),
                        space_keys: vec![ROOMS[room].to_owned()],
                        starts_at: Some(slot(n % 12)),
                        ends_at: Some(slot(n % 12 + 2)),
                        requested_access_methods: vec![card_request()],
                        reservation_key: Some(format!("churn-{n}")),
                        ..Default::default()
                    };
                    let grant = self.desk.create(&request).unwrap();
                    self.desk
                        .desk
                        .delete_access_grant(&self.desk.context, grant.id)
                        .unwrap();
                }
            }
            Op::Move { key } => {
                let live = self.live(key);
                let Some(first) = live.first() else {
                    return;
                };
                let (room, starts_at, ends_at) =
                    (1 - self.room_of(first), first.starts_at, first.ends_at);
                for grant in &live {
                    self.desk
                        .desk
                        .delete_access_grant(&self.desk.context, grant.id)
                        .unwrap();
                }
                for _ in &live {
                    self.create(key, room, starts_at, ends_at);
                }
            }
            Op::Encode { key, guest } => {
                let live = self.live(key);
                let Some(grant) = live.get(guest % live.len().max(1)) else {
                    return;
                };
                self.desk.station.simulator().unwrap().present_blank_card();
                let written = self.desk.encode(grant.access_method_ids[0]);
                let image = self
                    .desk
                    .station
                    .simulator()
                    .unwrap()
                    .card(&CardUid::from_hex(&written.card_id).unwrap())
                    .unwrap()
                    .image;
                let data = card::read(&image).unwrap();
                let reservation = grant.reservation_id.unwrap();
                assert_eq!(data.reservation_id, Some(reservation));
                for door in &data.capable_doors {
                    let owner = self
                        .carried
                        .entry((door.entrance_id, door.sequence))
                        .or_insert(reservation);
                    assert_eq!(
                        *owner, reservation,
                        "number {} of door {} carried by the cards of two reservations",
                        door.sequence, door.entrance_id
                    );
                }
                assert!(
                    !data.capable_doors.is_empty(),
                    "a room card without a number"
                );
                self.newest.insert(grant.id, written.card_id);
            }
            Op::Use { key, guest } => {
                let live = self.live(key);
                let Some(grant) = live.get(guest % live.len().max(1)) else {
                    return;
                };
                let Some(card_id) = self.newest.get(&grant.id) else {
                    return;
                };
                self.desk
                    .desk
                    .present_card(
                        &self.desk.context,
                        &self.desk.station,
                        self.door_of(grant),
                        card_id,
                        Some(grant.starts_at),
                    )
                    .unwrap();
            }
        }
    }

    /// Every live guest's newest card opens their door during their stay, as the lock stands
    /// now, or the refusal was predicted by a warning.
    fn check(&self, what: &str) {
        let keys = self.desk.station.keys();
        for (key, name) in KEYS.iter().enumerate() {
            for grant in self.live(key) {
                let Some(card_id) = self.newest.get(&grant.id) else {
                    continue;
                };
                let door = self.door_of(&grant);
                let state = self.desk.desk.store().read(|r| r.lock_state(door)).unwrap();
                // During the stay, once the lock is where it is now: a stay over before the
                // lock last moved has nothing left to open.
                let at = state
                    .overridden_at
                    .map_or(grant.starts_at, |since| since.max(grant.starts_at));
                if at >= grant.ends_at {
                    continue;
                }
                let uid = CardUid::from_hex(card_id).unwrap();
                let image = self
                    .desk
                    .station
                    .simulator()
                    .unwrap()
                    .card(&uid)
                    .unwrap()
                    .image;
                let data = card::open(&image, &uid, keys).unwrap();
                let judgement = lock::judge(
                    &keys.lock_config(),
                    Door {
                        entrance_id: door,
                        can_belong_to_reservation: true,
                        place: lock::DoorPlace::default(),
                    },
                    state,
                    &data.to_lock_card(),
                    at,
                );
                if judgement.is_granted() {
                    continue;
                }
                let on_stay = grant.warnings.iter().any(|warning| {
                    warning.entrance_id == Some(door)
                        && matches!(
                            warning.code,
                            WarningCode::SequenceInversion | WarningCode::SequenceTooFarAhead
                        )
                });
                let overlap = (0..KEYS.len())
                    .flat_map(|other| self.live(other))
                    .any(|other| {
                        other.entrance_ids().contains(&door)
                            && other.warnings.iter().any(|warning| {
                                warning.entrance_id == Some(door)
                                    && warning.code == WarningCode::PreviousGuestCanEnter
                            })
                    });
                assert!(
                    on_stay || overlap,
                    "{what}\n{name} ({}) card refused without a warning: {:?} at {at}",
                    grant.id,
                    judgement.reason
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn live_guests_cards_open_their_doors_or_were_warned_of(
        ops in proptest::collection::vec(op(), 1..30)
    ) {
        let mut world = World::new();
        for (index, op) in ops.iter().enumerate() {
            world.step(op);
            world.check(&format!("after step {index}: {op:?}\n{ops:#?}"));
        }
    }
}
