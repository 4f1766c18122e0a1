//! The property file: the shipped demo, the documented example and every validation rule.

use std::collections::{BTreeMap, BTreeSet};

use engine::model::{AccessMode, AccessSystemKind, SpaceKind};
use engine::property::{
    DEMO_PROPERTY_JSON, EntranceDef, MAX_PROPERTY_FILE_BYTES, Problem, PropertyFile, demo_property,
    parse_property,
};
use serde_json::{Value, json};

/// The example of `docs/property-file.md`, verbatim.
const DOC_EXAMPLE: &str = r#"
    {
      "property": { "name": "Harbor View Hotel", "time_zone": "Europe/Lisbon" },
      "access_systems": [
        { "key": "vl",    "name": "Visionline", "kind": "visionline_system" },
        { "key": "brivo", "name": "Brivo",      "kind": "brivo_account" }
      ],
      "spaces": [
        { "key": "room-101", "name": "Room 101", "floor": 1, "kind": "guest_room" },
        { "key": "gym",      "name": "Gym",      "kind": "common" }
      ],
      "entrances": [
        { "key": "room-101-door", "name": "Room 101 door", "access_system": "vl",
          "spaces": ["room-101"], "can_belong_to_reservation": true,
          "modes": ["card", "mobile_key"] },
        { "key": "gym-door", "name": "Gym door", "access_system": "vl",
          "spaces": ["gym"], "can_belong_to_reservation": false, "modes": ["card"] }
      ]
    }
"#;

fn base() -> Value {
    serde_json::from_str(DOC_EXAMPLE).expect("the documented example is JSON")
}

/// The problems of the documented example after `edit`, as displayed.
fn problems_after(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut value = base();
    edit(&mut value);
    problems(&value.to_string())
}

fn problems(json: &str) -> Vec<String> {
    match parse_property(json) {
        Ok(file) => panic!("expected problems, the file parsed: {file:?}"),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

fn paths(json: &str) -> Vec<String> {
    match parse_property(json) {
        Ok(file) => panic!("expected problems, the file parsed: {file:?}"),
        Err(problems) => problems.into_iter().map(|p| p.path).collect(),
    }
}

fn parses_after(edit: impl FnOnce(&mut Value)) -> PropertyFile {
    let mut value = base();
    edit(&mut value);
    parse_property(&value.to_string()).unwrap_or_else(|problems| panic!("{problems:?}"))
}

fn entrance<'a>(file: &'a PropertyFile, key: &str) -> &'a EntranceDef {
    file.entrances
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("no entrance {key}"))
}

// ----- the demo -----

#[test]
fn demo_property_is_harbor_view_in_lisbon_with_its_two_systems() {
    let demo = demo_property();
    assert_eq!(demo, parse_property(DEMO_PROPERTY_JSON).unwrap());
    assert_eq!(demo.property.name, "Harbor View Hotel");
    assert_eq!(demo.property.time_zone, "Europe/Lisbon");
    let systems: Vec<_> = demo
        .access_systems
        .iter()
        .map(|s| (s.key.as_str(), s.name.as_str(), s.kind))
        .collect();
    assert_eq!(
        systems,
        [
            ("vl", "Visionline", AccessSystemKind::VisionlineSystem),
            ("brivo", "Brivo", AccessSystemKind::BrivoAccount)
        ]
    );
    assert_eq!(demo.spaces.len(), 120 + 2 + 5);
    assert_eq!(demo.entrances.len(), 120 + 4 + 4 + 1);
}

#[test]
fn demo_has_120_guest_rooms_on_6_floors_each_with_one_capable_door() {
    let demo = demo_property();
    let rooms: Vec<_> = demo
        .spaces
        .iter()
        .filter(|s| s.kind == SpaceKind::GuestRoom)
        .collect();
    assert_eq!(rooms.len(), 120);

    let mut per_floor: BTreeMap<i32, usize> = BTreeMap::new();
    for room in &rooms {
        *per_floor.entry(room.floor.unwrap()).or_default() += 1;
    }
    assert_eq!(per_floor, (1..=6).map(|floor| (floor, 20)).collect());

    let expected_keys: BTreeSet<String> = (1..=6)
        .flat_map(|floor| (1..=20).map(move |n| format!("room-{}", floor * 100 + n)))
        .collect();
    let keys: BTreeSet<String> = rooms.iter().map(|r| r.key.clone()).collect();
    assert_eq!(keys, expected_keys);

    let room = demo.spaces.iter().find(|s| s.key == "room-314").unwrap();
    assert_eq!((room.name.as_str(), room.floor), ("Room 314", Some(3)));

    for room in &rooms {
        let doors: Vec<_> = demo
            .entrances
            .iter()
            .filter(|e| e.spaces.contains(&room.key))
            .collect();
        assert_eq!(doors.len(), 1, "{}", room.key);
        let door = doors[0];
        assert_eq!(door.key, format!("{}-door", room.key));
        assert_eq!(door.name, format!("{} door", room.name));
        assert_eq!(door.access_system, "vl");
        assert_eq!(door.spaces, std::slice::from_ref(&room.key));
        assert!(door.can_belong_to_reservation, "{}", door.key);
        assert_eq!(door.modes, [AccessMode::Card, AccessMode::MobileKey]);
    }
}

#[test]
fn demo_has_two_suites_on_floor_6_with_two_capable_doors_each() {
    let demo = demo_property();
    let suites: Vec<_> = demo
        .spaces
        .iter()
        .filter(|s| s.kind == SpaceKind::Suite)
        .map(|s| (s.key.as_str(), s.name.as_str(), s.floor))
        .collect();
    assert_eq!(
        suites,
        [
            ("suite-650", "Harbor Suite 650", Some(6)),
            ("suite-660", "Lighthouse Suite 660", Some(6))
        ]
    );
    for suite in ["suite-650", "suite-660"] {
        let doors: BTreeSet<&str> = demo
            .entrances
            .iter()
            .filter(|e| e.spaces.iter().any(|s| s == suite))
            .map(|e| e.key.as_str())
            .collect();
        let main = format!("{suite}-main");
        let bedroom = format!("{suite}-bedroom");
        assert_eq!(doors, BTreeSet::from([main.as_str(), bedroom.as_str()]));
        for door in [main, bedroom] {
            let door = entrance(&demo, &door);
            assert_eq!(door.access_system, "vl");
            assert!(door.can_belong_to_reservation, "{}", door.key);
        }
    }
}

#[test]
fn demo_common_areas_are_not_capable_and_parking_is_on_the_online_system() {
    let demo = demo_property();
    let common: BTreeSet<&str> = demo
        .spaces
        .iter()
        .filter(|s| s.kind == SpaceKind::Common)
        .map(|s| {
            assert_eq!(s.floor, None, "{}", s.key);
            s.key.as_str()
        })
        .collect();
    assert_eq!(
        common,
        BTreeSet::from(["lobby", "gym", "pool", "elevator", "parking"])
    );

    for area in ["lobby", "gym", "pool", "elevator"] {
        let doors: Vec<_> = demo
            .entrances
            .iter()
            .filter(|e| e.spaces.iter().any(|s| s == area))
            .collect();
        assert_eq!(doors.len(), 1, "{area}");
        assert_eq!(doors[0].access_system, "vl", "{area}");
        assert!(!doors[0].can_belong_to_reservation, "{area}");
        assert_eq!(doors[0].modes, [AccessMode::Card], "{area}");
    }

    let gate = entrance(&demo, "parking-gate");
    assert_eq!(gate.spaces, ["parking"]);
    assert_eq!(gate.access_system, "brivo");
    let brivo = demo
        .access_systems
        .iter()
        .find(|s| s.key == gate.access_system)
        .unwrap();
    assert!(!brivo.kind.is_override_based());
    assert!(!gate.can_belong_to_reservation);
    assert_eq!(gate.modes, [AccessMode::Card, AccessMode::MobileKey]);

    // Exactly the guest rooms' and suites' doors are capable: 120 + 4.
    let capable = demo
        .entrances
        .iter()
        .filter(|e| e.can_belong_to_reservation)
        .count();
    assert_eq!(capable, 124);
}

#[test]
fn a_serialized_property_file_parses_back_to_itself() {
    let demo = demo_property();
    let text = serde_json::to_string_pretty(&demo).unwrap();
    assert!(
        !text.contains("\"floor\": null"),
        "absent floors are omitted"
    );
    assert_eq!(parse_property(&text).unwrap(), demo);
}

// ----- the documented example -----

#[test]
fn the_documented_example_parses() {
    let file = parse_property(DOC_EXAMPLE).unwrap();
    assert_eq!(file.property.name, "Harbor View Hotel");
    assert_eq!(file.access_systems.len(), 2);
    assert_eq!(file.spaces[0].floor, Some(1));
    assert_eq!(file.spaces[1].floor, None);
    assert_eq!(file.spaces[1].kind, SpaceKind::Common);
    assert_eq!(
        file.entrances[0],
        EntranceDef {
            key: "room-101-door".into(),
            name: "Room 101 door".into(),
            access_system: "vl".into(),
            spaces: vec!["room-101".into()],
            can_belong_to_reservation: true,
            modes: vec![AccessMode::Card, AccessMode::MobileKey],
            pms_key_option: None,
        }
    );
    assert!(!file.entrances[1].can_belong_to_reservation);
}

#[test]
fn a_problem_displays_as_path_colon_message() {
    let problem = Problem {
        path: "spaces[2].key".into(),
        message: "duplicate key".into(),
    };
    assert_eq!(problem.to_string(), "spaces[2].key: duplicate key");
}

// ----- keys -----

#[test]
fn keys_must_be_unique_within_their_list() {
    assert_eq!(
        problems_after(|v| {
            v["spaces"][1]["key"] = json!("room-101");
            v["entrances"][1]["spaces"] = json!(["room-101"]);
            v["entrances"][1]["key"] = json!("room-101-door");
            v["access_systems"][1]["key"] = json!("vl");
            v["entrances"][1]["access_system"] = json!("vl");
        }),
        [
            r#"access_systems[1].key: duplicate key "vl""#,
            r#"spaces[1].key: duplicate key "room-101""#,
            r#"entrances[1].key: duplicate key "room-101-door""#,
        ]
    );
}

#[test]
fn the_same_key_may_appear_in_different_lists() {
    let file = parses_after(|v| {
        v["spaces"][1]["key"] = json!("gym-door");
        v["entrances"][1]["spaces"] = json!(["gym-door"]);
        v["access_systems"][0]["key"] = json!("gym-door");
        v["entrances"][0]["access_system"] = json!("gym-door");
        v["entrances"][1]["access_system"] = json!("gym-door");
    });
    assert_eq!(file.entrances[1].key, "gym-door");
}

#[test]
fn keys_are_non_empty_lower_case_letters_digits_and_dashes() {
    assert_eq!(
        problems_after(|v| {
            v["access_systems"][1]["key"] = json!("");
            v["spaces"][0]["key"] = json!("Room-101");
            v["spaces"][1]["key"] = json!("gym area");
            v["entrances"][0]["spaces"] = json!(["Room-101"]);
            v["entrances"][1]["spaces"] = json!(["gym area"]);
            v["entrances"][0]["key"] = json!("room_101");
            v["entrances"][1]["key"] = json!("gym-dör");
        }),
        [
            "access_systems[1].key: must not be empty",
            r#"spaces[0].key: "Room-101" may contain only lower-case letters, digits and "-""#,
            r#"spaces[1].key: "gym area" may contain only lower-case letters, digits and "-""#,
            r#"entrances[0].key: "room_101" may contain only lower-case letters, digits and "-""#,
            r#"entrances[1].key: "gym-dör" may contain only lower-case letters, digits and "-""#,
            // References to the malformed keys are not reported a second time.
        ]
    );
}

#[test]
fn keys_are_at_most_64_characters() {
    let at_limit = "a".repeat(64);
    let file = parses_after(|v| {
        v["spaces"][1]["key"] = json!(at_limit);
        v["entrances"][1]["spaces"] = json!([at_limit]);
    });
    assert_eq!(file.spaces[1].key.len(), 64);

    assert_eq!(
        problems_after(|v| v["spaces"][1]["key"] = json!("a".repeat(65))),
        [
            "spaces[1].key: is 65 characters long; at most 64 are allowed",
            r#"entrances[1].spaces[0]: unknown key "gym""#,
        ]
    );
}

// ----- names -----

#[test]
fn names_are_non_blank_at_most_255_characters_without_control_characters() {
    let file = parses_after(|v| v["spaces"][0]["name"] = json!("é".repeat(255)));
    assert_eq!(file.spaces[0].name.chars().count(), 255);

    assert_eq!(
        problems_after(|v| {
            v["property"]["name"] = json!("");
            v["access_systems"][0]["name"] = json!("   ");
            v["spaces"][0]["name"] = json!("é".repeat(256));
            v["spaces"][1]["name"] = json!("Gym\nBasement");
            v["entrances"][0]["name"] = json!("Room\t101 door");
            v["entrances"][1]["name"] = json!("Gym \u{7f}door");
        }),
        [
            "property.name: must not be empty",
            "access_systems[0].name: must not be empty",
            "spaces[0].name: is 256 characters long; at most 255 are allowed",
            "spaces[1].name: must not contain control characters",
            "entrances[0].name: must not contain control characters",
            "entrances[1].name: must not contain control characters",
        ]
    );
}

// ----- property -----

#[test]
fn the_time_zone_must_be_a_known_iana_name() {
    assert_eq!(
        parses_after(|v| v["property"]["time_zone"] = json!("UTC"))
            .property
            .time_zone,
        "UTC"
    );
    assert_eq!(
        problems_after(|v| v["property"]["time_zone"] = json!("Mars/Base")),
        [
            r#"property.time_zone: unknown time zone "Mars/Base"; expected an IANA name such as "Europe/Lisbon""#
        ]
    );
    assert_eq!(
        paths(&{
            let mut v = base();
            v["property"]["time_zone"] = json!("europe/lisbon");
            v.to_string()
        }),
        ["property.time_zone"]
    );
}

#[test]
fn the_locale_is_a_language_with_its_region_and_defaults_to_british_english() {
    let without = parses_after(|v| {
        v["property"].as_object_mut().unwrap().remove("locale");
    });
    assert_eq!(without.property.locale, "en-GB");
    assert_eq!(
        parses_after(|v| v["property"]["locale"] = json!("en-US"))
            .property
            .locale,
        "en-US"
    );
    assert_eq!(
        parses_after(|v| v["property"]["locale"] = json!("es-419"))
            .property
            .locale,
        "es-419"
    );
    for bad in ["en", "EN-gb", "en_GB", "english-GB", "en-GBR", ""] {
        assert_eq!(
            paths(&{
                let mut v = base();
                v["property"]["locale"] = json!(bad);
                v.to_string()
            }),
            ["property.locale"],
            "{bad:?}"
        );
    }
    assert_eq!(
        problems_after(|v| v["property"]["locale"] = json!(44)),
        ["property.locale: expected a string, found a number"]
    );
}

// ----- kinds -----

#[test]
fn kinds_must_be_known() {
    assert_eq!(
        problems_after(|v| {
            v["access_systems"][0]["kind"] = json!("foo");
            v["spaces"][0]["kind"] = json!("room");
        }),
        [
            r#"access_systems[0].kind: unknown kind "foo"; expected one of visionline_system, dormakaba_ambiance_site, dormakaba_community_site, assa_abloy_vostio, brivo_account, avigilon_alta_org"#,
            r#"spaces[0].kind: unknown kind "room"; expected one of guest_room, suite, unit, common"#,
        ]
    );
}

#[test]
fn every_documented_kind_is_accepted() {
    for kind in AccessSystemKind::ALL {
        let file = parses_after(|v| {
            v["access_systems"][0]["kind"] = json!(kind.as_str());
            v["entrances"][0]["can_belong_to_reservation"] = json!(kind.is_override_based());
        });
        assert_eq!(file.access_systems[0].kind, kind);
    }
    for kind in SpaceKind::ALL {
        let file = parses_after(|v| {
            v["spaces"][0]["kind"] = json!(kind.as_str());
            v["entrances"][0]["can_belong_to_reservation"] = json!(kind != SpaceKind::Common);
        });
        assert_eq!(file.spaces[0].kind, kind);
    }
}

// ----- floors -----

#[test]
fn floor_is_an_optional_integer_within_a_sensible_range() {
    assert_eq!(
        parses_after(|v| v["spaces"][0]["floor"] = json!(-10)).spaces[0].floor,
        Some(-10)
    );
    assert_eq!(
        parses_after(|v| v["spaces"][0]["floor"] = json!(300)).spaces[0].floor,
        Some(300)
    );
    assert_eq!(
        parses_after(|v| v["spaces"][0]["floor"] = json!(0)).spaces[0].floor,
        Some(0)
    );
    assert_eq!(
        parses_after(|v| v["spaces"][0]["floor"] = Value::Null).spaces[0].floor,
        None
    );
    assert_eq!(
        parses_after(|v| {
            v["spaces"][0].as_object_mut().unwrap().remove("floor");
        })
        .spaces[0]
            .floor,
        None
    );

    assert_eq!(
        problems(&DOC_EXAMPLE.replace(r#""floor": 1"#, r#""floor": 1.5"#)),
        ["spaces[0].floor: expected an integer, found 1.5"]
    );
    assert_eq!(
        problems(&DOC_EXAMPLE.replace(r#""floor": 1"#, r#""floor": 1.0"#)),
        ["spaces[0].floor: expected an integer, found 1.0"]
    );
    assert_eq!(
        problems_after(|v| v["spaces"][0]["floor"] = json!("1")),
        ["spaces[0].floor: expected an integer, found a string"]
    );
    assert_eq!(
        problems_after(|v| v["spaces"][0]["floor"] = json!(301)),
        ["spaces[0].floor: floor 301 is out of range; expected -10..=300"]
    );
    assert_eq!(
        problems_after(|v| v["spaces"][0]["floor"] = json!(-11)),
        ["spaces[0].floor: floor -11 is out of range; expected -10..=300"]
    );
    assert_eq!(
        problems_after(|v| v["spaces"][0]["floor"] = json!(u64::MAX)),
        ["spaces[0].floor: floor 18446744073709551615 is out of range; expected -10..=300"]
    );
}

// ----- entrances -----

#[test]
fn an_entrance_must_name_a_known_access_system() {
    assert_eq!(
        problems_after(|v| v["entrances"][1]["access_system"] = json!("v1")),
        [r#"entrances[1].access_system: unknown key "v1""#]
    );
}

#[test]
fn an_entrance_needs_known_distinct_spaces() {
    assert_eq!(
        problems_after(|v| v["entrances"][1]["spaces"] = json!([])),
        ["entrances[1].spaces: at least one space is required"]
    );
    assert_eq!(
        problems_after(|v| v["entrances"][1]["spaces"] = json!(["gym", "spa", "gym", 7])),
        [
            r#"entrances[1].spaces[1]: unknown key "spa""#,
            r#"entrances[1].spaces[2]: duplicate key "gym""#,
            "entrances[1].spaces[3]: expected a string, found a number",
        ]
    );
    assert_eq!(
        problems_after(|v| v["entrances"][1]["spaces"] = json!("gym")),
        ["entrances[1].spaces: expected an array, found a string"]
    );
    // A door between a room and a common area is fine.
    let file = parses_after(|v| v["entrances"][1]["spaces"] = json!(["gym", "room-101"]));
    assert_eq!(file.entrances[1].spaces, ["gym", "room-101"]);
}

#[test]
fn only_override_based_doors_can_belong_to_a_reservation() {
    assert_eq!(
        problems_after(|v| v["entrances"][0]["access_system"] = json!("brivo")),
        [
            r#"entrances[0].can_belong_to_reservation: must be false: access system "brivo" is brivo_account, which is not override-based"#
        ]
    );
    // Not capable on an online system is fine.
    let file = parses_after(|v| {
        v["entrances"][0]["access_system"] = json!("brivo");
        v["entrances"][0]["can_belong_to_reservation"] = json!(false);
    });
    assert_eq!(file.entrances[0].access_system, "brivo");
}

#[test]
fn common_areas_cannot_belong_to_a_reservation() {
    assert_eq!(
        problems_after(|v| v["entrances"][1]["can_belong_to_reservation"] = json!(true)),
        [
            "entrances[1].can_belong_to_reservation: must be false: an entrance to common areas only cannot belong to a reservation"
        ]
    );
    // Both reasons at once are both listed.
    assert_eq!(
        paths(&{
            let mut v = base();
            v["entrances"][1]["can_belong_to_reservation"] = json!(true);
            v["entrances"][1]["access_system"] = json!("brivo");
            v.to_string()
        }),
        [
            "entrances[1].can_belong_to_reservation",
            "entrances[1].can_belong_to_reservation"
        ]
    );
    // A door that also opens a guest room may.
    let file = parses_after(|v| {
        v["entrances"][1]["spaces"] = json!(["gym", "room-101"]);
        v["entrances"][1]["can_belong_to_reservation"] = json!(true);
    });
    assert!(file.entrances[1].can_belong_to_reservation);
}

#[test]
fn can_belong_to_reservation_is_a_boolean() {
    assert_eq!(
        problems_after(|v| v["entrances"][0]["can_belong_to_reservation"] = json!("true")),
        ["entrances[0].can_belong_to_reservation: expected a boolean, found a string"]
    );
}

#[test]
fn modes_are_a_non_empty_list_of_distinct_known_modes() {
    let file = parses_after(|v| v["entrances"][0]["modes"] = json!(["code", "card", "mobile_key"]));
    assert_eq!(
        file.entrances[0].modes,
        [AccessMode::Code, AccessMode::Card, AccessMode::MobileKey]
    );

    assert_eq!(
        problems_after(|v| v["entrances"][0]["modes"] = json!([])),
        ["entrances[0].modes: at least one mode is required"]
    );
    assert_eq!(
        problems_after(|v| v["entrances"][0]["modes"] = json!(["card", "nfc", "card", null])),
        [
            r#"entrances[0].modes[1]: unknown mode "nfc"; expected one of card, mobile_key, code"#,
            r#"entrances[0].modes[2]: duplicate mode "card""#,
            "entrances[0].modes[3]: expected a string, found null",
        ]
    );
}

#[test]
fn at_least_one_entrance_is_required_but_other_lists_may_be_empty() {
    assert_eq!(
        problems_after(|v| v["entrances"] = json!([])),
        ["entrances: at least one entrance is required"]
    );
    // Empty system and space lists are not problems of their own: only the references are.
    assert_eq!(
        paths(&{
            let mut v = base();
            v["access_systems"] = json!([]);
            v["spaces"] = json!([]);
            v.to_string()
        }),
        [
            "entrances[0].access_system",
            "entrances[0].spaces[0]",
            "entrances[1].access_system",
            "entrances[1].spaces[0]",
        ]
    );
}

// ----- shape: missing fields, wrong types, unknown fields -----

#[test]
fn every_required_field_is_reported_when_missing() {
    let cases: [(&str, &[&str]); 5] = [
        ("", &["property", "access_systems", "spaces", "entrances"]),
        ("/property", &["name", "time_zone"]),
        ("/access_systems/0", &["key", "name", "kind"]),
        ("/spaces/0", &["key", "name", "kind"]),
        (
            "/entrances/0",
            &[
                "key",
                "name",
                "access_system",
                "spaces",
                "can_belong_to_reservation",
                "modes",
            ],
        ),
    ];
    for (pointer, fields) in cases {
        for field in fields {
            let mut v = base();
            v.pointer_mut(pointer)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(*field);
            let dotted = pointer
                .trim_start_matches('/')
                .split('/')
                .filter(|s| !s.is_empty())
                .fold(String::new(), |path, part| match part.parse::<usize>() {
                    Ok(index) => format!("{path}[{index}]"),
                    Err(_) => format!("{path}{part}"),
                });
            let expected = if dotted.is_empty() {
                format!("{field}: required field is missing")
            } else {
                format!("{dotted}.{field}: required field is missing")
            };
            let found = problems(&v.to_string());
            assert_eq!(found[0], expected, "removing {pointer}/{field}: {found:?}");
        }
    }
}

#[test]
fn a_missing_list_is_reported_once_not_once_per_reference() {
    for list in ["access_systems", "spaces"] {
        let mut v = base();
        v.as_object_mut().unwrap().remove(list);
        assert_eq!(
            problems(&v.to_string()),
            [format!("{list}: required field is missing")]
        );
    }
}

#[test]
fn wrong_json_types_are_reported_with_their_path() {
    assert_eq!(problems("[]"), ["$: expected an object, found an array"]);
    assert_eq!(problems("null"), ["$: expected an object, found null"]);
    assert_eq!(
        problems_after(|v| {
            v["property"] = json!("Harbor View");
            v["access_systems"][1] = json!(1);
            v["spaces"] = json!({});
            v["entrances"][1]["key"] = json!(false);
            v["entrances"][1]["access_system"] = json!(["vl"]);
        }),
        [
            "property: expected an object, found a string",
            "access_systems[1]: expected an object, found a number",
            "spaces: expected an array, found an object",
            "entrances[1].key: expected a string, found a boolean",
            "entrances[1].access_system: expected a string, found an array",
        ]
    );
}

#[test]
fn unknown_fields_are_refused_not_dropped() {
    assert_eq!(
        problems_after(|v| {
            v["version"] = json!(2);
            v["property"]["timezone"] = json!("Europe/Lisbon");
            v["access_systems"][1]["online"] = json!(true);
            v["spaces"][0]["flor"] = json!(2);
            v["entrances"][1]["mode"] = json!(["card"]);
            v["entrances"][1]["the door"] = json!(1);
        }),
        [
            "property.timezone: unknown field; expected one of name, time_zone, locale",
            "access_systems[1].online: unknown field; expected one of key, name, kind",
            "spaces[0].flor: unknown field; expected one of key, name, floor, kind, pms_room_number",
            r#"entrances[1].mode: unknown field; expected one of key, name, access_system, spaces, can_belong_to_reservation, modes, pms_key_option"#,
            r#"entrances[1]["the door"]: unknown field; expected one of key, name, access_system, spaces, can_belong_to_reservation, modes, pms_key_option"#,
            "version: unknown field; expected one of property, access_systems, spaces, entrances",
        ]
    );
}

#[test]
fn a_field_given_twice_in_one_object_is_refused() {
    let json = DOC_EXAMPLE.replace(r#""floor": 1,"#, r#""floor": 1, "floor": 2,"#);
    assert_eq!(
        problems(&json),
        ["spaces[0].floor: field appears more than once in the same object"]
    );
}

#[test]
fn a_file_with_several_problems_lists_every_one() {
    let json = r#"{
      "property": { "name": "Harbor View Hotel", "time_zone": "Mars/Base" },
      "access_systems": [
        { "key": "vl", "name": "Visionline", "kind": "visionline_system" },
        { "key": "brivo", "name": "Brivo", "kind": "foo" }
      ],
      "spaces": [
        { "key": "room-101", "name": "Room 101", "floor": 1, "kind": "guest_room" },
        { "key": "room-102", "name": "", "floor": "2", "kind": "guest_room" },
        { "key": "room-101", "name": "Room 101 again", "kind": "guest_room" },
        { "key": "gym", "name": "Gym", "kind": "common", "flor": 0 }
      ],
      "entrances": [
        { "key": "room-101-door", "name": "Room 101 door", "access_system": "vl",
          "spaces": ["room-101"], "can_belong_to_reservation": true, "modes": ["card"] },
        { "key": "room-102-door", "name": "Room 102 door", "access_system": "vl",
          "spaces": ["room-102"], "can_belong_to_reservation": true, "modes": [] },
        { "key": "gym-door", "name": "Gym door", "access_system": "vl",
          "spaces": ["gym"], "can_belong_to_reservation": true, "modes": ["card"] },
        { "key": "spa-door", "name": "Spa door", "access_system": "v1",
          "spaces": ["spa"], "modes": ["card", "nfc"] }
      ]
    }"#;
    let found = parse_property(json).unwrap_err();
    let found: Vec<(&str, &str)> = found
        .iter()
        .map(|p| (p.path.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "property.time_zone",
                r#"unknown time zone "Mars/Base"; expected an IANA name such as "Europe/Lisbon""#
            ),
            (
                "access_systems[1].kind",
                r#"unknown kind "foo"; expected one of visionline_system, dormakaba_ambiance_site, dormakaba_community_site, assa_abloy_vostio, brivo_account, avigilon_alta_org"#
            ),
            ("spaces[1].name", "must not be empty"),
            ("spaces[1].floor", "expected an integer, found a string"),
            ("spaces[2].key", r#"duplicate key "room-101""#),
            (
                "spaces[3].flor",
                "unknown field; expected one of key, name, floor, kind, pms_room_number"
            ),
            ("entrances[1].modes", "at least one mode is required"),
            (
                "entrances[2].can_belong_to_reservation",
                "must be false: an entrance to common areas only cannot belong to a reservation"
            ),
            ("entrances[3].access_system", r#"unknown key "v1""#),
            ("entrances[3].spaces[0]", r#"unknown key "spa""#),
            (
                "entrances[3].can_belong_to_reservation",
                "required field is missing"
            ),
            (
                "entrances[3].modes[1]",
                r#"unknown mode "nfc"; expected one of card, mobile_key, code"#
            ),
        ]
    );
}

// ----- the text itself -----

#[test]
fn invalid_json_is_one_problem_with_line_and_column() {
    let json = "{\n  \"property\": {\n    \"name\": \"Harbor View\",\n  }\n}";
    let found = parse_property(json).unwrap_err();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "$");
    assert!(
        found[0].message.starts_with("invalid JSON: "),
        "{}",
        found[0].message
    );
    assert!(
        found[0].message.contains("line 4 column 3"),
        "{}",
        found[0].message
    );

    for text in ["", "   ", "{", "nonsense", r#"{"property": 1} trailing"#] {
        let found = parse_property(text).unwrap_err();
        assert_eq!(found.len(), 1, "{text:?}: {found:?}");
        assert_eq!(found[0].path, "$");
        assert!(
            found[0].message.starts_with("invalid JSON: "),
            "{text:?}: {found:?}"
        );
        assert!(found[0].message.contains(" line "), "{text:?}: {found:?}");
    }
}

#[test]
fn deeply_nested_json_is_refused_without_overflowing_the_stack() {
    let json = format!(
        r#"{{"property": {}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let found = parse_property(&json).unwrap_err();
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("recursion limit"), "{found:?}");
}

#[test]
fn a_leading_byte_order_mark_is_accepted() {
    let file = parse_property(&format!("\u{feff}{DOC_EXAMPLE}")).unwrap();
    assert_eq!(file.property.name, "Harbor View Hotel");
}

#[test]
fn inputs_over_16_mib_are_refused_before_parsing() {
    assert_eq!(MAX_PROPERTY_FILE_BYTES, 16 * 1024 * 1024);

    // Exactly at the limit is still read...
    let mut at_limit = DOC_EXAMPLE.to_owned();
    at_limit.push_str(&" ".repeat(MAX_PROPERTY_FILE_BYTES - at_limit.len()));
    assert_eq!(at_limit.len(), MAX_PROPERTY_FILE_BYTES);
    assert!(parse_property(&at_limit).is_ok());

    // ...one byte more is not, even though the JSON is valid.
    at_limit.push(' ');
    let found = parse_property(&at_limit).unwrap_err();
    assert_eq!(
        found,
        [Problem {
            path: "$".into(),
            message: "the file is 16777217 bytes; at most 16777216 (16 MiB) are accepted".into(),
        }]
    );
}

// ----- the PMS's names: room numbers and key options -----

#[test]
fn pms_room_numbers_and_key_options_are_read() {
    let file = parses_after(|v| {
        v["spaces"][0]["pms_room_number"] = json!(" 101 ");
        v["entrances"][1]["pms_key_option"] = json!(3);
    });
    assert_eq!(file.spaces[0].pms_room_number.as_deref(), Some("101"));
    assert_eq!(file.spaces[1].pms_room_number, None);
    assert_eq!(file.entrances[1].pms_key_option, Some(3));
    assert_eq!(file.entrances[0].pms_key_option, None);
    let demo = demo_property();
    let room = demo.spaces.iter().find(|s| s.key == "room-101").unwrap();
    assert_eq!(room.pms_room_number.as_deref(), Some("101"));
    assert_eq!(entrance(&demo, "gym-door").pms_key_option, Some(1));
}

#[test]
fn a_bad_pms_room_number_is_named() {
    let cases: [(Value, &str); 5] = [
        (json!(""), "spaces[0].pms_room_number: must not be empty"),
        (json!(101), "spaces[0].pms_room_number: expected a string"),
        (
            json!("1|01"),
            "spaces[0].pms_room_number: must not contain control characters",
        ),
        (
            json!("x".repeat(21)),
            "spaces[0].pms_room_number: is 21 characters long",
        ),
        (json!("gym"), ""),
    ];
    for (number, expected) in cases {
        let found = problems_after(|v| {
            v["spaces"][0]["pms_room_number"] = number.clone();
            v["spaces"][1]["pms_room_number"] = json!("gym");
        });
        if expected.is_empty() {
            assert!(
                found.iter().any(|p| p.starts_with(
                    "spaces[1].pms_room_number: \"gym\" is already the room number of spaces[0]"
                )),
                "{number}: {found:?}"
            );
        } else {
            assert!(
                found.iter().any(|p| p.starts_with(expected)),
                "{number}: {found:?}"
            );
        }
    }
}

#[test]
fn a_key_option_is_a_free_position_on_a_common_area_door() {
    for (option, expected) in [
        (
            json!(0),
            "entrances[1].pms_key_option: expected a position from 1 to 20",
        ),
        (
            json!(21),
            "entrances[1].pms_key_option: expected a position from 1 to 20",
        ),
        (
            json!("1"),
            "entrances[1].pms_key_option: expected an integer",
        ),
    ] {
        let found = problems_after(|v| v["entrances"][1]["pms_key_option"] = option.clone());
        assert!(
            found.iter().any(|p| p.starts_with(expected)),
            "{option}: {found:?}"
        );
    }
    let found = problems_after(|v| v["entrances"][0]["pms_key_option"] = json!(1));
    assert!(
        found.iter().any(|p| p.starts_with("entrances[0].pms_key_option: only an entrance to common areas")),
        "{found:?}"
    );
    let found = problems_after(|v| {
        let mut pool = v["entrances"][1].clone();
        pool["key"] = json!("pool-door");
        pool["pms_key_option"] = json!(2);
        v["entrances"][1]["pms_key_option"] = json!(2);
        v["entrances"].as_array_mut().unwrap().push(pool);
    });
    assert!(
        found.iter().any(|p| p.starts_with(
            "entrances[2].pms_key_option: position 2 is already the key option of entrances[1]"
        )),
        "{found:?}"
    );
}
