//! Bugs the property tests (`properties.rs`) found, each pinned by a plain test.

mod support;

use frontdesk::UpdateAccessGrant;
use support::{Desk, at};

/// Deleting a grant revoked its cards but left `is_encoding_required` set on them, while
/// revoking the same cards through `delete_access_method*` clears it: a revoked card of a
/// deleted grant still said "re-encode the plastic card for the new dates".
#[test]
fn deleting_a_grant_clears_encoding_required_on_its_revoked_cards() {
    let desk = Desk::new();
    let guest = desk.guest();
    let grant = desk
        .stay(
            &guest,
            &["room-101"],
            "2025-05-10T15:00:00Z",
            "2025-05-14T11:00:00Z",
            Some("stay-1"),
        )
        .unwrap();
    let card = grant.access_method_ids[0];
    desk.encode(card);
    desk.desk
        .update_access_grant(
            &desk.context,
            &UpdateAccessGrant {
                access_grant_id: grant.id,
                starts_at: None,
                ends_at: Some(at("2025-05-16T11:00:00Z")),
                name: None,
            },
        )
        .unwrap();
    let stale = desk.desk.access_method(card).unwrap();
    assert!(stale.is_encoding_required);

    desk.desk
        .delete_access_grant(&desk.context, grant.id)
        .unwrap();

    let methods = desk
        .desk
        .store()
        .read(|r| r.access_methods_of_grant(grant.id))
        .unwrap();
    assert_eq!(methods.len(), 1);
    assert!(methods[0].revoked_at.is_some());
    assert!(
        !methods[0].is_encoding_required,
        "a revoked card of a deleted grant needs no re-encoding"
    );
}

/// Rule 4 says every grant of a reservation overlaps the others. Creating a grant checked
/// it, but an update checked only the moved grant: shortening the first guest's stay could
/// leave a joiner that overlapped only that stay overlapping nothing, a state no sequence of
/// creates can reach.
#[test]
fn an_update_may_not_leave_another_grant_of_the_reservation_overlapping_none() {
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
    desk.stay(
        &desk.guest(),
        &["room-101"],
        "2025-05-10T15:00:00Z",
        "2025-05-12T11:00:00Z",
        Some("stay-1"),
    )
    .unwrap();
    // Overlaps the first guest's stay only.
    desk.stay(
        &desk.guest(),
        &["room-101"],
        "2025-05-13T15:00:00Z",
        "2025-05-14T11:00:00Z",
        Some("stay-1"),
    )
    .unwrap();
    let before = desk
        .desk
        .access_grants(&frontdesk::GrantFilter::default())
        .unwrap();

    let error = desk
        .desk
        .update_access_grant(
            &desk.context,
            &UpdateAccessGrant {
                access_grant_id: first.id,
                starts_at: None,
                ends_at: Some(at("2025-05-12T11:00:00Z")),
                name: None,
            },
        )
        .unwrap_err()
        .to_wire();
    assert_eq!(error.status, 409);
    assert_eq!(error.error_type, "reservation_time_frames_must_overlap");
    assert_eq!(
        desk.desk
            .access_grants(&frontdesk::GrantFilter::default())
            .unwrap(),
        before
    );

    // Moving it so that it still overlaps both is fine.
    let moved = desk
        .desk
        .update_access_grant(
            &desk.context,
            &UpdateAccessGrant {
                access_grant_id: first.id,
                starts_at: Some(at("2025-05-11T15:00:00Z")),
                ends_at: None,
                name: None,
            },
        )
        .unwrap();
    assert_eq!(moved.starts_at, at("2025-05-11T15:00:00Z"));
}
