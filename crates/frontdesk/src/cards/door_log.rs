//! What a simulated door decided, card by card: the manager's report of a door, with each
//! card told apart by whose it is.

use chrono::{DateTime, Utc};
use engine::lock::Reason;
use engine::model::EntranceId;
use serde::Serialize;

use crate::operators::{Operator, Permission};
use crate::{CardDescription, Error, FrontDesk, Result};

/// The most decisions a door's report lists.
pub const DOOR_LOG_LIMIT: u32 = 500;

/// One card presented at a simulated door, and what the lock did.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorLogEntry {
    pub at: DateTime<Utc>,
    pub granted: bool,
    pub reason: Reason,
    /// The lock model's own account, for support.
    pub explanation: String,
    /// The card's number, for support.
    pub card_id: String,
    /// The card as the desk tells it apart; `None` for a card it has no record of.
    pub card: Option<CardDescription>,
}

impl FrontDesk {
    /// The latest decisions of a simulated door, newest first (at most `limit`, up to
    /// [`DOOR_LOG_LIMIT`]), for a manager.
    pub fn door_log(
        &self,
        operator: &Operator,
        entrance_id: EntranceId,
        limit: u32,
    ) -> Result<Vec<DoorLogEntry>> {
        operator.require(Permission::Manage)?;
        let events = self.store.read(|r| {
            if r.entrance(entrance_id)?.is_none() {
                return Err(Error::invalid(
                    "acs_entrance_id",
                    "is no door of this property",
                ));
            }
            Ok(r.lock_events(entrance_id, limit.clamp(1, DOOR_LOG_LIMIT))?)
        })?;
        events
            .into_iter()
            .map(|event| {
                let reason: Reason = serde_json::from_value(event.reason).map_err(|error| {
                    Error::Internal(format!("a door decision's reason: {error}"))
                })?;
                Ok(DoorLogEntry {
                    at: event.at,
                    granted: event.granted,
                    reason,
                    explanation: event.explanation,
                    card: self.card_description_of(&event.card_uid, event.op_id)?,
                    card_id: event.card_uid,
                })
            })
            .collect()
    }
}
