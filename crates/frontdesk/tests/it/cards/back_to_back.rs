//! The guide's back-to-back reservations and joiners, at the locks.

use engine::lock::{LockState, Reason};
use engine::warnings::WarningCode;
use frontdesk::CreateAccessGrant;

use super::{
    FRI_11, SAT_15, WED_11, WED_15, WED_16, has_warning, issue, lock_state, opens, overridden,
    overrode, refuses,
};
use crate::support::{Desk, at, card, sequence_at};

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

#[test]
fn a_door_s_report_tells_each_card_apart_by_its_holder_and_status() {
    let desk = Desk::new();
    let first = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();
    let guest_1 = issue(&desk, first.access_method_ids[0]);
    let guest_2 = issue(&desk, second.access_method_ids[0]);
    opens(&desk, "room-101-door", &guest_1, SAT_15);
    opens(&desk, "room-101-door", &guest_2, WED_15);
    refuses(&desk, "room-101-door", &guest_1, "2025-05-14T15:05:00Z");

    let manager = crate::support::operator("Marta", frontdesk::Role::Manager);
    let log = desk
        .desk
        .door_log(&manager, desk.entrance_id("room-101-door"), 10)
        .unwrap();
    let told: Vec<(bool, String, Reason)> = log
        .iter()
        .map(|entry| {
            let card = entry.card.as_ref().expect("the desk wrote these cards");
            (entry.granted, card.holder.clone(), entry.reason)
        })
        .collect();
    let holder_1 = desk.desk.card_holder(&guest_1).unwrap().unwrap();
    let holder_2 = desk.desk.card_holder(&guest_2).unwrap().unwrap();
    assert_eq!(
        told,
        [
            (false, holder_1.clone(), Reason::Expired),
            (true, holder_2, overrode(1, 2)),
            (true, holder_1, overrode(0, 1)),
        ]
    );
    assert_eq!(log[0].card.as_ref().unwrap().rooms, ["Room 101"]);
    assert_eq!(log[0].card.as_ref().unwrap().valid_until, at(WED_11));

    // Guest 1's plastic is written again for a later stay in another room: the door's report
    // still tells the card it refused, not what the plastic carries now.
    let later = desk
        .stay(&desk.guest(), &["room-102"], SAT_15, FRI_11, Some("stay-3"))
        .unwrap();
    desk.desk
        .delete_access_grant(&desk.context, first.id)
        .unwrap();
    desk.desk
        .mark_card_collected(&desk.context, first.access_method_ids[0])
        .unwrap();
    super::simulator(&desk).present_card(&encoder::CardUid::from_hex(&guest_1).unwrap());
    let rewritten = desk
        .encode_at(&desk.context, later.access_method_ids[0])
        .unwrap();
    assert_eq!(rewritten.card_id, guest_1, "the same plastic");
    let after = desk
        .desk
        .door_log(&manager, desk.entrance_id("room-101-door"), 10)
        .unwrap();
    let told = |entry: &frontdesk::DoorLogEntry| {
        entry
            .card
            .as_ref()
            .map(|card| (card.holder.clone(), card.rooms.clone(), card.valid_until))
    };
    assert_eq!(told(&after[0]), told(&log[0]));
    assert_eq!(
        desk.desk.card_description(&guest_1).unwrap().unwrap().rooms,
        ["Room 102"]
    );
    assert_eq!(
        desk.desk
            .door_log(&manager, desk.entrance_id("room-101-door"), 1)
            .unwrap()
            .len(),
        1
    );
    // A receptionist does not read door reports; an unknown door is named.
    let receptionist = crate::support::operator("Rui", frontdesk::Role::Receptionist);
    let error = desk
        .desk
        .door_log(&receptionist, desk.entrance_id("room-101-door"), 10)
        .unwrap_err()
        .to_wire();
    assert_eq!(error.error_type, "forbidden");
    let error = desk
        .desk
        .door_log(&manager, uuid::Uuid::new_v4(), 10)
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("acs_entrance_id"));
}
