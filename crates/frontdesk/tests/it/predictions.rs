//! What the desk tells of trouble at the doors: before a check-in, move or change of dates
//! (`FrontDesk::predict`), checked against what the locks then do with the cards; and on the
//! room board after, for stays not on today's board.

#![allow(clippy::unwrap_used, clippy::result_large_err)]

use engine::lock::Decision;
use frontdesk::{CheckIn, NewGuest, Operator, PlannedChange, Prediction, Role, StayDetail};
use uuid::Uuid;

use crate::support::{Desk, at};

/// The desk's clock while it books (Thursday 10 July, 13:00 in Lisbon).
const BOOKED: &str = "2025-07-10T12:00:00Z";

fn receptionist() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Rui".to_owned(),
        role: Role::Receptionist,
        terminal: None,
    }
}

fn stay_in(desk: &Desk, room: &str, from: &str, until: &str, guest: &str) -> CheckIn {
    CheckIn {
        space_id: desk.space_id(room),
        starts_at: at(from),
        ends_at: at(until),
        guests: vec![NewGuest {
            full_name: guest.to_owned(),
            email_address: None,
            phone_number: None,
        }],
        common_entrance_ids: vec![desk.entrance_id("lobby-door")],
        cards_per_guest: 1,
        reservation_key: Some(format!("stay-{}", guest.to_lowercase().replace(' ', "-"))),
        allow_overlap: false,
    }
}

fn planned(request: &CheckIn) -> PlannedChange {
    PlannedChange::CheckIn {
        space_id: request.space_id,
        starts_at: request.starts_at,
        ends_at: request.ends_at,
        guests: request
            .guests
            .iter()
            .map(|guest| guest.full_name.clone())
            .collect(),
        reservation_key: None,
    }
}

fn predict(desk: &Desk, change: &PlannedChange) -> Prediction {
    desk.desk
        .predict(&receptionist(), at(BOOKED), change)
        .unwrap()
}

/// The stay's one card, encoded on a fresh blank; its card id.
fn encode_card(desk: &Desk, stay: &StayDetail) -> String {
    desk.station.simulator().unwrap().present_blank_card();
    let method = stay.guests[0].cards[0].id;
    desk.encode(method).card_id
}

fn door_takes(desk: &Desk, card_id: &str, when: &str) -> bool {
    let decision = desk
        .desk
        .present_card(
            &desk.context,
            &desk.station,
            desk.entrance_id("room-101-door"),
            card_id,
            Some(at(when)),
        )
        .unwrap();
    decision.decision == Decision::Granted
}

/// Tom's stay from Tuesday, his card made ahead; Ann is then checked in for Monday night.
fn tom_ahead_of_ann(desk: &Desk) -> (StayDetail, CheckIn) {
    let tom = desk
        .desk
        .check_in(
            &receptionist(),
            at(BOOKED),
            &stay_in(
                desk,
                "room-101",
                "2025-07-15T14:00:00Z",
                "2025-07-17T10:00:00Z",
                "Tom Morrow",
            ),
        )
        .unwrap();
    let ann = stay_in(
        desk,
        "room-101",
        "2025-07-14T14:00:00Z",
        "2025-07-15T10:00:00Z",
        "Ann Walker",
    );
    (tom, ann)
}

#[test]
fn a_stay_placed_before_cards_made_ahead_is_told_with_the_remake_that_lets_them_in() {
    let desk = Desk::new();
    let (tom, ann_request) = tom_ahead_of_ann(&desk);
    let toms_old_card = encode_card(&desk, &tom);

    let prediction = predict(&desk, &planned(&ann_request));
    assert_eq!(prediction.booked, None, "the stays do not overlap");
    let [trouble] = prediction.troubles.as_slice() else {
        panic!("one trouble expected: {prediction:?}");
    };
    assert_eq!(
        trouble.message,
        "Tom Morrow's cards for Room 101 door (from 15 Jul 15:00) were made before this \
         stay's: once Ann Walker's first card is used there, they will be refused. Remake \
         Tom's cards after this."
    );
    let remake = trouble.remake.as_ref().unwrap();
    assert_eq!(remake.reservation_key, tom.reservation_key);
    assert_eq!(remake.guests, "Tom Morrow");

    // The way out: Ann checked in, Tom's cards remade; both open the room in their turn.
    let ann = desk
        .desk
        .check_in(&receptionist(), at(BOOKED), &ann_request)
        .unwrap();
    let anns_card = encode_card(&desk, &ann);
    let tom = desk
        .desk
        .remake_cards(&receptionist(), at(BOOKED), &tom.reservation_key)
        .unwrap();
    let toms_card = encode_card(&desk, &tom);
    assert!(door_takes(&desk, &anns_card, "2025-07-14T15:00:00Z"));
    assert!(door_takes(&desk, &toms_card, "2025-07-15T15:00:00Z"));
    assert!(!door_takes(&desk, &toms_old_card, "2025-07-15T16:00:00Z"));
}

#[test]
fn without_the_remake_the_guest_with_cards_made_ahead_is_locked_out() {
    let desk = Desk::new();
    let (tom, ann_request) = tom_ahead_of_ann(&desk);
    let toms_card = encode_card(&desk, &tom);
    let ann = desk
        .desk
        .check_in(&receptionist(), at(BOOKED), &ann_request)
        .unwrap();
    let anns_card = encode_card(&desk, &ann);
    assert!(door_takes(&desk, &anns_card, "2025-07-14T15:00:00Z"));
    assert!(!door_takes(&desk, &toms_card, "2025-07-15T15:00:00Z"));
}

#[test]
fn remade_cards_leave_the_old_ones_to_collect_not_lost() {
    let desk = Desk::new();
    let (tom, _) = tom_ahead_of_ann(&desk);
    encode_card(&desk, &tom);
    let old = tom.guests[0].cards[0].id;
    let remade = desk
        .desk
        .remake_cards(&receptionist(), at(BOOKED), &tom.reservation_key)
        .unwrap();
    assert_eq!(remade.starts_at, tom.starts_at);
    assert_eq!(remade.ends_at, tom.ends_at);
    assert_eq!(remade.guests[0].cards.len(), 1);
    assert_ne!(remade.guests[0].cards[0].id, old);
    let method = desk
        .desk
        .store()
        .read(|r| r.access_method(old))
        .unwrap()
        .unwrap();
    assert!(method.revoked_at.is_some());
    assert_eq!(method.lost_at, None);
}

#[test]
fn cards_not_yet_made_need_no_remake() {
    let desk = Desk::new();
    let (_, ann_request) = tom_ahead_of_ann(&desk);
    assert_eq!(
        predict(&desk, &planned(&ann_request)),
        Prediction::default()
    );
}

#[test]
fn an_overlap_is_told_in_the_words_of_the_refusal() {
    let desk = Desk::new();
    let (_, _) = tom_ahead_of_ann(&desk);
    let mut walker = stay_in(
        &desk,
        "room-101",
        "2025-07-14T14:00:00Z",
        "2025-07-16T10:00:00Z",
        "Ann Walker",
    );
    let prediction = predict(&desk, &planned(&walker));
    let booked = prediction.booked.unwrap();
    assert_eq!(
        booked,
        "Room 101 is booked for Tom Morrow from 15 Jul 15:00 to 17 Jul 11:00; checking Ann \
         Walker in until 16 Jul 11:00 would lock Tom out"
    );
    walker.reservation_key = None;
    let refusal = desk
        .desk
        .check_in(&receptionist(), at(BOOKED), &walker)
        .unwrap_err()
        .to_wire();
    assert_eq!(
        refusal.message,
        format!("{booked}. A manager may allow it.")
    );
}

#[test]
fn moves_and_new_dates_are_told_before_they_are_made() {
    let desk = Desk::new();
    let (tom, _) = tom_ahead_of_ann(&desk);
    encode_card(&desk, &tom);
    let ann = desk
        .desk
        .check_in(
            &receptionist(),
            at(BOOKED),
            &stay_in(
                &desk,
                "room-102",
                "2025-07-14T14:00:00Z",
                "2025-07-15T10:00:00Z",
                "Ann Walker",
            ),
        )
        .unwrap();

    let to_101 = PlannedChange::Move {
        reservation_key: ann.reservation_key.clone(),
        to_space_id: desk.space_id("room-101"),
    };
    let prediction = predict(&desk, &to_101);
    assert_eq!(prediction.booked, None);
    assert_eq!(
        prediction.troubles[0]
            .remake
            .as_ref()
            .unwrap()
            .reservation_key,
        tom.reservation_key
    );

    let into_toms_stay = PlannedChange::ChangeDates {
        reservation_key: tom.reservation_key.clone(),
        starts_at: Some(at("2025-07-12T14:00:00Z")),
        ends_at: None,
    };
    assert_eq!(predict(&desk, &into_toms_stay).booked, None);
    let extended = PlannedChange::ChangeDates {
        reservation_key: ann.reservation_key.clone(),
        starts_at: None,
        ends_at: Some(at("2025-07-20T10:00:00Z")),
    };
    assert_eq!(predict(&desk, &extended), Prediction::default());
}

#[test]
fn bad_plans_are_refused_naming_the_field() {
    let desk = Desk::new();
    let mut backwards = stay_in(
        &desk,
        "room-101",
        "2025-07-15T14:00:00Z",
        "2025-07-14T10:00:00Z",
        "Ann Walker",
    );
    let error = desk
        .desk
        .predict(&receptionist(), at(BOOKED), &planned(&backwards))
        .unwrap_err()
        .to_wire();
    assert_eq!(error.error_type, "invalid_input", "{error:?}");

    backwards.space_id = desk.space_id("lobby");
    backwards.ends_at = at("2025-07-16T10:00:00Z");
    let error = desk
        .desk
        .predict(&receptionist(), at(BOOKED), &planned(&backwards))
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("space_id"), "{error:?}");

    let unknown = PlannedChange::Move {
        reservation_key: "no-such-stay".to_owned(),
        to_space_id: desk.space_id("room-101"),
    };
    let error = desk
        .desk
        .predict(&receptionist(), at(BOOKED), &unknown)
        .unwrap_err()
        .to_wire();
    assert_eq!(error.status, 404, "{error:?}");
}

fn marked(desk: &Desk, room: &str, now: &str) -> bool {
    let board = desk.desk.room_board(&receptionist(), at(now)).unwrap();
    let tile = board
        .floors
        .iter()
        .flat_map(|floor| &floor.rooms)
        .find(|tile| tile.space_id == desk.space_id(room))
        .unwrap();
    tile.has_warnings
}

#[test]
fn the_board_marks_rooms_whose_trouble_lies_in_a_future_or_a_gone_stay() {
    let desk = Desk::new();
    let (tom, ann_request) = tom_ahead_of_ann(&desk);
    encode_card(&desk, &tom);
    assert!(!marked(&desk, "room-101", BOOKED));
    // Ann's check-in (told beforehand) leaves Tom's stay, days ahead, with cards that will be
    // refused: the room is marked today already.
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &ann_request)
        .unwrap();
    assert!(marked(&desk, "room-101", BOOKED));
    assert!(!marked(&desk, "room-102", BOOKED));

    // Tom's remade cards clear it; his old card, made ahead and not back, keeps the room
    // marked until it is collected.
    let remade = desk
        .desk
        .remake_cards(&receptionist(), at(BOOKED), &tom.reservation_key)
        .unwrap();
    assert!(marked(&desk, "room-101", BOOKED));
    desk.desk
        .mark_card_collected(
            &receptionist().context(at(BOOKED)),
            tom.guests[0].cards[0].id,
        )
        .unwrap();
    assert!(!marked(&desk, "room-101", BOOKED), "{remade:?}");
}
