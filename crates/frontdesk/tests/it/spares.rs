//! Spare cards for when the desk is down: each takes the room's next number, so a lock takes
//! it as the next guest's key; recorded afterwards as handed to a guest, the door goes on as
//! if it had been a check-in; a check-in made since puts it out of date, and the desk says so.

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use chrono::Duration;
use encoder::CardUid;
use engine::lock::{Decision, Reason};
use engine::spares::SpareState;
use frontdesk::{Context, Operator, Role, SpareCardView, SpareHandedOut};

use crate::support::{Desk, at, present, sequence_at};

const MADE: &str = "2025-05-01T09:00:00Z";

fn manager() -> Operator {
    Operator {
        id: uuid::Uuid::new_v4(),
        name: "Marta".to_owned(),
        role: Role::Manager,
        terminal: None,
    }
}

/// Makes the room's next spare at `when`, valid 30 days; its card's UID.
fn make_spare(desk: &Desk, room: &str, when: &str) -> String {
    desk.station.simulator().unwrap().present_blank_card();
    desk.desk
        .make_spare_card(
            &manager().context(at(when)),
            &desk.station,
            desk.space_id(room),
            at(when) + Duration::days(30),
            &mut |_, _| {},
        )
        .unwrap()
        .card_id
}

fn spares(desk: &Desk, when: &str) -> Vec<SpareCardView> {
    desk.desk.spare_cards(&manager(), at(when)).unwrap()
}

/// A stay in `room` with its card encoded on a blank; the card's UID.
fn stay_with_card(desk: &Desk, room: &str, from: &str, until: &str, key: &str) -> String {
    let stay = desk
        .stay(&desk.guest(), &[room], from, until, Some(key))
        .unwrap();
    desk.station.simulator().unwrap().present_blank_card();
    desk.encode(stay.access_method_ids[0]).card_id
}

#[test]
fn a_spare_overrides_the_guest_before_and_recorded_becomes_the_stay_s_card() {
    let desk = Desk::new();
    let before = stay_with_card(&desk, "room-101", MADE, "2025-05-02T11:00:00Z", "r-1");
    present(&desk, "room-101-door", &before, "2025-05-01T10:00:00Z");
    desk.desk
        .check_out(&manager(), at("2025-05-02T10:00:00Z"), "r-1")
        .unwrap();

    let spare = make_spare(&desk, "room-101", "2025-05-02T12:00:00Z");
    let listed = spares(&desk, "2025-05-02T12:00:00Z");
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].number, listed[0].state), (1, SpareState::Ready));
    assert_eq!(listed[0].card_id, spare);
    assert!(
        listed[0].status.starts_with("Ready"),
        "{}",
        listed[0].status
    );

    // The desk is down; the night porter hands the spare to a walk-in.
    let used = present(&desk, "room-101-door", &spare, "2025-05-03T01:00:00Z");
    assert_eq!(used.reason, Reason::Overrode { from: 1, to: 2 });
    let old = present(&desk, "room-101-door", &before, "2025-05-03T01:05:00Z");
    assert_eq!(old.decision, Decision::Denied);
    let seen = spares(&desk, "2025-05-03T08:00:00Z");
    assert!(
        matches!(seen[0].state, SpareState::UsedAtDoor { .. }),
        "{seen:?}"
    );

    // Back up, the manager records it.
    let stay = desk
        .desk
        .hand_out_spare(
            &manager(),
            at("2025-05-03T08:00:00Z"),
            &SpareHandedOut {
                spare_id: seen[0].id,
                full_name: "Walter Walkin".to_owned(),
                starts_at: at("2025-05-03T01:00:00Z"),
                ends_at: at("2025-05-04T11:00:00Z"),
            },
        )
        .unwrap();
    assert_eq!(stay.room_name, "Room 101");
    let card = &stay.guests[0].cards[0];
    assert_eq!(card.card_id.as_deref(), Some(spare.as_str()));
    assert!(card.is_issued() && !card.is_encoding_required);
    let grant = desk
        .desk
        .access_grant(stay.guests[0].access_grant_id)
        .unwrap();
    assert_eq!(sequence_at(&desk, &grant, "room-101-door"), Some(2));
    assert!(spares(&desk, "2025-05-03T08:00:00Z").is_empty());
    assert_eq!(
        present(&desk, "room-101-door", &spare, "2025-05-03T09:00:00Z").reason,
        Reason::Joined
    );
    // No warning on the walk-in's stay: the door is where the desk says it is.
    let warned: Vec<_> = desk
        .desk
        .warnings(&manager(), at("2025-05-03T09:00:00Z"))
        .unwrap()
        .into_iter()
        .filter(|warning| warning.reservation_key.as_deref() == Some(stay.reservation_key.as_str()))
        .collect();
    assert!(warned.is_empty(), "{warned:?}");

    // The next guest's card takes the next number and overrides the walk-in.
    let next = stay_with_card(
        &desk,
        "room-101",
        "2025-05-04T15:00:00Z",
        "2025-05-05T11:00:00Z",
        "r-3",
    );
    desk.desk
        .check_out(
            &manager(),
            at("2025-05-04T11:00:00Z"),
            &stay.reservation_key,
        )
        .unwrap();
    assert_eq!(
        present(&desk, "room-101-door", &next, "2025-05-04T15:30:00Z").reason,
        Reason::Overrode { from: 2, to: 3 }
    );
}

#[test]
fn a_check_in_since_the_spare_was_made_puts_it_out_of_date_until_it_is_taken_out() {
    let desk = Desk::new();
    let spare = make_spare(&desk, "room-102", MADE);
    stay_with_card(
        &desk,
        "room-102",
        "2025-05-01T15:00:00Z",
        "2025-05-02T11:00:00Z",
        "r-2",
    );
    let listed = spares(&desk, "2025-05-01T16:00:00Z");
    assert!(
        matches!(listed[0].state, SpareState::Overtaken { .. }),
        "{listed:?}"
    );
    assert!(
        listed[0].status.starts_with("Out of date"),
        "{}",
        listed[0].status
    );
    desk.desk
        .void_spare(&manager(), at("2025-05-01T16:00:00Z"), listed[0].id)
        .unwrap();
    assert!(spares(&desk, "2025-05-01T16:00:00Z").is_empty());
    let record = desk.desk.store().read(|r| r.cards_by_uid(&spare)).unwrap();
    assert!(record[0].collected_at.is_some(), "back at the desk");
    // A spare's end passes too.
    make_spare(&desk, "room-203", MADE);
    let late = spares(&desk, "2025-06-01T09:00:00Z");
    assert_eq!(late[0].state, SpareState::Expired);
}

#[test]
fn a_spare_for_an_occupied_room_says_whose_cards_it_would_lock_out() {
    let desk = Desk::new();
    let guest = desk.guest();
    let stay = desk
        .stay(
            &guest,
            &["room-203"],
            MADE,
            "2025-05-03T11:00:00Z",
            Some("r-9"),
        )
        .unwrap();
    desk.encoded(&stay);
    make_spare(&desk, "room-203", "2025-05-01T10:00:00Z");
    let listed = spares(&desk, "2025-05-01T10:00:00Z");
    assert_eq!(listed[0].state, SpareState::Ready);
    assert_eq!(listed[0].locks_out, [guest.full_name.clone().unwrap()]);
    let uid = CardUid::from_hex(&listed[0].card_id).unwrap();
    assert!(desk.station.simulator().unwrap().card(&uid).is_some());
}

#[test]
fn what_a_spare_cannot_be_is_refused_by_field_and_changes_nothing() {
    let desk = Desk::new();
    let room = desk.space_id("room-101");
    let now = at(MADE);
    let manager_context = manager().context(now);
    let refused = |context: &Context, space, until| {
        desk.station.simulator().unwrap().present_blank_card();
        desk.desk
            .make_spare_card(context, &desk.station, space, until, &mut |_, _| {})
            .unwrap_err()
            .to_wire()
    };
    let error = refused(
        &manager_context,
        desk.space_id("lobby"),
        now + Duration::days(3),
    );
    assert_eq!(error.field.as_deref(), Some("space_id"), "{error:?}");
    let error = refused(&manager_context, room, now);
    assert_eq!(error.field.as_deref(), Some("valid_until"), "{error:?}");
    let error = refused(&manager_context, room, now + Duration::days(400));
    assert_eq!(error.field.as_deref(), Some("valid_until"), "{error:?}");
    let error = refused(&Context::api(now), room, now + Duration::days(3));
    assert_eq!(error.status, 403);
    assert!(spares(&desk, MADE).is_empty());

    make_spare(&desk, "room-101", MADE);
    let spare = spares(&desk, MADE)[0].id;
    let hand = |starts_at: &str| SpareHandedOut {
        spare_id: spare,
        full_name: "Walter Walkin".to_owned(),
        starts_at: at(starts_at),
        ends_at: at("2025-05-03T11:00:00Z"),
    };
    let later = at("2025-05-01T12:00:00Z");
    let error = desk
        .desk
        .hand_out_spare(&manager(), later, &hand("2025-05-01T13:00:00Z"))
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("starts_at"), "{error:?}");
    let error = desk
        .desk
        .hand_out_spare(&manager(), later, &hand("2025-04-30T13:00:00Z"))
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("starts_at"), "{error:?}");
    let receptionist = Operator {
        role: Role::Receptionist,
        ..manager()
    };
    let error = desk
        .desk
        .hand_out_spare(&receptionist, later, &hand("2025-05-01T11:00:00Z"))
        .unwrap_err()
        .to_wire();
    assert_eq!(error.status, 403);
    assert_eq!(
        spares(&desk, "2025-05-01T12:00:00Z").len(),
        1,
        "still in the safe"
    );
    desk.desk
        .hand_out_spare(&manager(), later, &hand("2025-05-01T11:00:00Z"))
        .unwrap();
    let error = desk
        .desk
        .hand_out_spare(&manager(), later, &hand("2025-05-01T11:00:00Z"))
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("spare_id"), "{error:?}");
}

#[test]
fn a_spare_in_the_safe_is_never_written_over_and_a_stay_that_outlasts_it_needs_a_card() {
    let desk = Desk::new();
    let spare = make_spare(&desk, "room-101", MADE);
    // The spare's plastic put on the encoder for another card by mistake.
    let stay = desk
        .stay(
            &desk.guest(),
            &["room-102"],
            MADE,
            "2025-05-02T11:00:00Z",
            Some("r-4"),
        )
        .unwrap();
    desk.station
        .simulator()
        .unwrap()
        .present_card(&CardUid::from_hex(&spare).unwrap());
    let error = desk
        .encode_at(&desk.context, stay.access_method_ids[0])
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("card"), "{error:?}");
    assert!(error.message.contains("spare 1 of Room 101"), "{error:?}");
    assert_eq!(spares(&desk, MADE)[0].state, SpareState::Ready);

    // Handed to a guest staying past the spare's end: the desk asks for a card made here.
    let recorded = desk
        .desk
        .hand_out_spare(
            &manager(),
            at("2025-05-02T09:00:00Z"),
            &SpareHandedOut {
                spare_id: spares(&desk, MADE)[0].id,
                full_name: "Lena Long".to_owned(),
                starts_at: at("2025-05-02T08:00:00Z"),
                ends_at: at("2025-06-15T11:00:00Z"),
            },
        )
        .unwrap();
    assert!(recorded.guests[0].cards[0].is_encoding_required);
}
