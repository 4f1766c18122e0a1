//! Warnings the engine raises on grants, and the door timeline that predicts them with the
//! lock model.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lock::{
    self, Card, CardContent, Door, DoorPlace, DoorSequence, LockConfig, LockState, Reason,
    StillOpens,
};
use crate::model::{EntranceId, ReservationId, TimeFrame, end_text, shown_end};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// Issued cards carry old dates: re-encode them.
    EncodingRequired,
    /// A deleted grant's issued cards still open doors until collected or overridden.
    CardsNotCollected,
    /// An overlapping earlier stay's cards keep opening the door until this one's first use.
    PreviousGuestCanEnter,
    /// Cards encoded later for an earlier stay, or a newer card already used at the door, will
    /// lock these cards out.
    SequenceInversion,
    /// The lock will refuse these cards: their number is beyond its look-ahead window.
    SequenceTooFarAhead,
}

impl WarningCode {
    pub const ALL: [WarningCode; 5] = [
        Self::EncodingRequired,
        Self::CardsNotCollected,
        Self::PreviousGuestCanEnter,
        Self::SequenceInversion,
        Self::SequenceTooFarAhead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EncodingRequired => "encoding_required",
            Self::CardsNotCollected => "cards_not_collected",
            Self::PreviousGuestCanEnter => "previous_guest_can_enter",
            Self::SequenceInversion => "sequence_inversion",
            Self::SequenceTooFarAhead => "sequence_too_far_ahead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.as_str() == text)
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

/// The warning a time change leaves on a grant whose cards were already encoded.
pub fn encoding_required(cards: usize) -> Warning {
    Warning {
        code: WarningCode::EncodingRequired,
        message: format!(
            "The dates changed after {cards} card(s) were encoded: re-encode the plastic card \
             for the new dates."
        ),
    }
}

/// How a card's end reads in a warning.
const CARD_END_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// An issued card that is out of the desk's hands while the lock model says it may still open
/// doors: revoked and not returned, or reported lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardStillOut {
    pub lost: bool,
    /// A newer card of the same key was written on other plastic.
    pub replaced: bool,
    pub copy_number: Option<u32>,
    /// Each door that may still accept it, by name.
    pub doors: Vec<(String, StillOpens)>,
}

/// The warning a grant keeps while cards of it that are no longer valid for anyone may still
/// open doors, and when it stops holding at the latest: the last card's end plus the locks'
/// clock skew, or never for a card with no end. `None` when no card opens anything.
pub fn cards_not_collected(
    cards: &[CardStillOut],
    clock_skew: chrono::Duration,
) -> Option<(Warning, Option<DateTime<Utc>>)> {
    let cards: Vec<&CardStillOut> = cards.iter().filter(|card| !card.doors.is_empty()).collect();
    let last_end = cards
        .iter()
        .flat_map(|card| card.doors.iter().map(|(_, until)| until.at_latest()))
        .max()?;
    let expires_at = shown_end(last_end).map(|end| end + clock_skew);
    let sentences: Vec<String> = cards
        .iter()
        .map(|card| {
            let what = if card.lost {
                "Lost card"
            } else if card.replaced {
                "Replaced card"
            } else {
                "Card not returned"
            };
            let copy = card
                .copy_number
                .map_or_else(String::new, |copy| format!(" (copy {copy})"));
            let doors: Vec<String> = card
                .doors
                .iter()
                .map(|(name, until)| {
                    let end = end_text(until.at_latest(), CARD_END_FORMAT, "");
                    match (until, end.is_empty()) {
                        (StillOpens::CardEnd { .. }, false) => format!("{name} until {end}"),
                        (StillOpens::CardEnd { .. }, true) => format!("{name}, with no end"),
                        (StillOpens::NewerCard { .. }, false) => {
                            format!("{name} until a newer card is used there, {end} at the latest")
                        }
                        (StillOpens::NewerCard { .. }, true) => {
                            format!("{name} until a newer card is used there")
                        }
                        (StillOpens::Once { .. }, false) => format!("{name} once, until {end}"),
                        (StillOpens::Once { .. }, true) => format!("{name} once"),
                    }
                })
                .collect();
            format!("{what}{copy} still opens {}.", doors.join("; "))
        })
        .collect();
    let lost_only = cards.iter().all(|card| card.lost);
    // Only a room door's lock is moved past a card (by a cancel card or the next guest's); a
    // common door, or any door of a staff card, takes it until its end.
    let stoppable = cards.iter().any(|card| {
        card.doors
            .iter()
            .any(|(_, until)| matches!(until, StillOpens::NewerCard { .. }))
    });
    let once_only = cards.iter().all(|card| {
        card.doors
            .iter()
            .all(|(_, until)| matches!(until, StillOpens::Once { .. }))
    });
    let fix = match (lost_only, stoppable) {
        _ if once_only => {
            "A one-shot card: it opens each door once, until it is used there or ends; collect \
             it if it comes back."
        }
        (true, true) => {
            "Encode a cancel card for the room, or check the next guest in: their first card \
             used at the door stops it there."
        }
        (false, true) => {
            "Collect it; or encode a cancel card for the room, or check the next guest in: \
             their first card used at the door stops it there."
        }
        (true, false) => "No card at the doors stops it: it opens them until its end.",
        (false, false) => "Collect it: no card at the doors stops it before its end.",
    };
    Some((
        Warning {
            code: WarningCode::CardsNotCollected,
            message: format!("{} {fix}", sentences.join(" ")),
        },
        expires_at,
    ))
}

/// One live reservation on one door, as the door's timeline needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorReservation {
    pub reservation_id: ReservationId,
    pub reservation_key: String,
    /// The reservation's number on this door; `None` until a card carrying the door is
    /// first encoded.
    pub sequence: Option<u32>,
    /// The span of the reservation's live grants on this door.
    pub frame: TimeFrame,
    /// When the reservation was made. No card of it exists before, so none is used there
    /// before: a stay moved in or reissued keeps its arrival, but its cards are new.
    pub established_at: DateTime<Utc>,
}

impl DoorReservation {
    /// When the timeline plays the stay's first card at the door: its start, or when its
    /// reservation was made if that is later.
    pub fn first_use(&self) -> DateTime<Utc> {
        self.frame.starts_at.max(self.established_at)
    }
}

/// What is known of a door besides its live reservations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DoorHistory {
    /// The highest number the door ever handed out (cleared reservations and cancel cards
    /// included); 0 if none.
    pub last_sequence: u32,
    /// What the door's lock is known to remember (the simulated lock), if anything.
    pub lock: Option<LockState>,
}

/// A warning for the grants of one reservation that include one door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorWarning {
    pub reservation_id: ReservationId,
    pub entrance_id: EntranceId,
    pub warning: Warning,
}

/// The number each live reservation's cards will carry on the door: its own once assigned;
/// for the others, those a desk encoding each stay's first card as the stay starts would
/// hand out, in the order of their first use ([`DoorReservation::first_use`]) after every number the door has given (`history.last_sequence`).
pub fn predicted_sequences(
    reservations: &[DoorReservation],
    history: &DoorHistory,
) -> Vec<(ReservationId, u32)> {
    let mut unassigned: Vec<&DoorReservation> = reservations
        .iter()
        .filter(|reservation| reservation.sequence.is_none())
        .collect();
    unassigned.sort_by_key(|reservation| (reservation.first_use(), reservation.reservation_id));
    let last = reservations
        .iter()
        .filter_map(|reservation| reservation.sequence)
        .fold(history.last_sequence, u32::max);
    let assigned = reservations.iter().filter_map(|reservation| {
        reservation
            .sequence
            .map(|sequence| (reservation.reservation_id, sequence))
    });
    let predicted = unassigned
        .into_iter()
        .zip(1..)
        .map(|(reservation, rank)| (reservation.reservation_id, last.saturating_add(rank)));
    assigned.chain(predicted).collect()
}

/// Plays the live reservations of one door forward, assuming each stay's first card is used
/// when the stay starts, or when its reservation was made if that is later (and encoded
/// then, if it is not yet: see [`predicted_sequences`]),
/// and asks the lock model what each card meets:
/// - a card refused at the start of its own stay because the door moved past it: cards
///   encoded out of arrival order, or a newer card already used there
///   (`sequence_inversion`, on the refused reservation);
/// - a card refused as too far ahead of what the lock last accepted: numbers handed out to
///   cards that were never used there (`sequence_too_far_ahead`, on the refused reservation);
/// - a first use that locks out a stay still running means that stay's guest could enter
///   until then (`previous_guest_can_enter`, on the newer reservation).
///
/// The lock starts from having accepted every number below the lowest live one; what it is
/// known to remember (`history.lock`) replaces that from the time it moved there, and locks
/// out the stays then running whose numbers it passed (`sequence_inversion`).
pub fn door_warnings(
    entrance_id: EntranceId,
    door_name: &str,
    reservations: &[DoorReservation],
    history: &DoorHistory,
) -> Vec<DoorWarning> {
    let config = LockConfig::new(Uuid::nil(), 0);
    // Guest cards only: the door's place matters to staff zones alone.
    let door = Door {
        entrance_id,
        can_belong_to_reservation: true,
        place: DoorPlace::default(),
    };
    let card_of = |(reservation, sequence): (&DoorReservation, u32)| Card {
        property_id: config.property_id,
        format_version: config.format_version,
        key_epoch: 0,
        valid_from: reservation.frame.starts_at,
        valid_until: reservation.frame.ends_at,
        content: CardContent::Guest {
            reservation_id: Some(reservation.reservation_id),
            capable_doors: vec![DoorSequence {
                entrance_id,
                sequence,
            }],
            common_doors: Vec::new(),
        },
    };

    let sequences = predicted_sequences(reservations, history);
    let sequence_of = |reservation: &DoorReservation| {
        sequences
            .iter()
            .find(|(id, _)| *id == reservation.reservation_id)
            .map_or(0, |(_, sequence)| *sequence)
    };
    let mut timeline: Vec<(&DoorReservation, u32)> = reservations
        .iter()
        .map(|reservation| (reservation, sequence_of(reservation)))
        .collect();
    timeline.sort_by_key(|(reservation, sequence)| (reservation.first_use(), *sequence));

    let mut warnings = Vec::new();
    // The door has accepted every earlier reservation's number: start just below the lowest
    // live one, not at 0, or a door's 51st reservation would look "too far ahead".
    let mut state = LockState {
        guest_sequence: timeline
            .iter()
            .map(|(_, sequence)| sequence.saturating_sub(1))
            .min()
            .unwrap_or(0),
        ..LockState::default()
    };
    // What the lock is known to remember holds from when it moved there: stays that start
    // from then on meet it.
    let mut known = history.lock;
    let mut admitted: Vec<(&DoorReservation, u32)> = Vec::new();
    let apply_known = |state: &mut LockState,
                       admitted: &[(&DoorReservation, u32)],
                       warnings: &mut Vec<DoorWarning>,
                       known: LockState| {
        // A thrown deadbolt is the guest's choice for the moment, not the door's future.
        *state = LockState {
            privacy: false,
            ..known
        };
        let since = known.overridden_at;
        // A card that is no live stay's moved the door past stays still running then.
        if timeline
            .iter()
            .any(|(_, sequence)| *sequence == known.guest_sequence)
        {
            return;
        }
        for (previous, sequence) in admitted {
            let running = since.is_none_or(|since| previous.frame.ends_at > since);
            if running && *sequence < known.guest_sequence {
                warnings.push(DoorWarning {
                    reservation_id: previous.reservation_id,
                    entrance_id,
                    warning: sequence_inversion(door_name, None),
                });
            }
        }
    };
    for entry in &timeline {
        let (reservation, _) = *entry;
        let at = reservation.first_use();
        if let Some(lock) = known.filter(|lock| lock.overridden_at.is_none_or(|since| since <= at))
        {
            apply_known(&mut state, &admitted, &mut warnings, lock);
            known = None;
        }
        let judgement = lock::judge(&config, door, state, &card_of(*entry), at);
        let warning = match judgement.reason {
            Reason::Overridden { lock, .. } => {
                let by = timeline
                    .iter()
                    .find(|(_, sequence)| *sequence == lock)
                    .map(|(other, _)| other.reservation_key.as_str());
                Some(sequence_inversion(door_name, by))
            }
            Reason::SequenceTooFarAhead { card, lock } => Some(sequence_too_far_ahead(
                door_name,
                card,
                lock,
                config.look_ahead,
            )),
            _ if judgement.is_granted() => {
                for previous in &admitted {
                    let after =
                        lock::judge(&config, door, judgement.state, &card_of(*previous), at);
                    if previous.0.frame.contains(at) && !after.is_granted() {
                        warnings.push(DoorWarning {
                            reservation_id: reservation.reservation_id,
                            entrance_id,
                            warning: previous_guest_can_enter(door_name, previous.0),
                        });
                    }
                }
                state = judgement.state;
                admitted.push(*entry);
                None
            }
            _ => None,
        };
        if let Some(warning) = warning {
            warnings.push(DoorWarning {
                reservation_id: reservation.reservation_id,
                entrance_id,
                warning,
            });
        }
    }
    if let Some(lock) = known {
        apply_known(&mut state, &admitted, &mut warnings, lock);
    }
    warnings
}

fn sequence_inversion(door_name: &str, by_key: Option<&str>) -> Warning {
    let why = by_key.map_or_else(
        || "a newer card was already used at this door, so".to_owned(),
        |key| {
            format!(
                "reservation '{key}' gets cards encoded after this one's for an earlier stay; \
                 once its cards are used there,"
            )
        },
    );
    Warning {
        code: WarningCode::SequenceInversion,
        message: format!(
            "{door_name}: {why} this reservation's cards will be refused. Reissue this \
             reservation's cards (delete and recreate its access grants) so that they carry a \
             newer sequence."
        ),
    }
}

fn sequence_too_far_ahead(door_name: &str, card: u32, lock: u32, look_ahead: u32) -> Warning {
    Warning {
        code: WarningCode::SequenceTooFarAhead,
        message: format!(
            "{door_name}: this reservation's cards carry sequence {card}, more than {look_ahead} \
             ahead of the {lock} the lock last accepted (cards were encoded for stays that never \
             used this door), so the lock will refuse them. Bring the lock up to date at the \
             door before the guest arrives."
        ),
    }
}

fn previous_guest_can_enter(door_name: &str, previous: &DoorReservation) -> Warning {
    Warning {
        code: WarningCode::PreviousGuestCanEnter,
        message: format!(
            "{door_name}: the stay under reservation '{}' runs {}; its cards open this \
             door until a card of this reservation is first used there, and are refused after \
             that.",
            previous.reservation_key,
            end_text(
                previous.frame.ends_at,
                "until %Y-%m-%dT%H:%M:%SZ",
                "with no end"
            )
        ),
    }
}
