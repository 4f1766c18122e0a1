//! Stays, as the front desk works with them: the live grants of one reservation key on one
//! room. Each use case here composes the grant use cases in one transaction, so a check-in,
//! a room move or a lost-key reissue happens whole or not at all.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use engine::model::{
    AccessGrantId, AccessMethodId, AccessMode, EntranceId, RequestedAccessMethod, SpaceId,
    SpaceKind, TimeFrame, UserIdentityId, UserKind,
};
use engine::rules;
use serde::{Deserialize, Serialize};
use store::{GrantFilter, Reader, Writer};

use crate::accounting::{CardOut, cards_out, stay_cards_out};
use crate::grants::{apply_update, capable_doors, create, delete, live_grant};
use crate::operators::{Operator, Permission};
use crate::users::insert_user;
use crate::warnings::refresh_collection;
use crate::{
    AccessGrantRecord, AccessMethodRecord, CreateAccessGrant, Error, FrontDesk, NewUserIdentity,
    Result, StoredWarning, audit_ok,
};

/// When a stay ends by default, in the property's time zone.
pub const CHECK_OUT_TIME: NaiveTime = match NaiveTime::from_hms_opt(11, 0, 0) {
    Some(time) => time,
    None => panic!("11:00 is a time"),
};
/// When a stay booked for a later day starts by default, in the property's time zone.
pub const CHECK_IN_TIME: NaiveTime = match NaiveTime::from_hms_opt(15, 0, 0) {
    Some(time) => time,
    None => panic!("15:00 is a time"),
};
/// Until this hour an arrival belongs to the night before.
const NIGHT_ENDS: NaiveTime = match NaiveTime::from_hms_opt(6, 0, 0) {
    Some(time) => time,
    None => panic!("06:00 is a time"),
};
/// The most cards made for one guest at once (Salto's copy limit).
pub const MAX_CARDS_PER_GUEST: u32 = 10;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomState {
    Vacant,
    /// A stay starts later today.
    Arriving,
    InHouse,
    /// A stay ends today (or ended and is not checked out yet).
    Departing,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Board {
    pub property_name: String,
    pub time_zone: String,
    pub now: DateTime<Utc>,
    pub floors: Vec<BoardFloor>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardFloor {
    pub floor: Option<i32>,
    pub label: String,
    pub rooms: Vec<RoomTile>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomTile {
    pub space_id: SpaceId,
    pub key: String,
    pub name: String,
    pub kind: SpaceKind,
    pub state: RoomState,
    /// A warning holding now is about the room: one of today's stays', a future stay's, or a
    /// card of a stay gone from the room that may still open it.
    pub has_warnings: bool,
    /// Today's stays, earliest first.
    pub stays: Vec<StaySummary>,
    /// The first stay arriving after today, within [`NEXT_ARRIVAL_DAYS`]: a room vacant today
    /// may be booked from tomorrow.
    pub next_arrival: Option<StaySummary>,
}

/// How many days after today a tile looks for the room's next arrival.
pub const NEXT_ARRIVAL_DAYS: i64 = 7;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaySummary {
    pub reservation_key: String,
    pub starts_at: DateTime<Utc>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    pub guests: Vec<String>,
    pub warnings: u32,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StayDetail {
    pub reservation_key: String,
    pub space_id: Option<SpaceId>,
    pub room_name: String,
    pub starts_at: DateTime<Utc>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    pub guests: Vec<GuestDetail>,
    /// The stay's cards that are out of use but may still open a door: the old room's after a
    /// move, replaced, lost or deleted cards, each with the doors and until when.
    pub cards_still_out: Vec<CardOut>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuestDetail {
    pub user_identity_id: UserIdentityId,
    pub full_name: Option<String>,
    pub access_grant_id: AccessGrantId,
    pub entrance_ids: Vec<EntranceId>,
    pub starts_at: DateTime<Utc>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    pub cards: Vec<AccessMethodRecord>,
    pub warnings: Vec<StoredWarning>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntranceOption {
    pub acs_entrance_id: EntranceId,
    pub name: String,
    /// Ticked unless the receptionist unticks it.
    pub selected: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckInOptions {
    pub space_id: SpaceId,
    pub room_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room_doors: Vec<EntranceOption>,
    pub common_areas: Vec<EntranceOption>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGuest {
    pub full_name: String,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub space_id: SpaceId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub guests: Vec<NewGuest>,
    pub common_entrance_ids: Vec<EntranceId>,
    pub cards_per_guest: u32,
    /// The property-management system's reservation id, when there is one; otherwise the
    /// desk makes one up.
    pub reservation_key: Option<String>,
    /// A manager's word that the stay may overlap another reservation's stay in the room
    /// (whose cards then stop working at this stay's first card); refused for anyone else.
    #[serde(default)]
    pub allow_overlap: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddGuest {
    pub reservation_key: String,
    pub guest: NewGuest,
    /// Some of the stay's room doors; all of them when `None`.
    pub room_entrance_ids: Option<Vec<EntranceId>>,
    pub common_entrance_ids: Vec<EntranceId>,
    pub cards: u32,
}

/// A card of the old room that still opens it after a move or check-out.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutstandingCard {
    pub access_method_id: AccessMethodId,
    pub card_id: Option<String>,
    pub guest: Option<String>,
    pub doors: Vec<String>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub valid_until: DateTime<Utc>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveResult {
    pub stay: StayDetail,
    /// Issued cards of the old room: they open it until collected, or until the next
    /// reservation's card or a cancel card is used there.
    pub old_cards: Vec<OutstandingCard>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutResult {
    pub reservation_key: String,
    pub uncollected: Vec<OutstandingCard>,
}

/// What a manager can do about a warning.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixAction {
    /// Encode the card again (`access_method_id`).
    ReEncode,
    /// Reissue the stay's cards under a new reservation.
    ReissueStay,
    /// Cards out of use still open doors (`cards_out`): collect them, report them lost, or
    /// encode a cancel card for the rooms no stay holds.
    CancelCard,
    /// Nothing to do but know it; it passes with the next guest's first card.
    None,
}

/// How many audit entries a page shows by default.
pub const AUDIT_PAGE: u32 = 200;

/// What a manager filters the audit log by.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// An operator's name (or any actor as the log shows it, e.g. `api`).
    pub actor: Option<String>,
    pub room_space_id: Option<SpaceId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningView {
    pub access_grant_id: AccessGrantId,
    pub access_method_id: Option<AccessMethodId>,
    pub code: engine::warnings::WarningCode,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub reservation_key: Option<String>,
    pub guest: Option<String>,
    pub fix: FixAction,
    /// For `cancel_card`: the access methods of the cards still out that may come back.
    pub outstanding_card_ids: Vec<AccessMethodId>,
    /// For `cancel_card`: each card out of use that may still open a door, where and until when.
    pub cards_out: Vec<CardOut>,
}

impl FrontDesk {
    /// Every room by floor with its state at `now`, in the property's time zone.
    pub fn room_board(&self, operator: &Operator, now: DateTime<Utc>) -> Result<Board> {
        operator.require(Permission::FrontDesk)?;
        self.store.read(|r| {
            let property = r
                .property()?
                .ok_or_else(|| Error::not_found("property", "-"))?;
            let zone: Tz = property.time_zone.parse().unwrap_or(chrono_tz::UTC);
            let (_, today_end) = local_day(zone, now);
            let horizon = today_end + TimeDelta::days(NEXT_ARRIVAL_DAYS);
            let mut stays_by_room: BTreeMap<SpaceId, BTreeMap<String, StaySummary>> =
                BTreeMap::new();
            // From the start of time: a stay that ended and was never checked out still
            // holds its room (its grants are live until the check-out deletes them).
            for row in r.board_rows(DateTime::<Utc>::UNIX_EPOCH, horizon, now)? {
                let stay = stays_by_room
                    .entry(row.space_id)
                    .or_default()
                    .entry(row.reservation_key.clone())
                    .or_insert_with(|| StaySummary {
                        reservation_key: row.reservation_key.clone(),
                        starts_at: row.starts_at,
                        ends_at: row.ends_at,
                        guests: Vec::new(),
                        warnings: 0,
                    });
                stay.starts_at = stay.starts_at.min(row.starts_at);
                stay.ends_at = stay.ends_at.max(row.ends_at);
                stay.guests
                    .push(row.full_name.unwrap_or_else(|| "Guest".to_owned()));
                stay.warnings += row.warnings;
            }
            // Warnings of stays not on today's board count too: a future stay's, and cards
            // of stays gone from the room that may still open it.
            let warned = r.spaces_with_warnings(now)?;
            let mut floors: BTreeMap<(bool, Option<i32>), Vec<RoomTile>> = BTreeMap::new();
            for space in r
                .space_summaries()?
                .into_iter()
                .filter(|space| space.kind != SpaceKind::Common)
            {
                let (mut stays, mut later): (Vec<StaySummary>, Vec<StaySummary>) = stays_by_room
                    .remove(&space.id)
                    .map(|stays| {
                        stays
                            .into_values()
                            .partition(|stay| stay.starts_at < today_end)
                    })
                    .unwrap_or_default();
                stays.sort_by_key(|stay| stay.starts_at);
                later.sort_by_key(|stay| stay.starts_at);
                floors
                    .entry((space.floor.is_none(), space.floor))
                    .or_default()
                    .push(RoomTile {
                        space_id: space.id,
                        key: space.key,
                        name: space.name,
                        kind: space.kind,
                        state: room_state(&stays, now, today_end),
                        has_warnings: warned.contains(&space.id)
                            || stays.iter().any(|stay| stay.warnings > 0),
                        stays,
                        next_arrival: later.into_iter().next(),
                    });
            }
            Ok(Board {
                property_name: property.name,
                time_zone: property.time_zone,
                now,
                floors: floors
                    .into_iter()
                    .map(|((_, floor), rooms)| BoardFloor {
                        floor,
                        label: floor
                            .map_or_else(|| "Other".to_owned(), |floor| format!("Floor {floor}")),
                        rooms,
                    })
                    .collect(),
            })
        })
    }

    /// One stay: its guests, their doors, cards and warnings, and its cards still out as the
    /// locks stand now (a read: nothing is recorded at the desk's clock).
    pub fn stay(&self, operator: &Operator, reservation_key: &str) -> Result<StayDetail> {
        self.stay_at(operator, reservation_key, Utc::now())
    }

    /// One stay, with its cards still out as the lock model judges them at `now`.
    pub fn stay_at(
        &self,
        operator: &Operator,
        reservation_key: &str,
        now: DateTime<Utc>,
    ) -> Result<StayDetail> {
        operator.require(Permission::FrontDesk)?;
        self.store.read(|r| stay_detail(r, reservation_key, now))
    }

    /// What the check-in form starts with for a room at `now`: dates from now to tomorrow's
    /// check-out time, the room's doors, and the common areas, all ticked.
    pub fn check_in_options(
        &self,
        operator: &Operator,
        space_id: SpaceId,
        now: DateTime<Utc>,
    ) -> Result<CheckInOptions> {
        self.check_in_options_from(operator, space_id, None, now)
    }

    /// The check-in form for a stay arriving on a property-local `day`: from now when that
    /// is today, else from the day's check-in time (15:00), to the next morning's 11:00.
    pub fn check_in_options_on(
        &self,
        operator: &Operator,
        space_id: SpaceId,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<CheckInOptions> {
        self.check_in_options_from(operator, space_id, Some(day), now)
    }

    fn check_in_options_from(
        &self,
        operator: &Operator,
        space_id: SpaceId,
        day: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<CheckInOptions> {
        operator.require(Permission::FrontDesk)?;
        self.store.read(|r| {
            let space = r
                .space(space_id)?
                .ok_or_else(|| Error::not_found("space", space_id))?;
            let property = r
                .property()?
                .ok_or_else(|| Error::not_found("property", "-"))?;
            let zone: Tz = property.time_zone.parse().unwrap_or(chrono_tz::UTC);
            let today = now.with_timezone(&zone).date_naive();
            let starts_at = match day {
                Some(day) if day < today => {
                    return Err(Error::invalid("day", "choose today or a later day"));
                }
                Some(day) if day > today => zone
                    .from_local_datetime(&day.and_time(CHECK_IN_TIME))
                    .earliest()
                    .map_or(now, |local| local.with_timezone(&Utc)),
                _ => now,
            };
            let option = |entrance: store::EntranceRecord| EntranceOption {
                acs_entrance_id: entrance.id,
                name: entrance.name,
                selected: true,
            };
            let room_doors = r
                .entrances(None, Some(space_id))?
                .into_iter()
                .map(option)
                .collect();
            let common_areas = common_area_doors(r)?.into_iter().map(option).collect();
            Ok(CheckInOptions {
                space_id,
                room_name: space.name,
                starts_at,
                ends_at: next_check_out(zone, starts_at),
                room_doors,
                common_areas,
            })
        })
    }

    /// Checks guests in: one grant per guest on the room's doors and the chosen common
    /// areas, the first establishing the reservation and the others joining it, with
    /// `cards_per_guest` cards each to encode.
    pub fn check_in(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        request: &CheckIn,
    ) -> Result<StayDetail> {
        let context = operator.context(now);
        let key = request
            .reservation_key
            .clone()
            .unwrap_or_else(new_reservation_key);
        self.operator_change(
            operator,
            Permission::FrontDesk,
            &context,
            "stay.check_in",
            Some(key.clone()),
            request,
            |w| {
                if request.guests.is_empty() {
                    return Err(Error::invalid("guests", "name at least one guest"));
                }
                check_card_count("cards_per_guest", request.cards_per_guest)?;
                let room = w.space(request.space_id)?.ok_or_else(|| {
                    Error::invalid("space_id", format!("no space with id {}", request.space_id))
                })?;
                if room.kind == SpaceKind::Common {
                    return Err(Error::invalid(
                        "space_id",
                        format!("{} is a common area, not a room", room.name),
                    ));
                }
                check_common_areas(w, &request.common_entrance_ids)?;
                let frame = TimeFrame::new(request.starts_at, request.ends_at);
                let joins_a_stay = w.live_reservation(&key)?.is_some();
                let mut created = Vec::new();
                for (index, guest) in request.guests.iter().enumerate() {
                    let user = insert_guest(w, &context, guest, &format!("guests[{index}]"))?;
                    let mut entrances = room.entrance_ids.clone();
                    entrances.extend(&request.common_entrance_ids);
                    let grant = create(
                        w,
                        &context,
                        &grant_request(
                            user.id,
                            &entrances,
                            Some(room.id),
                            frame,
                            request.cards_per_guest,
                            &key,
                        ),
                    )?;
                    created.push((user, grant));
                }
                let names: Vec<String> = request
                    .guests
                    .iter()
                    .map(|guest| guest.full_name.trim().to_owned())
                    .collect();
                guard_room(
                    w,
                    &context,
                    operator,
                    request.allow_overlap,
                    Placing::CheckIn,
                    &room,
                    &key,
                    &names,
                    frame,
                    &[],
                )?;
                if joins_a_stay {
                    return stay_detail(w, &key, now);
                }
                // The stay is the grants just made, as `create` returned them, except that
                // each grant's door-warning refresh rewrites the warnings of the grants made
                // before it in the same reservation: those are read again.
                let last = created.len() - 1;
                let mut grants = Vec::new();
                for (index, (user, grant)) in created.into_iter().enumerate() {
                    let grant = if index == last {
                        grant
                    } else {
                        live_grant(w, grant.id)?
                    };
                    grants.push((grant, user.full_name));
                }
                stay_from(w, &key, Some((room.id, room.name)), grants, now)
            },
        )
    }

    /// Adds a guest to a stay (a joiner), on all or some of the stay's room doors.
    pub fn add_guest(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        request: &AddGuest,
    ) -> Result<StayDetail> {
        let context = operator.context(now);
        let key = request.reservation_key.clone();
        self.operator_change(
            operator,
            Permission::FrontDesk,
            &context,
            "stay.add_guest",
            Some(key.clone()),
            request,
            |w| {
                check_card_count("cards", request.cards)?;
                check_common_areas(w, &request.common_entrance_ids)?;
                let stay = stay_grants(w, &key)?;
                let first = &stay[0];
                let room = stay_room(w, &stay)?.ok_or_else(|| Error::not_found("space", &key))?;
                // A joiner on some doors names no space: the space would add all its doors.
                let (room_doors, space) = match &request.room_entrance_ids {
                    Some(doors) => (doors.clone(), None),
                    None => (first.reservation_door_ids(), Some(room)),
                };
                let user = insert_guest(w, &context, &request.guest, "guest")?;
                let mut entrances = room_doors;
                entrances.extend(&request.common_entrance_ids);
                create(
                    w,
                    &context,
                    &grant_request(
                        user.id,
                        &entrances,
                        space,
                        first.frame(),
                        request.cards,
                        &key,
                    ),
                )?;
                stay_detail(w, &key, now)
            },
        )
    }

    /// Moves a stay to another room: its grants are deleted and made again on the new
    /// room's doors (a new reservation, so the new cards override the room's earlier ones),
    /// keeping the stay's dates and each guest's common areas and cards (a new card for each
    /// card held, copies included). Refused when another stay holds the room over these dates,
    /// unless a manager allows the overlap.
    pub fn move_stay(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
        to_space_id: SpaceId,
        allow_overlap: bool,
    ) -> Result<MoveResult> {
        let context = operator.context(now);
        let request = serde_json::json!({ "reservation_key": reservation_key, "to_space_id": to_space_id, "allow_overlap": allow_overlap });
        self.operator_change(
            operator,
            Permission::FrontDesk,
            &context,
            "stay.move",
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                let target = w.space(to_space_id)?.ok_or_else(|| {
                    Error::invalid("to_space_id", format!("no space with id {to_space_id}"))
                })?;
                if target.kind == SpaceKind::Common {
                    return Err(Error::invalid(
                        "to_space_id",
                        format!("{} is a common area, not a room", target.name),
                    ));
                }
                let from_room = stay_room(w, &grants)?;
                if from_room == Some(to_space_id)
                    || grants
                        .iter()
                        .any(|grant| grant.space_ids.contains(&to_space_id))
                {
                    return Err(Error::invalid(
                        "to_space_id",
                        format!("the stay is already in {}", target.name),
                    ));
                }
                // The moved stay holds the new room from now on only.
                let whole = envelope(&grants);
                let frame = TimeFrame::new(whole.starts_at.max(now), whole.ends_at);
                let names = guest_names(w, &grants)?;
                guard_room(
                    w,
                    &context,
                    operator,
                    allow_overlap,
                    Placing::Move,
                    &target,
                    reservation_key,
                    &names,
                    frame,
                    &[],
                )?;
                let old_rooms: Vec<SpaceId> = grants
                    .iter()
                    .flat_map(|grant| grant.space_ids.clone())
                    .chain(from_room)
                    .collect();
                // What each guest holds now, read before the deletes revoke it.
                let mut remade = Vec::new();
                for grant in &grants {
                    remade.push(remade_methods(w, grant)?);
                }
                for grant in &grants {
                    delete(w, &context, grant.id)?;
                }
                for (grant, methods) in grants.iter().zip(remade) {
                    let common: Vec<EntranceId> = grant
                        .entrances
                        .iter()
                        .filter(|entrance| {
                            !entrance.reservation_door
                                && !is_room_door(w, entrance.entrance_id, &old_rooms)
                        })
                        .map(|entrance| entrance.entrance_id)
                        .collect();
                    let mut entrances = target.entrance_ids.clone();
                    entrances.extend(common);
                    let recreated = CreateAccessGrant {
                        user_identity_id: Some(grant.user_identity_id),
                        acs_entrance_ids: entrances,
                        space_ids: vec![target.id],
                        // The stay keeps its dates: only its room changes.
                        starts_at: Some(grant.starts_at),
                        ends_at: Some(grant.ends_at),
                        requested_access_methods: methods,
                        reservation_key: Some(reservation_key.to_owned()),
                        name: grant.name.clone(),
                        ..Default::default()
                    };
                    create(w, &context, &recreated)?;
                }
                let old_cards = outstanding_cards(w, &grants)?;
                Ok(MoveResult {
                    stay: stay_detail(w, reservation_key, now)?,
                    old_cards,
                })
            },
        )
    }

    /// Moves a stay's dates (one or both ends) for all its guests. Cards already encoded
    /// carry the old dates and are flagged for re-encoding.
    pub fn change_dates(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
        allow_overlap: bool,
    ) -> Result<StayDetail> {
        let context = operator.context(now);
        let request = serde_json::json!({ "reservation_key": reservation_key, "starts_at": starts_at, "ends_at": ends_at, "allow_overlap": allow_overlap });
        self.operator_change(
            operator,
            Permission::FrontDesk,
            &context,
            "stay.change_dates",
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                let mut moved: Option<TimeFrame> = None;
                for grant in &grants {
                    let frame = TimeFrame::new(
                        starts_at.unwrap_or(grant.starts_at),
                        ends_at.unwrap_or(grant.ends_at),
                    );
                    // All the stay's grants move together, so they keep overlapping each other.
                    rules::check_update(&frame, grant.name.as_deref(), &[], now)?;
                    apply_update(w, &context, grant, frame, grant.name.as_deref())?;
                    moved = Some(moved.map_or(frame, |stay| stay.union(&frame)));
                }
                if let (Some(frame), Some(room)) = (moved, stay_room(w, &grants)?) {
                    let room = w
                        .space(room)?
                        .ok_or_else(|| Error::not_found("space", room))?;
                    // A neighbour the stay overlapped before (a manager allowed it) is not
                    // a new overlap.
                    let before = envelope(&grants);
                    let mut already = Vec::new();
                    for door in &room.entrance_ids {
                        for other in w.door_reservations(*door)? {
                            if other.frame.overlaps(&before) {
                                already.push(other.reservation_key);
                            }
                        }
                    }
                    let names = guest_names(w, &grants)?;
                    guard_room(
                        w,
                        &context,
                        operator,
                        allow_overlap,
                        Placing::Dates,
                        &room,
                        reservation_key,
                        &names,
                        frame,
                        &already,
                    )?;
                }
                stay_detail(w, reservation_key, now)
            },
        )
    }

    /// A lost key: every card of the stay (copies included) is reissued under a new
    /// reservation, whose first card used at the door overrides the lost one; the stay keeps
    /// its dates. The lost cards are recorded as lost.
    pub fn reissue_stay(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
    ) -> Result<StayDetail> {
        self.renew_cards(operator, now, reservation_key, "stay.reissue", true)
    }

    /// New cards for a stay whose cards a stay placed before it would lock out (cards made
    /// ahead for a later arrival): as a reissue, under a new reservation whose numbers follow
    /// the earlier stay's, but the old cards are not lost: they are to be collected, and stay
    /// in the warnings while a door still takes them.
    pub fn remake_cards(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
    ) -> Result<StayDetail> {
        self.renew_cards(operator, now, reservation_key, "stay.remake_cards", false)
    }

    fn renew_cards(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
        action: &str,
        lost: bool,
    ) -> Result<StayDetail> {
        let context = operator.context(now);
        let request = serde_json::json!({ "reservation_key": reservation_key });
        self.operator_change(
            operator,
            Permission::FrontDesk,
            &context,
            action,
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                // What each guest holds now, read before the deletes revoke it.
                let mut remade = BTreeMap::new();
                for grant in &grants {
                    remade.insert(grant.id, remade_methods(w, grant)?);
                }
                for grant in &grants {
                    delete(w, &context, grant.id)?;
                    if lost {
                        for method in w.access_methods_of_grant(grant.id)? {
                            if method.is_issued() && method.collected_at.is_none() {
                                w.mark_lost(method.id, now)?;
                            }
                        }
                    }
                    refresh_collection(w, grant.id, now)?;
                }
                // The guest with the most room doors establishes the new reservation, so that
                // the others (on some of its doors) can join it.
                let mut order: Vec<&AccessGrantRecord> = grants.iter().collect();
                order.sort_by_key(|grant| std::cmp::Reverse(capable_doors(grant).len()));
                for grant in order {
                    create(
                        w,
                        &context,
                        &CreateAccessGrant {
                            user_identity_id: Some(grant.user_identity_id),
                            acs_entrance_ids: grant.entrance_ids(),
                            space_ids: grant.space_ids.clone(),
                            // The stay keeps its dates: only its cards change.
                            starts_at: Some(grant.starts_at),
                            ends_at: Some(grant.ends_at),
                            requested_access_methods: remade
                                .remove(&grant.id)
                                .unwrap_or_else(|| grant.requested_access_methods.clone()),
                            reservation_key: Some(reservation_key.to_owned()),
                            name: grant.name.clone(),
                            ..Default::default()
                        },
                    )?;
                }
                stay_detail(w, reservation_key, now)
            },
        )
    }

    /// Checks a stay out: its grants are deleted. The issued cards not yet back are listed;
    /// they open the room until collected or overridden.
    pub fn check_out(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
    ) -> Result<CheckOutResult> {
        let context = operator.context(now);
        let request = serde_json::json!({ "reservation_key": reservation_key });
        self.operator_change(
            operator,
            Permission::FrontDesk,
            &context,
            "stay.check_out",
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                for grant in &grants {
                    delete(w, &context, grant.id)?;
                }
                Ok(CheckOutResult {
                    reservation_key: reservation_key.to_owned(),
                    uncollected: outstanding_cards(w, &grants)?,
                })
            },
        )
    }

    /// Records that a revoked card will not come back.
    pub fn report_card_lost(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        id: AccessMethodId,
    ) -> Result<AccessMethodRecord> {
        let context = operator.context(now);
        let request = serde_json::json!({ "access_method_id": id });
        self.operator_change(
            operator,
            Permission::FrontDesk,
            &context,
            "access_method.lost",
            Some(id.to_string()),
            &request,
            |w| {
                let before = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                let refusal = if before.mode != AccessMode::Card || !before.is_issued() {
                    Some("only an encoded card can be lost")
                } else if before.revoked_at.is_none() {
                    Some("this card's stay is live: reissue the stay's cards instead (lost key)")
                } else if before.collected_at.is_some() {
                    Some("this card was collected; it is back at the desk")
                } else {
                    None
                };
                if let Some(message) = refusal {
                    return Err(Error::invalid("access_method_id", message));
                }
                w.mark_lost(id, now)?;
                refresh_collection(w, before.access_grant_id, now)?;
                let after = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                w.audit(
                    &audit_ok(
                        &context,
                        "access_method.lost",
                        id,
                        crate::to_json(&before),
                        crate::to_json(&after),
                    ),
                    now,
                )?;
                Ok(after)
            },
        )
    }

    /// Every warning that holds at `now`, with what to do about it.
    pub fn warnings(&self, operator: &Operator, now: DateTime<Utc>) -> Result<Vec<WarningView>> {
        operator.require(Permission::Manage)?;
        self.store.read(|r| {
            let mut names = BTreeMap::new();
            let mut views = Vec::new();
            for row in r.all_warnings(now)? {
                let guest = match names.get(&row.user_identity_id) {
                    Some(name) => Clone::clone(name),
                    None => {
                        let name = r
                            .user_identity(row.user_identity_id)?
                            .and_then(|user| user.full_name);
                        names.insert(row.user_identity_id, name.clone());
                        name
                    }
                };
                use engine::warnings::WarningCode;
                let fix = match row.code {
                    WarningCode::EncodingRequired if row.access_method_id.is_some() => {
                        FixAction::ReEncode
                    }
                    WarningCode::EncodingRequired
                    | WarningCode::PreviousGuestCanEnter
                    | WarningCode::SequenceTooFarAhead => FixAction::None,
                    WarningCode::CardsNotCollected => FixAction::CancelCard,
                    WarningCode::SequenceInversion => FixAction::ReissueStay,
                };
                // Cards still out that may come back; a lost one cannot be collected.
                let outstanding_card_ids: Vec<AccessMethodId> = if fix == FixAction::CancelCard {
                    r.access_methods_of_grant(row.access_grant_id)?
                        .into_iter()
                        .filter(|method| {
                            method.mode == AccessMode::Card
                                && method.is_issued()
                                && method.revoked_at.is_some()
                                && method.collected_at.is_none()
                                && method.lost_at.is_none()
                        })
                        .map(|method| method.id)
                        .collect()
                } else {
                    Vec::new()
                };
                let cards_out = if fix == FixAction::CancelCard {
                    cards_out(r, &[row.access_grant_id], now)?
                } else {
                    Vec::new()
                };
                views.push(WarningView {
                    access_grant_id: row.access_grant_id,
                    access_method_id: row.access_method_id,
                    code: row.code,
                    message: row.message,
                    created_at: row.created_at,
                    reservation_key: row.reservation_key,
                    guest,
                    fix,
                    outstanding_card_ids,
                    cards_out,
                });
            }
            Ok(views)
        })
    }

    /// The audit log for a manager: newest first, by operator, by room, by dates.
    pub fn audit_entries(
        &self,
        operator: &Operator,
        query: &AuditQuery,
    ) -> Result<Vec<store::AuditEntry>> {
        operator.require(Permission::Manage)?;
        let limit = query.limit.unwrap_or(AUDIT_PAGE).min(AUDIT_PAGE * 10);
        let filter = store::AuditFilter {
            actor: query.actor.as_ref().map(|actor| {
                if actor.contains(':') {
                    actor.clone()
                } else {
                    format!("operator:{actor}")
                }
            }),
            subject_id: None,
            since: query.since,
            until: query.until,
            // A room is found in the entries' records, after the query: then it reads them all.
            limit: query.room_space_id.is_none().then_some(limit),
        };
        let limit = limit as usize;
        self.store.read(|r| {
            let entries = r.audit_log(&filter)?;
            let Some(room) = query.room_space_id else {
                return Ok(entries.into_iter().take(limit).collect());
            };
            // A change is about a room when the records it wrote name the room.
            let room = room.to_string();
            let mentions = |value: &Option<serde_json::Value>| {
                value
                    .as_ref()
                    .is_some_and(|value| value.to_string().contains(&room))
            };
            Ok(entries
                .into_iter()
                .filter(|entry| mentions(&entry.before) || mentions(&entry.after))
                .take(limit)
                .collect())
        })
    }
}

fn grant_request(
    user: UserIdentityId,
    entrances: &[EntranceId],
    room: Option<SpaceId>,
    frame: TimeFrame,
    cards: u32,
    key: &str,
) -> CreateAccessGrant {
    CreateAccessGrant {
        user_identity_id: Some(user),
        acs_entrance_ids: entrances.to_vec(),
        space_ids: room.into_iter().collect(),
        starts_at: Some(frame.starts_at),
        ends_at: Some(frame.ends_at),
        requested_access_methods: (0..cards)
            .map(|_| RequestedAccessMethod {
                mode: AccessMode::Card,
                code: None,
            })
            .collect(),
        reservation_key: Some(key.to_owned()),
        ..Default::default()
    }
}

/// The access methods a grant is made again with by a move or a reissue: a card for each
/// card it holds (copies included, revoked ones not), and its mobile keys and codes as they
/// were asked for. A grant whose every access method was revoked gets what it asked for, so
/// that the guest is not left without a key.
fn remade_methods(r: &Reader<'_>, grant: &AccessGrantRecord) -> Result<Vec<RequestedAccessMethod>> {
    let cards: Vec<AccessMethodRecord> = r
        .access_methods_of_grant(grant.id)?
        .into_iter()
        .filter(|method| method.mode == AccessMode::Card && method.revoked_at.is_none())
        .collect();
    let mut requested = Vec::new();
    for (index, method) in (0u32..).zip(&grant.requested_access_methods) {
        if method.mode == AccessMode::Card {
            let held = cards
                .iter()
                .filter(|card| card.request_index == index)
                .count();
            requested.extend(std::iter::repeat_n(method.clone(), held));
        } else {
            requested.push(method.clone());
        }
    }
    if requested.is_empty() {
        return Ok(grant.requested_access_methods.clone());
    }
    Ok(requested)
}

/// What the desk is doing when it puts a stay in a room, for the words of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placing {
    CheckIn,
    Move,
    Dates,
}

impl Placing {
    /// The request's field that a refusal names.
    fn field(self) -> &'static str {
        match self {
            Self::CheckIn => "space_id",
            Self::Move => "to_space_id",
            Self::Dates => "ends_at",
        }
    }
}

/// The desk's guard on a room: a stay put in it (checked in, moved there, or given new dates)
/// must not overlap another reservation's live stay on its doors, since whichever card is
/// used later locks the other guests out. Refused with a 409 in the receptionist's words
/// unless a manager allows the overlap; only a manager may (403 for anyone else, whether or
/// not there is an overlap). An allowed overlap is written to the audit log. Stays in
/// `already_overlapping` (a date change's neighbours it overlapped before) are not counted
/// again. The guide's API does not use this: overlapping reservations are legal there.
#[allow(clippy::too_many_arguments)]
fn guard_room(
    w: &Writer<'_>,
    context: &crate::Context,
    operator: &Operator,
    allow_overlap: bool,
    placing: Placing,
    room: &store::SpaceRecord,
    reservation_key: &str,
    guests: &[String],
    frame: TimeFrame,
    already_overlapping: &[String],
) -> Result<()> {
    if allow_overlap {
        operator.require(Permission::Manage)?;
    }
    let Some((other, message)) = room_overlap(
        w,
        placing,
        room,
        reservation_key,
        guests,
        frame,
        already_overlapping,
    )?
    else {
        return Ok(());
    };
    if !allow_overlap {
        return Err(Error::RoomBooked {
            field: placing.field().to_owned(),
            message: format!("{message}. A manager may allow it."),
        });
    }
    w.audit(
        &store::NewAuditEntry {
            detail: Some(format!(
                "overlap allowed by a manager: {message}; the other stay's cards stop working \
                 at this guest's first use."
            )),
            ..audit_ok(
                context,
                "stay.overlap_allowed",
                reservation_key,
                None,
                crate::to_json(&serde_json::json!({
                    "space_id": room.id,
                    "reservation_key": reservation_key,
                    "starts_at": frame.starts_at,
                    "ends_at": frame.ends_at,
                    "overlapped_reservation_key": other.reservation_key,
                    "overlapped_starts_at": other.frame.starts_at,
                    "overlapped_ends_at": other.frame.ends_at,
                })),
            )
        },
        context.now,
    )?;
    Ok(())
}

/// The earliest other reservation's live stay on the room's doors that `frame` overlaps
/// (leaving out `already_overlapping`), with what placing the stay there would do, in the
/// receptionist's words: "Room 203 is booked for Tom Morrow from 7 Dec 15:00 to 9 Dec 11:00;
/// checking Ann Walker in until 8 Dec 11:00 would lock Tom out".
pub(crate) fn room_overlap(
    r: &Reader<'_>,
    placing: Placing,
    room: &store::SpaceRecord,
    reservation_key: &str,
    guests: &[String],
    frame: TimeFrame,
    already_overlapping: &[String],
) -> Result<Option<(engine::warnings::DoorReservation, String)>> {
    let mut other: Option<engine::warnings::DoorReservation> = None;
    for door in &room.entrance_ids {
        for reservation in r.door_reservations(*door)? {
            if reservation.reservation_key != reservation_key
                && reservation.frame.overlaps(&frame)
                && !already_overlapping.contains(&reservation.reservation_key)
                && other
                    .as_ref()
                    .is_none_or(|found| reservation.frame.starts_at < found.frame.starts_at)
            {
                other = Some(reservation);
            }
        }
    }
    let Some(other) = other else {
        return Ok(None);
    };
    let zone = property_zone(r)?;
    let when = |instant: DateTime<Utc>| local_when(zone, instant);
    let booked = guest_names(r, &stay_grants(r, &other.reservation_key)?)?;
    let locked_out = match booked.as_slice() {
        [one] => first_name(one),
        _ => "them".to_owned(),
    };
    let other_dates = match engine::model::shown_end(other.frame.ends_at) {
        Some(end) => format!("from {} to {}", when(other.frame.starts_at), when(end)),
        None => format!("from {} with no end", when(other.frame.starts_at)),
    };
    // The end of the new stay that reaches into the other one.
    let reach = if frame.starts_at < other.frame.starts_at {
        engine::model::shown_end(frame.ends_at).map_or_else(
            || "with no end".to_owned(),
            |end| format!("until {}", when(end)),
        )
    } else {
        format!("from {}", when(frame.starts_at))
    };
    let names = names_in_words(guests);
    let doing = match placing {
        Placing::CheckIn => format!("checking {names} in {reach}"),
        Placing::Move => format!("moving {names} here {reach}"),
        Placing::Dates if frame.starts_at < other.frame.starts_at => {
            format!("extending {names}'s stay {reach}")
        }
        Placing::Dates => format!("moving {names}'s arrival to {}", when(frame.starts_at)),
    };
    let message = format!(
        "{} is booked for {} {other_dates}; {doing} would lock {locked_out} out",
        room.name,
        names_in_words(&booked),
    );
    Ok(Some((other, message)))
}

/// The property's time zone (UTC if it names none the desk knows).
pub(crate) fn property_zone(r: &Reader<'_>) -> Result<Tz> {
    Ok(r.property()?
        .and_then(|property| property.time_zone.parse().ok())
        .unwrap_or(chrono_tz::UTC))
}

/// An instant as the desk says it: "7 Dec 15:00", in the property's time zone.
pub(crate) fn local_when(zone: Tz, instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&zone)
        .format("%-d %b %H:%M")
        .to_string()
}

/// "Tom" of "Tom Morrow".
pub(crate) fn first_name(full_name: &str) -> String {
    full_name
        .split_whitespace()
        .next()
        .unwrap_or(full_name)
        .to_owned()
}

/// `Ann`, `Ann and Tom`, `Ann, Tom and Eva`.
pub(crate) fn names_in_words(names: &[String]) -> String {
    match names {
        [] => "the guest".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The names of a stay's guests, each once, in the order they were checked in.
pub(crate) fn guest_names(r: &Reader<'_>, grants: &[AccessGrantRecord]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for grant in grants {
        let name = r
            .user_identity(grant.user_identity_id)?
            .and_then(|user| user.full_name)
            .unwrap_or_else(|| "a guest".to_owned());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

fn check_card_count(field: &str, cards: u32) -> Result<()> {
    if (1..=MAX_CARDS_PER_GUEST).contains(&cards) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("must be 1 to {MAX_CARDS_PER_GUEST} cards"),
        ))
    }
}

fn insert_guest(
    w: &Writer<'_>,
    context: &crate::Context,
    guest: &NewGuest,
    field: &str,
) -> Result<store::UserIdentityRecord> {
    if guest.full_name.trim().is_empty() {
        return Err(Error::invalid(
            format!("{field}.full_name"),
            "a guest needs a name",
        ));
    }
    insert_user(
        w,
        context,
        &NewUserIdentity {
            key: None,
            full_name: Some(guest.full_name.trim().to_owned()),
            email_address: guest
                .email_address
                .clone()
                .filter(|text| !text.trim().is_empty()),
            phone_number: guest
                .phone_number
                .clone()
                .filter(|text| !text.trim().is_empty()),
            kind: UserKind::Guest,
        },
    )
}

/// The live grants of a stay, oldest first; a stay without any is not found.
pub(crate) fn stay_grants(r: &Reader<'_>, reservation_key: &str) -> Result<Vec<AccessGrantRecord>> {
    let filter = GrantFilter {
        reservation_key: Some(reservation_key.to_owned()),
        ..Default::default()
    };
    let grants = r.access_grants(&filter)?;
    if grants.is_empty() {
        return Err(Error::not_found("stay", reservation_key));
    }
    Ok(grants)
}

pub(crate) fn envelope(grants: &[AccessGrantRecord]) -> TimeFrame {
    grants
        .iter()
        .skip(1)
        .fold(grants[0].frame(), |frame, grant| {
            frame.union(&grant.frame())
        })
}

fn stay_detail(r: &Reader<'_>, reservation_key: &str, now: DateTime<Utc>) -> Result<StayDetail> {
    let grants = stay_grants(r, reservation_key)?;
    let room = match stay_room(r, &grants)? {
        Some(id) => {
            let name = r
                .space(id)?
                .map_or_else(|| id.to_string(), |space| space.name);
            Some((id, name))
        }
        None => None,
    };
    let mut named = Vec::new();
    for grant in grants {
        let full_name = r
            .user_identity(grant.user_identity_id)?
            .and_then(|user| user.full_name);
        named.push((grant, full_name));
    }
    stay_from(r, reservation_key, room, named, now)
}

/// A stay from its live grants, oldest first, each with its guest's name, and its room.
fn stay_from(
    r: &Reader<'_>,
    reservation_key: &str,
    room: Option<(SpaceId, String)>,
    grants: Vec<(AccessGrantRecord, Option<String>)>,
    now: DateTime<Utc>,
) -> Result<StayDetail> {
    let frame = grants
        .iter()
        .map(|(grant, _)| grant.frame())
        .reduce(|stay, grant| stay.union(&grant))
        .ok_or_else(|| Error::not_found("stay", reservation_key))?;
    let (space_id, room_name) = room.map_or((None, String::new()), |(id, name)| (Some(id), name));
    let mut guests = Vec::new();
    for (grant, full_name) in grants {
        guests.push(guest_detail(r, grant, full_name)?);
    }
    Ok(StayDetail {
        reservation_key: reservation_key.to_owned(),
        space_id,
        room_name,
        starts_at: frame.starts_at,
        ends_at: frame.ends_at,
        guests,
        cards_still_out: stay_cards_out(r, reservation_key, now)?,
    })
}

fn guest_detail(
    r: &Reader<'_>,
    grant: AccessGrantRecord,
    full_name: Option<String>,
) -> Result<GuestDetail> {
    Ok(GuestDetail {
        user_identity_id: grant.user_identity_id,
        full_name,
        access_grant_id: grant.id,
        entrance_ids: grant.entrance_ids(),
        starts_at: grant.starts_at,
        ends_at: grant.ends_at,
        cards: r
            .access_methods(store::MethodFilter::Grant(grant.id))?
            .into_iter()
            .filter(|method| method.mode == AccessMode::Card && method.revoked_at.is_none())
            .collect(),
        warnings: grant.warnings,
    })
}

/// The issued cards of these (now deleted) grants that are neither back nor lost.
fn outstanding_cards(r: &Reader<'_>, grants: &[AccessGrantRecord]) -> Result<Vec<OutstandingCard>> {
    let mut cards = Vec::new();
    for grant in grants {
        let guest = r
            .user_identity(grant.user_identity_id)?
            .and_then(|user| user.full_name);
        let mut doors = Vec::new();
        for id in grant.entrance_ids() {
            if let Some(entrance) = r.entrance(id)? {
                doors.push(entrance.name);
            }
        }
        for method in r.access_methods_of_grant(grant.id)? {
            if method.mode == AccessMode::Card
                && method.is_issued()
                && method.collected_at.is_none()
                && method.lost_at.is_none()
            {
                let valid_until = r
                    .cards_of_method(method.id)?
                    .first()
                    .map_or(grant.ends_at, |card| card.valid_until);
                cards.push(OutstandingCard {
                    access_method_id: method.id,
                    card_id: method.card_id.clone(),
                    guest: guest.clone(),
                    doors: doors.clone(),
                    valid_until,
                });
            }
        }
    }
    Ok(cards)
}

/// The room of a stay: the space its grants were asked for by, or else the space of its
/// first room door (a joiner on some of a suite's doors names no space).
pub(crate) fn stay_room(r: &Reader<'_>, grants: &[AccessGrantRecord]) -> Result<Option<SpaceId>> {
    if let Some(space) = grants
        .iter()
        .find_map(|grant| grant.space_ids.first().copied())
    {
        return Ok(Some(space));
    }
    for grant in grants {
        for id in grant.reservation_door_ids() {
            if let Some(space) = r
                .entrance(id)?
                .and_then(|entrance| entrance.space_ids.first().copied())
            {
                return Ok(Some(space));
            }
        }
    }
    Ok(None)
}

/// Refuses a "common area" that is not one the check-in offers (another room's door, or a
/// door on an online system). Only the doors given are read, not the whole property.
fn check_common_areas(r: &Reader<'_>, entrances: &[EntranceId]) -> Result<()> {
    for (index, id) in entrances.iter().enumerate() {
        let message = match r.entrance(*id)? {
            Some(entrance)
                if opens_with_guest_cards(&entrance) && r.is_common_area_entrance(*id)? =>
            {
                continue;
            }
            Some(entrance) => format!("{} is not a common area the cards open", entrance.name),
            None => format!("no entrance with id {id}"),
        };
        return Err(Error::invalid(
            format!("common_entrance_ids[{index}]"),
            message,
        ));
    }
    Ok(())
}

fn is_room_door(r: &Reader<'_>, entrance: EntranceId, rooms: &[SpaceId]) -> bool {
    r.entrance(entrance)
        .ok()
        .flatten()
        .is_some_and(|entrance| entrance.space_ids.iter().any(|space| rooms.contains(space)))
}

/// The doors of common areas on the offline systems that open with a card: what a check-in
/// offers on top of the room.
fn common_area_doors(r: &Reader<'_>) -> Result<Vec<store::EntranceRecord>> {
    let common: Vec<SpaceId> = r
        .spaces()?
        .into_iter()
        .filter(|space| space.kind == SpaceKind::Common)
        .map(|space| space.id)
        .collect();
    Ok(r.entrances(None, None)?
        .into_iter()
        .filter(|entrance| {
            opens_with_guest_cards(entrance)
                && entrance
                    .space_ids
                    .iter()
                    .any(|space| common.contains(space))
        })
        .collect())
}

/// A door a guest's card opens without belonging to its reservation: one on an offline
/// system that takes cards and is not a room's.
fn opens_with_guest_cards(entrance: &store::EntranceRecord) -> bool {
    !entrance.can_belong_to_reservation
        && entrance.access_system_kind.is_override_based()
        && entrance.modes.contains(&AccessMode::Card)
}

fn room_state(stays: &[StaySummary], now: DateTime<Utc>, today_end: DateTime<Utc>) -> RoomState {
    let in_house = |stay: &&StaySummary| stay.starts_at <= now && now < stay.ends_at;
    if stays
        .iter()
        .any(|stay| in_house(&stay) && stay.ends_at >= today_end)
    {
        RoomState::InHouse
    } else if stays
        .iter()
        .any(|stay| stay.starts_at <= now && stay.ends_at < today_end)
    {
        RoomState::Departing
    } else if stays.iter().any(|stay| now < stay.starts_at) {
        RoomState::Arriving
    } else {
        RoomState::Vacant
    }
}

/// Today in the property's time zone, as UTC instants.
fn local_day(zone: Tz, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let date = now.with_timezone(&zone).date_naive();
    let start = |date: chrono::NaiveDate| {
        zone.from_local_datetime(&date.and_time(NaiveTime::MIN))
            .earliest()
            .map_or(now, |local| local.with_timezone(&Utc))
    };
    let tomorrow = date.checked_add_days(Days::new(1)).unwrap_or(date);
    (start(date), start(tomorrow))
}

/// The check-out time that ends a stay starting at `now`: 11:00 the next day in the
/// property's time zone. Before 06:00 the night still belongs to the day before, so a guest
/// arriving at 00:30 leaves at 11:00 the same day.
fn next_check_out(zone: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&zone);
    let night_of = if local.time() < NIGHT_ENDS {
        local
            .date_naive()
            .checked_sub_days(Days::new(1))
            .unwrap_or(local.date_naive())
    } else {
        local.date_naive()
    };
    let date = night_of.checked_add_days(Days::new(1)).unwrap_or(night_of);
    zone.from_local_datetime(&date.and_time(CHECK_OUT_TIME))
        .earliest()
        .map_or(now, |local| local.with_timezone(&Utc))
}

/// A reservation key for a stay the property-management system did not name.
fn new_reservation_key() -> String {
    format!("stay-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}
