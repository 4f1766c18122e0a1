//! The desk's settings (such as whether the local API runs), and small look-ups the
//! desktop app shows.

use crate::{Context, Error, FrontDesk, Result, audit_ok};

impl FrontDesk {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.store.read(|r| Ok(r.setting(key)?))
    }

    /// Changes a setting, with its audit record.
    pub fn set_setting(&self, context: &Context, key: &str, value: &str) -> Result<()> {
        let request = serde_json::json!({ "key": key, "value": value });
        self.change(
            context,
            "setting.set",
            Some(key.to_owned()),
            &request,
            |w| {
                let before = w.setting(key)?;
                w.set_setting(key, value, context.now)?;
                w.audit(
                    &audit_ok(
                        context,
                        "setting.set",
                        key,
                        Some(serde_json::json!({ key: before })),
                        Some(request.clone()),
                    ),
                    context.now,
                )?;
                Ok(())
            },
        )
    }

    /// The access method of the card last written onto this plastic: none if the desk never
    /// wrote it, or if the last card is a cancel card (which belongs to no access method).
    /// The property's change counter: it grows with every change (and refusal) recorded, by
    /// this process or any other on the same database.
    pub fn change_version(&self) -> Result<i64> {
        self.store.read(|r| Ok(r.audit_last_id()?))
    }

    pub fn card_method(&self, card_id: &str) -> Result<Option<engine::model::AccessMethodId>> {
        self.store.read(|r| {
            Ok(r.cards_by_uid(card_id)?
                .into_iter()
                .next()
                .and_then(|card| card.access_method_id))
        })
    }

    /// Whose card this is: the guest or staff member of the access method its newest card
    /// was written for, if the desk wrote it; a spare, cancel, lock-out or lift card says what
    /// it is.
    pub fn card_holder(&self, card_id: &str) -> Result<Option<String>> {
        self.store.read(|r| {
            // The newest card written on the plastic is what it carries.
            let Some(card) = r.cards_by_uid(card_id)?.into_iter().next() else {
                return Ok(None);
            };
            let Some(method) = card.access_method_id else {
                if let Some(spare) = r.spare_of_card(card.op_id)? {
                    let room = r
                        .space(spare.space_id)?
                        .map_or_else(|| "a room".to_owned(), |space| space.name);
                    return Ok(Some(format!("Spare {} of {room}", spare.number)));
                }
                return Ok(match card.kind {
                    store::CardPurpose::Cancel => Some("Cancel card".to_owned()),
                    store::CardPurpose::LockOut => Some("Lock-out card".to_owned()),
                    store::CardPurpose::LockOutLift => Some("Lift card".to_owned()),
                    _ => None,
                });
            };
            let Some(method) = r.access_method(method)? else {
                return Ok(None);
            };
            let grant = r
                .access_grant(method.access_grant_id)?
                .ok_or_else(|| Error::not_found("access_grant", method.access_grant_id))?;
            Ok(r.user_identity(grant.user_identity_id)?
                .and_then(|user| user.full_name))
        })
    }
}
