//! The offline lock model (`docs/cards.md`, "The lock model").

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use engine::lock::{
    Card, CardContent, Decision, Door, DoorPlace, DoorSequence, Judgement, LockConfig, LockState,
    Reason, Shift, StaffZone, StillOpens, judge, still_opens,
};
use uuid::Uuid;

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
            doors: doors.iter().map(|door| door.entrance_id).collect(),
            zones: Vec::new(),
            shift,
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

// ---------------------------------------------------------------------------------------------
// Override and joiner

#[test]
fn first_guest_card_on_a_fresh_lock_overrides_to_its_sequence() {
    let now = at(2025, 5, 10, 15, 5);
    let judgement = judge(&config(), room_101(), fresh(), &guest_1(), now);
    granted(&judgement, Reason::Overrode { from: 0, to: 1 });
    assert_eq!(
        judgement.state,
        LockState {
            guest_sequence: 1,
            overridden_at: Some(now)
        }
    );
}

#[test]
fn back_to_back_second_guest_overrides_first_on_first_use() {
    let config = config();
    let door = room_101();

    // Guest 1 checks in and keeps using the card during the stay.
    let check_in = judge(&config, door, fresh(), &guest_1(), at(2025, 5, 10, 15, 5));
    granted(&check_in, Reason::Overrode { from: 0, to: 1 });
    let state = check_in.state;
    let mid_stay = judge(&config, door, state, &guest_1(), at(2025, 5, 12, 20, 0));
    granted(&mid_stay, Reason::Joined);
    assert_eq!(
        mid_stay.state, state,
        "re-using the same card changes nothing"
    );

    // Guest 2's card cannot be used before its stay (this is why back-to-back works)...
    let too_early = judge(&config, door, state, &guest_2(), at(2025, 5, 14, 11, 30));
    denied(&too_early, Reason::NotYetValid);
    assert_eq!(too_early.state, state);

    // ...and on first use at its start it overrides guest 1.
    let first_use = at(2025, 5, 14, 15, 0);
    let override_ = judge(&config, door, state, &guest_2(), first_use);
    granted(&override_, Reason::Overrode { from: 1, to: 2 });
    assert_eq!(
        override_.state,
        LockState {
            guest_sequence: 2,
            overridden_at: Some(first_use)
        }
    );

    // Guest 1's card (even were it still within its dates) is now refused as overridden.
    let late_checkout = guest(1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 18, 0));
    let after = judge(
        &config,
        door,
        override_.state,
        &late_checkout,
        at(2025, 5, 14, 15, 30),
    );
    denied(&after, Reason::Overridden { card: 1, lock: 2 });
    assert_eq!(after.state, override_.state);

    // Guest 2 keeps access.
    let again = judge(
        &config,
        door,
        override_.state,
        &guest_2(),
        at(2025, 5, 15, 9, 0),
    );
    granted(&again, Reason::Joined);
}

#[test]
fn previous_guest_keeps_access_until_the_new_card_is_first_used() {
    // Overlapping validity (late checkout): the weakness the Alloy hotel model shows.
    let config = config();
    let door = room_101();
    let old = guest(1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 18, 0));
    let new = guest(2, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0));
    let state = at_sequence(1);

    let before = judge(&config, door, state, &old, at(2025, 5, 14, 16, 0));
    granted(&before, Reason::Joined);
    let override_ = judge(&config, door, state, &new, at(2025, 5, 14, 16, 10));
    granted(&override_, Reason::Overrode { from: 1, to: 2 });
    let after = judge(
        &config,
        door,
        override_.state,
        &old,
        at(2025, 5, 14, 16, 20),
    );
    denied(&after, Reason::Overridden { card: 1, lock: 2 });
}

#[test]
fn joiner_with_equal_sequence_is_granted_and_changes_nothing() {
    let state = at_sequence(4);
    let joiner = may_guest(4);
    let judgement = judge(&config(), room_101(), state, &joiner, may_12());
    granted(&judgement, Reason::Joined);
    assert_eq!(judgement.state, state, "a joiner does not move the lock");
}

#[test]
fn lower_sequence_is_refused_as_overridden() {
    let state = at_sequence(7);
    let judgement = judge(&config(), room_101(), state, &may_guest(6), may_12());
    denied(&judgement, Reason::Overridden { card: 6, lock: 7 });
    assert_eq!(judgement.state, state);
}

#[test]
fn sequence_jump_of_exactly_the_look_ahead_overrides() {
    assert_eq!(LockConfig::DEFAULT_LOOK_AHEAD, 50);
    assert_eq!(config().look_ahead, 50);
    let judgement = judge(
        &config(),
        room_101(),
        at_sequence(10),
        &may_guest(60),
        may_12(),
    );
    granted(&judgement, Reason::Overrode { from: 10, to: 60 });
    assert_eq!(judgement.state.guest_sequence, 60);
}

#[test]
fn sequence_jump_beyond_the_look_ahead_is_refused_as_too_far_ahead() {
    let state = at_sequence(10);
    let judgement = judge(&config(), room_101(), state, &may_guest(61), may_12());
    denied(
        &judgement,
        Reason::SequenceTooFarAhead { card: 61, lock: 10 },
    );
    assert_eq!(
        judgement.state, state,
        "a refused card does not move the lock"
    );
}

#[test]
fn look_ahead_window_applies_from_a_fresh_lock() {
    granted(
        &judge(&config(), room_101(), fresh(), &may_guest(50), may_12()),
        Reason::Overrode { from: 0, to: 50 },
    );
    denied(
        &judge(&config(), room_101(), fresh(), &may_guest(51), may_12()),
        Reason::SequenceTooFarAhead { card: 51, lock: 0 },
    );
}

#[test]
fn look_ahead_window_is_configurable() {
    // Saflok's programmed range is 1–15.
    let config = LockConfig {
        look_ahead: 15,
        ..config()
    };
    granted(
        &judge(
            &config,
            room_101(),
            at_sequence(5),
            &may_guest(20),
            may_12(),
        ),
        Reason::Overrode { from: 5, to: 20 },
    );
    denied(
        &judge(
            &config,
            room_101(),
            at_sequence(5),
            &may_guest(21),
            may_12(),
        ),
        Reason::SequenceTooFarAhead { card: 21, lock: 5 },
    );
}

#[test]
fn highest_sequences_do_not_overflow() {
    let judgement = judge(
        &config(),
        room_101(),
        at_sequence(u32::MAX - 1),
        &may_guest(u32::MAX),
        may_12(),
    );
    granted(
        &judgement,
        Reason::Overrode {
            from: u32::MAX - 1,
            to: u32::MAX,
        },
    );
    let judgement = judge(
        &config(),
        room_101(),
        fresh(),
        &may_guest(u32::MAX),
        may_12(),
    );
    denied(
        &judgement,
        Reason::SequenceTooFarAhead {
            card: u32::MAX,
            lock: 0,
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Which doors a card opens

#[test]
fn common_door_on_the_card_is_granted_without_a_sequence_check() {
    // The lock's sequence is far above the card's: irrelevant at a common door.
    let state = at_sequence(99);
    let judgement = judge(&config(), lobby(), state, &may_guest(1), may_12());
    granted(&judgement, Reason::CommonArea);
    assert_eq!(judgement.state, state, "a common door has no override");
}

#[test]
fn common_door_not_on_the_card_is_refused() {
    let judgement = judge(&config(), gym(), fresh(), &may_guest(1), may_12());
    denied(&judgement, Reason::DoorNotOnCard);
}

#[test]
fn capable_door_not_on_the_card_is_refused() {
    let judgement = judge(&config(), room_102(), fresh(), &may_guest(1), may_12());
    denied(&judgement, Reason::DoorNotOnCard);
    assert_eq!(judgement.state, fresh());
}

#[test]
fn capable_door_listed_only_as_common_has_no_sequence() {
    let listed_as_common = card(
        at(2025, 5, 1, 0, 0),
        at(2025, 6, 1, 0, 0),
        CardContent::Guest {
            reservation_id: None,
            capable_doors: vec![],
            common_doors: vec![room_101().entrance_id],
        },
    );
    let judgement = judge(
        &config(),
        room_101(),
        at_sequence(3),
        &listed_as_common,
        may_12(),
    );
    denied(&judgement, Reason::NoSequenceForDoor);
}

#[test]
fn card_with_several_capable_doors_uses_each_door_own_sequence() {
    let suite = card(
        at(2025, 5, 1, 0, 0),
        at(2025, 6, 1, 0, 0),
        CardContent::Guest {
            reservation_id: None,
            capable_doors: vec![
                DoorSequence {
                    entrance_id: room_101().entrance_id,
                    sequence: 8,
                },
                DoorSequence {
                    entrance_id: room_102().entrance_id,
                    sequence: 3,
                },
            ],
            common_doors: vec![],
        },
    );
    granted(
        &judge(&config(), room_101(), at_sequence(7), &suite, may_12()),
        Reason::Overrode { from: 7, to: 8 },
    );
    granted(
        &judge(&config(), room_102(), at_sequence(3), &suite, may_12()),
        Reason::Joined,
    );
    denied(
        &judge(&config(), room_102(), at_sequence(4), &suite, may_12()),
        Reason::Overridden { card: 3, lock: 4 },
    );
}

// ---------------------------------------------------------------------------------------------
// Card checks before the door

#[test]
fn card_of_another_property_is_refused() {
    let mut other = may_guest(1);
    other.property_id = Uuid::from_u128(0xBAD);
    let judgement = judge(&config(), room_101(), fresh(), &other, may_12());
    denied(&judgement, Reason::WrongProperty);
    assert_eq!(judgement.state, fresh());
}

#[test]
fn wrong_property_is_reported_before_expiry() {
    let mut other = guest_1();
    other.property_id = Uuid::from_u128(0xBAD);
    denied(
        &judge(&config(), room_101(), fresh(), &other, at(2026, 1, 1, 0, 0)),
        Reason::WrongProperty,
    );
}

#[test]
fn a_lock_reads_every_format_from_its_oldest_to_its_newest() {
    let config = LockConfig {
        oldest_format_version: FORMAT - 1,
        ..config()
    };
    for version in [FORMAT - 1, FORMAT] {
        let mut card = may_guest(1);
        card.format_version = version;
        assert!(judge(&config, room_101(), fresh(), &card, may_12()).is_granted());
    }
    for version in [FORMAT - 2, FORMAT + 1] {
        let mut card = may_guest(1);
        card.format_version = version;
        denied(
            &judge(&config, room_101(), fresh(), &card, may_12()),
            Reason::UnknownFormat { version },
        );
    }
}

#[test]
fn unknown_card_format_is_refused() {
    let mut newer = may_guest(1);
    newer.format_version = FORMAT + 1;
    denied(
        &judge(&config(), room_101(), fresh(), &newer, may_12()),
        Reason::UnknownFormat {
            version: FORMAT + 1,
        },
    );
    let mut older = may_guest(1);
    older.format_version = FORMAT - 1;
    denied(
        &judge(&config(), room_101(), fresh(), &older, may_12()),
        Reason::UnknownFormat {
            version: FORMAT - 1,
        },
    );
}

#[test]
fn card_made_under_a_retired_key_epoch_is_refused() {
    let config = LockConfig {
        min_key_epoch: 3,
        ..config()
    };
    let mut old = may_guest(1);
    old.key_epoch = 2;
    let judgement = judge(&config, room_101(), fresh(), &old, may_12());
    denied(&judgement, Reason::RetiredKeyEpoch { epoch: 2 });
    assert_eq!(judgement.state, fresh());

    for epoch in [3, 4] {
        let mut current = may_guest(1);
        current.key_epoch = epoch;
        assert!(judge(&config, room_101(), fresh(), &current, may_12()).is_granted());
    }
}

#[test]
fn not_yet_valid_allows_exactly_five_minutes_of_clock_skew() {
    let config = config();
    assert_eq!(config.clock_skew, Duration::minutes(5));
    let card = guest_2(); // valid from 2025-05-14T15:00Z
    let at_the_edge = at(2025, 5, 14, 14, 55);
    assert!(judge(&config, room_101(), at_sequence(1), &card, at_the_edge).is_granted());
    let just_before = at_the_edge - Duration::seconds(1);
    let judgement = judge(&config, room_101(), at_sequence(1), &card, just_before);
    denied(&judgement, Reason::NotYetValid);
    assert_eq!(
        judgement.state,
        at_sequence(1),
        "a refused early card does not override"
    );
}

#[test]
fn expired_allows_just_under_five_minutes_of_clock_skew() {
    let config = config();
    let card = guest_1(); // valid until 2025-05-14T11:00Z
    let at_the_edge = at(2025, 5, 14, 11, 5);
    denied(
        &judge(&config, room_101(), at_sequence(1), &card, at_the_edge),
        Reason::Expired,
    );
    let just_before = at_the_edge - Duration::seconds(1);
    granted(
        &judge(&config, room_101(), at_sequence(1), &card, just_before),
        Reason::Joined,
    );
}

#[test]
fn clock_skew_is_configurable() {
    let config = LockConfig {
        clock_skew: Duration::zero(),
        ..config()
    };
    let card = guest_1();
    denied(
        &judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 10, 14, 59),
        ),
        Reason::NotYetValid,
    );
    assert!(
        judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 10, 15, 0)
        )
        .is_granted()
    );
    assert!(
        judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 14, 10, 59)
        )
        .is_granted()
    );
    denied(
        &judge(
            &config,
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 14, 11, 0),
        ),
        Reason::Expired,
    );
}

#[test]
fn expired_card_is_refused_at_a_common_door_too() {
    denied(
        &judge(
            &config(),
            lobby(),
            fresh(),
            &guest_1(),
            at(2025, 5, 20, 0, 0),
        ),
        Reason::Expired,
    );
}

// ---------------------------------------------------------------------------------------------
// Staff cards

#[test]
fn staff_card_opens_a_guest_door_without_touching_the_guest_sequence() {
    let config = config();
    let state = at_sequence(7);
    let housekeeping = staff(&[room_101(), room_102()], None);
    let judgement = judge(&config, room_101(), state, &housekeeping, may_12());
    granted(&judgement, Reason::StaffAccess);
    assert_eq!(judgement.state, state, "staff cards never override");
    // The current guest is still a joiner, the previous one still refused.
    granted(
        &judge(
            &config,
            room_101(),
            judgement.state,
            &may_guest(7),
            may_12(),
        ),
        Reason::Joined,
    );
    denied(
        &judge(
            &config,
            room_101(),
            judgement.state,
            &may_guest(6),
            may_12(),
        ),
        Reason::Overridden { card: 6, lock: 7 },
    );
}

#[test]
fn staff_card_is_unaffected_by_any_guest_sequence() {
    let housekeeping = staff(&[room_101()], None);
    for sequence in [0, 1, 50, 51, u32::MAX] {
        let judgement = judge(
            &config(),
            room_101(),
            at_sequence(sequence),
            &housekeeping,
            may_12(),
        );
        granted(&judgement, Reason::StaffAccess);
        assert_eq!(judgement.state, at_sequence(sequence));
    }
}

#[test]
fn staff_card_for_other_doors_is_refused() {
    let housekeeping = staff(&[room_102()], None);
    denied(
        &judge(&config(), room_101(), fresh(), &housekeeping, may_12()),
        Reason::DoorNotOnCard,
    );
}

#[test]
fn a_floor_zone_opens_every_guest_room_of_that_floor_and_nothing_else() {
    let floor_1 = zoned_staff(&[lobby()], &[StaffZone::Floor { floor: 1 }]);
    for door in [room_101(), room_102(), room_on_floor(120, 1)] {
        granted(
            &judge(&config(), door, at_sequence(4), &floor_1, may_12()),
            Reason::StaffAccess,
        );
    }
    granted(
        &judge(&config(), lobby(), fresh(), &floor_1, may_12()),
        Reason::StaffAccess,
    );
    // Another floor's room, a room without a floor, and a common door not listed.
    let no_floor = Door {
        place: DoorPlace::GuestRoom { floor: None },
        ..room_on_floor(7, 0)
    };
    for door in [room_on_floor(201, 2), no_floor, gym()] {
        denied(
            &judge(&config(), door, fresh(), &floor_1, may_12()),
            Reason::DoorNotOnCard,
        );
    }
}

#[test]
fn all_guest_rooms_opens_every_room_door_but_no_common_door_it_does_not_list() {
    let everywhere = zoned_staff(&[], &[StaffZone::AllGuestRooms]);
    let no_floor = Door {
        place: DoorPlace::GuestRoom { floor: None },
        ..room_on_floor(7, 0)
    };
    for door in [
        room_101(),
        room_on_floor(201, 2),
        room_on_floor(650, 6),
        no_floor,
    ] {
        granted(
            &judge(&config(), door, fresh(), &everywhere, may_12()),
            Reason::StaffAccess,
        );
    }
    // A door that happens to be reservation-capable but is no guest room's.
    let store_room = Door {
        place: DoorPlace::Other,
        ..room_on_floor(8, 1)
    };
    for door in [lobby(), store_room] {
        denied(
            &judge(&config(), door, fresh(), &everywhere, may_12()),
            Reason::DoorNotOnCard,
        );
    }
}

#[test]
fn a_zone_staff_card_stays_off_the_guest_track() {
    let config = config();
    let state = at_sequence(9);
    let floor_1 = zoned_staff(&[], &[StaffZone::Floor { floor: 1 }]);
    let judgement = judge(&config, room_101(), state, &floor_1, may_12());
    granted(&judgement, Reason::StaffAccess);
    assert_eq!(judgement.state, state, "a zone never overrides");
    granted(
        &judge(
            &config,
            room_101(),
            judgement.state,
            &may_guest(9),
            may_12(),
        ),
        Reason::Joined,
    );
    // And until its end it may open, whatever guest cards do at the door.
    assert_eq!(
        still_opens(&config, room_101(), at_sequence(40), &floor_1, may_12()),
        Some(StillOpens::CardEnd {
            at: floor_1.valid_until
        })
    );
    assert_eq!(
        still_opens(&config, room_on_floor(201, 2), fresh(), &floor_1, may_12()),
        None
    );
}

#[test]
fn a_zone_card_keeps_its_shift() {
    let shift = Shift {
        weekdays: WEEKDAYS,
        start_minute: 8 * 60,
        end_minute: 16 * 60,
    };
    let mut card = zoned_staff(&[], &[StaffZone::Floor { floor: 1 }]);
    if let CardContent::Staff { shift: on_card, .. } = &mut card.content {
        *on_card = Some(shift);
    }
    // 2025-05-17 is a Saturday.
    denied(
        &judge(
            &config(),
            room_101(),
            fresh(),
            &card,
            at(2025, 5, 17, 12, 0),
        ),
        Reason::OutsideShift,
    );
    granted(
        &judge(
            &config(),
            room_101(),
            fresh(),
            &card,
            at(2025, 5, 12, 12, 0),
        ),
        Reason::StaffAccess,
    );
}

#[test]
fn staff_day_shift_is_half_open_and_limited_to_its_weekdays() {
    let config = config();
    let shift = Shift {
        weekdays: WEEKDAYS,
        start_minute: 8 * 60,
        end_minute: 16 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    let judge_at = |now| judge(&config, room_101(), fresh(), &card, now);
    // 2025-05-12 is a Monday.
    granted(&judge_at(at(2025, 5, 12, 8, 0)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 12, 15, 59)), Reason::StaffAccess);
    denied(&judge_at(at(2025, 5, 12, 7, 59)), Reason::OutsideShift);
    denied(&judge_at(at(2025, 5, 12, 16, 0)), Reason::OutsideShift);
    // Friday works, Saturday and Sunday do not.
    granted(&judge_at(at(2025, 5, 16, 12, 0)), Reason::StaffAccess);
    denied(&judge_at(at(2025, 5, 17, 12, 0)), Reason::OutsideShift);
    denied(&judge_at(at(2025, 5, 18, 12, 0)), Reason::OutsideShift);
}

#[test]
fn staff_night_shift_crossing_midnight_belongs_to_the_day_it_starts() {
    let config = config();
    // Friday nights only: 22:00 to 06:00.
    let shift = Shift {
        weekdays: FRIDAY,
        start_minute: 22 * 60,
        end_minute: 6 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    let judge_at = |now| judge(&config, room_101(), fresh(), &card, now);
    // Friday 2025-05-16 evening and the Saturday morning after.
    denied(&judge_at(at(2025, 5, 16, 21, 59)), Reason::OutsideShift);
    granted(&judge_at(at(2025, 5, 16, 22, 0)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 16, 23, 59)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 17, 0, 0)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 17, 5, 59)), Reason::StaffAccess);
    denied(&judge_at(at(2025, 5, 17, 6, 0)), Reason::OutsideShift);
    // Saturday evening is not a Friday shift; Friday early morning belongs to Thursday's.
    denied(&judge_at(at(2025, 5, 17, 22, 30)), Reason::OutsideShift);
    denied(&judge_at(at(2025, 5, 16, 3, 0)), Reason::OutsideShift);
}

#[test]
fn staff_night_shift_over_the_week_boundary_uses_sunday_for_monday_morning() {
    let config = config();
    // Sunday nights only (bit 6): 23:00 to 07:00.
    let shift = Shift {
        weekdays: 1 << 6,
        start_minute: 23 * 60,
        end_minute: 7 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    // Sunday 2025-05-18 23:30, Monday 2025-05-19 06:30.
    granted(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 18, 23, 30)),
        Reason::StaffAccess,
    );
    granted(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 19, 6, 30)),
        Reason::StaffAccess,
    );
    denied(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 19, 23, 30)),
        Reason::OutsideShift,
    );
}

#[test]
fn staff_shift_is_read_in_the_lock_local_time() {
    // The lock runs at UTC+02:00; the shift is Monday 08:00–16:00 local.
    let config = LockConfig {
        utc_offset: FixedOffset::east_opt(2 * 3600).unwrap(),
        ..config()
    };
    let shift = Shift {
        weekdays: MONDAY,
        start_minute: 8 * 60,
        end_minute: 16 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    let judge_at = |now| judge(&config, room_101(), fresh(), &card, now);
    denied(&judge_at(at(2025, 5, 12, 5, 59)), Reason::OutsideShift); // 07:59 local
    granted(&judge_at(at(2025, 5, 12, 6, 0)), Reason::StaffAccess); // 08:00 local
    granted(&judge_at(at(2025, 5, 12, 13, 59)), Reason::StaffAccess); // 15:59 local
    denied(&judge_at(at(2025, 5, 12, 14, 0)), Reason::OutsideShift); // 16:00 local
    // In UTC this would be inside the shift, in local time it is not.
    denied(&judge_at(at(2025, 5, 12, 15, 0)), Reason::OutsideShift);
}

#[test]
fn staff_shift_weekday_is_the_local_one_not_the_utc_one() {
    // UTC−05:00: Tuesday 02:00 UTC is Monday 21:00 local.
    let config = LockConfig {
        utc_offset: FixedOffset::west_opt(5 * 3600).unwrap(),
        ..config()
    };
    let shift = Shift {
        weekdays: MONDAY,
        start_minute: 20 * 60,
        end_minute: 23 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    granted(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 13, 2, 0)),
        Reason::StaffAccess,
    );
    // Monday 21:00 UTC is Monday 16:00 local: outside.
    denied(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 12, 21, 0)),
        Reason::OutsideShift,
    );
}

// ---------------------------------------------------------------------------------------------
// Cancel cards

#[test]
fn cancel_card_moves_the_sequence_up_without_opening() {
    let now = may_12();
    let judgement = judge(
        &config(),
        room_101(),
        at_sequence(3),
        &cancel(room_101(), 4),
        now,
    );
    denied(&judgement, Reason::CancelApplied { from: 3, to: 4 });
    assert_eq!(
        judgement.state,
        LockState {
            guest_sequence: 4,
            overridden_at: Some(now)
        }
    );
}

#[test]
fn after_a_cancel_the_old_guest_card_is_refused() {
    let config = config();
    let door = room_101();
    let lost_card = may_guest(3);
    granted(
        &judge(&config, door, at_sequence(3), &lost_card, may_12()),
        Reason::Joined,
    );
    let cancelled = judge(&config, door, at_sequence(3), &cancel(door, 4), may_12());
    denied(
        &judge(
            &config,
            door,
            cancelled.state,
            &lost_card,
            may_12() + Duration::hours(1),
        ),
        Reason::Overridden { card: 3, lock: 4 },
    );
    // The replacement reservation takes the next number and opens.
    granted(
        &judge(
            &config,
            door,
            cancelled.state,
            &may_guest(5),
            may_12() + Duration::hours(2),
        ),
        Reason::Overrode { from: 4, to: 5 },
    );
}

#[test]
fn stale_cancel_card_changes_nothing() {
    let state = at_sequence(5);
    for sequence in [5, 3] {
        let judgement = judge(
            &config(),
            room_101(),
            state,
            &cancel(room_101(), sequence),
            may_12(),
        );
        denied(
            &judgement,
            Reason::CancelStale {
                card: sequence,
                lock: 5,
            },
        );
        assert_eq!(judgement.state, state);
    }
}

#[test]
fn cancel_card_for_another_door_changes_nothing() {
    let state = at_sequence(3);
    let judgement = judge(
        &config(),
        room_101(),
        state,
        &cancel(room_102(), 9),
        may_12(),
    );
    denied(&judgement, Reason::DoorNotOnCard);
    assert_eq!(judgement.state, state);
}

#[test]
fn cancel_card_beyond_the_look_ahead_is_refused() {
    let state = at_sequence(3);
    let judgement = judge(
        &config(),
        room_101(),
        state,
        &cancel(room_101(), 54),
        may_12(),
    );
    denied(
        &judgement,
        Reason::SequenceTooFarAhead { card: 54, lock: 3 },
    );
    assert_eq!(judgement.state, state);
    let judgement = judge(
        &config(),
        room_101(),
        state,
        &cancel(room_101(), 53),
        may_12(),
    );
    denied(&judgement, Reason::CancelApplied { from: 3, to: 53 });
}

#[test]
fn expired_cancel_card_is_refused_before_it_can_cancel() {
    let state = at_sequence(3);
    let judgement = judge(
        &config(),
        room_101(),
        state,
        &cancel(room_101(), 4),
        at(2025, 7, 1, 0, 0),
    );
    denied(&judgement, Reason::Expired);
    assert_eq!(judgement.state, state);
}

// ---------------------------------------------------------------------------------------------
// Reasons

fn every_reason() -> Vec<Reason> {
    let all = vec![
        Reason::Joined,
        Reason::Overrode { from: 1, to: 2 },
        Reason::CommonArea,
        Reason::StaffAccess,
        Reason::CancelApplied { from: 3, to: 4 },
        Reason::CancelStale { card: 5, lock: 6 },
        Reason::WrongProperty,
        Reason::UnknownFormat { version: 7 },
        Reason::RetiredKeyEpoch { epoch: 8 },
        Reason::NotYetValid,
        Reason::Expired,
        Reason::DoorNotOnCard,
        Reason::NoSequenceForDoor,
        Reason::Overridden { card: 9, lock: 10 },
        Reason::SequenceTooFarAhead { card: 61, lock: 10 },
        Reason::OutsideShift,
        Reason::NotAuthentic,
    ];
    // Fails to compile when a variant is added and not listed above.
    for reason in &all {
        match reason {
            Reason::Joined
            | Reason::Overrode { .. }
            | Reason::CommonArea
            | Reason::StaffAccess
            | Reason::CancelApplied { .. }
            | Reason::CancelStale { .. }
            | Reason::WrongProperty
            | Reason::UnknownFormat { .. }
            | Reason::RetiredKeyEpoch { .. }
            | Reason::NotYetValid
            | Reason::Expired
            | Reason::DoorNotOnCard
            | Reason::NoSequenceForDoor
            | Reason::Overridden { .. }
            | Reason::SequenceTooFarAhead { .. }
            | Reason::OutsideShift
            | Reason::NotAuthentic => {}
        }
    }
    all
}

#[test]
fn every_reason_explains_itself_in_a_distinct_sentence() {
    let reasons = every_reason();
    let mut sentences = std::collections::BTreeSet::new();
    for reason in &reasons {
        let sentence = reason.explain();
        assert!(
            sentence.trim().len() > 10,
            "{reason:?} explains too little: {sentence:?}"
        );
        assert!(
            sentences.insert(sentence.clone()),
            "{reason:?} repeats {sentence:?}"
        );
    }
    assert_eq!(sentences.len(), reasons.len());
}

#[test]
fn reasons_with_numbers_name_them() {
    for (reason, numbers) in [
        (Reason::Overrode { from: 11, to: 12 }, ["11", "12"]),
        (Reason::CancelApplied { from: 13, to: 14 }, ["13", "14"]),
        (Reason::CancelStale { card: 15, lock: 16 }, ["15", "16"]),
        (Reason::Overridden { card: 17, lock: 18 }, ["17", "18"]),
        (
            Reason::SequenceTooFarAhead { card: 99, lock: 19 },
            ["99", "19"],
        ),
    ] {
        let sentence = reason.explain();
        for number in numbers {
            assert!(sentence.contains(number), "{reason:?}: {sentence}");
        }
    }
    assert!(
        Reason::UnknownFormat { version: 42 }
            .explain()
            .contains("42")
    );
    assert!(
        Reason::RetiredKeyEpoch { epoch: 43 }
            .explain()
            .contains("43")
    );
}

#[test]
fn reasons_serialize_with_a_snake_case_tag() {
    let json = serde_json::to_value(Reason::Overrode { from: 1, to: 2 }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "reason": "overrode", "from": 1, "to": 2 })
    );
    let json = serde_json::to_value(Reason::SequenceTooFarAhead { card: 61, lock: 10 }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "reason": "sequence_too_far_ahead", "card": 61, "lock": 10 })
    );
    for reason in every_reason() {
        let back: Reason = serde_json::from_value(serde_json::to_value(reason).unwrap()).unwrap();
        assert_eq!(back, reason);
    }
}

// ---------------------------------------------------------------------------------------------
// Until when a card out of use may still open a door

#[test]
fn a_card_opens_its_room_until_a_newer_card_is_used_and_its_common_doors_until_its_end() {
    let during = at(2025, 5, 12, 12, 0);
    let end = guest_1().valid_until;
    assert_eq!(
        still_opens(&config(), room_101(), at_sequence(1), &guest_1(), during),
        Some(StillOpens::NewerCard { at_latest: end })
    );
    assert_eq!(
        still_opens(&config(), lobby(), fresh(), &guest_1(), during),
        Some(StillOpens::CardEnd { at: end })
    );
    // Guest 2's card was used at the room: guest 1's card is done there, not at the lobby.
    assert_eq!(
        still_opens(&config(), room_101(), at_sequence(2), &guest_1(), during),
        None
    );
    assert!(still_opens(&config(), lobby(), at_sequence(2), &guest_1(), during).is_some());
    // Its end passed, with the clock skew: no door takes it.
    let after = end + config().clock_skew;
    assert_eq!(
        still_opens(&config(), lobby(), fresh(), &guest_1(), after),
        None
    );
    assert_eq!(
        still_opens(&config(), room_101(), at_sequence(1), &guest_1(), after),
        None
    );
    // Not a door of the card.
    assert_eq!(
        still_opens(&config(), gym(), fresh(), &guest_1(), during),
        None
    );
}

#[test]
fn a_card_refused_only_for_now_still_counts() {
    // Not valid yet: it opens once its stay begins.
    let before = at(2025, 5, 1, 0, 0);
    assert!(still_opens(&config(), room_101(), fresh(), &guest_2(), before).is_some());
    // Too far ahead of the lock: a newer card used there brings it within reach.
    let far = may_guest(config().look_ahead + 5);
    let now = at(2025, 5, 12, 12, 0);
    assert_eq!(
        judge(&config(), room_101(), fresh(), &far, now).reason,
        Reason::SequenceTooFarAhead {
            card: config().look_ahead + 5,
            lock: 0
        }
    );
    assert!(still_opens(&config(), room_101(), fresh(), &far, now).is_some());
    // A staff card outside its shift opens in its next shift.
    let night = Shift {
        weekdays: 0b111_1111,
        start_minute: 22 * 60,
        end_minute: 6 * 60,
    };
    let card = staff(&[lobby()], Some(night));
    assert_eq!(
        still_opens(&config(), lobby(), fresh(), &card, at(2025, 5, 12, 12, 0)),
        Some(StillOpens::CardEnd {
            at: card.valid_until
        })
    );
}
