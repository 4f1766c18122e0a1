//! Properties of the checks over random requests.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use engine::model::{
    AccessMode, AccessSystemKind, EntranceFacts, EntranceId, OPEN_END, RequestedAccessMethod,
    TimeFrame, UserKind, shown_end,
};
use engine::rules::{CreateGrant, LiveReservation, Placement, check_create, check_update};
use proptest::prelude::*;
use uuid::Uuid;

use super::{id, now};

fn arb_modes() -> impl Strategy<Value = Vec<AccessMode>> {
    proptest::sample::subsequence(AccessMode::ALL.to_vec(), 0..=3)
}

/// Door ids come from a small pool so that random door sets often meet.
const DOOR_POOL: u128 = 5;

fn arb_entrances() -> impl Strategy<Value = Vec<EntranceFacts>> {
    let ids = prop_oneof![
        9 => proptest::sample::subsequence((0..DOOR_POOL).collect::<Vec<_>>(), 1..=4),
        1 => Just(Vec::new()),
    ];
    ids.prop_flat_map(|ids| {
        let n = ids.len();
        (
            Just(ids),
            proptest::collection::vec((any::<bool>(), arb_modes()), n),
        )
            .prop_map(|(ids, facts)| {
                ids.into_iter()
                    .zip(facts)
                    .map(|(n, (capable, modes))| EntranceFacts {
                        id: id(n),
                        name: format!("door {n}"),
                        system_kind: if capable {
                            AccessSystemKind::VisionlineSystem
                        } else {
                            AccessSystemKind::BrivoAccount
                        },
                        can_belong_to_reservation: capable,
                        modes,
                    })
                    .collect()
            })
    })
}

fn arb_requested() -> impl Strategy<Value = Vec<RequestedAccessMethod>> {
    let mode = proptest::sample::select(AccessMode::ALL.to_vec());
    let code = proptest::option::weighted(
        0.15,
        prop_oneof!["[0-9]{4,9}", "[0-9a-z ]{0,12}", "\\PC{0,4}"],
    );
    let one = (mode, code).prop_map(|(mode, code)| RequestedAccessMethod { mode, code });
    prop_oneof![
        9 => proptest::collection::vec(one, 1..3),
        1 => Just(Vec::new()),
    ]
}

fn arb_instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        // Around now, to the minute.
        9 => (-20_000i64..60_000).prop_map(|minutes| now() + Duration::minutes(minutes)),
        // Anywhere chrono can go, including years far outside 2000..=9999.
        1 => (-8_000_000_000_000i64..8_000_000_000_000)
            .prop_filter_map("representable", |secs| DateTime::from_timestamp(secs, 0)),
    ]
}

fn arb_frame() -> impl Strategy<Value = TimeFrame> {
    prop_oneof![
        9 => (arb_instant(), -600i64..20_000).prop_filter_map("representable", |(start, minutes)| {
            start.checked_add_signed(Duration::minutes(minutes)).map(|end| TimeFrame::new(start, end))
        }),
        1 => (arb_instant(), arb_instant()).prop_map(|(a, b)| TimeFrame::new(a, b)),
        // No end.
        1 => arb_instant().prop_map(|start| TimeFrame::until(start, None)),
    ]
}

fn arb_key() -> impl Strategy<Value = Option<String>> {
    proptest::option::weighted(
        0.7,
        prop_oneof![
            12 => Just("stay-1".to_owned()),
            1 => "\\PC{0,8}",
            1 => ".{0,3}",
            1 => "[a-z]{250,260}",
        ],
    )
}

fn arb_user() -> impl Strategy<Value = UserKind> {
    proptest::sample::select(UserKind::ALL.to_vec())
}

fn arb_live() -> impl Strategy<Value = Option<LiveReservation>> {
    proptest::option::of(
        (
            prop_oneof![
                2 => proptest::collection::btree_set(0..DOOR_POOL, 1..5),
                1 => Just((0..DOOR_POOL).collect()),
            ],
            proptest::collection::vec(arb_frame(), 0..3),
        )
            .prop_map(|(ids, grant_frames)| LiveReservation {
                id: Uuid::from_u128(0xABC),
                door_set: ids.into_iter().map(id).collect(),
                grant_frames,
            }),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn check_create_upholds_its_contract_on_random_requests(
        user_kind in arb_user(),
        entrances in arb_entrances(),
        frame in arb_frame(),
        requested in arb_requested(),
        reservation_key in arb_key(),
        name in proptest::option::weighted(0.2, "\\PC{0,6}"),
        live in arb_live(),
    ) {
        let request = CreateGrant {
            user_kind,
            entrances: &entrances,
            frame,
            requested: &requested,
            reservation_key: reservation_key.as_deref(),
            name: name.as_deref(),
            one_shot: false,
        };
        let capable: BTreeSet<EntranceId> = entrances
            .iter()
            .filter(|entrance| entrance.can_belong_to_reservation)
            .map(|entrance| entrance.id)
            .collect();
        match check_create(&request, live.as_ref(), now()) {
            Ok(Placement::Standard) => {
                prop_assert!(reservation_key.is_none(), "a key never gives standard access");
            }
            Ok(Placement::Establish { doors }) => {
                prop_assert!(live.is_none(), "a live reservation is joined, not re-established");
                prop_assert!(reservation_key.is_some());
                prop_assert_ne!(user_kind, UserKind::Staff);
                prop_assert!(!doors.is_empty());
                prop_assert_eq!(doors, capable);
            }
            Ok(Placement::Join { reservation_id, doors }) => {
                let live = live.as_ref().expect("a join needs a live reservation");
                prop_assert!(reservation_key.is_some());
                prop_assert_ne!(user_kind, UserKind::Staff);
                prop_assert_eq!(reservation_id, live.id);
                prop_assert!(capable.is_subset(&live.door_set), "joiner doors outside the set");
                prop_assert_eq!(&doors, &capable);
                prop_assert!(
                    live.grant_frames.iter().all(|other| other.overlaps(&frame)),
                    "a joiner must overlap every live grant"
                );
            }
            Err(error) => {
                prop_assert!(matches!(error.status(), 400 | 409), "status {}", error.status());
                prop_assert!(!error.error_type().is_empty());
                prop_assert!(!error.message().is_empty());
                if error.status() == 409 {
                    prop_assert!(live.is_some(), "a conflict needs an existing reservation");
                }
                prop_assert_eq!(error.field().is_some(), error.error_type() == "invalid_input");
                if entrances.is_empty() {
                    prop_assert_eq!(error.field(), Some("acs_entrance_ids"));
                }
            }
        }
    }

    #[test]
    fn an_open_end_is_later_than_every_other_end(start in arb_instant(), other in arb_frame()) {
        let open = TimeFrame::until(start, None);
        prop_assert!(open.is_open_ended());
        prop_assert_eq!(shown_end(open.ends_at), None);
        // Half-open: it overlaps whatever is still running at or after its start.
        if other.starts_at < other.ends_at && other.starts_at < OPEN_END {
            prop_assert_eq!(open.overlaps(&other), other.ends_at > start);
        }
        prop_assert_eq!(open.union(&other).ends_at, other.ends_at.max(OPEN_END));
        if other.ends_at < OPEN_END {
            prop_assert_eq!(shown_end(other.ends_at), Some(other.ends_at));
        }
    }

    #[test]
    fn check_update_never_panics_and_refuses_only_with_400_or_409(
        frame in arb_frame(),
        name in proptest::option::of("\\PC{0,6}"),
        others in proptest::collection::vec(arb_frame(), 0..3),
    ) {
        match check_update(&frame, name.as_deref(), &others, now()) {
            Ok(()) => {
                prop_assert!(frame.starts_at < frame.ends_at);
                prop_assert!(frame.ends_at > now());
            }
            Err(error) => prop_assert!(matches!(error.status(), 400 | 409)),
        }
    }
}
