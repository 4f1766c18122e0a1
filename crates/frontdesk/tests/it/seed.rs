//! Every example and scenario of the "Reservation Access Grants" guide, through the use
//! cases on a real (in-memory) SQLite database.

use engine::model::{AccessMode, UserKind};
use engine::warnings::WarningCode;
use frontdesk::{CreateAccessGrant, GrantFilter, MethodFilter, UpdateAccessGrant};

use crate::support::{Desk, at, card, grant_entrance, sequence_at};

const SAT_15: &str = "2025-05-10T15:00:00Z";
const WED_11: &str = "2025-05-14T11:00:00Z";
const WED_15: &str = "2025-05-14T15:00:00Z";
const FRI_11: &str = "2025-05-16T11:00:00Z";

fn assert_error(
    error: &frontdesk::WireError,
    status: u16,
    error_type: &str,
    title: &str,
    message: &str,
) {
    assert_eq!(error.status, status, "{error:?}");
    assert_eq!(error.error_type, error_type);
    assert_eq!(error.title.as_deref(), Some(title));
    assert_eq!(error.message, message);
}

#[test]
fn step_2_check_entrance_capabilities_of_a_space() {
    let desk = Desk::new();
    let room = desk.space_id("room-101");
    let entrances = desk.desk.entrances(None, Some(room)).unwrap();
    let capable: Vec<_> = entrances
        .iter()
        .filter(|entrance| entrance.can_belong_to_reservation)
        .collect();
    assert_eq!(capable.len(), 1);
    assert_eq!(capable[0].key, "room-101-door");
    let gym = desk
        .desk
        .entrances(None, Some(desk.space_id("gym")))
        .unwrap();
    assert!(
        gym.iter()
            .all(|entrance| !entrance.can_belong_to_reservation)
    );
}

#[test]
fn step_3_create_the_access_grant_with_reservation_key() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk.create(&CreateAccessGrant {
        user_identity_id: Some(guest.id),
        acs_entrance_ids: vec![desk.entrance_id("room-101-door")],
        starts_at: Some(at(SAT_15)),
        ends_at: Some(at(WED_11)),
        requested_access_methods: vec![card()],
        reservation_key: Some("stay-1".into()),
        ..Default::default()
    });
    let grant = grant.unwrap();
    assert_eq!(grant.reservation_key.as_deref(), Some("stay-1"));
    // The door's number comes with the first encoded card.
    assert_eq!(sequence_at(&desk, &grant, "room-101-door"), None);
    assert_eq!(grant.access_method_ids.len(), 1);
    let method = desk.desk.access_method(grant.access_method_ids[0]).unwrap();
    assert_eq!(method.mode, AccessMode::Card);
    assert!(!method.is_issued());
    assert!(!method.is_encoding_required);
}

#[test]
fn mixed_grants_apply_reservation_behaviour_per_entrance() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk
        .create(&CreateAccessGrant {
            user_identity_id: Some(guest.id),
            acs_entrance_ids: ["room-101-door", "gym-door", "lobby-door"]
                .map(|key| desk.entrance_id(key))
                .to_vec(),
            starts_at: Some(at(SAT_15)),
            ends_at: Some(at(WED_11)),
            requested_access_methods: vec![card()],
            reservation_key: Some("stay-1".into()),
            ..Default::default()
        })
        .unwrap();
    // Room 101 takes part in override/join; gym and lobby are provisioned normally.
    let grant = desk.encoded(&grant);
    assert_eq!(sequence_at(&desk, &grant, "room-101-door"), Some(1));
    assert_eq!(sequence_at(&desk, &grant, "gym-door"), None);
    assert_eq!(sequence_at(&desk, &grant, "lobby-door"), None);

    // A second stay on the same room overrides room 101 only: the gym never overrides.
    let next = desk.guest();
    let second = desk.stay(
        &next,
        &["room-101", "gym", "lobby"],
        WED_15,
        FRI_11,
        Some("stay-2"),
    );
    let second = desk.encoded(&second.unwrap());
    assert_eq!(sequence_at(&desk, &second, "room-101-door"), Some(2));
    assert_eq!(sequence_at(&desk, &second, "gym-door"), None);
}

#[test]
fn rule_1_reservation_key_requires_at_least_one_capable_entrance() {
    let desk = Desk::new();
    let guest = desk.guest();
    let error = desk
        .stay(&guest, &["gym", "pool"], SAT_15, WED_11, Some("stay-1"))
        .unwrap_err();
    assert_error(
        &error,
        400,
        "reservation_key_not_supported",
        "reservation_key not supported.",
        "No targeted entrances support reservation behavior. Remove reservation_key or include \
         at least one reservation-capable entrance.",
    );
    assert!(
        desk.desk
            .access_grants(&GrantFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn error_table_reservation_key_required_for_guest_cards() {
    let desk = Desk::new();
    let guest = desk.guest();
    let error = desk
        .stay(&guest, &["room-101"], SAT_15, WED_11, None)
        .unwrap_err();
    assert_error(
        &error,
        400,
        "reservation_key_required_for_guest_cards",
        "reservation_key required for guest cards.",
        "The targeted provider requires a reservation for guest credentials (e.g., Visionline) \
         but none was provided. Add a reservation_key when issuing guest credentials for these \
         entrances.",
    );
    // A resident is held to the same rule; a mobile key alone needs no reservation.
    let resident = desk.user(UserKind::Resident);
    assert!(
        desk.stay(&resident, &["room-101"], SAT_15, WED_11, None)
            .is_err()
    );
    let mobile = desk.create(&CreateAccessGrant {
        user_identity_id: Some(guest.id),
        space_keys: vec!["room-101".into()],
        starts_at: Some(at(SAT_15)),
        ends_at: Some(at(WED_11)),
        requested_access_methods: vec![crate::support::mode(AccessMode::MobileKey)],
        ..Default::default()
    });
    assert!(mobile.is_ok(), "{mobile:?}");
}

#[test]
fn rule_2_reservation_door_set_is_fixed_once_established() {
    let desk = Desk::new();
    let guest = desk.guest();
    desk.stay(&guest, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();

    let error = desk
        .stay(&guest, &["room-203"], SAT_15, WED_11, Some("stay-1"))
        .unwrap_err();
    assert_error(
        &error,
        409,
        "reservation_entrance_change_requires_cleanup",
        "Reservation entrance change requires cleanup.",
        "To change the doors for this reservation, delete the existing access grants first.",
    );

    // The guide's fix: list the key's grants, delete them, create again.
    let filter = GrantFilter {
        reservation_key: Some("stay-1".into()),
        ..Default::default()
    };
    for grant in desk.desk.access_grants(&filter).unwrap() {
        desk.desk
            .delete_access_grant(&desk.context, grant.id)
            .unwrap();
    }
    let moved = desk
        .stay(&guest, &["room-203"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&moved), "room-203-door"),
        Some(1)
    );
}

#[test]
fn rule_2_partly_overlapping_door_set_also_requires_cleanup() {
    let desk = Desk::new();
    let guest = desk.guest();
    desk.stay(
        &guest,
        &["room-101", "room-102"],
        SAT_15,
        WED_11,
        Some("stay-1"),
    )
    .unwrap();
    let error = desk
        .stay(
            &guest,
            &["room-102", "room-203"],
            SAT_15,
            WED_11,
            Some("stay-1"),
        )
        .unwrap_err();
    assert_eq!(
        error.error_type,
        "reservation_entrance_change_requires_cleanup"
    );
}

#[test]
fn rule_3_joiners_can_target_subsets_of_reservation_capable_doors() {
    let desk = Desk::new();
    let (g1, g2, g3) = (desk.guest(), desk.guest(), desk.guest());
    let first = desk
        .stay(&g1, &["suite-300"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();

    // Valid: a subset joiner (one door of the suite) reuses the reservation's sequence.
    let bedroom = desk.entrance_id("suite-300-bedroom");
    let joiner = desk
        .create(&CreateAccessGrant {
            user_identity_id: Some(g2.id),
            acs_entrance_ids: vec![bedroom],
            starts_at: Some(at(SAT_15)),
            ends_at: Some(at(WED_11)),
            requested_access_methods: vec![card()],
            reservation_key: Some("stay-1".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        joiner.entrances,
        vec![grant_entrance(&desk, &first, "suite-300-bedroom")]
    );
    assert_eq!(joiner.reservation_id, first.reservation_id);

    // Invalid: a superset joiner (adds room 102).
    let error = desk
        .stay(
            &g3,
            &["suite-300", "room-102"],
            SAT_15,
            WED_11,
            Some("stay-1"),
        )
        .unwrap_err();
    assert_error(
        &error,
        409,
        "reservation_joiner_entrance_set_conflict",
        "Reservation joiner entrance set conflict.",
        "Joiner access grants must use the same or a subset of the reservation-capable doors.",
    );
}

#[test]
fn rule_3_non_capable_entrances_are_not_part_of_the_subset_check() {
    let desk = Desk::new();
    let (g1, g2) = (desk.guest(), desk.guest());
    desk.stay(&g1, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let joiner = desk.stay(
        &g2,
        &["room-101", "gym", "pool", "lobby"],
        SAT_15,
        WED_11,
        Some("stay-1"),
    );
    assert!(joiner.is_ok(), "{joiner:?}");
}

#[test]
fn rule_4_time_frames_must_overlap() {
    let desk = Desk::new();
    let (g1, g2, g3) = (desk.guest(), desk.guest(), desk.guest());
    desk.stay(&g1, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let overlapping = desk.stay(
        &g2,
        &["room-101"],
        "2025-05-11T11:00:00Z",
        WED_11,
        Some("stay-1"),
    );
    assert!(overlapping.is_ok(), "{overlapping:?}");

    let error = desk
        .stay(
            &g3,
            &["room-101"],
            "2025-05-15T15:00:00Z",
            "2025-05-18T11:00:00Z",
            Some("stay-1"),
        )
        .unwrap_err();
    assert_error(
        &error,
        409,
        "reservation_time_frames_must_overlap",
        "Reservation time frames must overlap.",
        "Access grants in the same reservation must have overlapping time frames.",
    );
    // Half-open: a joiner starting exactly when the stay ends does not overlap it.
    let touching = desk
        .stay(&g3, &["room-101"], WED_11, FRI_11, Some("stay-1"))
        .unwrap_err();
    assert_eq!(touching.error_type, "reservation_time_frames_must_overlap");
}

#[test]
fn scenario_1_back_to_back_reservations() {
    let desk = Desk::new();
    let (g1, g2) = (desk.guest(), desk.guest());
    let first = desk
        .stay(&g1, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&g2, &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();

    // The second stay overrides the first at its first use: a higher sequence on the door.
    // Numbered as their cards are encoded.
    let (first, second) = (desk.encoded(&first), desk.encoded(&second));
    assert_eq!(sequence_at(&desk, &first, "room-101-door"), Some(1));
    assert_eq!(sequence_at(&desk, &second, "room-101-door"), Some(2));
    assert_ne!(first.reservation_id, second.reservation_id);
    // Stays that do not overlap, set up in order, warn of nothing.
    for grant in [first, second] {
        assert!(
            desk.desk
                .access_grant(grant.id)
                .unwrap()
                .warnings
                .is_empty()
        );
    }
}

#[test]
fn scenario_2_multiple_guests_on_the_same_reservation() {
    let desk = Desk::new();
    let (g1, g2) = (desk.guest(), desk.guest());
    let first = desk
        .stay(&g1, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&g2, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();

    assert_eq!(first.reservation_id, second.reservation_id);
    assert_eq!(
        sequence_at(&desk, &first, "room-101-door"),
        sequence_at(&desk, &second, "room-101-door")
    );
    let filter = GrantFilter {
        reservation_key: Some("stay-1".into()),
        ..Default::default()
    };
    let grants = desk.desk.access_grants(&filter).unwrap();
    assert_eq!(
        grants
            .iter()
            .map(|grant| grant.user_identity_id)
            .collect::<Vec<_>>(),
        [g1.id, g2.id]
    );
}

#[test]
fn scenario_3_relocate_a_reservation_to_a_new_room() {
    let desk = Desk::new();
    let guest = desk.guest();
    let old = desk
        .stay(&guest, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let card_method = old.access_method_ids[0];
    desk.encode(card_method);

    let deleted = desk
        .desk
        .delete_access_grant(&desk.context, old.id)
        .unwrap();
    // The plastic still opens room 101: the deleted grant says so.
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
    assert!(
        desk.desk.access_grant(old.id).is_err(),
        "a deleted grant is gone from reads"
    );

    let new = desk
        .stay(
            &guest,
            &["room-203"],
            "2025-05-10T15:30:00Z",
            WED_11,
            Some("stay-1"),
        )
        .unwrap();
    assert_ne!(
        new.reservation_id, old.reservation_id,
        "a new reservation was established"
    );
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&new), "room-203-door"),
        Some(1)
    );

    // Collecting the card clears the warning.
    desk.desk
        .mark_card_collected(&desk.context, card_method)
        .unwrap();
    let stored = desk
        .desk
        .store()
        .read(|r| r.access_grant(old.id))
        .unwrap()
        .unwrap();
    assert!(stored.warnings.is_empty(), "{:?}", stored.warnings);

    // Room 101's sequence is never handed out again.
    let next = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-9"))
        .unwrap();
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&next), "room-101-door"),
        Some(2)
    );
}

#[test]
fn scenario_4_reservation_time_frame_changes() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk
        .stay(&guest, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let card_method = grant.access_method_ids[0];
    desk.encode(card_method);

    let update = UpdateAccessGrant {
        access_grant_id: grant.id,
        starts_at: None,
        ends_at: Some(at(FRI_11)),
        name: None,
    };
    desk.desk
        .update_access_grant(&desk.context, &update)
        .unwrap();

    let grant = desk.desk.access_grant(grant.id).unwrap();
    assert_eq!(grant.ends_at, at(FRI_11));
    let codes: Vec<_> = grant
        .warnings
        .iter()
        .filter(|warning| warning.access_method_id.is_none())
        .map(|warning| warning.code)
        .collect();
    assert_eq!(codes, [WarningCode::EncodingRequired]);
    let cards = desk
        .desk
        .access_methods(MethodFilter::Grant(grant.id))
        .unwrap();
    assert!(cards[0].is_encoding_required);
    assert_eq!(cards[0].warnings.len(), 1);

    // Re-encoding the plastic card for the new dates resolves the warning.
    desk.encode(cards[0].id);
    let grant = desk.desk.access_grant(grant.id).unwrap();
    assert!(grant.warnings.is_empty(), "{:?}", grant.warnings);
    assert!(
        !desk
            .desk
            .access_method(card_method)
            .unwrap()
            .is_encoding_required
    );
}

#[test]
fn time_change_before_encoding_needs_no_re_encoding() {
    let desk = Desk::new();
    let grant = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let update = UpdateAccessGrant {
        access_grant_id: grant.id,
        starts_at: None,
        ends_at: Some(at(FRI_11)),
        name: Some("Late check-out".into()),
    };
    let updated = desk
        .desk
        .update_access_grant(&desk.context, &update)
        .unwrap();
    assert!(updated.warnings.is_empty());
    assert_eq!(updated.name.as_deref(), Some("Late check-out"));
}

#[test]
fn update_that_leaves_the_reservation_is_refused_and_changes_nothing() {
    let desk = Desk::new();
    let (g1, g2) = (desk.guest(), desk.guest());
    desk.stay(&g1, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let joiner = desk
        .stay(&g2, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let update = UpdateAccessGrant {
        access_grant_id: joiner.id,
        starts_at: Some(at("2025-05-20T15:00:00Z")),
        ends_at: Some(at("2025-05-22T11:00:00Z")),
        name: None,
    };
    let error = desk
        .desk
        .update_access_grant(&desk.context, &update)
        .unwrap_err()
        .to_wire();
    assert_eq!(error.error_type, "reservation_time_frames_must_overlap");
    assert_eq!(desk.desk.access_grant(joiner.id).unwrap(), joiner);
}

#[test]
fn staff_cards_are_standard_access_and_never_join_a_reservation() {
    let desk = Desk::new();
    let staff = desk.user(UserKind::Staff);
    let guest = desk.guest();
    let stay = desk
        .stay(&guest, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();

    let error = desk
        .stay(&staff, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap_err();
    assert_eq!(error.status, 400);
    assert_eq!(
        error.error_type,
        "staff_credentials_cannot_belong_to_reservation"
    );
    assert_eq!(
        error.title.as_deref(),
        Some("Staff credentials can't belong to a reservation.")
    );

    let housekeeping = desk
        .stay(&staff, &["room-101", "room-102"], SAT_15, FRI_11, None)
        .unwrap();
    assert_eq!(housekeeping.reservation_key, None);
    assert_eq!(sequence_at(&desk, &housekeeping, "room-101-door"), None);
    // The guest's reservation is untouched.
    assert_eq!(desk.desk.access_grant(stay.id).unwrap(), stay);
}

#[test]
fn deleting_the_last_grant_clears_the_reservation() {
    let desk = Desk::new();
    let (g1, g2) = (desk.guest(), desk.guest());
    let first = desk
        .stay(&g1, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&g2, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();

    desk.desk
        .delete_access_grant(&desk.context, first.id)
        .unwrap();
    // One live grant remains: the door set still holds.
    let error = desk
        .stay(&g1, &["room-203"], SAT_15, WED_11, Some("stay-1"))
        .unwrap_err();
    assert_eq!(
        error.error_type,
        "reservation_entrance_change_requires_cleanup"
    );

    desk.desk
        .delete_access_grant(&desk.context, second.id)
        .unwrap();
    assert!(
        desk.stay(&g1, &["room-203"], SAT_15, WED_11, Some("stay-1"))
            .is_ok()
    );
}

#[test]
fn overlapping_stays_warn_that_the_previous_guest_can_enter() {
    let desk = Desk::new();
    let (g1, g2) = (desk.guest(), desk.guest());
    let first = desk
        .stay(&g1, &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(
            &g2,
            &["room-101"],
            "2025-05-13T15:00:00Z",
            FRI_11,
            Some("stay-2"),
        )
        .unwrap();

    let codes = |id| -> Vec<WarningCode> {
        desk.desk
            .access_grant(id)
            .unwrap()
            .warnings
            .iter()
            .map(|w| w.code)
            .collect()
    };
    assert_eq!(codes(second.id), [WarningCode::PreviousGuestCanEnter]);
    assert!(codes(first.id).is_empty());
    let message = &desk.desk.access_grant(second.id).unwrap().warnings[0].message;
    assert!(
        message.contains("stay-1") && message.contains("Room 101 door"),
        "{message}"
    );

    // Shortening the first stay so that they no longer overlap clears the warning.
    let update = UpdateAccessGrant {
        access_grant_id: first.id,
        starts_at: None,
        ends_at: Some(at("2025-05-13T11:00:00Z")),
        name: None,
    };
    desk.desk
        .update_access_grant(&desk.context, &update)
        .unwrap();
    assert!(codes(second.id).is_empty());
}

#[test]
fn a_later_reservation_for_an_earlier_stay_warns_of_sequence_inversion() {
    let desk = Desk::new();
    let (g1, g2) = (desk.guest(), desk.guest());
    // Set up first, for the later stay.
    let later_stay = desk.stay(
        &g1,
        &["room-101"],
        "2025-05-20T15:00:00Z",
        "2025-05-22T11:00:00Z",
        Some("stay-a"),
    );
    // Its keys are made in advance: it takes the door's number now.
    let later_stay = desk.encoded(&later_stay.unwrap());
    // Set up second, for an earlier stay: its card, made when it starts, takes a higher
    // number and will lock out stay-a's cards.
    let earlier_stay = desk
        .stay(&g2, &["room-101"], SAT_15, WED_11, Some("stay-b"))
        .unwrap();

    let warnings = desk.desk.access_grant(later_stay.id).unwrap().warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].code, WarningCode::SequenceInversion);
    assert!(
        warnings[0].message.contains("stay-b"),
        "{}",
        warnings[0].message
    );
    assert!(
        desk.desk
            .access_grant(earlier_stay.id)
            .unwrap()
            .warnings
            .is_empty()
    );

    // The fix the warning gives: reissue stay-a, which then carries the newest sequence.
    desk.desk
        .delete_access_grant(&desk.context, later_stay.id)
        .unwrap();
    let reissued = desk
        .stay(
            &g1,
            &["room-101"],
            "2025-05-20T15:00:00Z",
            "2025-05-22T11:00:00Z",
            Some("stay-a"),
        )
        .unwrap();
    // Its number waits for its card, made after stay-b's.
    assert_eq!(sequence_at(&desk, &reissued, "room-101-door"), None);
    assert!(reissued.warnings.is_empty(), "{:?}", reissued.warnings);
}
