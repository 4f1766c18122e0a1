//! Staff cards a manager issues, and what a receptionist may do.

use engine::lock::Reason;
use engine::model::TimeFrame;
use frontdesk::RoomState;

use super::{
    ARRIVE, BOOKED, DURING, LEAVE, check_in, doors, entrance_keys, issue, keys, last_audit,
    manager, present, receptionist, refused, snapshot, tile,
};
use crate::support::{Desk, at, sequence_at};

#[test]
fn a_manager_issues_staff_cards_without_a_reservation() {
    let desk = Desk::new();
    let marta = manager();
    let shift = TimeFrame::new(at("2025-07-14T06:00:00Z"), at("2025-07-20T18:00:00Z"));
    let staff_doors = doors(&desk, &["room-101-door", "room-102-door", "gym-door"]);

    let before = snapshot(&desk);
    let error = refused(desk.desk.issue_staff_access(
        &receptionist(),
        at(BOOKED),
        "Hana Housekeeping",
        &staff_doors,
        shift,
    ));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (403, "forbidden")
    );
    assert_eq!(snapshot(&desk), before);
    let error = refused(desk.desk.staff_access(&receptionist(), at(BOOKED)));
    assert_eq!(error.status, 403);

    let grant = desk
        .desk
        .issue_staff_access(&marta, at(BOOKED), "Hana Housekeeping", &staff_doors, shift)
        .unwrap();
    assert_eq!(grant.reservation_key, None);
    assert_eq!(grant.reservation_id, None);
    assert!(
        grant
            .entrances
            .iter()
            .all(|entrance| !entrance.reservation_door && entrance.sequence.is_none())
    );
    assert_eq!(
        entrance_keys(&desk, &grant),
        keys(&["room-101-door", "room-102-door", "gym-door"])
    );
    assert_eq!(
        (grant.starts_at, grant.ends_at),
        (shift.starts_at, shift.ends_at)
    );
    assert_eq!(grant.access_method_ids.len(), 1);
    assert_eq!(grant.name.as_deref(), Some("Staff: Hana Housekeeping"));
    let hana = desk.desk.user_identity(grant.user_identity_id).unwrap();
    assert_eq!(hana.kind, engine::model::UserKind::Staff);
    assert_eq!(
        last_audit(&desk, "access_grant.create").actor,
        "operator:Marta"
    );

    let staff = desk.desk.staff_access(&marta, at(BOOKED)).unwrap();
    assert_eq!(staff.len(), 1);
    assert_eq!(staff[0].access_grant_id, grant.id);
    assert_eq!(staff[0].full_name.as_deref(), Some("Hana Housekeeping"));
    assert_eq!(staff[0].entrance_ids, grant.entrance_ids());
    assert_eq!(staff[0].cards.len(), 1);

    // Guests check in after her: their first card takes the room's first sequence.
    let stay = check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let guest_grant = desk
        .desk
        .access_grant(stay.guests[0].access_grant_id)
        .unwrap();
    assert_eq!(sequence_at(&desk, &guest_grant, "room-101-door"), None);
    // Her card never overrides the guest, and the guest's never shuts her out.
    let staff_card = issue(&desk, grant.access_method_ids[0]);
    let guest_card = issue(&desk, stay.guests[0].cards[0].id);
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-07-14T15:00:00Z").reason,
        Reason::Overrode { from: 0, to: 1 }
    );
    assert_eq!(
        present(&desk, "room-101-door", &staff_card, "2025-07-15T09:00:00Z").reason,
        Reason::StaffAccess
    );
    assert_eq!(
        present(&desk, "room-101-door", &guest_card, "2025-07-15T10:00:00Z").reason,
        Reason::Joined
    );
    // Not a stay on the board.
    let board = desk
        .desk
        .room_board(&receptionist(), at("2025-07-15T09:00:00Z"))
        .unwrap();
    assert_eq!(tile(&board, "room-102").state, RoomState::Vacant);
    assert_eq!(tile(&board, "room-101").stays[0].guests, ["Ana Silva"]);
}

#[test]
fn a_receptionist_may_do_every_front_desk_use_case() {
    let desk = Desk::new();
    let rui = receptionist();
    assert!(desk.desk.room_board(&rui, at(BOOKED)).is_ok());
    assert!(
        desk.desk
            .check_in_options(&rui, desk.space_id("room-101"), at(BOOKED))
            .is_ok()
    );
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana"], "R-1");
    assert!(desk.desk.stay(&rui, "R-1").is_ok());
    assert!(
        desk.desk
            .change_dates(&rui, at(BOOKED), "R-1", None, Some(at(DURING)), false)
            .is_ok()
    );
    assert!(desk.desk.reissue_stay(&rui, at(BOOKED), "R-1").is_ok());
    assert!(
        desk.desk
            .move_stay(&rui, at(BOOKED), "R-1", desk.space_id("room-102"), false)
            .is_ok()
    );
    assert!(desk.desk.check_out(&rui, at(BOOKED), "R-1").is_ok());
}
