//! The guide's four reservation rules, when a guest card needs a reservation key, and staff.

use engine::RuleError;
use engine::model::{AccessMode, AccessSystemKind, EntranceFacts, TimeFrame, UserKind};
use engine::rules::Placement;

use super::{
    CLEANUP_MESSAGE, CLEANUP_TITLE, JOINER_MESSAGE, JOINER_TITLE, NOT_SUPPORTED_MESSAGE,
    NOT_SUPPORTED_TITLE, OVERLAP_MESSAGE, OVERLAP_TITLE, REQUIRED_MESSAGE, REQUIRED_TITLE,
    ROOM_101, ROOM_102, ROOM_103, ROOM_203, Request, assert_guide_error, at, doors, gym, id, live,
    lobby, method, pool, room, stay_1,
};

// Rule 1: reservation_key requires at least one capable entrance

#[test]
fn rule_1_reservation_key_with_only_common_doors_is_not_supported() {
    // The guide's example: gym and pool with reservation_key "stay-1".
    let request = Request::guest(vec![gym(), pool()]);
    assert_guide_error(
        request.check(None),
        RuleError::ReservationKeyNotSupported,
        400,
        "reservation_key_not_supported",
        NOT_SUPPORTED_TITLE,
        NOT_SUPPORTED_MESSAGE,
    );
}

#[test]
fn rule_1_online_system_doors_are_not_reservation_capable() {
    let brivo_door = EntranceFacts {
        id: id(7),
        name: "Front gate".to_owned(),
        system_kind: AccessSystemKind::BrivoAccount,
        can_belong_to_reservation: false,
        modes: vec![AccessMode::Card, AccessMode::MobileKey],
    };
    let error = Request::guest(vec![brivo_door]).check(None).unwrap_err();
    assert_eq!(error, RuleError::ReservationKeyNotSupported);
}

#[test]
fn rule_1_is_reported_even_when_the_key_has_a_live_reservation() {
    // The key names a reservation on room 101, but this grant targets no capable door:
    // rule 1 (step 3) comes before the door-set checks (step 5).
    let existing = live(&[ROOM_101], &[stay_1()]);
    let error = Request::guest(vec![gym()])
        .check(Some(&existing))
        .unwrap_err();
    assert_eq!(error, RuleError::ReservationKeyNotSupported);
}

#[test]
fn rule_1_one_capable_door_among_common_ones_is_enough() {
    let placement = Request::guest(vec![gym(), room(ROOM_101), pool()])
        .check(None)
        .unwrap();
    assert_eq!(
        placement,
        Placement::Establish {
            doors: doors(&[ROOM_101])
        }
    );
}

// ---------------------------------------------------------------------------------------------
// reservation_key required for guest cards

#[test]
fn guest_card_on_capable_door_without_key_requires_reservation_key() {
    let request = Request::guest(vec![room(ROOM_101)]).key(None);
    assert_guide_error(
        request.check(None),
        RuleError::ReservationKeyRequiredForGuestCards,
        400,
        "reservation_key_required_for_guest_cards",
        REQUIRED_TITLE,
        REQUIRED_MESSAGE,
    );
}

#[test]
fn resident_card_on_capable_door_without_key_requires_reservation_key() {
    let request = Request::guest(vec![room(ROOM_101), lobby()])
        .user(UserKind::Resident)
        .key(None);
    assert_eq!(
        request.check(None),
        Err(RuleError::ReservationKeyRequiredForGuestCards)
    );
}

#[test]
fn guest_card_on_common_doors_only_without_key_is_standard() {
    let request = Request::guest(vec![gym(), lobby()]).key(None);
    assert_eq!(request.check(None), Ok(Placement::Standard));
}

#[test]
fn guest_mobile_key_without_card_on_capable_door_needs_no_key() {
    // docs/domain.md step 4 asks for the key only when a card is requested.
    let request = Request::guest(vec![room(ROOM_101)])
        .key(None)
        .requested(vec![method(AccessMode::MobileKey)]);
    assert_eq!(request.check(None), Ok(Placement::Standard));
}

#[test]
fn guest_card_needs_key_even_when_a_mobile_key_is_also_requested() {
    let request = Request::guest(vec![room(ROOM_101)])
        .key(None)
        .requested(vec![
            method(AccessMode::MobileKey),
            method(AccessMode::Card),
        ]);
    assert_eq!(
        request.check(None),
        Err(RuleError::ReservationKeyRequiredForGuestCards)
    );
}

#[test]
fn guest_card_is_not_required_to_have_key_when_the_capable_door_takes_no_cards() {
    // The card is for the lobby; the capable door opens only with a mobile key.
    let mut mobile_only_room = room(ROOM_101);
    mobile_only_room.modes = vec![AccessMode::MobileKey];
    let request = Request::guest(vec![mobile_only_room, lobby()])
        .key(None)
        .requested(vec![
            method(AccessMode::Card),
            method(AccessMode::MobileKey),
        ]);
    assert_eq!(request.check(None), Ok(Placement::Standard));
}

// ---------------------------------------------------------------------------------------------
// Establishing a reservation, mixed grants

#[test]
fn first_grant_with_new_key_establishes_the_reservation_door_set() {
    let placement = Request::guest(vec![room(ROOM_101), room(ROOM_102)])
        .check(None)
        .unwrap();
    assert_eq!(
        placement,
        Placement::Establish {
            doors: doors(&[ROOM_101, ROOM_102])
        }
    );
}

#[test]
fn mixed_grant_establishes_only_on_capable_doors() {
    // The guide's mixed example: room-101, gym, lobby; the key applies only to room-101.
    let placement = Request::guest(vec![room(ROOM_101), gym(), lobby()])
        .check(None)
        .unwrap();
    assert_eq!(
        placement,
        Placement::Establish {
            doors: doors(&[ROOM_101])
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 2: the reservation door set is fixed once established

#[test]
fn rule_2_disjoint_door_set_requires_cleanup() {
    // The guide's example: stay-1 exists on room-101, a new grant asks for room-203.
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request = Request::guest(vec![room(ROOM_203)]);
    assert_guide_error(
        request.check(Some(&existing)),
        RuleError::EntranceChangeRequiresCleanup,
        409,
        "reservation_entrance_change_requires_cleanup",
        CLEANUP_TITLE,
        CLEANUP_MESSAGE,
    );
}

#[test]
fn rule_2_partly_overlapping_door_set_requires_cleanup() {
    // {102, 103} against {101, 102}: neither a subset nor a superset.
    let existing = live(&[ROOM_101, ROOM_102], &[stay_1()]);
    let request = Request::guest(vec![room(ROOM_102), room(ROOM_103)]);
    assert_eq!(
        request.check(Some(&existing)),
        Err(RuleError::EntranceChangeRequiresCleanup)
    );
}

#[test]
fn rule_2_after_cleanup_the_same_key_establishes_the_new_door_set() {
    // "Relocate a reservation": once the old grants are deleted the key has no live
    // reservation and the new room establishes it.
    let request =
        Request::guest(vec![room(ROOM_203)]).frame(at(2025, 5, 10, 15, 30), stay_1().ends_at);
    assert_eq!(
        request.check(None),
        Ok(Placement::Establish {
            doors: doors(&[ROOM_203])
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 3: joiners can target subsets of reservation-capable doors

#[test]
fn rule_3_same_door_set_joiner_joins() {
    let existing = live(&[ROOM_101], &[stay_1()]);
    let placement = Request::guest(vec![room(ROOM_101)])
        .check(Some(&existing))
        .unwrap();
    assert_eq!(
        placement,
        Placement::Join {
            reservation_id: existing.id,
            doors: doors(&[ROOM_101])
        }
    );
}

#[test]
fn rule_3_subset_joiner_is_accepted_on_its_own_doors() {
    let existing = live(&[ROOM_101, ROOM_102], &[stay_1()]);
    let placement = Request::guest(vec![room(ROOM_102)])
        .check(Some(&existing))
        .unwrap();
    assert_eq!(
        placement,
        Placement::Join {
            reservation_id: existing.id,
            doors: doors(&[ROOM_102])
        }
    );
}

#[test]
fn rule_3_superset_joiner_is_a_conflict() {
    // The guide's example: the reservation has room-101; guest-3 asks for 101 and 102.
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request = Request::guest(vec![room(ROOM_101), room(ROOM_102)]);
    assert_guide_error(
        request.check(Some(&existing)),
        RuleError::JoinerEntranceSetConflict,
        409,
        "reservation_joiner_entrance_set_conflict",
        JOINER_TITLE,
        JOINER_MESSAGE,
    );
}

#[test]
fn rule_3_non_capable_entrances_are_ignored_in_the_subset_check() {
    // Gym and lobby are not part of the reservation door set, and need not be.
    let existing = live(&[ROOM_101], &[stay_1()]);
    let placement = Request::guest(vec![gym(), room(ROOM_101), lobby()])
        .check(Some(&existing))
        .unwrap();
    assert_eq!(
        placement,
        Placement::Join {
            reservation_id: existing.id,
            doors: doors(&[ROOM_101])
        }
    );
}

#[test]
fn rule_3_non_capable_entrances_do_not_rescue_a_capable_superset() {
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request = Request::guest(vec![lobby(), room(ROOM_101), room(ROOM_102)]);
    assert_eq!(
        request.check(Some(&existing)),
        Err(RuleError::JoinerEntranceSetConflict)
    );
}

#[test]
fn rule_3_common_doors_only_joiner_of_a_live_reservation_is_not_a_superset() {
    // Different common doors than earlier grants: still only the capable subset counts.
    let existing = live(&[ROOM_101, ROOM_102], &[stay_1()]);
    let placement = Request::guest(vec![pool(), room(ROOM_101)])
        .check(Some(&existing))
        .unwrap();
    assert_eq!(
        placement,
        Placement::Join {
            reservation_id: existing.id,
            doors: doors(&[ROOM_101])
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 4: time frames must overlap

#[test]
fn rule_4_overlapping_joiner_joins() {
    // The guide's example: guest-2 from 2025-05-11T11:00Z to 2025-05-14T11:00Z.
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 11, 11, 0), at(2025, 5, 14, 11, 0));
    assert!(matches!(
        request.check(Some(&existing)),
        Ok(Placement::Join { .. })
    ));
}

#[test]
fn rule_4_non_overlapping_joiner_is_refused() {
    // The guide's example: guest-3 from 2025-05-15T15:00Z to 2025-05-18T11:00Z.
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 15, 15, 0), at(2025, 5, 18, 11, 0));
    assert_guide_error(
        request.check(Some(&existing)),
        RuleError::TimeFramesMustOverlap,
        409,
        "reservation_time_frames_must_overlap",
        OVERLAP_TITLE,
        OVERLAP_MESSAGE,
    );
}

#[test]
fn rule_4_intervals_are_half_open_so_starting_at_the_other_end_does_not_overlap() {
    // Existing ends 2025-05-14T11:00Z; a joiner starting exactly then does not overlap...
    let existing = live(&[ROOM_101], &[stay_1()]);
    let touching =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 14, 11, 0), at(2025, 5, 16, 11, 0));
    assert_eq!(
        touching.check(Some(&existing)),
        Err(RuleError::TimeFramesMustOverlap)
    );
    // ...but one starting a minute earlier does.
    let overlapping =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 14, 10, 59), at(2025, 5, 16, 11, 0));
    assert!(overlapping.check(Some(&existing)).is_ok());
}

#[test]
fn rule_4_intervals_are_half_open_so_ending_at_the_other_start_does_not_overlap() {
    let existing = live(&[ROOM_101], &[stay_1()]);
    let touching =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 8, 11, 0), at(2025, 5, 10, 15, 0));
    assert_eq!(
        touching.check(Some(&existing)),
        Err(RuleError::TimeFramesMustOverlap)
    );
    let overlapping =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 8, 11, 0), at(2025, 5, 10, 15, 1));
    assert!(overlapping.check(Some(&existing)).is_ok());
}

#[test]
fn rule_4_a_joiner_must_overlap_every_live_grant() {
    // Two guests of one stay: the first until the 13th, the second from the 12th.
    let first = TimeFrame::new(at(2025, 5, 10, 15, 0), at(2025, 5, 13, 11, 0));
    let second = TimeFrame::new(at(2025, 5, 12, 15, 0), at(2025, 5, 16, 11, 0));
    let existing = live(&[ROOM_101], &[first, second]);
    // Overlaps both: joins.
    let both =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 12, 18, 0), at(2025, 5, 14, 11, 0));
    assert!(both.check(Some(&existing)).is_ok());
    // A chain: overlaps the second grant only, and starts after the first has ended.
    let chained =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 14, 15, 0), at(2025, 5, 18, 11, 0));
    assert_eq!(
        chained.check(Some(&existing)),
        Err(RuleError::TimeFramesMustOverlap)
    );
    // Falls in neither.
    let apart =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 20, 15, 0), at(2025, 5, 22, 11, 0));
    assert_eq!(
        apart.check(Some(&existing)),
        Err(RuleError::TimeFramesMustOverlap)
    );
}

#[test]
fn rule_4_does_not_apply_when_establishing_a_reservation() {
    // No live grants: any future frame establishes.
    let request =
        Request::guest(vec![room(ROOM_101)]).frame(at(2026, 1, 1, 15, 0), at(2026, 1, 3, 11, 0));
    assert!(matches!(
        request.check(None),
        Ok(Placement::Establish { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Staff

#[test]
fn staff_with_reservation_key_is_refused() {
    let request = Request::guest(vec![room(ROOM_101)]).user(UserKind::Staff);
    let error = request.check(None).unwrap_err();
    assert_eq!(error, RuleError::StaffCannotBelongToReservation);
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.title(),
        Some("Staff credentials can't belong to a reservation.")
    );
    assert!(!error.error_type().is_empty());
    assert!(
        error.message().contains("reservation_key"),
        "{}",
        error.message()
    );
}

#[test]
fn staff_card_without_key_on_guest_door_is_standard() {
    let request = Request::guest(vec![room(ROOM_101), lobby()])
        .user(UserKind::Staff)
        .key(None);
    assert_eq!(request.check(None), Ok(Placement::Standard));
}

#[test]
fn staff_card_without_key_ignores_a_live_reservation_on_the_door() {
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request = Request::guest(vec![room(ROOM_101)])
        .user(UserKind::Staff)
        .key(None);
    assert_eq!(request.check(Some(&existing)), Ok(Placement::Standard));
}
