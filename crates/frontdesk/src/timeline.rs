//! The timeline (rooms × days, the tape chart): every room with the stays that overlap a
//! window of days, past ones included, so that a moved stay shows where it was and a
//! checked-out one where it ended.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use engine::model::{SpaceId, SpaceKind};
use serde::Serialize;
use store::StayRow;

use crate::operators::{Operator, Permission};
use crate::{Error, FrontDesk, Result};

/// The most days a timeline shows at once (a quarter).
pub const MAX_TIMELINE_DAYS: u32 = 92;

/// Where a stay stands, as the desk says it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StayStatus {
    /// Booked; it has not started.
    Upcoming,
    /// Started and not checked out (overdue ones too).
    InHouse,
    CheckedOut,
    /// Its guests were moved to another room: this was where they were before.
    MovedAway,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub property_name: String,
    pub time_zone: String,
    pub now: DateTime<Utc>,
    /// The first day shown, in the property's time zone.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub from: NaiveDate,
    pub days: u32,
    /// The window as instants: the start of `from` and of the day after the last.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub floors: Vec<TimelineFloor>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineFloor {
    pub floor: Option<i32>,
    pub label: String,
    pub rooms: Vec<TimelineRoom>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineRoom {
    pub space_id: SpaceId,
    pub key: String,
    pub name: String,
    pub kind: SpaceKind,
    /// Earliest first; bars of one room do not overlap unless a manager allowed it.
    pub stays: Vec<StayBar>,
}

/// A stay's time in one room.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StayBar {
    pub reservation_key: String,
    /// When the stay started in this room: its arrival, or when it was moved here.
    pub starts_at: DateTime<Utc>,
    /// When it ends (or ended: checked out, or moved away); `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    pub guests: Vec<String>,
    /// Warnings of its grants that hold now.
    pub warnings: u32,
    pub status: StayStatus,
}

impl FrontDesk {
    /// Every room by floor (as the board) with the stays that overlap `days` days from the
    /// property-local day `from`.
    pub fn timeline(
        &self,
        operator: &Operator,
        from: NaiveDate,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Timeline> {
        operator.require(Permission::FrontDesk)?;
        if !(1..=MAX_TIMELINE_DAYS).contains(&days) {
            return Err(Error::invalid(
                "days",
                format!("show 1 to {MAX_TIMELINE_DAYS} days"),
            ));
        }
        let last = from
            .checked_add_days(Days::new(u64::from(days)))
            .ok_or_else(|| Error::invalid("from", "a day the calendar has"))?;
        self.store.read(|r| {
            let property = r
                .property()?
                .ok_or_else(|| Error::not_found("property", "-"))?;
            let zone: Tz = property.time_zone.parse().unwrap_or(chrono_tz::UTC);
            let (starts_at, ends_at) = (day_start(zone, from), day_start(zone, last));
            let mut rows_by_room: BTreeMap<SpaceId, Vec<StayRow>> = BTreeMap::new();
            for row in r.timeline_rows(starts_at, ends_at, now)? {
                rows_by_room.entry(row.space_id).or_default().push(row);
            }
            let mut floors: BTreeMap<(bool, Option<i32>), Vec<TimelineRoom>> = BTreeMap::new();
            for space in r
                .space_summaries()?
                .into_iter()
                .filter(|space| space.kind != SpaceKind::Common)
            {
                let rows = rows_by_room.remove(&space.id).unwrap_or_default();
                floors
                    .entry((space.floor.is_none(), space.floor))
                    .or_default()
                    .push(TimelineRoom {
                        space_id: space.id,
                        key: space.key,
                        name: space.name,
                        kind: space.kind,
                        stays: stay_bars(rows, starts_at, ends_at, now),
                    });
            }
            Ok(Timeline {
                property_name: property.name,
                time_zone: property.time_zone,
                now,
                from,
                days,
                starts_at,
                ends_at,
                floors: floors
                    .into_iter()
                    .map(|((_, floor), rooms)| TimelineFloor {
                        floor,
                        label: floor
                            .map_or_else(|| "Other".to_owned(), |floor| format!("Floor {floor}")),
                        rooms,
                    })
                    .collect(),
            })
        })
    }
}

/// One grant's time in its room.
struct Piece {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    live: bool,
    moved_away: bool,
    guest: String,
    warnings: u32,
}

/// When a grant held its room: from its start (or from when it was moved here) to its end,
/// or to its deletion if that came first. `None` when it never held it (deleted before).
pub(crate) fn held(row: &StayRow) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let starts_at = if row.moved_in {
        row.starts_at.max(row.created_at)
    } else {
        row.starts_at
    };
    let ends_at = row
        .deleted_at
        .map_or(row.ends_at, |deleted| deleted.min(row.ends_at));
    (starts_at < ends_at).then_some((starts_at, ends_at))
}

/// The bars of one room's grants: per reservation, the times its grants held the room that
/// overlap or touch make one bar (a lost-key reissue continues its stay's bar).
fn stay_bars(
    rows: Vec<StayRow>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<StayBar> {
    let mut pieces_by_key: BTreeMap<String, Vec<Piece>> = BTreeMap::new();
    for row in rows {
        let Some((starts_at, ends_at)) = held(&row) else {
            continue;
        };
        if ends_at <= from || to <= starts_at {
            continue;
        }
        pieces_by_key
            .entry(row.reservation_key)
            .or_default()
            .push(Piece {
                starts_at,
                ends_at,
                live: row.deleted_at.is_none(),
                moved_away: row.moved_away,
                guest: row.full_name.unwrap_or_else(|| "Guest".to_owned()),
                warnings: row.warnings,
            });
    }
    let mut bars = Vec::new();
    for (key, mut pieces) in pieces_by_key {
        pieces.sort_by_key(|piece| piece.starts_at);
        let mut current: Option<(StayBar, bool, bool)> = None;
        for piece in pieces {
            match &mut current {
                Some((bar, live, moved_away)) if piece.starts_at <= bar.ends_at => {
                    if piece.ends_at >= bar.ends_at {
                        *moved_away = piece.moved_away;
                    }
                    bar.ends_at = bar.ends_at.max(piece.ends_at);
                    *live |= piece.live;
                    if !bar.guests.contains(&piece.guest) {
                        bar.guests.push(piece.guest);
                    }
                    bar.warnings += piece.warnings;
                }
                _ => {
                    bars.extend(
                        current
                            .take()
                            .map(|(bar, live, moved_away)| finished(bar, live, moved_away, now)),
                    );
                    current = Some((
                        StayBar {
                            reservation_key: key.clone(),
                            starts_at: piece.starts_at,
                            ends_at: piece.ends_at,
                            guests: vec![piece.guest],
                            warnings: piece.warnings,
                            status: StayStatus::InHouse,
                        },
                        piece.live,
                        piece.moved_away,
                    ));
                }
            }
        }
        bars.extend(current.map(|(bar, live, moved_away)| finished(bar, live, moved_away, now)));
    }
    bars.sort_by_key(|bar| bar.starts_at);
    bars
}

fn finished(mut bar: StayBar, live: bool, moved_away: bool, now: DateTime<Utc>) -> StayBar {
    bar.status = match (live, moved_away) {
        (true, _) => live_status(bar.starts_at, now),
        (false, true) => StayStatus::MovedAway,
        (false, false) => StayStatus::CheckedOut,
    };
    bar
}

pub(crate) fn live_status(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> StayStatus {
    if now < starts_at {
        StayStatus::Upcoming
    } else {
        StayStatus::InHouse
    }
}

/// The first instant of a property-local day.
pub(crate) fn day_start(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    zone.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        // A day that starts in a clock change's gap starts an hour later.
        .or_else(|| {
            zone.from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(1, 0, 0)?))
                .earliest()
        })
        .map_or_else(
            || day.and_time(NaiveTime::MIN).and_utc(),
            |local| local.with_timezone(&Utc),
        )
}
