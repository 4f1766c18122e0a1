//! Moving a stay to another room.

use std::collections::BTreeMap;

use engine::lock::Reason;
use engine::warnings::WarningCode;
use frontdesk::{AddGuest, RoomState};
use uuid::Uuid;

use super::{
    ARRIVE, BOOKED, DURING, LEAVE, assert_invalid, assert_refusal_audited, check_in, doors,
    entrance_keys, grant_ever, grants_of, guest, guest_named, issue, keys, move_r7_to_room_102,
    none_encoded, present, receptionist, refused, request, snapshot, tile,
};
use crate::support::{Desk, at, sequence_at};

#[test]
fn a_move_lists_the_old_room_s_cards_and_makes_a_new_reservation_on_the_new_room() {
    let desk = Desk::new();
    let rui = receptionist();
    // Room 102 was let before: its door has handed out sequence 1.
    check_in(
        &desk,
        "room-102",
        "2025-07-10T14:00:00Z",
        "2025-07-12T10:00:00Z",
        &["Zeca Antunes"],
        "R-OLD",
    );
    desk.desk
        .check_out(&rui, at("2025-07-12T10:30:00Z"), "R-OLD")
        .unwrap();
    // Ana with the gym and pool and two cards, Bruno with the lobby and one card.
    let mut stay = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva"],
        Some("R-7"),
    );
    stay.common_entrance_ids = doors(&desk, &["gym-door", "pool-door"]);
    stay.cards_per_guest = 2;
    desk.desk.check_in(&rui, at(BOOKED), &stay).unwrap();
    desk.desk
        .add_guest(
            &rui,
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-7".to_owned(),
                guest: guest("Bruno Costa"),
                room_entrance_ids: None,
                common_entrance_ids: doors(&desk, &["lobby-door"]),
                cards: 1,
            },
        )
        .unwrap();
    let old = grants_of(&desk, "R-7");
    let ana_card = issue(&desk, old[0].access_method_ids[0]);
    let bruno_card = issue(&desk, old[1].access_method_ids[0]);

    let moved = desk
        .desk
        .move_stay(&rui, at(DURING), "R-7", desk.space_id("room-102"), false)
        .unwrap();

    // The two cards made for room 101 still open it; Ana's second card was never made.
    let listed: BTreeMap<String, (Option<String>, Vec<String>)> = moved
        .old_cards
        .iter()
        .map(|card| {
            (
                card.card_id.clone().unwrap(),
                (card.guest.clone(), card.doors.clone()),
            )
        })
        .collect();
    assert_eq!(listed.len(), 2, "{:?}", moved.old_cards);
    let (ana, ana_doors) = &listed[&ana_card];
    assert_eq!(ana.as_deref(), Some("Ana Silva"));
    assert!(
        ana_doors.contains(&"Room 101 door".to_owned()),
        "{ana_doors:?}"
    );
    assert!(ana_doors.contains(&"Gym door".to_owned()), "{ana_doors:?}");
    let (bruno, bruno_doors) = &listed[&bruno_card];
    assert_eq!(bruno.as_deref(), Some("Bruno Costa"));
    assert!(bruno_doors.contains(&"Room 101 door".to_owned()));
    assert!(
        moved
            .old_cards
            .iter()
            .all(|card| card.valid_until == at(LEAVE))
    );
    assert_eq!(
        moved.old_cards[0].access_method_id,
        old[0].access_method_ids[0]
    );

    // The new stay: same key, same guests, same dates, on room 102.
    assert_eq!(moved.stay.reservation_key, "R-7");
    assert_eq!(moved.stay.space_id, Some(desk.space_id("room-102")));
    assert_eq!(moved.stay.room_name, "Room 102");
    assert_eq!(
        (moved.stay.starts_at, moved.stay.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    let new = grants_of(&desk, "R-7");
    assert_eq!(new.len(), 2);
    assert_eq!(new[0].user_identity_id, old[0].user_identity_id);
    assert_eq!(new[1].user_identity_id, old[1].user_identity_id);
    // A new reservation, with the room's next sequence once its first card is made.
    assert_eq!(new[0].reservation_id, new[1].reservation_id);
    assert_ne!(new[0].reservation_id, old[0].reservation_id);
    assert_eq!(sequence_at(&desk, &new[0], "room-102-door"), None);
    // No card was made for the room's earlier stay: its first number is this one's.
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&new[0]), "room-102-door"),
        Some(1)
    );
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&new[1]), "room-102-door"),
        Some(1)
    );
    // Each guest keeps their common areas and number of cards.
    assert_eq!(
        entrance_keys(&desk, &new[0]),
        keys(&["room-102-door", "gym-door", "pool-door"])
    );
    assert_eq!(
        entrance_keys(&desk, &new[1]),
        keys(&["room-102-door", "lobby-door"])
    );
    assert_eq!(guest_named(&moved.stay, "Ana Silva").cards.len(), 2);
    assert_eq!(guest_named(&moved.stay, "Bruno Costa").cards.len(), 1);
    assert!(none_encoded(&moved.stay));

    // The old grants are gone and say their cards are out.
    for grant in &old {
        let grant = grant_ever(&desk, grant.id);
        assert!(grant.deleted_at.is_some());
        assert!(
            grant
                .warnings
                .iter()
                .any(|warning| warning.code == WarningCode::CardsNotCollected)
        );
    }
    // Room 101's reservation is cleared: the next stay there gets its next sequence.
    let next = check_in(
        &desk,
        "room-101",
        "2025-07-20T14:00:00Z",
        "2025-07-22T10:00:00Z",
        &["Carla Dias"],
        "R-8",
    );
    let next = desk
        .desk
        .access_grant(next.guests[0].access_grant_id)
        .unwrap();
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&next), "room-101-door"),
        Some(2)
    );

    let board = desk.desk.room_board(&rui, at(DURING)).unwrap();
    assert_eq!(tile(&board, "room-101").state, RoomState::Vacant);
    assert_eq!(tile(&board, "room-102").state, RoomState::InHouse);
    assert_eq!(tile(&board, "room-102").stays[0].guests.len(), 2);

    // Room 102's door opens to the new card at first use (Zeca's stay never had a card).
    let new_card = issue(&desk, new[0].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-102-door", &new_card, "2025-07-15T18:30:00Z").reason,
        Reason::Overrode { from: 0, to: 1 }
    );
}

#[test]
fn moving_a_stay_that_has_not_started_keeps_its_dates() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-7");
    let moved = desk
        .desk
        .move_stay(
            &receptionist(),
            at(BOOKED),
            "R-7",
            desk.space_id("suite-300"),
            false,
        )
        .unwrap();
    assert!(moved.old_cards.is_empty());
    assert_eq!(
        (moved.stay.starts_at, moved.stay.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    assert_eq!(
        entrance_keys(&desk, &grants_of(&desk, "R-7")[0]),
        keys(&[
            "suite-300-main",
            "suite-300-bedroom",
            "gym-door",
            "lobby-door",
            "pool-door"
        ])
    );
}

#[test]
fn moving_onto_a_room_taken_for_overlapping_dates_is_refused_and_changes_nothing() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-7");
    check_in(
        &desk,
        "room-203",
        "2025-07-17T14:00:00Z",
        "2025-07-20T10:00:00Z",
        &["Duarte Reis"],
        "R-9",
    );
    let before = snapshot(&desk);
    let error = refused(desk.desk.move_stay(
        &receptionist(),
        at(DURING),
        "R-7",
        desk.space_id("room-203"),
        false,
    ));
    assert_eq!(error.status, 409);
    assert_eq!(error.error_type, "conflict");
    assert_eq!(error.field.as_deref(), Some("to_space_id"));
    assert_eq!(
        error.message,
        "Room 203 is booked for Duarte Reis from 17 Jul 15:00 to 20 Jul 11:00; \
         moving Ana Silva here until 18 Jul 11:00 would lock Duarte out. A manager may allow it."
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.move", "operator:Rui", &error);

    // A stay that starts when this one leaves does not overlap it. Its keys are made in
    // advance.
    let advance = check_in(
        &desk,
        "room-102",
        LEAVE,
        "2025-07-20T10:00:00Z",
        &["Eva Lopes"],
        "R-10",
    );
    issue(&desk, advance.guests[0].cards[0].id);
    move_r7_to_room_102(&desk);
    let moved = grants_of(&desk, "R-7");
    let next = grants_of(&desk, "R-10");
    // The moved stay's card, made when it starts, takes a higher number than the next
    // guest's, made already; its stay is earlier, so the next guest's cards would be refused:
    // the desk warns on that stay.
    assert_eq!(sequence_at(&desk, &moved[0], "room-102-door"), None);
    assert!(sequence_at(&desk, &next[0], "room-102-door").is_some());
    assert!(
        next[0]
            .warnings
            .iter()
            .any(|warning| warning.code == WarningCode::SequenceInversion)
    );
}

#[test]
fn a_stay_that_already_left_the_new_room_does_not_block_a_move() {
    let desk = Desk::new();
    // Room 102's last guest left on Monday morning and was never checked out.
    check_in(
        &desk,
        "room-102",
        "2025-07-12T14:00:00Z",
        "2025-07-14T10:00:00Z",
        &["Zeca Antunes"],
        "R-1",
    );
    // Ana arrived on Sunday in room 101 and moves on Tuesday evening.
    check_in(
        &desk,
        "room-101",
        "2025-07-13T14:00:00Z",
        LEAVE,
        &["Ana Silva"],
        "R-7",
    );
    let moved = move_r7_to_room_102(&desk);
    assert_eq!(moved.stay.space_id, Some(desk.space_id("room-102")));
    // The stay keeps its arrival; it overlaps Zeca's only before the move, when its cards
    // for room 102 did not exist, so Zeca's cards (expired since Monday) are no concern.
    assert_eq!(moved.stay.starts_at, at("2025-07-13T14:00:00Z"));
    assert!(
        moved
            .stay
            .guests
            .iter()
            .flat_map(|guest| &guest.warnings)
            .all(|warning| warning.code != WarningCode::PreviousGuestCanEnter),
        "{:?}",
        moved.stay.guests
    );
}

#[test]
fn a_move_into_the_same_room_a_common_area_or_nowhere_is_refused() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-7");
    let before = snapshot(&desk);
    for target in [
        desk.space_id("room-101"),
        desk.space_id("pool"),
        Uuid::new_v4(),
    ] {
        let error = refused(
            desk.desk
                .move_stay(&receptionist(), at(DURING), "R-7", target, false),
        );
        assert_invalid(&error, "to_space_id");
        assert_eq!(snapshot(&desk), before);
    }
    let error = refused(desk.desk.move_stay(
        &receptionist(),
        at(DURING),
        "R-404",
        desk.space_id("room-102"),
        false,
    ));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (404, "not_found")
    );
}
