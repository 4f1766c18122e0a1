//! A thrown deadbolt (privacy) and the staff levels: only an emergency key opens a door whose
//! guest has locked it from inside; a master opens every guest room, an emergency key every
//! door; a card with several shifts works in any of them.

use engine::lock::{
    Card, CardContent, LockState, Reason, Shift, StaffLevel, StaffZone, judge, still_opens,
};

use super::{
    WEEKDAYS, at, at_sequence, cancel, card, config, denied, granted, gym, lobby, may_12,
    may_guest, room_101, room_on_floor, staff, zoned_staff,
};

fn with_privacy(state: LockState) -> LockState {
    LockState {
        privacy: true,
        ..state
    }
}

/// A staff card of `level` that lists no door.
fn level_card(level: StaffLevel, zones: &[StaffZone], schedule: Vec<Shift>) -> Card {
    card(
        at(2025, 1, 1, 0, 0),
        at(2026, 1, 1, 0, 0),
        CardContent::Staff {
            level,
            doors: Vec::new(),
            zones: zones.to_vec(),
            schedule,
        },
    )
}

#[test]
fn behind_a_thrown_deadbolt_guest_cards_are_refused_and_the_lock_moves_nowhere() {
    let state = with_privacy(at_sequence(3));
    for sequence in [3, 4] {
        let judged = judge(&config(), room_101(), state, &may_guest(sequence), may_12());
        denied(&judged, Reason::PrivacyOn);
        assert_eq!(judged.state, state, "sequence {sequence}");
    }
    // A card the door moved past is refused for that, not for the deadbolt.
    denied(
        &judge(&config(), room_101(), state, &may_guest(2), may_12()),
        Reason::Overridden { card: 2, lock: 3 },
    );
    // Released: the newer guest's card overrides as ever.
    let released = LockState {
        privacy: false,
        ..state
    };
    let judged = judge(&config(), room_101(), released, &may_guest(4), may_12());
    granted(&judged, Reason::Overrode { from: 3, to: 4 });
    assert!(!judged.state.privacy);
}

#[test]
fn behind_a_thrown_deadbolt_staff_cards_are_refused_but_an_emergency_key_opens() {
    let state = with_privacy(at_sequence(3));
    denied(
        &judge(
            &config(),
            room_101(),
            state,
            &staff(&[room_101()], None),
            may_12(),
        ),
        Reason::PrivacyOn,
    );
    denied(
        &judge(
            &config(),
            room_101(),
            state,
            &level_card(StaffLevel::Master, &[StaffZone::AllGuestRooms], vec![]),
            may_12(),
        ),
        Reason::PrivacyOn,
    );
    let emergency = level_card(StaffLevel::Emergency, &[], vec![]);
    let judged = judge(&config(), room_101(), state, &emergency, may_12());
    granted(&judged, Reason::EmergencyAccess);
    assert_eq!(judged.state, state, "the deadbolt stays thrown");
    // A cancel card still moves the door, deadbolt or not.
    let judged = judge(
        &config(),
        room_101(),
        state,
        &cancel(room_101(), 4),
        may_12(),
    );
    denied(&judged, Reason::CancelApplied { from: 3, to: 4 });
    assert!(judged.state.privacy);
}

#[test]
fn a_card_behind_a_deadbolt_may_still_open_later() {
    let state = with_privacy(at_sequence(3));
    assert!(still_opens(&config(), room_101(), state, &may_guest(3), may_12()).is_some());
    assert!(still_opens(&config(), room_101(), state, &may_guest(2), may_12()).is_none());
}

#[test]
fn an_emergency_key_opens_every_door_a_master_every_guest_room() {
    let emergency = level_card(StaffLevel::Emergency, &[], vec![]);
    let master = level_card(StaffLevel::Master, &[StaffZone::AllGuestRooms], vec![]);
    for door in [room_101(), room_on_floor(301, 3), lobby(), gym()] {
        granted(
            &judge(&config(), door, at_sequence(1), &emergency, may_12()),
            Reason::EmergencyAccess,
        );
    }
    for door in [room_101(), room_on_floor(301, 3)] {
        granted(
            &judge(&config(), door, at_sequence(1), &master, may_12()),
            Reason::StaffAccess,
        );
    }
    for door in [lobby(), gym()] {
        denied(
            &judge(&config(), door, at_sequence(1), &master, may_12()),
            Reason::DoorNotOnCard,
        );
    }
    // A floor card with the gym listed: its floor's rooms and the gym, nothing else.
    let floor = zoned_staff(&[gym()], &[StaffZone::Floor { floor: 1 }]);
    granted(
        &judge(&config(), room_101(), at_sequence(1), &floor, may_12()),
        Reason::StaffAccess,
    );
    granted(
        &judge(&config(), gym(), at_sequence(1), &floor, may_12()),
        Reason::StaffAccess,
    );
    denied(
        &judge(
            &config(),
            room_on_floor(301, 3),
            at_sequence(1),
            &floor,
            may_12(),
        ),
        Reason::DoorNotOnCard,
    );
}

#[test]
fn a_card_with_several_shifts_works_in_any_of_them_and_an_emergency_key_keeps_its_own() {
    let mornings = Shift {
        weekdays: WEEKDAYS,
        start_minute: 6 * 60,
        end_minute: 10 * 60,
    };
    let evenings = Shift {
        weekdays: WEEKDAYS,
        start_minute: 18 * 60,
        end_minute: 22 * 60,
    };
    let card = level_card(
        StaffLevel::Master,
        &[StaffZone::AllGuestRooms],
        vec![mornings, evenings],
    );
    // 2025-05-12 is a Monday.
    let on_monday = |hour| {
        judge(
            &config(),
            room_101(),
            at_sequence(1),
            &card,
            at(2025, 5, 12, hour, 0),
        )
    };
    granted(&on_monday(7), Reason::StaffAccess);
    granted(&on_monday(19), Reason::StaffAccess);
    denied(&on_monday(12), Reason::OutsideShift);
    denied(&on_monday(23), Reason::OutsideShift);
    // An emergency key with a schedule is refused outside it, deadbolt or not.
    let emergency = level_card(StaffLevel::Emergency, &[], vec![mornings]);
    denied(
        &judge(
            &config(),
            room_101(),
            with_privacy(at_sequence(1)),
            &emergency,
            at(2025, 5, 12, 12, 0),
        ),
        Reason::OutsideShift,
    );
}
