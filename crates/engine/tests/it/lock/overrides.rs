//! Overrides and joiners on a guest door, and which doors a card opens.

use engine::lock::{CardContent, DoorSequence, LockConfig, LockState, Reason, judge};

use super::{
    at, at_sequence, card, config, denied, fresh, granted, guest, guest_1, guest_2, gym, lobby,
    may_12, may_guest, room_101, room_102,
};

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
            overridden_at: Some(now),
            ..LockState::default()
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
            overridden_at: Some(first_use),
            ..LockState::default()
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
