//! Spare cards for when the desk is down: guest cards made ahead for one room, kept in the
//! safe, each carrying the next number of every door of the room, so that a lock takes one as
//! the next guest's key and it overrides the guest before, as a check-in's card does. What a
//! spare in the safe will do at its doors, played through the lock model.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::lock::{self, Card, CardContent, Door, DoorPlace, LockConfig, LockState, Reason};
use crate::model::{EntranceId, ReservationId};

/// One door of a spare, as the desk knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpareDoor {
    pub entrance_id: EntranceId,
    /// The highest number the door handed out to anything but the spares still in the safe
    /// (stays' cards, cancel cards, spares handed out): once a card of it is used there, a
    /// spare with a lower number is refused.
    pub last_handed: u32,
    /// What the door's lock is known to remember, if anything (a simulated lock).
    pub lock: Option<LockState>,
    /// The live stays on the door with their numbers, to say whom the spare would lock out.
    pub stays: Vec<(ReservationId, Option<u32>)>,
}

/// Whether a spare in the safe still works, and why not.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SpareState {
    /// Given to a guest now, it opens the room and overrides the guest before.
    Ready,
    /// Its end passed.
    Expired,
    /// A newer card was made for a door of it (a check-in, a cancel card, a spare handed
    /// out): once that card is used there, the lock refuses the spare.
    Overtaken {
        entrance_id: EntranceId,
        card: u32,
        door: u32,
    },
    /// The door's lock took it: it was handed out, and the desk is still to be told to whom.
    UsedAtDoor { entrance_id: EntranceId },
    /// The lock is further behind than its look-ahead window: it would refuse the spare as
    /// unsafe.
    TooFarAhead {
        entrance_id: EntranceId,
        card: u32,
        lock: u32,
    },
}

impl SpareState {
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::Ready)
    }
}

/// What a spare in the safe does if it is handed out at `now`: the lock model plays its card
/// at each of its room doors against the newest number the door handed out (assumed used
/// there, as the desk's cards are) or what the lock is known to remember, whichever is
/// higher; and the live stays whose cards it would lock out, each once.
pub fn spare_outlook(
    config: &LockConfig,
    card: &Card,
    doors: &[SpareDoor],
    now: DateTime<Utc>,
) -> (SpareState, Vec<ReservationId>) {
    let CardContent::Guest { capable_doors, .. } = &card.content else {
        return (SpareState::Expired, Vec::new());
    };
    if now >= card.valid_until + config.clock_skew {
        return (SpareState::Expired, Vec::new());
    }
    let mut locked_out = Vec::new();
    for door in doors {
        let Some(number) = capable_doors
            .iter()
            .find(|on_card| on_card.entrance_id == door.entrance_id)
            .map(|on_card| on_card.sequence)
        else {
            continue;
        };
        let known = door.lock.unwrap_or_default();
        let state = LockState {
            guest_sequence: door.last_handed.max(known.guest_sequence),
            // The guest's deadbolt and a lock-out are the moment's, not the spare's future.
            privacy: false,
            locked_out: false,
            ..known
        };
        let lock_door = Door {
            entrance_id: door.entrance_id,
            can_belong_to_reservation: true,
            place: DoorPlace::default(),
        };
        let judged = lock::judge(config, lock_door, state, card, now.max(card.valid_from));
        match judged.reason {
            Reason::Overridden { card, lock } => {
                return (
                    SpareState::Overtaken {
                        entrance_id: door.entrance_id,
                        card,
                        door: lock,
                    },
                    Vec::new(),
                );
            }
            // The lock is at the spare's own number: the spare was used there, and no one
            // has said to whom yet.
            Reason::Joined => {
                return (
                    SpareState::UsedAtDoor {
                        entrance_id: door.entrance_id,
                    },
                    Vec::new(),
                );
            }
            Reason::SequenceTooFarAhead { card, lock } => {
                return (
                    SpareState::TooFarAhead {
                        entrance_id: door.entrance_id,
                        card,
                        lock,
                    },
                    Vec::new(),
                );
            }
            Reason::Expired => return (SpareState::Expired, Vec::new()),
            _ => {}
        }
        // A stay with no number yet takes one above the spare with its first card.
        for (reservation, sequence) in &door.stays {
            let passed = sequence.is_some_and(|sequence| sequence < number);
            if passed && !locked_out.contains(reservation) {
                locked_out.push(*reservation);
            }
        }
    }
    (SpareState::Ready, locked_out)
}
