//! The desk's guard on a room: no stay over another's unless a manager allows it.

use chrono::{DateTime, Utc};
use engine::model::TimeFrame;
use store::{Reader, Writer};

use super::detail::{guest_names, stay_grants};
use super::words::{first_name, local_when, names_in_words, property_zone};
use crate::operators::Permission;
use crate::{Error, Result, audit_ok};

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
pub(super) fn guard_room(
    w: &Writer<'_>,
    context: &crate::Context,
    allow_overlap: bool,
    placing: Placing,
    room: &store::SpaceRecord,
    reservation_key: &str,
    guests: &[String],
    frame: TimeFrame,
    already_overlapping: &[String],
) -> Result<()> {
    if allow_overlap {
        context.require(Permission::Manage)?;
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
