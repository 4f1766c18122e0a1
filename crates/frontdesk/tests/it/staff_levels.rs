//! Staff levels and schedules through the desk's use cases: an emergency key opens every
//! door, a thrown deadbolt included, and carries no door list; a master key every guest room;
//! a floor card its floors; a schedule on the card and at the simulated doors in the
//! property's local time. Master and emergency keys are a manager's; bad terms name their
//! field and change nothing.

// Helpers outside #[test] functions unwrap too, and the shared support returns WireError.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use encoder::CardUid;
use encoder::card::{self, CardKind};
use engine::lock::{Decision, Reason, Shift, StaffLevel, StaffZone};
use engine::model::{AccessMode, RequestedAccessMethod, UserKind};
use engine::staff::{ClockTime, Day, ScheduleWindow, StaffTerms};
use frontdesk::{AccessGrantRecord, Context, CreateAccessGrant, NewUserIdentity, WireError};

use crate::support::{Desk, at, present};

/// A week in July 2025 (Lisbon is UTC+1 then).
const FROM: &str = "2025-07-14T00:00:00Z";
const UNTIL: &str = "2025-07-21T00:00:00Z";
/// Tuesday 15 July, 10:00 in Lisbon.
const TUESDAY_10: &str = "2025-07-15T09:00:00Z";

fn staff_grant(level: Option<StaffLevel>, doors: &[&str]) -> CreateAccessGrant {
    CreateAccessGrant {
        new_user_identity: Some(NewUserIdentity {
            key: None,
            full_name: Some("Dana Duty".to_owned()),
            email_address: None,
            phone_number: None,
            kind: UserKind::Staff,
        }),
        space_keys: doors.iter().map(|key| (*key).to_owned()).collect(),
        starts_at: Some(at(FROM)),
        ends_at: Some(at(UNTIL)),
        requested_access_methods: vec![RequestedAccessMethod {
            mode: AccessMode::Card,
            code: None,
        }],
        staff_level: level,
        ..Default::default()
    }
}

/// Creates `request` at the desk and encodes its card on a fresh blank.
fn issued(desk: &Desk, request: &CreateAccessGrant) -> (AccessGrantRecord, String) {
    let grant = desk.create(request).unwrap();
    desk.station.simulator().unwrap().present_blank_card();
    let card_id = desk.encode(grant.access_method_ids[0]).card_id;
    (grant, card_id)
}

fn card_data(desk: &Desk, card_id: &str) -> card::CardData {
    let uid = CardUid::from_hex(card_id).unwrap();
    let image = desk.station.simulator().unwrap().card(&uid).unwrap().image;
    card::open(&image, &uid, desk.station.keys()).unwrap()
}

fn invalid(result: Result<AccessGrantRecord, WireError>, field: &str) {
    let error = result.unwrap_err();
    assert_eq!(
        (error.status, error.field.as_deref()),
        (400, Some(field)),
        "{error:?}"
    );
}

const CARD_DOORS: [&str; 8] = [
    "room-101-door",
    "room-102-door",
    "room-203-door",
    "suite-300-main",
    "suite-300-bedroom",
    "gym-door",
    "pool-door",
    "lobby-door",
];

#[test]
fn an_emergency_key_opens_every_door_a_thrown_deadbolt_included() {
    let desk = Desk::new();
    let (grant, card_id) = issued(&desk, &staff_grant(Some(StaffLevel::Emergency), &[]));
    assert_eq!(
        grant.staff_terms.as_ref().map(|terms| terms.level),
        Some(StaffLevel::Emergency)
    );
    // Every door the desk's cards open is the grant's; none is listed on the card.
    assert_eq!(grant.entrances.len(), CARD_DOORS.len());
    let data = card_data(&desk, &card_id);
    assert_eq!(data.kind, CardKind::Staff);
    assert_eq!(data.staff_level, Some(StaffLevel::Emergency));
    assert!(data.common_doors.is_empty() && data.zones.is_empty());

    desk.desk
        .set_privacy(
            &desk.context,
            desk.entrance_id("room-203-door"),
            true,
            Some(at(FROM)),
        )
        .unwrap();
    for door in CARD_DOORS {
        let decision = present(&desk, door, &card_id, TUESDAY_10);
        assert_eq!(
            (decision.decision, decision.reason),
            (Decision::Granted, Reason::EmergencyAccess),
            "{door}"
        );
    }
}

#[test]
fn a_master_key_opens_every_guest_room_and_the_doors_it_lists() {
    let desk = Desk::new();
    let (_, card_id) = issued(&desk, &staff_grant(Some(StaffLevel::Master), &["lobby"]));
    let data = card_data(&desk, &card_id);
    assert_eq!(data.staff_level, Some(StaffLevel::Master));
    assert_eq!(data.zones, vec![StaffZone::AllGuestRooms]);
    assert_eq!(data.common_doors, vec![desk.entrance_id("lobby-door")]);
    for door in [
        "room-101-door",
        "room-203-door",
        "suite-300-bedroom",
        "lobby-door",
    ] {
        assert_eq!(
            present(&desk, door, &card_id, TUESDAY_10).reason,
            Reason::StaffAccess,
            "{door}"
        );
    }
    assert_eq!(
        present(&desk, "gym-door", &card_id, TUESDAY_10).reason,
        Reason::DoorNotOnCard
    );
    // Behind a thrown deadbolt a master is refused.
    desk.desk
        .set_privacy(
            &desk.context,
            desk.entrance_id("room-101-door"),
            true,
            Some(at(FROM)),
        )
        .unwrap();
    assert_eq!(
        present(&desk, "room-101-door", &card_id, TUESDAY_10).reason,
        Reason::PrivacyOn
    );
}

#[test]
fn a_floor_card_opens_the_guest_rooms_of_its_floors() {
    let desk = Desk::new();
    let request = CreateAccessGrant {
        floors: vec![2, 3],
        ..staff_grant(Some(StaffLevel::Floor), &[])
    };
    let (_, card_id) = issued(&desk, &request);
    let data = card_data(&desk, &card_id);
    assert_eq!(data.staff_level, Some(StaffLevel::Floor));
    assert_eq!(
        data.zones,
        vec![StaffZone::Floor { floor: 2 }, StaffZone::Floor { floor: 3 }]
    );
    for (door, opens) in [
        ("room-203-door", true),
        ("suite-300-main", true),
        ("room-101-door", false),
        ("lobby-door", false),
    ] {
        let decision = present(&desk, door, &card_id, TUESDAY_10);
        assert_eq!(decision.decision == Decision::Granted, opens, "{door}");
    }
}

fn weekday_mornings() -> ScheduleWindow {
    ScheduleWindow {
        days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
        from: ClockTime::parse("08:00").unwrap(),
        to: ClockTime::parse("16:00").unwrap(),
    }
}

#[test]
fn a_schedule_goes_on_the_card_and_the_lock_keeps_it_in_local_time() {
    let desk = Desk::new();
    let request = CreateAccessGrant {
        schedule: vec![weekday_mornings()],
        ..staff_grant(None, &["room-101", "lobby"])
    };
    let (grant, card_id) = issued(&desk, &request);
    assert_eq!(
        grant.staff_terms,
        Some(StaffTerms {
            level: StaffLevel::Area,
            floors: vec![],
            schedule: vec![weekday_mornings()],
        })
    );
    assert_eq!(
        card_data(&desk, &card_id).schedule,
        vec![Shift {
            weekdays: 0b001_1111,
            start_minute: 8 * 60,
            end_minute: 16 * 60,
        }]
    );
    // In Lisbon (UTC+1 in July): 08:30 local opens, 07:30 local and Saturday do not.
    for (when, reason) in [
        ("2025-07-15T07:30:00Z", Reason::StaffAccess),
        ("2025-07-15T06:30:00Z", Reason::OutsideShift),
        ("2025-07-15T14:59:00Z", Reason::StaffAccess),
        ("2025-07-15T15:00:00Z", Reason::OutsideShift),
        ("2025-07-19T09:00:00Z", Reason::OutsideShift),
    ] {
        assert_eq!(
            present(&desk, "room-101-door", &card_id, when).reason,
            reason,
            "{when}"
        );
    }
}

#[test]
fn master_and_emergency_keys_are_a_manager_s() {
    let desk = Desk::new();
    let api = Context::api(at(FROM));
    for request in [
        staff_grant(Some(StaffLevel::Emergency), &[]),
        staff_grant(Some(StaffLevel::Master), &[]),
        // Every guest room chosen one by one is a master key too.
        staff_grant(None, &["room-101", "room-102", "room-203", "suite-300"]),
    ] {
        let refused = desk.desk.create_access_grant(&api, &request).unwrap_err();
        assert_eq!(refused.to_wire().status, 403, "{request:?}");
    }
    // A floor card is the front desk's work.
    let floor = CreateAccessGrant {
        floors: vec![1],
        ..staff_grant(Some(StaffLevel::Floor), &[])
    };
    assert!(desk.desk.create_access_grant(&api, &floor).is_ok());
    assert_eq!(
        desk.desk.staff_access(&manager(), at(FROM)).unwrap().len(),
        1
    );
}

fn manager() -> frontdesk::Operator {
    frontdesk::Operator {
        id: uuid::Uuid::new_v4(),
        name: "Marta".to_owned(),
        role: frontdesk::Role::Manager,
        terminal: None,
    }
}

#[test]
fn bad_terms_name_their_field_and_change_nothing() {
    let desk = Desk::new();
    let window = |days: Vec<Day>, from: &str, to: &str| ScheduleWindow {
        days,
        from: ClockTime::parse(from).unwrap(),
        to: ClockTime::parse(to).unwrap(),
    };
    let cases = [
        (staff_grant(Some(StaffLevel::Floor), &[]), "floors"),
        (
            CreateAccessGrant {
                floors: vec![9],
                ..staff_grant(Some(StaffLevel::Floor), &[])
            },
            "floors[0]",
        ),
        (
            CreateAccessGrant {
                floors: vec![1, 1],
                ..staff_grant(Some(StaffLevel::Floor), &[])
            },
            "floors[1]",
        ),
        (
            CreateAccessGrant {
                floors: vec![1],
                ..staff_grant(Some(StaffLevel::Master), &[])
            },
            "floors",
        ),
        (
            CreateAccessGrant {
                schedule: vec![window(vec![], "08:00", "16:00")],
                ..staff_grant(None, &["lobby"])
            },
            "schedule[0].days",
        ),
        (
            CreateAccessGrant {
                schedule: vec![weekday_mornings(), window(vec![Day::Sat], "08:00", "08:00")],
                ..staff_grant(None, &["lobby"])
            },
            "schedule[1].to",
        ),
        (
            CreateAccessGrant {
                schedule: vec![weekday_mornings(); 8],
                ..staff_grant(None, &["lobby"])
            },
            "schedule",
        ),
    ];
    for (request, field) in cases {
        invalid(desk.create(&request), field);
    }
    // A guest's grant has no level.
    let mut guest = staff_grant(Some(StaffLevel::Area), &["room-101"]);
    if let Some(user) = guest.new_user_identity.as_mut() {
        user.kind = UserKind::Guest;
    }
    guest.reservation_key = Some("R-1".to_owned());
    invalid(desk.create(&guest), "staff_level");
    assert!(
        desk.desk
            .staff_access(&manager(), at(FROM))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn times_of_day_read_as_a_person_writes_them() {
    assert_eq!(ClockTime::parse("08:00").map(ClockTime::minutes), Some(480));
    assert_eq!(
        ClockTime::parse("24:00").map(ClockTime::minutes),
        Some(1440)
    );
    for bad in [
        "8:00", "08:60", "24:01", "0800", "aa:bb", "", "+8:30", "08:+5",
    ] {
        assert_eq!(ClockTime::parse(bad), None, "{bad}");
    }
    assert_eq!(ClockTime::parse("07:05").unwrap().to_string(), "07:05");
}

#[test]
fn a_lost_emergency_key_stays_in_the_warnings_and_on_the_staff_screen() {
    let desk = Desk::new();
    let (grant, card_id) = issued(&desk, &staff_grant(Some(StaffLevel::Emergency), &[]));
    let lost = desk
        .desk
        .report_staff_card_lost(&manager(), at(FROM), grant.access_method_ids[0])
        .unwrap();
    assert!(lost.lost_at.is_some());
    let warned = desk.desk.access_grant(grant.id).unwrap();
    let messages: Vec<&str> = warned
        .warnings
        .iter()
        .filter(|warning| warning.code == engine::warnings::WarningCode::CardsNotCollected)
        .map(|warning| warning.message.as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{:?}", warned.warnings);
    assert!(messages[0].contains("Lobby door"), "{}", messages[0]);
    assert!(messages[0].contains("Room 203 door"), "{}", messages[0]);
    // Revoked with the card still out, the entry stays listed.
    desk.desk
        .revoke_staff_access(&manager(), at(FROM), grant.id)
        .unwrap();
    let listed = desk.desk.staff_access(&manager(), at(TUESDAY_10)).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(present(&desk, "room-101-door", &card_id, TUESDAY_10).decision == Decision::Granted);
}

#[test]
fn the_doors_of_a_level_key_are_not_edited_one_by_one() {
    let desk = Desk::new();
    let (grant, _) = issued(&desk, &staff_grant(Some(StaffLevel::Master), &[]));
    let change = frontdesk::StaffChange {
        access_grant_id: grant.id,
        acs_entrance_ids: Some(vec![desk.entrance_id("lobby-door")]),
        ..Default::default()
    };
    let refused = desk
        .desk
        .update_staff_access(&manager(), at(FROM), &change)
        .unwrap_err()
        .to_wire();
    assert_eq!(
        refused.field.as_deref(),
        Some("acs_entrance_ids"),
        "{refused:?}"
    );
    assert_eq!(
        desk.desk.access_grant(grant.id).unwrap().entrances.len(),
        grant.entrances.len()
    );
}
