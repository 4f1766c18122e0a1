//! A simulated guest room door's deadbolt, thrown or released from inside (privacy): while it
//! is thrown the lock refuses guest and staff cards, and an emergency key opens.

use chrono::{DateTime, Utc};
use engine::lock::DoorPlace;
use engine::model::EntranceId;
use serde::Serialize;

use crate::operators::Permission;
use crate::zones::lock_door;
use crate::{Context, Error, FrontDesk, Result, audit_ok, to_json};

/// A simulated door's deadbolt after a change.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorPrivacy {
    pub acs_entrance_id: EntranceId,
    /// The deadbolt is thrown.
    pub on: bool,
    /// A lock-out card was used here since the last guest's first card or lift card: guest
    /// cards are refused.
    pub locked_out: bool,
    pub at: DateTime<Utc>,
}

impl FrontDesk {
    /// Whether a simulated door's deadbolt is thrown now.
    pub fn door_privacy(&self, context: &Context, entrance_id: EntranceId) -> Result<DoorPrivacy> {
        context.require(Permission::FrontDesk)?;
        self.store.read(|r| {
            r.entrance(entrance_id)?.ok_or_else(|| {
                Error::invalid(
                    "acs_entrance_id",
                    format!("no entrance with id {entrance_id}"),
                )
            })?;
            let state = r.lock_state(entrance_id)?;
            Ok(DoorPrivacy {
                acs_entrance_id: entrance_id,
                on: state.privacy,
                locked_out: state.locked_out,
                at: context.now,
            })
        })
    }

    /// Throws (`on`) or releases the deadbolt of a simulated guest room door at `at` (now if
    /// `None`), as the guest inside would.
    pub fn set_privacy(
        &self,
        context: &Context,
        entrance_id: EntranceId,
        on: bool,
        at: Option<DateTime<Utc>>,
    ) -> Result<DoorPrivacy> {
        context.require(Permission::FrontDesk)?;
        let at = at.unwrap_or(context.now);
        let request = serde_json::json!({ "acs_entrance_id": entrance_id, "on": on, "at": at });
        self.change(
            context,
            "lock.set_privacy",
            Some(entrance_id.to_string()),
            &request,
            |w| {
                let entrance = w.entrance(entrance_id)?.ok_or_else(|| {
                    Error::invalid(
                        "acs_entrance_id",
                        format!("no entrance with id {entrance_id}"),
                    )
                })?;
                let door = lock_door(w, &entrance)?;
                if !matches!(door.place, DoorPlace::GuestRoom { .. })
                    || !door.can_belong_to_reservation
                {
                    return Err(Error::invalid(
                        "acs_entrance_id",
                        format!(
                            "{} has no privacy deadbolt: only a guest room's door has one",
                            entrance.name
                        ),
                    ));
                }
                let mut state = w.lock_state(entrance_id)?;
                state.privacy = on;
                w.set_lock_state(entrance_id, &state)?;
                let changed = DoorPrivacy {
                    acs_entrance_id: entrance_id,
                    on,
                    locked_out: state.locked_out,
                    at,
                };
                w.audit(
                    &audit_ok(
                        context,
                        "lock.set_privacy",
                        entrance_id,
                        None,
                        to_json(&changed),
                    ),
                    context.now,
                )?;
                Ok(changed)
            },
        )
    }
}
