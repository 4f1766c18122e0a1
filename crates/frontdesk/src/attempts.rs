//! Action attempts: the record of a slow action (encoding, scanning) that a caller started
//! and polls, as Seam's API has them.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use store::{ActionAttemptRecord, AttemptStatus};
use uuid::Uuid;

use crate::{Error, FrontDesk, Result};

impl FrontDesk {
    /// Records a new pending action attempt.
    pub fn start_action_attempt(&self, action_type: &str, now: DateTime<Utc>) -> Result<Uuid> {
        let id = store::new_row_id();
        self.store
            .write(|w| Ok::<_, Error>(w.insert_action_attempt(id, action_type, now)?))?;
        Ok(id)
    }

    /// Records how an action attempt ended: its result, or the error as every boundary
    /// shows errors (`type` and `message`).
    pub fn finish_action_attempt(
        &self,
        id: Uuid,
        outcome: &Result<Value>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.store.write(|w| {
            match outcome {
                Ok(result) => {
                    w.finish_action_attempt(id, AttemptStatus::Success, Some(result), None, now)?
                }
                Err(error) => {
                    let wire = error.to_wire();
                    let error = json!({ "type": wire.error_type, "message": wire.message });
                    w.finish_action_attempt(id, AttemptStatus::Error, None, Some(&error), now)?
                }
            }
            Ok(())
        })
    }

    /// Ends an action attempt whose work broke off without an outcome (it panicked), so that
    /// whoever polls it gets an answer instead of `pending` for ever.
    pub fn abandon_action_attempt(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let error = json!({
            "type": "uncategorized_error",
            "message": "The action broke off without an outcome. If it was an encode, the \
                        access method's is_issued says whether a card was made.",
        });
        self.store.write(|w| {
            w.finish_action_attempt(id, AttemptStatus::Error, None, Some(&error), now)?;
            Ok(())
        })
    }

    /// Ends every action attempt still pending: run at start-up, when no attempt of this
    /// process runs yet, so these were left by a process that stopped in the middle of them.
    /// Their callers may still poll them; they get an error instead of `pending` for ever.
    /// Run after the pending encodes were resolved, so that an access method's `is_issued`
    /// already says whether the interrupted encode made a card. Returns how many there were.
    pub fn expire_unfinished_action_attempts(&self, now: DateTime<Utc>) -> Result<usize> {
        let error = json!({
            "type": "action_attempt_expired",
            "message": "The front desk stopped before this action finished. If it was an \
                        encode, the access method's is_issued says whether a card was made.",
        });
        self.store
            .write(|w| Ok::<_, Error>(w.expire_pending_action_attempts(&error, now)?))
    }

    pub fn action_attempt(&self, id: Uuid) -> Result<ActionAttemptRecord> {
        self.store.read(|r| {
            r.action_attempt(id)?
                .ok_or_else(|| Error::not_found("action_attempt", id))
        })
    }
}
