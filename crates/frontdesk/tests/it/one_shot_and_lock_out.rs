//! One-shot keys and lock-out cards through the desk's use cases: a one-shot card opens each
//! of its doors once, on numbers of its own that never come back and never touch a guest's;
//! the staff screen shows it used once the locks took it. A lock-out card, a manager's,
//! shuts a room's guest out until a lift card or the next guest's card is used there.

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use encoder::CardUid;
use encoder::card::{self, CardKind};
use engine::lock::{Decision, Reason, StaffLevel};
use engine::model::{AccessMode, RequestedAccessMethod, TimeFrame, UserKind};
use frontdesk::{Context, CreateAccessGrant, NewUserIdentity, Operator, Role, StaffCardsState};

use crate::support::{Desk, at, card, mode, present};

const FROM: &str = "2025-05-01T09:00:00Z";
const UNTIL: &str = "2025-05-02T09:00:00Z";

fn manager() -> Operator {
    Operator {
        id: uuid::Uuid::new_v4(),
        name: "Marta".to_owned(),
        role: Role::Manager,
        terminal: None,
    }
}

fn one_shot_grant(doors: &[&str]) -> CreateAccessGrant {
    CreateAccessGrant {
        new_user_identity: Some(NewUserIdentity {
            key: None,
            full_name: Some("Vera Viewing".to_owned()),
            email_address: None,
            phone_number: None,
            kind: UserKind::Guest,
        }),
        space_keys: doors.iter().map(|key| (*key).to_owned()).collect(),
        starts_at: Some(at(FROM)),
        ends_at: Some(at(UNTIL)),
        requested_access_methods: vec![card()],
        one_shot: true,
        ..Default::default()
    }
}

/// Encodes the access method onto a fresh blank; the card's UID.
fn on_blank(desk: &Desk, method: uuid::Uuid) -> String {
    desk.station.simulator().unwrap().present_blank_card();
    desk.encode(method).card_id
}

fn card_data(desk: &Desk, card_id: &str) -> card::CardData {
    let uid = CardUid::from_hex(card_id).unwrap();
    let image = desk.station.simulator().unwrap().card(&uid).unwrap().image;
    card::open(&image, &uid, desk.station.keys()).unwrap()
}

/// A manager's lock-out card (or, `lift`, lift card) for room 101, on a blank; its UID.
fn lock_out_101(desk: &Desk, lift: bool) -> String {
    desk.station.simulator().unwrap().present_blank_card();
    desk.desk
        .encode_lock_out_card(
            &manager().context(at(FROM)),
            &desk.station,
            &[desk.entrance_id("room-101-door")],
            lift,
            &mut |_, _| {},
        )
        .unwrap()
        .card_id
}

#[test]
fn a_one_shot_card_opens_its_room_once_and_leaves_the_guest_in_it_alone() {
    let desk = Desk::new();
    let guest = desk.guest();
    let stay = desk
        .stay(&guest, &["room-101"], FROM, UNTIL, Some("stay-1"))
        .unwrap();
    let guest_card = on_blank(&desk, stay.access_method_ids[0]);
    assert!(
        present(&desk, "room-101-door", &guest_card, "2025-05-01T10:00:00Z").decision
            == Decision::Granted
    );

    let viewing = desk.create(&one_shot_grant(&["room-101"])).unwrap();
    assert!(viewing.one_shot);
    let first = on_blank(&desk, viewing.access_method_ids[0]);
    let data = card_data(&desk, &first);
    assert_eq!(data.kind, CardKind::OneShot);
    assert_eq!(data.reservation_id, None);
    assert_eq!(data.capable_doors.len(), 1);
    assert_eq!(data.capable_doors[0].sequence, 1);
    assert!(data.common_doors.is_empty());

    let used = present(&desk, "room-101-door", &first, "2025-05-01T11:00:00Z");
    assert_eq!(
        (used.decision, used.reason),
        (Decision::Granted, Reason::OneShotUsed)
    );
    let again = present(&desk, "room-101-door", &first, "2025-05-01T11:05:00Z");
    assert_eq!(again.reason, Reason::OneShotSpent { card: 1, lock: 1 });
    // The guest in the room was not overridden by it.
    let back = present(&desk, "room-101-door", &guest_card, "2025-05-01T12:00:00Z");
    assert_eq!(back.reason, Reason::Joined);

    // The next one-shot card takes the next number, and opens once too.
    let second_grant = desk.create(&one_shot_grant(&["room-101"])).unwrap();
    let second = on_blank(&desk, second_grant.access_method_ids[0]);
    assert_eq!(card_data(&desk, &second).capable_doors[0].sequence, 2);
    assert_eq!(
        present(&desk, "room-101-door", &second, "2025-05-01T13:00:00Z").reason,
        Reason::OneShotUsed
    );
    // Re-encoded onto other plastic, it keeps its grant's number: the grant was used.
    let third = on_blank(&desk, second_grant.access_method_ids[0]);
    assert_eq!(card_data(&desk, &third).capable_doors[0].sequence, 2);
    assert_eq!(
        present(&desk, "room-101-door", &third, "2025-05-01T13:30:00Z").reason,
        Reason::OneShotSpent { card: 2, lock: 2 }
    );
}

#[test]
fn a_one_shot_staff_key_shows_used_once_the_locks_took_it_at_every_door() {
    let desk = Desk::new();
    let now = at(FROM);
    let doors = [
        desk.entrance_id("room-102-door"),
        desk.entrance_id("gym-door"),
    ];
    let grant = desk
        .desk
        .issue_one_shot_key(
            &manager(),
            now,
            "Carl Contractor",
            &doors,
            TimeFrame::new(now, at(UNTIL)),
        )
        .unwrap();
    let state = |desk: &Desk| {
        let staff = desk.desk.staff_access(&manager(), now).unwrap();
        let entry = staff
            .iter()
            .find(|entry| entry.access_grant_id == grant.id)
            .unwrap();
        assert!(entry.one_shot);
        entry.cards_state
    };
    assert_eq!(state(&desk), StaffCardsState::NotEncoded);
    let card_id = on_blank(&desk, grant.access_method_ids[0]);
    assert_eq!(card_data(&desk, &card_id).kind, CardKind::OneShot);
    assert_eq!(state(&desk), StaffCardsState::Encoded);

    present(&desk, "room-102-door", &card_id, "2025-05-01T10:00:00Z");
    assert_eq!(
        state(&desk),
        StaffCardsState::Encoded,
        "the gym is still to come"
    );
    let gym = present(&desk, "gym-door", &card_id, "2025-05-01T10:05:00Z");
    assert_eq!(gym.reason, Reason::OneShotUsed);
    assert_eq!(state(&desk), StaffCardsState::Used);
}

#[test]
fn what_a_one_shot_key_cannot_be_is_refused_by_field_and_changes_nothing() {
    let desk = Desk::new();
    let before = desk.desk.access_grants(&Default::default()).unwrap().len();
    let cases = [
        CreateAccessGrant {
            reservation_key: Some("stay-9".to_owned()),
            ..one_shot_grant(&["room-101"])
        },
        CreateAccessGrant {
            requested_access_methods: vec![card(), mode(AccessMode::Code)],
            ..one_shot_grant(&["room-101"])
        },
        CreateAccessGrant {
            requested_access_methods: Vec::new(),
            ..one_shot_grant(&["room-101"])
        },
    ];
    for request in &cases {
        let error = desk.create(request).unwrap_err();
        assert_eq!(
            (error.status, error.field.as_deref()),
            (400, Some("one_shot")),
            "{error:?}"
        );
    }
    let staff = CreateAccessGrant {
        new_user_identity: Some(NewUserIdentity {
            kind: UserKind::Staff,
            ..one_shot_grant(&[]).new_user_identity.unwrap()
        }),
        staff_level: Some(StaffLevel::Master),
        ..one_shot_grant(&[])
    };
    let error = desk
        .desk
        .create_access_grant(&manager().context(at(FROM)), &staff)
        .unwrap_err()
        .to_wire();
    assert_eq!(error.field.as_deref(), Some("one_shot"), "{error:?}");
    // Only doors an online system opens: nothing for this desk to write.
    let online = CreateAccessGrant {
        requested_access_methods: vec![RequestedAccessMethod {
            mode: AccessMode::Card,
            code: None,
        }],
        ..one_shot_grant(&["parking"])
    };
    let error = desk.create(&online).unwrap_err();
    assert_eq!(
        error.field.as_deref(),
        Some("acs_entrance_ids"),
        "{error:?}"
    );
    assert_eq!(
        desk.desk.access_grants(&Default::default()).unwrap().len(),
        before
    );
}

#[test]
fn a_lock_out_card_shuts_the_guest_out_until_lifted_or_the_next_guest_arrives() {
    let desk = Desk::new();
    let guest = desk.guest();
    let stay = desk
        .stay(&guest, &["room-101"], FROM, UNTIL, Some("stay-1"))
        .unwrap();
    let guest_card = on_blank(&desk, stay.access_method_ids[0]);
    present(&desk, "room-101-door", &guest_card, "2025-05-01T10:00:00Z");
    let room = desk.entrance_id("room-101-door");
    let manager = manager().context(at(FROM));
    let lock_out = |lift: bool| lock_out_101(&desk, lift);

    let shut = lock_out(false);
    assert_eq!(card_data(&desk, &shut).kind, CardKind::LockOut);
    let used = present(&desk, "room-101-door", &shut, "2025-05-01T11:00:00Z");
    assert_eq!(
        (used.decision, used.reason),
        (Decision::Denied, Reason::LockedOut)
    );
    assert!(desk.desk.door_privacy(&manager, room).unwrap().locked_out);
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-05-01T11:10:00Z").reason,
        Reason::DoorLockedOut
    );

    let lift = lock_out(true);
    assert_eq!(card_data(&desk, &lift).kind, CardKind::LockOutLift);
    assert_eq!(
        present(&desk, "room-101-door", &lift, "2025-05-01T12:00:00Z").reason,
        Reason::LockOutLifted
    );
    assert!(!desk.desk.door_privacy(&manager, room).unwrap().locked_out);
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-05-01T12:10:00Z").reason,
        Reason::Joined
    );

    // Locked out again, the next guest's first card lifts it and overrides.
    present(
        &desk,
        "room-101-door",
        &lock_out(false),
        "2025-05-01T13:00:00Z",
    );
    desk.desk
        .check_out(&self::manager(), at("2025-05-01T13:30:00Z"), "stay-1")
        .unwrap();
    let next = desk
        .stay(
            &desk.guest(),
            &["room-101"],
            "2025-05-01T14:00:00Z",
            "2025-05-03T11:00:00Z",
            Some("stay-2"),
        )
        .unwrap();
    let next_card = on_blank(&desk, next.access_method_ids[0]);
    let judged = present(&desk, "room-101-door", &next_card, "2025-05-01T14:10:00Z");
    assert_eq!(judged.decision, Decision::Granted, "{judged:?}");
    assert!(!desk.desk.door_privacy(&manager, room).unwrap().locked_out);
}

#[test]
fn lock_out_cards_are_a_manager_s_and_only_for_guest_room_doors() {
    let desk = Desk::new();
    let room = desk.entrance_id("room-101-door");
    let api = Context::api(at(FROM));
    desk.station.simulator().unwrap().present_blank_card();
    let refused = desk
        .desk
        .encode_lock_out_card(&api, &desk.station, &[room], false, &mut |_, _| {})
        .unwrap_err()
        .to_wire();
    assert_eq!(refused.status, 403, "{refused:?}");
    let receptionist = Operator {
        role: Role::Receptionist,
        ..manager()
    };
    assert_eq!(
        desk.desk
            .check_lock_out_card(&receptionist.context(at(FROM)), &[room])
            .unwrap_err()
            .to_wire()
            .status,
        403
    );
    let lobby = desk.entrance_id("lobby-door");
    let error = desk
        .desk
        .encode_lock_out_card(
            &manager().context(at(FROM)),
            &desk.station,
            &[room, lobby],
            false,
            &mut |_, _| {},
        )
        .unwrap_err()
        .to_wire();
    assert_eq!(
        (error.status, error.field.as_deref()),
        (400, Some("acs_entrance_ids[1]")),
        "{error:?}"
    );
    // Nothing was written: the blank is still blank.
    let blanks = desk.station.simulator().unwrap().cards();
    assert!(blanks.iter().all(|card| card.image.is_empty()));
}

#[test]
fn a_revoked_one_shot_key_stays_in_the_warnings_until_the_locks_took_it() {
    let desk = Desk::new();
    let now = at(FROM);
    let room = desk.entrance_id("room-102-door");
    let grant = desk
        .desk
        .issue_one_shot_key(
            &manager(),
            now,
            "Carl Contractor",
            &[room],
            TimeFrame::new(now, at(UNTIL)),
        )
        .unwrap();
    let card_id = on_blank(&desk, grant.access_method_ids[0]);
    desk.desk
        .revoke_staff_access(&manager(), now, grant.id)
        .unwrap();
    let warned = |when: &str| {
        desk.desk
            .warnings(&manager(), at(when))
            .unwrap()
            .into_iter()
            .filter(|warning| warning.access_grant_id == grant.id)
            .map(|warning| warning.message)
            .collect::<Vec<_>>()
    };
    let before = warned("2025-05-01T09:30:00Z");
    assert_eq!(before.len(), 1, "{before:?}");
    assert!(
        before[0].contains("Room 102 door once") && before[0].contains("one-shot card"),
        "{before:?}"
    );
    // The lock does not know it was revoked: it opens once, and then nothing more.
    let used = present(&desk, "room-102-door", &card_id, "2025-05-01T10:00:00Z");
    assert_eq!(used.reason, Reason::OneShotUsed);
    assert_eq!(warned("2025-05-01T10:01:00Z"), Vec::<String>::new());
}

#[test]
fn the_cards_of_one_one_shot_grant_share_its_numbers_so_the_door_opens_once() {
    let desk = Desk::new();
    let grant = desk
        .create(&CreateAccessGrant {
            requested_access_methods: vec![card(), card()],
            ..one_shot_grant(&["room-101"])
        })
        .unwrap();
    let first = on_blank(&desk, grant.access_method_ids[0]);
    let second = on_blank(&desk, grant.access_method_ids[1]);
    assert_eq!(
        card_data(&desk, &first).capable_doors,
        card_data(&desk, &second).capable_doors
    );
    // The second card used first spends the grant: the first is refused after, not before.
    assert_eq!(
        present(&desk, "room-101-door", &second, "2025-05-01T10:00:00Z").reason,
        Reason::OneShotUsed
    );
    assert_eq!(
        present(&desk, "room-101-door", &first, "2025-05-01T10:05:00Z").reason,
        Reason::OneShotSpent { card: 1, lock: 1 }
    );
}

#[test]
fn a_lock_out_moves_the_door_to_its_last_number_so_the_guest_s_unused_card_stays_out() {
    let desk = Desk::new();
    let stay = desk
        .stay(&desk.guest(), &["room-101"], FROM, UNTIL, Some("stay-1"))
        .unwrap();
    let first = on_blank(&desk, stay.access_method_ids[0]);
    present(&desk, "room-101-door", &first, "2025-05-01T10:00:00Z");
    // A new card for the lost key, not used at the door yet, then the lock-out.
    let reissued = desk
        .desk
        .reissue_stay(&manager(), at("2025-05-01T10:30:00Z"), "stay-1")
        .unwrap();
    let new_card = on_blank(&desk, reissued.guests[0].cards[0].id);
    let shut = lock_out_101(&desk, false);
    present(&desk, "room-101-door", &shut, "2025-05-01T11:00:00Z");
    assert_eq!(
        present(&desk, "room-101-door", &new_card, "2025-05-01T11:05:00Z").reason,
        Reason::DoorLockedOut
    );
}

#[test]
fn a_lock_out_leaves_the_next_guest_s_card_above_it_and_a_lift_lets_the_guest_back_in() {
    let desk = Desk::new();
    let stay = desk
        .stay(&desk.guest(), &["room-101"], FROM, UNTIL, Some("stay-1"))
        .unwrap();
    let guest_card = on_blank(&desk, stay.access_method_ids[0]);
    present(&desk, "room-101-door", &guest_card, "2025-05-01T10:00:00Z");
    // Tomorrow's guest's card made ahead: numbered after the guest in the room.
    let next = desk
        .stay(
            &desk.guest(),
            &["room-101"],
            UNTIL,
            "2025-05-03T11:00:00Z",
            Some("stay-2"),
        )
        .unwrap();
    let next_card = on_blank(&desk, next.access_method_ids[0]);
    let encode = |lift: bool| lock_out_101(&desk, lift);
    let shut = encode(false);
    assert_eq!(card_data(&desk, &shut).capable_doors[0].sequence, 1);
    present(&desk, "room-101-door", &shut, "2025-05-01T11:00:00Z");
    let lift = encode(true);
    present(&desk, "room-101-door", &lift, "2025-05-01T12:00:00Z");
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-05-01T12:05:00Z").reason,
        Reason::Joined
    );
    // Locked out again: tomorrow's guest's card lifts it at their arrival.
    present(
        &desk,
        "room-101-door",
        &encode(false),
        "2025-05-01T13:00:00Z",
    );
    let arrived = present(&desk, "room-101-door", &next_card, "2025-05-02T09:30:00Z");
    assert_eq!(arrived.reason, Reason::Overrode { from: 1, to: 2 });
}
