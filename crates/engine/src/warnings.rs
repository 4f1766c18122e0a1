//! Warnings the engine raises on grants, and the door timeline that predicts them with the
//! lock model.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lock::{self, Card, CardContent, Door, DoorSequence, LockConfig, LockState, Reason};
use crate::model::{EntranceId, ReservationId, TimeFrame, end_text};

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
    /// A reservation set up later for an earlier stay will lock these cards out.
    SequenceInversion,
}

impl WarningCode {
    pub const ALL: [WarningCode; 4] = [
        Self::EncodingRequired,
        Self::CardsNotCollected,
        Self::PreviousGuestCanEnter,
        Self::SequenceInversion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EncodingRequired => "encoding_required",
            Self::CardsNotCollected => "cards_not_collected",
            Self::PreviousGuestCanEnter => "previous_guest_can_enter",
            Self::SequenceInversion => "sequence_inversion",
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

/// The warning a deletion leaves when issued cards are still out there.
pub fn cards_not_collected(cards: usize, door_names: &[String]) -> Warning {
    Warning {
        code: WarningCode::CardsNotCollected,
        message: format!(
            "{cards} issued card(s) of this deleted access grant still open {} until they are \
             collected, or until a newer reservation's card or a cancel card is used at the door.",
            door_names.join(", ")
        ),
    }
}

/// One live reservation on one door, as the door's timeline needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorReservation {
    pub reservation_id: ReservationId,
    pub reservation_key: String,
    pub sequence: u32,
    /// The span of the reservation's live grants on this door.
    pub frame: TimeFrame,
}

/// A warning for the grants of one reservation that include one door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorWarning {
    pub reservation_id: ReservationId,
    pub entrance_id: EntranceId,
    pub warning: Warning,
}

/// Plays the live reservations of one door forward, assuming each stay's first card is used
/// when the stay starts, and asks the lock model what each card meets:
/// - a card refused at the start of its own stay was overridden by a reservation set up later
///   for an earlier stay (`sequence_inversion`, on the refused reservation);
/// - a first use that locks out a stay still running means that stay's guest could enter
///   until then (`previous_guest_can_enter`, on the newer reservation).
pub fn door_warnings(
    entrance_id: EntranceId,
    door_name: &str,
    reservations: &[DoorReservation],
) -> Vec<DoorWarning> {
    let config = LockConfig::new(Uuid::nil(), 0);
    let door = Door {
        entrance_id,
        can_belong_to_reservation: true,
    };
    let card_of = |reservation: &DoorReservation| Card {
        property_id: config.property_id,
        format_version: config.format_version,
        key_epoch: 0,
        valid_from: reservation.frame.starts_at,
        valid_until: reservation.frame.ends_at,
        content: CardContent::Guest {
            reservation_id: Some(reservation.reservation_id),
            capable_doors: vec![DoorSequence {
                entrance_id,
                sequence: reservation.sequence,
            }],
            common_doors: Vec::new(),
        },
    };

    let mut timeline: Vec<&DoorReservation> = reservations.iter().collect();
    timeline.sort_by_key(|reservation| (reservation.frame.starts_at, reservation.sequence));

    let mut warnings = Vec::new();
    // The door has accepted every earlier reservation's number: start just below the lowest
    // live one, not at 0, or a door's 51st reservation would look "too far ahead".
    let mut state = LockState {
        guest_sequence: reservations
            .iter()
            .map(|reservation| reservation.sequence.saturating_sub(1))
            .min()
            .unwrap_or(0),
        overridden_at: None,
    };
    let mut admitted: Vec<&DoorReservation> = Vec::new();
    for reservation in timeline {
        let at = reservation.frame.starts_at;
        let judgement = lock::judge(&config, door, state, &card_of(reservation), at);
        match judgement.reason {
            Reason::Overridden { lock, .. } => {
                let by = reservations.iter().find(|other| other.sequence == lock);
                warnings.push(DoorWarning {
                    reservation_id: reservation.reservation_id,
                    entrance_id,
                    warning: sequence_inversion(door_name, by.map(|r| r.reservation_key.as_str())),
                });
            }
            _ if judgement.is_granted() => {
                for previous in &admitted {
                    let after = lock::judge(&config, door, judgement.state, &card_of(previous), at);
                    if previous.frame.contains(at) && !after.is_granted() {
                        warnings.push(DoorWarning {
                            reservation_id: reservation.reservation_id,
                            entrance_id,
                            warning: previous_guest_can_enter(door_name, previous),
                        });
                    }
                }
                state = judgement.state;
                admitted.push(reservation);
            }
            _ => {}
        }
    }
    warnings
}

fn sequence_inversion(door_name: &str, by_key: Option<&str>) -> Warning {
    let by = by_key.map_or_else(
        || "Another reservation".to_owned(),
        |key| format!("Reservation '{key}'"),
    );
    Warning {
        code: WarningCode::SequenceInversion,
        message: format!(
            "{door_name}: {by} was set up later for an earlier stay; once its cards are used \
             there, this reservation's cards will be refused. Reissue this reservation's cards \
             (delete and recreate its access grants) so that they carry a newer sequence."
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
