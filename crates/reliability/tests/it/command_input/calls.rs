//! One command run as its desktop command runs it, against the ids made so far.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use engine::model::TimeFrame;
use frontdesk::{
    AddGuest, FrontDesk, Operator, Permission, PlannedChange, Role, StaffAccess, StaffChange,
};
use proptest::sample::Index;
use reliability::desk::OpenDesk;
use uuid::Uuid;

use super::{Command, Known, Made, Plan, Plastic, RECORDS, Row, Snapshot};

pub(super) fn snapshot(db: &std::path::Path) -> Snapshot {
    let store = store::Store::open(db).unwrap();
    store
        .read(|r| RECORDS.iter().map(|table| r.table_rows(table)).collect())
        .unwrap()
}

impl Known {
    pub(super) fn from(records: &Snapshot) -> Self {
        let table = |name: &str| &records[RECORDS.iter().position(|table| *table == name).unwrap()];
        let get = |row: &Row, column: &str| row.get(column).cloned().flatten();
        let id = |row: &Row, column: &str| get(row, column).and_then(|id| id.parse::<Uuid>().ok());
        let staff: BTreeSet<String> = table("user_identities")
            .iter()
            .filter(|user| get(user, "kind").as_deref() == Some("staff"))
            .filter_map(|user| get(user, "id"))
            .collect();
        let mut known = Self::default();
        let mut staff_grants = BTreeSet::new();
        for grant in table("access_grants") {
            let Some(grant_id) = id(grant, "id") else {
                continue;
            };
            if get(grant, "user_identity_id").is_some_and(|user| staff.contains(&user)) {
                staff_grants.insert(grant_id);
                known.staff_entries.push(grant_id);
            } else {
                known.guest_grants.push(grant_id);
            }
        }
        let mut revoked = BTreeSet::new();
        for method in table("access_methods") {
            let Some(method_id) = id(method, "id") else {
                continue;
            };
            known.access_methods.push(method_id);
            let card = get(method, "mode").as_deref() == Some("card");
            let issued = get(method, "issued_at").is_some();
            if get(method, "revoked_at").is_some() {
                revoked.insert(method_id);
            }
            if card && !issued && get(method, "revoked_at").is_none() {
                known.cards_to_encode.push(method_id);
            }
            if card && issued {
                let of_staff = id(method, "access_grant_id")
                    .is_some_and(|grant| staff_grants.contains(&grant));
                if of_staff {
                    known.staff_cards.push(method_id);
                } else {
                    known.guest_cards.push(method_id);
                }
            }
        }
        for card in table("cards") {
            let Some(uid) = get(card, "card_uid") else {
                continue;
            };
            let out_of_use = get(card, "superseded_at").is_some()
                || id(card, "access_method_id").is_some_and(|method| revoked.contains(&method));
            if out_of_use && get(card, "collected_at").is_none() {
                known.plastic_out.push(uid.clone());
            }
            known.plastic.push(uid);
        }
        known
    }
}

/// The id `made` stands for: of `fitting`, of `other`, or one nothing has.
fn resolve<T: Clone>(made: &Made, fitting: &[T], other: &[T], unknown: impl Fn(u128) -> T) -> T {
    let pick = |pool: &[T], index: &Index| (!pool.is_empty()).then(|| index.get(pool).clone());
    match made {
        Made::Fitting(index) => pick(fitting, index).or_else(|| pick(other, index)),
        Made::Other(index) => pick(other, index),
        Made::Unknown(_) => None,
    }
    // Nothing of that kind made yet: the nil id, which nothing has.
    .unwrap_or_else(|| match made {
        Made::Unknown(id) => unknown(*id),
        Made::Fitting(_) | Made::Other(_) => unknown(0),
    })
}

/// The staff entry `id` as the staff screen lists it: what the staff commands answer.
fn staff_entry(
    desk: &FrontDesk,
    operator: &Operator,
    now: DateTime<Utc>,
    id: Uuid,
) -> frontdesk::Result<StaffAccess> {
    desk.staff_access(operator, now)?
        .into_iter()
        .find(|staff| staff.access_grant_id == id)
        .ok_or_else(|| frontdesk::Error::NotFound {
            resource: "access_grant",
            id: id.to_string(),
        })
}

/// What a command that made no stay answers.
fn no_stay<T>(_: T) -> Option<String> {
    None
}

/// Runs `command` as its desktop command would; `Ok` carries the stay's key when it made one.
pub(super) fn run(
    opened: &OpenDesk,
    operator: &Operator,
    now: DateTime<Utc>,
    stays: &[String],
    known: &Known,
    command: Command,
) -> frontdesk::Result<Option<String>> {
    let desk: &FrontDesk = &opened.desk;
    let station = &opened.station;
    // A `None` key stands for the newest stay, when there is one.
    let key = |key: Option<String>| key.or_else(|| stays.last().cloned()).unwrap_or_default();
    let id = |made: &Made, fitting: &[Uuid], other: &[Uuid]| {
        resolve(made, fitting, other, Uuid::from_u128)
    };
    let plastic = |plastic: Plastic| match plastic {
        Plastic::Made(made) => resolve(&made, &known.plastic_out, &known.plastic, |id| {
            format!("{id:032X}")
        }),
        Plastic::Typed(text) => text,
    };
    match command {
        Command::CheckIn(request) => desk
            .check_in(operator, now, &request)
            .map(|stay| Some(stay.reservation_key)),
        Command::AddGuest(reservation_key, guest, rooms, common, cards) => desk
            .add_guest(
                operator,
                now,
                &AddGuest {
                    reservation_key: key(reservation_key),
                    guest,
                    room_entrance_ids: rooms,
                    common_entrance_ids: common,
                    cards,
                },
            )
            .map(no_stay),
        Command::MoveStay(reservation_key, to) => desk
            .move_stay(operator, now, &key(reservation_key), to, true)
            .map(no_stay),
        Command::ChangeDates(reservation_key, starts, ends) => desk
            .change_dates(operator, now, &key(reservation_key), starts, ends, true)
            .map(no_stay),
        Command::ReissueStay(reservation_key) => desk
            .reissue_stay(operator, now, &key(reservation_key))
            .map(no_stay),
        Command::RemakeCards(reservation_key) => desk
            .remake_cards(operator, now, &key(reservation_key))
            .map(no_stay),
        Command::CheckOut(reservation_key) => desk
            .check_out(operator, now, &key(reservation_key))
            .map(no_stay),
        Command::ReportCardLost(id) => desk.report_card_lost(operator, now, id).map(no_stay),
        Command::Predict(plan) => {
            let change = match plan {
                Plan::CheckIn {
                    space_id,
                    starts_at,
                    ends_at,
                    guests,
                    joins,
                } => PlannedChange::CheckIn {
                    space_id,
                    starts_at,
                    ends_at,
                    guests,
                    reservation_key: joins.map(key),
                },
                Plan::Move(reservation_key, to_space_id) => PlannedChange::Move {
                    reservation_key: key(reservation_key),
                    to_space_id,
                },
                Plan::ChangeDates(reservation_key, starts_at, ends_at) => {
                    PlannedChange::ChangeDates {
                        reservation_key: key(reservation_key),
                        starts_at,
                        ends_at,
                    }
                }
            };
            desk.predict(operator, now, &change).map(no_stay)
        }
        Command::EncodeCard(made) => {
            let card = id(&made, &known.cards_to_encode, &known.access_methods);
            operator.require(Permission::FrontDesk)?;
            desk.take_blank_for(station, &[card])?;
            desk.encode_cards(&operator.context(now), station, &[card], &mut |_| {})
                .map(no_stay)
        }
        Command::EncodeCancelCard(doors) => {
            operator.require(Permission::FrontDesk)?;
            desk.take_blank_for(station, &[])?;
            desk.encode_cancel_card(&operator.context(now), station, &doors, &mut |_, _| {})
                .map(no_stay)
        }
        Command::CardCollected(card) => desk
            .card_collected(operator, now, &plastic(card))
            .map(no_stay),
        Command::CardLost(card) => desk.card_lost(operator, now, &plastic(card)).map(no_stay),
        Command::RoomCardsOut(space_id) => {
            desk.room_cards_out(operator, space_id, now).map(no_stay)
        }
        Command::Timeline(from, days) => desk.timeline(operator, from, days, now).map(no_stay),
        Command::FindStays(query) => desk.find_stays(operator, &key(query), now).map(no_stay),
        Command::PastStay(reservation_key) => desk
            .past_stay(operator, &key(reservation_key), now)
            .map(no_stay),
        Command::CheckInOptions(space_id, day) => match day {
            Some(day) => desk.check_in_options_on(operator, space_id, day, now),
            None => desk.check_in_options(operator, space_id, now),
        }
        .map(no_stay),
        Command::StaffDoorChoices => desk.staff_door_choices(operator).map(no_stay),
        Command::IssueStaffAccess(name, doors, starts_at, ends_at) => {
            let grant = desk.issue_staff_access(
                operator,
                now,
                &name,
                &doors,
                TimeFrame::new(starts_at, ends_at),
            )?;
            staff_entry(desk, operator, now, grant.id).map(no_stay)
        }
        Command::UpdateStaffAccess {
            entry,
            full_name,
            doors,
            starts_at,
            ends_at,
        } => {
            let change = StaffChange {
                access_grant_id: id(&entry, &known.staff_entries, &known.guest_grants),
                full_name,
                acs_entrance_ids: doors,
                starts_at,
                ends_at,
            };
            let grant = desk.update_staff_access(operator, now, &change)?;
            staff_entry(desk, operator, now, grant.id).map(no_stay)
        }
        Command::RevokeStaffAccess(entry) => {
            let entry = id(&entry, &known.staff_entries, &known.guest_grants);
            desk.revoke_staff_access(operator, now, entry)?;
            // Listed while its card is out, else gone from the list: both are fine.
            let _listed = staff_entry(desk, operator, now, entry).ok();
            Ok(None)
        }
        Command::DeleteStaffAccess(entry) => {
            let entry = id(&entry, &known.staff_entries, &known.guest_grants);
            desk.delete_staff_access(operator, now, entry).map(no_stay)
        }
        Command::ReportStaffCardLost(card) => {
            let card = id(&card, &known.staff_cards, &known.guest_cards);
            desk.report_staff_card_lost(operator, now, card)
                .map(no_stay)
        }
        Command::CreateOperator(name, pin, is_manager) => {
            let role = if is_manager {
                Role::Manager
            } else {
                Role::Receptionist
            };
            desk.create_operator(operator, now, &name, &pin, role)
                .map(no_stay)
        }
        Command::SignIn(name, pin) => desk
            .sign_in(&operator.context(now), &name, &pin)
            .map(no_stay),
    }
}
