//! Checking a stay out, and a card of a closed stay that will not come back.

use chrono::{DateTime, Utc};
use engine::model::{AccessMethodId, AccessMode};
use serde::Serialize;

use super::detail::{OutstandingCard, outstanding_cards, stay_grants};
use crate::grants::delete;
use crate::operators::{Operator, Permission};
use crate::warnings::refresh_collection;
use crate::{AccessMethodRecord, Context, Error, FrontDesk, Result, audit_ok};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutResult {
    pub reservation_key: String,
    pub uncollected: Vec<OutstandingCard>,
}

impl FrontDesk {
    /// Checks a stay out: its grants are deleted. The issued cards not yet back are listed;
    /// they open the room until collected or overridden.
    pub fn check_out(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
    ) -> Result<CheckOutResult> {
        self.check_out_by(&operator.context(now), reservation_key)
    }

    /// [`FrontDesk::check_out`] by whoever acts (an operator, the PMS link).
    pub fn check_out_by(&self, context: &Context, reservation_key: &str) -> Result<CheckOutResult> {
        let request = serde_json::json!({ "reservation_key": reservation_key });
        self.context_change(
            Permission::FrontDesk,
            context,
            "stay.check_out",
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                for grant in &grants {
                    delete(w, context, grant.id)?;
                }
                Ok(CheckOutResult {
                    reservation_key: reservation_key.to_owned(),
                    uncollected: outstanding_cards(w, &grants)?,
                })
            },
        )
    }

    /// Records that a revoked card will not come back.
    pub fn report_card_lost(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        id: AccessMethodId,
    ) -> Result<AccessMethodRecord> {
        let context = operator.context(now);
        let request = serde_json::json!({ "access_method_id": id });
        self.context_change(
            Permission::FrontDesk,
            &context,
            "access_method.lost",
            Some(id.to_string()),
            &request,
            |w| {
                let before = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                let refusal = if before.mode != AccessMode::Card || !before.is_issued() {
                    Some("only an encoded card can be lost")
                } else if before.revoked_at.is_none() {
                    Some("this card's stay is live: reissue the stay's cards instead (lost key)")
                } else if before.collected_at.is_some() {
                    Some("this card was collected; it is back at the desk")
                } else {
                    None
                };
                if let Some(message) = refusal {
                    return Err(Error::invalid("access_method_id", message));
                }
                w.mark_lost(id, now)?;
                refresh_collection(w, before.access_grant_id, now)?;
                let after = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                w.audit(
                    &audit_ok(
                        &context,
                        "access_method.lost",
                        id,
                        crate::to_json(&before),
                        crate::to_json(&after),
                    ),
                    now,
                )?;
                Ok(after)
            },
        )
    }
}
