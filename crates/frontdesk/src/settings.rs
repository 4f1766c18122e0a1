//! The desk's settings (such as whether the local API runs), and small look-ups the
//! desktop app shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

    /// The property's change counter: it grows with every change (and refusal) recorded, by
    /// this process or any other on the same database.
    pub fn change_version(&self) -> Result<i64> {
        self.store.read(|r| Ok(r.audit_last_id()?))
    }

    /// The access method of the card last written onto this plastic: none if the desk never
    /// wrote it, or if the last card is a cancel card (which belongs to no access method).
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
        Ok(self.card_description(card_id)?.map(|card| card.holder))
    }

    /// A card as a person tells it from the others: whose, for which rooms, its dates and
    /// whether it is still the holder's key. `None` for a card the desk never wrote.
    pub fn card_description(&self, card_id: &str) -> Result<Option<CardDescription>> {
        self.card_description_of(card_id, None)
    }

    /// [`FrontDesk::card_description`] of the card the encode `op_id` wrote on the plastic
    /// (its newest card for `None`): plastics are written again for other guests.
    pub fn card_description_of(
        &self,
        card_id: &str,
        op_id: Option<uuid::Uuid>,
    ) -> Result<Option<CardDescription>> {
        self.store.read(|r| {
            // Newest first: without an op, what the plastic carries now.
            let Some(card) = r
                .cards_by_uid(card_id)?
                .into_iter()
                .find(|card| op_id.is_none_or(|op_id| card.op_id == op_id))
            else {
                return Ok(None);
            };
            let dates = |holder: String, rooms: Vec<String>, status| CardDescription {
                holder,
                rooms,
                valid_from: card.valid_from,
                valid_until: card.valid_until,
                status,
            };
            let Some(method) = card.access_method_id else {
                if let Some(spare) = r.spare_of_card(card.op_id)? {
                    let room = r
                        .space(spare.space_id)?
                        .map_or_else(|| "a room".to_owned(), |space| space.name);
                    return Ok(Some(dates(
                        format!("Spare {} of {room}", spare.number),
                        vec![room],
                        CardStatus::Other,
                    )));
                }
                let what = match card.kind {
                    store::CardPurpose::Cancel => "Cancel card",
                    store::CardPurpose::LockOut => "Lock-out card",
                    store::CardPurpose::LockOutLift => "Lift card",
                    _ => return Ok(None),
                };
                return Ok(Some(dates(what.to_owned(), Vec::new(), CardStatus::Other)));
            };
            let Some(method) = r.access_method(method)? else {
                return Ok(None);
            };
            let grant = r
                .access_grant(method.access_grant_id)?
                .ok_or_else(|| Error::not_found("access_grant", method.access_grant_id))?;
            let holder = r
                .user_identity(grant.user_identity_id)?
                .and_then(|user| user.full_name)
                .unwrap_or_else(|| "A guest".to_owned());
            let mut rooms = Vec::new();
            for id in &grant.space_ids {
                if let Some(space) = r.space(*id)? {
                    rooms.push(space.name);
                }
            }
            let status = if card.collected_at.is_some() {
                CardStatus::Returned
            } else if card.lost_at.is_some() {
                CardStatus::Lost
            } else if method.card_id.as_deref() != Some(card_id) || card.superseded_at.is_some() {
                CardStatus::Replaced
            } else if grant.deleted_at.is_some() && !stay_goes_on(r, &grant)? {
                CardStatus::Ended
            } else if method.revoked_at.is_some() {
                CardStatus::Withdrawn
            } else if method.is_encoding_required {
                CardStatus::OldDates
            } else {
                CardStatus::Current
            };
            Ok(Some(dates(holder, rooms, status)))
        })
    }
}

/// Whether the grant's stay goes on under other grants: a move or a reissue ended this one.
fn stay_goes_on(r: &store::Reader<'_>, grant: &store::AccessGrantRecord) -> Result<bool> {
    Ok(match &grant.reservation_key {
        Some(key) => r.live_reservation(key)?.is_some(),
        None => false,
    })
}

/// A card told apart from the others: the door simulator's and the card reader's words for it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDescription {
    /// Whose card, or what card ("Spare 2 of Room 101", "Cancel card").
    pub holder: String,
    /// The rooms it was made for.
    pub rooms: Vec<String>,
    /// The dates written on the card.
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub status: CardStatus,
}

/// Whether a card is still its holder's key, as the desk's records say.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// The holder's key, with the stay's dates.
    Current,
    /// The holder's key, with dates the stay no longer has: to encode again.
    OldDates,
    /// Another plastic carries the key now.
    Replaced,
    /// Given back at the desk.
    Returned,
    Lost,
    /// Taken away while the stay goes on (a move, a card withdrawn).
    Withdrawn,
    /// The stay is over.
    Ended,
    /// Not a guest's or staff member's card: a spare, cancel, lock-out or lift card.
    Other,
}
