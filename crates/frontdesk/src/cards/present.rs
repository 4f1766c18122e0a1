//! A card presented at a simulated door: the lock decides with the lock model and remembers.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use encoder::CardUid;
use encoder::card;
use encoder::keys::KeyRing;
use engine::lock::{self, Decision, Door, Judgement, Reason};
use engine::model::EntranceId;
use serde::Serialize;

use super::station::CardStation;
use crate::operators::Permission;
use crate::warnings::{refresh_collection_at_door, refresh_doors};
use crate::zones::lock_door;
use crate::{Context, Error, FrontDesk, Result, audit_ok, to_json};

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

impl FrontDesk {
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
        let image_of = |uid: &CardUid| {
            let simulator = station.simulator().ok_or_else(|| {
                Error::invalid(
                    "card_id",
                    "the door simulator works with the simulated encoder's cards only",
                )
            })?;
            simulator
                .card(uid)
                .map(|card| card.image)
                .ok_or_else(|| Error::not_found("card", uid.to_hex()))
        };
        self.present_card_image(context, &station.keys, entrance_id, card_id, image_of, at)
    }

    /// Presents a simulated card whose chip holds the image `image_of` gives for its UID
    /// (a terminal's simulated encoder holds it, not the server) at a simulated door.
    pub fn present_card_image(
        &self,
        context: &Context,
        keys: &KeyRing,
        entrance_id: EntranceId,
        card_id: &str,
        image_of: impl FnOnce(&CardUid) -> Result<Vec<u8>>,
        at: Option<DateTime<Utc>>,
    ) -> Result<LockDecision> {
        context.require(Permission::FrontDesk)?;
        let at = at.unwrap_or(context.now);
        let request =
            serde_json::json!({ "acs_entrance_id": entrance_id, "card_id": card_id, "at": at });
        self.change(
            context,
            "lock.present_card",
            Some(entrance_id.to_string()),
            &request,
            |w| {
                let uid = CardUid::from_hex(card_id).ok_or_else(|| {
                    Error::invalid("card_id", "is not a card id (the card's UID in hex)")
                })?;
                let image = image_of(&uid)?;
                let entrance = w.entrance(entrance_id)?.ok_or_else(|| {
                    Error::invalid(
                        "acs_entrance_id",
                        format!("no entrance with id {entrance_id}"),
                    )
                })?;
                let door = lock_door(w, &entrance)?;
                let state = w.lock_state(entrance_id)?;
                let config = crate::zones::lock_config(w, keys, at)?;
                let judgement = judge_card(&config, keys, door, state, &image, &uid, at);
                if judgement.state != state {
                    w.set_lock_state(entrance_id, &judgement.state)?;
                    // The door's timeline starts from what its lock remembers, and the cards
                    // it has moved past open it no more.
                    refresh_doors(w, &BTreeSet::from([entrance_id]), context.now)?;
                    refresh_collection_at_door(w, entrance_id, context.now)?;
                }
                let explanation = judgement.reason.explain();
                let reason = serde_json::to_value(judgement.reason).unwrap_or_default();
                // The card as written, not only the plastic, which is written again later.
                let op_id = encoder::card::open(&image, &uid, keys)
                    .ok()
                    .map(|data| uuid::Uuid::from_bytes(data.op_id));
                w.insert_lock_event(&store::NewLockEvent {
                    entrance_id,
                    card_uid: card_id,
                    op_id,
                    at,
                    granted: judgement.is_granted(),
                    reason: &reason,
                    explanation: &explanation,
                })?;
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

fn judge_card(
    config: &lock::LockConfig,
    keys: &KeyRing,
    door: Door,
    state: lock::LockState,
    image: &[u8],
    uid: &CardUid,
    at: DateTime<Utc>,
) -> Judgement {
    match card::open(image, uid, keys) {
        Ok(data) => lock::judge(config, door, state, &data.to_lock_card(), at),
        Err(_) => Judgement {
            decision: Decision::Denied,
            reason: Reason::NotAuthentic,
            state,
        },
    }
}
