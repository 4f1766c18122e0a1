//! A stay placed over another reservation's stay in the room: refused unless a manager allows it.

use frontdesk::StayDetail;
use store::AuditOutcome;

use super::{
    ARRIVE, BOOKED, DURING, LEAVE, assert_refusal_audited, check_in, last_audit, manager,
    receptionist, refused, request, snapshot,
};
use crate::support::{Desk, at};

/// Tom Morrow's stay in room 203, booked ahead: Thursday 17 July 15:00 to Sunday 11:00.
fn tom_booked(desk: &Desk) -> StayDetail {
    check_in(
        desk,
        "room-203",
        "2025-07-17T14:00:00Z",
        "2025-07-20T10:00:00Z",
        &["Tom Morrow"],
        "R-TOM",
    )
}

const OVER_TOM: &str = "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; \
     checking Ann Walker in until 18 Jul 11:00 would lock Tom out. A manager may allow it.";

#[test]
fn a_check_in_over_another_stay_in_the_room_is_refused_in_the_receptionist_s_words() {
    let desk = Desk::new();
    tom_booked(&desk);
    let before = snapshot(&desk);
    let ann = request(&desk, "room-203", ARRIVE, LEAVE, &["Ann Walker"], None);
    let error = refused(desk.desk.check_in(&receptionist(), at(BOOKED), &ann));
    assert_eq!((error.status, error.error_type.as_str()), (409, "conflict"));
    assert_eq!(error.field.as_deref(), Some("space_id"));
    assert_eq!(error.message, OVER_TOM);
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.check_in", "operator:Rui", &error);

    // A guest arriving inside Tom's stay is told from when.
    let late = request(
        &desk,
        "room-203",
        "2025-07-19T14:00:00Z",
        "2025-07-21T10:00:00Z",
        &["Ann Walker", "Bea Walker"],
        None,
    );
    let error = refused(desk.desk.check_in(&receptionist(), at(BOOKED), &late));
    assert_eq!(
        error.message,
        "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; checking Ann \
         Walker and Bea Walker in from 19 Jul 15:00 would lock Tom out. A manager may allow it."
    );
    assert_eq!(snapshot(&desk), before);
}

#[test]
fn a_manager_may_check_in_over_another_stay_and_the_override_is_audited() {
    let desk = Desk::new();
    tom_booked(&desk);
    let mut ann = request(
        &desk,
        "room-203",
        ARRIVE,
        LEAVE,
        &["Ann Walker"],
        Some("R-ANN"),
    );
    ann.allow_overlap = true;
    let stay = desk.desk.check_in(&manager(), at(BOOKED), &ann).unwrap();
    assert_eq!(stay.guests[0].full_name.as_deref(), Some("Ann Walker"));
    let entry = last_audit(&desk, "stay.overlap_allowed");
    assert_eq!(entry.outcome, AuditOutcome::Ok);
    assert_eq!(entry.actor, "operator:Marta");
    assert_eq!(entry.subject_id.as_deref(), Some("R-ANN"));
    let detail = entry.detail.unwrap_or_default();
    assert!(detail.contains("Tom Morrow"), "{detail}");
    let after = entry.after.unwrap();
    assert_eq!(after["overlapped_reservation_key"], "R-TOM");
}

#[test]
fn a_receptionist_may_not_override_an_overlap() {
    let desk = Desk::new();
    tom_booked(&desk);
    let before = snapshot(&desk);
    let mut ann = request(&desk, "room-203", ARRIVE, LEAVE, &["Ann Walker"], None);
    ann.allow_overlap = true;
    let error = refused(desk.desk.check_in(&receptionist(), at(BOOKED), &ann));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (403, "forbidden")
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.check_in", "operator:Rui", &error);
    let entry = last_audit(&desk, "stay.check_in");
    assert_eq!(entry.after.unwrap()["allow_overlap"], true);
}

#[test]
fn back_to_back_stays_touch_without_overlapping_but_a_minute_more_does() {
    let desk = Desk::new();
    tom_booked(&desk);
    // Ann leaves at 15:00 on Thursday, when Tom arrives; Eva arrives at 11:00 on Sunday.
    check_in(
        &desk,
        "room-203",
        ARRIVE,
        "2025-07-17T14:00:00Z",
        &["Ann Walker"],
        "R-ANN",
    );
    check_in(
        &desk,
        "room-203",
        "2025-07-20T10:00:00Z",
        "2025-07-22T10:00:00Z",
        &["Eva Lopes"],
        "R-EVA",
    );
    let error = refused(desk.desk.check_in(
        &receptionist(),
        at(BOOKED),
        &request(
            &desk,
            "room-203",
            "2025-07-20T09:59:00Z",
            "2025-07-21T10:00:00Z",
            &["Ann Walker"],
            None,
        ),
    ));
    assert_eq!(error.status, 409, "{error:?}");
    assert!(error.message.contains("Tom Morrow"), "{}", error.message);
}

#[test]
fn a_move_into_a_room_booked_later_is_refused_unless_a_manager_allows_it() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ann Walker"], "R-ANN");
    tom_booked(&desk);
    let before = snapshot(&desk);
    let to = desk.space_id("room-203");
    let error = refused(
        desk.desk
            .move_stay(&receptionist(), at(DURING), "R-ANN", to, false),
    );
    assert_eq!((error.status, error.error_type.as_str()), (409, "conflict"));
    assert_eq!(
        error.message,
        "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; moving Ann \
         Walker here until 18 Jul 11:00 would lock Tom out. A manager may allow it."
    );
    let error = refused(
        desk.desk
            .move_stay(&receptionist(), at(DURING), "R-ANN", to, true),
    );
    assert_eq!(error.status, 403, "{error:?}");
    assert_eq!(snapshot(&desk), before);

    let moved = desk
        .desk
        .move_stay(&manager(), at(DURING), "R-ANN", to, true)
        .unwrap();
    assert_eq!(moved.stay.space_id, Some(to));
    let entry = last_audit(&desk, "stay.overlap_allowed");
    assert_eq!(entry.actor, "operator:Marta");
    assert_eq!(entry.after.unwrap()["overlapped_reservation_key"], "R-TOM");
}

#[test]
fn extending_a_stay_into_the_next_one_is_refused_unless_a_manager_allows_it() {
    let desk = Desk::new();
    check_in(
        &desk,
        "room-203",
        ARRIVE,
        "2025-07-17T10:00:00Z",
        &["Ann Walker"],
        "R-ANN",
    );
    tom_booked(&desk);
    let before = snapshot(&desk);
    let error = refused(desk.desk.change_dates(
        &receptionist(),
        at(DURING),
        "R-ANN",
        None,
        Some(at(LEAVE)),
        false,
    ));
    assert_eq!((error.status, error.error_type.as_str()), (409, "conflict"));
    assert_eq!(error.field.as_deref(), Some("ends_at"));
    assert_eq!(
        error.message,
        "Room 203 is booked for Tom Morrow from 17 Jul 15:00 to 20 Jul 11:00; extending Ann \
         Walker's stay until 18 Jul 11:00 would lock Tom out. A manager may allow it."
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.change_dates", "operator:Rui", &error);

    // Up to Tom's arrival is fine.
    desk.desk
        .change_dates(
            &receptionist(),
            at(DURING),
            "R-ANN",
            None,
            Some(at("2025-07-17T14:00:00Z")),
            false,
        )
        .unwrap();
    // A manager may agree to the overlap; shortening it again needs no one's word.
    desk.desk
        .change_dates(&manager(), at(DURING), "R-ANN", None, Some(at(LEAVE)), true)
        .unwrap();
    assert_eq!(
        last_audit(&desk, "stay.overlap_allowed").actor,
        "operator:Marta"
    );
    desk.desk
        .change_dates(
            &receptionist(),
            at(DURING),
            "R-ANN",
            None,
            Some(at("2025-07-17T18:00:00Z")),
            false,
        )
        .unwrap();
}
