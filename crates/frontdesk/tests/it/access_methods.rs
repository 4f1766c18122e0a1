//! Access methods (cards, mobile keys, codes) and user identities through the use cases.

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use engine::model::{AccessMode, RequestedAccessMethod, UserKind};
use engine::warnings::WarningCode;
use frontdesk::{
    AccessGrantRecord, AccessMethodRecord, AuditFilter, CardView, Context, CreateAccessGrant,
    Error, MethodFilter, NewUserIdentity, WireError,
};
use store::AuditOutcome;

use crate::support::{Desk, at, card, mode};

const SAT_15: &str = "2025-05-10T15:00:00Z";
const WED_11: &str = "2025-05-14T11:00:00Z";

/// A guest's grant on `spaces` from Saturday to Wednesday.
fn grant(
    desk: &Desk,
    spaces: &[&str],
    requested: Vec<RequestedAccessMethod>,
    key: Option<&str>,
) -> AccessGrantRecord {
    let guest = desk.guest();
    desk.create(&CreateAccessGrant {
        user_identity_id: Some(guest.id),
        space_keys: spaces.iter().map(|space| (*space).to_owned()).collect(),
        starts_at: Some(at(SAT_15)),
        ends_at: Some(at(WED_11)),
        requested_access_methods: requested,
        reservation_key: key.map(str::to_owned),
        ..Default::default()
    })
    .unwrap()
}

fn code(code: &str) -> RequestedAccessMethod {
    RequestedAccessMethod {
        mode: AccessMode::Code,
        code: Some(code.to_owned()),
    }
}

fn methods(desk: &Desk, filter: MethodFilter) -> Vec<AccessMethodRecord> {
    desk.desk.access_methods(filter).unwrap()
}

fn ids(methods: &[AccessMethodRecord]) -> Vec<uuid::Uuid> {
    methods.iter().map(|method| method.id).collect()
}

fn assert_invalid(error: &Error, field: &str) -> WireError {
    let wire = error.to_wire();
    assert_eq!(wire.status, 400, "{wire:?}");
    assert_eq!(wire.error_type, "invalid_input", "{wire:?}");
    assert_eq!(wire.field.as_deref(), Some(field), "{wire:?}");
    wire
}

fn assert_not_found(desk: &Desk, id: uuid::Uuid) {
    let wire = desk.desk.access_method(id).unwrap_err().to_wire();
    assert_eq!(wire.status, 404, "{wire:?}");
    assert_eq!(wire.error_type, "not_found");
}

fn warning_codes(desk: &Desk, grant: &AccessGrantRecord) -> Vec<WarningCode> {
    let grant = desk
        .desk
        .store()
        .read(|r| r.access_grant(grant.id))
        .unwrap()
        .expect("grant");
    grant
        .warnings
        .iter()
        .filter(|warning| warning.access_method_id.is_none())
        .map(|warning| warning.code)
        .collect()
}

/// Audit entries of `actor`, oldest first, as (action, outcome).
fn audit_of(desk: &Desk, actor: &str) -> Vec<(String, AuditOutcome)> {
    let mut entries: Vec<_> = desk
        .desk
        .audit_log(&AuditFilter {
            actor: Some(actor.to_owned()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|entry| (entry.action, entry.outcome))
        .collect();
    entries.reverse();
    entries
}

// ---------------------------------------------------------------------------------------------
// Creating

#[test]
fn one_access_method_per_requested_mode() {
    let desk = Desk::new();
    let grant = grant(
        &desk,
        &["parking"],
        vec![card(), mode(AccessMode::MobileKey), mode(AccessMode::Code)],
        None,
    );
    assert_eq!(grant.access_method_ids.len(), 3);
    let created = methods(&desk, MethodFilter::Grant(grant.id));
    assert_eq!(ids(&created), grant.access_method_ids);
    let modes: Vec<_> = created.iter().map(|method| method.mode).collect();
    assert_eq!(
        modes,
        [AccessMode::Card, AccessMode::MobileKey, AccessMode::Code]
    );
    let indexes: Vec<_> = created.iter().map(|method| method.request_index).collect();
    assert_eq!(indexes, [0, 1, 2]);

    let [card, mobile_key, pin] = [&created[0], &created[1], &created[2]];
    assert_eq!(card.copy_number, Some(1));
    assert_eq!(card.code, None);
    assert_eq!(mobile_key.copy_number, None);
    assert_eq!(mobile_key.code, None);
    assert_eq!(pin.copy_number, None);
    let pin_code = pin.code.as_deref().expect("a code gets a PIN");
    assert_eq!(pin_code.len(), 6, "{pin_code}");
    assert!(pin_code.bytes().all(|b| b.is_ascii_digit()), "{pin_code}");
    for method in &created {
        assert!(!method.is_issued());
        assert_eq!(method.issued_at, None);
        assert_eq!(method.card_id, None);
        assert!(!method.is_encoding_required);
        assert_eq!(method.revoked_at, None);
        assert_eq!(method.access_grant_id, grant.id);
        assert_eq!(method.created_at, desk.context.now);
    }
}

#[test]
fn a_requested_code_is_kept() {
    let desk = Desk::new();
    let grant = grant(
        &desk,
        &["parking"],
        vec![code("4711"), code("123456789")],
        None,
    );
    let codes: Vec<_> = methods(&desk, MethodFilter::Grant(grant.id))
        .into_iter()
        .map(|method| method.code)
        .collect();
    assert_eq!(
        codes,
        [Some("4711".to_owned()), Some("123456789".to_owned())]
    );
}

#[test]
fn two_card_requests_give_two_cards_and_a_copy_is_the_third() {
    let desk = Desk::new();
    let grant = grant(&desk, &["room-101"], vec![card(), card()], Some("stay-1"));
    let cards = methods(&desk, MethodFilter::Grant(grant.id));
    let copies: Vec<_> = cards.iter().map(|card| card.copy_number).collect();
    assert_eq!(copies, [Some(1), Some(2)]);
    assert!(cards.iter().all(|card| card.mode == AccessMode::Card));

    let copy = desk.desk.add_card_copy(&desk.context, grant.id).unwrap();
    assert_eq!(copy.mode, AccessMode::Card);
    assert_eq!(copy.copy_number, Some(3));
    assert_eq!(copy.request_index, cards[0].request_index);
    assert_eq!(copy.access_grant_id, grant.id);
    assert!(!copy.is_issued());

    let all = methods(&desk, MethodFilter::Grant(grant.id));
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].id, copy.id);
    assert_eq!(
        desk.desk.access_grant(grant.id).unwrap().access_method_ids,
        ids(&all)
    );
}

#[test]
fn a_card_copy_of_a_grant_without_cards_is_refused_naming_access_grant_id() {
    let desk = Desk::new();
    let grant = grant(
        &desk,
        &["parking"],
        vec![mode(AccessMode::MobileKey), mode(AccessMode::Code)],
        None,
    );
    let error = desk
        .desk
        .add_card_copy(&desk.context, grant.id)
        .unwrap_err();
    assert_invalid(&error, "access_grant_id");
    assert_eq!(methods(&desk, MethodFilter::Grant(grant.id)).len(), 2);

    // An unknown grant is not found.
    let wire = desk
        .desk
        .add_card_copy(&desk.context, uuid::Uuid::new_v4())
        .unwrap_err()
        .to_wire();
    assert_eq!(wire.status, 404);
    assert_eq!(wire.error_type, "not_found");
}

// ---------------------------------------------------------------------------------------------
// Listing

#[test]
fn access_methods_are_listed_by_grant_space_and_entrance() {
    let desk = Desk::new();
    let room = grant(&desk, &["room-101", "gym"], vec![card()], Some("stay-1"));
    let parking = grant(
        &desk,
        &["parking"],
        vec![card(), mode(AccessMode::Code)],
        None,
    );
    let other_room = grant(&desk, &["room-102"], vec![card()], Some("stay-2"));

    assert_eq!(
        ids(&methods(&desk, MethodFilter::Grant(room.id))),
        room.access_method_ids
    );
    assert_eq!(
        ids(&methods(&desk, MethodFilter::Grant(parking.id))),
        parking.access_method_ids
    );
    let by_space = |key: &str| ids(&methods(&desk, MethodFilter::Space(desk.space_id(key))));
    let by_entrance = |key: &str| {
        ids(&methods(
            &desk,
            MethodFilter::Entrance(desk.entrance_id(key)),
        ))
    };
    assert_eq!(by_space("room-101"), room.access_method_ids);
    assert_eq!(by_space("gym"), room.access_method_ids);
    assert_eq!(by_space("parking"), parking.access_method_ids);
    assert_eq!(by_space("room-102"), other_room.access_method_ids);
    assert!(by_space("pool").is_empty());
    assert_eq!(by_entrance("room-101-door"), room.access_method_ids);
    assert_eq!(by_entrance("parking-gate"), parking.access_method_ids);
    assert!(by_entrance("lobby-door").is_empty());

    // A deleted grant's methods are no longer listed anywhere.
    desk.desk
        .delete_access_grant(&desk.context, room.id)
        .unwrap();
    assert!(by_space("room-101").is_empty());
    assert!(by_entrance("room-101-door").is_empty());
    let wire = desk
        .desk
        .access_methods(MethodFilter::Grant(room.id))
        .unwrap_err()
        .to_wire();
    assert_eq!(wire.status, 404);
    assert_eq!(by_space("parking"), parking.access_method_ids);
}

// ---------------------------------------------------------------------------------------------
// Encoding

#[test]
fn a_card_is_issued_once_it_is_encoded() {
    let desk = Desk::new();
    let grant = grant(&desk, &["room-101"], vec![card()], Some("stay-1"));
    let id = grant.access_method_ids[0];
    assert!(!desk.desk.access_method(id).unwrap().is_issued());

    let written = desk.encode(id);
    let encoded = written.access_method.unwrap();
    assert!(encoded.is_issued());
    assert_eq!(encoded.issued_at, Some(desk.context.now));
    assert_eq!(encoded.card_id.as_deref(), Some(written.card_id.as_str()));
    assert!(!encoded.is_encoding_required);
    assert_eq!(
        CardView::from(desk.desk.access_method(id).unwrap()),
        encoded
    );
    let stored: Vec<CardView> = methods(&desk, MethodFilter::Grant(grant.id))
        .into_iter()
        .map(CardView::from)
        .collect();
    assert_eq!(stored, [encoded]);
}

#[test]
fn encoding_is_refused_for_a_mobile_key_and_a_revoked_card() {
    let desk = Desk::new();
    let grant = grant(
        &desk,
        &["room-101"],
        vec![card(), mode(AccessMode::MobileKey)],
        Some("stay-1"),
    );
    let before = methods(&desk, MethodFilter::Grant(grant.id));
    let (card_id, mobile_key_id) = (before[0].id, before[1].id);

    let error = desk.encode_at(&desk.context, mobile_key_id).unwrap_err();
    assert_invalid(&error, "access_method_id");
    assert_eq!(methods(&desk, MethodFilter::Grant(grant.id)), before);

    // A revoked card is not encoded either.
    desk.desk
        .delete_access_method(&desk.context, card_id)
        .unwrap();
    let wire = desk
        .encode_at(&desk.context, card_id)
        .unwrap_err()
        .to_wire();
    assert_eq!(wire.status, 404);
}

// ---------------------------------------------------------------------------------------------
// Revoking

#[test]
fn deleting_one_access_method_revokes_only_it() {
    let desk = Desk::new();
    let grant = grant(
        &desk,
        &["room-101"],
        vec![card(), mode(AccessMode::MobileKey)],
        Some("stay-1"),
    );
    let [card_id, mobile_key_id] = [grant.access_method_ids[0], grant.access_method_ids[1]];

    let revoked = desk
        .desk
        .delete_access_method(&desk.context, mobile_key_id)
        .unwrap();
    assert_eq!(ids(&revoked), [mobile_key_id]);
    assert_eq!(revoked[0].revoked_at, Some(desk.context.now));
    assert_not_found(&desk, mobile_key_id);
    assert_eq!(
        ids(&methods(&desk, MethodFilter::Grant(grant.id))),
        [card_id]
    );
    assert!(desk.desk.access_method(card_id).is_ok());
    // The grant stays, and a mobile key that was never a card leaves no warning.
    assert!(desk.desk.access_grant(grant.id).is_ok());
    assert!(warning_codes(&desk, &grant).is_empty());

    // Deleting it again: it is gone.
    let wire = desk
        .desk
        .delete_access_method(&desk.context, mobile_key_id)
        .unwrap_err()
        .to_wire();
    assert_eq!(wire.status, 404);
    assert_eq!(wire.error_type, "not_found");
}

#[test]
fn deleting_the_access_methods_of_a_grant_keeps_the_grant() {
    let desk = Desk::new();
    let grant_with_methods = grant(
        &desk,
        &["parking"],
        vec![card(), mode(AccessMode::MobileKey), mode(AccessMode::Code)],
        None,
    );
    let other = grant(&desk, &["parking"], vec![card()], None);

    let revoked = desk
        .desk
        .delete_access_methods_of_grant(&desk.context, grant_with_methods.id)
        .unwrap();
    assert_eq!(ids(&revoked), grant_with_methods.access_method_ids);
    assert!(revoked.iter().all(|method| method.revoked_at.is_some()));
    for id in &grant_with_methods.access_method_ids {
        assert_not_found(&desk, *id);
    }
    assert!(methods(&desk, MethodFilter::Grant(grant_with_methods.id)).is_empty());
    assert!(desk.desk.access_grant(grant_with_methods.id).is_ok());
    assert_eq!(
        ids(&methods(&desk, MethodFilter::Grant(other.id))),
        other.access_method_ids
    );
    assert_eq!(
        ids(&methods(
            &desk,
            MethodFilter::Entrance(desk.entrance_id("parking-gate"))
        )),
        other.access_method_ids
    );
}

#[test]
fn deleting_the_access_methods_of_a_reservation_revokes_all_its_grants_methods() {
    let desk = Desk::new();
    let first = grant(&desk, &["room-101"], vec![card()], Some("stay-1"));
    let joiner = grant(
        &desk,
        &["room-101"],
        vec![card(), mode(AccessMode::MobileKey)],
        Some("stay-1"),
    );
    let elsewhere = grant(&desk, &["room-102"], vec![card()], Some("stay-2"));

    let revoked = desk
        .desk
        .delete_access_methods_of_reservation(&desk.context, "stay-1")
        .unwrap();
    let mut expected = first.access_method_ids.clone();
    expected.extend(&joiner.access_method_ids);
    assert_eq!(ids(&revoked), expected);
    for id in &expected {
        assert_not_found(&desk, *id);
    }
    assert!(methods(&desk, MethodFilter::Space(desk.space_id("room-101"))).is_empty());
    assert_eq!(
        ids(&methods(&desk, MethodFilter::Grant(elsewhere.id))),
        elsewhere.access_method_ids
    );
    // The grants themselves stay.
    assert!(desk.desk.access_grant(first.id).is_ok());
    assert!(desk.desk.access_grant(joiner.id).is_ok());

    let wire = desk
        .desk
        .delete_access_methods_of_reservation(&desk.context, "no-such-stay")
        .unwrap_err()
        .to_wire();
    assert_eq!(wire.status, 404);
    assert_eq!(wire.error_type, "not_found");
}

#[test]
fn an_issued_card_that_is_revoked_must_be_collected() {
    let desk = Desk::new();
    // By id.
    let by_id = grant(&desk, &["room-101"], vec![card(), card()], Some("stay-1"));
    let [issued, blank] = [by_id.access_method_ids[0], by_id.access_method_ids[1]];
    desk.encode(issued);
    // A blank card that never left the desk needs no collecting.
    desk.desk
        .delete_access_method(&desk.context, blank)
        .unwrap();
    assert!(warning_codes(&desk, &by_id).is_empty());
    desk.desk
        .delete_access_method(&desk.context, issued)
        .unwrap();
    assert_eq!(
        warning_codes(&desk, &by_id),
        [WarningCode::CardsNotCollected]
    );
    let collected = desk
        .desk
        .mark_card_collected(&desk.context, issued)
        .unwrap();
    assert_eq!(collected.collected_at, Some(desk.context.now));
    assert!(warning_codes(&desk, &by_id).is_empty());

    // By grant and by reservation.
    let by_grant = grant(&desk, &["room-102"], vec![card()], Some("stay-2"));
    let by_reservation = grant(&desk, &["room-203"], vec![card()], Some("stay-3"));
    for grant in [&by_grant, &by_reservation] {
        // Each guest's card on its own blank: the desk never writes over a live key.
        desk.station.simulator().unwrap().present_blank_card();
        desk.encode(grant.access_method_ids[0]);
    }
    desk.desk
        .delete_access_methods_of_grant(&desk.context, by_grant.id)
        .unwrap();
    desk.desk
        .delete_access_methods_of_reservation(&desk.context, "stay-3")
        .unwrap();
    for grant in [&by_grant, &by_reservation] {
        assert_eq!(
            warning_codes(&desk, grant),
            [WarningCode::CardsNotCollected]
        );
        desk.desk
            .mark_card_collected(&desk.context, grant.access_method_ids[0])
            .unwrap();
        assert!(warning_codes(&desk, grant).is_empty());
    }
}

#[test]
fn deleting_a_grant_revokes_its_access_methods() {
    let desk = Desk::new();
    let grant = grant(
        &desk,
        &["room-101"],
        vec![card(), mode(AccessMode::MobileKey)],
        Some("stay-1"),
    );
    desk.encode(grant.access_method_ids[0]);
    let deleted = desk
        .desk
        .delete_access_grant(&desk.context, grant.id)
        .unwrap();
    assert_eq!(deleted.deleted_at, Some(desk.context.now));
    for id in &grant.access_method_ids {
        assert_not_found(&desk, *id);
    }
    let stored = desk
        .desk
        .store()
        .read(|r| r.access_methods_of_grant(grant.id))
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|method| method.revoked_at == Some(desk.context.now))
    );
    // Its issued card is still out there.
    assert!(
        deleted
            .warnings
            .iter()
            .any(|warning| warning.code == WarningCode::CardsNotCollected)
    );
}

// ---------------------------------------------------------------------------------------------
// The audit log

#[test]
fn every_change_to_an_access_method_is_audited_with_its_actor() {
    let desk = Desk::new();
    let grant = grant(
        &desk,
        &["room-101"],
        vec![card(), mode(AccessMode::MobileKey)],
        Some("stay-1"),
    );
    let [card_id, mobile_key_id] = [grant.access_method_ids[0], grant.access_method_ids[1]];
    let night = Context::new("night-manager", desk.context.now);

    let copy = desk.desk.add_card_copy(&night, grant.id).unwrap();
    let written = desk.encode_at(&night, card_id).unwrap();
    desk.encode_at(&night, mobile_key_id).unwrap_err();
    desk.desk.delete_access_method(&night, card_id).unwrap();
    desk.desk.mark_card_collected(&night, card_id).unwrap();
    desk.desk
        .delete_access_methods_of_grant(&night, grant.id)
        .unwrap();
    desk.desk.delete_access_grant(&night, grant.id).unwrap();
    let other = self::grant(&desk, &["room-102"], vec![card()], Some("stay-2"));
    desk.desk
        .delete_access_methods_of_reservation(&night, "stay-2")
        .unwrap();

    use AuditOutcome::{Ok, Refused};
    let expected = [
        ("access_method.copy", Ok),
        ("access_method.encoded", Ok),
        ("access_method.encoded", Refused),
        ("access_method.delete", Ok),
        ("access_method.collected", Ok),
        ("access_method.delete", Ok),
        ("access_grant.delete", Ok),
        ("access_method.delete", Ok),
    ]
    .map(|(action, outcome)| (action.to_owned(), outcome));
    assert_eq!(audit_of(&desk, "night-manager"), expected);

    // The records name what changed.
    let log = desk
        .desk
        .audit_log(&AuditFilter {
            actor: Some("night-manager".into()),
            ..Default::default()
        })
        .unwrap();
    let copy_entry = log
        .iter()
        .find(|entry| entry.action == "access_method.copy")
        .unwrap();
    assert_eq!(copy_entry.subject_id, Some(copy.id.to_string()));
    assert_eq!(copy_entry.at, night.now);
    let encoded = log
        .iter()
        .find(|entry| entry.action == "access_method.encoded" && entry.outcome == Ok)
        .unwrap();
    assert_eq!(encoded.subject_id, Some(card_id.to_string()));
    assert_eq!(
        encoded.after.as_ref().unwrap()["card_id"],
        written.card_id.as_str()
    );
    // A card's history can be looked up by its id, its revocation included.
    let history: Vec<_> = desk
        .desk
        .audit_log(&AuditFilter {
            subject_id: Some(card_id.to_string()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .rev()
        .map(|entry| (entry.action, entry.outcome))
        .collect();
    assert_eq!(
        history,
        [
            ("access_method.encoded", Ok),
            ("access_method.delete", Ok),
            ("access_method.collected", Ok),
        ]
        .map(|(action, outcome)| (action.to_owned(), outcome))
    );
    let by_grant = desk
        .desk
        .audit_log(&AuditFilter {
            subject_id: Some(grant.id.to_string()),
            ..Default::default()
        })
        .unwrap();
    let actions: Vec<_> = by_grant.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "access_grant.create",
            "access_method.delete",
            "access_grant.delete"
        ]
    );
    let by_key = desk
        .desk
        .audit_log(&AuditFilter {
            subject_id: Some("stay-2".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_key.len(), 1);
    assert_eq!(by_key[0].action, "access_method.delete");

    let last = &log[0];
    assert_eq!(last.action, "access_method.delete");
    let revoked = last.after.as_ref().unwrap().as_array().unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0]["id"],
        other.access_method_ids[0].to_string().as_str()
    );
}

// ---------------------------------------------------------------------------------------------
// User identities

fn person(key: Option<&str>, email: Option<&str>, kind: UserKind) -> NewUserIdentity {
    NewUserIdentity {
        key: key.map(str::to_owned),
        full_name: Some("Ada Lovelace".into()),
        email_address: email.map(str::to_owned),
        phone_number: Some("+351 210 000 000".into()),
        kind,
    }
}

#[test]
fn user_identities_of_every_kind_round_trip() {
    let desk = Desk::new();
    let before = desk.desk.user_identities().unwrap().len();
    let mut created = Vec::new();
    for kind in UserKind::ALL {
        let key = format!("person-{}", kind.as_str());
        let request = person(Some(&key), Some("ada@example.com"), kind);
        let user = desk
            .desk
            .create_user_identity(&desk.context, &request)
            .unwrap();
        assert_eq!(user.kind, kind);
        assert_eq!(user.key.as_deref(), Some(key.as_str()));
        assert_eq!(user.full_name, request.full_name);
        assert_eq!(user.email_address, request.email_address);
        assert_eq!(user.phone_number, request.phone_number);
        assert_eq!(user.created_at, desk.context.now);
        assert_eq!(desk.desk.user_identity(user.id).unwrap(), user);
        created.push(user);
    }
    let all = desk.desk.user_identities().unwrap();
    assert_eq!(all.len(), before + 3);
    assert_eq!(all[before..], created[..]);

    let wire = desk
        .desk
        .user_identity(uuid::Uuid::new_v4())
        .unwrap_err()
        .to_wire();
    assert_eq!(wire.status, 404);
}

#[test]
fn a_taken_key_or_an_email_without_at_is_refused_and_changes_nothing() {
    let desk = Desk::new();
    desk.desk
        .create_user_identity(
            &desk.context,
            &person(Some("guest-1"), None, UserKind::Guest),
        )
        .unwrap();
    let users = desk.desk.user_identities().unwrap();
    let audit_before = audit_of(&desk, "desk");

    let error = desk
        .desk
        .create_user_identity(
            &desk.context,
            &person(Some("guest-1"), None, UserKind::Resident),
        )
        .unwrap_err();
    let wire = error.to_wire();
    assert_eq!(wire.status, 409, "{wire:?}");
    assert_eq!(wire.error_type, "conflict");
    assert_eq!(wire.field.as_deref(), Some("user_identity_key"));

    let error = desk
        .desk
        .create_user_identity(
            &desk.context,
            &person(Some("guest-2"), Some("ada.example.com"), UserKind::Guest),
        )
        .unwrap_err();
    assert_invalid(&error, "email_address");

    assert_eq!(desk.desk.user_identities().unwrap(), users);
    let mut expected = audit_before;
    expected.extend([
        ("user_identity.create".to_owned(), AuditOutcome::Refused),
        ("user_identity.create".to_owned(), AuditOutcome::Refused),
    ]);
    assert_eq!(audit_of(&desk, "desk"), expected);
}
