//! Open-ended grants, changes of a grant's dates and name, and override sequence numbers.

use std::collections::{BTreeMap, BTreeSet};

use engine::RuleError;
use engine::model::{TimeFrame, UserKind};
use engine::rules::{Placement, assign_sequences, check_name, check_update};

use super::{
    ROOM_101, ROOM_102, ROOM_103, ROOM_203, Request, at, doors, id, live, now, room, stay_1,
};

// open ends

#[test]
fn an_open_ended_grant_is_accepted_and_joins_by_overlapping_any_later_stay() {
    let open = TimeFrame::until(at(2025, 5, 10, 15, 0), None);
    let lease = Request::guest(vec![room(ROOM_101)])
        .user(UserKind::Resident)
        .key(Some("lease-1"))
        .frame(open.starts_at, open.ends_at);
    assert_eq!(
        lease.check(None),
        Ok(Placement::Establish {
            doors: doors(&[ROOM_101])
        })
    );
    // A stay decades later still overlaps a reservation whose grant never ends.
    let later = lease
        .clone()
        .frame(at(2060, 1, 1, 0, 0), at(2060, 1, 5, 0, 0));
    assert!(matches!(
        later.check(Some(&live(&[ROOM_101], &[open]))),
        Ok(Placement::Join { .. })
    ));
    // And an open end overlaps a stay that started long before it, if still running.
    assert_eq!(check_update(&open, None, &[stay_1()], now()), Ok(()));
    let long_ago = TimeFrame::new(at(2025, 5, 2, 0, 0), at(2025, 5, 3, 0, 0));
    assert!(check_update(&open, None, &[long_ago], now()).is_err());
}

#[test]
fn a_name_alone_is_checked_without_dates() {
    assert_eq!(check_name(None), Ok(()));
    assert_eq!(check_name(Some("Smith family")), Ok(()));
    assert_eq!(check_name(Some("  ")).unwrap_err().field(), Some("name"));
}

// check_update

#[test]
fn update_overlapping_the_other_grants_is_accepted() {
    // "Reservation time frame changes": extend to 2025-05-16T11:00Z.
    let others = [stay_1()];
    let extended = TimeFrame::new(stay_1().starts_at, at(2025, 5, 16, 11, 0));
    assert_eq!(
        check_update(&extended, Some("extended"), &others, now()),
        Ok(())
    );
}

#[test]
fn update_moving_away_from_the_other_grants_is_refused() {
    let others = [stay_1()];
    let moved = TimeFrame::new(at(2025, 5, 20, 15, 0), at(2025, 5, 22, 11, 0));
    let error = check_update(&moved, None, &others, now()).unwrap_err();
    assert_eq!(error, RuleError::TimeFramesMustOverlap);
    assert_eq!(error.status(), 409);
}

#[test]
fn update_touching_the_other_grant_end_does_not_overlap() {
    let others = [stay_1()];
    let touching = TimeFrame::new(stay_1().ends_at, at(2025, 5, 16, 11, 0));
    assert_eq!(
        check_update(&touching, None, &others, now()),
        Err(RuleError::TimeFramesMustOverlap)
    );
}

#[test]
fn update_must_overlap_every_other_grant() {
    let others = [
        TimeFrame::new(at(2025, 5, 10, 15, 0), at(2025, 5, 13, 11, 0)),
        TimeFrame::new(at(2025, 5, 12, 15, 0), at(2025, 5, 16, 11, 0)),
    ];
    // Moved to overlap the second grant only: the first and this one would share no moment.
    let chained = TimeFrame::new(at(2025, 5, 14, 15, 0), at(2025, 5, 18, 11, 0));
    assert_eq!(
        check_update(&chained, None, &others, now()),
        Err(RuleError::TimeFramesMustOverlap)
    );
    let both = TimeFrame::new(at(2025, 5, 11, 15, 0), at(2025, 5, 14, 11, 0));
    assert_eq!(check_update(&both, None, &others, now()), Ok(()));
}

#[test]
fn update_of_a_standalone_grant_is_accepted_for_any_future_frame() {
    let far = TimeFrame::new(at(2030, 1, 1, 0, 0), at(2030, 1, 2, 0, 0));
    assert_eq!(check_update(&far, None, &[], now()), Ok(()));
}

#[test]
fn update_ending_in_the_past_is_refused() {
    let past = TimeFrame::new(at(2025, 4, 1, 15, 0), at(2025, 4, 30, 11, 0));
    let error = check_update(&past, None, &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("ends_at"));
    assert_eq!(error.status(), 400);
    // The input error wins over the overlap rule.
    let error = check_update(&past, None, &[stay_1()], now()).unwrap_err();
    assert_eq!(error.field(), Some("ends_at"));
}

#[test]
fn update_ending_before_it_starts_is_refused() {
    let backwards = TimeFrame::new(at(2025, 5, 14, 11, 0), at(2025, 5, 10, 15, 0));
    let error = check_update(&backwards, None, &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("ends_at"));
}

#[test]
fn update_with_a_bad_name_is_refused() {
    let error = check_update(&stay_1(), Some(""), &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("name"));
    let error = check_update(&stay_1(), Some("x\ny"), &[], now()).unwrap_err();
    assert_eq!(error.field(), Some("name"));
}

// ---------------------------------------------------------------------------------------------
// assign_sequences

#[test]
fn assign_sequences_starts_a_new_door_at_one() {
    let assigned = assign_sequences(&doors(&[ROOM_101]), &BTreeMap::new());
    assert_eq!(assigned, BTreeMap::from([(id(ROOM_101), 1)]));
}

#[test]
fn assign_sequences_takes_the_next_number_per_door() {
    let last = BTreeMap::from([(id(ROOM_101), 7), (id(ROOM_102), 41), (id(ROOM_203), 3)]);
    let assigned = assign_sequences(&doors(&[ROOM_101, ROOM_102, ROOM_103]), &last);
    // Doors outside the new reservation get nothing; a door never seen starts at 1.
    assert_eq!(
        assigned,
        BTreeMap::from([(id(ROOM_101), 8), (id(ROOM_102), 42), (id(ROOM_103), 1)])
    );
}

#[test]
fn assign_sequences_of_no_doors_is_empty() {
    let last = BTreeMap::from([(id(ROOM_101), 7)]);
    assert!(assign_sequences(&BTreeSet::new(), &last).is_empty());
}

#[test]
fn assign_sequences_never_reuses_a_number_across_successive_reservations() {
    let mut last = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for _ in 0..5 {
        let assigned = assign_sequences(&doors(&[ROOM_101]), &last);
        let sequence = assigned[&id(ROOM_101)];
        assert!(seen.insert(sequence), "sequence {sequence} reused");
        last.extend(assigned);
    }
    assert_eq!(seen, BTreeSet::from([1, 2, 3, 4, 5]));
}
