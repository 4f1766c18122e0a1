//! The guide's rules and the validation order of `docs/domain.md`, one named test per rule.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use engine::RuleError;
use engine::model::{
    AccessMode, AccessSystemKind, EntranceFacts, EntranceId, OPEN_END, RequestedAccessMethod,
    TimeFrame, UserKind, shown_end,
};
use engine::rules::{
    CreateGrant, LiveReservation, MAX_TEXT_LEN, Placement, assign_sequences, check_create,
    check_name, check_update,
};
use proptest::prelude::*;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

/// The fixed "now" of every test: before the guide's example stays.
fn now() -> DateTime<Utc> {
    at(2025, 5, 1, 9, 0)
}

/// The guide's first stay: 2025-05-10T15:00Z to 2025-05-14T11:00Z.
fn stay_1() -> TimeFrame {
    TimeFrame::new(at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0))
}

fn id(n: u128) -> EntranceId {
    Uuid::from_u128(n)
}

const ROOM_101: u128 = 101;
const ROOM_102: u128 = 102;
const ROOM_103: u128 = 103;
const ROOM_203: u128 = 203;
const GYM: u128 = 9001;
const POOL: u128 = 9002;
const LOBBY: u128 = 9003;

/// A guest door on Visionline: reservation-capable, card and mobile key.
fn room(n: u128) -> EntranceFacts {
    EntranceFacts {
        id: id(n),
        name: format!("Room {n}"),
        system_kind: AccessSystemKind::VisionlineSystem,
        can_belong_to_reservation: true,
        modes: vec![AccessMode::Card, AccessMode::MobileKey],
    }
}

/// A common door on the same offline system: never part of a reservation.
fn common(n: u128, name: &str) -> EntranceFacts {
    EntranceFacts {
        id: id(n),
        name: name.to_owned(),
        system_kind: AccessSystemKind::VisionlineSystem,
        can_belong_to_reservation: false,
        modes: vec![AccessMode::Card, AccessMode::MobileKey, AccessMode::Code],
    }
}

fn gym() -> EntranceFacts {
    common(GYM, "Gym")
}

fn pool() -> EntranceFacts {
    common(POOL, "Pool")
}

fn lobby() -> EntranceFacts {
    common(LOBBY, "Lobby")
}

fn method(mode: AccessMode) -> RequestedAccessMethod {
    RequestedAccessMethod { mode, code: None }
}

fn code(pin: &str) -> RequestedAccessMethod {
    RequestedAccessMethod {
        mode: AccessMode::Code,
        code: Some(pin.to_owned()),
    }
}

fn doors(ids: &[u128]) -> BTreeSet<EntranceId> {
    ids.iter().map(|n| id(*n)).collect()
}

fn live(door_ids: &[u128], frames: &[TimeFrame]) -> LiveReservation {
    LiveReservation {
        id: Uuid::from_u128(0x5_7A71),
        door_set: doors(door_ids),
        grant_frames: frames.to_vec(),
    }
}

/// An owned create request; `check` borrows it into a `CreateGrant`.
#[derive(Debug, Clone)]
struct Request {
    user_kind: UserKind,
    entrances: Vec<EntranceFacts>,
    frame: TimeFrame,
    requested: Vec<RequestedAccessMethod>,
    reservation_key: Option<String>,
    name: Option<String>,
}

impl Request {
    /// A guest card for `stay_1` with reservation_key "stay-1".
    fn guest(entrances: Vec<EntranceFacts>) -> Self {
        Self {
            user_kind: UserKind::Guest,
            entrances,
            frame: stay_1(),
            requested: vec![method(AccessMode::Card)],
            reservation_key: Some("stay-1".to_owned()),
            name: None,
        }
    }

    fn user(mut self, kind: UserKind) -> Self {
        self.user_kind = kind;
        self
    }

    fn key(mut self, key: Option<&str>) -> Self {
        self.reservation_key = key.map(str::to_owned);
        self
    }

    fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    fn frame(mut self, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Self {
        self.frame = TimeFrame::new(starts_at, ends_at);
        self
    }

    fn requested(mut self, requested: Vec<RequestedAccessMethod>) -> Self {
        self.requested = requested;
        self
    }

    fn check(&self, live: Option<&LiveReservation>) -> Result<Placement, RuleError> {
        let request = CreateGrant {
            user_kind: self.user_kind,
            entrances: &self.entrances,
            frame: self.frame,
            requested: &self.requested,
            reservation_key: self.reservation_key.as_deref(),
            name: self.name.as_deref(),
        };
        check_create(&request, live, now())
    }
}

/// Asserts an input (step 1) error naming `field`.
fn assert_invalid(result: Result<Placement, RuleError>, field: &str) -> RuleError {
    let error = result.expect_err("the request should be refused");
    assert_eq!(error.field(), Some(field), "wrong field in {error:?}");
    assert_eq!(error.status(), 400);
    assert_eq!(error.error_type(), "invalid_input");
    assert_eq!(error.title(), None, "input errors have no guide title");
    // One sentence that names the field at its start, and not again unless the problem
    // itself does ("give acs_entrance_ids, space_ids or …").
    let message = error.message();
    assert!(
        message.starts_with(&format!("{field}: ")) || message.starts_with(&format!("{field} ")),
        "{message}"
    );
    if let RuleError::Invalid {
        message: problem, ..
    } = &error
    {
        assert_eq!(
            message.matches(field).count(),
            problem.matches(field).count() + 1,
            "{message}"
        );
    }
    assert!(
        error.message().len() > field.len() + 5,
        "message says nothing: {}",
        error.message()
    );
    error
}

const NOT_SUPPORTED_TITLE: &str = "reservation_key not supported.";
const NOT_SUPPORTED_MESSAGE: &str = "No targeted entrances support reservation behavior. Remove \
    reservation_key or include at least one reservation-capable entrance.";
const REQUIRED_TITLE: &str = "reservation_key required for guest cards.";
const REQUIRED_MESSAGE: &str = "The targeted provider requires a reservation for guest \
    credentials (e.g., Visionline) but none was provided. Add a reservation_key when issuing \
    guest credentials for these entrances.";
const CLEANUP_TITLE: &str = "Reservation entrance change requires cleanup.";
const CLEANUP_MESSAGE: &str =
    "To change the doors for this reservation, delete the existing access grants first.";
const JOINER_TITLE: &str = "Reservation joiner entrance set conflict.";
const JOINER_MESSAGE: &str =
    "Joiner access grants must use the same or a subset of the reservation-capable doors.";
const OVERLAP_TITLE: &str = "Reservation time frames must overlap.";
const OVERLAP_MESSAGE: &str =
    "Access grants in the same reservation must have overlapping time frames.";

/// Asserts one of the guide's five errors, with its status, type, title and message.
fn assert_guide_error(
    result: Result<Placement, RuleError>,
    expected: RuleError,
    status: u16,
    error_type: &str,
    title: &str,
    message: &str,
) {
    let error = result.expect_err("the request should be refused");
    assert_eq!(error, expected);
    assert_eq!(error.status(), status);
    assert_eq!(error.error_type(), error_type);
    assert_eq!(error.title(), Some(title));
    assert_eq!(error.message(), message);
    assert_eq!(error.to_string(), title);
    assert_eq!(error.field(), None);
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// Validation order

#[test]
fn order_step_1_error_wins_over_rule_3() {
    // A superset joiner (rule 3) that also asks for no access method (step 1).
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request = Request::guest(vec![room(ROOM_101), room(ROOM_102)]).requested(vec![]);
    assert_invalid(request.check(Some(&existing)), "requested_access_methods");
}

#[test]
fn order_step_1_error_wins_over_rule_1() {
    let request = Request::guest(vec![gym()]).key(Some(""));
    assert_invalid(request.check(None), "reservation_key");
}

#[test]
fn order_step_1_error_wins_over_staff_with_key() {
    let request = Request::guest(vec![room(ROOM_101)])
        .user(UserKind::Staff)
        .frame(at(2025, 4, 1, 0, 0), at(2025, 4, 2, 0, 0));
    assert_invalid(request.check(None), "ends_at");
}

#[test]
fn order_staff_with_key_on_common_doors_reports_the_staff_error_first() {
    // Breaks step 2 (staff with a key) and step 3 (no capable door).
    let request = Request::guest(vec![gym(), lobby()]).user(UserKind::Staff);
    assert_eq!(
        request.check(None),
        Err(RuleError::StaffCannotBelongToReservation)
    );
}

#[test]
fn order_staff_with_key_wins_over_rule_2() {
    let existing = live(&[ROOM_101], &[stay_1()]);
    let request = Request::guest(vec![room(ROOM_203)]).user(UserKind::Staff);
    assert_eq!(
        request.check(Some(&existing)),
        Err(RuleError::StaffCannotBelongToReservation)
    );
}

#[test]
fn order_door_set_is_checked_before_time_frames() {
    // Both a different door set and a non-overlapping frame: step 5 names the doors first.
    let existing = live(&[ROOM_101], &[stay_1()]);
    let elsewhere_later =
        Request::guest(vec![room(ROOM_203)]).frame(at(2025, 6, 1, 15, 0), at(2025, 6, 3, 11, 0));
    assert_eq!(
        elsewhere_later.check(Some(&existing)),
        Err(RuleError::EntranceChangeRequiresCleanup)
    );
    let superset_later = Request::guest(vec![room(ROOM_101), room(ROOM_102)])
        .frame(at(2025, 6, 1, 15, 0), at(2025, 6, 3, 11, 0));
    assert_eq!(
        superset_later.check(Some(&existing)),
        Err(RuleError::JoinerEntranceSetConflict)
    );
}

#[test]
fn order_entrances_are_checked_before_the_time_frame() {
    let request = Request::guest(vec![]).frame(at(2025, 5, 3, 0, 0), at(2025, 5, 2, 0, 0));
    assert_invalid(request.check(None), "acs_entrance_ids");
}

#[test]
fn order_time_frame_is_checked_before_requested_methods() {
    let request = Request::guest(vec![room(ROOM_101)])
        .requested(vec![])
        .frame(at(2025, 5, 3, 0, 0), at(2025, 5, 2, 0, 0));
    assert_invalid(request.check(None), "ends_at");
}

// ---------------------------------------------------------------------------------------------
// Step 1: every input check names its field

#[test]
fn step_1_empty_entrance_set_names_acs_entrance_ids() {
    assert_invalid(Request::guest(vec![]).check(None), "acs_entrance_ids");
}

#[test]
fn step_1_ends_at_equal_to_starts_at_is_refused() {
    let request =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 10, 15, 0), at(2025, 5, 10, 15, 0));
    assert_invalid(request.check(None), "ends_at");
}

#[test]
fn step_1_ends_at_before_starts_at_is_refused() {
    let request =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 5, 14, 11, 0), at(2025, 5, 10, 15, 0));
    assert_invalid(request.check(None), "ends_at");
}

#[test]
fn step_1_ends_at_in_the_past_is_refused() {
    let request =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 4, 10, 15, 0), at(2025, 4, 14, 11, 0));
    assert_invalid(request.check(None), "ends_at");
}

#[test]
fn step_1_ends_at_exactly_now_is_already_past() {
    let request = Request::guest(vec![room(ROOM_101)]).frame(at(2025, 4, 30, 15, 0), now());
    assert_invalid(request.check(None), "ends_at");
    let one_second_later = Request::guest(vec![room(ROOM_101)])
        .frame(at(2025, 4, 30, 15, 0), now() + Duration::seconds(1));
    assert!(one_second_later.check(None).is_ok());
}

#[test]
fn step_1_stay_already_running_is_accepted() {
    // starts_at in the past is fine as long as the stay has not ended.
    let request =
        Request::guest(vec![room(ROOM_101)]).frame(at(2025, 4, 28, 15, 0), at(2025, 5, 2, 11, 0));
    assert!(matches!(
        request.check(None),
        Ok(Placement::Establish { .. })
    ));
}

#[test]
fn step_1_no_requested_access_method_is_refused() {
    let request = Request::guest(vec![room(ROOM_101)]).requested(vec![]);
    assert_invalid(request.check(None), "requested_access_methods");
}

#[test]
fn step_1_mode_no_targeted_entrance_supports_names_its_index() {
    // Rooms open with card or mobile key, not with a code.
    let request = Request::guest(vec![room(ROOM_101)])
        .requested(vec![method(AccessMode::Card), method(AccessMode::Code)]);
    let error = assert_invalid(request.check(None), "requested_access_methods[1].mode");
    assert!(error.message().contains("code"), "{}", error.message());
}

#[test]
fn step_1_mode_supported_by_any_one_targeted_entrance_is_accepted() {
    // The lobby takes codes, so a code may be requested alongside the room's card.
    let request = Request::guest(vec![room(ROOM_101), lobby()])
        .requested(vec![method(AccessMode::Card), code("1234")]);
    assert!(request.check(None).is_ok());
}

#[test]
fn step_1_code_must_be_4_to_9_digits() {
    let with_code = |pin: &str| {
        Request::guest(vec![room(ROOM_101), lobby()])
            .requested(vec![method(AccessMode::Card), code(pin)])
    };
    for good in ["1234", "123456789", "0000"] {
        assert!(
            with_code(good).check(None).is_ok(),
            "{good} should be accepted"
        );
    }
    for bad in ["123", "1234567890", "12a4", "", "12 34", "١٢٣٤"] {
        assert_invalid(
            with_code(bad).check(None),
            "requested_access_methods[1].code",
        );
    }
}

#[test]
fn step_1_code_on_a_card_method_is_refused() {
    let card_with_pin = RequestedAccessMethod {
        mode: AccessMode::Card,
        code: Some("1234".into()),
    };
    let request = Request::guest(vec![room(ROOM_101)]).requested(vec![card_with_pin]);
    assert_invalid(request.check(None), "requested_access_methods[0].code");
}

#[test]
fn step_1_empty_reservation_key_is_refused() {
    for key in ["", "   ", "\t"] {
        let request = Request::guest(vec![room(ROOM_101)]).key(Some(key));
        assert_invalid(request.check(None), "reservation_key");
    }
}

#[test]
fn step_1_reservation_key_over_255_characters_is_refused() {
    let longest = "k".repeat(MAX_TEXT_LEN);
    assert_eq!(MAX_TEXT_LEN, 255);
    assert!(
        Request::guest(vec![room(ROOM_101)])
            .key(Some(&longest))
            .check(None)
            .is_ok()
    );
    let too_long = "k".repeat(MAX_TEXT_LEN + 1);
    let request = Request::guest(vec![room(ROOM_101)]).key(Some(&too_long));
    assert_invalid(request.check(None), "reservation_key");
}

#[test]
fn step_1_reservation_key_length_counts_characters_not_bytes() {
    // 255 two-byte characters: 510 bytes, still 255 characters.
    let accented = "é".repeat(MAX_TEXT_LEN);
    assert!(
        Request::guest(vec![room(ROOM_101)])
            .key(Some(&accented))
            .check(None)
            .is_ok()
    );
}

#[test]
fn step_1_reservation_key_with_control_characters_is_refused() {
    for key in [
        "stay\n1",
        "stay\u{0}1",
        "stay\u{7f}",
        "\u{1b}[31mstay",
        "\u{200B}",
        "stay\u{202E}1",
    ] {
        let request = Request::guest(vec![room(ROOM_101)]).key(Some(key));
        assert_invalid(request.check(None), "reservation_key");
    }
}

#[test]
fn step_1_name_is_checked_like_the_key() {
    let base = Request::guest(vec![room(ROOM_101)]);
    assert!(
        base.clone()
            .name("Ms. Müller, 3 nights")
            .check(None)
            .is_ok()
    );
    assert_invalid(base.clone().name(" ").check(None), "name");
    assert_invalid(base.clone().name(&"n".repeat(256)).check(None), "name");
    assert_invalid(base.name("a\u{8}b").check(None), "name");
}

#[test]
fn step_1_year_out_of_range_is_refused() {
    let y1999 =
        Request::guest(vec![room(ROOM_101)]).frame(at(1999, 12, 31, 0, 0), stay_1().ends_at);
    assert_invalid(y1999.check(None), "starts_at");
    let y10000 =
        Request::guest(vec![room(ROOM_101)]).frame(stay_1().starts_at, at(10000, 1, 1, 0, 0));
    assert_invalid(y10000.check(None), "ends_at");
    let y9999 =
        Request::guest(vec![room(ROOM_101)]).frame(stay_1().starts_at, at(9999, 12, 31, 23, 59));
    assert!(y9999.check(None).is_ok());
    let y2000 = Request::guest(vec![room(ROOM_101)]).frame(at(2000, 1, 1, 0, 0), stay_1().ends_at);
    assert!(y2000.check(None).is_ok());
}

// ---------------------------------------------------------------------------------------------
// The guide's error table

#[test]
fn error_table_statuses_types_titles_and_messages_match_the_guide() {
    let table = [
        (
            RuleError::ReservationKeyNotSupported,
            400,
            "reservation_key_not_supported",
            NOT_SUPPORTED_TITLE,
            NOT_SUPPORTED_MESSAGE,
        ),
        (
            RuleError::ReservationKeyRequiredForGuestCards,
            400,
            "reservation_key_required_for_guest_cards",
            REQUIRED_TITLE,
            REQUIRED_MESSAGE,
        ),
        (
            RuleError::EntranceChangeRequiresCleanup,
            409,
            "reservation_entrance_change_requires_cleanup",
            CLEANUP_TITLE,
            CLEANUP_MESSAGE,
        ),
        (
            RuleError::JoinerEntranceSetConflict,
            409,
            "reservation_joiner_entrance_set_conflict",
            JOINER_TITLE,
            JOINER_MESSAGE,
        ),
        (
            RuleError::TimeFramesMustOverlap,
            409,
            "reservation_time_frames_must_overlap",
            OVERLAP_TITLE,
            OVERLAP_MESSAGE,
        ),
    ];
    for (error, status, error_type, title, message) in table {
        assert_eq!(error.status(), status, "{error:?}");
        assert_eq!(error.error_type(), error_type, "{error:?}");
        assert_eq!(error.title(), Some(title), "{error:?}");
        assert_eq!(error.message(), message, "{error:?}");
        assert_eq!(error.to_string(), title, "{error:?}");
    }
}

#[test]
fn input_errors_are_400_invalid_input_naming_the_field_once() {
    let error = RuleError::invalid("ends_at", "must be after starts_at");
    assert_eq!(error.status(), 400);
    assert_eq!(error.error_type(), "invalid_input");
    assert_eq!(error.field(), Some("ends_at"));
    assert_eq!(error.message(), "ends_at must be after starts_at.");
    assert_eq!(error.to_string(), "ends_at must be after starts_at.");
    let error = RuleError::invalid("space_ids[0]", "no space with id 7");
    assert_eq!(error.message(), "space_ids[0]: no space with id 7.");
}

// ---------------------------------------------------------------------------------------------
// open ends

#[test]
fn an_open_ended_grant_is_accepted_and_joins_by_overlapping_any_later_stay() {
    let open = TimeFrame::until(at(2025, 5, 10, 15, 0), None);
    let lease = Request::guest(vec![room(ROOM_101)])
        .user(UserKind::Resident)
        .key(Some("lease-1"))
        .frame(open.starts_at, open.ends_at);
    assert_eq!(
        lease.check(None),
        Ok(Placement::Establish {
            doors: doors(&[ROOM_101])
        })
    );
    // A stay decades later still overlaps a reservation whose grant never ends.
    let later = lease
        .clone()
        .frame(at(2060, 1, 1, 0, 0), at(2060, 1, 5, 0, 0));
    assert!(matches!(
        later.check(Some(&live(&[ROOM_101], &[open]))),
        Ok(Placement::Join { .. })
    ));
    // And an open end overlaps a stay that started long before it, if still running.
    assert_eq!(check_update(&open, None, &[stay_1()], now()), Ok(()));
    let long_ago = TimeFrame::new(at(2025, 5, 2, 0, 0), at(2025, 5, 3, 0, 0));
    assert!(check_update(&open, None, &[long_ago], now()).is_err());
}

#[test]
fn a_name_alone_is_checked_without_dates() {
    assert_eq!(check_name(None), Ok(()));
    assert_eq!(check_name(Some("Smith family")), Ok(()));
    assert_eq!(check_name(Some("  ")).unwrap_err().field(), Some("name"));
}

// check_update

#[test]
fn update_overlapping_the_other_grants_is_accepted() {
    // "Reservation time frame changes": extend to 2025-05-16T11:00Z.
    let others = [stay_1()];
    let extended = TimeFrame::new(stay_1().starts_at, at(2025, 5, 16, 11, 0));
    assert_eq!(
        check_update(&extended, Some("extended"), &others, now()),
        Ok(())
    );
}

#[test]
fn update_moving_away_from_the_other_grants_is_refused() {
    let others = [stay_1()];
    let moved = TimeFrame::new(at(2025, 5, 20, 15, 0), at(2025, 5, 22, 11, 0));
    let error = check_update(&moved, None, &others, now()).unwrap_err();
    assert_eq!(error, RuleError::TimeFramesMustOverlap);
    assert_eq!(error.status(), 409);
}

#[test]
fn update_touching_the_other_grant_end_does_not_overlap() {
    let others = [stay_1()];
    let touching = TimeFrame::new(stay_1().ends_at, at(2025, 5, 16, 11, 0));
    assert_eq!(
        check_update(&touching, None, &others, now()),
        Err(RuleError::TimeFramesMustOverlap)
    );
}

#[test]
fn update_must_overlap_every_other_grant() {
    let others = [
        TimeFrame::new(at(2025, 5, 10, 15, 0), at(2025, 5, 13, 11, 0)),
        TimeFrame::new(at(2025, 5, 12, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    // Moved to overlap the second grant only: the first and this one would share no moment.
    let chained = TimeFrame::new(at(2025, 5, 14, 15, 0), at(2025, 5, 18, 11, 0));
    assert_eq!(
        check_update(&chained, None, &others, now()),
        Err(RuleError::TimeFramesMustOverlap)
    );
    let both = TimeFrame::new(at(2025, 5, 11, 15, 0), at(2025, 5, 14, 11, 0));
    assert_eq!(check_update(&both, None, &others, now()), Ok(()));
}

#[test]
fn update_of_a_standalone_grant_is_accepted_for_any_future_frame() {
    let far = TimeFrame::new(at(2030, 1, 1, 0, 0), at(2030, 1, 2, 0, 0));
    assert_eq!(check_update(&far, None, &[], now()), Ok(()));
}

#[test]
fn update_ending_in_the_past_is_refused() {
    let past = TimeFrame::new(at(2025, 4, 1, 15, 0), at(2025, 4, 30, 11, 0));
    let error = check_update(&past, None, &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("ends_at"));
    assert_eq!(error.status(), 400);
    // The input error wins over the overlap rule.
    let error = check_update(&past, None, &[stay_1()], now()).unwrap_err();
    assert_eq!(error.field(), Some("ends_at"));
}

#[test]
fn update_ending_before_it_starts_is_refused() {
    let backwards = TimeFrame::new(at(2025, 5, 14, 11, 0), at(2025, 5, 10, 15, 0));
    let error = check_update(&backwards, None, &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("ends_at"));
}

#[test]
fn update_with_a_bad_name_is_refused() {
    let error = check_update(&stay_1(), Some(""), &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("name"));
    let error = check_update(&stay_1(), Some("x\ny"), &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("name"));
}

// ---------------------------------------------------------------------------------------------
// assign_sequences

#[test]
fn assign_sequences_starts_a_new_door_at_one() {
    let assigned = assign_sequences(&doors(&[ROOM_101]), &BTreeMap::new());
    assert_eq!(assigned, BTreeMap::from([(id(ROOM_101), 1)]));
}

#[test]
fn assign_sequences_takes_the_next_number_per_door() {
    let last = BTreeMap::from([(id(ROOM_101), 7), (id(ROOM_102), 41), (id(ROOM_203), 3)]);
    let assigned = assign_sequences(&doors(&[ROOM_101, ROOM_102, ROOM_103]), &last);
    // Doors outside the new reservation get nothing; a door never seen starts at 1.
    assert_eq!(
        assigned,
        BTreeMap::from([(id(ROOM_101), 8), (id(ROOM_102), 42), (id(ROOM_103), 1)])
    );
}

#[test]
fn assign_sequences_of_no_doors_is_empty() {
    let last = BTreeMap::from([(id(ROOM_101), 7)]);
    assert!(assign_sequences(&BTreeSet::new(), &last).is_empty());
}

#[test]
fn assign_sequences_never_reuses_a_number_across_successive_reservations() {
    let mut last = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for _ in 0..5 {
        let assigned = assign_sequences(&doors(&[ROOM_101]), &last);
        let sequence = assigned[&id(ROOM_101)];
        assert!(seen.insert(sequence), "sequence {sequence} reused");
        last.extend(assigned);
    }
    assert_eq!(seen, BTreeSet::from([1, 2, 3, 4, 5]));
}

// ---------------------------------------------------------------------------------------------
// Properties over random requests

fn arb_modes() -> impl Strategy<Value = Vec<AccessMode>> {
    proptest::sample::subsequence(AccessMode::ALL.to_vec(), 0..=3)
}

/// Door ids come from a small pool so that random door sets often meet.
const DOOR_POOL: u128 = 5;

fn arb_entrances() -> impl Strategy<Value = Vec<EntranceFacts>> {
    let ids = prop_oneof![
        9 => proptest::sample::subsequence((0..DOOR_POOL).collect::<Vec<_>>(), 1..=4),
        1 => Just(Vec::new()),
    ];
    ids.prop_flat_map(|ids| {
        let n = ids.len();
        (
            Just(ids),
            proptest::collection::vec((any::<bool>(), arb_modes()), n),
        )
            .prop_map(|(ids, facts)| {
                ids.into_iter()
                    .zip(facts)
                    .map(|(n, (capable, modes))| EntranceFacts {
                        id: id(n),
                        name: format!("door {n}"),
                        system_kind: if capable {
                            AccessSystemKind::VisionlineSystem
                        } else {
                            AccessSystemKind::BrivoAccount
                        },
                        can_belong_to_reservation: capable,
                        modes,
                    })
                    .collect()
            })
    })
}

fn arb_requested() -> impl Strategy<Value = Vec<RequestedAccessMethod>> {
    let mode = proptest::sample::select(AccessMode::ALL.to_vec());
    let code = proptest::option::weighted(
        0.15,
        prop_oneof!["[0-9]{4,9}", "[0-9a-z ]{0,12}", "\\PC{0,4}"],
    );
    let one = (mode, code).prop_map(|(mode, code)| RequestedAccessMethod { mode, code });
    prop_oneof![
        9 => proptest::collection::vec(one, 1..3),
        1 => Just(Vec::new()),
    ]
}

fn arb_instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        // Around now, to the minute.
        9 => (-20_000i64..60_000).prop_map(|minutes| now() + Duration::minutes(minutes)),
        // Anywhere chrono can go, including years far outside 2000..=9999.
        1 => (-8_000_000_000_000i64..8_000_000_000_000)
            .prop_filter_map("representable", |secs| DateTime::from_timestamp(secs, 0)),
    ]
}

fn arb_frame() -> impl Strategy<Value = TimeFrame> {
    prop_oneof![
        9 => (arb_instant(), -600i64..20_000).prop_filter_map("representable", |(start, minutes)| {
            start.checked_add_signed(Duration::minutes(minutes)).map(|end| TimeFrame::new(start, end))
        }),
        1 => (arb_instant(), arb_instant()).prop_map(|(a, b)| TimeFrame::new(a, b)),
        // No end.
        1 => arb_instant().prop_map(|start| TimeFrame::until(start, None)),
    ]
}

fn arb_key() -> impl Strategy<Value = Option<String>> {
    proptest::option::weighted(
        0.7,
        prop_oneof![
            12 => Just("stay-1".to_owned()),
            1 => "\\PC{0,8}",
            1 => ".{0,3}",
            1 => "[a-z]{250,260}",
        ],
    )
}

fn arb_user() -> impl Strategy<Value = UserKind> {
    proptest::sample::select(UserKind::ALL.to_vec())
}

fn arb_live() -> impl Strategy<Value = Option<LiveReservation>> {
    proptest::option::of(
        (
            prop_oneof![
                2 => proptest::collection::btree_set(0..DOOR_POOL, 1..5),
                1 => Just((0..DOOR_POOL).collect()),
            ],
            proptest::collection::vec(arb_frame(), 0..3),
        )
            .prop_map(|(ids, grant_frames)| LiveReservation {
                id: Uuid::from_u128(0xABC),
                door_set: ids.into_iter().map(id).collect(),
                grant_frames,
            }),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn check_create_upholds_its_contract_on_random_requests(
        user_kind in arb_user(),
        entrances in arb_entrances(),
        frame in arb_frame(),
        requested in arb_requested(),
        reservation_key in arb_key(),
        name in proptest::option::weighted(0.2, "\\PC{0,6}"),
        live in arb_live(),
    ) {
        let request = CreateGrant {
            user_kind,
            entrances: &entrances,
            frame,
            requested: &requested,
            reservation_key: reservation_key.as_deref(),
            name: name.as_deref(),
        };
        let capable: BTreeSet<EntranceId> = entrances
            .iter()
            .filter(|entrance| entrance.can_belong_to_reservation)
            .map(|entrance| entrance.id)
            .collect();
        match check_create(&request, live.as_ref(), now()) {
            Ok(Placement::Standard) => {
                prop_assert!(reservation_key.is_none(), "a key never gives standard access");
            }
            Ok(Placement::Establish { doors }) => {
                prop_assert!(live.is_none(), "a live reservation is joined, not re-established");
                prop_assert!(reservation_key.is_some());
                prop_assert_ne!(user_kind, UserKind::Staff);
                prop_assert!(!doors.is_empty());
                prop_assert_eq!(doors, capable);
            }
            Ok(Placement::Join { reservation_id, doors }) => {
                let live = live.as_ref().expect("a join needs a live reservation");
                prop_assert!(reservation_key.is_some());
                prop_assert_ne!(user_kind, UserKind::Staff);
                prop_assert_eq!(reservation_id, live.id);
                prop_assert!(capable.is_subset(&live.door_set), "joiner doors outside the set");
                prop_assert_eq!(&doors, &capable);
                prop_assert!(
                    live.grant_frames.iter().all(|other| other.overlaps(&frame)),
                    "a joiner must overlap every live grant"
                );
            }
            Err(error) => {
                prop_assert!(matches!(error.status(), 400 | 409), "status {}", error.status());
                prop_assert!(!error.error_type().is_empty());
                prop_assert!(!error.message().is_empty());
                if error.status() == 409 {
                    prop_assert!(live.is_some(), "a conflict needs an existing reservation");
                }
                prop_assert_eq!(error.field().is_some(), error.error_type() == "invalid_input");
                if entrances.is_empty() {
                    prop_assert_eq!(error.field(), Some("acs_entrance_ids"));
                }
            }
        }
    }

    #[test]
    fn an_open_end_is_later_than_every_other_end(start in arb_instant(), other in arb_frame()) {
        let open = TimeFrame::until(start, None);
        prop_assert!(open.is_open_ended());
        prop_assert_eq!(shown_end(open.ends_at), None);
        // Half-open: it overlaps whatever is still running at or after its start.
        if other.starts_at < other.ends_at && other.starts_at < OPEN_END {
            prop_assert_eq!(open.overlaps(&other), other.ends_at > start);
        }
        prop_assert_eq!(open.union(&other).ends_at, other.ends_at.max(OPEN_END));
        if other.ends_at < OPEN_END {
            prop_assert_eq!(shown_end(other.ends_at), Some(other.ends_at));
        }
    }

    #[test]
    fn check_update_never_panics_and_refuses_only_with_400_or_409(
        frame in arb_frame(),
        name in proptest::option::of("\\PC{0,6}"),
        others in proptest::collection::vec(arb_frame(), 0..3),
    ) {
        match check_update(&frame, name.as_deref(), &others, now()) {
            Ok(()) => {
                prop_assert!(frame.starts_at < frame.ends_at);
                prop_assert!(frame.ends_at > now());
            }
            Err(error) => prop_assert!(matches!(error.status(), 400 | 409)),
        }
    }
}
