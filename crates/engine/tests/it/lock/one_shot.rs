//! One-shot cards: each listed door opens once, on a track of its own that leaves the
//! guests' override sequence alone.

use engine::lock::{CardContent, DoorSequence, LockState, Reason, StillOpens, judge, still_opens};

use super::{
    at, at_sequence, card, config, denied, granted, lobby, may_12, may_guest, room_101, room_102,
};

/// A one-shot card for room 101 with one-shot number `number`, valid all of May 2025.
fn one_shot(number: u32) -> engine::lock::Card {
    card(
        at(2025, 5, 1, 0, 0),
        at(2025, 6, 1, 0, 0),
        CardContent::OneShot {
            doors: vec![DoorSequence {
                entrance_id: room_101().entrance_id,
                sequence: number,
            }],
        },
    )
}

#[test]
fn a_one_shot_card_opens_once_and_leaves_the_guest_sequence_alone() {
    let state = at_sequence(7);
    let first = judge(&config(), room_101(), state, &one_shot(1), may_12());
    granted(&first, Reason::OneShotUsed);
    assert_eq!(first.state.one_shot_sequence, 1);
    assert_eq!(first.state.guest_sequence, 7);
    assert_eq!(first.state.overridden_at, state.overridden_at);

    denied(
        &judge(&config(), room_101(), first.state, &one_shot(1), may_12()),
        Reason::OneShotSpent { card: 1, lock: 1 },
    );
    // The room's guest still gets in: the one-shot card did not override them.
    granted(
        &judge(&config(), room_101(), first.state, &may_guest(7), may_12()),
        Reason::Joined,
    );
}

#[test]
fn a_newer_one_shot_card_used_first_spends_the_older_one() {
    let used = judge(
        &config(),
        room_101(),
        LockState::default(),
        &one_shot(3),
        may_12(),
    );
    granted(&used, Reason::OneShotUsed);
    denied(
        &judge(&config(), room_101(), used.state, &one_shot(2), may_12()),
        Reason::OneShotSpent { card: 2, lock: 3 },
    );
    assert!(still_opens(&config(), room_101(), used.state, &one_shot(2), may_12()).is_none());
    assert_eq!(
        still_opens(&config(), room_101(), used.state, &one_shot(4), may_12()),
        Some(StillOpens::Once {
            at_latest: at(2025, 6, 1, 0, 0)
        })
    );
}

#[test]
fn a_one_shot_card_is_refused_elsewhere_behind_a_deadbolt_and_far_ahead() {
    let fresh = LockState::default();
    denied(
        &judge(&config(), room_102(), fresh, &one_shot(1), may_12()),
        Reason::DoorNotOnCard,
    );
    denied(
        &judge(&config(), lobby(), fresh, &one_shot(1), may_12()),
        Reason::DoorNotOnCard,
    );
    let privacy = LockState {
        privacy: true,
        ..fresh
    };
    let judged = judge(&config(), room_101(), privacy, &one_shot(1), may_12());
    denied(&judged, Reason::PrivacyOn);
    assert_eq!(judged.state, privacy, "refused cards change nothing");
    let locked_out = LockState {
        locked_out: true,
        ..fresh
    };
    denied(
        &judge(&config(), room_101(), locked_out, &one_shot(1), may_12()),
        Reason::DoorLockedOut,
    );
    let ahead = config().look_ahead + 1;
    denied(
        &judge(&config(), room_101(), fresh, &one_shot(ahead), may_12()),
        Reason::SequenceTooFarAhead {
            card: ahead,
            lock: 0,
        },
    );
    denied(
        &judge(
            &config(),
            room_101(),
            fresh,
            &one_shot(1),
            at(2025, 6, 2, 0, 0),
        ),
        Reason::Expired,
    );
}

#[test]
fn a_guest_card_leaves_the_one_shot_track_alone() {
    let used = judge(
        &config(),
        room_101(),
        at_sequence(2),
        &one_shot(5),
        may_12(),
    )
    .state;
    let overridden = judge(&config(), room_101(), used, &may_guest(3), may_12());
    granted(&overridden, Reason::Overrode { from: 2, to: 3 });
    assert_eq!(overridden.state.one_shot_sequence, 5);
}
