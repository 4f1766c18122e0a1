//! Every card accounted for until no door accepts it: the plastic that is no longer anyone's
//! key (its access method revoked, the card reported lost, or replaced by a card written on
//! other plastic) while the lock model says it may still open a door, what stops it there,
//! and marking one card collected or lost.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use engine::lock::{self, LockConfig, StillOpens};
use engine::model::{AccessGrantId, AccessMethodId, EntranceId, ReservationId, SpaceId};
use engine::warnings::{DoorReservation, WarningCode};
use serde::Serialize;
use store::{AccessMethodRecord, CardRecord, GrantFilter, Reader};

use crate::operators::{Operator, Permission};
use crate::warnings::refresh_collection;
use crate::zones::lock_door;
use crate::{Error, FrontDesk, Result, audit_ok, to_json};

/// Why a card is no longer anyone's key.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardOutReason {
    /// Its stay moved, was checked out or reissued, or the card was deleted.
    NotReturned,
    /// A newer card of the same key was written on other plastic (new dates, a re-encode).
    Replaced,
    /// Reported lost: it will not come back.
    Lost,
}

/// A card out of use that may still open doors.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardOut {
    /// The plastic's UID in hex.
    pub card_id: String,
    pub access_grant_id: AccessGrantId,
    pub access_method_id: Option<AccessMethodId>,
    pub reservation_key: Option<String>,
    pub guest: Option<String>,
    pub copy_number: Option<u32>,
    pub reason: CardOutReason,
    /// Since when it is out of use: the stay's end or move, the loss, the newer card.
    pub out_since: Option<DateTime<Utc>>,
    /// The rooms it was made for.
    pub rooms: Vec<String>,
    /// Each door that may still accept it.
    pub doors: Vec<DoorStillOpen>,
    /// The doors a cancel card can close to it now: room doors no stay holds.
    pub cancel_entrance_ids: Vec<EntranceId>,
}

/// One door a card out of use may still open, and until when.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorStillOpen {
    pub acs_entrance_id: EntranceId,
    pub name: String,
    /// `card_end`: until the card's end (a common door); `newer_card`: until a newer stay's
    /// card or a cancel card is used there, the card's end at the latest; `once`: a one-shot
    /// card, until it is used there, the card's end at the latest.
    pub until: DoorUntil,
    /// The card's end; `null` for a card with no end.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub at_latest: DateTime<Utc>,
    /// The stay that holds this room door now, if any.
    pub held_by: Option<DoorHolder>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DoorUntil {
    CardEnd,
    NewerCard,
    Once,
}

/// A live stay on a room door.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorHolder {
    pub reservation_key: String,
    pub guests: Vec<String>,
    pub starts_at: DateTime<Utc>,
    /// The card belongs to this very reservation: its cards join the old card instead of
    /// stopping it, so only collecting it or its end stops it there.
    pub same_reservation: bool,
}

/// An uncollected plastic of a grant that is no longer anyone's key, as the lock model
/// judges it at `now`.
pub(crate) struct PlasticOut {
    pub card: CardRecord,
    pub method: AccessMethodRecord,
    pub reason: CardOutReason,
    pub reservation_id: Option<ReservationId>,
    /// Each door that may still accept it: the door, whether it takes part in override, and
    /// until when.
    pub doors: Vec<(EntranceId, String, StillOpens)>,
    pub clock_skew: Duration,
}

/// Every plastic written for the grant's cards that is out of use (revoked, lost or replaced),
/// not back at the desk and not written over since, with the doors that may still accept it.
/// A card whose doors are all closed to it is left out.
pub(crate) fn plastics_out(
    r: &Reader<'_>,
    grant_id: AccessGrantId,
    now: DateTime<Utc>,
) -> Result<Vec<PlasticOut>> {
    let methods = r.access_methods_of_grant(grant_id)?;
    let mut out = Vec::new();
    for card in r.cards_of_grant(grant_id)? {
        let Some(method) = methods
            .iter()
            .find(|method| Some(method.id) == card.access_method_id)
        else {
            continue;
        };
        let reason = if card.lost_at.is_some() {
            CardOutReason::Lost
        } else if card.superseded_at.is_some() {
            CardOutReason::Replaced
        } else if method.revoked_at.is_some() {
            CardOutReason::NotReturned
        } else {
            // The key's current card: someone's valid key.
            continue;
        };
        if card.collected_at.is_some() {
            continue;
        }
        // The plastic carries what was written on it last; an older record is gone from it.
        let carried = r
            .cards_by_uid(&card.card_uid)?
            .first()
            .is_some_and(|newest| newest.op_id == card.op_id);
        if !carried {
            continue;
        }
        let Some(operation) = r.encode_operation(card.op_id)? else {
            continue;
        };
        let data = encoder::card::read(&operation.image).map_err(Error::Card)?;
        let lock_card = data.to_lock_card();
        let config = LockConfig::new(lock_card.property_id, lock_card.format_version);
        // A staff card's zones open every door they cover, listed on the card or not, and an
        // emergency key every door.
        let on_card = crate::zones::doors_of_card(r, &data)?;
        let mut doors = Vec::new();
        for entrance_id in on_card {
            let Some(entrance) = r.entrance(entrance_id)? else {
                continue;
            };
            let door = lock_door(r, &entrance)?;
            let state = r.lock_state(entrance_id)?;
            if let Some(until) = lock::still_opens(&config, door, state, &lock_card, now) {
                doors.push((entrance_id, entrance.name, until));
            }
        }
        if doors.is_empty() {
            continue;
        }
        out.push(PlasticOut {
            method: method.clone(),
            reason,
            reservation_id: data.reservation_id,
            doors,
            clock_skew: config.clock_skew,
            card,
        });
    }
    Ok(out)
}

/// The cards out of use of these grants that may still open a door, as the desk shows them.
pub(crate) fn cards_out(
    r: &Reader<'_>,
    grants: &[AccessGrantId],
    now: DateTime<Utc>,
) -> Result<Vec<CardOut>> {
    let mut cards = Vec::new();
    for grant_id in grants {
        let Some(grant) = r.access_grant(*grant_id)? else {
            continue;
        };
        let guest = r
            .user_identity(grant.user_identity_id)?
            .and_then(|user| user.full_name);
        let mut rooms = Vec::new();
        for id in &grant.space_ids {
            if let Some(space) = r.space(*id)? {
                rooms.push(space.name);
            }
        }
        for plastic in plastics_out(r, *grant_id, now)? {
            let mut doors = Vec::new();
            let mut cancel_entrance_ids = Vec::new();
            for (entrance_id, name, until) in plastic.doors {
                let held_by = match until {
                    StillOpens::NewerCard { .. } => r
                        .door_reservations(entrance_id)?
                        .first()
                        .map(|live| door_holder(r, live, plastic.reservation_id))
                        .transpose()?,
                    StillOpens::CardEnd { .. } | StillOpens::Once { .. } => None,
                };
                let newer_card = matches!(until, StillOpens::NewerCard { .. });
                if newer_card && held_by.is_none() {
                    cancel_entrance_ids.push(entrance_id);
                }
                doors.push(DoorStillOpen {
                    acs_entrance_id: entrance_id,
                    name,
                    until: match until {
                        StillOpens::NewerCard { .. } => DoorUntil::NewerCard,
                        StillOpens::Once { .. } => DoorUntil::Once,
                        StillOpens::CardEnd { .. } => DoorUntil::CardEnd,
                    },
                    at_latest: until.at_latest(),
                    held_by,
                });
            }
            cards.push(CardOut {
                card_id: plastic.card.card_uid,
                access_grant_id: grant.id,
                access_method_id: Some(plastic.method.id),
                reservation_key: grant.reservation_key.clone(),
                guest: guest.clone(),
                copy_number: plastic.method.copy_number,
                reason: plastic.reason,
                out_since: match plastic.reason {
                    CardOutReason::Lost => plastic.card.lost_at.or(plastic.method.lost_at),
                    CardOutReason::Replaced => plastic.card.superseded_at,
                    CardOutReason::NotReturned => plastic.method.revoked_at,
                },
                rooms: rooms.clone(),
                doors,
                cancel_entrance_ids,
            });
        }
    }
    Ok(cards)
}

/// The cards out of use of every grant a stay ever had (the rooms it moved out of, the cards
/// a reissue replaced).
pub(crate) fn stay_cards_out(
    r: &Reader<'_>,
    reservation_key: &str,
    now: DateTime<Utc>,
) -> Result<Vec<CardOut>> {
    cards_out(r, &r.grant_ids_of_key_ever(reservation_key)?, now)
}

fn door_holder(
    r: &Reader<'_>,
    live: &DoorReservation,
    card_reservation: Option<ReservationId>,
) -> Result<DoorHolder> {
    Ok(DoorHolder {
        reservation_key: live.reservation_key.clone(),
        guests: reservation_guests(r, &live.reservation_key)?,
        starts_at: live.frame.starts_at,
        same_reservation: card_reservation == Some(live.reservation_id),
    })
}

/// The names of a stay's live guests, each once.
pub(crate) fn reservation_guests(r: &Reader<'_>, reservation_key: &str) -> Result<Vec<String>> {
    let filter = GrantFilter {
        reservation_key: Some(reservation_key.to_owned()),
        ..Default::default()
    };
    let mut names = Vec::new();
    for grant in r.access_grants(&filter)? {
        let name = r
            .user_identity(grant.user_identity_id)?
            .and_then(|user| user.full_name)
            .unwrap_or_else(|| "a guest".to_owned());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// Why a cancel card is refused at a room a stay holds, and the real way out, in the
/// receptionist's words: "Room 101 is booked for Tom Morrow from 7 Dec 15:00: …".
pub(crate) fn booked_door_words(
    r: &Reader<'_>,
    door_name: &str,
    live: &DoorReservation,
) -> Result<String> {
    let zone: Tz = r
        .property()?
        .and_then(|property| property.time_zone.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let guests = reservation_guests(r, &live.reservation_key)?;
    let who = match guests.as_slice() {
        [] => "a guest".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let from = live
        .frame
        .starts_at
        .with_timezone(&zone)
        .format("%-d %b %H:%M");
    Ok(format!(
        "{door_name} is booked for {who} from {from}: their first card used at the door stops \
         the old cards there. A cancel card would lock {who} out too."
    ))
}

impl FrontDesk {
    /// The cards out of use that may still open a room's doors at `now` (its earlier guests',
    /// a stay that moved out, replaced and lost cards), for the room's panel.
    pub fn room_cards_out(
        &self,
        operator: &Operator,
        space_id: SpaceId,
        now: DateTime<Utc>,
    ) -> Result<Vec<CardOut>> {
        operator.require(Permission::FrontDesk)?;
        self.store.read(|r| {
            let room = r
                .space(space_id)?
                .ok_or_else(|| Error::not_found("space", space_id))?;
            let mut grants = BTreeSet::new();
            for door in &room.entrance_ids {
                grants.extend(r.grants_warned_at_door(WarningCode::CardsNotCollected, *door)?);
            }
            let grants: Vec<AccessGrantId> = grants.into_iter().collect();
            Ok(cards_out(r, &grants, now)?
                .into_iter()
                .filter(|card| {
                    card.doors
                        .iter()
                        .any(|door| room.entrance_ids.contains(&door.acs_entrance_id))
                })
                .collect())
        })
    }

    /// Records that a card out of use (`card_id`, the plastic's UID) came back to the desk.
    pub fn card_collected(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        card_id: &str,
    ) -> Result<()> {
        self.settle_card(operator, now, card_id, Settled::Collected)
    }

    /// Records that a card out of use (`card_id`, the plastic's UID) will not come back. Its
    /// warning stays while a door may still accept it.
    pub fn card_lost(&self, operator: &Operator, now: DateTime<Utc>, card_id: &str) -> Result<()> {
        self.settle_card(operator, now, card_id, Settled::Lost)
    }

    fn settle_card(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        card_id: &str,
        settled: Settled,
    ) -> Result<()> {
        let context = operator.context(now);
        let action = match settled {
            Settled::Collected => "card.collected",
            Settled::Lost => "card.lost",
        };
        let request = serde_json::json!({ "card_id": card_id });
        self.context_change(
            Permission::FrontDesk,
            &context,
            action,
            Some(card_id.to_owned()),
            &request,
            |w| {
                let card = w
                    .cards_by_uid(card_id)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| Error::not_found("card", card_id))?;
                let method_id = card.access_method_id.ok_or_else(|| {
                    Error::invalid("card_id", "this card belongs to no guest or staff member")
                })?;
                let method = w
                    .access_method(method_id)?
                    .ok_or_else(|| Error::not_found("access_method", method_id))?;
                let grant = method.access_grant_id;
                let refusal = if card.collected_at.is_some() {
                    Some("this card is already back at the desk")
                } else if card.lost_at.is_some() && settled == Settled::Lost {
                    Some("this card was already reported lost")
                } else if card.superseded_at.is_none() && method.revoked_at.is_none() {
                    Some("this card is a guest's valid key: check the stay out or reissue its cards first")
                } else {
                    None
                };
                if let Some(message) = refusal {
                    return Err(Error::invalid("card_id", message));
                }
                match settled {
                    Settled::Collected => w.mark_card_collected(card.op_id, now)?,
                    Settled::Lost => w.mark_card_lost(card.op_id, now)?,
                }
                // The access method's own card: its record says so too.
                if card.superseded_at.is_none() {
                    match settled {
                        Settled::Collected => w.mark_collected(method_id, now)?,
                        Settled::Lost => w.mark_lost(method_id, now)?,
                    }
                }
                refresh_collection(w, grant, now)?;
                let after = w
                    .card(card.op_id)?
                    .ok_or_else(|| Error::not_found("card", card_id))?;
                w.audit(
                    &audit_ok(
                        &context,
                        action,
                        card_id,
                        to_json(&card),
                        to_json(&after),
                    ),
                    now,
                )?;
                Ok(())
            },
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    Collected,
    Lost,
}
