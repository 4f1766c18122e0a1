//! What a planned check-in, move or change of dates would do at the doors, before it is done:
//! the desk's guard on overlapping stays, and the door timeline the warnings are made from,
//! played with the stay placed as planned. Only what the plan adds is told, in the
//! receptionist's words, each with its way out.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use engine::model::{EntranceId, ReservationId, SpaceId, SpaceKind, TimeFrame};
use engine::warnings::{self, DoorHistory, DoorReservation, DoorWarning, WarningCode};
use serde::{Deserialize, Serialize};
use store::Reader;
use uuid::Uuid;

use crate::operators::{Operator, Permission};
use crate::stays::{
    Placing, envelope, first_name, guest_names, local_when, names_in_words, property_zone,
    room_overlap, stay_grants, stay_room,
};
use crate::{Error, FrontDesk, Result};

/// A change the desk is about to make to where or when a stay is.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlannedChange {
    CheckIn {
        space_id: SpaceId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        /// The names typed so far, to say who would be checked in.
        guests: Vec<String>,
        /// The stay the guests join, if any: a joiner changes no door's timeline.
        reservation_key: Option<String>,
    },
    Move {
        reservation_key: String,
        to_space_id: SpaceId,
    },
    ChangeDates {
        reservation_key: String,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
    },
}

/// What the change would do.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// The room is booked for another stay over these dates: the change is refused unless a
    /// manager allows it.
    pub booked: Option<String>,
    /// What would go wrong at the doors, and how to avoid it.
    pub troubles: Vec<Trouble>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trouble {
    pub message: String,
    /// Another stay whose cards must be remade (`remake_cards`) after the change for its
    /// guests to get in.
    pub remake: Option<RemakeOffer>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemakeOffer {
    pub reservation_key: String,
    /// "Tom Morrow", "Tom Morrow and Eva Morrow".
    pub guests: String,
}

/// One door's reservations as they are, and as the plan would leave them.
struct DoorPlan {
    entrance_id: EntranceId,
    before: Vec<DoorReservation>,
    after: Vec<DoorReservation>,
}

impl FrontDesk {
    /// What `change` would do at the doors if it were made at `now`. Bad input is refused as
    /// the change itself would refuse it, naming the field.
    pub fn predict(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        change: &PlannedChange,
    ) -> Result<Prediction> {
        operator.require(Permission::FrontDesk)?;
        self.store.read(|r| {
            let planned = plan(r, now, change)?;
            let Some(planned) = planned else {
                return Ok(Prediction::default());
            };
            let booked = room_overlap(
                r,
                planned.placing,
                &planned.room,
                &planned.reservation_key,
                &planned.guests,
                planned.frame,
                &planned.already_overlapping,
            )?
            .map(|(_, message)| message);
            let zone = property_zone(r)?;
            let mut troubles = Vec::new();
            for door in &planned.doors {
                let name = r
                    .entrance(door.entrance_id)?
                    .map_or_else(|| planned.room.name.clone(), |entrance| entrance.name);
                let history = DoorHistory {
                    last_sequence: r
                        .last_sequences(&BTreeSet::from([door.entrance_id]))?
                        .get(&door.entrance_id)
                        .copied()
                        .unwrap_or(0),
                    lock: r.known_lock_state(door.entrance_id)?,
                };
                let before: BTreeSet<(ReservationId, WarningCode)> =
                    warnings::door_warnings(door.entrance_id, &name, &door.before, &history)
                        .into_iter()
                        .map(|found| (found.reservation_id, found.warning.code))
                        .collect();
                for found in warnings::door_warnings(door.entrance_id, &name, &door.after, &history)
                {
                    if before.contains(&(found.reservation_id, found.warning.code)) {
                        continue;
                    }
                    if let Some(trouble) = trouble_in_words(
                        r,
                        zone,
                        &planned,
                        &name,
                        &door.after,
                        &found,
                        booked.is_some(),
                    )? && !troubles.contains(&trouble)
                    {
                        troubles.push(trouble);
                    }
                }
            }
            Ok(Prediction { booked, troubles })
        })
    }
}

/// The change as the doors would see it.
struct Planned {
    placing: Placing,
    room: store::SpaceRecord,
    /// The key the stay has, or will have.
    reservation_key: String,
    /// The reservation the stay is placed under in the doors' timelines.
    reservation_id: ReservationId,
    guests: Vec<String>,
    frame: TimeFrame,
    already_overlapping: Vec<String>,
    doors: Vec<DoorPlan>,
}

/// What the change does to the doors' timelines, or `None` when it changes none (a joiner).
fn plan(r: &Reader<'_>, now: DateTime<Utc>, change: &PlannedChange) -> Result<Option<Planned>> {
    match change {
        PlannedChange::CheckIn {
            space_id,
            starts_at,
            ends_at,
            guests,
            reservation_key,
        } => {
            if let Some(key) = reservation_key
                && r.live_reservation(key)?.is_some()
            {
                return Ok(None);
            }
            let room = room_named(r, *space_id, "space_id")?;
            let frame = TimeFrame::new(*starts_at, *ends_at);
            engine::rules::check_update(&frame, None, &[], now)?;
            let placed = new_reservation(frame, now);
            let doors = room_doors(r, &room)?
                .into_iter()
                .map(|(entrance_id, before)| DoorPlan {
                    entrance_id,
                    after: with(&before, placed.clone()),
                    before,
                })
                .collect();
            Ok(Some(Planned {
                placing: Placing::CheckIn,
                reservation_key: reservation_key.clone().unwrap_or_default(),
                reservation_id: placed.reservation_id,
                guests: guests
                    .iter()
                    .map(|name| name.trim().to_owned())
                    .filter(|name| !name.is_empty())
                    .collect(),
                frame,
                already_overlapping: Vec::new(),
                room,
                doors,
            }))
        }
        PlannedChange::Move {
            reservation_key,
            to_space_id,
        } => {
            let grants = stay_grants(r, reservation_key)?;
            let room = room_named(r, *to_space_id, "to_space_id")?;
            let whole = envelope(&grants);
            // A moved stay holds the new room from now on only, under a new reservation.
            let frame = TimeFrame::new(whole.starts_at.max(now), whole.ends_at);
            let placed = new_reservation(frame, now);
            let old = grants
                .first()
                .and_then(|grant| grant.reservation_id)
                .unwrap_or_default();
            let mut doors: Vec<DoorPlan> = room_doors(r, &room)?
                .into_iter()
                .map(|(entrance_id, before)| DoorPlan {
                    entrance_id,
                    after: with(&before, placed.clone()),
                    before,
                })
                .collect();
            // The old room's doors lose the stay (its numbers stay taken).
            if let Some(from) = stay_room(r, &grants)?
                && from != *to_space_id
            {
                let from = room_named(r, from, "reservation_key")?;
                for (entrance_id, before) in room_doors(r, &from)? {
                    let after = before
                        .iter()
                        .filter(|reservation| reservation.reservation_id != old)
                        .cloned()
                        .collect();
                    doors.push(DoorPlan {
                        entrance_id,
                        before,
                        after,
                    });
                }
            }
            Ok(Some(Planned {
                placing: Placing::Move,
                reservation_key: reservation_key.clone(),
                reservation_id: placed.reservation_id,
                guests: guest_names(r, &grants)?,
                frame,
                already_overlapping: Vec::new(),
                room,
                doors,
            }))
        }
        PlannedChange::ChangeDates {
            reservation_key,
            starts_at,
            ends_at,
        } => {
            let grants = stay_grants(r, reservation_key)?;
            let Some(space_id) = stay_room(r, &grants)? else {
                return Ok(None);
            };
            let room = room_named(r, space_id, "reservation_key")?;
            let whole = envelope(&grants);
            let frame = TimeFrame::new(
                starts_at.unwrap_or(whole.starts_at),
                ends_at.unwrap_or(whole.ends_at),
            );
            for grant in &grants {
                let moved = TimeFrame::new(
                    starts_at.unwrap_or(grant.starts_at),
                    ends_at.unwrap_or(grant.ends_at),
                );
                engine::rules::check_update(&moved, grant.name.as_deref(), &[], now)?;
            }
            let reservation_id = grants
                .first()
                .and_then(|grant| grant.reservation_id)
                .unwrap_or_default();
            let mut already_overlapping = Vec::new();
            let mut doors = Vec::new();
            for (entrance_id, before) in room_doors(r, &room)? {
                for other in &before {
                    if other.reservation_id != reservation_id && other.frame.overlaps(&whole) {
                        already_overlapping.push(other.reservation_key.clone());
                    }
                }
                let after = before
                    .iter()
                    .map(|reservation| {
                        let mut reservation = reservation.clone();
                        if reservation.reservation_id == reservation_id {
                            reservation.frame = frame;
                        }
                        reservation
                    })
                    .collect();
                doors.push(DoorPlan {
                    entrance_id,
                    before,
                    after,
                });
            }
            Ok(Some(Planned {
                placing: Placing::Dates,
                reservation_key: reservation_key.clone(),
                reservation_id,
                guests: guest_names(r, &grants)?,
                frame,
                already_overlapping,
                room,
                doors,
            }))
        }
    }
}

fn room_named(r: &Reader<'_>, space_id: SpaceId, field: &str) -> Result<store::SpaceRecord> {
    let room = r
        .space(space_id)?
        .ok_or_else(|| Error::invalid(field, format!("no space with id {space_id}")))?;
    if room.kind == SpaceKind::Common {
        return Err(Error::invalid(
            field,
            format!("{} is a common area, not a room", room.name),
        ));
    }
    Ok(room)
}

/// Each door of the room with the reservations in its timeline.
fn room_doors(
    r: &Reader<'_>,
    room: &store::SpaceRecord,
) -> Result<Vec<(EntranceId, Vec<DoorReservation>)>> {
    room.entrance_ids
        .iter()
        .map(|door| Ok((*door, r.door_timeline(*door)?)))
        .collect()
}

/// The reservation a new stay would make: no number yet, made now.
fn new_reservation(frame: TimeFrame, now: DateTime<Utc>) -> DoorReservation {
    DoorReservation {
        reservation_id: Uuid::new_v4(),
        reservation_key: String::new(),
        sequence: None,
        frame,
        established_at: now,
    }
}

fn with(reservations: &[DoorReservation], added: DoorReservation) -> Vec<DoorReservation> {
    let mut all = reservations.to_vec();
    all.push(added);
    all
}

/// A warning the plan adds, told as what happens to whom. `None` for what the receptionist
/// is told already (a stay locked out by an overlap the guard names).
fn trouble_in_words(
    r: &Reader<'_>,
    zone: Tz,
    planned: &Planned,
    door_name: &str,
    timeline: &[DoorReservation],
    found: &DoorWarning,
    booked: bool,
) -> Result<Option<Trouble>> {
    let ours = names_in_words(&planned.guests);
    let our_first = match planned.guests.as_slice() {
        [one] => first_name(one),
        _ => "the guests".to_owned(),
    };
    let is_ours = found.reservation_id == planned.reservation_id;
    let trouble = match (found.warning.code, is_ours) {
        (WarningCode::SequenceInversion, false) => {
            let Some(other) = timeline
                .iter()
                .find(|reservation| reservation.reservation_id == found.reservation_id)
            else {
                return Ok(None);
            };
            let names = guest_names(r, &stay_grants(r, &other.reservation_key)?)?;
            let theirs = names_in_words(&names);
            let their_first = match names.as_slice() {
                [one] => first_name(one),
                _ => "their".to_owned(),
            };
            let possessive = if names.len() == 1 {
                format!("{their_first}'s")
            } else {
                their_first
            };
            Some(Trouble {
                message: format!(
                    "{theirs}'s cards for {door_name} (from {}) were made before this stay's: \
                     once {ours}'s first card is used there, they will be refused. Remake \
                     {possessive} cards after this.",
                    local_when(zone, other.frame.starts_at)
                ),
                remake: Some(RemakeOffer {
                    reservation_key: other.reservation_key.clone(),
                    guests: theirs,
                }),
            })
        }
        (WarningCode::SequenceInversion, true) => Some(Trouble {
            message: format!(
                "{door_name} has already taken a newer card: {ours}'s cards would be refused \
                 there."
            ),
            remake: None,
        }),
        (WarningCode::SequenceTooFarAhead, true) => Some(Trouble {
            message: format!(
                "{door_name}'s lock has not seen the last cards made for it and would refuse \
                 {ours}'s card: use the newest card made for it at the door once before \
                 {our_first} arrives."
            ),
            remake: None,
        }),
        (WarningCode::PreviousGuestCanEnter, true) if !booked => {
            let previous = timeline.iter().find(|reservation| {
                reservation.reservation_id != planned.reservation_id
                    && reservation.frame.contains(planned.frame.starts_at)
            });
            let Some(previous) = previous else {
                return Ok(None);
            };
            let names = guest_names(r, &stay_grants(r, &previous.reservation_key)?)?;
            Some(Trouble {
                message: format!(
                    "{}'s cards for {door_name} stop working at {ours}'s first card there.",
                    names_in_words(&names)
                ),
                remake: None,
            })
        }
        _ => None,
    };
    Ok(trouble)
}
