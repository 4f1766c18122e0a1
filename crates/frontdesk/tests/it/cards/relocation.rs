//! Relocation: the old room's card until a cancel card is used, and cancel cards.

use encoder::card::{self, CardKind};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use engine::lock::{Decision, Reason};
use engine::warnings::WarningCode;
use frontdesk::{CardStation, Context, CreateAccessGrant, FrontDesk};
use store::Store;
use uuid::Uuid;

use super::{
    FRI_11, SAT_15, WED_11, WED_15, has_warning, issue, issue_at, lock_state, opens, overridden,
    overrode, present, refuses, sequence_tables, simulator, uid,
};
use crate::support::{Desk, at, card, desk_context, sequence_at};

// --- 3. relocation ------------------------------------------------------------------------------

#[test]
fn reservations_made_and_deleted_without_a_card_do_not_push_the_next_guest_out_of_the_lock() {
    // A property-management system books and cancels 60 stays on room 101 (churn, moves):
    // no card is ever encoded for them.
    let desk = Desk::new();
    for n in 0..60 {
        let stay = desk
            .stay(
                &desk.guest(),
                &["room-101"],
                SAT_15,
                WED_11,
                Some(&format!("churn-{n}")),
            )
            .unwrap();
        desk.desk
            .delete_access_grant(&desk.context, stay.id)
            .unwrap();
    }
    let guest = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    assert!(guest.warnings.is_empty(), "{:?}", guest.warnings);
    let card_id = issue(&desk, guest.access_method_ids[0]);
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn relocation_the_old_card_opens_the_old_room_until_a_cancel_card_is_used() {
    let desk = Desk::new();
    let guest = desk.guest();
    let old = desk
        .stay(&guest, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let old_card = issue(&desk, old.access_method_ids[0]);
    assert_eq!(
        opens(&desk, "room-101-door", &old_card, SAT_15),
        overrode(0, 1)
    );

    // The guest moves mid-stay: delete, then create.
    let moving = Context::new("desk", at("2025-05-11T10:00:00Z"));
    let deleted = desk.desk.delete_access_grant(&moving, old.id).unwrap();
    let warning = deleted
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::CardsNotCollected)
        .expect("cards_not_collected warning");
    assert!(
        warning.message.contains("Room 101 door"),
        "{}",
        warning.message
    );
    let new = desk
        .desk
        .create_access_grant(
            &moving,
            &CreateAccessGrant {
                user_identity_id: Some(guest.id),
                space_keys: vec!["room-203".into()],
                starts_at: Some(at("2025-05-10T15:30:00Z")),
                ends_at: Some(at(WED_11)),
                requested_access_methods: vec![card()],
                reservation_key: Some("stay-1".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let new_card = issue_at(&desk, &moving, new.access_method_ids[0]);

    assert_eq!(
        opens(&desk, "room-203-door", &new_card, "2025-05-11T10:30:00Z"),
        overrode(0, 1)
    );
    assert_eq!(
        refuses(&desk, "room-101-door", &new_card, "2025-05-11T10:31:00Z"),
        Reason::DoorNotOnCard
    );
    // No new reservation on room 101 yet: the old card still opens it, as the desk warned.
    assert_eq!(
        opens(&desk, "room-101-door", &old_card, "2025-05-11T11:00:00Z"),
        Reason::Joined
    );
    assert!(has_warning(&desk, old.id, WarningCode::CardsNotCollected));

    // A cancel card for the old door.
    simulator(&desk).present_blank_card();
    let room_101 = desk.entrance_id("room-101-door");
    let cancel = desk
        .desk
        .encode_cancel_card(&moving, &desk.station, &[room_101], &mut |_, _| {})
        .unwrap();
    assert_eq!(cancel.access_method, None);
    let image = simulator(&desk).card(&uid(&cancel.card_id)).unwrap().image;
    let data = card::read(&image).unwrap();
    assert_eq!(data.kind, CardKind::Cancel);
    assert_eq!(data.capable_doors.len(), 1);
    assert_eq!(data.capable_doors[0].sequence, 2);
    let recorded = desk
        .desk
        .store()
        .read(|r| r.cards_by_uid(&cancel.card_id))
        .unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].op_id, cancel.op_id);
    assert_eq!(recorded[0].access_method_id, None);

    let applied = present(
        &desk,
        "room-101-door",
        &cancel.card_id,
        "2025-05-11T11:30:00Z",
    );
    assert_eq!(applied.decision, Decision::Denied, "the door stays shut");
    assert_eq!(applied.reason, Reason::CancelApplied { from: 1, to: 2 });
    assert_eq!(lock_state(&desk, "room-101-door").guest_sequence, 2);
    assert_eq!(
        refuses(
            &desk,
            "room-101-door",
            &cancel.card_id,
            "2025-05-11T11:31:00Z"
        ),
        Reason::CancelStale { card: 2, lock: 2 }
    );
    assert_eq!(
        refuses(&desk, "room-101-door", &old_card, "2025-05-11T12:00:00Z"),
        overridden(1, 2)
    );
    assert_eq!(
        refuses(
            &desk,
            "room-203-door",
            &cancel.card_id,
            "2025-05-11T12:00:00Z"
        ),
        Reason::DoorNotOnCard
    );
    assert_eq!(
        opens(&desk, "room-203-door", &new_card, "2025-05-11T12:00:00Z"),
        Reason::Joined
    );

    // The cancel card's number is never handed out again: the next stay in room 101 takes 3
    // and its card overrides at first use.
    let next = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-9"))
        .unwrap();
    let next_card = issue(&desk, next.access_method_ids[0]);
    let next = desk.desk.access_grant(next.id).unwrap();
    assert_eq!(sequence_at(&desk, &next, "room-101-door"), Some(3));
    assert_eq!(
        opens(&desk, "room-101-door", &next_card, WED_15),
        overrode(2, 3)
    );
}

#[test]
fn a_cancel_card_is_refused_while_the_door_has_a_live_reservation() {
    let desk = Desk::new();
    let stay = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let guest_card = issue(&desk, stay.access_method_ids[0]);
    let before = sequence_tables(&desk.desk);
    let blank = simulator(&desk).present_blank_card();

    for door in ["room-101-door", "gym-door"] {
        let error = desk
            .desk
            .encode_cancel_card(
                &desk.context,
                &desk.station,
                &[desk.entrance_id(door)],
                &mut |_, _| {},
            )
            .unwrap_err();
        let wire = error.to_wire();
        if door == "room-101-door" {
            // The stay holds the room: its first card used there is the way out.
            assert_eq!(wire.status, 409, "{wire:?}");
            assert_eq!(wire.error_type, "conflict");
            assert!(
                wire.message
                    .starts_with("Room 101 door is booked for A guest from"),
                "{}",
                wire.message
            );
        } else {
            assert_eq!(wire.status, 400, "{wire:?}");
            assert_eq!(wire.error_type, "invalid_input");
        }
    }
    // Nothing was written, journaled or taken.
    assert!(simulator(&desk).card(&blank).unwrap().image.is_empty());
    assert_eq!(
        desk.desk
            .store()
            .read(|r| r.table_rows("encode_operations"))
            .unwrap()
            .len(),
        1,
        "only the guest card's encode"
    );
    assert_eq!(sequence_tables(&desk.desk), before);
    assert_eq!(
        opens(&desk, "room-101-door", &guest_card, SAT_15),
        overrode(0, 1)
    );
}

/// A cancel card for more doors than a card holds was refused only as it was sealed, after
/// its numbers were taken: the refusal left a reservation behind and a number gone on every
/// door, so each door's next guest card came a number ahead of its lock.
#[test]
fn a_cancel_card_for_more_doors_than_a_card_holds_is_refused_before_any_number_is_taken() {
    let rooms = card::MAX_CAPABLE_DOORS + 1;
    let spaces: Vec<String> = (1..=rooms)
        .map(|n| {
            format!(r#"{{ "key": "r{n}", "name": "Room {n}", "floor": 1, "kind": "guest_room" }}"#)
        })
        .collect();
    let entrances: Vec<String> = (1..=rooms)
        .map(|n| {
            format!(
                r#"{{ "key": "r{n}-door", "name": "Room {n} door", "access_system": "vl",
                   "spaces": ["r{n}"], "can_belong_to_reservation": true, "modes": ["card"] }}"#
            )
        })
        .collect();
    let property = format!(
        r#"{{ "property": {{ "name": "Big Inn", "time_zone": "UTC" }},
             "access_systems": [
                 {{ "key": "vl", "name": "Visionline", "kind": "visionline_system" }}
             ],
             "spaces": [{}], "entrances": [{}] }}"#,
        spaces.join(","),
        entrances.join(",")
    );
    let desk = FrontDesk::new(Store::open_in_memory().unwrap());
    let context = desk_context();
    let imported = desk.import_property(&context, &property).unwrap();
    let station = CardStation::new(
        Source::Simulated(SimulatedEncoder::in_memory()),
        KeyRing::generate(imported.id).unwrap(),
    );
    let doors: Vec<Uuid> = desk
        .entrances(None, None)
        .unwrap()
        .iter()
        .map(|entrance| entrance.id)
        .collect();
    assert_eq!(doors.len(), rooms);
    let blank = station.simulator().unwrap().present_blank_card();
    let before = sequence_tables(&desk);

    let wire = desk
        .encode_cancel_card(&context, &station, &doors, &mut |_, _| {})
        .unwrap_err()
        .to_wire();
    assert_eq!(wire.error_type, "invalid_input", "{wire:?}");
    assert_eq!(wire.field.as_deref(), Some("acs_entrance_ids"));
    assert_eq!(sequence_tables(&desk), before, "no number was taken");
    assert!(
        station
            .simulator()
            .unwrap()
            .card(&blank)
            .unwrap()
            .image
            .is_empty()
    );

    // As many doors as a card holds still make a cancel card.
    let cancel = desk
        .encode_cancel_card(
            &context,
            &station,
            &doors[..card::MAX_CAPABLE_DOORS],
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(cancel.card_id, blank.to_hex());
}
