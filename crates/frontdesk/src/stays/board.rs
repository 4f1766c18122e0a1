//! The room board: every room by floor with its state and today's stays, in local time.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use engine::model::{SpaceId, SpaceKind};
use serde::Serialize;

use crate::operators::{Operator, Permission};
use crate::{Error, FrontDesk, Result};

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
            let floors = by_floor(r.space_summaries()?, |space| {
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
                RoomTile {
                    state: room_state(&stays, now, today_end),
                    has_warnings: warned.contains(&space.id)
                        || stays.iter().any(|stay| stay.warnings > 0),
                    stays,
                    next_arrival: later.into_iter().next(),
                    space_id: space.id,
                    key: space.key,
                    name: space.name,
                    kind: space.kind,
                }
            });
            Ok(Board {
                property_name: property.name,
                time_zone: property.time_zone,
                now,
                floors,
            })
        })
    }

    /// The board's rooms and floors with no one's stays in them: every tile vacant, none
    /// warned. For the sign-in screen, which lays the board out while the PIN is typed, so
    /// that signing in only fills the guests in. The rooms are no secret; who is in them is,
    /// so this needs no operator and says nothing of any stay.
    pub fn board_layout(&self, now: DateTime<Utc>) -> Result<Board> {
        self.store.read(|r| {
            let property = r
                .property()?
                .ok_or_else(|| Error::not_found("property", "-"))?;
            Ok(Board {
                property_name: property.name,
                time_zone: property.time_zone,
                now,
                floors: by_floor(r.space_summaries()?, |space| RoomTile {
                    space_id: space.id,
                    key: space.key,
                    name: space.name,
                    kind: space.kind,
                    state: RoomState::Vacant,
                    has_warnings: false,
                    stays: Vec::new(),
                    next_arrival: None,
                }),
            })
        })
    }
}

/// The rooms (not common areas) by floor, floors in order and rooms without one last, each
/// tile made by `tile`.
fn by_floor(
    spaces: Vec<store::SpaceSummary>,
    mut tile: impl FnMut(store::SpaceSummary) -> RoomTile,
) -> Vec<BoardFloor> {
    let mut floors: BTreeMap<(bool, Option<i32>), Vec<RoomTile>> = BTreeMap::new();
    for space in spaces
        .into_iter()
        .filter(|space| space.kind != SpaceKind::Common)
    {
        floors
            .entry((space.floor.is_none(), space.floor))
            .or_default()
            .push(tile(space));
    }
    floors
        .into_iter()
        .map(|((_, floor), rooms)| BoardFloor {
            floor,
            label: floor.map_or_else(|| "Other".to_owned(), |floor| format!("Floor {floor}")),
            rooms,
        })
        .collect()
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
