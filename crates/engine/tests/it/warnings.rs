//! Warnings on grants, and the door timeline that predicts them with the lock model.

use chrono::{DateTime, TimeZone, Utc};
use engine::lock::{LockState, StillOpens};
use engine::model::{EntranceId, TimeFrame};
use engine::warnings::{
    CardStillOut, DoorHistory, DoorReservation, DoorWarning, WarningCode, cards_not_collected,
    door_warnings, encoding_required, predicted_sequences,
};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

fn room_101() -> EntranceId {
    Uuid::from_u128(101)
}

const DOOR_NAME: &str = "Room 101";

/// A reservation on room 101 with `sequence` for `[starts_at, ends_at)`.
fn reservation(
    key: &str,
    sequence: u32,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> DoorReservation {
    DoorReservation {
        // A distinct id per key, derived from its bytes.
        reservation_id: Uuid::from_u128(key.bytes().fold(0u128, |id, byte| {
            id.wrapping_mul(257).wrapping_add(u128::from(byte))
        })),
        reservation_key: key.to_owned(),
        sequence: Some(sequence),
        frame: TimeFrame::new(starts_at, ends_at),
        // Booked well ahead.
        established_at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

/// A reservation on room 101 no card was encoded for yet.
fn unnumbered(key: &str, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> DoorReservation {
    DoorReservation {
        sequence: None,
        ..reservation(key, 1, starts_at, ends_at)
    }
}

fn warnings_for(reservations: &[DoorReservation]) -> Vec<DoorWarning> {
    door_warnings(room_101(), DOOR_NAME, reservations, &DoorHistory::default())
}

/// The warnings, as (reservation key, code) pairs, sorted.
fn summary(
    reservations: &[DoorReservation],
    warnings: &[DoorWarning],
) -> Vec<(String, WarningCode)> {
    let mut pairs: Vec<(String, WarningCode)> = warnings
        .iter()
        .map(|warning| {
            let owner = reservations
                .iter()
                .find(|r| r.reservation_id == warning.reservation_id)
                .expect("a warning names one of the given reservations");
            (owner.reservation_key.clone(), warning.warning.code)
        })
        .collect();
    pairs.sort();
    pairs
}

// ---------------------------------------------------------------------------------------------
// Door timeline

#[test]
fn no_reservations_give_no_warnings() {
    assert!(warnings_for(&[]).is_empty());
}

#[test]
fn single_reservation_gives_no_warnings() {
    let only = [reservation(
        "stay-1",
        1,
        at(2025, 5, 10, 15, 0),
        at(2025, 5, 14, 11, 0),
    )];
    assert!(warnings_for(&only).is_empty());
}

#[test]
fn back_to_back_stays_with_increasing_sequences_give_no_warnings() {
    // The guide's back-to-back scenario, and a third stay after it.
    let stays = [
        reservation("stay-1", 1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        reservation("stay-2", 2, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0)),
        reservation("stay-3", 3, at(2025, 5, 16, 15, 0), at(2025, 5, 20, 11, 0)),
    ];
    assert_eq!(warnings_for(&stays), vec![]);
}

#[test]
fn stays_touching_at_checkout_time_do_not_overlap() {
    // One ends at 11:00, the next starts at 11:00: half-open, no overlap.
    let stays = [
        reservation("stay-1", 1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        reservation("stay-2", 2, at(2025, 5, 14, 11, 0), at(2025, 5, 16, 11, 0)),
    ];
    assert_eq!(warnings_for(&stays), vec![]);
}

#[test]
fn overlapping_stays_warn_the_newer_reservation_that_the_previous_guest_can_enter() {
    // stay-1 has a late checkout at 16:00; stay-2 checks in at 15:00.
    let stays = [
        reservation("stay-1", 1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 16, 0)),
        reservation("stay-2", 2, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    let warnings = warnings_for(&stays);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert_eq!(
        warning.reservation_id, stays[1].reservation_id,
        "on the newer reservation only"
    );
    assert_eq!(warning.entrance_id, room_101());
    assert_eq!(warning.warning.code, WarningCode::PreviousGuestCanEnter);
    let message = &warning.warning.message;
    assert!(message.contains(DOOR_NAME), "{message}");
    assert!(
        message.contains("'stay-1'"),
        "names the previous key: {message}"
    );
    assert!(!message.contains("stay-2"), "{message}");
    assert!(
        message.contains("2025-05-14T16:00:00Z"),
        "says until when: {message}"
    );
}

#[test]
fn a_stay_moved_in_after_the_previous_guest_left_does_not_warn_about_them() {
    // stay-2 began on the 12th in another room and was moved here on the 15th, keeping its
    // arrival; stay-1 left on the 14th. Its cards for this door exist from the 15th only.
    let stays = [
        reservation("stay-1", 1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        DoorReservation {
            established_at: at(2025, 5, 15, 18, 0),
            ..unnumbered("stay-2", at(2025, 5, 12, 15, 0), at(2025, 5, 18, 11, 0))
        },
    ];
    assert_eq!(warnings_for(&stays), Vec::new());
    // Moved in while stay-1 still runs: its guest can enter until the new card is used.
    let stays = [
        stays[0].clone(),
        DoorReservation {
            established_at: at(2025, 5, 13, 18, 0),
            ..stays[1].clone()
        },
    ];
    let warnings = warnings_for(&stays);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].reservation_id, stays[1].reservation_id);
    assert_eq!(warnings[0].warning.code, WarningCode::PreviousGuestCanEnter);
}

#[test]
fn reservation_set_up_later_for_an_earlier_stay_inverts_the_sequence() {
    // stay-june was set up first (sequence 1); stay-may was set up afterwards (sequence 2)
    // for an earlier stay. After stay-may's cards are used, stay-june's are refused.
    let stays = [
        reservation("stay-june", 1, at(2025, 6, 1, 15, 0), at(2025, 6, 4, 11, 0)),
        reservation(
            "stay-may",
            2,
            at(2025, 5, 20, 15, 0),
            at(2025, 5, 22, 11, 0),
        ),
    ];
    let warnings = warnings_for(&stays);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert_eq!(
        warning.reservation_id, stays[0].reservation_id,
        "on the earlier-set-up reservation whose cards will be refused"
    );
    assert_eq!(warning.entrance_id, room_101());
    assert_eq!(warning.warning.code, WarningCode::SequenceInversion);
    let message = &warning.warning.message;
    assert!(message.contains(DOOR_NAME), "{message}");
    assert!(
        message.contains("'stay-may'"),
        "names the other key: {message}"
    );
    assert!(!message.contains("stay-june"), "{message}");
}

#[test]
fn warnings_do_not_depend_on_the_order_reservations_are_given_in() {
    let stays = vec![
        reservation("a", 1, at(2025, 6, 1, 15, 0), at(2025, 6, 4, 11, 0)),
        reservation("b", 2, at(2025, 5, 20, 15, 0), at(2025, 5, 22, 11, 0)),
        reservation("c", 3, at(2025, 5, 21, 15, 0), at(2025, 5, 25, 11, 0)),
    ];
    let expected = summary(&stays, &warnings_for(&stays));
    assert_eq!(
        expected,
        vec![
            ("a".to_owned(), WarningCode::SequenceInversion),
            ("c".to_owned(), WarningCode::PreviousGuestCanEnter),
        ]
    );
    let mut reversed = stays.clone();
    reversed.reverse();
    assert_eq!(summary(&reversed, &warnings_for(&reversed)), expected);
    let rotated = vec![stays[1].clone(), stays[2].clone(), stays[0].clone()];
    assert_eq!(summary(&rotated, &warnings_for(&rotated)), expected);
}

#[test]
fn an_inverted_stay_overlapping_another_gets_both_warnings() {
    // stay-late (1) was set up first; stay-early (2) comes before it and overlaps it.
    let stays = [
        reservation("stay-late", 1, at(2025, 6, 3, 15, 0), at(2025, 6, 6, 11, 0)),
        reservation(
            "stay-early",
            2,
            at(2025, 6, 1, 15, 0),
            at(2025, 6, 4, 11, 0),
        ),
    ];
    // stay-early is used first (2025-06-01) and moves the door to 2; stay-late's cards
    // then meet a higher sequence at their own start: inversion.
    assert_eq!(
        summary(&stays, &warnings_for(&stays)),
        vec![("stay-late".to_owned(), WarningCode::SequenceInversion)]
    );
}

#[test]
fn stays_with_sequence_gaps_inside_the_look_ahead_give_no_warnings() {
    // Deleted reservations in between leave gaps; the lock still moves up.
    let stays = [
        reservation("stay-1", 3, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        reservation("stay-2", 9, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    assert_eq!(warnings_for(&stays), vec![]);
}

#[test]
fn inversion_is_detected_on_a_door_with_a_long_history() {
    // A busy room: its 120th and 121st reservations. The lock has long since moved past
    // the early numbers, so the timeline must not treat these as "too far ahead" of a
    // never-used lock.
    let stays = [
        reservation(
            "stay-june",
            120,
            at(2025, 6, 1, 15, 0),
            at(2025, 6, 4, 11, 0),
        ),
        reservation(
            "stay-may",
            121,
            at(2025, 5, 20, 15, 0),
            at(2025, 5, 22, 11, 0),
        ),
    ];
    let warnings = warnings_for(&stays);
    assert_eq!(
        summary(&stays, &warnings),
        vec![("stay-june".to_owned(), WarningCode::SequenceInversion)]
    );
    assert!(warnings[0].warning.message.contains("'stay-may'"));
}

#[test]
fn overlap_is_detected_on_a_door_with_a_long_history() {
    let stays = [
        reservation(
            "stay-1",
            200,
            at(2025, 5, 10, 15, 0),
            at(2025, 5, 14, 16, 0),
        ),
        reservation(
            "stay-2",
            201,
            at(2025, 5, 14, 15, 0),
            at(2025, 5, 16, 11, 0),
        ),
    ];
    assert_eq!(
        summary(&stays, &warnings_for(&stays)),
        vec![("stay-2".to_owned(), WarningCode::PreviousGuestCanEnter)]
    );
}

#[test]
fn back_to_back_stays_on_a_door_with_a_long_history_give_no_warnings() {
    let stays = [
        reservation("stay-1", 77, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        reservation("stay-2", 78, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    assert_eq!(warnings_for(&stays), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Numbers taken at the first encode

fn history(last_sequence: u32, lock: Option<(u32, DateTime<Utc>)>) -> DoorHistory {
    DoorHistory {
        last_sequence,
        lock: lock.map(|(guest_sequence, since)| LockState {
            guest_sequence,
            overridden_at: Some(since),
            ..LockState::default()
        }),
    }
}

fn warnings_with(reservations: &[DoorReservation], history: &DoorHistory) -> Vec<DoorWarning> {
    door_warnings(room_101(), DOOR_NAME, reservations, history)
}

#[test]
fn unnumbered_stays_are_predicted_in_arrival_order_after_every_number_given() {
    let stays = [
        unnumbered("stay-june", at(2025, 6, 1, 15, 0), at(2025, 6, 4, 11, 0)),
        reservation("stay-now", 40, at(2025, 5, 1, 15, 0), at(2025, 5, 3, 11, 0)),
        unnumbered("stay-may", at(2025, 5, 20, 15, 0), at(2025, 5, 22, 11, 0)),
    ];
    let id = |key: &str| {
        stays
            .iter()
            .find(|stay| stay.reservation_key == key)
            .unwrap()
            .reservation_id
    };
    let mut predicted = predicted_sequences(&stays, &history(45, None));
    predicted.sort_by_key(|(_, sequence)| *sequence);
    assert_eq!(
        predicted,
        [
            (id("stay-now"), 40),
            (id("stay-may"), 46),
            (id("stay-june"), 47)
        ]
    );
}

#[test]
fn stays_set_up_in_any_order_without_cards_give_no_inversion() {
    // The June stay was booked first; without numbers until their cards are made, the May
    // stay encoded in May comes before it.
    let stays = [
        unnumbered("stay-june", at(2025, 6, 1, 15, 0), at(2025, 6, 4, 11, 0)),
        unnumbered("stay-may", at(2025, 5, 20, 15, 0), at(2025, 5, 22, 11, 0)),
    ];
    assert_eq!(warnings_with(&stays, &history(120, None)), vec![]);
}

#[test]
fn keys_made_in_advance_and_a_walk_in_encoded_after_warn_the_advance_stay() {
    // The June stay's cards were encoded early (number 8); a walk-in for tonight gets the
    // next number when its card is made, and its first use locks the June cards out.
    let stays = [
        reservation("stay-june", 8, at(2025, 6, 1, 15, 0), at(2025, 6, 4, 11, 0)),
        unnumbered("walk-in", at(2025, 5, 1, 20, 0), at(2025, 5, 2, 11, 0)),
    ];
    let warnings = warnings_with(&stays, &history(8, None));
    assert_eq!(
        summary(&stays, &warnings),
        vec![("stay-june".to_owned(), WarningCode::SequenceInversion)]
    );
    assert!(
        warnings[0].warning.message.contains("walk-in"),
        "{}",
        warnings[0].warning.message
    );
}

#[test]
fn a_card_too_far_ahead_of_the_known_lock_is_predicted_refused() {
    // The lock last accepted number 2; 60 cards were encoded since for stays that never came.
    let stays = [unnumbered(
        "stay-1",
        at(2025, 5, 10, 15, 0),
        at(2025, 5, 14, 11, 0),
    )];
    let known = history(62, Some((2, at(2025, 5, 1, 15, 0))));
    let warnings = warnings_with(&stays, &known);
    assert_eq!(
        summary(&stays, &warnings),
        vec![("stay-1".to_owned(), WarningCode::SequenceTooFarAhead)]
    );
    assert!(warnings[0].warning.message.contains("63"));
    // Within the window it is accepted.
    let near = history(51, Some((2, at(2025, 5, 1, 15, 0))));
    assert_eq!(warnings_with(&stays, &near), vec![]);
}

#[test]
fn a_gap_wider_than_the_look_ahead_between_live_stays_is_predicted_refused() {
    let stays = [
        reservation("stay-1", 3, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        reservation("stay-2", 60, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    let warnings = warnings_for(&stays);
    assert_eq!(
        summary(&stays, &warnings),
        vec![("stay-2".to_owned(), WarningCode::SequenceTooFarAhead)]
    );
}

#[test]
fn a_newer_card_already_used_at_the_door_warns_the_stays_it_passed() {
    // A card numbered 9 (a stay since deleted) was used on 5 May: the stay numbered 7 that
    // starts after it, and the one numbered 6 still running then, are locked out.
    let stays = [
        reservation(
            "stay-before",
            6,
            at(2025, 5, 1, 15, 0),
            at(2025, 5, 8, 11, 0),
        ),
        reservation(
            "stay-after",
            7,
            at(2025, 5, 10, 15, 0),
            at(2025, 5, 14, 11, 0),
        ),
    ];
    let known = history(9, Some((9, at(2025, 5, 5, 12, 0))));
    let warnings = warnings_with(&stays, &known);
    assert_eq!(
        summary(&stays, &warnings),
        vec![
            ("stay-after".to_owned(), WarningCode::SequenceInversion),
            ("stay-before".to_owned(), WarningCode::SequenceInversion),
        ]
    );
    // A stay over before the lock moved is not.
    let over = [reservation(
        "stay-over",
        6,
        at(2025, 5, 1, 15, 0),
        at(2025, 5, 3, 11, 0),
    )];
    assert_eq!(warnings_with(&over, &known), vec![]);
}

#[test]
fn the_known_lock_at_a_live_stays_number_is_that_stays_first_use() {
    // Back to back: the second guest's card was used at check-in; the first stay is over.
    let stays = [
        reservation("stay-1", 4, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        reservation("stay-2", 5, at(2025, 5, 14, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    let known = history(5, Some((5, at(2025, 5, 14, 15, 30))));
    assert_eq!(warnings_with(&stays, &known), vec![]);
}

// ---------------------------------------------------------------------------------------------
// Warning codes and messages

#[test]
fn warning_code_as_str_and_parse_round_trip() {
    let expected = [
        (WarningCode::EncodingRequired, "encoding_required"),
        (WarningCode::CardsNotCollected, "cards_not_collected"),
        (
            WarningCode::PreviousGuestCanEnter,
            "previous_guest_can_enter",
        ),
        (WarningCode::SequenceInversion, "sequence_inversion"),
        (WarningCode::SequenceTooFarAhead, "sequence_too_far_ahead"),
    ];
    assert_eq!(WarningCode::ALL.len(), expected.len());
    for (code, text) in expected {
        assert_eq!(code.as_str(), text);
        assert_eq!(code.to_string(), text);
        assert_eq!(WarningCode::parse(text), Some(code));
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{text}\""));
    }
    for code in WarningCode::ALL {
        assert_eq!(WarningCode::parse(code.as_str()), Some(code));
    }
}

#[test]
fn warning_code_parse_refuses_unknown_text() {
    for text in [
        "",
        "Encoding_Required",
        "encoding-required",
        "encoding_required ",
        "warning",
    ] {
        assert_eq!(WarningCode::parse(text), None, "{text:?}");
    }
}

#[test]
fn encoding_required_mentions_the_card_count_and_re_encoding() {
    let warning = encoding_required(2);
    assert_eq!(warning.code, WarningCode::EncodingRequired);
    assert!(warning.message.contains("2 card"), "{}", warning.message);
    assert!(
        warning.message.contains("re-encode the plastic card"),
        "{}",
        warning.message
    );
    assert!(encoding_required(7).message.contains("7 card"));
}

#[test]
fn cards_not_collected_says_which_door_each_card_still_opens_and_until_when() {
    let end = at(2025, 5, 14, 11, 0);
    let cards = [
        CardStillOut {
            lost: true,
            replaced: false,
            copy_number: Some(1),
            doors: vec![
                (
                    "Room 203 door".to_owned(),
                    StillOpens::NewerCard { at_latest: end },
                ),
                ("Pool door".to_owned(), StillOpens::CardEnd { at: end }),
            ],
        },
        // A card that opens nothing any more is left out.
        CardStillOut {
            lost: false,
            replaced: false,
            copy_number: Some(2),
            doors: Vec::new(),
        },
    ];
    let (warning, expires_at) =
        cards_not_collected(&cards, chrono::Duration::minutes(5)).expect("a card still opens");
    assert_eq!(warning.code, WarningCode::CardsNotCollected);
    assert_eq!(
        warning.message,
        "Lost card (copy 1) still opens Room 203 door until a newer card is used there, \
         2025-05-14T11:00:00Z at the latest; Pool door until 2025-05-14T11:00:00Z. Encode a \
         cancel card for the room, or check the next guest in: their first card used at the \
         door stops it there."
    );
    // The locks accept the card until its end, with their clock skew.
    assert_eq!(expires_at, Some(end + chrono::Duration::minutes(5)));

    let returned_late = [CardStillOut {
        lost: false,
        replaced: false,
        copy_number: None,
        doors: vec![("Lobby door".to_owned(), StillOpens::CardEnd { at: end })],
    }];
    let (warning, _) = cards_not_collected(&returned_late, chrono::Duration::zero()).unwrap();
    assert!(
        warning
            .message
            .starts_with("Card not returned still opens Lobby door"),
        "{}",
        warning.message
    );
    // A common door takes the card until its end: a cancel card would not stop it there.
    assert!(
        warning
            .message
            .ends_with("Collect it: no card at the doors stops it before its end."),
        "{}",
        warning.message
    );
    assert_eq!(
        cards_not_collected(&cards[1..], chrono::Duration::zero()),
        None
    );

    let replaced = [CardStillOut {
        lost: false,
        replaced: true,
        copy_number: Some(2),
        doors: vec![("Lobby door".to_owned(), StillOpens::CardEnd { at: end })],
    }];
    let (warning, _) = cards_not_collected(&replaced, chrono::Duration::zero()).unwrap();
    assert!(
        warning
            .message
            .starts_with("Replaced card (copy 2) still opens Lobby door until"),
        "{}",
        warning.message
    );

    let lost_staff_card = [CardStillOut {
        lost: true,
        replaced: false,
        copy_number: None,
        doors: vec![("Room 101 door".to_owned(), StillOpens::CardEnd { at: end })],
    }];
    let (warning, _) = cards_not_collected(&lost_staff_card, chrono::Duration::zero()).unwrap();
    assert!(
        warning
            .message
            .ends_with("No card at the doors stops it: it opens them until its end."),
        "{}",
        warning.message
    );
}

#[test]
fn a_thrown_deadbolt_does_not_change_what_is_predicted() {
    // Guest 1 is in (the lock at 1, deadbolt thrown); guest 2's stay overlaps the end of it.
    let stays = [
        reservation("stay-1", 1, at(2025, 5, 10, 15, 0), at(2025, 5, 14, 11, 0)),
        reservation("stay-2", 2, at(2025, 5, 13, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    let open = history(2, Some((1, at(2025, 5, 10, 15, 0))));
    let thrown = DoorHistory {
        lock: open.lock.map(|lock| LockState {
            privacy: true,
            ..lock
        }),
        ..open
    };
    let expected = vec![("stay-2".to_owned(), WarningCode::PreviousGuestCanEnter)];
    assert_eq!(summary(&stays, &warnings_with(&stays, &open)), expected);
    assert_eq!(summary(&stays, &warnings_with(&stays, &thrown)), expected);
}
