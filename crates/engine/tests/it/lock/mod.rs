//! The offline lock model (`docs/cards.md`, "The lock model").

use chrono::{DateTime, TimeZone, Utc};
use engine::lock::{
    Card, CardContent, Decision, Door, DoorPlace, DoorSequence, Judgement, LockConfig, LockState,
    Reason, Shift, StaffLevel, StaffZone,
};
use uuid::Uuid;

mod cancel;
mod card_checks;
mod lock_out;
mod one_shot;
mod overrides;
mod privacy;
mod reasons;
mod schedules;
mod staff;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

fn property() -> Uuid {
    Uuid::from_u128(0x0907_E127)
}

const FORMAT: u8 = 3;

fn config() -> LockConfig {
    LockConfig::new(property(), FORMAT)
}

fn room_101() -> Door {
    Door {
        entrance_id: Uuid::from_u128(101),
        can_belong_to_reservation: true,
        place: DoorPlace::GuestRoom { floor: Some(1) },
    }
}

fn room_102() -> Door {
    Door {
        entrance_id: Uuid::from_u128(102),
        can_belong_to_reservation: true,
        place: DoorPlace::GuestRoom { floor: Some(1) },
    }
}

fn lobby() -> Door {
    Door {
        entrance_id: Uuid::from_u128(9001),
        can_belong_to_reservation: false,
        place: DoorPlace::Other,
    }
}

fn gym() -> Door {
    Door {
        entrance_id: Uuid::from_u128(9002),
        can_belong_to_reservation: false,
        place: DoorPlace::Other,
    }
}

fn fresh() -> LockState {
    LockState::default()
}

fn at_sequence(sequence: u32) -> LockState {
    LockState {
        guest_sequence: sequence,
        overridden_at: Some(at(2025, 1, 1, 0, 0)),
        ..LockState::default()
    }
}

fn card(valid_from: DateTime<Utc>, valid_until: DateTime<Utc>, content: CardContent) -> Card {
    Card {
        property_id: property(),
        format_version: FORMAT,
        key_epoch: 0,
        valid_from,
        valid_until,
        content,
    }
}

/// A guest card for room 101 with `sequence`, plus the lobby as a common door.
fn guest(sequence: u32, valid_from: DateTime<Utc>, valid_until: DateTime<Utc>) -> Card {
    card(
        valid_from,
        valid_until,
        CardContent::Guest {
            reservation_id: Some(Uuid::from_u128(u128::from(sequence))),
            capable_doors: vec![DoorSequence {
                entrance_id: room_101().entrance_id,
                sequence,
            }],
            common_doors: vec![lobby().entrance_id],
        },
    )
}

/// Guest 1 of the guide's back-to-back example: 2025-05-10T15:00Z to 2025-05-14T11:00Z.
fn guest_1() -> Card {
    guest(1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0))
}

/// Guest 2 of the back-to-back example: 2025-05-14T15:00Z to 2025-05-16T11:00Z.
fn guest_2() -> Card {
    guest(2, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0))
}

/// A guest card valid all of May 2025.
fn may_guest(sequence: u32) -> Card {
    guest(sequence, at(2025, 5, 1, 0, 0), at(2025, 6, 1, 0, 0))
}

fn staff(doors: &[Door], shift: Option<Shift>) -> Card {
    card(
        at(2025, 1, 1, 0, 0),
        at(2026, 1, 1, 0, 0),
        CardContent::Staff {
            level: StaffLevel::Area,
            doors: doors.iter().map(|door| door.entrance_id).collect(),
            zones: Vec::new(),
            schedule: shift.into_iter().collect(),
        },
    )
}

/// A staff card for `zones` besides `doors`, with no shift.
fn zoned_staff(doors: &[Door], zones: &[StaffZone]) -> Card {
    let mut card = staff(doors, None);
    if let CardContent::Staff { zones: on_card, .. } = &mut card.content {
        *on_card = zones.to_vec();
    }
    card
}

/// A guest room's door on `floor`.
fn room_on_floor(number: u128, floor: i32) -> Door {
    Door {
        entrance_id: Uuid::from_u128(number),
        can_belong_to_reservation: true,
        place: DoorPlace::GuestRoom { floor: Some(floor) },
    }
}

fn cancel(door: Door, sequence: u32) -> Card {
    card(
        at(2025, 5, 1, 0, 0),
        at(2025, 6, 1, 0, 0),
        CardContent::Cancel {
            doors: vec![DoorSequence {
                entrance_id: door.entrance_id,
                sequence,
            }],
        },
    )
}

/// Mid-May, inside every May card's validity.
fn may_12() -> DateTime<Utc> {
    at(2025, 5, 12, 12, 0)
}

fn granted(judgement: &Judgement, reason: Reason) {
    assert_eq!(judgement.decision, Decision::Granted, "{judgement:?}");
    assert!(judgement.is_granted());
    assert_eq!(judgement.reason, reason);
}

fn denied(judgement: &Judgement, reason: Reason) {
    assert_eq!(judgement.decision, Decision::Denied, "{judgement:?}");
    assert!(!judgement.is_granted());
    assert_eq!(judgement.reason, reason);
}

const MONDAY: u8 = 1 << 0;
const FRIDAY: u8 = 1 << 4;
const WEEKDAYS: u8 = 0b001_1111;
