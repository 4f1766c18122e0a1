//! Access methods: the deliverable credentials of a grant (cards, mobile keys, codes).

use std::collections::BTreeSet;

use engine::model::{AccessGrantId, AccessMethodId, AccessMode};
use store::{MethodFilter, NewAccessMethod, Writer};

use crate::grants::{capable_doors, live_grant};
use crate::operators::Permission;
use crate::warnings::{refresh_collection, refresh_doors, refresh_encoding};
use crate::{AccessMethodRecord, Context, Error, FrontDesk, Result, audit_ok, to_json};

impl FrontDesk {
    pub fn access_method(&self, id: AccessMethodId) -> Result<AccessMethodRecord> {
        self.store.read(|r| {
            r.access_method(id)?
                .filter(|method| method.revoked_at.is_none())
                .ok_or_else(|| Error::not_found("access_method", id))
        })
    }

    /// Access methods of live grants, by grant, space or entrance.
    pub fn access_methods(&self, filter: MethodFilter) -> Result<Vec<AccessMethodRecord>> {
        self.store.read(|r| {
            if let MethodFilter::Grant(id) = filter {
                live_grant(r, id)?;
            }
            Ok(r.access_methods(filter)?
                .into_iter()
                .filter(|m| m.revoked_at.is_none())
                .collect())
        })
    }

    /// Another card for a grant that already has one: the same doors and dates, the next
    /// copy number.
    pub fn add_card_copy(
        &self,
        context: &Context,
        grant_id: AccessGrantId,
    ) -> Result<AccessMethodRecord> {
        let request = serde_json::json!({ "access_grant_id": grant_id });
        self.change(context, "access_method.copy", Some(grant_id.to_string()), &request, |w| {
            context.require(Permission::FrontDesk)?;
            let grant = live_grant(w, grant_id)?;
            let cards: Vec<_> = w
                .access_methods_of_grant(grant_id)?
                .into_iter()
                .filter(|method| method.mode == AccessMode::Card)
                .collect();
            let Some(first) = cards.first() else {
                return Err(Error::invalid(
                    "access_grant_id",
                    "this access grant has no card to copy; create it with a card access method",
                ));
            };
            let copy_number = cards
                .iter()
                .filter_map(|card| card.copy_number)
                .max()
                .unwrap_or(0)
                + 1;
            let method = NewAccessMethod {
                request_index: first.request_index,
                mode: AccessMode::Card,
                code: None,
                copy_number: Some(copy_number),
            };
            let id = w.insert_access_method(grant.id, &method, context.now)?;
            // A stay whose cards were all revoked plays in its doors' timelines again.
            refresh_doors(w, &capable_doors(&grant), context.now)?;
            let created = w
                .access_method(id)?
                .ok_or_else(|| Error::not_found("access_method", id))?;
            w.audit(
                &audit_ok(context, "access_method.copy", id, None, to_json(&created)),
                context.now,
            )?;
            Ok(created)
        })
    }

    /// Records that a revoked card came back to the desk.
    pub fn mark_card_collected(
        &self,
        context: &Context,
        id: AccessMethodId,
    ) -> Result<AccessMethodRecord> {
        let request = serde_json::json!({ "access_method_id": id });
        self.change(
            context,
            "access_method.collected",
            Some(id.to_string()),
            &request,
            |w| {
                context.require(Permission::FrontDesk)?;
                let before = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                let refusal = if before.mode != AccessMode::Card {
                    Some(format!(
                        "is a {} access method; only cards are collected",
                        before.mode
                    ))
                } else if !before.is_issued() {
                    Some("this card was never encoded, so there is nothing to collect".to_owned())
                } else if before.revoked_at.is_none() {
                    Some(
                    "this card is still valid; delete it (revoke it) before marking it collected"
                        .to_owned(),
                )
                } else {
                    None
                };
                if let Some(message) = refusal {
                    return Err(Error::invalid("access_method_id", message));
                }
                w.mark_collected(id, context.now)?;
                refresh_collection(w, before.access_grant_id, context.now)?;
                let after = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                w.audit(
                    &audit_ok(
                        context,
                        "access_method.collected",
                        id,
                        to_json(&before),
                        to_json(&after),
                    ),
                    context.now,
                )?;
                Ok(after)
            },
        )
    }

    /// Revokes one access method.
    pub fn delete_access_method(
        &self,
        context: &Context,
        id: AccessMethodId,
    ) -> Result<Vec<AccessMethodRecord>> {
        self.revoke(
            context,
            id.to_string(),
            serde_json::json!({ "access_method_id": id }),
            |w| Ok(vec![live_method(w, id)?]),
        )
    }

    /// Revokes every access method of one grant; the grant stays.
    pub fn delete_access_methods_of_grant(
        &self,
        context: &Context,
        grant_id: AccessGrantId,
    ) -> Result<Vec<AccessMethodRecord>> {
        self.revoke(
            context,
            grant_id.to_string(),
            serde_json::json!({ "access_grant_id": grant_id }),
            |w| {
                live_grant(w, grant_id)?;
                Ok(w.access_methods(MethodFilter::Grant(grant_id))?)
            },
        )
    }

    /// Revokes every access method of every live grant of a reservation.
    pub fn delete_access_methods_of_reservation(
        &self,
        context: &Context,
        reservation_key: &str,
    ) -> Result<Vec<AccessMethodRecord>> {
        self.revoke(
            context,
            reservation_key.to_owned(),
            serde_json::json!({ "reservation_key": reservation_key }),
            |w| {
                let filter = store::GrantFilter {
                    reservation_key: Some(reservation_key.to_owned()),
                    ..Default::default()
                };
                let grants = w.access_grants(&filter)?;
                if grants.is_empty() {
                    return Err(Error::not_found("reservation", reservation_key));
                }
                let mut methods = Vec::new();
                for grant in grants {
                    methods.extend(w.access_methods(MethodFilter::Grant(grant.id))?);
                }
                Ok(methods)
            },
        )
    }

    /// Revokes what `select` picks; `subject` is what the audit record is about (the access
    /// method, grant or reservation key asked for), so that its history can be looked up.
    fn revoke(
        &self,
        context: &Context,
        subject: String,
        request: serde_json::Value,
        select: impl FnOnce(&Writer<'_>) -> Result<Vec<AccessMethodRecord>>,
    ) -> Result<Vec<AccessMethodRecord>> {
        self.change(
            context,
            "access_method.delete",
            Some(subject.clone()),
            &request,
            |w| {
                let before: Vec<_> = select(w)?
                    .into_iter()
                    .filter(|m| m.revoked_at.is_none())
                    .collect();
                let mut after = Vec::with_capacity(before.len());
                for method in &before {
                    w.revoke_access_method(method.id, context.now)?;
                    w.set_encoding_required(method.id, false)?;
                }
                let mut grants: Vec<_> =
                    before.iter().map(|method| method.access_grant_id).collect();
                grants.dedup();
                let mut doors = BTreeSet::new();
                for grant_id in grants {
                    refresh_encoding(w, grant_id, context.now)?;
                    refresh_collection(w, grant_id, context.now)?;
                    if let Some(grant) = w.access_grant(grant_id)? {
                        doors.extend(capable_doors(&grant));
                    }
                }
                // A stay whose last card went no longer plays in its doors' timelines.
                refresh_doors(w, &doors, context.now)?;
                for method in &before {
                    after.push(
                        w.access_method(method.id)?
                            .ok_or_else(|| Error::not_found("access_method", method.id))?,
                    );
                }
                w.audit(
                    &audit_ok(
                        context,
                        "access_method.delete",
                        &subject,
                        to_json(&before),
                        to_json(&after),
                    ),
                    context.now,
                )?;
                Ok(after)
            },
        )
    }
}

fn live_method(w: &Writer<'_>, id: AccessMethodId) -> Result<AccessMethodRecord> {
    w.access_method(id)?
        .filter(|method| method.revoked_at.is_none())
        .ok_or_else(|| Error::not_found("access_method", id))
}
