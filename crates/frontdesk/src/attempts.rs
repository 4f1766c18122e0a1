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

    pub fn action_attempt(&self, id: Uuid) -> Result<ActionAttemptRecord> {
        self.store.read(|r| {
            r.action_attempt(id)?
                .ok_or_else(|| Error::not_found("action_attempt", id))
        })
    }
}
