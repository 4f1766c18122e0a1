//! Checking guests in, and the check-in form with its dates, room doors and common areas.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use engine::model::{
    AccessMode, EntranceId, RequestedAccessMethod, SpaceId, SpaceKind, TimeFrame, UserIdentityId,
    UserKind,
};
use serde::{Deserialize, Serialize};
use store::{Reader, Writer};

use super::detail::{StayDetail, stay_detail, stay_from};
use super::overlap::{Placing, guard_room};
use crate::grants::{create, live_grant};
use crate::operators::{Operator, Permission};
use crate::users::insert_user;
use crate::{Context, CreateAccessGrant, Error, FrontDesk, NewUserIdentity, Result, audit_ok};

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

/// Several rooms of one booking checked in at once: each room its own stay.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCheckIn {
    /// The booking's name ("Smith wedding"), for the audit log.
    pub group_name: Option<String>,
    pub rooms: Vec<CheckIn>,
}

/// The most rooms one group check-in takes.
pub const MAX_GROUP_ROOMS: usize = 50;

impl FrontDesk {
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
                Some(day) if day > today => local_instant(zone, day, CHECK_IN_TIME).unwrap_or(now),
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
        self.check_in_by(&operator.context(now), request)
    }

    /// [`FrontDesk::check_in`] by whoever acts (an operator, the PMS link).
    pub fn check_in_by(&self, context: &Context, request: &CheckIn) -> Result<StayDetail> {
        self.check_in_rooms(context, request, &[])
    }

    /// Checks in every room of a group at once, each room its own stay, all or none: a room
    /// that cannot be checked in is refused naming it (`rooms[2].space_id`), and nothing of
    /// the group is made.
    pub fn check_in_group(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        request: &GroupCheckIn,
    ) -> Result<Vec<StayDetail>> {
        let context = operator.context(now);
        self.context_change(
            Permission::FrontDesk,
            &context,
            "stay.check_in_group",
            request.group_name.clone(),
            request,
            |w| {
                if request.rooms.is_empty() {
                    return Err(Error::invalid("rooms", "choose at least one room"));
                }
                if request.rooms.len() > MAX_GROUP_ROOMS {
                    return Err(Error::invalid(
                        "rooms",
                        format!(
                            "a group check-in takes at most {MAX_GROUP_ROOMS} rooms; check the \
                             rest in as a second group"
                        ),
                    ));
                }
                let mut stays = Vec::with_capacity(request.rooms.len());
                for (index, room) in request.rooms.iter().enumerate() {
                    let within = format!("rooms[{index}]");
                    if request.rooms[..index]
                        .iter()
                        .any(|earlier| earlier.space_id == room.space_id)
                    {
                        let name = w
                            .space(room.space_id)?
                            .map_or_else(|| "This room".to_owned(), |space| space.name);
                        return Err(Error::invalid(
                            format!("{within}.space_id"),
                            format!("{name} is in the group twice"),
                        ));
                    }
                    let key = room
                        .reservation_key
                        .clone()
                        .unwrap_or_else(new_reservation_key);
                    let stay = check_in_within(w, &context, room, &key, &[])
                        .map_err(|error| error.within(&within))?;
                    stays.push(stay);
                }
                let keys: Vec<&str> = stays
                    .iter()
                    .map(|stay| stay.reservation_key.as_str())
                    .collect();
                w.audit(
                    &audit_ok(
                        &context,
                        "stay.check_in_group",
                        request.group_name.as_deref().unwrap_or("group"),
                        None,
                        Some(serde_json::json!({ "reservation_keys": keys })),
                    ),
                    now,
                )?;
                Ok(stays)
            },
        )
    }

    /// A check-in whose cards also open `extra_rooms` (connecting rooms a PMS books on one
    /// key): every room's doors are the reservation's, each room kept free of other stays.
    pub(crate) fn check_in_rooms(
        &self,
        context: &Context,
        request: &CheckIn,
        extra_rooms: &[SpaceId],
    ) -> Result<StayDetail> {
        let key = request
            .reservation_key
            .clone()
            .unwrap_or_else(new_reservation_key);
        let audited = AuditedCheckIn {
            check_in: request,
            extra_space_ids: extra_rooms,
        };
        self.context_change(
            Permission::FrontDesk,
            context,
            "stay.check_in",
            Some(key.clone()),
            &audited,
            |w| check_in_within(w, context, request, &key, extra_rooms),
        )
    }
}

/// A check-in inside the caller's transaction, under reservation `key`.
pub(crate) fn check_in_within(
    w: &Writer<'_>,
    context: &Context,
    request: &CheckIn,
    key: &str,
    extra_rooms: &[SpaceId],
) -> Result<StayDetail> {
    let now = context.now;
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
    let extras = extra_room_records(w, &room, extra_rooms)?;
    let frame = TimeFrame::new(request.starts_at, request.ends_at);
    let joins_a_stay = w.live_reservation(key)?.is_some();
    let mut entrances = room.entrance_ids.clone();
    let mut spaces = vec![room.id];
    for extra in &extras {
        entrances.extend(&extra.entrance_ids);
        spaces.push(extra.id);
    }
    entrances.extend(&request.common_entrance_ids);
    let mut created = Vec::new();
    for (index, guest) in request.guests.iter().enumerate() {
        let user = insert_guest(w, context, guest, &format!("guests[{index}]"))?;
        let mut grant_request = grant_request(
            user.id,
            &entrances,
            Some(room.id),
            frame,
            request.cards_per_guest,
            key,
        );
        grant_request.space_ids.clone_from(&spaces);
        let grant = create(w, context, &grant_request)?;
        created.push((user, grant));
    }
    let names: Vec<String> = request
        .guests
        .iter()
        .map(|guest| guest.full_name.trim().to_owned())
        .collect();
    for placed in std::iter::once(&room).chain(&extras) {
        guard_room(
            w,
            context,
            request.allow_overlap,
            Placing::CheckIn,
            placed,
            key,
            &names,
            frame,
            &[],
        )?;
    }
    if joins_a_stay {
        return stay_detail(w, key, now);
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
    stay_from(w, key, Some((room.id, room.name)), grants, now)
}

/// A check-in as the audit log keeps it: the form, and the extra rooms when there are some.
#[derive(Serialize)]
struct AuditedCheckIn<'a> {
    #[serde(flatten)]
    check_in: &'a CheckIn,
    #[serde(skip_serializing_if = "<[SpaceId]>::is_empty")]
    extra_space_ids: &'a [SpaceId],
}

/// The extra rooms of a check-in: guest rooms, each once, none of them the room itself.
fn extra_room_records(
    r: &Reader<'_>,
    room: &store::SpaceRecord,
    extra_rooms: &[SpaceId],
) -> Result<Vec<store::SpaceRecord>> {
    let mut records: Vec<store::SpaceRecord> = Vec::new();
    for (index, id) in extra_rooms.iter().enumerate() {
        let field = format!("extra_space_ids[{index}]");
        let extra = r
            .space(*id)?
            .ok_or_else(|| Error::invalid(&field, format!("no space with id {id}")))?;
        if extra.kind == SpaceKind::Common {
            return Err(Error::invalid(
                field,
                format!("{} is a common area, not a room", extra.name),
            ));
        }
        if extra.id == room.id || records.iter().any(|other| other.id == extra.id) {
            return Err(Error::invalid(
                field,
                format!("{} is named twice", extra.name),
            ));
        }
        records.push(extra);
    }
    Ok(records)
}

pub(super) fn grant_request(
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

pub(super) fn check_card_count(field: &str, cards: u32) -> Result<()> {
    if (1..=MAX_CARDS_PER_GUEST).contains(&cards) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("must be 1 to {MAX_CARDS_PER_GUEST} cards"),
        ))
    }
}

pub(super) fn insert_guest(
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

/// Refuses a "common area" that is not one the check-in offers (another room's door, or a
/// door on an online system). Only the doors given are read, not the whole property.
pub(super) fn check_common_areas(r: &Reader<'_>, entrances: &[EntranceId]) -> Result<()> {
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

/// The doors of common areas on the offline systems that open with a card: what a check-in
/// offers on top of the room.
pub(crate) fn common_area_doors(r: &Reader<'_>) -> Result<Vec<store::EntranceRecord>> {
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

/// A property-local day and time as an instant (the earlier of two in a clock change; `None`
/// for a time the clock skips).
pub(crate) fn local_instant(zone: Tz, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|local| local.with_timezone(&Utc))
}

/// The check-out time that ends a stay starting at `now`: 11:00 the next day in the
/// property's time zone. Before 06:00 the night still belongs to the day before, so a guest
/// arriving at 00:30 leaves at 11:00 the same day.
pub(crate) fn next_check_out(zone: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
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
    local_instant(zone, date, CHECK_OUT_TIME).unwrap_or(now)
}

/// A reservation key for a stay the property-management system did not name.
pub(crate) fn new_reservation_key() -> String {
    format!("stay-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}
