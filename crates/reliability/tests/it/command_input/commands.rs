//! The commands, drawn from what the desk has: stays, predictions, cards, views, staff.

use chrono::Duration;
use frontdesk::CheckIn;
use proptest::prelude::*;
use uuid::Uuid;

use super::arguments::{
    count, day, frame, guest, instant, made, pick_id, pick_key, plastic, text, who,
};
use super::{Choices, Command, Plan, Who};

/// A check-in as the desk's form makes it (a room, the common areas it offers, a few nights,
/// one to three guests) but for its text: most are accepted, so that later commands find
/// stays to work on.
fn plausible_check_in(choices: &Choices) -> impl Strategy<Value = Command> + use<> {
    let now = choices.now;
    (
        prop::sample::select(choices.rooms.clone()),
        0i64..48,
        1i64..10,
        prop::collection::vec(guest(), 1..4),
        prop::sample::subsequence(choices.common_areas.clone(), 0..=choices.common_areas.len()),
        1u32..3,
    )
        .prop_map(move |(space_id, from, nights, guests, common, cards)| {
            let starts_at = now + Duration::hours(from);
            Command::CheckIn(CheckIn {
                space_id,
                starts_at,
                ends_at: starts_at + Duration::days(nights),
                guests,
                common_entrance_ids: common,
                cards_per_guest: cards,
                reservation_key: None,
                allow_overlap: true,
            })
        })
}

/// Commands on stays.
fn stay_command(choices: &Choices) -> BoxedStrategy<Command> {
    let now = choices.now;
    let room = || pick_id(&choices.rooms);
    let entrance_list = || prop::collection::vec(pick_id(&choices.entrances), 0..4);
    prop_oneof![
        6 => plausible_check_in(choices),
        6 => (
            room(),
            instant(now),
            instant(now),
            prop::collection::vec(guest(), 0..4),
            entrance_list(),
            count(),
            pick_key(),
            any::<bool>(),
        )
            .prop_map(
                |(space_id, starts_at, ends_at, guests, common, cards, key, allow_overlap)| {
                Command::CheckIn(CheckIn {
                    space_id,
                    starts_at,
                    ends_at,
                    guests,
                    common_entrance_ids: common,
                    cards_per_guest: cards,
                    reservation_key: key,
                    allow_overlap,
                })
            }),
        3 => (pick_key(), guest(), prop::option::of(entrance_list()), entrance_list(), count())
            .prop_map(|(key, guest, rooms, common, cards)| {
                Command::AddGuest(key, guest, rooms, common, cards)
            }),
        2 => (pick_key(), room()).prop_map(|(key, to)| Command::MoveStay(key, to)),
        2 => (pick_key(), prop::option::of(instant(now)), prop::option::of(instant(now)))
            .prop_map(|(key, starts, ends)| Command::ChangeDates(key, starts, ends)),
        1 => pick_key().prop_map(Command::ReissueStay),
        1 => pick_key().prop_map(Command::RemakeCards),
        2 => pick_key().prop_map(Command::CheckOut),
        1 => any::<u128>().prop_map(|id| Command::ReportCardLost(Uuid::from_u128(id))),
    ]
    .boxed()
}

/// The prediction asked before a check-in, a move or a change of dates.
fn predict_command(choices: &Choices) -> BoxedStrategy<Command> {
    let now = choices.now;
    let space = || pick_id(&choices.spaces);
    prop_oneof![
        2 => (
            space(),
            frame(now),
            prop::collection::vec(text(), 0..3),
            prop::option::of(pick_key()),
        )
            .prop_map(|(space_id, (starts_at, ends_at), guests, joins)| Plan::CheckIn {
                space_id,
                starts_at,
                ends_at,
                guests,
                joins,
            }),
        1 => (pick_key(), space()).prop_map(|(key, to)| Plan::Move(key, to)),
        1 => (pick_key(), prop::option::of(instant(now)), prop::option::of(instant(now)))
            .prop_map(|(key, starts, ends)| Plan::ChangeDates(key, starts, ends)),
    ]
    .prop_map(Command::Predict)
    .boxed()
}

/// Cards: encoded, cancel cards, and cards out of use.
fn card_command(choices: &Choices) -> BoxedStrategy<Command> {
    prop_oneof![
        3 => made().prop_map(Command::EncodeCard),
        1 => prop::collection::vec(pick_id(&choices.entrances), 0..4)
            .prop_map(Command::EncodeCancelCard),
        1 => plastic().prop_map(Command::CardCollected),
        1 => plastic().prop_map(Command::CardLost),
        1 => pick_id(&choices.spaces).prop_map(Command::RoomCardsOut),
    ]
    .boxed()
}

/// The timeline, the search and the check-in form for a day.
fn view_command(choices: &Choices) -> BoxedStrategy<Command> {
    let today = choices.now.date_naive();
    prop_oneof![
        1 => (day(today), prop_oneof![4 => 1u32..=92, 1 => count()])
            .prop_map(|(from, days)| Command::Timeline(from, days)),
        1 => prop_oneof![
            2 => text().prop_map(Some),
            1 => "(Room )?[0-9]{1,3}".prop_map(Some),
            1 => Just(None),
        ]
        .prop_map(Command::FindStays),
        1 => pick_key().prop_map(Command::PastStay),
        1 => (pick_id(&choices.spaces), prop::option::of(day(today)))
            .prop_map(|(space, day)| Command::CheckInOptions(space, day)),
    ]
    .boxed()
}

/// The doors of a staff card as the staff screen picks them (whole groups and single doors,
/// mixed, repeated), or any door, or a door that does not exist.
fn staff_doors(choices: &Choices) -> impl Strategy<Value = Vec<Uuid>> + use<> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(choices.staff_doors.clone()),
            1 => pick_id(&choices.entrances).prop_map(|door| vec![door]),
        ],
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn staff_command(choices: &Choices) -> BoxedStrategy<Command> {
    let now = choices.now;
    prop_oneof![
        1 => Just(Command::StaffDoorChoices),
        4 => (text(), staff_doors(choices), frame(now)).prop_map(|(name, doors, (starts, ends))| {
            Command::IssueStaffAccess(name, doors, starts, ends)
        }),
        3 => (
            made(),
            prop::option::of(text()),
            prop::option::of(staff_doors(choices)),
            prop::option::of(instant(now)),
            prop::option::of(instant(now)),
        )
            .prop_map(|(entry, full_name, doors, starts_at, ends_at)| {
                Command::UpdateStaffAccess {
                    entry,
                    full_name,
                    doors,
                    starts_at,
                    ends_at,
                }
            }),
        1 => made().prop_map(Command::RevokeStaffAccess),
        1 => made().prop_map(Command::DeleteStaffAccess),
        1 => made().prop_map(Command::ReportStaffCardLost),
    ]
    .boxed()
}

pub(super) fn command(choices: &Choices) -> BoxedStrategy<(Who, Command)> {
    let operators = prop_oneof![
        // Argon2 makes these slow: fewer of them.
        1 => (text(), "[0-9a-z]{0,10}", any::<bool>())
            .prop_map(|(name, pin, manager)| Command::CreateOperator(name, pin, manager)),
        1 => (text(), "[0-9]{0,9}").prop_map(|(name, pin)| Command::SignIn(name, pin)),
    ];
    let commands = prop_oneof![
        24 => stay_command(choices),
        6 => predict_command(choices),
        7 => card_command(choices),
        3 => view_command(choices),
        11 => staff_command(choices),
        2 => operators,
    ];
    (who(), commands).boxed()
}
