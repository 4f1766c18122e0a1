//! The timeline (rooms × days) and the stay search, through the desk's use cases. The clock
//! is fixed; the test property is in Europe/Lisbon (UTC+1 in summer).

#![allow(clippy::unwrap_used, clippy::result_large_err)]

use chrono::NaiveDate;
use engine::model::EntranceId;
use frontdesk::{
    CheckIn, FoundStay, NewGuest, Operator, Role, StayBar, StayStatus, Timeline, WireError,
};
use uuid::Uuid;

use crate::support::{Desk, at};

/// Sunday 13 July, 12:00 in Lisbon: when the desk looks.
const NOW: &str = "2025-07-13T11:00:00Z";

fn receptionist() -> Operator {
    Operator {
        id: Uuid::new_v4(),
        name: "Rui".to_owned(),
        role: Role::Receptionist,
        terminal: None,
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Guests checked in at `booked` with one card each and the lobby.
fn check_in(
    desk: &Desk,
    booked: &str,
    room: &str,
    (starts_at, ends_at): (&str, &str),
    guests: &[&str],
    key: &str,
) {
    let lobby: EntranceId = desk.entrance_id("lobby-door");
    desk.desk
        .check_in(
            &receptionist(),
            at(booked),
            &CheckIn {
                space_id: desk.space_id(room),
                starts_at: at(starts_at),
                ends_at: at(ends_at),
                guests: guests
                    .iter()
                    .map(|name| NewGuest {
                        full_name: (*name).to_owned(),
                        email_address: None,
                        phone_number: None,
                    })
                    .collect(),
                common_entrance_ids: vec![lobby],
                cards_per_guest: 1,
                reservation_key: Some(key.to_owned()),
                allow_overlap: false,
            },
        )
        .unwrap();
}

fn timeline(desk: &Desk, from: &str, days: u32, now: &str) -> Timeline {
    desk.desk
        .timeline(&receptionist(), day(from), days, at(now))
        .unwrap()
}

fn bars<'a>(timeline: &'a Timeline, room: &str) -> &'a [StayBar] {
    &timeline
        .floors
        .iter()
        .flat_map(|floor| &floor.rooms)
        .find(|candidate| candidate.key == room)
        .unwrap()
        .stays
}

fn refused<T: std::fmt::Debug>(result: frontdesk::Result<T>) -> WireError {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.to_wire(),
    }
}

fn found(desk: &Desk, query: &str, now: &str) -> Vec<FoundStay> {
    desk.desk
        .find_stays(&receptionist(), query, at(now))
        .unwrap()
}

#[test]
fn a_stay_checked_in_for_tomorrow_is_a_bar_on_the_timeline() {
    let desk = Desk::new();
    // Monday 14 July 15:00 to Wednesday 16 July 11:00 in Lisbon.
    check_in(
        &desk,
        NOW,
        "room-101",
        ("2025-07-14T14:00:00Z", "2025-07-16T10:00:00Z"),
        &["Ana Silva", "Bruno Costa"],
        "R-1",
    );

    let week = timeline(&desk, "2025-07-13", 7, NOW);
    assert_eq!(week.from, day("2025-07-13"));
    assert_eq!(week.days, 7);
    // Lisbon midnights, in UTC.
    assert_eq!(week.starts_at, at("2025-07-12T23:00:00Z"));
    assert_eq!(week.ends_at, at("2025-07-19T23:00:00Z"));
    let labels: Vec<&str> = week
        .floors
        .iter()
        .map(|floor| floor.label.as_str())
        .collect();
    assert_eq!(labels, ["Floor 1", "Floor 2", "Floor 3"]);
    assert_eq!(
        bars(&week, "room-101"),
        [StayBar {
            reservation_key: "R-1".to_owned(),
            starts_at: at("2025-07-14T14:00:00Z"),
            ends_at: at("2025-07-16T10:00:00Z"),
            guests: vec!["Ana Silva".to_owned(), "Bruno Costa".to_owned()],
            warnings: 0,
            status: StayStatus::Upcoming,
        }]
    );
    assert!(bars(&week, "room-102").is_empty());

    // A window that ends before the stay, or starts after it left, has no bar.
    assert!(bars(&timeline(&desk, "2025-07-13", 1, NOW), "room-101").is_empty());
    assert!(bars(&timeline(&desk, "2025-07-17", 3, NOW), "room-101").is_empty());
    // Its last morning is on the timeline.
    assert_eq!(
        bars(&timeline(&desk, "2025-07-16", 1, NOW), "room-101").len(),
        1
    );
    // On the day of arrival, after 15:00, it is in house.
    let during = timeline(&desk, "2025-07-14", 1, "2025-07-14T18:00:00Z");
    assert_eq!(bars(&during, "room-101")[0].status, StayStatus::InHouse);
}

#[test]
fn a_moved_stay_shows_where_it_was_and_where_it_went() {
    let desk = Desk::new();
    check_in(
        &desk,
        NOW,
        "room-101",
        ("2025-07-13T14:00:00Z", "2025-07-17T10:00:00Z"),
        &["Ana Silva"],
        "R-2",
    );
    let moved_at = "2025-07-15T09:00:00Z";
    desk.desk
        .move_stay(
            &receptionist(),
            at(moved_at),
            "R-2",
            desk.space_id("room-102"),
            false,
        )
        .unwrap();

    let week = timeline(&desk, "2025-07-13", 7, "2025-07-15T12:00:00Z");
    let before = bars(&week, "room-101");
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0].starts_at, at("2025-07-13T14:00:00Z"));
    assert_eq!(before[0].ends_at, at(moved_at));
    assert_eq!(before[0].status, StayStatus::MovedAway);
    let after = bars(&week, "room-102");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].starts_at, at(moved_at));
    assert_eq!(after[0].ends_at, at("2025-07-17T10:00:00Z"));
    assert_eq!(after[0].status, StayStatus::InHouse);
    assert_eq!(after[0].guests, ["Ana Silva"]);
}

#[test]
fn a_lost_key_reissue_continues_the_stay_s_bar() {
    let desk = Desk::new();
    check_in(
        &desk,
        NOW,
        "room-101",
        ("2025-07-13T14:00:00Z", "2025-07-17T10:00:00Z"),
        &["Ana Silva"],
        "R-3",
    );
    desk.desk
        .reissue_stay(&receptionist(), at("2025-07-15T09:00:00Z"), "R-3")
        .unwrap();

    let week = timeline(&desk, "2025-07-13", 7, "2025-07-15T12:00:00Z");
    let room = bars(&week, "room-101");
    assert_eq!(room.len(), 1, "{room:?}");
    assert_eq!(room[0].starts_at, at("2025-07-13T14:00:00Z"));
    assert_eq!(room[0].ends_at, at("2025-07-17T10:00:00Z"));
    assert_eq!(room[0].status, StayStatus::InHouse);
}

#[test]
fn a_checked_out_stay_ends_at_its_check_out_and_a_cancelled_one_is_gone() {
    let desk = Desk::new();
    check_in(
        &desk,
        NOW,
        "room-101",
        ("2025-07-13T14:00:00Z", "2025-07-17T10:00:00Z"),
        &["Ana Silva"],
        "R-4",
    );
    // Booked for next week, then cancelled (checked out before it started).
    check_in(
        &desk,
        NOW,
        "room-102",
        ("2025-07-20T14:00:00Z", "2025-07-22T10:00:00Z"),
        &["Carla Dias"],
        "R-5",
    );
    let left = "2025-07-15T08:30:00Z";
    desk.desk
        .check_out(&receptionist(), at(left), "R-4")
        .unwrap();
    desk.desk
        .check_out(&receptionist(), at("2025-07-15T08:40:00Z"), "R-5")
        .unwrap();

    let fortnight = timeline(&desk, "2025-07-13", 14, "2025-07-15T12:00:00Z");
    let room = bars(&fortnight, "room-101");
    assert_eq!(room.len(), 1);
    assert_eq!(room[0].ends_at, at(left));
    assert_eq!(room[0].status, StayStatus::CheckedOut);
    assert!(bars(&fortnight, "room-102").is_empty());
}

#[test]
fn days_outside_1_to_92_are_refused_naming_days() {
    let desk = Desk::new();
    for days in [0, 93, u32::MAX] {
        let error = refused(
            desk.desk
                .timeline(&receptionist(), day("2025-07-13"), days, at(NOW)),
        );
        assert_eq!(error.status, 400, "{error:?}");
        assert_eq!(error.field.as_deref(), Some("days"), "{error:?}");
    }
    assert_eq!(timeline(&desk, "2025-07-13", 92, NOW).days, 92);
}

// --- finding stays ---------------------------------------------------------------------------

/// A past stay (checked out), one in house, one tomorrow and one next month.
fn four_stays(desk: &Desk) {
    check_in(
        desk,
        "2025-07-01T09:00:00Z",
        "room-203",
        ("2025-07-01T14:00:00Z", "2025-07-05T10:00:00Z"),
        &["José Ñúñez"],
        "R-PAST",
    );
    desk.desk
        .check_out(&receptionist(), at("2025-07-05T09:00:00Z"), "R-PAST")
        .unwrap();
    check_in(
        desk,
        NOW,
        "room-101",
        ("2025-07-12T14:00:00Z", "2025-07-15T10:00:00Z"),
        &["Ana Silva"],
        "R-NOW",
    );
    check_in(
        desk,
        NOW,
        "room-102",
        ("2025-07-14T14:00:00Z", "2025-07-16T10:00:00Z"),
        &["Jose Pereira", "Ana Pereira"],
        "R-SOON",
    );
    check_in(
        desk,
        NOW,
        "room-203",
        ("2025-08-14T14:00:00Z", "2025-08-16T10:00:00Z"),
        &["Josefa Ramos"],
        "R-LATER",
    );
}

fn keys(stays: &[FoundStay]) -> Vec<&str> {
    stays
        .iter()
        .map(|stay| stay.reservation_key.as_str())
        .collect()
}

#[test]
fn guests_are_found_by_name_without_case_or_accents_nearest_first() {
    let desk = Desk::new();
    four_stays(&desk);

    // "jose" finds José (past), Jose (tomorrow) and Josefa (next month): tomorrow first, then
    // the past one (8 days ago), then next month.
    let stays = found(&desk, "JOSE", NOW);
    assert_eq!(keys(&stays), ["R-SOON", "R-PAST", "R-LATER"]);
    let soon = &stays[0];
    assert_eq!(soon.room_name, "Room 102");
    assert_eq!(soon.space_id, desk.space_id("room-102"));
    assert_eq!(soon.guests, ["Jose Pereira", "Ana Pereira"]);
    assert_eq!(soon.starts_at, at("2025-07-14T14:00:00Z"));
    assert_eq!(soon.ends_at, at("2025-07-16T10:00:00Z"));
    assert_eq!(soon.status, StayStatus::Upcoming);
    let past = &stays[1];
    assert_eq!(past.status, StayStatus::CheckedOut);
    assert_eq!(past.room_name, "Room 203");
    assert_eq!(past.ends_at, at("2025-07-05T09:00:00Z"));

    // Every word must match one guest: "ana sil" is Ana Silva only, in house.
    let ana = found(&desk, "ana sil", NOW);
    assert_eq!(keys(&ana), ["R-NOW"]);
    assert_eq!(ana[0].status, StayStatus::InHouse);
    assert_eq!(keys(&found(&desk, "núñez", NOW)), ["R-PAST"]);
    assert!(found(&desk, "nobody", NOW).is_empty());
}

#[test]
fn stays_are_found_by_room_and_by_reservation_key() {
    let desk = Desk::new();
    four_stays(&desk);
    assert_eq!(keys(&found(&desk, "203", NOW)), ["R-PAST", "R-LATER"]);
    assert_eq!(keys(&found(&desk, "room 203", NOW)), ["R-PAST", "R-LATER"]);
    // "20" is no room's name: rooms are named whole.
    assert!(found(&desk, "20", NOW).is_empty());
    assert_eq!(keys(&found(&desk, "R-SOON", NOW)), ["R-SOON"]);
    // A key's start finds it from 8 characters on; a shorter one only finds a whole key.
    assert!(found(&desk, "R-SOO", NOW).is_empty());
    check_in(
        &desk,
        NOW,
        "room-101",
        ("2025-07-20T14:00:00Z", "2025-07-22T10:00:00Z"),
        &["Rita Sousa"],
        "PMS-2025-0042",
    );
    assert_eq!(keys(&found(&desk, "PMS-2025-00", NOW)), ["PMS-2025-0042"]);
    assert!(found(&desk, "PMS-20", NOW).is_empty());
}

#[test]
fn a_moved_stay_is_found_in_its_new_room() {
    let desk = Desk::new();
    four_stays(&desk);
    desk.desk
        .move_stay(
            &receptionist(),
            at(NOW),
            "R-SOON",
            desk.space_id("suite-300"),
            false,
        )
        .unwrap();
    let stays = found(&desk, "pereira", NOW);
    assert_eq!(stays.len(), 1);
    assert_eq!(stays[0].room_name, "Suite 300");
    assert_eq!(stays[0].status, StayStatus::Upcoming);
    // It was moved before it started: it never was in 102, and 102 does not find it.
    assert!(found(&desk, "102", NOW).is_empty());
}

#[test]
fn at_most_50_stays_are_found_nearest_first() {
    let desk = Desk::new();
    // 60 one-night stays in room 101, one after the other from tomorrow.
    for night in 0..60u32 {
        let arrive = at("2025-07-14T14:00:00Z") + chrono::TimeDelta::days(i64::from(night));
        let leave = arrive + chrono::TimeDelta::hours(20);
        check_in(
            &desk,
            NOW,
            "room-101",
            (&arrive.to_rfc3339(), &leave.to_rfc3339()),
            &[&format!("Guest Number {night}")],
            &format!("R-{night:02}"),
        );
    }
    let stays = found(&desk, "guest number", NOW);
    assert_eq!(stays.len(), frontdesk::MAX_FOUND_STAYS);
    assert_eq!(stays[0].reservation_key, "R-00");
    assert_eq!(stays[49].reservation_key, "R-49");
}

#[test]
fn a_query_under_two_letters_is_refused_naming_query() {
    let desk = Desk::new();
    for query in ["", "  ", "a", " é "] {
        let error = refused(desk.desk.find_stays(&receptionist(), query, at(NOW)));
        assert_eq!(error.status, 400, "{error:?}");
        assert_eq!(error.field.as_deref(), Some("query"), "{error:?}");
    }
}

#[test]
fn the_check_in_form_for_a_later_day_starts_at_15_00_that_day() {
    let desk = Desk::new();
    let room = desk.space_id("room-101");
    let options = desk
        .desk
        .check_in_options_on(&receptionist(), room, day("2025-07-15"), at(NOW))
        .unwrap();
    assert_eq!(options.starts_at, at("2025-07-15T14:00:00Z"));
    assert_eq!(options.ends_at, at("2025-07-16T10:00:00Z"));
    // Today starts now, as the plain form does.
    let today = desk
        .desk
        .check_in_options_on(&receptionist(), room, day("2025-07-13"), at(NOW))
        .unwrap();
    assert_eq!(today.starts_at, at(NOW));
    let error =
        refused(
            desk.desk
                .check_in_options_on(&receptionist(), room, day("2025-07-12"), at(NOW)),
        );
    assert_eq!(error.field.as_deref(), Some("day"), "{error:?}");
}
