//! Staff cards: their doors, zones and shifts.

use chrono::FixedOffset;
use engine::lock::{
    CardContent, Door, DoorPlace, LockConfig, Reason, Shift, StaffZone, StillOpens, judge,
    still_opens,
};

use super::{
    FRIDAY, MONDAY, WEEKDAYS, at, at_sequence, config, denied, fresh, granted, gym, lobby, may_12,
    may_guest, room_101, room_102, room_on_floor, staff, zoned_staff,
};

#[test]
fn staff_card_opens_a_guest_door_without_touching_the_guest_sequence() {
    let config = config();
    let state = at_sequence(7);
    let housekeeping = staff(&[room_101(), room_102()], None);
    let judgement = judge(&config, room_101(), state, &housekeeping, may_12());
    granted(&judgement, Reason::StaffAccess);
    assert_eq!(judgement.state, state, "staff cards never override");
    // The current guest is still a joiner, the previous one still refused.
    granted(
        &judge(
            &config,
            room_101(),
            judgement.state,
            &may_guest(7),
            may_12(),
        ),
        Reason::Joined,
    );
    denied(
        &judge(
            &config,
            room_101(),
            judgement.state,
            &may_guest(6),
            may_12(),
        ),
        Reason::Overridden { card: 6, lock: 7 },
    );
}

#[test]
fn staff_card_is_unaffected_by_any_guest_sequence() {
    let housekeeping = staff(&[room_101()], None);
    for sequence in [0, 1, 50, 51, u32::MAX] {
        let judgement = judge(
            &config(),
            room_101(),
            at_sequence(sequence),
            &housekeeping,
            may_12(),
        );
        granted(&judgement, Reason::StaffAccess);
        assert_eq!(judgement.state, at_sequence(sequence));
    }
}

#[test]
fn staff_card_for_other_doors_is_refused() {
    let housekeeping = staff(&[room_102()], None);
    denied(
        &judge(&config(), room_101(), fresh(), &housekeeping, may_12()),
        Reason::DoorNotOnCard,
    );
}

#[test]
fn a_floor_zone_opens_every_guest_room_of_that_floor_and_nothing_else() {
    let floor_1 = zoned_staff(&[lobby()], &[StaffZone::Floor { floor: 1 }]);
    for door in [room_101(), room_102(), room_on_floor(120, 1)] {
        granted(
            &judge(&config(), door, at_sequence(4), &floor_1, may_12()),
            Reason::StaffAccess,
        );
    }
    granted(
        &judge(&config(), lobby(), fresh(), &floor_1, may_12()),
        Reason::StaffAccess,
    );
    // Another floor's room, a room without a floor, and a common door not listed.
    let no_floor = Door {
        place: DoorPlace::GuestRoom { floor: None },
        ..room_on_floor(7, 0)
    };
    for door in [room_on_floor(201, 2), no_floor, gym()] {
        denied(
            &judge(&config(), door, fresh(), &floor_1, may_12()),
            Reason::DoorNotOnCard,
        );
    }
}

#[test]
fn all_guest_rooms_opens_every_room_door_but_no_common_door_it_does_not_list() {
    let everywhere = zoned_staff(&[], &[StaffZone::AllGuestRooms]);
    let no_floor = Door {
        place: DoorPlace::GuestRoom { floor: None },
        ..room_on_floor(7, 0)
    };
    for door in [
        room_101(),
        room_on_floor(201, 2),
        room_on_floor(650, 6),
        no_floor,
    ] {
        granted(
            &judge(&config(), door, fresh(), &everywhere, may_12()),
            Reason::StaffAccess,
        );
    }
    // A door that happens to be reservation-capable but is no guest room's.
    let store_room = Door {
        place: DoorPlace::Other,
        ..room_on_floor(8, 1)
    };
    for door in [lobby(), store_room] {
        denied(
            &judge(&config(), door, fresh(), &everywhere, may_12()),
            Reason::DoorNotOnCard,
        );
    }
}

#[test]
fn a_zone_staff_card_stays_off_the_guest_track() {
    let config = config();
    let state = at_sequence(9);
    let floor_1 = zoned_staff(&[], &[StaffZone::Floor { floor: 1 }]);
    let judgement = judge(&config, room_101(), state, &floor_1, may_12());
    granted(&judgement, Reason::StaffAccess);
    assert_eq!(judgement.state, state, "a zone never overrides");
    granted(
        &judge(
            &config,
            room_101(),
            judgement.state,
            &may_guest(9),
            may_12(),
        ),
        Reason::Joined,
    );
    // And until its end it may open, whatever guest cards do at the door.
    assert_eq!(
        still_opens(&config, room_101(), at_sequence(40), &floor_1, may_12()),
        Some(StillOpens::CardEnd {
            at: floor_1.valid_until
        })
    );
    assert_eq!(
        still_opens(&config, room_on_floor(201, 2), fresh(), &floor_1, may_12()),
        None
    );
}

#[test]
fn a_zone_card_keeps_its_shift() {
    let shift = Shift {
        weekdays: WEEKDAYS,
        start_minute: 8 * 60,
        end_minute: 16 * 60,
    };
    let mut card = zoned_staff(&[], &[StaffZone::Floor { floor: 1 }]);
    if let CardContent::Staff {
        schedule: on_card, ..
    } = &mut card.content
    {
        *on_card = vec![shift];
    }
    // 2025-05-17 is a Saturday.
    denied(
        &judge(
            &config(),
            room_101(),
            fresh(),
            &card,
            at(2025, 5, 17, 12, 0),
        ),
        Reason::OutsideShift,
    );
    granted(
        &judge(
            &config(),
            room_101(),
            fresh(),
            &card,
            at(2025, 5, 12, 12, 0),
        ),
        Reason::StaffAccess,
    );
}

#[test]
fn staff_day_shift_is_half_open_and_limited_to_its_weekdays() {
    let config = config();
    let shift = Shift {
        weekdays: WEEKDAYS,
        start_minute: 8 * 60,
        end_minute: 16 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    let judge_at = |now| judge(&config, room_101(), fresh(), &card, now);
    // 2025-05-12 is a Monday.
    granted(&judge_at(at(2025, 5, 12, 8, 0)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 12, 15, 59)), Reason::StaffAccess);
    denied(&judge_at(at(2025, 5, 12, 7, 59)), Reason::OutsideShift);
    denied(&judge_at(at(2025, 5, 12, 16, 0)), Reason::OutsideShift);
    // Friday works, Saturday and Sunday do not.
    granted(&judge_at(at(2025, 5, 16, 12, 0)), Reason::StaffAccess);
    denied(&judge_at(at(2025, 5, 17, 12, 0)), Reason::OutsideShift);
    denied(&judge_at(at(2025, 5, 18, 12, 0)), Reason::OutsideShift);
}

#[test]
fn staff_night_shift_crossing_midnight_belongs_to_the_day_it_starts() {
    let config = config();
    // Friday nights only: 22:00 to 06:00.
    let shift = Shift {
        weekdays: FRIDAY,
        start_minute: 22 * 60,
        end_minute: 6 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    let judge_at = |now| judge(&config, room_101(), fresh(), &card, now);
    // Friday 2025-05-16 evening and the Saturday morning after.
    denied(&judge_at(at(2025, 5, 16, 21, 59)), Reason::OutsideShift);
    granted(&judge_at(at(2025, 5, 16, 22, 0)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 16, 23, 59)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 17, 0, 0)), Reason::StaffAccess);
    granted(&judge_at(at(2025, 5, 17, 5, 59)), Reason::StaffAccess);
    denied(&judge_at(at(2025, 5, 17, 6, 0)), Reason::OutsideShift);
    // Saturday evening is not a Friday shift; Friday early morning belongs to Thursday's.
    denied(&judge_at(at(2025, 5, 17, 22, 30)), Reason::OutsideShift);
    denied(&judge_at(at(2025, 5, 16, 3, 0)), Reason::OutsideShift);
}

#[test]
fn staff_night_shift_over_the_week_boundary_uses_sunday_for_monday_morning() {
    let config = config();
    // Sunday nights only (bit 6): 23:00 to 07:00.
    let shift = Shift {
        weekdays: 1 << 6,
        start_minute: 23 * 60,
        end_minute: 7 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    // Sunday 2025-05-18 23:30, Monday 2025-05-19 06:30.
    granted(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 18, 23, 30)),
        Reason::StaffAccess,
    );
    granted(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 19, 6, 30)),
        Reason::StaffAccess,
    );
    denied(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 19, 23, 30)),
        Reason::OutsideShift,
    );
}

#[test]
fn staff_shift_is_read_in_the_lock_local_time() {
    // The lock runs at UTC+02:00; the shift is Monday 08:00–16:00 local.
    let config = LockConfig {
        utc_offset: FixedOffset::east_opt(2 * 3600).unwrap(),
        ..config()
    };
    let shift = Shift {
        weekdays: MONDAY,
        start_minute: 8 * 60,
        end_minute: 16 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    let judge_at = |now| judge(&config, room_101(), fresh(), &card, now);
    denied(&judge_at(at(2025, 5, 12, 5, 59)), Reason::OutsideShift); // 07:59 local
    granted(&judge_at(at(2025, 5, 12, 6, 0)), Reason::StaffAccess); // 08:00 local
    granted(&judge_at(at(2025, 5, 12, 13, 59)), Reason::StaffAccess); // 15:59 local
    denied(&judge_at(at(2025, 5, 12, 14, 0)), Reason::OutsideShift); // 16:00 local
    // In UTC this would be inside the shift, in local time it is not.
    denied(&judge_at(at(2025, 5, 12, 15, 0)), Reason::OutsideShift);
}

#[test]
fn staff_shift_weekday_is_the_local_one_not_the_utc_one() {
    // UTC−05:00: Tuesday 02:00 UTC is Monday 21:00 local.
    let config = LockConfig {
        utc_offset: FixedOffset::west_opt(5 * 3600).unwrap(),
        ..config()
    };
    let shift = Shift {
        weekdays: MONDAY,
        start_minute: 20 * 60,
        end_minute: 23 * 60,
    };
    let card = staff(&[room_101()], Some(shift));
    granted(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 13, 2, 0)),
        Reason::StaffAccess,
    );
    // Monday 21:00 UTC is Monday 16:00 local: outside.
    denied(
        &judge(&config, room_101(), fresh(), &card, at(2025, 5, 12, 21, 0)),
        Reason::OutsideShift,
    );
}
