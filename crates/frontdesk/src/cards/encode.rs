//! Encoding cards exactly once: the journal around every write, one card or a batch.

use std::time::Duration;

use chrono::{DateTime, Utc};
use encoder::CardUid;
use encoder::card::{self, CardData, CardKind};
use encoder::client::{Encoder, EncoderError};
use encoder::simulator::SimulatedEncoder;
use engine::model::AccessMethodId;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::{
    CardPurpose, EncodeOperationRecord, EncodeState, NewCard, NewEncodeOperation, Reader, Writer,
};
use uuid::Uuid;

use super::plan::{card_plan, numbered_card_plan};
use super::station::CardStation;
use crate::operators::Permission;
use crate::warnings::{refresh_collection, refresh_encoding};
use crate::{AccessMethodRecord, CardView, Context, Error, FrontDesk, Result, audit_ok, to_json};

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

/// [`FrontDesk::take_blank_for`] on a simulated encoder, asking `card_method` which access
/// method a plastic (its UID in hex) was last written for.
fn take_blank_before(
    simulator: &SimulatedEncoder,
    ids: &[AccessMethodId],
    card_method: impl FnOnce(&str) -> Result<Option<AccessMethodId>>,
) -> Result<()> {
    let Some(uid) = simulator.card_on_encoder() else {
        simulator.present_blank_card();
        return Ok(());
    };
    let written = simulator
        .card(&uid)
        .is_some_and(|card| !card.image.is_empty());
    if !written {
        return Ok(());
    }
    let next_to_write =
        card_method(&uid.to_hex())?.is_some_and(|method| ids.first() == Some(&method));
    if !next_to_write {
        simulator.present_blank_card();
    }
    Ok(())
}

/// A card just written.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncodedCard {
    /// The access method it was written for, now issued (none for a cancel card).
    pub access_method: Option<CardView>,
    /// The card's UID in hex: the simulated card's id.
    pub card_id: String,
    pub op_id: Uuid,
}

impl FrontDesk {
    /// With the simulated encoder, before the cards of `ids` are encoded, a blank is taken
    /// from the stack when the pad is empty or holds a written card, as the clerk does between
    /// guests (otherwise each encode would rewrite the last guest's card), unless that card is
    /// the one about to be written again (that of the first of `ids`). A blank on the pad stays,
    /// and a staged failure still fires at the encode. A real encoder waits for the clerk.
    pub fn take_blank_for(&self, station: &CardStation, ids: &[AccessMethodId]) -> Result<()> {
        if let Some(simulator) = station.simulator() {
            return take_blank_before(simulator, ids, |card_id| self.card_method(card_id));
        }
        if let Some(lent) = station.lent() {
            // The other computer looks at its pad: it is told which card to keep there.
            let keep_card = match ids.first() {
                Some(first) => self.store.read(|r| {
                    Ok::<_, Error>(
                        r.cards_of_method(*first)?
                            .first()
                            .map(|card| card.card_uid.clone()),
                    )
                })?,
                None => None,
            };
            lent.prepare_blank(keep_card);
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
        context.require(Permission::FrontDesk)?;
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

    /// The journal around one write: intent, write, outcome. The card's content is made
    /// by `card` in the transaction that commits the intent, so that the numbers a first
    /// card takes are taken with it, once.
    pub(super) fn write_card(
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
                    encoder_id: station.encoder_id,
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
                        access_method: access_method.map(CardView::from),
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
}

/// A card of `kind` that belongs to no access method (cancel, lock-out, lift, spare): issued
/// `now` under the current keys, valid from then until `valid_until`, written under `op_id`
/// (its card id too), with no door yet.
pub(super) fn unowned_card_data(
    station: &CardStation,
    uid: CardUid,
    kind: CardKind,
    op_id: Uuid,
    (now, valid_until): (DateTime<Utc>, DateTime<Utc>),
) -> CardData {
    CardData {
        property_id: station.keys.property_id(),
        key_epoch: station.keys.current_epoch(),
        uid,
        kind,
        flags: 0,
        reservation_id: None,
        card_id: op_id,
        copy_number: 1,
        op_id: *op_id.as_bytes(),
        issued_at: now,
        valid_from: now,
        valid_until,
        staff_level: None,
        schedule: Vec::new(),
        capable_doors: Vec::new(),
        common_doors: Vec::new(),
        zones: Vec::new(),
    }
}

impl FrontDesk {
    /// Waits for a card for a card no access method owns (cancel, lock-out, spare): a blank
    /// or a returned card, never over a guest's valid key. The inner error says why the card
    /// on the encoder was refused.
    pub(super) fn unowned_card(
        &self,
        context: &Context,
        station: &CardStation,
        encoder: &mut Encoder,
    ) -> std::result::Result<Result<CardUid>, EncoderError> {
        let uid = encoder.wait_for_card(station.card_timeout)?;
        Ok(self
            .store
            .read(|r| check_card_is_free(r, &uid, Uuid::nil(), context.now))
            .map(|()| uid))
    }
}

/// Refuses to write over a card that is still someone else's valid key: plastic is reused
/// once it is blank, expired, or came back revoked, never while it opens a guest's door.
pub(super) fn check_card_is_free(
    r: &Reader<'_>,
    uid: &CardUid,
    method_id: AccessMethodId,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(card) = r.cards_by_uid(&uid.to_hex())?.into_iter().next() else {
        return Ok(());
    };
    // A spare in the safe is no access method's yet, and a guest's key to be.
    if card.access_method_id.is_none()
        && let Some(spare) = r
            .spare_of_card(card.op_id)?
            .filter(store::SpareRecord::in_safe)
    {
        let room = r
            .space(spare.space_id)?
            .map_or_else(|| "a room".to_owned(), |space| space.name);
        return Err(Error::invalid(
            "card",
            format!(
                "the card on the encoder ({}) is spare {} of {room}, kept in the safe; take it \
                 off, or take it out of the safe on the spare cards screen first",
                uid.to_hex(),
                spare.number
            ),
        ));
    }
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
        CardKind::OneShot => CardPurpose::OneShot,
        CardKind::LockOut => CardPurpose::LockOut,
        CardKind::LockOutLift => CardPurpose::LockOutLift,
    }
}

fn image_hash(image: &[u8]) -> String {
    Sha256::digest(image)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Settles a pending operation as written: the card is recorded and its access method
/// issued, with its audit record.
pub(super) fn record_written(
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
