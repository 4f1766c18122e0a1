//! Joiners: a guest added to a stay, on all or some of its doors.

use engine::lock::Decision;
use engine::model::EntranceId;
use frontdesk::AddGuest;

use super::{
    ARRIVE, BOOKED, DURING, LEAVE, assert_invalid, assert_refusal_audited, check_in, doors,
    entrance_keys, grants_of, guest, guest_named, issue, keys, present, receptionist, refused,
    snapshot,
};
use crate::support::{Desk, at, sequence_at};

#[test]
fn a_joiner_gets_every_door_of_the_stay_by_default() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let stay = desk
        .desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-1".to_owned(),
                guest: guest("Bruno Costa"),
                room_entrance_ids: None,
                common_entrance_ids: doors(&desk, &["gym-door"]),
                cards: 2,
            },
        )
        .unwrap();
    assert_eq!(stay.guests.len(), 2);
    let bruno = guest_named(&stay, "Bruno Costa");
    assert_eq!(bruno.cards.len(), 2);
    assert_eq!((bruno.starts_at, bruno.ends_at), (at(ARRIVE), at(LEAVE)));

    let grants = grants_of(&desk, "R-1");
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0].reservation_id, grants[1].reservation_id);
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&grants[1]), "room-101-door"),
        Some(1)
    );
    assert_eq!(
        entrance_keys(&desk, &grants[1]),
        keys(&["room-101-door", "gym-door"])
    );
}

#[test]
fn a_joiner_may_open_only_some_of_a_suite_s_doors() {
    let desk = Desk::new();
    check_in(&desk, "suite-300", ARRIVE, LEAVE, &["Ana Silva"], "R-3");
    let stay = desk
        .desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-3".to_owned(),
                guest: guest("Carla Dias"),
                room_entrance_ids: Some(doors(&desk, &["suite-300-bedroom"])),
                common_entrance_ids: Vec::new(),
                cards: 1,
            },
        )
        .unwrap();
    let carla = guest_named(&stay, "Carla Dias");
    assert_eq!(carla.entrance_ids, doors(&desk, &["suite-300-bedroom"]));

    let grants = grants_of(&desk, "R-3");
    let ana = &grants[0];
    let carla = &grants[1];
    assert_eq!(entrance_keys(&desk, carla), keys(&["suite-300-bedroom"]));
    assert_eq!(carla.reservation_id, ana.reservation_id);
    assert_eq!(
        sequence_at(&desk, carla, "suite-300-bedroom"),
        sequence_at(&desk, ana, "suite-300-bedroom")
    );

    // Her card opens the bedroom and not the suite's main door.
    let card = issue(&desk, carla.access_method_ids[0]);
    let main = present(&desk, "suite-300-main", &card, DURING);
    assert_eq!(main.decision, Decision::Denied, "{main:?}");
    let bedroom = present(&desk, "suite-300-bedroom", &card, DURING);
    assert_eq!(bedroom.decision, Decision::Granted, "{bedroom:?}");
}

#[test]
fn a_joiner_with_more_doors_than_the_stay_gets_the_guide_s_409() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let before = snapshot(&desk);
    let error = refused(desk.desk.add_guest(
        &receptionist(),
        at(BOOKED),
        &AddGuest {
            reservation_key: "R-1".to_owned(),
            guest: guest("Bruno Costa"),
            room_entrance_ids: Some(doors(&desk, &["room-101-door", "room-102-door"])),
            common_entrance_ids: Vec::new(),
            cards: 1,
        },
    ));
    assert_eq!(error.status, 409);
    assert_eq!(error.error_type, "reservation_joiner_entrance_set_conflict");
    assert_eq!(
        error.title.as_deref(),
        Some("Reservation joiner entrance set conflict.")
    );
    assert_eq!(
        error.message,
        "Joiner access grants must use the same or a subset of the reservation-capable doors."
    );
    assert_eq!(snapshot(&desk), before);
    assert_refusal_audited(&desk, "stay.add_guest", "operator:Rui", &error);
}

#[test]
fn a_refused_joiner_names_its_field() {
    let desk = Desk::new();
    check_in(&desk, "room-101", ARRIVE, LEAVE, &["Ana Silva"], "R-1");
    let add_with = |name: &str, cards: u32, key: &str, common: Vec<EntranceId>| {
        desk.desk.add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: key.to_owned(),
                guest: guest(name),
                room_entrance_ids: None,
                common_entrance_ids: common,
                cards,
            },
        )
    };
    let add = |name: &str, cards: u32, key: &str| add_with(name, cards, key, Vec::new());
    let before = snapshot(&desk);
    assert_invalid(&refused(add(" ", 1, "R-1")), "guest.full_name");
    assert_invalid(
        &refused(add_with(
            "Bruno Costa",
            1,
            "R-1",
            doors(&desk, &["gym-door", "parking-gate"]),
        )),
        "common_entrance_ids[1]",
    );
    assert_invalid(&refused(add("Bruno Costa", 0, "R-1")), "cards");
    assert_invalid(&refused(add("Bruno Costa", 11, "R-1")), "cards");
    let error = refused(add("Bruno Costa", 1, "R-404"));
    assert_eq!(
        (error.status, error.error_type.as_str()),
        (404, "not_found")
    );
    assert_eq!(snapshot(&desk), before);
}
