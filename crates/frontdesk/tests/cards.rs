//! The guide's scenarios end to end through real card images: cards written on the simulated
//! encoder, presented at the simulated offline locks; the card reader; the card's security
//! as the locks see it; the encoder's failures; and issuing exactly once across a crash.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions unwrap too

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use encoder::CardUid;
use encoder::card::{self, CardKind};
use encoder::client::EncoderError;
use encoder::keys::KeyRing;
use encoder::protocol::{Command, OpState};
use encoder::simulator::{Fault, SimulatedEncoder, UnplugAt};
use encoder::supervisor::Source;
use engine::lock::{self, Decision, Door, LockState, Reason};
use engine::model::UserKind;
use engine::warnings::WarningCode;
use frontdesk::{
    CardStation, Context, CreateAccessGrant, EncodedCard, FrontDesk, LockDecision,
    UpdateAccessGrant, WireError,
};
use store::{EncodeState, Store};
use support::{Desk, at, before_the_stays, card, desk_context, sequence_at};
use uuid::Uuid;

const SAT_15: &str = "2025-05-10T15:00:00Z";
const WED_11: &str = "2025-05-14T11:00:00Z";
const WED_15: &str = "2025-05-14T15:00:00Z";
const FRI_11: &str = "2025-05-16T11:00:00Z";
/// A late checkout: guest 1 may stay until after guest 2's check-in.
const WED_16: &str = "2025-05-14T16:00:00Z";

fn simulator(desk: &Desk) -> &SimulatedEncoder {
    desk.station
        .simulator()
        .expect("the test desk uses the simulated encoder")
}

fn uid(card_id: &str) -> CardUid {
    CardUid::from_hex(card_id).expect("a card id is a UID in hex")
}

/// Takes a fresh blank from the stack and encodes the access method's card onto it.
fn issue(desk: &Desk, access_method_id: Uuid) -> String {
    issue_at(desk, &desk.context, access_method_id)
}

fn issue_at(desk: &Desk, context: &Context, access_method_id: Uuid) -> String {
    simulator(desk).present_blank_card();
    let written = desk.encode_at(context, access_method_id).unwrap();
    let method = written.access_method.as_ref().expect("a grant's card");
    assert_eq!(method.id, access_method_id);
    assert_eq!(method.card_id.as_deref(), Some(written.card_id.as_str()));
    written.card_id
}

fn present(desk: &Desk, door: &str, card_id: &str, when: &str) -> LockDecision {
    desk.desk
        .present_card(
            &desk.context,
            &desk.station,
            desk.entrance_id(door),
            card_id,
            Some(at(when)),
        )
        .unwrap()
}

/// Presents the card and expects the door to open; returns why it did.
fn opens(desk: &Desk, door: &str, card_id: &str, when: &str) -> Reason {
    let decision = present(desk, door, card_id, when);
    assert_eq!(
        decision.decision,
        Decision::Granted,
        "{door} at {when}: {decision:?}"
    );
    decision.reason
}

/// Presents the card and expects the door to stay shut; returns why it did.
fn refuses(desk: &Desk, door: &str, card_id: &str, when: &str) -> Reason {
    let decision = present(desk, door, card_id, when);
    assert_eq!(
        decision.decision,
        Decision::Denied,
        "{door} at {when}: {decision:?}"
    );
    decision.reason
}

fn lock_state(desk: &Desk, door: &str) -> LockState {
    let entrance = desk.entrance_id(door);
    desk.desk.store().read(|r| r.lock_state(entrance)).unwrap()
}

fn overrode(from: u32, to: u32) -> Reason {
    Reason::Overrode { from, to }
}

fn overridden(card: u32, lock: u32) -> Reason {
    Reason::Overridden { card, lock }
}

fn has_warning(desk: &Desk, grant: Uuid, code: WarningCode) -> bool {
    desk.desk
        .store()
        .read(|r| r.access_grant(grant))
        .unwrap()
        .unwrap()
        .warnings
        .iter()
        .any(|warning| warning.code == code)
}

/// Moves a grant's end to `ends_at`, as a stay's extension or shortening does.
fn move_end(desk: &Desk, grant: Uuid, ends_at: &str) {
    desk.desk
        .update_access_grant(
            &desk.context,
            &UpdateAccessGrant {
                access_grant_id: grant,
                starts_at: None,
                ends_at: Some(at(ends_at)),
                name: None,
            },
        )
        .unwrap();
}

/// Every row of the tables that hold the override sequences.
fn sequence_tables(desk: &FrontDesk) -> Vec<Vec<BTreeMap<String, Option<String>>>> {
    desk.store()
        .read(|r| {
            Ok::<_, store::Error>(vec![
                r.table_rows("reservations")?,
                r.table_rows("reservation_doors")?,
            ])
        })
        .unwrap()
}

/// Every number handed out: (door, sequence) to its reservation.
fn numbers(desk: &FrontDesk) -> BTreeMap<(String, String), String> {
    let text = |row: &BTreeMap<String, Option<String>>, column: &str| row[column].clone();
    sequence_tables(desk)[1]
        .iter()
        .filter_map(|row| {
            Some((
                (text(row, "entrance_id")?, text(row, "sequence")?),
                text(row, "reservation_id")?,
            ))
        })
        .collect()
}

/// Writes `image` onto the card `uid` as it is, through the station's own encoder, without
/// the desk's journal: how a forger with an encoder would.
fn write_raw(desk: &Desk, uid: &CardUid, image: &[u8]) {
    assert!(simulator(desk).present_card(uid));
    desk.station
        .supervisor()
        .with_encoder(|encoder| {
            encoder.write_card(*Uuid::new_v4().as_bytes(), uid, image, &mut |_, _| {})
        })
        .unwrap();
}

// --- 1. back-to-back reservations ------------------------------------------------------------

#[test]
fn back_to_back_stays_the_next_guest_overrides_at_first_use() {
    let desk = Desk::new();
    let first = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();
    // Both cards are made at the desk before either stay.
    let guest_1 = issue(&desk, first.access_method_ids[0]);
    let guest_2 = issue(&desk, second.access_method_ids[0]);
    assert_ne!(guest_1, guest_2);

    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, SAT_15),
        overrode(0, 1)
    );
    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, "2025-05-12T20:00:00Z"),
        Reason::Joined
    );
    // Back-to-back works because guest 2's card does nothing before its stay starts.
    assert_eq!(
        refuses(&desk, "room-101-door", &guest_2, "2025-05-12T20:00:00Z"),
        Reason::NotYetValid
    );
    assert_eq!(lock_state(&desk, "room-101-door").guest_sequence, 1);
    // Guest 2's card exists, but until it is used guest 1 still enters.
    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, "2025-05-14T10:30:00Z"),
        Reason::Joined
    );

    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, WED_15),
        overrode(1, 2)
    );
    assert_eq!(lock_state(&desk, "room-101-door").guest_sequence, 2);
    // Guest 1's stay is over, and the lock has moved past its card.
    assert_eq!(
        refuses(&desk, "room-101-door", &guest_1, "2025-05-14T15:05:00Z"),
        Reason::Expired
    );
    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, "2025-05-15T09:00:00Z"),
        Reason::Joined
    );
}

#[test]
fn back_to_back_stays_the_previous_guest_is_overridden_by_the_next_guests_first_use() {
    let desk = Desk::new();
    // Guest 1 has a late checkout, so their card is still within its dates when guest 2
    // arrives: only the override keeps them out.
    let first = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_16, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();
    // Numbered as the cards are encoded, in that order.
    assert_eq!(sequence_at(&desk, &second, "room-101-door"), None);
    let guest_1 = issue(&desk, first.access_method_ids[0]);
    let guest_2 = issue(&desk, second.access_method_ids[0]);
    let second = desk.desk.access_grant(second.id).unwrap();
    assert_eq!(sequence_at(&desk, &second, "room-101-door"), Some(2));

    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, SAT_15),
        overrode(0, 1)
    );
    // The weakness the guide describes: before guest 2's first use guest 1 still enters,
    // and the desk said so.
    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, "2025-05-14T15:30:00Z"),
        Reason::Joined
    );
    assert!(has_warning(
        &desk,
        second.id,
        WarningCode::PreviousGuestCanEnter
    ));

    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, "2025-05-14T15:45:00Z"),
        overrode(1, 2)
    );
    assert_eq!(
        refuses(&desk, "room-101-door", &guest_1, "2025-05-14T15:50:00Z"),
        overridden(1, 2)
    );
    // For good: guest 1 never gets back in.
    assert_eq!(
        refuses(&desk, "room-101-door", &guest_1, "2025-05-14T15:55:00Z"),
        overridden(1, 2)
    );
    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, "2025-05-14T16:30:00Z"),
        Reason::Joined
    );
}

// --- 2. joiners -------------------------------------------------------------------------------

#[test]
fn joiners_of_one_reservation_both_enter_in_any_order_repeatedly() {
    for first_in in [0, 1] {
        let desk = Desk::new();
        let grants = [desk.guest(), desk.guest()].map(|guest| {
            desk.stay(&guest, &["room-101"], SAT_15, WED_11, Some("stay-1"))
                .unwrap()
        });
        assert_eq!(grants[0].reservation_id, grants[1].reservation_id);
        let cards = grants.map(|grant| issue(&desk, grant.access_method_ids[0]));

        let order = [&cards[first_in], &cards[1 - first_in]];
        assert_eq!(
            opens(&desk, "room-101-door", order[0], SAT_15),
            overrode(0, 1)
        );
        assert_eq!(
            opens(&desk, "room-101-door", order[1], "2025-05-10T15:10:00Z"),
            Reason::Joined
        );
        for day in 11..=13 {
            for card in [order[1], order[0], order[1]] {
                let when = format!("2025-05-{day}T12:00:00Z");
                assert_eq!(opens(&desk, "room-101-door", card, &when), Reason::Joined);
            }
        }
        assert_eq!(lock_state(&desk, "room-101-door").guest_sequence, 1);
    }
}

#[test]
fn a_subset_joiner_opens_only_the_doors_on_its_card() {
    let desk = Desk::new();
    let full = desk
        .stay(
            &desk.guest(),
            &["suite-300"],
            SAT_15,
            WED_11,
            Some("stay-1"),
        )
        .unwrap();
    assert_eq!(sequence_at(&desk, &full, "suite-300-main"), None);
    let bedroom_only = desk
        .create(&CreateAccessGrant {
            user_identity_id: Some(desk.guest().id),
            acs_entrance_ids: vec![desk.entrance_id("suite-300-bedroom")],
            starts_at: Some(at(SAT_15)),
            ends_at: Some(at(WED_11)),
            requested_access_methods: vec![card()],
            reservation_key: Some("stay-1".into()),
            ..Default::default()
        })
        .unwrap();
    let full_card = issue(&desk, full.access_method_ids[0]);
    let joiner_card = issue(&desk, bedroom_only.access_method_ids[0]);

    assert_eq!(
        refuses(&desk, "suite-300-main", &joiner_card, SAT_15),
        Reason::DoorNotOnCard
    );
    assert_eq!(
        lock_state(&desk, "suite-300-main"),
        LockState::default(),
        "a refused card changes nothing"
    );
    assert_eq!(
        opens(&desk, "suite-300-bedroom", &joiner_card, SAT_15),
        overrode(0, 1)
    );
    assert_eq!(
        opens(&desk, "suite-300-main", &full_card, "2025-05-10T15:05:00Z"),
        overrode(0, 1)
    );
    assert_eq!(
        opens(
            &desk,
            "suite-300-bedroom",
            &full_card,
            "2025-05-10T15:06:00Z"
        ),
        Reason::Joined
    );
    assert_eq!(
        refuses(
            &desk,
            "suite-300-main",
            &joiner_card,
            "2025-05-11T09:00:00Z"
        ),
        Reason::DoorNotOnCard
    );
    assert_eq!(
        opens(
            &desk,
            "suite-300-bedroom",
            &joiner_card,
            "2025-05-11T09:00:00Z"
        ),
        Reason::Joined
    );
}

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

// --- 4. time frame changes ---------------------------------------------------------------------

#[test]
fn a_time_change_needs_the_card_re_encoded() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_id = issue(&desk, method);
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, "2025-05-12T12:00:00Z"),
        overrode(0, 1)
    );

    move_end(&desk, grant.id, FRI_11);
    assert!(has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert!(
        desk.desk
            .access_method(method)
            .unwrap()
            .is_encoding_required
    );
    // The plastic still carries May 14.
    assert_eq!(
        refuses(&desk, "room-101-door", &card_id, "2025-05-15T12:00:00Z"),
        Reason::Expired
    );

    // Re-encode the same plastic.
    assert!(simulator(&desk).present_card(&uid(&card_id)));
    let again = desk.encode(method);
    assert_eq!(again.card_id, card_id);
    assert!(!has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert!(
        !desk
            .desk
            .access_method(method)
            .unwrap()
            .is_encoding_required
    );
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, "2025-05-15T12:00:00Z"),
        Reason::Joined
    );
    assert_eq!(
        refuses(&desk, "room-101-door", &card_id, "2025-05-16T11:05:00Z"),
        Reason::Expired
    );
    let records = desk
        .desk
        .store()
        .read(|r| r.cards_of_method(method))
        .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].op_id, again.op_id);
    assert_eq!(records[0].superseded_at, None);
    assert!(records[1].superseded_at.is_some());
}

#[test]
fn a_time_change_during_the_write_leaves_the_card_flagged_with_the_dates_on_the_plastic() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    simulator(&desk).present_blank_card();
    // The stay is extended while the encoder is between two chunks of the card.
    let mut extended = false;
    let written = desk
        .desk
        .encode_card(&desk.context, &desk.station, method, &mut |done, _| {
            if done > 0 && !extended {
                extended = true;
                move_end(&desk, grant.id, FRI_11);
            }
        })
        .unwrap();
    assert!(
        extended,
        "the write reported no progress to extend the stay in"
    );

    // The plastic carries the dates read before the change, and the record says so.
    let records = desk
        .desk
        .store()
        .read(|r| r.cards_of_method(method))
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].valid_until, at(WED_11));
    let on_card =
        card::read(&simulator(&desk).card(&uid(&written.card_id)).unwrap().image).unwrap();
    assert_eq!(on_card.valid_until, at(WED_11));
    // So the card is not up to date: it must be encoded again, and the grant says so.
    assert!(
        desk.desk
            .access_method(method)
            .unwrap()
            .is_encoding_required
    );
    assert!(has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert_eq!(
        refuses(
            &desk,
            "room-101-door",
            &written.card_id,
            "2025-05-15T12:00:00Z"
        ),
        Reason::Expired
    );

    // Encoding it again brings the new dates and clears the flag.
    assert!(simulator(&desk).present_card(&uid(&written.card_id)));
    desk.encode(method);
    assert!(!has_warning(&desk, grant.id, WarningCode::EncodingRequired));
    assert_eq!(
        opens(
            &desk,
            "room-101-door",
            &written.card_id,
            "2025-05-15T12:00:00Z"
        ),
        overrode(0, 1)
    );
}

#[test]
fn a_stay_with_no_card_does_not_play_in_its_door_s_timeline_until_it_has_one() {
    let desk = Desk::new();
    // An earlier stay with a mobile key only: no card will ever carry a number to the lock.
    let mobile = desk
        .create(&CreateAccessGrant {
            user_identity_id: Some(desk.guest().id),
            space_keys: vec!["room-101".to_owned()],
            starts_at: Some(at(SAT_15)),
            ends_at: Some(at(WED_11)),
            requested_access_methods: vec![support::mode(engine::model::AccessMode::MobileKey)],
            reservation_key: Some("stay-mobile".to_owned()),
            ..Default::default()
        })
        .unwrap();
    let later = desk
        .stay(
            &desk.guest(),
            &["room-101"],
            WED_15,
            FRI_11,
            Some("stay-card"),
        )
        .unwrap();
    issue(&desk, later.access_method_ids[0]);
    // The card stay is not warned of a stay that never reaches the lock.
    assert!(!has_warning(
        &desk,
        later.id,
        WarningCode::SequenceInversion
    ));
    assert!(!has_warning(
        &desk,
        mobile.id,
        WarningCode::SequenceInversion
    ));

    // A guest with a card joins the earlier stay: its card will be encoded after the later
    // stay's and used first, so the later stay's card will be refused, and that is warned of.
    desk.stay(
        &desk.guest(),
        &["room-101"],
        SAT_15,
        WED_11,
        Some("stay-mobile"),
    )
    .unwrap();
    assert!(has_warning(&desk, later.id, WarningCode::SequenceInversion));
}

// --- staff and common areas -----------------------------------------------------------------

#[test]
fn staff_cards_are_never_overridden_and_never_override() {
    let desk = Desk::new();
    let staff = desk.user(UserKind::Staff);
    let staff_grant = desk
        .create(&CreateAccessGrant {
            user_identity_id: Some(staff.id),
            space_keys: vec!["room-101".into()],
            starts_at: Some(before_the_stays()),
            ends_at: Some(at("2025-06-01T00:00:00Z")),
            requested_access_methods: vec![card()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(staff_grant.reservation_key, None);
    assert_eq!(sequence_at(&desk, &staff_grant, "room-101-door"), None);
    let staff_card = issue(&desk, staff_grant.access_method_ids[0]);
    let image = simulator(&desk).card(&uid(&staff_card)).unwrap().image;
    assert_eq!(card::read(&image).unwrap().kind, CardKind::Staff);

    let first = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();
    let guest_1 = issue(&desk, first.access_method_ids[0]);
    let guest_2 = issue(&desk, second.access_method_ids[0]);

    let staff_enters = |when: &str| {
        let before = lock_state(&desk, "room-101-door");
        assert_eq!(
            opens(&desk, "room-101-door", &staff_card, when),
            Reason::StaffAccess
        );
        assert_eq!(
            lock_state(&desk, "room-101-door"),
            before,
            "a staff card never moves the lock"
        );
    };
    staff_enters("2025-05-05T10:00:00Z");
    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, SAT_15),
        overrode(0, 1)
    );
    staff_enters("2025-05-12T10:00:00Z");
    // Guest 1 is not locked out by the staff card.
    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, "2025-05-12T10:05:00Z"),
        Reason::Joined
    );
    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, WED_15),
        overrode(1, 2)
    );
    staff_enters("2025-05-15T10:00:00Z");
    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, "2025-05-15T10:05:00Z"),
        Reason::Joined
    );
    staff_enters("2025-05-20T10:00:00Z");
    // Outside its grant's dates the staff card is refused like any other.
    assert_eq!(
        refuses(&desk, "room-101-door", &staff_card, "2025-06-02T10:00:00Z"),
        Reason::Expired
    );
}

#[test]
fn common_areas_are_never_overridden() {
    for stay_2_first in [false, true] {
        let desk = Desk::new();
        let first = desk
            .stay(
                &desk.guest(),
                &["room-101", "gym"],
                SAT_15,
                WED_16,
                Some("stay-1"),
            )
            .unwrap();
        let second = desk
            .stay(
                &desk.guest(),
                &["room-101", "gym"],
                WED_15,
                FRI_11,
                Some("stay-2"),
            )
            .unwrap();
        assert_eq!(sequence_at(&desk, &second, "gym-door"), None);
        let guest_1 = issue(&desk, first.access_method_ids[0]);
        let guest_2 = issue(&desk, second.access_method_ids[0]);
        assert_eq!(
            opens(&desk, "room-101-door", &guest_1, SAT_15),
            overrode(0, 1)
        );

        let gym_order = if stay_2_first {
            [&guest_2, &guest_1]
        } else {
            [&guest_1, &guest_2]
        };
        for card in gym_order {
            assert_eq!(
                opens(&desk, "gym-door", card, "2025-05-14T15:10:00Z"),
                Reason::CommonArea
            );
        }
        assert_eq!(
            opens(&desk, "room-101-door", &guest_2, "2025-05-14T15:20:00Z"),
            overrode(1, 2)
        );
        assert_eq!(
            refuses(&desk, "room-101-door", &guest_1, "2025-05-14T15:25:00Z"),
            overridden(1, 2)
        );
        // The override of room 101 does not reach the gym.
        for card in gym_order.into_iter().rev() {
            assert_eq!(
                opens(&desk, "gym-door", card, "2025-05-14T15:30:00Z"),
                Reason::CommonArea
            );
        }
        assert_eq!(lock_state(&desk, "gym-door"), LockState::default());
    }
}

// --- reading a card back ------------------------------------------------------------------------

#[test]
fn read_card_reports_an_encoded_card_as_its_doors_judge_it() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk
        .stay(&guest, &["room-101", "gym"], SAT_15, WED_16, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_id = issue(&desk, method);
    let next = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();
    let next_card = issue(&desk, next.access_method_ids[0]);

    // Reads the card back at `when`, then presents it at each of its doors at `when`: each
    // door does what the report said it would.
    let read_then_present = |when: &str| {
        assert!(simulator(&desk).present_card(&uid(&card_id)));
        let report = desk.desk.read_card(&desk.station, at(when)).unwrap();
        assert_eq!(report.card_id, card_id);
        assert!(!report.blank);
        assert!(report.authentic, "{report:?}");
        assert_eq!(report.problem, None);
        assert_eq!(report.access_method_id, Some(method));
        assert_eq!(report.access_grant_id, Some(grant.id));
        assert_eq!(report.reservation_key.as_deref(), Some("stay-1"));
        assert_eq!(report.user_full_name, guest.full_name);
        let content = report.content.as_ref().unwrap();
        assert_eq!(content.kind, CardKind::Guest);
        assert_eq!(
            (content.valid_from, content.valid_until),
            (at(SAT_15), at(WED_16))
        );
        let doors: BTreeSet<_> = report
            .doors
            .iter()
            .map(|door| (door.acs_entrance_id, door.sequence))
            .collect();
        assert_eq!(
            doors,
            BTreeSet::from([
                (desk.entrance_id("room-101-door"), Some(1)),
                (desk.entrance_id("gym-door"), None),
            ])
        );
        for verdict in &report.doors {
            let decision = desk
                .desk
                .present_card(
                    &desk.context,
                    &desk.station,
                    verdict.acs_entrance_id,
                    &card_id,
                    Some(at(when)),
                )
                .unwrap();
            assert_eq!(
                (verdict.decision, verdict.reason),
                (decision.decision, decision.reason),
                "{} at {when}",
                verdict.name
            );
            assert_eq!(verdict.explanation, decision.explanation);
        }
        report
    };
    let verdict = |report: &frontdesk::CardReport, door: &str| {
        let id = desk.entrance_id(door);
        let found = report
            .doors
            .iter()
            .find(|verdict| verdict.acs_entrance_id == id);
        found.unwrap().reason
    };

    let report = read_then_present(SAT_15);
    assert!(report.out_of_sync.is_empty(), "{:?}", report.out_of_sync);
    assert_eq!(verdict(&report, "room-101-door"), overrode(0, 1));
    assert_eq!(verdict(&report, "gym-door"), Reason::CommonArea);
    let report = read_then_present("2025-05-12T12:00:00Z");
    assert_eq!(verdict(&report, "room-101-door"), Reason::Joined);

    assert_eq!(
        opens(&desk, "room-101-door", &next_card, WED_15),
        overrode(1, 2)
    );
    let report = read_then_present("2025-05-14T15:30:00Z");
    assert_eq!(verdict(&report, "room-101-door"), overridden(1, 2));
    assert_eq!(verdict(&report, "gym-door"), Reason::CommonArea);

    // The dates change: the card on the encoder no longer says what the desk would write.
    move_end(&desk, grant.id, "2025-05-14T18:00:00Z");
    let report = read_then_present("2025-05-14T15:40:00Z");
    assert_eq!(
        report.out_of_sync,
        ["The stay's dates changed: re-encode this card."]
    );
    // After the card's own end the doors refuse it, and the reader says so too.
    let report = read_then_present("2025-05-14T17:00:00Z");
    assert_eq!(verdict(&report, "gym-door"), Reason::Expired);

    // Re-encoded, it is in sync again.
    assert!(simulator(&desk).present_card(&uid(&card_id)));
    desk.encode(method);
    let report = desk
        .desk
        .read_card(&desk.station, at("2025-05-14T17:00:00Z"))
        .unwrap();
    assert!(report.out_of_sync.is_empty(), "{:?}", report.out_of_sync);
    assert_eq!(verdict(&report, "gym-door"), Reason::CommonArea);
}

#[test]
fn read_card_reports_a_blank_card() {
    let desk = Desk::new();
    let blank = simulator(&desk).present_blank_card();
    let report = desk.desk.read_card(&desk.station, at(SAT_15)).unwrap();
    assert_eq!(report.card_id, blank.to_hex());
    assert!(report.blank);
    assert!(!report.authentic);
    assert_eq!(report.content, None);
    assert_eq!(report.access_method_id, None);
    assert!(report.doors.is_empty());
}

#[test]
fn a_tampered_card_is_not_authentic_to_the_reader_or_the_locks() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let card_id = issue(&desk, grant.access_method_ids[0]);
    let card_uid = uid(&card_id);
    let genuine = simulator(&desk).card(&card_uid).unwrap().image;

    // The guest extends their own stay by a month: valid until is at offset 105.
    let mut extended = genuine.clone();
    let until = i64::from_le_bytes(extended[105..113].try_into().unwrap());
    extended[105..113].copy_from_slice(&(until + 30 * 86_400).to_le_bytes());
    // ... or turns their card into a staff card: the kind is at offset 5.
    let mut staff = genuine.clone();
    staff[5] = CardKind::Staff.as_byte();
    // ... or one bit flips.
    let mut flipped = genuine.clone();
    flipped[200] ^= 0x10;

    for (what, image) in [
        ("extended", extended),
        ("staff", staff),
        ("flipped", flipped),
    ] {
        write_raw(&desk, &card_uid, &image);
        assert_eq!(simulator(&desk).card(&card_uid).unwrap().image, image);
        let report = desk.desk.read_card(&desk.station, at(SAT_15)).unwrap();
        assert!(!report.authentic, "{what}: {report:?}");
        assert!(!report.blank);
        assert!(report.problem.is_some(), "{what}");
        assert!(
            report
                .doors
                .iter()
                .all(|door| door.reason == Reason::NotAuthentic),
            "{what}: {:?}",
            report.doors
        );
        assert_eq!(
            refuses(&desk, "room-101-door", &card_id, "2025-05-11T12:00:00Z"),
            Reason::NotAuthentic,
            "{what}"
        );
        if what == "extended" {
            assert_eq!(
                report.content.unwrap().valid_until,
                at(WED_11) + chrono::TimeDelta::days(30),
                "the reader shows what the card claims"
            );
        }
    }
    assert_eq!(lock_state(&desk, "room-101-door"), LockState::default());
    // The genuine image written back opens the door.
    write_raw(&desk, &card_uid, &genuine);
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, "2025-05-11T12:00:00Z"),
        overrode(0, 1)
    );
}

// --- security through the locks ----------------------------------------------------------------

#[test]
fn a_card_image_copied_onto_another_card_is_refused() {
    let desk = Desk::new();
    let grant = desk
        .stay(
            &desk.guest(),
            &["room-101", "gym"],
            SAT_15,
            WED_11,
            Some("stay-1"),
        )
        .unwrap();
    let card_id = issue(&desk, grant.access_method_ids[0]);
    let image = simulator(&desk).card(&uid(&card_id)).unwrap().image;

    let other = simulator(&desk).present_blank_card();
    write_raw(&desk, &other, &image);
    assert_eq!(
        card::open(&image, &other, desk.station.keys()),
        Err(card::CardError::UidMismatch)
    );
    for door in ["room-101-door", "gym-door"] {
        assert_eq!(
            refuses(&desk, door, &other.to_hex(), SAT_15),
            Reason::NotAuthentic
        );
    }
    assert_eq!(lock_state(&desk, "room-101-door"), LockState::default());
    assert!(simulator(&desk).present_card(&other));
    let report = desk.desk.read_card(&desk.station, at(SAT_15)).unwrap();
    assert!(!report.authentic);
    assert_eq!(report.access_method_id, None, "the copy is no card of ours");
    // The original still works.
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn after_a_key_rotation_old_cards_are_refused_as_retired() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_id = issue(&desk, method);
    let card_uid = uid(&card_id);
    assert_eq!(
        opens(&desk, "room-101-door", &card_id, SAT_15),
        overrode(0, 1)
    );

    let mut rotated = desk.station.keys().clone();
    assert_eq!(rotated.rotate().unwrap(), 2);
    let image = simulator(&desk).card(&card_uid).unwrap().image;
    // The ring keeps the old keys: the card is genuine, only retired.
    let data = card::open(&image, &card_uid, &rotated).unwrap();
    assert_eq!(data.key_epoch, 1);
    let door = Door {
        entrance_id: desk.entrance_id("room-101-door"),
        can_belong_to_reservation: true,
        place: lock::DoorPlace::GuestRoom { floor: Some(1) },
    };
    let state = lock_state(&desk, "room-101-door");
    let when = at("2025-05-12T12:00:00Z");
    let judgement = lock::judge(
        &rotated.lock_config(),
        door,
        state,
        &data.to_lock_card(),
        when,
    );
    assert_eq!(judgement.decision, Decision::Denied);
    assert_eq!(judgement.reason, Reason::RetiredKeyEpoch { epoch: 1 });
    assert_eq!(judgement.state, state);
    // The locks not yet reprogrammed still take it.
    let old = lock::judge(
        &desk.station.keys().lock_config(),
        door,
        state,
        &data.to_lock_card(),
        when,
    );
    assert_eq!(old.reason, Reason::Joined);

    // A desk on the rotated keys: its doors refuse the old card, and a re-encoded one works.
    let station = CardStation::new(Source::Simulated(simulator(&desk).clone()), rotated.clone());
    let entrance = desk.entrance_id("room-101-door");
    let decision = desk
        .desk
        .present_card(&desk.context, &station, entrance, &card_id, Some(when))
        .unwrap();
    assert_eq!(decision.reason, Reason::RetiredKeyEpoch { epoch: 1 });
    assert!(simulator(&desk).present_card(&card_uid));
    desk.desk
        .encode_card(&desk.context, &station, method, &mut |_, _| {})
        .unwrap();
    let image = simulator(&desk).card(&card_uid).unwrap().image;
    assert_eq!(card::read(&image).unwrap().key_epoch, 2);
    let decision = desk
        .desk
        .present_card(&desk.context, &station, entrance, &card_id, Some(when))
        .unwrap();
    assert_eq!(decision.reason, Reason::Joined);
}

// --- the encoder's failures ---------------------------------------------------------------------

/// A desk that gives up on a missing card or a silent encoder quickly.
fn impatient_desk() -> Desk {
    let mut desk = Desk::new();
    desk.station.set_card_timeout(Duration::from_millis(300));
    desk.station
        .supervisor()
        .set_reply_timeout(Duration::from_millis(300));
    desk
}

/// Every card the simulated encoder holds an image on is in the desk's journal, for that very
/// card and image, and once settled as written it is in `cards`; the journal agrees with the
/// encoder's own log. With `allow_pending`, an encode whose outcome is still unknown may be
/// pending (the card it may have written is journaled, not yet recorded).
fn assert_journal_matches_the_encoder(desk: &Desk, allow_pending: bool) {
    let simulator = simulator(desk);
    let store = desk.desk.store();
    for card in simulator.cards() {
        if card.image.is_empty() {
            continue;
        }
        let op_id = Uuid::from_bytes(card.op_id.expect("a written card carries its op id"));
        let operation = store
            .read(|r| r.encode_operation(op_id))
            .unwrap()
            .unwrap_or_else(|| panic!("card {} was written with no record", card.uid.to_hex()));
        assert_eq!(operation.card_uid, card.uid.to_hex());
        assert_eq!(operation.image, card.image);
        let recorded = store.read(|r| r.cards_by_uid(&card.uid.to_hex())).unwrap();
        match operation.state {
            EncodeState::Written => assert!(
                recorded.iter().any(|record| record.op_id == op_id),
                "card {} is missing from the cards table",
                card.uid.to_hex()
            ),
            EncodeState::Pending => assert!(allow_pending, "op {op_id} is still pending"),
            EncodeState::Failed => panic!("card {} holds a write journaled as failed", card.uid),
        }
    }
    for row in store.read(|r| r.table_rows("encode_operations")).unwrap() {
        let op_id: Uuid = row["op_id"].as_deref().unwrap().parse().unwrap();
        let (device, _) = simulator.op_result(op_id.as_bytes());
        match row["state"].as_deref().unwrap() {
            "written" => assert_eq!(device, OpState::Written, "op {op_id}"),
            "failed" => assert_ne!(device, OpState::Written, "op {op_id}"),
            "pending" => assert!(allow_pending, "op {op_id} is still pending"),
            other => panic!("state {other}"),
        }
    }
}

/// The states of every encode in the journal, sorted.
fn journal_states(desk: &Desk) -> Vec<String> {
    let mut states: Vec<_> = desk
        .desk
        .store()
        .read(|r| r.table_rows("encode_operations"))
        .unwrap()
        .into_iter()
        .map(|row| row["state"].clone().unwrap())
        .collect();
    states.sort();
    states
}

/// Encodes a card with `fault` armed: the encode fails with an encoder error, leaves no card
/// without a record and takes no sequence number, and the next attempt works.
/// `journaled` is what the failed attempt leaves in the journal (besides an earlier, good
/// card): nothing, a failed op, or a pending one.
fn encode_with_fault(fault: Fault, journaled: Option<&str>) -> (EncoderError, WireError) {
    let desk = impatient_desk();
    let simulator = simulator(&desk);
    // An earlier card, written fine, stays recorded whatever happens next.
    let earlier = desk
        .stay(&desk.guest(), &["room-102"], SAT_15, WED_11, Some("stay-0"))
        .unwrap();
    issue(&desk, earlier.access_method_ids[0]);
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let numbers_before = numbers(&desk.desk);

    simulator.present_blank_card();
    simulator.fail_next(fault);
    let error = desk.encode_at(&desk.context, method).unwrap_err();
    let frontdesk::Error::Encoder(encoder_error) = &error else {
        panic!("{fault:?}: not an encoder error: {error:?}");
    };
    let wire = error.to_wire();
    assert!(
        !desk.desk.access_method(method).unwrap().is_issued(),
        "{fault:?}"
    );
    let mut expected = vec!["written".to_owned()];
    expected.extend(journaled.map(str::to_owned));
    expected.sort();
    assert_eq!(journal_states(&desk), expected, "{fault:?}");
    assert_journal_matches_the_encoder(&desk, true);
    // A number taken with a committed intent stays the stay's; no other moves.
    let numbers_failed = numbers(&desk.desk);
    assert!(
        numbers_failed.len() <= numbers_before.len() + 1,
        "{fault:?}"
    );
    assert!(
        numbers_before
            .iter()
            .all(|(pair, owner)| numbers_failed.get(pair) == Some(owner)),
        "{fault:?}"
    );

    // Try again (with a card by hand when the stack ran out; plugged back in when unplugged).
    simulator.plug();
    if simulator.card_on_encoder().is_none() && fault == Fault::NoCardInTime {
        simulator.present_blank_card();
    }
    let written = desk
        .encode_at(&desk.context, method)
        .unwrap_or_else(|error| panic!("{fault:?}: the next attempt failed: {error:?}"));
    let method_now = desk.desk.access_method(method).unwrap();
    assert_eq!(
        method_now.card_id.as_deref(),
        Some(written.card_id.as_str())
    );
    assert_journal_matches_the_encoder(&desk, false);
    let numbers_now = numbers(&desk.desk);
    assert_eq!(numbers_now.len(), numbers_before.len() + 1, "{fault:?}");
    assert!(
        numbers_failed
            .iter()
            .all(|(pair, owner)| numbers_now.get(pair) == Some(owner)),
        "{fault:?}"
    );
    assert_eq!(
        opens(&desk, "room-101-door", &written.card_id, SAT_15),
        overrode(0, 1),
        "{fault:?}"
    );
    (encoder_error.clone(), wire)
}

#[test]
fn fault_no_card_in_time() {
    let (error, wire) = encode_with_fault(Fault::NoCardInTime, None);
    assert_eq!(error, EncoderError::NoCardInTime);
    assert_eq!(wire.error_type, "no_credential_on_encoder");
}

#[test]
fn fault_card_removed_mid_write() {
    let (error, wire) = encode_with_fault(Fault::CardRemovedMidWrite, Some("failed"));
    assert_eq!(error, EncoderError::CardRemoved);
    assert_eq!(wire.error_type, "encoding_interrupted");
}

#[test]
fn fault_busy() {
    let (error, wire) = encode_with_fault(Fault::Busy, None);
    assert_eq!(error, EncoderError::Busy);
    assert!(wire.message.contains("busy"), "{}", wire.message);
}

#[test]
fn fault_no_answer() {
    let (error, wire) = encode_with_fault(Fault::NoAnswer, None);
    assert_eq!(error, EncoderError::NoAnswer);
    assert_eq!(wire.error_type, "encoder_communication_timeout");
    assert_eq!(wire.status, 503);
}

#[test]
fn fault_crc_errors() {
    // Two garbled replies in a row: the client asks again once, then gives up.
    let (error, wire) = encode_with_fault(Fault::CrcErrors(2), None);
    assert!(matches!(error, EncoderError::Protocol(_)), "{error:?}");
    assert_eq!(wire.error_type, "uncategorized_error");
}

#[test]
fn fault_one_crc_error_is_retried_unnoticed() {
    let desk = impatient_desk();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    simulator(&desk).present_blank_card();
    simulator(&desk).fail_next(Fault::CrcErrors(1));
    let written = desk.encode(grant.access_method_ids[0]);
    assert_journal_matches_the_encoder(&desk, false);
    assert_eq!(
        opens(&desk, "room-101-door", &written.card_id, SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn fault_damaged_card() {
    let (error, wire) = encode_with_fault(Fault::DamagedCard, Some("failed"));
    assert_eq!(error, EncoderError::DamagedCard);
    assert!(wire.message.contains("damaged"), "{}", wire.message);
}

#[test]
fn fault_unsupported_card() {
    let (error, wire) = encode_with_fault(Fault::UnsupportedCard, None);
    assert_eq!(error, EncoderError::UnsupportedCard);
    assert_eq!(wire.error_type, "incompatible_card_format");
}

#[test]
fn fault_unplug_mid_write_before_commit() {
    let (error, wire) = encode_with_fault(
        Fault::UnplugMidWrite(UnplugAt::BeforeCommit),
        Some("pending"),
    );
    assert_eq!(error, EncoderError::Disconnected);
    assert_eq!(wire.error_type, "encoder_not_online");
}

#[test]
fn fault_unplug_mid_write_after_the_card_was_written() {
    let (error, wire) =
        encode_with_fault(Fault::UnplugMidWrite(UnplugAt::AfterWrite), Some("pending"));
    assert!(
        matches!(error, EncoderError::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert_eq!(wire.error_type, "encoding_interrupted");
}

#[test]
fn each_fault_gives_its_own_error() {
    let faults = [
        (Fault::NoCardInTime, None),
        (Fault::CardRemovedMidWrite, Some("failed")),
        (Fault::Busy, None),
        (Fault::NoAnswer, None),
        (Fault::CrcErrors(2), None),
        (Fault::DamagedCard, Some("failed")),
        (Fault::UnsupportedCard, None),
        (
            Fault::UnplugMidWrite(UnplugAt::BeforeCommit),
            Some("pending"),
        ),
        (Fault::UnplugMidWrite(UnplugAt::AfterWrite), Some("pending")),
    ];
    let outcomes: Vec<_> = faults
        .into_iter()
        .map(|(fault, journaled)| (fault, encode_with_fault(fault, journaled)))
        .collect();
    let variants: BTreeSet<_> = outcomes
        .iter()
        .map(|(_, (error, _))| format!("{:?}", std::mem::discriminant(error)))
        .collect();
    assert_eq!(variants.len(), faults.len(), "{outcomes:#?}");
    let shown: BTreeSet<_> = outcomes
        .iter()
        .map(|(_, (_, wire))| (wire.error_type, wire.message.clone()))
        .collect();
    assert_eq!(shown.len(), faults.len(), "{outcomes:#?}");
}

/// The encoder stops answering in the middle of a write (after WRITE_BEGIN, before COMMIT):
/// the write stays open on the device while the desk reconnects. Resolving the intent must
/// close it, or every later write finds the encoder busy with it.
#[test]
fn no_answer_in_the_middle_of_a_write_does_not_wedge_the_encoder() {
    for command in [Command::Chunk, Command::Commit] {
        let desk = impatient_desk();
        let grant = desk
            .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
            .unwrap();
        let method = grant.access_method_ids[0];
        simulator(&desk).present_blank_card();
        simulator(&desk).fail_on(command, Fault::NoAnswer);
        let error = desk.encode_at(&desk.context, method).unwrap_err();
        assert!(
            matches!(
                error,
                frontdesk::Error::Encoder(
                    EncoderError::NoAnswer | EncoderError::OutcomeUnknown { .. }
                )
            ),
            "{command:?}: {error:?}"
        );
        assert_eq!(journal_states(&desk), ["pending"], "{command:?}");

        let written = desk
            .encode_at(&desk.context, method)
            .unwrap_or_else(|error| panic!("{command:?}: the next attempt failed: {error:?}"));
        assert_eq!(journal_states(&desk), ["failed", "written"], "{command:?}");
        assert_journal_matches_the_encoder(&desk, false);
        assert_eq!(
            opens(&desk, "room-101-door", &written.card_id, SAT_15),
            overrode(0, 1)
        );
    }
}

// --- exactly once across a crash ------------------------------------------------------------------

struct Files {
    _dir: tempfile::TempDir,
    database: std::path::PathBuf,
    keys: std::path::PathBuf,
    encoder: std::path::PathBuf,
}

impl Files {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            database: dir.path().join("frontdesk.sqlite3"),
            keys: dir.path().join("keys").join("card-keys.json"),
            encoder: dir.path().join("encoder.json"),
            _dir: dir,
        }
    }

    /// The desk as the application starts it: everything from the files.
    fn start(&self, property_id: Option<Uuid>) -> Desk {
        let desk = FrontDesk::new(Store::open(&self.database).unwrap());
        let context = desk_context();
        let property_id = property_id.unwrap_or_else(|| {
            desk.import_property(&context, support::TEST_PROPERTY)
                .unwrap()
                .id
        });
        let keys = KeyRing::load_or_create(&self.keys, property_id).unwrap();
        let simulator = SimulatedEncoder::open(&self.encoder).unwrap();
        simulator.plug();
        Desk {
            desk,
            context,
            station: CardStation::new(Source::Simulated(simulator), keys),
        }
    }
}

#[test]
fn exactly_once_across_a_crash_after_the_card_was_written() {
    let files = Files::new();
    let desk = files.start(None);
    let property_id = desk.desk.property().unwrap().unwrap().id;
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_uid = simulator(&desk).present_blank_card();

    // The card is written and verified, then the encoder is unplugged before its answer.
    simulator(&desk).fail_next(Fault::UnplugMidWrite(UnplugAt::AfterWrite));
    let error = desk.encode_at(&desk.context, method).unwrap_err();
    // The door's number was taken with the intent, before the card was touched.
    let taken = desk.desk.access_grant(grant.id).unwrap();
    assert_eq!(sequence_at(&desk, &taken, "room-101-door"), Some(1));
    let sequences = sequence_tables(&desk.desk);
    assert!(
        matches!(
            error,
            frontdesk::Error::Encoder(EncoderError::OutcomeUnknown { .. })
        ),
        "{error:?}"
    );
    let pending = desk
        .desk
        .store()
        .read(|r| r.pending_encode_operations())
        .unwrap();
    assert_eq!(pending.len(), 1);
    let op_id = pending[0].op_id;
    assert_eq!(pending[0].card_uid, card_uid.to_hex());
    assert_eq!(pending[0].access_method_id, Some(method));
    assert!(!desk.desk.access_method(method).unwrap().is_issued());
    // Killed: nothing more runs.
    drop(desk);

    let desk = files.start(Some(property_id));
    let resolution = desk
        .desk
        .resolve_pending_encodes(&desk.context, &desk.station)
        .unwrap();
    assert_eq!(resolution.written, [op_id]);
    assert!(resolution.failed.is_empty() && resolution.unresolved.is_empty());
    let operation = desk
        .desk
        .store()
        .read(|r| r.encode_operation(op_id))
        .unwrap()
        .unwrap();
    assert_eq!(operation.state, EncodeState::Written);
    let issued = desk.desk.access_method(method).unwrap();
    assert!(issued.is_issued());
    assert_eq!(issued.card_id, Some(card_uid.to_hex()));

    // Exactly one card for the op, written once; one record; no number reused.
    let cards: Vec<_> = simulator(&desk)
        .cards()
        .into_iter()
        .filter(|card| card.op_id == Some(*op_id.as_bytes()))
        .collect();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].uid, card_uid);
    assert_eq!(cards[0].writes, 1);
    let records = desk
        .desk
        .store()
        .read(|r| r.cards_of_method(method))
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].op_id, op_id);
    assert_eq!(sequence_tables(&desk.desk), sequences);
    assert_journal_matches_the_encoder(&desk, false);

    // Resolving again changes nothing.
    let again = desk
        .desk
        .resolve_pending_encodes(&desk.context, &desk.station)
        .unwrap();
    assert_eq!(again, frontdesk::Resolution::default());
    assert_eq!(
        desk.desk
            .store()
            .read(|r| r.cards_of_method(method))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(simulator(&desk).card(&card_uid).unwrap().writes, 1);

    // The card, made before the crash under the keys on disk, opens the door.
    assert_eq!(
        opens(&desk, "room-101-door", &card_uid.to_hex(), SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn exactly_once_across_a_crash_before_the_commit() {
    let files = Files::new();
    let desk = files.start(None);
    let property_id = desk.desk.property().unwrap().unwrap().id;
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let method = grant.access_method_ids[0];
    let card_uid = simulator(&desk).present_blank_card();

    simulator(&desk).fail_next(Fault::UnplugMidWrite(UnplugAt::BeforeCommit));
    let error = desk.encode_at(&desk.context, method).unwrap_err();
    // The door's number was taken with the intent, before the card was touched.
    let taken = desk.desk.access_grant(grant.id).unwrap();
    assert_eq!(sequence_at(&desk, &taken, "room-101-door"), Some(1));
    let sequences = sequence_tables(&desk.desk);
    assert!(
        matches!(error, frontdesk::Error::Encoder(EncoderError::Disconnected)),
        "{error:?}"
    );
    let pending = desk
        .desk
        .store()
        .read(|r| r.pending_encode_operations())
        .unwrap();
    assert_eq!(pending.len(), 1);
    let op_id = pending[0].op_id;
    drop(desk);

    let desk = files.start(Some(property_id));
    let resolution = desk
        .desk
        .resolve_pending_encodes(&desk.context, &desk.station)
        .unwrap();
    assert_eq!(resolution.failed, [op_id]);
    assert!(resolution.written.is_empty() && resolution.unresolved.is_empty());
    assert!(!desk.desk.access_method(method).unwrap().is_issued());
    let blank = simulator(&desk).card(&card_uid).unwrap();
    assert!(blank.image.is_empty());
    assert_eq!(blank.writes, 0);
    assert!(
        desk.desk
            .store()
            .read(|r| r.cards_of_method(method))
            .unwrap()
            .is_empty()
    );

    // A later encode works, with the same numbers.
    let written: EncodedCard = desk.encode(method);
    assert_eq!(written.card_id, card_uid.to_hex());
    assert_ne!(written.op_id, op_id);
    assert_eq!(simulator(&desk).card(&card_uid).unwrap().writes, 1);
    assert_eq!(sequence_tables(&desk.desk), sequences);
    assert_journal_matches_the_encoder(&desk, false);
    assert_eq!(
        opens(&desk, "room-101-door", &written.card_id, SAT_15),
        overrode(0, 1)
    );
}

#[test]
fn another_guests_valid_card_is_never_written_over() {
    let desk = Desk::new();
    let first = desk
        .stay(
            &desk.guest(),
            &["room-101"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            Some("stay-1"),
        )
        .unwrap();
    let second = desk
        .stay(
            &desk.guest(),
            &["room-102"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            Some("stay-2"),
        )
        .unwrap();
    let first_card = issue(&desk, first.access_method_ids[0]);

    // Guest 1's card is still on the pad: it is not taken for guest 2.
    assert!(simulator(&desk).present_card(&uid(&first_card)));
    let error = desk
        .encode_at(&desk.context, second.access_method_ids[0])
        .unwrap_err();
    let wire = error.to_wire();
    assert_eq!(
        (wire.status, wire.field.as_deref()),
        (400, Some("card")),
        "{wire:?}"
    );
    assert!(wire.message.contains(&first_card), "{}", wire.message);
    assert!(
        !desk
            .desk
            .access_method(second.access_method_ids[0])
            .unwrap()
            .is_issued()
    );
    assert_eq!(simulator(&desk).card(&uid(&first_card)).unwrap().writes, 1);

    // Re-encoding guest 1's own card on it is fine, and so is reusing it once revoked.
    assert_eq!(desk.encode(first.access_method_ids[0]).card_id, first_card);
    desk.desk
        .delete_access_grant(&desk.context, first.id)
        .unwrap();
    assert_eq!(desk.encode(second.access_method_ids[0]).card_id, first_card);
}
