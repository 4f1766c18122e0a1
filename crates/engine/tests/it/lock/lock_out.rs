//! Lock-out cards: a door refuses every guest card, the current guest's included, until a
//! lift card or the next guest's card is used there. Staff cards still open.

use engine::lock::{Card, CardContent, DoorSequence, LockState, Reason, judge, still_opens};

use super::{
    at, at_sequence, card, config, denied, granted, lobby, may_12, may_guest, room_101, room_102,
    staff,
};

/// A lock-out (or lift) card for room 101 made when the door's last number was `last`.
fn lock_out_at(last: u32, lift: bool) -> Card {
    card(
        at(2025, 5, 1, 0, 0),
        at(2025, 6, 1, 0, 0),
        CardContent::LockOut {
            doors: vec![DoorSequence {
                entrance_id: room_101().entrance_id,
                sequence: last,
            }],
            lift,
        },
    )
}

fn lock_out_card(lift: bool) -> Card {
    lock_out_at(4, lift)
}

fn locked_out_at(sequence: u32) -> LockState {
    judge(
        &config(),
        room_101(),
        at_sequence(sequence),
        &lock_out_card(false),
        may_12(),
    )
    .state
}

#[test]
fn a_lock_out_card_shuts_out_the_current_guest_without_opening() {
    let judged = judge(
        &config(),
        room_101(),
        at_sequence(4),
        &lock_out_card(false),
        may_12(),
    );
    denied(&judged, Reason::LockedOut);
    assert!(judged.state.locked_out);
    assert_eq!(judged.state.guest_sequence, 4, "the sequence does not move");

    denied(
        &judge(&config(), room_101(), judged.state, &may_guest(4), may_12()),
        Reason::DoorLockedOut,
    );
    // Not for good: the guest may be let back in.
    assert!(still_opens(&config(), room_101(), judged.state, &may_guest(4), may_12()).is_some());
    // Older guests stay overridden, not merely locked out.
    denied(
        &judge(&config(), room_101(), judged.state, &may_guest(3), may_12()),
        Reason::Overridden { card: 3, lock: 4 },
    );
}

#[test]
fn a_lift_card_lets_the_guest_back_in() {
    let lifted = judge(
        &config(),
        room_101(),
        locked_out_at(4),
        &lock_out_card(true),
        may_12(),
    );
    denied(&lifted, Reason::LockOutLifted);
    assert!(!lifted.state.locked_out);
    granted(
        &judge(&config(), room_101(), lifted.state, &may_guest(4), may_12()),
        Reason::Joined,
    );
}

#[test]
fn the_next_guest_s_card_lifts_the_lock_out_and_overrides() {
    let judged = judge(
        &config(),
        room_101(),
        locked_out_at(4),
        &may_guest(5),
        may_12(),
    );
    granted(&judged, Reason::Overrode { from: 4, to: 5 });
    assert!(!judged.state.locked_out);
    denied(
        &judge(&config(), room_101(), judged.state, &may_guest(4), may_12()),
        Reason::Overridden { card: 4, lock: 5 },
    );
}

#[test]
fn staff_cards_open_a_locked_out_room_and_other_doors_ignore_the_card() {
    granted(
        &judge(
            &config(),
            room_101(),
            locked_out_at(4),
            &staff(&[room_101()], None),
            may_12(),
        ),
        Reason::StaffAccess,
    );
    for door in [room_102(), lobby()] {
        let judged = judge(
            &config(),
            door,
            LockState::default(),
            &lock_out_card(false),
            may_12(),
        );
        denied(&judged, Reason::DoorNotOnCard);
        assert!(!judged.state.locked_out);
    }
    // A lock-out card itself opens nothing, ever.
    assert!(
        still_opens(
            &config(),
            room_101(),
            at_sequence(4),
            &lock_out_card(false),
            may_12()
        )
        .is_none()
    );
}

#[test]
fn the_guest_s_card_not_used_yet_cannot_lift_a_lock_out() {
    // The guest was given card 5; the lock is still at 4 when the manager locks the room out.
    let shut = judge(
        &config(),
        room_101(),
        at_sequence(4),
        &lock_out_at(5, false),
        may_12(),
    );
    denied(&shut, Reason::LockedOut);
    assert_eq!(shut.state.guest_sequence, 5);
    denied(
        &judge(&config(), room_101(), shut.state, &may_guest(5), may_12()),
        Reason::DoorLockedOut,
    );
    // The next reservation's card, numbered after the lock-out card was made, lifts it.
    let next = judge(&config(), room_101(), shut.state, &may_guest(6), may_12());
    granted(&next, Reason::Overrode { from: 5, to: 6 });
    assert!(!next.state.locked_out);
    // A lift card leaves the number where it is.
    let lifted = judge(
        &config(),
        room_101(),
        shut.state,
        &lock_out_at(3, true),
        may_12(),
    );
    denied(&lifted, Reason::LockOutLifted);
    assert_eq!(lifted.state.guest_sequence, 5);
}
