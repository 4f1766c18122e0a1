//! Staff cards and common areas: never overridden.

use encoder::card::{self, CardKind};
use engine::lock::{LockState, Reason};
use engine::model::UserKind;
use frontdesk::CreateAccessGrant;

use super::{
    FRI_11, SAT_15, WED_11, WED_15, WED_16, issue, lock_state, opens, overridden, overrode,
    refuses, simulator, uid,
};
use crate::support::{Desk, at, before_the_stays, card, sequence_at};

#[test]
fn staff_cards_are_never_overridden_and_never_override() {
    let desk = Desk::new();
    let staff = desk.user(UserKind::Staff);
    let staff_grant = desk
        .create(&CreateAccessGrant {
            user_identity_id: Some(staff.id),
            space_keys: vec!["room-101".into()],
            starts_at: Some(before_the_stays()),
            ends_at: Some(at("2025-06-01T00:00:00Z")),
            requested_access_methods: vec![card()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(staff_grant.reservation_key, None);
    assert_eq!(sequence_at(&desk, &staff_grant, "room-101-door"), None);
    let staff_card = issue(&desk, staff_grant.access_method_ids[0]);
    let image = simulator(&desk).card(&uid(&staff_card)).unwrap().image;
    assert_eq!(card::read(&image).unwrap().kind, CardKind::Staff);

    let first = desk
        .stay(&desk.guest(), &["room-101"], SAT_15, WED_11, Some("stay-1"))
        .unwrap();
    let second = desk
        .stay(&desk.guest(), &["room-101"], WED_15, FRI_11, Some("stay-2"))
        .unwrap();
    let guest_1 = issue(&desk, first.access_method_ids[0]);
    let guest_2 = issue(&desk, second.access_method_ids[0]);

    let staff_enters = |when: &str| {
        let before = lock_state(&desk, "room-101-door");
        assert_eq!(
            opens(&desk, "room-101-door", &staff_card, when),
            Reason::StaffAccess
        );
        assert_eq!(
            lock_state(&desk, "room-101-door"),
            before,
            "a staff card never moves the lock"
        );
    };
    staff_enters("2025-05-05T10:00:00Z");
    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, SAT_15),
        overrode(0, 1)
    );
    staff_enters("2025-05-12T10:00:00Z");
    // Guest 1 is not locked out by the staff card.
    assert_eq!(
        opens(&desk, "room-101-door", &guest_1, "2025-05-12T10:05:00Z"),
        Reason::Joined
    );
    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, WED_15),
        overrode(1, 2)
    );
    staff_enters("2025-05-15T10:00:00Z");
    assert_eq!(
        opens(&desk, "room-101-door", &guest_2, "2025-05-15T10:05:00Z"),
        Reason::Joined
    );
    staff_enters("2025-05-20T10:00:00Z");
    // Outside its grant's dates the staff card is refused like any other.
    assert_eq!(
        refuses(&desk, "room-101-door", &staff_card, "2025-06-02T10:00:00Z"),
        Reason::Expired
    );
}

#[test]
fn common_areas_are_never_overridden() {
    for stay_2_first in [false, true] {
        let desk = Desk::new();
        let first = desk
            .stay(
                &desk.guest(),
                &["room-101", "gym"],
                SAT_15,
                WED_16,
                Some("stay-1"),
            )
            .unwrap();
        let second = desk
            .stay(
                &desk.guest(),
                &["room-101", "gym"],
                WED_15,
                FRI_11,
                Some("stay-2"),
            )
            .unwrap();
        assert_eq!(sequence_at(&desk, &second, "gym-door"), None);
        let guest_1 = issue(&desk, first.access_method_ids[0]);
        let guest_2 = issue(&desk, second.access_method_ids[0]);
        assert_eq!(
            opens(&desk, "room-101-door", &guest_1, SAT_15),
            overrode(0, 1)
        );

        let gym_order = if stay_2_first {
            [&guest_2, &guest_1]
        } else {
            [&guest_1, &guest_2]
        };
        for card in gym_order {
            assert_eq!(
                opens(&desk, "gym-door", card, "2025-05-14T15:10:00Z"),
                Reason::CommonArea
            );
        }
        assert_eq!(
            opens(&desk, "room-101-door", &guest_2, "2025-05-14T15:20:00Z"),
            overrode(1, 2)
        );
        assert_eq!(
            refuses(&desk, "room-101-door", &guest_1, "2025-05-14T15:25:00Z"),
            overridden(1, 2)
        );
        // The override of room 101 does not reach the gym.
        for card in gym_order.into_iter().rev() {
            assert_eq!(
                opens(&desk, "gym-door", card, "2025-05-14T15:30:00Z"),
                Reason::CommonArea
            );
        }
        assert_eq!(lock_state(&desk, "gym-door"), LockState::default());
    }
}
