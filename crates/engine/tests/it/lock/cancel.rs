//! Cancel cards.

use chrono::Duration;
use engine::lock::{LockState, Reason, judge};

use super::{
    at, at_sequence, cancel, config, denied, granted, may_12, may_guest, room_101, room_102,
};

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
            overridden_at: Some(now),
            ..LockState::default()
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
