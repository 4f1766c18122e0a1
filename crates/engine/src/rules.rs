//! The validation order of `docs/domain.md` for creating and updating access grants.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Utc};

use crate::error::RuleError;
use crate::model::{
    AccessMode, EntranceFacts, EntranceId, RequestedAccessMethod, ReservationId, TimeFrame,
    UserKind,
};

/// Longest `reservation_key` or grant name accepted.
pub const MAX_TEXT_LEN: usize = 255;
/// Instants outside these years are refused: they are typing mistakes, and they keep every
/// stored timestamp the same width.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=9999;

/// A create request whose references are already resolved.
#[derive(Debug, Clone, Copy)]
pub struct CreateGrant<'a> {
    pub user_kind: UserKind,
    /// Targeted entrances, each once.
    pub entrances: &'a [EntranceFacts],
    pub frame: TimeFrame,
    pub requested: &'a [RequestedAccessMethod],
    pub reservation_key: Option<&'a str>,
    pub name: Option<&'a str>,
    /// Its cards open each door once, on one-shot numbers of their own: they take no part
    /// in override, so they need no reservation.
    pub one_shot: bool,
}

/// The reservation a key names while it has live grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveReservation {
    pub id: ReservationId,
    pub door_set: BTreeSet<EntranceId>,
    /// The time frames of the reservation's live grants.
    pub grant_frames: Vec<TimeFrame>,
}

/// Where a new grant goes once the rules allow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// No reservation: standard access (staff, online doors, common areas only).
    Standard,
    /// A new reservation on these doors. It takes each door's next override sequence when
    /// the first card carrying that door is encoded, not before.
    Establish { doors: BTreeSet<EntranceId> },
    /// A joiner of an existing reservation, on these of its doors.
    Join {
        reservation_id: ReservationId,
        doors: BTreeSet<EntranceId>,
    },
}

/// Checks a create request in the documented order and says where the grant goes.
/// `live` is the reservation its key names, if that key has live grants.
pub fn check_create(
    request: &CreateGrant<'_>,
    live: Option<&LiveReservation>,
    now: DateTime<Utc>,
) -> Result<Placement, RuleError> {
    // 1. Input.
    if request.entrances.is_empty() {
        return Err(RuleError::invalid(
            "acs_entrance_ids",
            "no entrance targeted; give acs_entrance_ids, space_ids or space_keys that have at \
             least one entrance",
        ));
    }
    check_time_frame(&request.frame, now)?;
    check_requested(request.requested, request.entrances)?;
    if let Some(key) = request.reservation_key {
        check_text("reservation_key", key)?;
    }
    if let Some(name) = request.name {
        check_text("name", name)?;
    }

    // 2. Staff cards live on their own track.
    if request.reservation_key.is_some() && request.user_kind == UserKind::Staff {
        return Err(RuleError::StaffCannotBelongToReservation);
    }

    let capable: BTreeSet<EntranceId> = request
        .entrances
        .iter()
        .filter(|entrance| entrance.can_belong_to_reservation)
        .map(|entrance| entrance.id)
        .collect();

    let Some(_key) = request.reservation_key else {
        // 4. A guest card on an override-based guest door needs a reservation.
        let wants_card = request
            .requested
            .iter()
            .any(|method| method.mode == AccessMode::Card);
        let card_on_capable_door = request.entrances.iter().any(|entrance| {
            entrance.can_belong_to_reservation && entrance.modes.contains(&AccessMode::Card)
        });
        if request.user_kind != UserKind::Staff
            && !request.one_shot
            && wants_card
            && card_on_capable_door
        {
            return Err(RuleError::ReservationKeyRequiredForGuestCards);
        }
        return Ok(Placement::Standard);
    };

    // 3. A key needs a door that can belong to a reservation.
    if capable.is_empty() {
        return Err(RuleError::ReservationKeyNotSupported);
    }

    // 5. A live reservation: the new grant must be a joiner.
    if let Some(reservation) = live {
        if !capable.is_subset(&reservation.door_set) {
            return Err(if capable.is_superset(&reservation.door_set) {
                RuleError::JoinerEntranceSetConflict
            } else {
                RuleError::EntranceChangeRequiresCleanup
            });
        }
        check_overlap(&request.frame, &reservation.grant_frames)?;
        return Ok(Placement::Join {
            reservation_id: reservation.id,
            doors: capable,
        });
    }

    // 6. A new reservation.
    Ok(Placement::Establish { doors: capable })
}

/// Checks a new time frame (and name) for an existing grant. `other_frames` are the frames
/// of the other live grants of its reservation, empty for a standard grant.
pub fn check_update(
    frame: &TimeFrame,
    name: Option<&str>,
    other_frames: &[TimeFrame],
    now: DateTime<Utc>,
) -> Result<(), RuleError> {
    check_time_frame(frame, now)?;
    check_name(name)?;
    check_overlap(frame, other_frames)
}

/// Checks a new name for an existing grant whose dates do not change: a grant whose end
/// has passed may still be renamed.
pub fn check_name(name: Option<&str>) -> Result<(), RuleError> {
    match name {
        Some(name) => check_text("name", name),
        None => Ok(()),
    }
}

/// Gives each door the next number after the highest one it has handed out: a reservation's
/// doors as the first card carrying them is encoded, or a cancel card's.
pub fn assign_sequences(
    doors: &BTreeSet<EntranceId>,
    last_sequence: &BTreeMap<EntranceId, u32>,
) -> BTreeMap<EntranceId, u32> {
    doors
        .iter()
        .map(|door| (*door, last_sequence.get(door).copied().unwrap_or(0) + 1))
        .collect()
}

/// Rule 4: "All access grants within the same reservation_key must have overlapping time
/// frames." Every grant of a reservation overlaps every other one, so a chain (A overlaps B,
/// B overlaps C, A and C apart) is refused: the grants of one stay share a moment when all of
/// them are valid (intervals that overlap pairwise have a common point).
fn check_overlap(frame: &TimeFrame, others: &[TimeFrame]) -> Result<(), RuleError> {
    if others.iter().all(|other| other.overlaps(frame)) {
        Ok(())
    } else {
        Err(RuleError::TimeFramesMustOverlap)
    }
}

fn check_time_frame(frame: &TimeFrame, now: DateTime<Utc>) -> Result<(), RuleError> {
    for (field, instant) in [("starts_at", frame.starts_at), ("ends_at", frame.ends_at)] {
        if !YEARS.contains(&instant.year()) {
            return Err(RuleError::invalid(
                field,
                format!(
                    "{} is out of range; use a year from {} to {}",
                    instant.to_rfc3339(),
                    YEARS.start(),
                    YEARS.end()
                ),
            ));
        }
    }
    if frame.ends_at <= frame.starts_at {
        return Err(RuleError::invalid("ends_at", "must be after starts_at"));
    }
    if frame.ends_at <= now {
        return Err(RuleError::invalid("ends_at", "is already in the past"));
    }
    Ok(())
}

fn check_requested(
    requested: &[RequestedAccessMethod],
    entrances: &[EntranceFacts],
) -> Result<(), RuleError> {
    if requested.is_empty() {
        return Err(RuleError::invalid(
            "requested_access_methods",
            "ask for at least one access method (card, mobile_key or code)",
        ));
    }
    for (index, method) in requested.iter().enumerate() {
        if !entrances
            .iter()
            .any(|entrance| entrance.modes.contains(&method.mode))
        {
            return Err(RuleError::invalid(
                format!("requested_access_methods[{index}].mode"),
                format!(
                    "none of the targeted entrances can be unlocked with {}",
                    method.mode
                ),
            ));
        }
        if let Some(code) = &method.code {
            let field = format!("requested_access_methods[{index}].code");
            if method.mode != AccessMode::Code {
                return Err(RuleError::invalid(field, "a code goes only with mode code"));
            }
            if !(4..=9).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RuleError::invalid(field, "must be 4 to 9 digits"));
            }
        }
    }
    Ok(())
}

fn check_text(field: &str, text: &str) -> Result<(), RuleError> {
    if text.trim().is_empty() {
        return Err(RuleError::invalid(field, "must not be empty"));
    }
    if text.chars().count() > MAX_TEXT_LEN {
        return Err(RuleError::invalid(
            field,
            format!("must be at most {MAX_TEXT_LEN} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        return Err(RuleError::invalid(
            field,
            "must not contain control or invisible formatting characters",
        ));
    }
    Ok(())
}

/// Zero-width and bidirectional formatting characters: invisible on screen, so two keys that
/// look the same could differ, and a bidi override can make a key read backwards.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}
