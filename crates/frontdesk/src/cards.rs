//! Cards: encoding them exactly once, reading them back, and presenting them at the
//! simulated doors.
//!
//! Exactly once (`docs/cards.md`): the intent (op id, access method, image) is committed
//! before the encoder touches the card; the card is written tagged with the op id; "written"
//! is committed after. An encode whose outcome was lost (the encoder stopped answering, was
//! unplugged, or the app was killed) stays pending until [`FrontDesk::resolve_pending_encodes`]
//! asks the encoder what became of it, which every encode does first.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use encoder::CardUid;
use encoder::card::{self, CardData, CardKind};
use encoder::client::{Encoder, EncoderError};
use encoder::keys::KeyRing;
use encoder::protocol::OpState;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::{EncoderState, EncoderSupervisor, Source};
use engine::lock::{self, Decision, Door, DoorPlace, DoorSequence, Judgement, Reason, StaffZone};
use engine::model::{AccessGrantId, AccessMethodId, AccessMode, EntranceId, UserKind};
use engine::rules;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{
    CardPurpose, EncodeOperationRecord, EncodeState, NewCard, NewEncodeOperation, Reader, Writer,
};
use uuid::Uuid;

use crate::accounting::booked_door_words;
use crate::grants::live_grant;
use crate::warnings::{
    refresh_collection, refresh_collection_at_door, refresh_doors, refresh_encoding,
};
use crate::zones::{DoorMap, lock_door};
use crate::{AccessMethodRecord, Context, Error, FrontDesk, Result, audit_ok, to_json};

/// How long the desk waits for a card to be placed on the encoder, by default. Shorter than
/// the 10 s a Seam SDK waits for an action attempt, so that a caller with the SDK's default
/// wait sees the encode's own outcome ("no card on the encoder") rather than a timeout.
pub const CARD_TIMEOUT: Duration = Duration::from_secs(8);
/// How long a cancel card opens nothing but works: long enough to walk to the door.
const CANCEL_CARD_VALIDITY: TimeDelta = TimeDelta::hours(24);

/// The desk's card equipment: the encoder (real or simulated, watched by a supervisor) and
/// the property's card keys.
#[derive(Debug)]
pub struct CardStation {
    supervisor: EncoderSupervisor,
    simulator: Option<SimulatedEncoder>,
    keys: KeyRing,
    card_timeout: Duration,
}

impl CardStation {
    pub fn new(source: Source, keys: KeyRing) -> Self {
        let simulator = match &source {
            Source::Simulated(simulator) => Some(simulator.clone()),
            Source::Hid { .. } => None,
        };
        Self {
            supervisor: EncoderSupervisor::start(source),
            simulator,
            keys,
            card_timeout: CARD_TIMEOUT,
        }
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The simulated encoder, when that is what this station uses.
    pub fn simulator(&self) -> Option<&SimulatedEncoder> {
        self.simulator.as_ref()
    }

    pub fn supervisor(&self) -> &EncoderSupervisor {
        &self.supervisor
    }

    pub fn state(&self) -> EncoderState {
        self.supervisor.state()
    }

    pub fn set_card_timeout(&mut self, timeout: Duration) {
        self.card_timeout = timeout;
    }

    /// Runs `work` with the encoder. Encoder failures go back through the supervisor (so it
    /// reconnects after a broken link); the desk's own errors are carried alongside.
    fn with_encoder<T>(
        &self,
        work: impl FnOnce(&mut Encoder) -> std::result::Result<Result<T>, EncoderError>,
    ) -> Result<T> {
        self.supervisor.with_encoder(work).map_err(Error::Encoder)?
    }
}

/// What a batch of encodes reports as it goes, for "present the next card" prompts and
/// progress bars.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EncodeEvent {
    /// Card `index` (from 0) of `total` is wanted on the encoder.
    PresentCard { index: usize, total: usize },
    /// Bytes of card `index` handed to the encoder so far.
    Progress {
        index: usize,
        done: usize,
        total: usize,
    },
    Written {
        index: usize,
        card: Box<EncodedCard>,
    },
}

/// A card just written.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncodedCard {
    /// The access method it was written for, now issued (none for a cancel card).
    pub access_method: Option<AccessMethodRecord>,
    /// The card's UID in hex: the simulated card's id.
    pub card_id: String,
    pub op_id: Uuid,
}

/// What became of the encodes whose outcome was unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Op ids the encoder had written: their cards are now recorded as issued.
    pub written: Vec<Uuid>,
    /// Op ids the encoder never wrote.
    pub failed: Vec<Uuid>,
    /// Op ids still unknown because the encoder could not be asked.
    pub unresolved: Vec<Uuid>,
}

/// A card as read back from the encoder.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardReport {
    pub card_id: String,
    /// Blank, or nothing this desk can read.
    pub blank: bool,
    /// The MAC verified under the property's keys, for this very card.
    pub authentic: bool,
    /// Why the card is not authentic or not readable, in plain words.
    pub problem: Option<String>,
    /// The card's content, when readable.
    pub content: Option<CardContent>,
    /// The desk's record of this card; `None` for a card it never wrote.
    pub access_method_id: Option<AccessMethodId>,
    pub access_grant_id: Option<AccessGrantId>,
    pub reservation_key: Option<String>,
    pub user_full_name: Option<String>,
    /// What each door on the card would do with it now, given the simulated locks' state.
    pub doors: Vec<DoorVerdict>,
    /// Why the card differs from what the desk would write now (new dates, revoked, replaced).
    pub out_of_sync: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardContent {
    pub kind: CardKind,
    pub copy_number: u16,
    pub key_epoch: u32,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    /// `null` for a card with no end.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub valid_until: DateTime<Utc>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorVerdict {
    pub acs_entrance_id: EntranceId,
    pub name: String,
    pub sequence: Option<u32>,
    pub decision: Decision,
    pub reason: Reason,
    pub explanation: String,
}

/// A simulated door's decision on a presented card.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockDecision {
    pub acs_entrance_id: EntranceId,
    pub card_id: String,
    pub at: DateTime<Utc>,
    pub decision: Decision,
    pub reason: Reason,
    pub explanation: String,
}

/// What one access method's card carries, read from the grant.
#[derive(Debug)]
struct CardPlan {
    method: AccessMethodRecord,
    kind: CardKind,
    reservation_id: Option<Uuid>,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    /// The reservation's doors with their numbers; `None` on a door whose number the first
    /// card carrying it takes (see [`numbered_card_plan`]).
    capable_doors: Vec<(EntranceId, Option<u32>)>,
    common_doors: Vec<EntranceId>,
    /// A staff card's whole floors or all guest rooms, in place of their doors.
    zones: Vec<StaffZone>,
}

impl FrontDesk {
    /// With the simulated encoder, before the cards of `ids` are encoded, a blank is taken
    /// from the stack when the pad is empty or holds a written card, as the clerk does between
    /// guests (otherwise each encode would rewrite the last guest's card), unless that card is
    /// the one about to be written again (that of the first of `ids`). A blank on the pad stays,
    /// and a staged failure still fires at the encode. A real encoder waits for the clerk.
    pub fn take_blank_for(&self, station: &CardStation, ids: &[AccessMethodId]) -> Result<()> {
        let Some(simulator) = station.simulator() else {
            return Ok(());
        };
        let Some(uid) = simulator.card_on_encoder() else {
            simulator.present_blank_card();
            return Ok(());
        };
        let written = simulator
            .card(&uid)
            .is_some_and(|card| !card.image.is_empty());
        let next_to_write = self
            .card_method(&uid.to_hex())?
            .is_some_and(|method| ids.first() == Some(&method));
        if written && !next_to_write {
            simulator.present_blank_card();
        }
        Ok(())
    }

    /// Writes the card of an access method onto the card on the encoder (waiting for one
    /// to be placed), exactly once. Re-encoding a card whose dates changed clears its
    /// `encoding_required`.
    pub fn encode_card(
        &self,
        context: &Context,
        station: &CardStation,
        id: AccessMethodId,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<EncodedCard> {
        let mut on_event = |event: EncodeEvent| {
            if let EncodeEvent::Progress { done, total, .. } = event {
                progress(done, total);
            }
        };
        let mut written = self.encode_cards(context, station, &[id], &mut on_event)?;
        written
            .pop()
            .ok_or_else(|| Error::not_found("access_method", id))
    }

    /// Writes several cards one after another (a stay's cards, or copies): after the first,
    /// the encoder lets the written card go and the desk asks for the next one, which must
    /// be another card. Stops at the first failure; the cards written before it stay
    /// written and recorded.
    pub fn encode_cards(
        &self,
        context: &Context,
        station: &CardStation,
        ids: &[AccessMethodId],
        on_event: &mut dyn FnMut(EncodeEvent),
    ) -> Result<Vec<EncodedCard>> {
        let mut written: Vec<EncodedCard> = Vec::with_capacity(ids.len());
        for (index, id) in ids.iter().enumerate() {
            let request = serde_json::json!({ "access_method_id": id });
            let used: Vec<String> = written.iter().map(|card| card.card_id.clone()).collect();
            let card = self
                .resolve_pending_encodes(context, station)
                .and_then(|_| {
                    // Refused before the clerk is asked for a card when there is nothing to
                    // encode; the card's content is read again as its intent is committed.
                    self.store.read(|r| card_plan(r, *id).map(|_| ()))?;
                    station.with_encoder(|encoder| {
                        if index > 0 {
                            // A motorised encoder hands the written card out; a desk pad ignores it.
                            let _ = encoder.eject();
                        }
                        on_event(EncodeEvent::PresentCard {
                            index,
                            total: ids.len(),
                        });
                        let uid = wait_for_new_card(encoder, station.card_timeout, &used)?;
                        let free = self
                            .store
                            .read(|r| check_card_is_free(r, &uid, *id, context.now));
                        if let Err(error) = free {
                            return Ok(Err(error));
                        }
                        let mut progress =
                            |done, total| on_event(EncodeEvent::Progress { index, done, total });
                        self.write_card(
                            context,
                            station,
                            encoder,
                            |w| {
                                let plan = numbered_card_plan(w, *id, context.now)?;
                                Ok(plan.card_data(station, uid, context.now))
                            },
                            Some(*id),
                            &mut progress,
                        )
                    })
                });
            let card = card.map_err(|error| {
                self.audit_refusal(
                    context,
                    "access_method.encoded",
                    Some(id.to_string()),
                    &request,
                    error,
                )
            })?;
            on_event(EncodeEvent::Written {
                index,
                card: Box::new(card.clone()),
            });
            written.push(card);
        }
        Ok(written)
    }

    /// Writes a cancel card for `doors`: presented at each door, it moves the lock past every
    /// card issued for it so far, without opening it. Refused (409, in the receptionist's
    /// words) while a door has a live reservation, whose cards it would lock out too.
    pub fn encode_cancel_card(
        &self,
        context: &Context,
        station: &CardStation,
        doors: &[EntranceId],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<EncodedCard> {
        let request = serde_json::json!({ "acs_entrance_ids": doors });
        let result = self
            .resolve_pending_encodes(context, station)
            .and_then(|_| {
                station.with_encoder(|encoder| {
                    let uid = encoder.wait_for_card(station.card_timeout)?;
                    // Never over a guest's valid key: no access method owns a cancel card.
                    let free = self
                        .store
                        .read(|r| check_card_is_free(r, &uid, Uuid::nil(), context.now));
                    if let Err(error) = free {
                        return Ok(Err(error));
                    }
                    let op_id = store::new_row_id();
                    // The cancel card's numbers are taken for good as the card is planned, like
                    // a reservation's: a number is never handed out twice.
                    let sequences = self
                        .store
                        .write(|w| reserve_cancel_sequences(w, doors, op_id, context.now));
                    let sequences = match sequences {
                        Ok(sequences) => sequences,
                        Err(error) => return Ok(Err(error)),
                    };
                    let data = CardData {
                        property_id: station.keys.property_id(),
                        key_epoch: station.keys.current_epoch(),
                        uid: uid.clone(),
                        kind: CardKind::Cancel,
                        flags: 0,
                        reservation_id: None,
                        card_id: op_id,
                        copy_number: 1,
                        op_id: *op_id.as_bytes(),
                        issued_at: context.now,
                        valid_from: context.now,
                        valid_until: context.now + CANCEL_CARD_VALIDITY,
                        shift: None,
                        capable_doors: sequences,
                        common_doors: Vec::new(),
                        zones: Vec::new(),
                    };
                    self.write_card(context, station, encoder, |_| Ok(data), None, progress)
                })
            });
        result.map_err(|error| {
            self.audit_refusal(context, "card.encode_cancel", None, &request, error)
        })
    }

    /// The journal around one write: intent, write, outcome. The card's content is made
    /// by `card` in the transaction that commits the intent, so that the numbers a first
    /// card takes are taken with it, once.
    fn write_card(
        &self,
        context: &Context,
        station: &CardStation,
        encoder: &mut Encoder,
        card: impl FnOnce(&Writer<'_>) -> Result<CardData>,
        access_method_id: Option<AccessMethodId>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<Result<EncodedCard>, EncoderError> {
        let intent = self.store.write(|w| {
            let data = card(w)?;
            let image = card::seal(&data, &station.keys).map_err(Error::Card)?;
            let hash = image_hash(&image);
            w.insert_encode_operation(
                &NewEncodeOperation {
                    op_id: Uuid::from_bytes(data.op_id),
                    access_method_id,
                    kind: purpose(data.kind),
                    card_uid: &data.uid.to_hex(),
                    image: &image,
                    image_hash: &hash,
                    actor: &context.actor,
                },
                context.now,
            )?;
            Ok::<_, Error>((data, image, hash))
        });
        let (data, image, hash) = match intent {
            Ok(intent) => intent,
            Err(error) => return Ok(Err(error)),
        };
        let op_id = Uuid::from_bytes(data.op_id);
        let uid = data.uid.to_hex();

        match encoder.write_card(data.op_id, &data.uid, &image, progress) {
            Ok(()) => {
                let operation = EncodeOperationRecord {
                    op_id,
                    access_method_id,
                    kind: purpose(data.kind),
                    card_uid: uid.clone(),
                    image: image.to_vec(),
                    image_hash: hash,
                    state: EncodeState::Pending,
                    error: None,
                    actor: context.actor.clone(),
                    created_at: context.now,
                    resolved_at: None,
                };
                Ok(self
                    .store
                    .write(|w| record_written(w, context, &operation, &data.uid))
                    .map(|access_method| EncodedCard {
                        access_method,
                        card_id: uid,
                        op_id,
                    }))
            }
            Err(error) if nothing_written(&error) => {
                let failed = self.store.write(|w| {
                    w.resolve_encode_operation(
                        op_id,
                        EncodeState::Failed,
                        Some(&error.to_string()),
                        context.now,
                    )?;
                    Ok::<_, Error>(())
                });
                match failed {
                    Ok(()) => Err(error),
                    Err(store_error) => Ok(Err(store_error)),
                }
            }
            // The outcome is unknown: the intent stays pending for the next resolution.
            Err(error) => Err(error),
        }
    }

    /// Asks the encoder what became of every encode whose outcome is unknown, and records
    /// the answer: a written card becomes issued, anything else failed. Run at start-up and
    /// before every encode; harmless when nothing is pending.
    pub fn resolve_pending_encodes(
        &self,
        context: &Context,
        station: &CardStation,
    ) -> Result<Resolution> {
        let pending = self
            .store
            .read(|r| Ok::<_, Error>(r.pending_encode_operations()?))?;
        let mut resolution = Resolution::default();
        if pending.is_empty() {
            return Ok(resolution);
        }
        let answers = station.with_encoder(|encoder| {
            let mut answers = Vec::new();
            for operation in &pending {
                let op_id = *operation.op_id.as_bytes();
                let mut answer = encoder.op_result(op_id)?;
                if answer.0 == OpState::Pending {
                    // A write this desk gave up on is still open on the encoder (its abort was
                    // lost with the connection it was made on). Nothing will commit it: close
                    // it, or every later write finds the encoder busy with it.
                    encoder.abort(op_id)?;
                    answer = encoder.op_result(op_id)?;
                }
                answers.push(answer);
            }
            Ok(Ok(answers))
        });
        let answers = match answers {
            Ok(answers) => answers,
            Err(Error::Encoder(_)) => {
                resolution.unresolved = pending.iter().map(|operation| operation.op_id).collect();
                return Ok(resolution);
            }
            Err(error) => return Err(error),
        };
        for (operation, (state, uid)) in pending.iter().zip(answers) {
            let written_uid =
                uid.filter(|uid| state == OpState::Written && uid.to_hex() == operation.card_uid);
            self.store.write(|w| match &written_uid {
                Some(uid) => record_written(w, context, operation, uid).map(|_| ()),
                None => {
                    let why = format!("the encoder reports this write as {state:?}");
                    w.resolve_encode_operation(
                        operation.op_id,
                        EncodeState::Failed,
                        Some(&why),
                        context.now,
                    )?;
                    w.audit(
                        &audit_ok(
                            context,
                            "card.encode_failed",
                            operation.op_id,
                            None,
                            Some(serde_json::json!({ "reason": why })),
                        ),
                        context.now,
                    )?;
                    Ok(())
                }
            })?;
            if written_uid.is_some() {
                resolution.written.push(operation.op_id);
            } else {
                resolution.failed.push(operation.op_id);
            }
        }
        Ok(resolution)
    }

    /// Reads the card on the encoder: what it carries, whether it is authentic, whose it is,
    /// and what each of its doors would do with it at `now`.
    pub fn read_card(&self, station: &CardStation, now: DateTime<Utc>) -> Result<CardReport> {
        let (uid, image) =
            station.with_encoder(|encoder| encoder.read_card(station.card_timeout).map(Ok))?;
        self.store
            .read(|r| card_report(r, station, &uid, &image, now))
    }

    /// Presents a simulated card at a simulated door at `at` (now if `None`): the lock
    /// decides with the lock model, remembers what it must, and logs the decision.
    pub fn present_card(
        &self,
        context: &Context,
        station: &CardStation,
        entrance_id: EntranceId,
        card_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<LockDecision> {
        let at = at.unwrap_or(context.now);
        let request =
            serde_json::json!({ "acs_entrance_id": entrance_id, "card_id": card_id, "at": at });
        self.change(
            context,
            "lock.present_card",
            Some(entrance_id.to_string()),
            &request,
            |w| {
                let simulator = station.simulator().ok_or_else(|| {
                    Error::invalid(
                        "card_id",
                        "the door simulator works with the simulated encoder's cards only",
                    )
                })?;
                let uid = CardUid::from_hex(card_id).ok_or_else(|| {
                    Error::invalid("card_id", "is not a card id (the card's UID in hex)")
                })?;
                let card = simulator
                    .card(&uid)
                    .ok_or_else(|| Error::not_found("card", card_id))?;
                let entrance = w.entrance(entrance_id)?.ok_or_else(|| {
                    Error::invalid(
                        "acs_entrance_id",
                        format!("no entrance with id {entrance_id}"),
                    )
                })?;
                let door = lock_door(w, &entrance)?;
                let state = w.lock_state(entrance_id)?;
                let judgement = judge_card(station, door, state, &card.image, &uid, at);
                if judgement.state != state {
                    w.set_lock_state(entrance_id, &judgement.state)?;
                    // The door's timeline starts from what its lock remembers, and the cards
                    // it has moved past open it no more.
                    refresh_doors(w, &BTreeSet::from([entrance_id]), context.now)?;
                    refresh_collection_at_door(w, entrance_id, context.now)?;
                }
                let explanation = judgement.reason.explain();
                let reason = serde_json::to_value(judgement.reason).unwrap_or_default();
                w.insert_lock_event(
                    entrance_id,
                    card_id,
                    at,
                    judgement.is_granted(),
                    &reason,
                    &explanation,
                )?;
                let decision = LockDecision {
                    acs_entrance_id: entrance_id,
                    card_id: card_id.to_owned(),
                    at,
                    decision: judgement.decision,
                    reason: judgement.reason,
                    explanation,
                };
                w.audit(
                    &audit_ok(
                        context,
                        "lock.present_card",
                        entrance_id,
                        None,
                        to_json(&decision),
                    ),
                    context.now,
                )?;
                Ok(decision)
            },
        )
    }
}

impl CardPlan {
    /// Whether a card written with `data` carries what this plan puts on a card.
    fn is_carried_by(&self, data: &CardData) -> bool {
        let mut on_card: Vec<(EntranceId, Option<u32>)> = data
            .capable_doors
            .iter()
            .map(|door| (door.entrance_id, Some(door.sequence)))
            .collect();
        on_card.sort();
        let mut planned = self.capable_doors.clone();
        planned.sort();
        let mut common = data.common_doors.clone();
        common.sort();
        let mut planned_common = self.common_doors.clone();
        planned_common.sort();
        let mut zones = data.zones.clone();
        zones.sort();
        let mut planned_zones = self.zones.clone();
        planned_zones.sort();
        data.kind == self.kind
            && data.reservation_id == self.reservation_id
            // A card keeps whole seconds.
            && data.valid_from == self.valid_from.trunc_subsecs(0)
            && data.valid_until == self.valid_until.trunc_subsecs(0)
            && on_card == planned
            && common == planned_common
            && zones == planned_zones
    }

    /// The card image's content for the card `uid`, issued at `now` under the current keys.
    fn card_data(&self, station: &CardStation, uid: CardUid, now: DateTime<Utc>) -> CardData {
        CardData {
            property_id: station.keys.property_id(),
            key_epoch: station.keys.current_epoch(),
            uid,
            kind: self.kind,
            flags: 0,
            reservation_id: self.reservation_id,
            card_id: self.method.id,
            copy_number: self
                .method
                .copy_number
                .map_or(1, |copy| u16::try_from(copy).unwrap_or(u16::MAX)),
            op_id: *store::new_row_id().as_bytes(),
            issued_at: now,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            shift: None,
            capable_doors: self
                .capable_doors
                .iter()
                .filter_map(|(entrance_id, sequence)| {
                    sequence.map(|sequence| DoorSequence {
                        entrance_id: *entrance_id,
                        sequence,
                    })
                })
                .collect(),
            common_doors: self.common_doors.clone(),
            zones: self.zones.clone(),
        }
    }
}

/// Refuses to write over a card that is still someone else's valid key: plastic is reused
/// once it is blank, expired, or came back revoked, never while it opens a guest's door.
fn check_card_is_free(
    r: &Reader<'_>,
    uid: &CardUid,
    method_id: AccessMethodId,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(card) = r.cards_by_uid(&uid.to_hex())?.into_iter().next() else {
        return Ok(());
    };
    let Some(owner) = card.access_method_id.filter(|owner| *owner != method_id) else {
        return Ok(());
    };
    let live = r
        .access_method(owner)?
        .is_some_and(|method| method.revoked_at.is_none());
    if live && card.superseded_at.is_none() && card.valid_until > now {
        return Err(Error::invalid(
            "card",
            format!(
                "the card on the encoder ({}) is another guest's valid key {}; take it off \
                 and use a blank or returned card",
                uid.to_hex(),
                engine::model::end_text(
                    card.valid_until,
                    "until %Y-%m-%d %H:%M UTC",
                    "with no end"
                )
            ),
        ));
    }
    Ok(())
}

/// Waits for a card that is not one of `used` (the cards this batch already wrote).
fn wait_for_new_card(
    encoder: &mut Encoder,
    timeout: Duration,
    used: &[String],
) -> std::result::Result<CardUid, EncoderError> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let uid = encoder.wait_for_card(left)?;
        if !used.contains(&uid.to_hex()) {
            return Ok(uid);
        }
        if left.is_zero() {
            return Err(EncoderError::NoCardInTime);
        }
        std::thread::sleep(encoder::client::POLL_INTERVAL);
    }
}

/// Errors after which the encoder is known not to have written the card.
fn nothing_written(error: &EncoderError) -> bool {
    matches!(
        error,
        EncoderError::Busy
            | EncoderError::NoCardInTime
            | EncoderError::CardRemoved
            | EncoderError::DamagedCard
            | EncoderError::UnsupportedCard
            | EncoderError::Refused { .. }
            | EncoderError::BadImageLength { .. }
    )
}

fn purpose(kind: CardKind) -> CardPurpose {
    match kind {
        CardKind::Guest => CardPurpose::Guest,
        CardKind::Staff => CardPurpose::Staff,
        CardKind::Cancel => CardPurpose::Cancel,
    }
}

fn image_hash(image: &[u8]) -> String {
    Sha256::digest(image)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What the access method's card must carry.
fn card_plan(r: &Reader<'_>, id: AccessMethodId) -> Result<CardPlan> {
    let method = r
        .access_method(id)?
        .filter(|method| method.revoked_at.is_none())
        .ok_or_else(|| Error::not_found("access_method", id))?;
    if method.mode != AccessMode::Card {
        return Err(Error::invalid(
            "access_method_id",
            format!("is a {} access method; only cards are encoded", method.mode),
        ));
    }
    let grant = live_grant(r, method.access_grant_id)?;
    let user = r
        .user_identity(grant.user_identity_id)?
        .ok_or_else(|| Error::not_found("user_identity", grant.user_identity_id))?;
    let mut capable_doors = Vec::new();
    let mut common_doors = Vec::new();
    for door in &grant.entrances {
        let entrance_id = &door.entrance_id;
        let entrance = r
            .entrance(*entrance_id)?
            .ok_or_else(|| Error::not_found("acs_entrance", entrance_id))?;
        // The desk's encoder writes for the offline systems; online doors get their
        // credentials from their own system.
        if !entrance.access_system_kind.is_override_based()
            || !entrance.modes.contains(&AccessMode::Card)
        {
            continue;
        }
        if door.reservation_door {
            capable_doors.push((*entrance_id, door.sequence));
        } else {
            common_doors.push(*entrance_id);
        }
    }
    if capable_doors.is_empty() && common_doors.is_empty() {
        return Err(Error::invalid(
            "access_method_id",
            "this grant has no door that opens with a card written at this desk",
        ));
    }
    let staff = user.kind == UserKind::Staff;
    let (zones, common_doors) = if staff {
        DoorMap::read(r)?.zone_plan(&common_doors)
    } else {
        (Vec::new(), common_doors)
    };
    Ok(CardPlan {
        kind: if staff {
            CardKind::Staff
        } else {
            CardKind::Guest
        },
        reservation_id: grant.reservation_id,
        valid_from: grant.starts_at,
        valid_until: grant.ends_at,
        capable_doors,
        common_doors,
        zones,
        method,
    })
}

/// What the access method's card must carry, with a number on each of its reservation's
/// doors: the doors no card of the reservation was encoded for yet take theirs now, each the
/// door's next, and keep it for every later card of the reservation (joiners and copies).
/// Run in the transaction that commits the card's intent.
fn numbered_card_plan(w: &Writer<'_>, id: AccessMethodId, now: DateTime<Utc>) -> Result<CardPlan> {
    let mut plan = card_plan(w, id)?;
    let unnumbered: BTreeSet<EntranceId> = plan
        .capable_doors
        .iter()
        .filter(|(_, sequence)| sequence.is_none())
        .map(|(entrance_id, _)| *entrance_id)
        .collect();
    let Some(reservation_id) = plan.reservation_id.filter(|_| !unnumbered.is_empty()) else {
        return Ok(plan);
    };
    let sequences = rules::assign_sequences(&unnumbered, &w.last_sequences(&unnumbered)?);
    w.number_reservation_doors(reservation_id, &sequences)?;
    for (entrance_id, sequence) in &mut plan.capable_doors {
        if sequence.is_none() {
            *sequence = sequences.get(entrance_id).copied();
        }
    }
    // The doors' timelines now play this number instead of the one they predicted.
    refresh_doors(w, &unnumbered, now)?;
    Ok(plan)
}

/// Takes the next sequence number of each door for a cancel card, as a reservation that is
/// cleared at once: the numbers stay used, nothing stays live.
fn reserve_cancel_sequences(
    w: &Writer<'_>,
    doors: &[EntranceId],
    op_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<DoorSequence>> {
    if doors.is_empty() {
        return Err(Error::invalid(
            "acs_entrance_ids",
            "name at least one door to cancel",
        ));
    }
    let mut set = BTreeSet::new();
    for (index, door) in doors.iter().enumerate() {
        let entrance = w.entrance(*door)?.ok_or_else(|| {
            Error::invalid(
                format!("acs_entrance_ids[{index}]"),
                format!("no entrance with id {door}"),
            )
        })?;
        if !entrance.can_belong_to_reservation {
            return Err(Error::invalid(
                format!("acs_entrance_ids[{index}]"),
                format!("{} has no override sequence to cancel", entrance.name),
            ));
        }
        if let Some(live) = w.door_reservations(*door)?.first() {
            return Err(Error::RoomBooked {
                field: format!("acs_entrance_ids[{index}]"),
                message: booked_door_words(w, &entrance.name, live)?,
            });
        }
        set.insert(*door);
    }
    // Refused here, before the numbers are taken for good, rather than when the card is
    // sealed.
    if set.len() > card::MAX_CAPABLE_DOORS {
        return Err(Error::invalid(
            "acs_entrance_ids",
            format!(
                "a cancel card holds at most {} doors; make another one for the rest",
                card::MAX_CAPABLE_DOORS
            ),
        ));
    }
    let sequences: BTreeMap<EntranceId, u32> =
        rules::assign_sequences(&set, &w.last_sequences(&set)?);
    let reservation = w.insert_reservation(&format!("cancel-{op_id}"), &set, now)?;
    w.number_reservation_doors(reservation, &sequences)?;
    w.clear_reservation(reservation, now)?;
    Ok(sequences
        .into_iter()
        .map(|(entrance_id, sequence)| DoorSequence {
            entrance_id,
            sequence,
        })
        .collect())
}

/// Settles a pending operation as written: the card is recorded and its access method
/// issued, with its audit record.
fn record_written(
    w: &Writer<'_>,
    context: &Context,
    operation: &EncodeOperationRecord,
    uid: &CardUid,
) -> Result<Option<AccessMethodRecord>> {
    let data = card::read(&operation.image).map_err(Error::Card)?;
    w.resolve_encode_operation(operation.op_id, EncodeState::Written, None, context.now)?;
    // Whose card the plastic carried until now: written over, it opens nothing of theirs.
    let written_over = match w
        .cards_by_uid(&uid.to_hex())?
        .first()
        .and_then(|card| card.access_method_id)
    {
        Some(method) => w
            .access_method(method)?
            .map(|method| method.access_grant_id),
        None => None,
    };
    w.insert_card(
        &NewCard {
            op_id: operation.op_id,
            card_uid: &uid.to_hex(),
            access_method_id: operation.access_method_id,
            kind: operation.kind,
            key_epoch: data.key_epoch,
            valid_from: data.valid_from,
            valid_until: data.valid_until,
        },
        context.now,
    )?;
    if let Some(grant_id) = written_over {
        refresh_collection(w, grant_id, context.now)?;
    }
    let Some(method_id) = operation.access_method_id else {
        w.audit(
            &audit_ok(
                context,
                "card.encoded",
                operation.op_id,
                None,
                Some(serde_json::json!({ "card_id": uid.to_hex(), "kind": operation.kind })),
            ),
            context.now,
        )?;
        return Ok(None);
    };
    let before = w
        .access_method(method_id)?
        .ok_or_else(|| Error::not_found("access_method", method_id))?;
    w.mark_issued(method_id, &uid.to_hex(), context.now)?;
    // The grant may have changed while the card was written: the plastic carries what was
    // planned before, so unless that is still what the card must carry, it needs encoding again.
    let live = before.revoked_at.is_none()
        && w.access_grant(before.access_grant_id)?
            .is_some_and(|grant| grant.is_live());
    if live && !card_plan(w, method_id)?.is_carried_by(&data) {
        w.set_encoding_required(method_id, true)?;
    }
    // The card exists whatever happened to its grant meanwhile: a revoked one must come back.
    refresh_encoding(w, before.access_grant_id, context.now)?;
    refresh_collection(w, before.access_grant_id, context.now)?;
    let after = w
        .access_method(method_id)?
        .ok_or_else(|| Error::not_found("access_method", method_id))?;
    w.audit(
        &audit_ok(
            context,
            "access_method.encoded",
            method_id,
            to_json(&before),
            to_json(&after),
        ),
        context.now,
    )?;
    Ok(Some(after))
}

fn judge_card(
    station: &CardStation,
    door: Door,
    state: lock::LockState,
    image: &[u8],
    uid: &CardUid,
    at: DateTime<Utc>,
) -> Judgement {
    match card::open(image, uid, &station.keys) {
        Ok(data) => lock::judge(
            &station.keys.lock_config(),
            door,
            state,
            &data.to_lock_card(),
            at,
        ),
        Err(_) => Judgement {
            decision: Decision::Denied,
            reason: Reason::NotAuthentic,
            state,
        },
    }
}

fn card_report(
    r: &Reader<'_>,
    station: &CardStation,
    uid: &CardUid,
    image: &[u8],
    now: DateTime<Utc>,
) -> Result<CardReport> {
    let mut report = CardReport {
        card_id: uid.to_hex(),
        blank: image.iter().all(|byte| *byte == 0),
        authentic: false,
        problem: None,
        content: None,
        access_method_id: None,
        access_grant_id: None,
        reservation_key: None,
        user_full_name: None,
        doors: Vec::new(),
        out_of_sync: Vec::new(),
    };
    if report.blank {
        return Ok(report);
    }
    let data = match card::read(image) {
        Ok(data) => data,
        Err(error) => {
            report.problem = Some(format!(
                "The card holds nothing this desk can read ({error})."
            ));
            return Ok(report);
        }
    };
    match card::open(image, uid, &station.keys) {
        Ok(_) => report.authentic = true,
        Err(error) => {
            report.problem = Some(format!(
                "The card is not authentic ({error}): it was damaged, forged or copied. Keep it \
                 and make a new card."
            ));
        }
    }
    report.content = Some(CardContent {
        kind: data.kind,
        copy_number: data.copy_number,
        key_epoch: data.key_epoch,
        issued_at: data.issued_at,
        valid_from: data.valid_from,
        valid_until: data.valid_until,
    });

    let op_id = Uuid::from_bytes(data.op_id);
    let record = r
        .cards_by_uid(&uid.to_hex())?
        .into_iter()
        .find(|card| card.op_id == op_id);
    match &record {
        None => report
            .out_of_sync
            .push("This desk has no record of writing this card.".to_owned()),
        Some(card) if card.superseded_at.is_some() => report.out_of_sync.push(
            "A newer card was written for the same key; this one carries older data.".to_owned(),
        ),
        Some(_) => {}
    }
    if let Some(method_id) = record.and_then(|card| card.access_method_id)
        && let Some(method) = r.access_method(method_id)?
    {
        report.access_method_id = Some(method.id);
        report.access_grant_id = Some(method.access_grant_id);
        if method.revoked_at.is_some() {
            report
                .out_of_sync
                .push("This card was revoked: collect it.".to_owned());
        }
        if method.is_encoding_required {
            report
                .out_of_sync
                .push("The stay's dates changed: re-encode this card.".to_owned());
        }
        if let Some(grant) = r.access_grant(method.access_grant_id)? {
            report.reservation_key = grant.reservation_key.clone();
            if let Some(user) = r.user_identity(grant.user_identity_id)? {
                report.user_full_name = user.full_name;
            }
        }
    }

    let lock_card = data.to_lock_card();
    let config = station.keys.lock_config();
    let zone_doors = if data.zones.is_empty() {
        Vec::new()
    } else {
        DoorMap::read(r)?.zone_doors(&data.zones)
    };
    let doors = data
        .capable_doors
        .iter()
        .map(|door| (door.entrance_id, Some(door.sequence)))
        .chain(data.common_doors.iter().map(|door| (*door, None)))
        .chain(
            zone_doors
                .into_iter()
                .filter(|door| !data.common_doors.contains(door))
                .map(|door| (door, None)),
        );
    for (entrance_id, sequence) in doors {
        let entrance = r.entrance(entrance_id)?;
        let door = match &entrance {
            Some(entrance) => lock_door(r, entrance)?,
            None => Door {
                entrance_id,
                can_belong_to_reservation: false,
                place: DoorPlace::Other,
            },
        };
        let judgement = if report.authentic {
            lock::judge(&config, door, r.lock_state(entrance_id)?, &lock_card, now)
        } else {
            Judgement {
                decision: Decision::Denied,
                reason: Reason::NotAuthentic,
                state: Default::default(),
            }
        };
        report.doors.push(DoorVerdict {
            acs_entrance_id: entrance_id,
            name: entrance.map_or_else(|| entrance_id.to_string(), |entrance| entrance.name),
            sequence,
            decision: judgement.decision,
            reason: judgement.reason,
            explanation: judgement.reason.explain(),
        });
    }
    Ok(report)
}
