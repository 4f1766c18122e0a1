//! Importing the property file through the use cases: the demo, refused files, and
//! re-imports of an edited file that update in place by key.

#![allow(clippy::unwrap_used)] // helpers outside #[test] functions unwrap too

use chrono::{DateTime, TimeZone, Utc};
use engine::model::{AccessMode, RequestedAccessMethod, UserKind};
use engine::property::DEMO_PROPERTY_JSON;
use frontdesk::{
    AccessGrantRecord, AccessSystemRecord, AuditEntry, AuditFilter, Context, CreateAccessGrant,
    EntranceRecord, Error, FrontDesk, NewUserIdentity, PropertyRecord, SpaceRecord,
};
use serde_json::{Value, json};
use store::{AuditOutcome, Store};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 5, 1, 9, 0, 0).unwrap()
}

fn context() -> Context {
    Context::new("manager", now())
}

fn desk() -> FrontDesk {
    FrontDesk::new(Store::open_in_memory().unwrap())
}

/// Two rooms, a suite, a gym and a parking gate; edited by the tests below.
fn base_file() -> Value {
    json!({
        "property": { "name": "Quay Hotel", "time_zone": "Europe/Lisbon" },
        "access_systems": [
            { "key": "vl", "name": "Visionline", "kind": "visionline_system" },
            { "key": "brivo", "name": "Brivo", "kind": "brivo_account" }
        ],
        "spaces": [
            { "key": "room-101", "name": "Room 101", "floor": 1, "kind": "guest_room" },
            { "key": "room-102", "name": "Room 102", "floor": 1, "kind": "guest_room" },
            { "key": "room-203", "name": "Room 203", "floor": 2, "kind": "guest_room" },
            { "key": "gym", "name": "Gym", "kind": "common" },
            { "key": "parking", "name": "Parking", "kind": "common" }
        ],
        "entrances": [
            { "key": "room-101-door", "name": "Room 101 door", "access_system": "vl",
              "spaces": ["room-101"], "can_belong_to_reservation": true,
              "modes": ["card", "mobile_key"] },
            { "key": "room-102-door", "name": "Room 102 door", "access_system": "vl",
              "spaces": ["room-102"], "can_belong_to_reservation": true, "modes": ["card"] },
            { "key": "room-203-door", "name": "Room 203 door", "access_system": "vl",
              "spaces": ["room-203"], "can_belong_to_reservation": true, "modes": ["card"] },
            { "key": "gym-door", "name": "Gym door", "access_system": "vl",
              "spaces": ["gym"], "can_belong_to_reservation": false, "modes": ["card"] },
            { "key": "parking-gate", "name": "Parking gate", "access_system": "brivo",
              "spaces": ["parking"], "can_belong_to_reservation": false,
              "modes": ["card", "mobile_key", "code"] }
        ]
    })
}

fn import(desk: &FrontDesk, file: &Value) -> Result<PropertyRecord, Error> {
    desk.import_property(&context(), &file.to_string())
}

fn list_index(file: &Value, list: &str, key: &str) -> usize {
    file[list]
        .as_array()
        .unwrap()
        .iter()
        .position(|item| item["key"] == key)
        .unwrap_or_else(|| panic!("{list} has no {key}"))
}

fn remove(file: &mut Value, list: &str, key: &str) {
    let index = list_index(file, list, key);
    file[list].as_array_mut().unwrap().remove(index);
}

fn space<'a>(spaces: &'a [SpaceRecord], key: &str) -> &'a SpaceRecord {
    spaces
        .iter()
        .find(|space| space.key == key)
        .unwrap_or_else(|| panic!("no space {key}"))
}

fn entrance<'a>(entrances: &'a [EntranceRecord], key: &str) -> &'a EntranceRecord {
    entrances
        .iter()
        .find(|entrance| entrance.key == key)
        .unwrap_or_else(|| panic!("no entrance {key}"))
}

fn imports(desk: &FrontDesk) -> Vec<AuditEntry> {
    let mut entries: Vec<_> = desk
        .audit_log(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action == "property.import")
        .collect();
    entries.reverse(); // oldest first
    entries
}

/// Everything the property import touches, to compare before and after.
type Everything = (
    Option<PropertyRecord>,
    Vec<AccessSystemRecord>,
    Vec<SpaceRecord>,
    Vec<EntranceRecord>,
);

fn everything(desk: &FrontDesk) -> Everything {
    (
        desk.property().unwrap(),
        desk.access_systems().unwrap(),
        desk.spaces().unwrap(),
        desk.entrances(None, None).unwrap(),
    )
}

/// A guest with a card for `room` (reservation `key`) from 10 to 14 May.
fn stay(desk: &FrontDesk, room: &str, key: &str) -> AccessGrantRecord {
    let guest = desk
        .create_user_identity(
            &context(),
            &NewUserIdentity {
                key: None,
                full_name: Some("A guest".into()),
                email_address: None,
                phone_number: None,
                kind: UserKind::Guest,
            },
        )
        .unwrap();
    desk.create_access_grant(
        &context(),
        &CreateAccessGrant {
            user_identity_id: Some(guest.id),
            space_keys: vec![room.to_owned()],
            starts_at: Some(Utc.with_ymd_and_hms(2025, 5, 10, 15, 0, 0).unwrap()),
            ends_at: Some(Utc.with_ymd_and_hms(2025, 5, 14, 11, 0, 0).unwrap()),
            requested_access_methods: vec![RequestedAccessMethod {
                mode: AccessMode::Card,
                code: None,
            }],
            reservation_key: Some(key.to_owned()),
            ..Default::default()
        },
    )
    .unwrap()
}

fn problems_of(error: &Error) -> Vec<String> {
    match error {
        Error::PropertyInvalid(problems) => problems.iter().map(ToString::to_string).collect(),
        other => panic!("expected PropertyInvalid, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------

#[test]
fn the_demo_property_imports_its_spaces_entrances_and_access_systems() {
    let desk = desk();
    let property = desk
        .import_property(&context(), DEMO_PROPERTY_JSON)
        .unwrap();
    assert_eq!(property.name, "Harbor View Hotel");
    assert_eq!(property.time_zone, "Europe/Lisbon");
    assert_eq!(property.imported_at, now());
    assert_eq!(desk.property().unwrap(), Some(property));

    let systems = desk.access_systems().unwrap();
    let spaces = desk.spaces().unwrap();
    let entrances = desk.entrances(None, None).unwrap();
    assert_eq!(spaces.len(), 127);
    assert_eq!(entrances.len(), 129);
    assert_eq!(systems.len(), 2);

    // Every entrance is on one of the systems, and the lists by system add up.
    let by_system: usize = systems
        .iter()
        .map(|system| desk.entrances(Some(system.id), None).unwrap().len())
        .sum();
    assert_eq!(by_system, 129);
    // Every space has a way in, and the links agree both ways.
    for space in &spaces {
        assert!(
            !space.entrance_ids.is_empty(),
            "{} has no entrance",
            space.key
        );
        for id in &space.entrance_ids {
            let entrance = entrances.iter().find(|e| e.id == *id).unwrap();
            assert!(entrance.space_ids.contains(&space.id));
        }
    }

    let log = imports(&desk);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, AuditOutcome::Ok);
    assert_eq!(log[0].actor, "manager");
    assert_eq!(log[0].at, now());
    let after = log[0].after.as_ref().unwrap();
    assert_eq!(after["spaces"], 127);
    assert_eq!(after["entrances"], 129);
    assert_eq!(after["access_systems"], 2);
}

/// A file with three problems in different places.
fn broken_file() -> Value {
    let mut file = base_file();
    file["entrances"][1]["access_system"] = json!("v1");
    file["spaces"][2]["kind"] = json!("penthouse");
    file["entrances"][3]["modes"] = json!([]);
    file
}

#[test]
fn an_invalid_file_is_refused_with_every_problem_and_a_fresh_database_stays_empty() {
    let desk = desk();
    let error = import(&desk, &broken_file()).unwrap_err();
    let problems = problems_of(&error);
    assert!(problems.len() >= 3, "{problems:?}");
    for path in [
        "entrances[1].access_system",
        "spaces[2].kind",
        "entrances[3].modes",
    ] {
        assert!(
            problems.iter().any(|problem| problem.starts_with(path)),
            "{path} is not listed: {problems:?}"
        );
    }
    assert!(
        problems.iter().any(|problem| problem.contains("\"v1\"")),
        "{problems:?}"
    );

    let wire = error.to_wire();
    assert_eq!(wire.status, 400);
    assert_eq!(wire.error_type, "invalid_property_file");
    assert_eq!(wire.problems, problems);
    assert!(wire.message.contains(&problems.len().to_string()));

    assert_eq!(desk.property().unwrap(), None);
    assert!(desk.access_systems().unwrap().is_empty());
    assert!(desk.spaces().unwrap().is_empty());
    assert!(desk.entrances(None, None).unwrap().is_empty());

    let log = imports(&desk);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].outcome, AuditOutcome::Refused);
    assert_eq!(log[0].actor, "manager");
    assert!(
        log[0]
            .detail
            .as_deref()
            .unwrap()
            .starts_with("invalid_property_file"),
        "{log:?}"
    );
}

#[test]
fn an_invalid_file_leaves_an_imported_property_unchanged() {
    let desk = desk();
    import(&desk, &base_file()).unwrap();
    let before = everything(&desk);

    let mut file = broken_file();
    file["property"]["name"] = json!("Renamed in a broken file");
    let error = import(&desk, &file).unwrap_err();
    assert_eq!(error.to_wire().error_type, "invalid_property_file");
    assert_eq!(everything(&desk), before);

    // Not JSON at all is refused the same way.
    let error = desk.import_property(&context(), "{ not json").unwrap_err();
    assert_eq!(problems_of(&error).len(), 1);
    assert_eq!(error.to_wire().status, 400);
    assert_eq!(everything(&desk), before);

    let outcomes: Vec<_> = imports(&desk).iter().map(|entry| entry.outcome).collect();
    assert_eq!(
        outcomes,
        [
            AuditOutcome::Ok,
            AuditOutcome::Refused,
            AuditOutcome::Refused
        ]
    );
}

#[test]
fn re_importing_an_edited_file_updates_in_place_by_key() {
    let desk = desk();
    let first = import(&desk, &base_file()).unwrap();
    let spaces_before = desk.spaces().unwrap();
    let entrances_before = desk.entrances(None, None).unwrap();
    let systems_before = desk.access_systems().unwrap();
    // A grant on room 101, which the edit renames: it keeps its door.
    let grant = stay(&desk, "room-101", "stay-1");

    let mut file = base_file();
    file["property"]["name"] = json!("Quay Hotel & Spa");
    let room_101 = list_index(&file, "spaces", "room-101");
    file["spaces"][room_101]["name"] = json!("Room 101 (sea view)");
    let door_101 = list_index(&file, "entrances", "room-101-door");
    file["entrances"][door_101]["name"] = json!("Room 101 sea-view door");
    remove(&mut file, "spaces", "room-203");
    remove(&mut file, "entrances", "room-203-door");
    file["spaces"].as_array_mut().unwrap().push(json!(
        { "key": "room-104", "name": "Room 104", "floor": 1, "kind": "guest_room" }
    ));
    file["entrances"].as_array_mut().unwrap().push(json!(
        { "key": "room-104-door", "name": "Room 104 door", "access_system": "vl",
          "spaces": ["room-104"], "can_belong_to_reservation": true, "modes": ["card"] }
    ));

    let later = Context::new("manager", now() + chrono::Duration::days(1));
    let second = desk.import_property(&later, &file.to_string()).unwrap();
    assert_eq!(second.id, first.id, "the property keeps its id");
    assert_eq!(second.name, "Quay Hotel & Spa");
    assert_eq!(second.imported_at, later.now);

    let spaces = desk.spaces().unwrap();
    let entrances = desk.entrances(None, None).unwrap();
    let keys = |spaces: &[SpaceRecord]| spaces.iter().map(|s| s.key.clone()).collect::<Vec<_>>();
    assert_eq!(
        keys(&spaces),
        ["room-101", "room-102", "room-104", "gym", "parking"]
    );
    assert!(entrances.iter().all(|e| e.key != "room-203-door"));
    assert!(entrances.iter().any(|e| e.key == "room-104-door"));

    // Same ids for what stayed, the new names, and a new id for what is new.
    for kept in ["room-101", "room-102", "gym", "parking"] {
        assert_eq!(space(&spaces, kept).id, space(&spaces_before, kept).id);
        assert_eq!(
            space(&spaces, kept).created_at,
            space(&spaces_before, kept).created_at
        );
    }
    for kept in ["room-101-door", "room-102-door", "gym-door", "parking-gate"] {
        assert_eq!(
            entrance(&entrances, kept).id,
            entrance(&entrances_before, kept).id
        );
    }
    assert_eq!(space(&spaces, "room-101").name, "Room 101 (sea view)");
    assert_eq!(
        entrance(&entrances, "room-101-door").name,
        "Room 101 sea-view door"
    );
    let new_room = space(&spaces, "room-104");
    assert!(spaces_before.iter().all(|space| space.id != new_room.id));
    assert_eq!(
        new_room.entrance_ids,
        [entrance(&entrances, "room-104-door").id]
    );
    assert_eq!(desk.access_systems().unwrap(), systems_before);

    // The grant on room 101 still names the same door, now with its new name.
    let grant = desk.access_grant(grant.id).unwrap();
    assert_eq!(
        grant.entrance_ids(),
        [entrance(&entrances, "room-101-door").id]
    );
    assert_eq!(
        desk.entrance(grant.entrance_ids()[0]).unwrap().name,
        "Room 101 sea-view door"
    );

    // Putting room 203 back brings back the same records, not new ones.
    desk.import_property(&later, &base_file().to_string())
        .unwrap();
    let spaces_again = desk.spaces().unwrap();
    assert_eq!(
        space(&spaces_again, "room-203").id,
        space(&spaces_before, "room-203").id
    );
    assert_eq!(
        entrance(&desk.entrances(None, None).unwrap(), "room-203-door").id,
        entrance(&entrances_before, "room-203-door").id
    );
    assert!(spaces_again.iter().all(|space| space.key != "room-104"));

    let log = imports(&desk);
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|entry| entry.outcome == AuditOutcome::Ok));
    assert_eq!(log[1].before.as_ref().unwrap()["name"], "Quay Hotel");
    assert_eq!(log[1].after.as_ref().unwrap()["name"], "Quay Hotel & Spa");
}

#[test]
fn removing_an_entrance_a_live_grant_uses_is_refused_naming_it() {
    let desk = desk();
    import(&desk, &base_file()).unwrap();
    let grant = stay(&desk, "room-102", "stay-1");
    let before = everything(&desk);

    let mut file = base_file();
    file["property"]["name"] = json!("Quay Hotel & Spa");
    remove(&mut file, "spaces", "room-102");
    remove(&mut file, "entrances", "room-102-door");
    // Removing an unused room in the same file changes nothing either.
    remove(&mut file, "spaces", "room-203");
    remove(&mut file, "entrances", "room-203-door");

    let error = import(&desk, &file).unwrap_err();
    let problems = problems_of(&error);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("entrances:"), "{problems:?}");
    assert!(problems[0].contains("\"room-102-door\""), "{problems:?}");
    let wire = error.to_wire();
    assert_eq!(wire.status, 400);
    assert_eq!(wire.error_type, "invalid_property_file");
    assert_eq!(wire.problems, problems);
    assert_eq!(everything(&desk), before);

    // Once the grant is gone the same file goes through.
    desk.delete_access_grant(&context(), grant.id).unwrap();
    let property = import(&desk, &file).unwrap();
    assert_eq!(property.name, "Quay Hotel & Spa");
    let entrances = desk.entrances(None, None).unwrap();
    assert!(
        entrances
            .iter()
            .all(|e| e.key != "room-102-door" && e.key != "room-203-door")
    );

    let outcomes: Vec<_> = imports(&desk).iter().map(|entry| entry.outcome).collect();
    assert_eq!(
        outcomes,
        [AuditOutcome::Ok, AuditOutcome::Refused, AuditOutcome::Ok]
    );
}

#[test]
fn changing_whether_a_used_entrance_can_belong_to_a_reservation_is_refused() {
    let desk = desk();
    import(&desk, &base_file()).unwrap();
    stay(&desk, "room-101", "stay-1");
    let before = everything(&desk);

    let mut file = base_file();
    let index = list_index(&file, "entrances", "room-101-door");
    file["entrances"][index]["can_belong_to_reservation"] = json!(false);
    // The same change on a door nobody uses is fine on its own...
    let unused = list_index(&file, "entrances", "room-203-door");
    file["entrances"][unused]["can_belong_to_reservation"] = json!(false);

    let error = import(&desk, &file).unwrap_err();
    let problems = problems_of(&error);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let path = format!("entrances[{index}].can_belong_to_reservation");
    assert!(problems[0].starts_with(&format!("{path}:")), "{problems:?}");
    assert!(problems[0].contains("room-101-door"), "{problems:?}");
    assert_eq!(error.to_wire().problems, problems);
    // ...but nothing of a refused file is imported.
    assert_eq!(everything(&desk), before);

    let log = imports(&desk);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].outcome, AuditOutcome::Refused);
    assert!(
        log[1]
            .detail
            .as_deref()
            .unwrap()
            .contains("invalid_property_file")
    );
}
