//! The validation order, every input check naming its field, and the guide's error table.

use chrono::Duration;
use engine::RuleError;
use engine::model::{AccessMode, RequestedAccessMethod, UserKind};
use engine::rules::{MAX_TEXT_LEN, Placement};

use super::{
    CLEANUP_MESSAGE, CLEANUP_TITLE, JOINER_MESSAGE, JOINER_TITLE, NOT_SUPPORTED_MESSAGE,
    NOT_SUPPORTED_TITLE, OVERLAP_MESSAGE, OVERLAP_TITLE, REQUIRED_MESSAGE, REQUIRED_TITLE,
    ROOM_101, ROOM_102, ROOM_203, Request, assert_invalid, at, code, gym, live, lobby, method, now,
    room, stay_1,
};

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
