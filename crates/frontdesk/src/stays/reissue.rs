//! New cards for a stay: a lost key reissued, or cards remade that an earlier stay locks out.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::detail::{StayDetail, stay_detail, stay_grants};
use super::moves::remade_methods;
use crate::grants::{capable_doors, create, delete};
use crate::operators::{Operator, Permission};
use crate::warnings::refresh_collection;
use crate::{AccessGrantRecord, Context, CreateAccessGrant, FrontDesk, Result};

impl FrontDesk {
    /// A lost key: every card of the stay (copies included) is reissued under a new
    /// reservation, whose first card used at the door overrides the lost one; the stay keeps
    /// its dates. The lost cards are recorded as lost.
    pub fn reissue_stay(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
    ) -> Result<StayDetail> {
        self.renew_cards(
            &operator.context(now),
            reservation_key,
            "stay.reissue",
            true,
        )
    }

    /// [`FrontDesk::reissue_stay`] by whoever acts (an operator, the PMS link).
    pub fn reissue_stay_by(&self, context: &Context, reservation_key: &str) -> Result<StayDetail> {
        self.renew_cards(context, reservation_key, "stay.reissue", true)
    }

    /// New cards for a stay whose cards a stay placed before it would lock out (cards made
    /// ahead for a later arrival): as a reissue, under a new reservation whose numbers follow
    /// the earlier stay's, but the old cards are not lost: they are to be collected, and stay
    /// in the warnings while a door still takes them.
    pub fn remake_cards(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
    ) -> Result<StayDetail> {
        self.renew_cards(
            &operator.context(now),
            reservation_key,
            "stay.remake_cards",
            false,
        )
    }

    fn renew_cards(
        &self,
        context: &Context,
        reservation_key: &str,
        action: &str,
        lost: bool,
    ) -> Result<StayDetail> {
        let now = context.now;
        let request = serde_json::json!({ "reservation_key": reservation_key });
        self.context_change(
            Permission::FrontDesk,
            context,
            action,
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                // What each guest holds now, read before the deletes revoke it.
                let mut remade = BTreeMap::new();
                for grant in &grants {
                    remade.insert(grant.id, remade_methods(w, grant)?);
                }
                for grant in &grants {
                    delete(w, context, grant.id)?;
                    if lost {
                        for method in w.access_methods_of_grant(grant.id)? {
                            if method.is_issued() && method.collected_at.is_none() {
                                w.mark_lost(method.id, now)?;
                            }
                        }
                    }
                    refresh_collection(w, grant.id, now)?;
                }
                // The guest with the most room doors establishes the new reservation, so that
                // the others (on some of its doors) can join it.
                let mut order: Vec<&AccessGrantRecord> = grants.iter().collect();
                order.sort_by_key(|grant| std::cmp::Reverse(capable_doors(grant).len()));
                for grant in order {
                    create(
                        w,
                        context,
                        &CreateAccessGrant {
                            user_identity_id: Some(grant.user_identity_id),
                            acs_entrance_ids: grant.entrance_ids(),
                            space_ids: grant.space_ids.clone(),
                            // The stay keeps its dates: only its cards change.
                            starts_at: Some(grant.starts_at),
                            ends_at: Some(grant.ends_at),
                            requested_access_methods: remade
                                .remove(&grant.id)
                                .unwrap_or_else(|| grant.requested_access_methods.clone()),
                            reservation_key: Some(reservation_key.to_owned()),
                            name: grant.name.clone(),
                            ..Default::default()
                        },
                    )?;
                }
                stay_detail(w, reservation_key, now)
            },
        )
    }
}
