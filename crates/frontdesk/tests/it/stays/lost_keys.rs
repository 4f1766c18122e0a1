//! Lost keys: a stay's cards reissued under a new reservation.

use std::collections::{BTreeMap, BTreeSet};

use engine::lock::{Decision, Reason};
use engine::warnings::WarningCode;
use frontdesk::{AccessGrantRecord, AddGuest, FixAction};

use super::{
    ARRIVE, BOOKED, DURING, LEAVE, check_in, doors, entrance_keys, grant_ever, grants_of, guest,
    issue, keys, lost_card_warning, manager, method, present, receptionist, request,
};
use crate::support::{Desk, at, sequence_at};

#[test]
fn a_lost_key_reissues_the_stay_under_a_new_reservation_that_overrides_at_first_use() {
    let desk = Desk::new();
    let mut stay = request(
        &desk,
        "room-101",
        ARRIVE,
        LEAVE,
        &["Ana Silva", "Bruno Costa"],
        Some("R-8"),
    );
    stay.cards_per_guest = 2;
    desk.desk
        .check_in(&receptionist(), at(BOOKED), &stay)
        .unwrap();
    let old = grants_of(&desk, "R-8");
    let ana_old = issue(&desk, old[0].access_method_ids[0]);
    let bruno_old = issue(&desk, old[1].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-101-door", &ana_old, "2025-07-14T15:00:00Z").reason,
        Reason::Overrode { from: 0, to: 1 }
    );

    let reissued = desk
        .desk
        .reissue_stay(&receptionist(), at(DURING), "R-8")
        .unwrap();
    assert_eq!(reissued.reservation_key, "R-8");
    let new = grants_of(&desk, "R-8");
    assert_eq!(new.len(), 2);
    for (before, after) in old.iter().zip(&new) {
        assert_ne!(before.id, after.id);
        assert_eq!(after.user_identity_id, before.user_identity_id);
        assert_eq!(
            after.entrance_ids().into_iter().collect::<BTreeSet<_>>(),
            before.entrance_ids().into_iter().collect::<BTreeSet<_>>()
        );
        assert_eq!(after.ends_at, before.ends_at);
        // The stay keeps its dates: a reissue changes the cards, not the stay.
        assert_eq!(after.starts_at, before.starts_at);
        assert_ne!(after.reservation_id, before.reservation_id);
        // A new reservation: its number comes with its first card.
        assert_eq!(sequence_at(&desk, after, "room-101-door"), None);
        assert_eq!(after.access_method_ids.len(), 2);
        for id in &after.access_method_ids {
            assert!(!method(&desk, *id).is_issued());
        }
        // The issued old cards are lost; the one never made is not.
        let before = grant_ever(&desk, before.id);
        assert!(before.deleted_at.is_some());
        assert!(method(&desk, before.access_method_ids[0]).lost_at.is_some());
        assert!(method(&desk, before.access_method_ids[1]).lost_at.is_none());
        // A lost card is no one's key, yet it opens doors: it stays in the warnings.
        let lost = lost_card_warning(&before).expect("a warning about the lost card");
        assert!(
            lost.starts_with("Lost card (copy 1) still opens "),
            "{lost}"
        );
        for door in [
            "Room 101 door until a newer card is used there",
            "Pool door until ",
        ] {
            assert!(lost.contains(door), "{lost}");
        }
    }
    assert_eq!(new[0].reservation_id, new[1].reservation_id);
    let views: Vec<_> = desk
        .desk
        .warnings(&manager(), at(DURING))
        .unwrap()
        .into_iter()
        .filter(|view| view.code == WarningCode::CardsNotCollected)
        .collect();
    // One problem for the stay: its two lost cards. Nothing to collect: the fix is at the
    // doors, each lost card listed with them. The stay goes on: it was not checked out.
    assert_eq!(views.len(), 1, "{views:?}");
    assert!(views.iter().all(|view| {
        view.fix == FixAction::CancelCard
            && view.outstanding_card_ids.is_empty()
            && view.cards == 2
            && view.checked_out_at.is_none()
            && view.cards_out.len() == 2
            && view
                .cards_out
                .iter()
                .all(|card| card.reason == frontdesk::CardOutReason::Lost)
    }));

    // The lost card still opens the door until a new card is first used there.
    assert_eq!(
        present(&desk, "room-101-door", &ana_old, "2025-07-15T18:30:00Z").reason,
        Reason::Joined
    );
    let ana_new = issue(&desk, new[0].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-101-door", &ana_new, "2025-07-15T19:00:00Z").reason,
        Reason::Overrode { from: 1, to: 2 }
    );
    for lost in [&ana_old, &bruno_old] {
        let decision = present(&desk, "room-101-door", lost, "2025-07-15T19:05:00Z");
        assert_eq!(decision.decision, Decision::Denied);
        assert_eq!(decision.reason, Reason::Overridden { card: 1, lock: 2 });
    }
    let bruno_new = issue(&desk, new[1].access_method_ids[0]);
    assert_eq!(
        present(&desk, "room-101-door", &bruno_new, "2025-07-15T19:10:00Z").reason,
        Reason::Joined
    );

    // The room's lock moved past the lost cards: they now open only the common doors, until
    // their end, and then nothing, and the warnings follow.
    for before in &old {
        let lost = lost_card_warning(&grant_ever(&desk, before.id)).expect("still opens the pool");
        assert!(!lost.contains("Room 101 door"), "{lost}");
        assert!(
            lost.contains("Pool door until 2025-07-18T10:00:00Z"),
            "{lost}"
        );
    }
    let pool = present(&desk, "pool-door", &ana_old, "2025-07-16T09:00:00Z");
    assert_eq!(pool.decision, Decision::Granted);
    let after_the_end = at(LEAVE) + chrono::Duration::minutes(6);
    assert!(
        desk.desk
            .warnings(&manager(), after_the_end)
            .unwrap()
            .iter()
            .all(|view| view.code != WarningCode::CardsNotCollected)
    );
    assert_eq!(
        present(&desk, "pool-door", &ana_old, "2025-07-18T10:06:00Z").reason,
        Reason::Expired
    );
}
#[test]
fn reissuing_keeps_a_joiner_s_fewer_doors() {
    let desk = Desk::new();
    check_in(&desk, "suite-300", ARRIVE, LEAVE, &["Ana Silva"], "R-3");
    desk.desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-3".to_owned(),
                guest: guest("Carla Dias"),
                room_entrance_ids: Some(doors(&desk, &["suite-300-bedroom"])),
                common_entrance_ids: doors(&desk, &["pool-door"]),
                cards: 1,
            },
        )
        .unwrap();
    let reissued = desk
        .desk
        .reissue_stay(&receptionist(), at(BOOKED), "R-3")
        .unwrap();
    let new = grants_of(&desk, "R-3");
    assert_eq!(
        entrance_keys(&desk, &new[1]),
        keys(&["suite-300-bedroom", "pool-door"])
    );
    // No card was made before the reissue: the bedroom's first number is this one's.
    assert_eq!(
        sequence_at(&desk, &desk.encoded(&new[1]), "suite-300-bedroom"),
        Some(1)
    );
    assert_eq!(
        (reissued.starts_at, reissued.ends_at),
        (at(ARRIVE), at(LEAVE))
    );
    assert_eq!(reissued.space_id, Some(desk.space_id("suite-300")));
}

/// Ana (both suite doors), Carla (the bedroom) and Bruno (both doors) share the suite; Ana
/// leaves early, so the stay's oldest grant is Carla's, on one door only.
fn suite_after_the_first_guest_left(desk: &Desk) -> Vec<AccessGrantRecord> {
    check_in(desk, "suite-300", ARRIVE, LEAVE, &["Ana Silva"], "R-3");
    for (name, room_doors) in [
        ("Carla Dias", Some(doors(desk, &["suite-300-bedroom"]))),
        ("Bruno Costa", None),
    ] {
        desk.desk
            .add_guest(
                &receptionist(),
                at(BOOKED),
                &AddGuest {
                    reservation_key: "R-3".to_owned(),
                    guest: guest(name),
                    room_entrance_ids: room_doors,
                    common_entrance_ids: Vec::new(),
                    cards: 1,
                },
            )
            .unwrap();
    }
    let ana = grants_of(desk, "R-3")[0].id;
    desk.desk.delete_access_grant(&desk.context, ana).unwrap();
    let left = grants_of(desk, "R-3");
    assert_eq!(entrance_keys(desk, &left[0]), keys(&["suite-300-bedroom"]));
    left
}

#[test]
fn a_stay_whose_first_guest_left_keeps_its_room_and_all_its_doors() {
    let desk = Desk::new();
    suite_after_the_first_guest_left(&desk);
    let stay = desk.desk.stay(&receptionist(), "R-3").unwrap();
    assert_eq!(stay.space_id, Some(desk.space_id("suite-300")));
    assert_eq!(stay.room_name, "Suite 300");
    // A new guest gets every door of the stay by default, not the oldest guest's.
    desk.desk
        .add_guest(
            &receptionist(),
            at(BOOKED),
            &AddGuest {
                reservation_key: "R-3".to_owned(),
                guest: guest("Duarte Reis"),
                room_entrance_ids: None,
                common_entrance_ids: Vec::new(),
                cards: 1,
            },
        )
        .unwrap();
    let duarte = grants_of(&desk, "R-3").pop().unwrap();
    assert_eq!(
        entrance_keys(&desk, &duarte),
        keys(&["suite-300-main", "suite-300-bedroom"])
    );
    // A lost key reissues everyone, each on their own doors.
    desk.desk
        .reissue_stay(&receptionist(), at(BOOKED), "R-3")
        .unwrap();
    let reissued: BTreeMap<String, BTreeSet<String>> = desk
        .desk
        .stay(&receptionist(), "R-3")
        .unwrap()
        .guests
        .iter()
        .map(|guest| {
            let grant = desk.desk.access_grant(guest.access_grant_id).unwrap();
            (
                guest.full_name.clone().unwrap(),
                entrance_keys(&desk, &grant),
            )
        })
        .collect();
    assert_eq!(
        reissued,
        BTreeMap::from([
            (
                "Bruno Costa".to_owned(),
                keys(&["suite-300-main", "suite-300-bedroom"])
            ),
            ("Carla Dias".to_owned(), keys(&["suite-300-bedroom"])),
            (
                "Duarte Reis".to_owned(),
                keys(&["suite-300-main", "suite-300-bedroom"])
            ),
        ])
    );
    // And it can still move.
    let moved = desk
        .desk
        .move_stay(
            &receptionist(),
            at(BOOKED),
            "R-3",
            desk.space_id("room-101"),
            false,
        )
        .unwrap();
    assert_eq!(moved.stay.room_name, "Room 101");
    assert_eq!(moved.stay.guests.len(), 3);
}
