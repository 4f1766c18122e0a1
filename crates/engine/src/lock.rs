//! What an offline lock does with a card (`docs/cards.md`, "The lock model").
//!
//! The card's MAC is verified by whoever decoded it; this model starts from the card's
//! content and the lock's memory and says granted or denied, why, and what the lock now
//! remembers.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Offset, Timelike, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{EntranceId, ReservationId};

/// How a lock is programmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockConfig {
    pub property_id: Uuid,
    /// The newest card format version this lock reads.
    pub format_version: u8,
    /// The oldest card format version this lock still reads: cards in pockets outlive a
    /// format change.
    pub oldest_format_version: u8,
    /// Cards made under an older key epoch are refused after a key rotation.
    pub min_key_epoch: u32,
    /// How far above the remembered sequence a card may jump and still override.
    pub look_ahead: u32,
    /// Tolerated drift between the lock's clock and the encoder's.
    pub clock_skew: Duration,
    /// The lock's clock runs in local time; staff shifts are written in it.
    pub utc_offset: FixedOffset,
}

impl LockConfig {
    pub const DEFAULT_LOOK_AHEAD: u32 = 50;
    pub const DEFAULT_CLOCK_SKEW_MINUTES: i64 = 5;

    /// A lock that reads cards of `format_version` only.
    pub fn new(property_id: Uuid, format_version: u8) -> Self {
        Self {
            property_id,
            format_version,
            oldest_format_version: format_version,
            min_key_epoch: 0,
            look_ahead: Self::DEFAULT_LOOK_AHEAD,
            clock_skew: Duration::minutes(Self::DEFAULT_CLOCK_SKEW_MINUTES),
            utc_offset: Utc.fix(),
        }
    }
}

/// The door a lock guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Door {
    pub entrance_id: EntranceId,
    pub can_belong_to_reservation: bool,
    /// Where the door is, as its lock was programmed at installation: what staff zones
    /// cover it.
    pub place: DoorPlace,
}

/// What a lock knows of its door's place, for staff zones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "place", rename_all = "snake_case")]
pub enum DoorPlace {
    /// A guest room's (or suite's, or unit's) door, on `floor` when the room has one.
    GuestRoom { floor: Option<i32> },
    /// Any other door: only a staff card that lists it opens it.
    #[default]
    Other,
}

/// A group of doors a staff card opens without listing them, as offline locks program
/// housekeeping and maintenance cards: every guest room, or the guest rooms of one floor.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "zone", rename_all = "snake_case")]
pub enum StaffZone {
    AllGuestRooms,
    Floor { floor: i32 },
}

impl StaffZone {
    /// Whether a door at `place` belongs to the zone.
    pub fn covers(&self, place: DoorPlace) -> bool {
        match (self, place) {
            (Self::AllGuestRooms, DoorPlace::GuestRoom { .. }) => true,
            (Self::Floor { floor }, DoorPlace::GuestRoom { floor: Some(door) }) => *floor == door,
            _ => false,
        }
    }
}

/// How much of the property a staff card opens.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffLevel {
    /// The doors listed on the card.
    #[default]
    Area,
    /// The guest rooms of the floors on the card, and the doors it lists.
    Floor,
    /// Every guest room, and the doors it lists.
    Master,
    /// Every door, a thrown deadbolt included: for a guest who needs help behind it.
    Emergency,
}

/// What a lock remembers between cards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockState {
    /// The highest guest override sequence accepted; 0 before the first guest card.
    pub guest_sequence: u32,
    /// When the lock last moved its sequence up.
    pub overridden_at: Option<DateTime<Utc>>,
    /// The deadbolt is thrown from inside: only an emergency key opens.
    #[serde(default)]
    pub privacy: bool,
    /// The highest one-shot number accepted: a one-shot card opens once, and never after a
    /// newer one-shot card was used here. A track of its own, apart from the guests'.
    #[serde(default)]
    pub one_shot_sequence: u32,
    /// A lock-out card was used here: guest cards (the current guest's included) are
    /// refused until a lift card, or a newer guest's card, is used.
    #[serde(default)]
    pub locked_out: bool,
}

/// One override-capable door on a card with the reservation's sequence number for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorSequence {
    pub entrance_id: EntranceId,
    pub sequence: u32,
}

/// Days and hours a staff card works, in the lock's local time. `end_minute` may be below
/// `start_minute` for a night shift that crosses midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    /// Bit 0 is Monday, bit 6 is Sunday: the day the shift starts.
    pub weekdays: u8,
    pub start_minute: u16,
    pub end_minute: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CardContent {
    Guest {
        reservation_id: Option<ReservationId>,
        /// Override-capable doors with their sequence numbers.
        capable_doors: Vec<DoorSequence>,
        /// Doors that never take part in override (common areas, standard access).
        common_doors: Vec<EntranceId>,
    },
    Staff {
        level: StaffLevel,
        doors: Vec<EntranceId>,
        /// Opens every door these cover, besides `doors`.
        zones: Vec<StaffZone>,
        /// When the card works; always when empty.
        schedule: Vec<Shift>,
    },
    /// Moves the listed doors' sequences up without opening them.
    Cancel { doors: Vec<DoorSequence> },
    /// Opens each listed door once: `sequence` is the card's one-shot number there.
    OneShot { doors: Vec<DoorSequence> },
    /// Locks the listed doors out (`lift: false`) or lifts their lock-out (`lift: true`),
    /// without opening them. `sequence` is the number of the guests in the room when the card
    /// was made: a lock-out moves the lock up to it, so only a newer reservation's card lifts
    /// the lock-out, not a card the guest in the room was given and has not used yet.
    LockOut {
        doors: Vec<DoorSequence>,
        lift: bool,
    },
}

/// A card as a lock reads it, after its MAC was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub property_id: Uuid,
    pub format_version: u8,
    pub key_epoch: u32,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub content: CardContent,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Granted,
    Denied,
}

/// Why a lock decided as it did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Same reservation as the lock's: a joiner.
    Joined,
    /// A newer reservation: the lock moved up and earlier guests' cards are now refused.
    Overrode {
        from: u32,
        to: u32,
    },
    /// A door without override, listed on the card.
    CommonArea,
    /// A staff card within its doors (listed or in one of its zones) and shift.
    StaffAccess,
    /// An emergency key: every door, a thrown deadbolt included.
    EmergencyAccess,
    /// A cancel card moved the lock's sequence up; the door stays shut.
    CancelApplied {
        from: u32,
        to: u32,
    },
    /// A cancel card older than what the lock already knows: nothing changes.
    CancelStale {
        card: u32,
        lock: u32,
    },
    /// A one-shot card's one opening: the door refuses it from now on.
    OneShotUsed,
    /// A one-shot card already used here, or older than one that was.
    OneShotSpent {
        card: u32,
        lock: u32,
    },
    /// A lock-out card: the door now refuses guest cards; it stays shut.
    LockedOut,
    /// A lift card: the door takes guest cards again; it stays shut.
    LockOutLifted,
    /// The door is locked out: guest cards are refused until a lift card or a newer guest's
    /// card is used.
    DoorLockedOut,
    WrongProperty,
    UnknownFormat {
        version: u8,
    },
    RetiredKeyEpoch {
        epoch: u32,
    },
    NotYetValid,
    Expired,
    DoorNotOnCard,
    /// A reservation-capable door listed without a sequence number.
    NoSequenceForDoor,
    /// A newer reservation's card was used here since this card was made.
    Overridden {
        card: u32,
        lock: u32,
    },
    /// Further ahead than the lock's look-ahead window: refused as a likely forgery.
    SequenceTooFarAhead {
        card: u32,
        lock: u32,
    },
    OutsideShift,
    /// The deadbolt is thrown from inside: guest and staff cards are refused, an emergency
    /// key opens.
    PrivacyOn,
    /// The card's MAC did not verify (damaged, forged, or copied from another card): the
    /// lock reads nothing else on it.
    NotAuthentic,
}

impl Reason {
    /// A sentence a receptionist can read.
    pub fn explain(&self) -> String {
        match self {
            Self::Joined => "same reservation as the door's current one (joiner)".into(),
            Self::Overrode { from, to } => format!(
                "new reservation overrides the previous one: the door moved from sequence {from} \
                 to {to}; earlier guests' cards are now refused"
            ),
            Self::CommonArea => "common door listed on the card".into(),
            Self::StaffAccess => "staff card within its doors and shift".into(),
            Self::EmergencyAccess => {
                "emergency key: opens every door, a thrown deadbolt included".into()
            }
            Self::CancelApplied { from, to } => format!(
                "cancel card: the door moved from sequence {from} to {to}; cards issued before \
                 are now refused"
            ),
            Self::CancelStale { card, lock } => {
                format!("cancel card already superseded (card {card}, door at {lock})")
            }
            Self::OneShotUsed => {
                "one-shot key: opens this once; the door refuses it from now".into()
            }
            Self::OneShotSpent { card, lock } => {
                format!("one-shot key already used here (card {card}, door at one-shot {lock})")
            }
            Self::LockedOut => {
                "lock-out card: the door now refuses every guest card made so far, the guest in \
                 the room's too, until a lift card or the next guest's card is used"
                    .into()
            }
            Self::LockOutLifted => "lift card: the door takes guest cards again".into(),
            Self::DoorLockedOut => {
                "the room is locked out: guest cards are refused until a lift card or the next \
                 guest's card is used"
                    .into()
            }
            Self::WrongProperty => "card belongs to another property".into(),
            Self::UnknownFormat { version } => format!("unknown card format version {version}"),
            Self::RetiredKeyEpoch { epoch } => {
                format!("card made under retired key epoch {epoch}; encode a new card")
            }
            Self::NotYetValid => "card is not valid yet".into(),
            Self::Expired => "card has expired".into(),
            Self::DoorNotOnCard => "this door is not on the card".into(),
            Self::NoSequenceForDoor => "card carries no reservation sequence for this door".into(),
            Self::Overridden { card, lock } => format!(
                "overridden: a newer reservation's card was used here (card sequence {card}, \
                 door at {lock})"
            ),
            Self::SequenceTooFarAhead { card, lock } => format!(
                "card sequence {card} is too far ahead of the door's {lock}; refused as unsafe"
            ),
            Self::OutsideShift => "staff card outside its shift".into(),
            Self::PrivacyOn => {
                "the deadbolt is thrown from inside (privacy): only an emergency key opens".into()
            }
            Self::NotAuthentic => {
                "card is not authentic (damaged, forged or copied): nothing on it was read".into()
            }
        }
    }
}

/// A lock's decision on one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub decision: Decision,
    pub reason: Reason,
    /// What the lock remembers afterwards.
    pub state: LockState,
}

impl Judgement {
    pub fn is_granted(&self) -> bool {
        self.decision == Decision::Granted
    }
}

/// Decides what `door`, remembering `state`, does with `card` presented at `now`.
pub fn judge(
    config: &LockConfig,
    door: Door,
    state: LockState,
    card: &Card,
    now: DateTime<Utc>,
) -> Judgement {
    let deny = |reason| Judgement {
        decision: Decision::Denied,
        reason,
        state,
    };
    let grant = |reason, state| Judgement {
        decision: Decision::Granted,
        reason,
        state,
    };

    if card.property_id != config.property_id {
        return deny(Reason::WrongProperty);
    }
    if !(config.oldest_format_version..=config.format_version).contains(&card.format_version) {
        return deny(Reason::UnknownFormat {
            version: card.format_version,
        });
    }
    if card.key_epoch < config.min_key_epoch {
        return deny(Reason::RetiredKeyEpoch {
            epoch: card.key_epoch,
        });
    }
    if now + config.clock_skew < card.valid_from {
        return deny(Reason::NotYetValid);
    }
    if now >= card.valid_until + config.clock_skew {
        return deny(Reason::Expired);
    }

    let door_sequence = |doors: &[DoorSequence]| {
        doors
            .iter()
            .find(|entry| entry.entrance_id == door.entrance_id)
            .map(|e| e.sequence)
    };

    match &card.content {
        CardContent::Staff {
            level,
            doors,
            zones,
            schedule,
        } => {
            let emergency = *level == StaffLevel::Emergency;
            let on_card = emergency
                || doors.contains(&door.entrance_id)
                || zones.iter().any(|zone| zone.covers(door.place));
            let local = now.with_timezone(&config.utc_offset);
            if !on_card {
                deny(Reason::DoorNotOnCard)
            } else if !schedule.is_empty() && !schedule.iter().any(|shift| in_shift(shift, local)) {
                deny(Reason::OutsideShift)
            } else if emergency {
                grant(Reason::EmergencyAccess, state)
            } else if state.privacy {
                deny(Reason::PrivacyOn)
            } else {
                grant(Reason::StaffAccess, state)
            }
        }
        CardContent::Cancel { doors } => match door_sequence(doors) {
            None => deny(Reason::DoorNotOnCard),
            Some(card_sequence) if card_sequence <= state.guest_sequence => {
                deny(Reason::CancelStale {
                    card: card_sequence,
                    lock: state.guest_sequence,
                })
            }
            Some(card_sequence) if card_sequence - state.guest_sequence > config.look_ahead => {
                deny(Reason::SequenceTooFarAhead {
                    card: card_sequence,
                    lock: state.guest_sequence,
                })
            }
            Some(card_sequence) => Judgement {
                decision: Decision::Denied,
                reason: Reason::CancelApplied {
                    from: state.guest_sequence,
                    to: card_sequence,
                },
                state: LockState {
                    guest_sequence: card_sequence,
                    overridden_at: Some(now),
                    ..state
                },
            },
        },
        CardContent::OneShot { doors } => match door_sequence(doors) {
            None => deny(Reason::DoorNotOnCard),
            Some(_) if state.privacy => deny(Reason::PrivacyOn),
            Some(_) if state.locked_out => deny(Reason::DoorLockedOut),
            Some(card_sequence) if card_sequence <= state.one_shot_sequence => {
                deny(Reason::OneShotSpent {
                    card: card_sequence,
                    lock: state.one_shot_sequence,
                })
            }
            Some(card_sequence) if card_sequence - state.one_shot_sequence > config.look_ahead => {
                deny(Reason::SequenceTooFarAhead {
                    card: card_sequence,
                    lock: state.one_shot_sequence,
                })
            }
            Some(card_sequence) => grant(
                Reason::OneShotUsed,
                LockState {
                    one_shot_sequence: card_sequence,
                    ..state
                },
            ),
        },
        CardContent::LockOut { doors, lift } => match door_sequence(doors) {
            Some(_) if *lift => Judgement {
                decision: Decision::Denied,
                reason: Reason::LockOutLifted,
                state: LockState {
                    locked_out: false,
                    ..state
                },
            },
            Some(number) if door.can_belong_to_reservation => {
                let moved = number > state.guest_sequence;
                Judgement {
                    decision: Decision::Denied,
                    reason: Reason::LockedOut,
                    state: LockState {
                        guest_sequence: state.guest_sequence.max(number),
                        overridden_at: if moved {
                            Some(now)
                        } else {
                            state.overridden_at
                        },
                        locked_out: true,
                        ..state
                    },
                }
            }
            _ => deny(Reason::DoorNotOnCard),
        },
        CardContent::Guest {
            capable_doors,
            common_doors,
            ..
        } => {
            if !door.can_belong_to_reservation {
                return if common_doors.contains(&door.entrance_id) {
                    grant(Reason::CommonArea, state)
                } else {
                    deny(Reason::DoorNotOnCard)
                };
            }
            let Some(card_sequence) = door_sequence(capable_doors) else {
                return deny(if common_doors.contains(&door.entrance_id) {
                    Reason::NoSequenceForDoor
                } else {
                    Reason::DoorNotOnCard
                });
            };
            let lock_sequence = state.guest_sequence;
            // Read, but not taken while the deadbolt is thrown: the lock moves nowhere.
            let privacy = state.privacy && card_sequence >= lock_sequence;
            if privacy && card_sequence - lock_sequence <= config.look_ahead {
                deny(Reason::PrivacyOn)
            } else if card_sequence < lock_sequence {
                deny(Reason::Overridden {
                    card: card_sequence,
                    lock: lock_sequence,
                })
            } else if card_sequence == lock_sequence && state.locked_out {
                deny(Reason::DoorLockedOut)
            } else if card_sequence == lock_sequence {
                grant(Reason::Joined, state)
            } else if card_sequence - lock_sequence > config.look_ahead {
                deny(Reason::SequenceTooFarAhead {
                    card: card_sequence,
                    lock: lock_sequence,
                })
            } else {
                grant(
                    Reason::Overrode {
                        from: lock_sequence,
                        to: card_sequence,
                    },
                    // The next guest's first card lifts a lock-out.
                    LockState {
                        guest_sequence: card_sequence,
                        overridden_at: Some(now),
                        locked_out: false,
                        ..state
                    },
                )
            }
        }
    }
}

fn in_shift(shift: &Shift, local: DateTime<FixedOffset>) -> bool {
    let minute = (local.hour() * 60 + local.minute()) as u16;
    let day_bit = |weekday: chrono::Weekday| 1u8 << weekday.num_days_from_monday();
    let today = local.weekday();
    if shift.start_minute <= shift.end_minute {
        shift.weekdays & day_bit(today) != 0
            && (shift.start_minute..shift.end_minute).contains(&minute)
    } else {
        // A night shift: the evening part belongs to today, the morning part to yesterday.
        (minute >= shift.start_minute && shift.weekdays & day_bit(today) != 0)
            || (minute < shift.end_minute && shift.weekdays & day_bit(today.pred()) != 0)
    }
}

/// How long a door may still open for a card, as far as the lock's memory shows. Instants
/// are the card's end; the lock's clock skew comes on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "until", rename_all = "snake_case")]
pub enum StillOpens {
    /// Until the card's end (a common door, a staff card).
    CardEnd { at: DateTime<Utc> },
    /// Until a newer reservation's card or a cancel card is used at the door, and no later
    /// than the card's end.
    NewerCard { at_latest: DateTime<Utc> },
    /// A one-shot card: once, until it or a newer one-shot card is used at the door, and no
    /// later than the card's end.
    Once { at_latest: DateTime<Utc> },
}

impl StillOpens {
    /// The card's end: the door refuses it from then (plus the clock skew) at the latest.
    pub fn at_latest(&self) -> DateTime<Utc> {
        match self {
            Self::CardEnd { at } => *at,
            Self::NewerCard { at_latest } | Self::Once { at_latest } => *at_latest,
        }
    }
}

/// Whether `door`, remembering `state`, may still accept `card` at `now` or later, and until
/// when. `None` once the lock will refuse it for good: moved past it, the card's end passed,
/// not a door of the card, or a card the lock cannot accept at all. A card refused only for
/// now (not valid yet, outside its shift, behind a thrown deadbolt, at a locked-out door, or
/// further ahead than the look-ahead window, which newer cards used at the door can close)
/// still counts: it can open the door later.
pub fn still_opens(
    config: &LockConfig,
    door: Door,
    state: LockState,
    card: &Card,
    now: DateTime<Utc>,
) -> Option<StillOpens> {
    let at = now.max(card.valid_from);
    if at >= card.valid_until + config.clock_skew {
        return None;
    }
    let end = card.valid_until;
    let judgement = judge(config, door, state, card, at);
    let may_open = judgement.is_granted()
        || matches!(
            judgement.reason,
            Reason::NotYetValid
                | Reason::SequenceTooFarAhead { .. }
                | Reason::OutsideShift
                | Reason::PrivacyOn
                | Reason::DoorLockedOut
        );
    if !may_open {
        return None;
    }
    let overridable =
        door.can_belong_to_reservation && matches!(card.content, CardContent::Guest { .. });
    Some(if matches!(card.content, CardContent::OneShot { .. }) {
        StillOpens::Once { at_latest: end }
    } else if overridable {
        StillOpens::NewerCard { at_latest: end }
    } else {
        StillOpens::CardEnd { at: end }
    })
}
