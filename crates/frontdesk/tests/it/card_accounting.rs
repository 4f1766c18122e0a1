//! Every card accounted for until no door accepts it: cards replaced by a re-encode onto other
//! plastic, lost in a reissue, or left behind by a move stay listed (the manager's warnings,
//! the stay, the room) while the lock model says a door may still accept them, each with the
//! doors and until when; collecting one, a cancel card at the room or the next card used
//! there ends it. The test property is in Europe/Lisbon (UTC+1 in summer).

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use chrono::Duration;
use engine::lock::Decision;
use engine::model::EntranceId;
use engine::warnings::WarningCode;
use frontdesk::{
    CardOut, CardOutReason, CheckIn, Context, DoorUntil, FixAction, NewGuest, Operator, Role,
    StayDetail, WarningView,
};
use uuid::Uuid;

use crate::support::{Desk, at};

/// When the stays are booked.
const BOOKED: &str = "2025-07-10T12:00:00Z";
/// 15:00 in Lisbon on Monday 14 July.
const ARRIVE: &str = "2025-07-14T14:00:00Z";
/// Tuesday evening, mid-stay.
const DURING: &str = "2025-07-15T18:00:00Z";
/// 11:00 in Lisbon on Friday 18 July.
const LEAVE: &str = "2025-07-18T10:00:00Z";
/// Two nights more: 11:00 on Sunday 20 July.
const EXTENDED: &str = "2025-07-20T10:00:00Z";
const KEY: &str = "r-ann";

fn manager() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Marta".to_owned(),
        role: Role::Manager,
        terminal: None,
    }
}

fn receptionist() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Rui".to_owned(),
        role: Role::Receptionist,
        terminal: None,
    }
}

fn doors(desk: &Desk, keys: &[&str]) -> Vec<EntranceId> {
    keys.iter().map(|key| desk.entrance_id(key)).collect()
}

/// Ann checked into Room 101 with the gym, lobby and pool, one card.
fn ann_checked_in(desk: &Desk) -> StayDetail {
    check_in(desk, "room-101", "Ann Walker", KEY, ARRIVE, LEAVE)
}

fn check_in(
    desk: &Desk,
    room: &str,
    name: &str,
    key: &str,
    starts_at: &str,
    ends_at: &str,
) -> StayDetail {
    desk.desk
        .check_in(
            &receptionist(),
            at(BOOKED),
            &CheckIn {
                space_id: desk.space_id(room),
                starts_at: at(starts_at),
                ends_at: at(ends_at),
                guests: vec![NewGuest {
                    full_name: name.to_owned(),
                    email_address: None,
                    phone_number: None,
                }],
                common_entrance_ids: doors(desk, &["gym-door", "lobby-door", "pool-door"]),
                cards_per_guest: 1,
                reservation_key: Some(key.to_owned()),
                allow_overlap: false,
            },
        )
        .unwrap()
}

/// Encodes the stay's first guest's first card onto a fresh blank at `when`.
fn encode_first_card(desk: &Desk, stay: &StayDetail, when: &str) -> String {
    desk.station.simulator().unwrap().present_blank_card();
    desk.desk
        .encode_card(
            &Context::new("desk", at(when)),
            &desk.station,
            stay.guests[0].cards[0].id,
            &mut |_, _| {},
        )
        .unwrap()
        .card_id
}

fn present(desk: &Desk, door: &str, card_id: &str, when: &str) -> Decision {
    desk.desk
        .present_card(
            &Context::new("desk", at(when)),
            &desk.station,
            desk.entrance_id(door),
            card_id,
            Some(at(when)),
        )
        .unwrap()
        .decision
}

fn warnings(desk: &Desk, when: &str) -> Vec<WarningView> {
    desk.desk.warnings(&manager(), at(when)).unwrap()
}

/// The manager's warning listing the card, if any.
fn warned_card(desk: &Desk, card_id: &str, when: &str) -> Option<(WarningView, CardOut)> {
    warnings(desk, when).into_iter().find_map(|view| {
        let card = view
            .cards_out
            .iter()
            .find(|card| card.card_id == card_id)
            .cloned()?;
        Some((view, card))
    })
}

/// The doors that may still accept the card, by name, in order.
fn door_names(card: &CardOut) -> Vec<&str> {
    let mut names: Vec<&str> = card.doors.iter().map(|door| door.name.as_str()).collect();
    names.sort_unstable();
    names
}

#[test]
fn a_card_replaced_by_an_extension_is_warned_while_it_opens_the_lobby_and_gone_at_its_end() {
    let desk = Desk::new();
    let stay = ann_checked_in(&desk);
    let old = encode_first_card(&desk, &stay, ARRIVE);
    assert_eq!(
        present(&desk, "room-101-door", &old, ARRIVE),
        Decision::Granted
    );

    // Two more nights; the new dates go onto a new card, the old one stays with Ann.
    desk.desk
        .change_dates(
            &receptionist(),
            at(DURING),
            KEY,
            None,
            Some(at(EXTENDED)),
            false,
        )
        .unwrap();
    let stay = desk.desk.stay_at(&receptionist(), KEY, at(DURING)).unwrap();
    let new = encode_first_card(&desk, &stay, DURING);
    assert_ne!(new, old, "the new dates are on other plastic");

    // The old plastic opens the lobby (and the room, as a joiner) until its own end.
    assert_eq!(
        present(&desk, "lobby-door", &old, DURING),
        Decision::Granted
    );
    let (view, card) = warned_card(&desk, &old, DURING).expect("the old card is warned about");
    assert_eq!(view.code, WarningCode::CardsNotCollected);
    assert_eq!(view.fix, FixAction::CancelCard);
    assert_eq!(view.guests, ["Ann Walker"]);
    assert!(
        view.message.starts_with("Replaced card"),
        "{}",
        view.message
    );
    assert_eq!(card.reason, CardOutReason::Replaced);
    assert_eq!(
        door_names(&card),
        ["Gym door", "Lobby door", "Pool door", "Room 101 door"]
    );
    let lobby = card
        .doors
        .iter()
        .find(|door| door.name == "Lobby door")
        .unwrap();
    assert_eq!(lobby.until, DoorUntil::CardEnd);
    assert_eq!(lobby.at_latest, at(LEAVE));
    // Ann's own stay holds the room and its cards join the old one: no cancel card there.
    let room = card
        .doors
        .iter()
        .find(|door| door.name == "Room 101 door")
        .unwrap();
    let holder = room.held_by.as_ref().expect("Ann's stay holds the room");
    assert!(holder.same_reservation);
    assert_eq!(holder.guests, ["Ann Walker"]);
    assert!(card.cancel_entrance_ids.is_empty());

    // The stay lists it too; the new card is nobody's concern.
    let stay = desk.desk.stay_at(&receptionist(), KEY, at(DURING)).unwrap();
    let listed: Vec<&str> = stay
        .cards_still_out
        .iter()
        .map(|card| card.card_id.as_str())
        .collect();
    assert_eq!(listed, [old.as_str()]);

    // Ann's new card used at the room joins: the old one still opens it.
    assert_eq!(
        present(&desk, "room-101-door", &new, DURING),
        Decision::Granted
    );
    assert!(warned_card(&desk, &old, DURING).is_some());

    // From its end (and the locks' clock skew) no door accepts it, and no warning is left.
    let after = (at(LEAVE) + Duration::minutes(6)).to_rfc3339();
    assert_eq!(present(&desk, "lobby-door", &old, &after), Decision::Denied);
    assert!(warned_card(&desk, &old, &after).is_none());
    assert!(
        warnings(&desk, &after)
            .iter()
            .all(|view| view.code != WarningCode::CardsNotCollected)
    );
}

#[test]
fn a_lost_card_is_warned_at_the_room_until_the_new_card_is_used_there_and_at_the_lobby_after() {
    let desk = Desk::new();
    let stay = ann_checked_in(&desk);
    let lost = encode_first_card(&desk, &stay, ARRIVE);
    assert_eq!(
        present(&desk, "room-101-door", &lost, ARRIVE),
        Decision::Granted
    );

    let stay = desk
        .desk
        .reissue_stay(&receptionist(), at(DURING), KEY)
        .unwrap();
    let (_, card) = warned_card(&desk, &lost, DURING).expect("the lost card is warned about");
    assert_eq!(card.reason, CardOutReason::Lost);
    let room = card
        .doors
        .iter()
        .find(|door| door.name == "Room 101 door")
        .unwrap();
    assert_eq!(room.until, DoorUntil::NewerCard);
    // The reissued stay holds the room: its first card there stops the lost one.
    assert!(!room.held_by.as_ref().unwrap().same_reservation);
    assert_eq!(stay.cards_still_out.len(), 1);

    let new = encode_first_card(&desk, &stay, DURING);
    assert_eq!(
        present(&desk, "room-101-door", &new, DURING),
        Decision::Granted
    );
    assert_eq!(
        present(&desk, "room-101-door", &lost, DURING),
        Decision::Denied
    );
    let (_, card) = warned_card(&desk, &lost, DURING).expect("still opens the lobby");
    assert_eq!(door_names(&card), ["Gym door", "Lobby door", "Pool door"]);
    assert_eq!(
        present(&desk, "lobby-door", &lost, DURING),
        Decision::Granted
    );
}

#[test]
fn a_replaced_card_collected_at_the_desk_is_no_longer_warned_and_one_lost_still_is() {
    let desk = Desk::new();
    let stay = ann_checked_in(&desk);
    let first = encode_first_card(&desk, &stay, ARRIVE);
    // The same key re-encoded onto other plastic twice: two old cards out.
    let second = encode_first_card(&desk, &stay, ARRIVE);
    let _third = encode_first_card(&desk, &stay, DURING);
    assert!(warned_card(&desk, &first, DURING).is_some());
    assert!(warned_card(&desk, &second, DURING).is_some());

    desk.desk
        .card_collected(&receptionist(), at(DURING), &first)
        .unwrap();
    desk.desk
        .card_lost(&receptionist(), at(DURING), &second)
        .unwrap();
    assert!(warned_card(&desk, &first, DURING).is_none());
    let (_, card) = warned_card(&desk, &second, DURING).expect("a lost card stays warned");
    assert_eq!(card.reason, CardOutReason::Lost);

    // Ann's current card is her key: it cannot be collected or lost from here.
    let current = desk.desk.stay_at(&receptionist(), KEY, at(DURING)).unwrap();
    let card_id = current.guests[0].cards[0].card_id.clone().unwrap();
    let refused = desk
        .desk
        .card_collected(&receptionist(), at(DURING), &card_id)
        .unwrap_err()
        .to_wire();
    assert_eq!(refused.field.as_deref(), Some("card_id"));
}

#[test]
fn after_a_move_the_old_room_s_card_is_listed_and_a_cancel_card_closes_the_room_to_it() {
    let desk = Desk::new();
    let stay = ann_checked_in(&desk);
    let old = encode_first_card(&desk, &stay, ARRIVE);
    assert_eq!(
        present(&desk, "room-101-door", &old, ARRIVE),
        Decision::Granted
    );

    let moved = desk
        .desk
        .move_stay(
            &receptionist(),
            at(DURING),
            KEY,
            desk.space_id("room-102"),
            false,
        )
        .unwrap();
    let card = moved
        .stay
        .cards_still_out
        .iter()
        .find(|card| card.card_id == old)
        .expect("the old room's card is listed with the stay");
    assert_eq!(card.reason, CardOutReason::NotReturned);
    assert!(door_names(card).contains(&"Room 101 door"));
    assert_eq!(
        card.cancel_entrance_ids,
        [desk.entrance_id("room-101-door")]
    );

    // The vacant room shows it too.
    let in_room = desk
        .desk
        .room_cards_out(&receptionist(), desk.space_id("room-101"), at(DURING))
        .unwrap();
    assert_eq!(in_room.len(), 1);
    assert_eq!(in_room[0].card_id, old);

    desk.station.simulator().unwrap().present_blank_card();
    let cancel = desk
        .desk
        .encode_cancel_card(
            &Context::new("desk", at(DURING)),
            &desk.station,
            &card.cancel_entrance_ids,
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(
        present(&desk, "room-101-door", &cancel.card_id, DURING),
        Decision::Denied
    );
    assert_eq!(
        present(&desk, "room-101-door", &old, DURING),
        Decision::Denied
    );

    let (_, card) = warned_card(&desk, &old, DURING).expect("the lobby still opens for it");
    assert!(!door_names(&card).contains(&"Room 101 door"));
    assert!(
        desk.desk
            .room_cards_out(&receptionist(), desk.space_id("room-101"), at(DURING))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_cancel_card_for_a_booked_room_is_refused_with_the_real_way_out() {
    let desk = Desk::new();
    let stay = ann_checked_in(&desk);
    encode_first_card(&desk, &stay, ARRIVE);
    desk.desk
        .move_stay(
            &receptionist(),
            at(DURING),
            KEY,
            desk.space_id("room-102"),
            false,
        )
        .unwrap();
    check_in(&desk, "room-101", "Tom Morrow", "r-tom", LEAVE, EXTENDED);

    desk.station.simulator().unwrap().present_blank_card();
    let refused = desk
        .desk
        .encode_cancel_card(
            &Context::new("desk", at(DURING)),
            &desk.station,
            &[desk.entrance_id("room-101-door")],
            &mut |_, _| {},
        )
        .unwrap_err()
        .to_wire();
    assert_eq!(refused.field.as_deref(), Some("acs_entrance_ids[0]"));
    assert_eq!(
        refused.message,
        "Room 101 door is booked for Tom Morrow from 18 Jul 11:00: their first card used at the \
         door stops the old cards there. A cancel card would lock Tom Morrow out too."
    );
}

#[test]
fn a_cancel_card_is_never_written_over_a_guest_s_valid_key() {
    let desk = Desk::new();
    let stay = ann_checked_in(&desk);
    let key = encode_first_card(&desk, &stay, ARRIVE);
    desk.desk
        .move_stay(
            &receptionist(),
            at(DURING),
            KEY,
            desk.space_id("room-102"),
            false,
        )
        .unwrap();
    let moved = desk.desk.stay_at(&receptionist(), KEY, at(DURING)).unwrap();
    let new_key = encode_first_card(&desk, &moved, DURING);

    // Ann's new key is still on the encoder.
    assert_eq!(
        desk.station
            .simulator()
            .unwrap()
            .card_on_encoder()
            .unwrap()
            .to_hex(),
        new_key
    );
    let refused = desk
        .desk
        .encode_cancel_card(
            &Context::new("desk", at(DURING)),
            &desk.station,
            &[desk.entrance_id("room-101-door")],
            &mut |_, _| {},
        )
        .unwrap_err()
        .to_wire();
    assert_eq!(refused.field.as_deref(), Some("card"));
    assert_eq!(
        present(&desk, "room-102-door", &new_key, DURING),
        Decision::Granted
    );
    assert_ne!(key, new_key);
}

#[test]
fn a_checked_out_stay_reads_as_it_ended_with_the_card_left_in_a_pocket() {
    let desk = Desk::new();
    let stay = ann_checked_in(&desk);
    let card_id = encode_first_card(&desk, &stay, ARRIVE);

    let refused = desk
        .desk
        .past_stay(&receptionist(), KEY, at(DURING))
        .unwrap_err()
        .to_wire();
    assert_eq!(
        refused.field.as_deref(),
        Some("reservation_key"),
        "{refused:?}"
    );
    assert!(refused.message.contains("not over"), "{}", refused.message);

    // She leaves a day early and keeps her card.
    let left = "2025-07-17T09:15:00Z";
    let out = desk.desk.check_out(&receptionist(), at(left), KEY).unwrap();
    assert_eq!(out.uncollected.len(), 1);

    let after = "2025-07-17T12:00:00Z";
    let past = desk
        .desk
        .past_stay(&receptionist(), KEY, at(after))
        .unwrap();
    assert_eq!(past.room_name, "Room 101");
    assert_eq!(past.guests, ["Ann Walker"]);
    assert_eq!(past.starts_at, at(ARRIVE));
    assert_eq!(past.checked_out_at, at(left));
    assert_eq!(past.cards_made, 1);
    let pocket: Vec<&str> = past
        .cards_still_out
        .iter()
        .map(|card| card.card_id.as_str())
        .collect();
    assert_eq!(pocket, [card_id.as_str()]);

    desk.desk
        .card_collected(&receptionist(), at(after), &card_id)
        .unwrap();
    let past = desk
        .desk
        .past_stay(&receptionist(), KEY, at(after))
        .unwrap();
    assert!(
        past.cards_still_out.is_empty(),
        "{:?}",
        past.cards_still_out
    );
    assert_eq!(past.cards_made, 1);

    let unknown = desk
        .desk
        .past_stay(&receptionist(), "r-nobody", at(after))
        .unwrap_err()
        .to_wire();
    assert_eq!(unknown.error_type, "not_found", "{unknown:?}");
}
