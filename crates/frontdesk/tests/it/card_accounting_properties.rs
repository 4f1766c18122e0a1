//! Property: after any sequence of check-ins, joiners, moves, extensions, lost keys,
//! re-encodes (onto the same or other plastic), one-shot keys made and revoked, lock-out and
//! lift cards, spare cards made, handed out (recorded as stays) and taken out of the safe,
//! cards used at doors, cards handed back or reported lost, check-outs and the
//! clock moving on, with every card written on the simulated encoder:
//! - every card that the lock model says may still open some door is a live guest's valid
//!   key, is back at the desk, or is listed (by its plastic) in a warning the manager sees;
//! - every live guest's newest card opens their room, unless the manager is warned that the
//!   lock will refuse it.
// Helpers outside #[test] functions unwrap too; the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use encoder::CardUid;
use engine::lock::{self, Door, DoorPlace};
use engine::warnings::WarningCode;
use frontdesk::{CheckIn, Context, NewGuest, Operator, Role, WarningView};
use proptest::prelude::*;
use proptest::sample::Index;
use uuid::Uuid;

use crate::support::Desk;

const ROOMS: [&str; 3] = ["room-101", "room-102", "room-203"];
/// The doors cards are tried at.
const DOORS: [&str; 5] = [
    "room-101-door",
    "room-102-door",
    "room-203-door",
    "lobby-door",
    "gym-door",
];

fn origin() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 14, 12, 0, 0).unwrap()
}

fn manager() -> Operator {
    Operator {
        id: Uuid::nil(),
        name: "Marta".to_owned(),
        role: Role::Manager,
        terminal: None,
    }
}

#[derive(Debug, Clone)]
enum Op {
    CheckIn {
        room: usize,
        starts_in_hours: i64,
        nights: i64,
        cards: u32,
    },
    Join {
        stay: Index,
    },
    Move {
        stay: Index,
        room: usize,
    },
    Extend {
        stay: Index,
        nights: i64,
    },
    LostKey {
        stay: Index,
    },
    /// Every card of the stay not written yet or carrying old dates, each on a blank.
    Encode {
        stay: Index,
    },
    ReEncode {
        stay: Index,
        card: Index,
        same_plastic: bool,
    },
    Use {
        plastic: Index,
        door: usize,
    },
    Settle {
        plastic: Index,
        lost: bool,
    },
    CheckOut {
        stay: Index,
    },
    /// A one-shot key for a room, encoded.
    OneShot {
        room: usize,
    },
    RevokeOneShot {
        key: Index,
    },
    /// A spare card for a room, into the safe.
    MakeSpare {
        room: usize,
    },
    /// A spare in the safe handed to a guest and recorded, for `nights`.
    HandOutSpare {
        spare: Index,
        nights: i64,
    },
    VoidSpare {
        spare: Index,
    },
    /// A lock-out card (or, `lift`, a lift card) for a room, encoded.
    LockOut {
        room: usize,
        lift: bool,
    },
    Wait {
        hours: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..ROOMS.len(), 0i64..72, 1i64..4, 1u32..3).prop_map(
            |(room, starts_in_hours, nights, cards)| Op::CheckIn {
                room,
                starts_in_hours,
                nights,
                cards
            }
        ),
        1 => any::<Index>().prop_map(|stay| Op::Join { stay }),
        2 => (any::<Index>(), 0..ROOMS.len()).prop_map(|(stay, room)| Op::Move { stay, room }),
        2 => (any::<Index>(), 1i64..3).prop_map(|(stay, nights)| Op::Extend { stay, nights }),
        1 => any::<Index>().prop_map(|stay| Op::LostKey { stay }),
        4 => any::<Index>().prop_map(|stay| Op::Encode { stay }),
        2 => (any::<Index>(), any::<Index>(), any::<bool>()).prop_map(
            |(stay, card, same_plastic)| Op::ReEncode {
                stay,
                card,
                same_plastic
            }
        ),
        4 => (any::<Index>(), 0..DOORS.len()).prop_map(|(plastic, door)| Op::Use { plastic, door }),
        1 => (any::<Index>(), any::<bool>()).prop_map(|(plastic, lost)| Op::Settle { plastic, lost }),
        1 => any::<Index>().prop_map(|stay| Op::CheckOut { stay }),
        1 => (0..ROOMS.len()).prop_map(|room| Op::OneShot { room }),
        1 => any::<Index>().prop_map(|key| Op::RevokeOneShot { key }),
        1 => (0..ROOMS.len(), any::<bool>()).prop_map(|(room, lift)| Op::LockOut { room, lift }),
        1 => (0..ROOMS.len()).prop_map(|room| Op::MakeSpare { room }),
        1 => (any::<Index>(), 1i64..3).prop_map(|(spare, nights)| Op::HandOutSpare { spare, nights }),
        1 => any::<Index>().prop_map(|spare| Op::VoidSpare { spare }),
        2 => (1i64..30).prop_map(|hours| Op::Wait { hours }),
    ]
}

struct World {
    desk: Desk,
    now: DateTime<Utc>,
    /// Live stays by reservation key.
    stays: Vec<String>,
    /// Live one-shot keys.
    one_shots: Vec<Uuid>,
    made: u32,
}

impl World {
    fn new() -> Self {
        Self {
            desk: Desk::new(),
            now: origin(),
            stays: Vec::new(),
            one_shots: Vec::new(),
            made: 0,
        }
    }

    fn context(&self) -> Context {
        Context::new("desk", self.now)
    }

    fn pick_stay(&self, index: &Index) -> Option<String> {
        (!self.stays.is_empty()).then(|| index.get(&self.stays).clone())
    }

    fn guest(&mut self) -> NewGuest {
        self.made += 1;
        NewGuest {
            full_name: format!("Guest {}", self.made),
            email_address: None,
            phone_number: None,
        }
    }

    /// The written plastic, by UID.
    fn plastics(&self) -> Vec<CardUid> {
        let mut cards: Vec<CardUid> = self
            .desk
            .station
            .simulator()
            .unwrap()
            .cards()
            .into_iter()
            .filter(|card| !card.image.is_empty())
            .map(|card| card.uid)
            .collect();
        cards.sort_by_key(CardUid::to_hex);
        cards
    }

    fn encode_onto_blank(&self, id: Uuid) {
        self.desk.station.simulator().unwrap().present_blank_card();
        let _ = self.desk.encode_at(&self.context(), id);
    }

    fn apply(&mut self, op: &Op) {
        let operator = manager();
        let desk = &self.desk.desk;
        match op {
            Op::CheckIn {
                room,
                starts_in_hours,
                nights,
                cards,
            } => {
                let starts_at = self.now + Duration::hours(*starts_in_hours);
                let guest = self.guest();
                let request = CheckIn {
                    space_id: self.desk.space_id(ROOMS[*room]),
                    starts_at,
                    ends_at: starts_at + Duration::days(*nights),
                    guests: vec![guest],
                    common_entrance_ids: vec![self.desk.entrance_id("lobby-door")],
                    cards_per_guest: *cards,
                    reservation_key: None,
                    allow_overlap: false,
                };
                if let Ok(stay) = self.desk.desk.check_in(&operator, self.now, &request) {
                    self.stays.push(stay.reservation_key);
                }
            }
            Op::Join { stay } => {
                let Some(key) = self.pick_stay(stay) else {
                    return;
                };
                let guest = self.guest();
                let _ = self.desk.desk.add_guest(
                    &operator,
                    self.now,
                    &frontdesk::AddGuest {
                        reservation_key: key,
                        guest,
                        room_entrance_ids: None,
                        common_entrance_ids: vec![self.desk.entrance_id("lobby-door")],
                        cards: 1,
                    },
                );
            }
            Op::Move { stay, room } => {
                if let Some(key) = self.pick_stay(stay) {
                    let _ = desk.move_stay(
                        &operator,
                        self.now,
                        &key,
                        self.desk.space_id(ROOMS[*room]),
                        false,
                    );
                }
            }
            Op::Extend { stay, nights } => {
                let Some(key) = self.pick_stay(stay) else {
                    return;
                };
                let Ok(detail) = desk.stay_at(&operator, &key, self.now) else {
                    return;
                };
                let ends_at = detail.ends_at + Duration::days(*nights);
                let _ = desk.change_dates(&operator, self.now, &key, None, Some(ends_at), false);
            }
            Op::LostKey { stay } => {
                if let Some(key) = self.pick_stay(stay) {
                    let _ = desk.reissue_stay(&operator, self.now, &key);
                }
            }
            Op::Encode { stay } => {
                let Some(key) = self.pick_stay(stay) else {
                    return;
                };
                let Ok(detail) = desk.stay_at(&operator, &key, self.now) else {
                    return;
                };
                for guest in &detail.guests {
                    for card in &guest.cards {
                        if !card.is_issued() || card.is_encoding_required {
                            self.encode_onto_blank(card.id);
                        }
                    }
                }
            }
            Op::ReEncode {
                stay,
                card,
                same_plastic,
            } => {
                let Some(key) = self.pick_stay(stay) else {
                    return;
                };
                let Ok(detail) = desk.stay_at(&operator, &key, self.now) else {
                    return;
                };
                let issued: Vec<_> = detail
                    .guests
                    .iter()
                    .flat_map(|guest| guest.cards.iter())
                    .filter(|card| card.is_issued())
                    .collect();
                if issued.is_empty() {
                    return;
                }
                let chosen = card.get(&issued);
                let simulator = self.desk.station.simulator().unwrap();
                match chosen.card_id.as_deref().and_then(CardUid::from_hex) {
                    Some(uid) if *same_plastic => {
                        simulator.present_card(&uid);
                        let _ = self.desk.encode_at(&self.context(), chosen.id);
                    }
                    _ => self.encode_onto_blank(chosen.id),
                }
            }
            Op::Use { plastic, door } => {
                let plastics = self.plastics();
                if plastics.is_empty() {
                    return;
                }
                let uid = plastic.get(&plastics);
                let _ = desk.present_card(
                    &self.context(),
                    &self.desk.station,
                    self.desk.entrance_id(DOORS[*door]),
                    &uid.to_hex(),
                    Some(self.now),
                );
            }
            Op::Settle { plastic, lost } => {
                let plastics = self.plastics();
                if plastics.is_empty() {
                    return;
                }
                let uid = plastic.get(&plastics).to_hex();
                let _ = if *lost {
                    desk.card_lost(&operator, self.now, &uid)
                } else {
                    desk.card_collected(&operator, self.now, &uid)
                };
            }
            Op::CheckOut { stay } => {
                let Some(key) = self.pick_stay(stay) else {
                    return;
                };
                if desk.check_out(&operator, self.now, &key).is_ok() {
                    self.stays.retain(|live| *live != key);
                }
            }
            Op::OneShot { room } => {
                let door = self.desk.entrance_id(&format!("{}-door", ROOMS[*room]));
                let guest = self.guest();
                let frame = engine::model::TimeFrame::new(self.now, self.now + Duration::days(2));
                if let Ok(grant) = self.desk.desk.issue_one_shot_key(
                    &operator,
                    self.now,
                    &guest.full_name,
                    &[door],
                    frame,
                ) {
                    self.one_shots.push(grant.id);
                    self.encode_onto_blank(grant.access_method_ids[0]);
                }
            }
            Op::RevokeOneShot { key } => {
                if self.one_shots.is_empty() {
                    return;
                }
                let id = *key.get(&self.one_shots);
                if desk.revoke_staff_access(&operator, self.now, id).is_ok() {
                    self.one_shots.retain(|live| *live != id);
                }
            }
            Op::MakeSpare { room } => {
                self.desk.station.simulator().unwrap().present_blank_card();
                let _ = desk.make_spare_card(
                    &operator.context(self.now),
                    &self.desk.station,
                    self.desk.space_id(ROOMS[*room]),
                    self.now + Duration::days(5),
                    &mut |_, _| {},
                );
            }
            Op::HandOutSpare { spare, nights } => {
                let spares = desk.spare_cards(&operator, self.now).unwrap();
                if spares.is_empty() {
                    return;
                }
                let chosen = spare.get(&spares).id;
                let guest = self.guest();
                if let Ok(stay) = self.desk.desk.hand_out_spare(
                    &operator,
                    self.now,
                    &frontdesk::SpareHandedOut {
                        spare_id: chosen,
                        full_name: guest.full_name,
                        starts_at: self.now,
                        ends_at: self.now + Duration::days(*nights),
                    },
                ) {
                    self.stays.push(stay.reservation_key);
                }
            }
            Op::VoidSpare { spare } => {
                let spares = desk.spare_cards(&operator, self.now).unwrap();
                if !spares.is_empty() {
                    let _ = desk.void_spare(&operator, self.now, spare.get(&spares).id);
                }
            }
            Op::LockOut { room, lift } => {
                let door = self.desk.entrance_id(&format!("{}-door", ROOMS[*room]));
                self.desk.station.simulator().unwrap().present_blank_card();
                let _ = desk.encode_lock_out_card(
                    &operator.context(self.now),
                    &self.desk.station,
                    &[door],
                    *lift,
                    &mut |_, _| {},
                );
            }
            Op::Wait { hours } => self.now += Duration::hours(*hours),
        }
    }

    /// Whether the plastic carries a live guest's valid key (the newest card written on it is
    /// the current card of an access method that is not revoked, of a live grant), is a spare
    /// in the safe, or is back at the desk.
    fn is_key_or_collected(&self, uid: &str) -> bool {
        self.desk
            .desk
            .store()
            .read(|r| {
                let Some(card) = r.cards_by_uid(uid)?.into_iter().next() else {
                    return Ok::<_, store::Error>(false);
                };
                if card.collected_at.is_some() {
                    return Ok(true);
                }
                let in_safe = r
                    .spare_of_card(card.op_id)?
                    .is_some_and(|spare| spare.in_safe());
                if in_safe {
                    return Ok(true);
                }
                let Some(method) = card
                    .access_method_id
                    .map(|id| r.access_method(id))
                    .transpose()?
                    .flatten()
                else {
                    return Ok(false);
                };
                let live = r
                    .access_grant(method.access_grant_id)?
                    .is_some_and(|grant| grant.deleted_at.is_none());
                Ok(live
                    && card.superseded_at.is_none()
                    && card.lost_at.is_none()
                    && method.revoked_at.is_none())
            })
            .unwrap()
    }

    /// The doors that may still accept the plastic from `now` on, as the lock model says.
    fn doors_still_open(&self, uid: &CardUid) -> Vec<String> {
        let simulator = self.desk.station.simulator().unwrap();
        let image = simulator.card(uid).unwrap().image;
        let keys = self.desk.station.keys();
        let Ok(data) = encoder::card::open(&image, uid, keys) else {
            return Vec::new();
        };
        let card = data.to_lock_card();
        let config = keys.lock_config();
        let doors = data
            .capable_doors
            .iter()
            .map(|door| door.entrance_id)
            .chain(data.common_doors.iter().copied());
        self.desk
            .desk
            .store()
            .read(|r| {
                let mut open = Vec::new();
                for entrance_id in doors {
                    let entrance = r.entrance(entrance_id)?.unwrap();
                    let door = Door {
                        entrance_id,
                        can_belong_to_reservation: entrance.can_belong_to_reservation,
                        // Only staff zones read a door's place; these are guests' cards.
                        place: DoorPlace::Other,
                    };
                    let state = r.lock_state(entrance_id)?;
                    if lock::still_opens(&config, door, state, &card, self.now).is_some() {
                        open.push(entrance.name);
                    }
                }
                Ok::<_, store::Error>(open)
            })
            .unwrap()
    }

    fn check(&self, ops: &[Op]) -> Result<(), TestCaseError> {
        let warnings: Vec<WarningView> = self.desk.desk.warnings(&manager(), self.now).unwrap();
        let warned: BTreeSet<&str> = warnings
            .iter()
            .flat_map(|view| view.cards_out.iter().map(|card| card.card_id.as_str()))
            .collect();
        for uid in self.plastics() {
            let open = self.doors_still_open(&uid);
            let hex = uid.to_hex();
            prop_assert!(
                open.is_empty() || self.is_key_or_collected(&hex) || warned.contains(hex.as_str()),
                "card {hex} may still open {open:?} at {} but is no one's key and in no \
                 warning; after {ops:#?}",
                self.now
            );
        }

        // Every live guest's newest card opens their room, unless the manager is told the
        // lock will refuse it: on the guest's own grant, or, where a stay was let overlap
        // theirs (a spare handed out over a booking), on the newer stay, naming theirs.
        let refused: BTreeSet<_> = warnings
            .iter()
            .filter(|view| {
                matches!(
                    view.code,
                    WarningCode::SequenceInversion | WarningCode::SequenceTooFarAhead
                )
            })
            .flat_map(|view| view.access_grant_ids.iter().copied())
            .collect();
        let overlapped = |key: &str| {
            warnings.iter().any(|view| {
                view.code == WarningCode::PreviousGuestCanEnter
                    && view.message.contains(&format!("reservation '{key}'"))
            })
        };
        let simulator = self.desk.station.simulator().unwrap();
        for key in &self.stays {
            let stay = self.desk.desk.stay_at(&manager(), key, self.now).unwrap();
            for guest in &stay.guests {
                if refused.contains(&guest.access_grant_id)
                    || overlapped(key)
                    || guest.ends_at <= self.now
                {
                    continue;
                }
                for card in &guest.cards {
                    let Some(uid) = card.card_id.as_deref().and_then(CardUid::from_hex) else {
                        continue;
                    };
                    let Some(written) = simulator.card(&uid) else {
                        continue;
                    };
                    let Ok(data) =
                        encoder::card::open(&written.image, &uid, self.desk.station.keys())
                    else {
                        continue;
                    };
                    // A card carrying old dates that already ended is flagged for re-encoding.
                    if card.is_encoding_required && data.valid_until <= self.now {
                        continue;
                    }
                    let open = self.doors_still_open(&uid);
                    for room_door in &data.capable_doors {
                        let name = self
                            .desk
                            .desk
                            .store()
                            .read(|r| r.entrance(room_door.entrance_id))
                            .unwrap()
                            .unwrap()
                            .name;
                        prop_assert!(
                            open.contains(&name),
                            "{:?}'s newest card {} does not open {name} at {}; after {ops:#?}",
                            guest.full_name,
                            uid.to_hex(),
                            self.now
                        );
                    }
                }
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_card_that_opens_a_door_is_a_guest_s_key_or_in_a_warning(
        ops in proptest::collection::vec(op(), 1..28)
    ) {
        let mut world = World::new();
        for (index, op) in ops.iter().enumerate() {
            world.apply(op);
            world.check(&ops[..=index])?;
        }
    }
}
