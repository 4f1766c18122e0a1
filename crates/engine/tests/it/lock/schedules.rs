//! Staff schedules against a plain reading of them: a card of any level with any windows, at
//! any minute of a fortnight, behind a thrown deadbolt or not, opens exactly when the door is
//! on it, a window holds that minute (a window crossing midnight holds the early hours of the
//! next day), and the deadbolt is open or the card is an emergency key.

use chrono::{Datelike, Duration, FixedOffset, TimeZone, Timelike};
use engine::lock::{CardContent, LockState, Reason, Shift, StaffLevel, StaffZone, judge};
use proptest::prelude::*;

use super::{at, card, config, gym, room_on_floor};

fn shift() -> impl Strategy<Value = Shift> {
    (1u8..0x80, 0u16..1440, 0u16..=1440)
        .prop_filter("a window is not empty", |(_, from, to)| from != to)
        .prop_map(|(weekdays, start_minute, end_minute)| Shift {
            weekdays,
            start_minute,
            end_minute,
        })
}

fn level() -> impl Strategy<Value = StaffLevel> {
    prop::sample::select(vec![
        StaffLevel::Area,
        StaffLevel::Floor,
        StaffLevel::Master,
        StaffLevel::Emergency,
    ])
}

/// Whether `windows` hold the local minute `local`, read the long way: for each window, the
/// day it starts and the minutes it spans from there.
fn held(windows: &[Shift], local: chrono::DateTime<FixedOffset>) -> bool {
    if windows.is_empty() {
        return true;
    }
    let minute = i64::from(local.hour() * 60 + local.minute());
    windows.iter().any(|window| {
        let length = if window.end_minute > window.start_minute {
            i64::from(window.end_minute - window.start_minute)
        } else {
            i64::from(1440 - window.start_minute + window.end_minute)
        };
        // The window that started today, or the one that started yesterday and runs on.
        [(0, minute), (1, minute + 1440)]
            .into_iter()
            .any(|(days_back, since_midnight_of_start)| {
                let day = (local - Duration::days(days_back)).weekday();
                let starts = i64::from(window.start_minute);
                window.weekdays & (1 << day.num_days_from_monday()) != 0
                    && since_midnight_of_start >= starts
                    && since_midnight_of_start < starts + length
            })
    })
}

proptest! {
    #[test]
    fn a_staff_card_opens_exactly_when_its_door_shift_and_the_deadbolt_allow(
        level in level(),
        windows in prop::collection::vec(shift(), 0..=7),
        minutes in 0i64..(14 * 1440),
        offset_hours in -11i32..=12,
        floor in 1i32..=3,
        privacy in any::<bool>(),
        guest_room in any::<bool>(),
    ) {
        let zones = match level {
            StaffLevel::Master => vec![StaffZone::AllGuestRooms],
            StaffLevel::Floor => vec![StaffZone::Floor { floor: 2 }],
            StaffLevel::Area | StaffLevel::Emergency => Vec::new(),
        };
        let staff = card(
            at(2025, 1, 1, 0, 0),
            at(2026, 1, 1, 0, 0),
            CardContent::Staff { level, doors: Vec::new(), zones, schedule: windows.clone() },
        );
        let mut config = config();
        config.utc_offset = FixedOffset::east_opt(offset_hours * 3600).unwrap();
        let now = at(2025, 5, 5, 0, 0) + Duration::minutes(minutes);
        let door = if guest_room { room_on_floor(200 + floor as u128, floor) } else { gym() };
        let state = LockState { privacy: privacy && guest_room, ..LockState::default() };
        let judged = judge(&config, door, state, &staff, now);

        let on_card = match level {
            StaffLevel::Emergency => true,
            StaffLevel::Master => guest_room,
            StaffLevel::Floor => guest_room && floor == 2,
            StaffLevel::Area => false,
        };
        let in_window = held(&windows, config.utc_offset.from_utc_datetime(&now.naive_utc()));
        let behind_deadbolt = state.privacy && level != StaffLevel::Emergency;
        let expected = if !on_card {
            Reason::DoorNotOnCard
        } else if !in_window {
            Reason::OutsideShift
        } else if level == StaffLevel::Emergency {
            Reason::EmergencyAccess
        } else if behind_deadbolt {
            Reason::PrivacyOn
        } else {
            Reason::StaffAccess
        };
        prop_assert_eq!(judged.reason, expected);
        prop_assert_eq!(judged.state, state, "a staff card never moves a lock");
    }
}
