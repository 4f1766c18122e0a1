//! Grants without an end (a staff member's standing access, a lease with no end date) and
//! without a start (from now), through the use cases, down to the card and the lock.

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use chrono::TimeDelta;
use engine::lock::Decision;
use engine::model::{OPEN_END, UserKind};
use frontdesk::{Context, CreateAccessGrant, UpdateAccessGrant};

use crate::support::{Desk, at, card};

fn open_ended(
    desk: &Desk,
    kind: UserKind,
    spaces: &[&str],
    key: Option<&str>,
) -> CreateAccessGrant {
    CreateAccessGrant {
        user_identity_id: Some(desk.user(kind).id),
        space_keys: spaces.iter().map(|space| (*space).to_owned()).collect(),
        requested_access_methods: vec![card()],
        reservation_key: key.map(str::to_owned),
        ..Default::default()
    }
}

fn rename(grant: uuid::Uuid, name: &str) -> UpdateAccessGrant {
    UpdateAccessGrant {
        access_grant_id: grant,
        starts_at: None,
        ends_at: None,
        name: Some(name.to_owned()),
    }
}

#[test]
fn a_staff_grant_without_dates_starts_now_never_ends_and_its_card_opens_for_good() {
    let desk = Desk::new();
    let grant = desk
        .create(&open_ended(&desk, UserKind::Staff, &["gym"], None))
        .unwrap();
    assert_eq!(grant.starts_at, desk.context.now);
    assert_eq!(grant.ends_at, OPEN_END);
    assert!(grant.frame().is_open_ended());

    let written = desk.encode(grant.access_method_ids[0]);
    let report = desk.desk.read_card(&desk.context, &desk.station).unwrap();
    assert_eq!(report.card_id, written.card_id);
    assert_eq!(report.content.unwrap().valid_until, OPEN_END);

    let gym = desk.entrance_id("gym-door");
    for when in [
        "2025-05-01T10:00:00Z",
        "2090-01-01T00:00:00Z",
        "9999-12-31T23:00:00Z",
    ] {
        let decision = desk
            .desk
            .present_card(
                &desk.context,
                &desk.station,
                gym,
                &written.card_id,
                Some(at(when)),
            )
            .unwrap();
        assert_eq!(decision.decision, Decision::Granted, "{when}: {decision:?}");
    }
}

#[test]
fn an_open_end_overlaps_every_later_stay_of_its_reservation() {
    let desk = Desk::new();
    let lease = open_ended(&desk, UserKind::Resident, &["room-101"], Some("lease-1"));
    let lease = desk
        .create(&CreateAccessGrant {
            starts_at: Some(at("2025-06-01T12:00:00Z")),
            ..lease
        })
        .unwrap();
    assert_eq!(lease.ends_at, OPEN_END);
    // A joiner years later still overlaps the lease: the open end is +infinity.
    let joiner = desk
        .stay(
            &desk.user(UserKind::Resident),
            &["room-101"],
            "2040-01-01T00:00:00Z",
            "2041-01-01T00:00:00Z",
            Some("lease-1"),
        )
        .unwrap();
    assert_eq!(joiner.reservation_id, lease.reservation_id);
    // The other way round: a joiner with no end after a lease with one.
    let dated = desk
        .stay(
            &desk.user(UserKind::Resident),
            &["room-102"],
            "2025-06-01T12:00:00Z",
            "2025-07-01T12:00:00Z",
            Some("lease-2"),
        )
        .unwrap();
    let before = open_ended(&desk, UserKind::Resident, &["room-102"], Some("lease-2"));
    let refused = desk
        .create(&CreateAccessGrant {
            starts_at: Some(at("2025-07-01T12:00:00Z")),
            ..before.clone()
        })
        .unwrap_err();
    assert_eq!(refused.error_type, "reservation_time_frames_must_overlap");
    let open_joiner = desk
        .create(&CreateAccessGrant {
            starts_at: Some(at("2025-06-30T12:00:00Z")),
            ..before
        })
        .unwrap();
    assert_eq!(open_joiner.reservation_id, dated.reservation_id);
    assert_eq!(open_joiner.ends_at, OPEN_END);
}

#[test]
fn an_update_gives_and_takes_away_an_end() {
    let desk = Desk::new();
    let grant = desk
        .create(&open_ended(&desk, UserKind::Staff, &["pool"], None))
        .unwrap();
    let end = at("2025-09-01T00:00:00Z");
    let update = |ends_at| UpdateAccessGrant {
        access_grant_id: grant.id,
        starts_at: None,
        ends_at: Some(ends_at),
        name: None,
    };
    let dated = desk
        .desk
        .update_access_grant(&desk.context, &update(end))
        .unwrap();
    assert_eq!(dated.ends_at, end);
    let open = desk
        .desk
        .update_access_grant(&desk.context, &update(OPEN_END))
        .unwrap();
    assert!(open.frame().is_open_ended());
}

#[test]
fn a_grant_whose_end_passed_may_be_renamed_but_not_given_other_past_dates() {
    let desk = Desk::new();
    let grant = desk
        .stay(
            &desk.guest(),
            &["room-101"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            Some("stay-1"),
        )
        .unwrap();
    let later = Context::new("desk", at("2025-06-01T09:00:00Z"));

    let renamed = desk
        .desk
        .update_access_grant(&later, &rename(grant.id, "Smith family"))
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Smith family"));
    assert_eq!(renamed.frame(), grant.frame());
    // The same dates given again are no change either.
    let same = UpdateAccessGrant {
        starts_at: Some(grant.starts_at),
        ends_at: Some(grant.ends_at),
        ..rename(grant.id, "Smiths")
    };
    desk.desk.update_access_grant(&later, &same).unwrap();

    // A name is still checked, and new dates still may not end in the past.
    let bad_name = desk
        .desk
        .update_access_grant(&later, &rename(grant.id, " "))
        .unwrap_err()
        .to_wire();
    assert_eq!(bad_name.field.as_deref(), Some("name"));
    let moved = UpdateAccessGrant {
        ends_at: Some(grant.ends_at + TimeDelta::days(1)),
        ..rename(grant.id, "Smiths")
    };
    let past = desk
        .desk
        .update_access_grant(&later, &moved)
        .unwrap_err()
        .to_wire();
    assert_eq!(past.field.as_deref(), Some("ends_at"));
    assert_eq!(
        desk.desk.access_grant(grant.id).unwrap().name.as_deref(),
        Some("Smiths")
    );
}
