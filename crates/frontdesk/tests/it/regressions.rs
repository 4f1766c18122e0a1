//! Bugs the property tests (`properties/`) found, each pinned by a plain test.

use frontdesk::UpdateAccessGrant;

use crate::support::{Desk, at};

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

/// Rule 4: every grant of a reservation overlaps every other one. An update checked only that
/// the moved grant overlapped some grant, so a chain (A overlaps B, B overlaps C, A and C
/// apart) could be made by moving C; and a create let a joiner in that overlapped one guest
/// of the stay only.
#[test]
fn an_update_or_a_joiner_may_not_leave_two_grants_of_a_reservation_apart() {
    let desk = Desk::new();
    let stay = |starts_at: &str, ends_at: &str| {
        desk.stay(
            &desk.guest(),
            &["room-101"],
            starts_at,
            ends_at,
            Some("stay-1"),
        )
        .map_err(Box::new)
    };
    let first = stay("2025-05-10T15:00:00Z", "2025-05-14T11:00:00Z").unwrap();
    stay("2025-05-10T15:00:00Z", "2025-05-12T11:00:00Z").unwrap();
    let third = stay("2025-05-11T15:00:00Z", "2025-05-14T11:00:00Z").unwrap();
    // Overlaps the first and the third guest, not the second.
    let error = stay("2025-05-13T15:00:00Z", "2025-05-14T11:00:00Z").unwrap_err();
    assert_eq!(error.status, 409);
    assert_eq!(error.error_type, "reservation_time_frames_must_overlap");
    let before = desk
        .desk
        .access_grants(&frontdesk::GrantFilter::default())
        .unwrap();

    // Moving the third guest's start to the second guest's end leaves those two apart.
    let error = desk
        .desk
        .update_access_grant(
            &desk.context,
            &UpdateAccessGrant {
                access_grant_id: third.id,
                starts_at: Some(at("2025-05-12T11:00:00Z")),
                ends_at: None,
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

    // Moving the first so that it still overlaps both is fine.
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
