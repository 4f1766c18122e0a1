//! What a spare card in the safe would do if handed out: played through the lock model at
//! each of its doors against what the door handed out since and what its lock remembers.

use chrono::{DateTime, Duration, TimeZone, Utc};
use engine::lock::{Card, CardContent, DoorSequence, LockConfig, LockState};
use engine::spares::{SpareDoor, SpareState, spare_outlook};
use uuid::Uuid;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, day, hour, 0, 0).unwrap()
}

fn config() -> LockConfig {
    LockConfig::new(Uuid::from_u128(7), 4)
}

const MAIN: Uuid = Uuid::from_u128(301);
const BEDROOM: Uuid = Uuid::from_u128(302);

/// A spare for a suite's two doors with `number` on each, valid May 1 to May 31.
fn spare(number: u32) -> Card {
    Card {
        property_id: config().property_id,
        format_version: 4,
        key_epoch: 0,
        valid_from: at(1, 0),
        valid_until: at(31, 0),
        content: CardContent::Guest {
            reservation_id: None,
            capable_doors: [MAIN, BEDROOM]
                .into_iter()
                .map(|entrance_id| DoorSequence {
                    entrance_id,
                    sequence: number,
                })
                .collect(),
            common_doors: Vec::new(),
        },
    }
}

fn door(entrance_id: Uuid, last_handed: u32) -> SpareDoor {
    SpareDoor {
        entrance_id,
        last_handed,
        lock: None,
        stays: Vec::new(),
    }
}

#[test]
fn a_spare_above_everything_handed_out_is_ready_and_names_the_stays_it_locks_out() {
    let in_house = Uuid::from_u128(1);
    let arriving = Uuid::from_u128(2);
    let doors = [
        SpareDoor {
            stays: vec![(in_house, Some(4)), (arriving, None)],
            ..door(MAIN, 4)
        },
        SpareDoor {
            stays: vec![(in_house, Some(4))],
            ..door(BEDROOM, 4)
        },
    ];
    let (state, locked) = spare_outlook(&config(), &spare(5), &doors, at(2, 12));
    assert_eq!(state, SpareState::Ready);
    // The stay with no number yet takes one above the spare: the spare does not stop it.
    assert_eq!(locked, [in_house]);
}

#[test]
fn a_newer_number_on_any_door_puts_the_spare_out_of_date() {
    let doors = [door(MAIN, 4), door(BEDROOM, 6)];
    let (state, locked) = spare_outlook(&config(), &spare(5), &doors, at(2, 12));
    assert_eq!(
        state,
        SpareState::Overtaken {
            entrance_id: BEDROOM,
            card: 5,
            door: 6
        }
    );
    assert!(locked.is_empty());
    // A lock known to be past it (a cancel card used there) is the same.
    let moved = [
        SpareDoor {
            lock: Some(LockState {
                guest_sequence: 7,
                ..LockState::default()
            }),
            ..door(MAIN, 4)
        },
        door(BEDROOM, 4),
    ];
    assert!(matches!(
        spare_outlook(&config(), &spare(5), &moved, at(2, 12)).0,
        SpareState::Overtaken {
            entrance_id: MAIN,
            ..
        }
    ));
}

#[test]
fn a_lock_at_the_spare_s_own_number_took_it_and_a_lock_far_behind_would_not() {
    let used = [
        SpareDoor {
            lock: Some(LockState {
                guest_sequence: 5,
                ..LockState::default()
            }),
            ..door(MAIN, 4)
        },
        door(BEDROOM, 4),
    ];
    assert_eq!(
        spare_outlook(&config(), &spare(5), &used, at(2, 12)).0,
        SpareState::UsedAtDoor { entrance_id: MAIN }
    );
    let ahead = config().look_ahead + 10;
    let behind = [
        SpareDoor {
            lock: Some(LockState {
                guest_sequence: 9,
                ..LockState::default()
            }),
            ..door(MAIN, 9)
        },
        door(BEDROOM, 9),
    ];
    assert_eq!(
        spare_outlook(&config(), &spare(ahead), &behind, at(2, 12)).0,
        SpareState::TooFarAhead {
            entrance_id: MAIN,
            card: ahead,
            lock: 9
        }
    );
}

#[test]
fn a_spare_past_its_end_is_expired_and_a_deadbolt_or_lock_out_of_the_moment_does_not_count() {
    let doors = [door(MAIN, 4), door(BEDROOM, 4)];
    assert_eq!(
        spare_outlook(&config(), &spare(5), &doors, at(31, 0) + Duration::hours(1)).0,
        SpareState::Expired
    );
    let shut = [
        SpareDoor {
            lock: Some(LockState {
                guest_sequence: 4,
                privacy: true,
                locked_out: true,
                ..LockState::default()
            }),
            ..door(MAIN, 4)
        },
        door(BEDROOM, 4),
    ];
    assert_eq!(
        spare_outlook(&config(), &spare(5), &shut, at(2, 12)).0,
        SpareState::Ready
    );
}
