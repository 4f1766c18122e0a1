//! The spare cards in the safe: what each would do if handed out now, recording one handed to
//! a guest while the desk was down (the stay it made), and taking one out of the safe.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use engine::lock::LockConfig;
use engine::model::EntranceId;
use engine::spares::{SpareDoor, SpareState, spare_outlook};
use serde::{Deserialize, Serialize};
use store::{Reader, SpareRecord, Writer};
use uuid::Uuid;

use crate::accounting::reservation_guests;
use crate::operators::{Operator, Permission};
use crate::stays::{StayDetail, check_in_within, new_reservation_key, stay_detail};
use crate::warnings::{refresh_doors, refresh_encoding};
use crate::{CheckIn, Error, FrontDesk, NewGuest, Result, audit_ok, to_json};

/// A spare card in the safe, as the spares screen lists it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpareCardView {
    pub id: Uuid,
    pub space_id: Uuid,
    pub room_name: String,
    /// Spare 1, 2, … of the room: hand them out in this order.
    pub number: u32,
    /// The plastic's UID.
    pub card_id: String,
    pub made_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub state: SpareState,
    /// The state in words, with what to do.
    pub status: String,
    /// Handed out now, the guests whose cards it would lock out: "Ann Lee".
    pub locks_out: Vec<String>,
}

/// A spare handed to a guest while the desk was down, as the manager records it afterwards.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpareHandedOut {
    pub spare_id: Uuid,
    pub full_name: String,
    /// When it was handed over: the stay starts then.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl FrontDesk {
    /// The spares in the safe, oldest first, each with what it would do handed out at `now`.
    pub fn spare_cards(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
    ) -> Result<Vec<SpareCardView>> {
        operator.require(Permission::Manage)?;
        self.store.read(|r| {
            r.spare_cards()?
                .into_iter()
                .filter(SpareRecord::in_safe)
                .map(|spare| spare_view(r, &spare, now))
                .collect()
        })
    }

    /// Records that a spare was handed to a guest while the desk was down: the stay it made
    /// is checked in (from when it was handed), its reservation takes the spare's numbers as
    /// if its first card had been encoded then, and the spare is that stay's card. A manager's,
    /// as it may record a stay over one the spare locked out.
    pub fn hand_out_spare(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        request: &SpareHandedOut,
    ) -> Result<StayDetail> {
        let context = operator.context(now);
        self.context_change(
            Permission::Manage,
            &context,
            "spare.hand_out",
            Some(request.spare_id.to_string()),
            request,
            |w| {
                let spare = spare_in_safe(w, request.spare_id)?;
                if request.full_name.trim().is_empty() {
                    return Err(Error::invalid("full_name", "enter the guest's name"));
                }
                if request.starts_at > now {
                    return Err(Error::invalid(
                        "starts_at",
                        "a spare is recorded once it was handed over: choose a time before now",
                    ));
                }
                // A form keeps whole minutes: a spare made at 14:02:30 was there at 14:02.
                if request.starts_at + chrono::Duration::minutes(1) <= spare.made_at {
                    return Err(Error::invalid(
                        "starts_at",
                        "the spare did not exist yet then: choose a time after it was made",
                    ));
                }
                let operation = w
                    .encode_operation(spare.op_id)?
                    .ok_or_else(|| Error::not_found("spare_card", spare.id))?;
                let data = encoder::card::read(&operation.image).map_err(Error::Card)?;
                let key = new_reservation_key();
                let check_in = CheckIn {
                    space_id: spare.space_id,
                    starts_at: request.starts_at,
                    ends_at: request.ends_at,
                    guests: vec![NewGuest {
                        full_name: request.full_name.clone(),
                        email_address: None,
                        phone_number: None,
                    }],
                    common_entrance_ids: data.common_doors.clone(),
                    cards_per_guest: 1,
                    reservation_key: Some(key.clone()),
                    // The spare overrode whoever was in the room: that is what happened.
                    allow_overlap: true,
                };
                // The form's fields are the check-in's: its dates name themselves.
                let stay = check_in_within(w, &context, &check_in, &key, &[])?;
                let reservation = w
                    .live_reservation(&key)?
                    .ok_or_else(|| Error::not_found("stay", &key))?;
                w.number_reservation_doors(reservation.id, &spare.doors)?;
                let method = stay
                    .guests
                    .first()
                    .and_then(|guest| guest.cards.first())
                    .ok_or_else(|| Error::Internal("a check-in made no card".to_owned()))?
                    .id;
                w.attach_card(spare.op_id, method)?;
                w.mark_issued(method, &operation.card_uid, request.starts_at)?;
                // A stay that outlasts the spare needs a card made at the desk before then.
                if request.ends_at > spare.valid_until {
                    w.set_encoding_required(method, true)?;
                }
                w.mark_spare_handed(spare.id, &key, request.starts_at)?;
                let doors: BTreeSet<EntranceId> = spare.doors.keys().copied().collect();
                refresh_doors(w, &doors, now)?;
                let grant = stay
                    .guests
                    .first()
                    .map(|guest| guest.access_grant_id)
                    .ok_or_else(|| Error::Internal("a check-in made no guest".to_owned()))?;
                refresh_encoding(w, grant, now)?;
                let handed = stay_detail(w, &key, now)?;
                w.audit(
                    &audit_ok(
                        &context,
                        "spare.hand_out",
                        spare.id,
                        None,
                        to_json(&serde_json::json!({
                            "reservation_key": key,
                            "room": handed.room_name,
                            "spare": spare.number,
                        })),
                    ),
                    now,
                )?;
                Ok(handed)
            },
        )
    }

    /// Takes a spare out of the safe for good (destroyed, or replaced by newer ones): it is
    /// no one's key any more, and its card is back at the desk.
    pub fn void_spare(&self, operator: &Operator, now: DateTime<Utc>, id: Uuid) -> Result<()> {
        let context = operator.context(now);
        let request = serde_json::json!({ "spare_id": id });
        self.context_change(
            Permission::Manage,
            &context,
            "spare.void",
            Some(id.to_string()),
            &request,
            |w| {
                let spare = spare_in_safe(w, id)?;
                w.void_spare(id, now)?;
                w.mark_card_collected(spare.op_id, now)?;
                w.audit(&audit_ok(&context, "spare.void", id, None, None), now)?;
                Ok(())
            },
        )
    }
}

/// The spare `id`, refused naming `spare_id` unless it is still in the safe.
fn spare_in_safe(w: &Writer<'_>, id: Uuid) -> Result<SpareRecord> {
    let unknown = || Error::invalid("spare_id", format!("no spare card with id {id}"));
    let spare = w.spare_card(id)?.ok_or_else(unknown)?;
    let written = w
        .encode_operation(spare.op_id)?
        .is_some_and(|operation| operation.state == store::EncodeState::Written);
    if !written {
        return Err(unknown());
    }
    if let Some(key) = &spare.reservation_key {
        return Err(Error::invalid(
            "spare_id",
            format!("this spare was already handed out (stay {key})"),
        ));
    }
    if spare.voided_at.is_some() {
        return Err(Error::invalid(
            "spare_id",
            "this spare was taken out of the safe",
        ));
    }
    Ok(spare)
}

/// A spare as the screen shows it: the lock model's outlook at each of its doors.
fn spare_view(r: &Reader<'_>, spare: &SpareRecord, now: DateTime<Utc>) -> Result<SpareCardView> {
    let room_name = r
        .space(spare.space_id)?
        .map_or_else(|| "Room".to_owned(), |space| space.name);
    let operation = r
        .encode_operation(spare.op_id)?
        .ok_or_else(|| Error::not_found("spare_card", spare.id))?;
    let data = encoder::card::read(&operation.image).map_err(Error::Card)?;
    let card = data.to_lock_card();
    let config = LockConfig::new(card.property_id, card.format_version);
    let mut doors = Vec::new();
    let mut keys = Vec::new();
    for entrance_id in spare.doors.keys() {
        let stays = r.door_reservations(*entrance_id)?;
        for stay in &stays {
            keys.push((stay.reservation_id, stay.reservation_key.clone()));
        }
        doors.push(SpareDoor {
            entrance_id: *entrance_id,
            last_handed: r.last_reservation_sequence(*entrance_id)?,
            lock: r.known_lock_state(*entrance_id)?,
            stays: stays
                .iter()
                .map(|stay| (stay.reservation_id, stay.sequence))
                .collect(),
        });
    }
    let (state, passed) = spare_outlook(&config, &card, &doors, now);
    let mut locks_out = Vec::new();
    for reservation in passed {
        if let Some((_, key)) = keys.iter().find(|(id, _)| *id == reservation) {
            for name in reservation_guests(r, key)? {
                if !locks_out.contains(&name) {
                    locks_out.push(name);
                }
            }
        }
    }
    let door_name = |id: &EntranceId| -> Result<String> {
        Ok(r.entrance(*id)?
            .map_or_else(|| "its door".to_owned(), |entrance| entrance.name))
    };
    let status = match state {
        SpareState::Ready if locks_out.is_empty() => {
            format!("Ready: handed out, it opens {room_name} as the next guest's key.")
        }
        SpareState::Ready => format!(
            "Ready: handed out, it opens {room_name} and locks out {}'s cards at its first use.",
            locks_out.join(" and ")
        ),
        SpareState::Expired => {
            "Out of date: its end has passed. Take it out of the safe and make a new one."
                .to_owned()
        }
        SpareState::Overtaken { entrance_id, .. } => format!(
            "Out of date: a newer card was made for {} (a guest checked in since), so the lock \
             refuses this spare once that card is used. Take it out of the safe and make a new one.",
            door_name(&entrance_id)?
        ),
        SpareState::UsedAtDoor { entrance_id } => format!(
            "Used at {}: it was handed out. Record to whom.",
            door_name(&entrance_id)?
        ),
        SpareState::TooFarAhead { entrance_id, .. } => format!(
            "Out of date: the lock of {} is too far behind to take it. Take it out of the safe and make a new one.",
            door_name(&entrance_id)?
        ),
    };
    Ok(SpareCardView {
        id: spare.id,
        space_id: spare.space_id,
        room_name,
        number: spare.number,
        card_id: operation.card_uid,
        made_at: spare.made_at,
        valid_until: spare.valid_until,
        state,
        status,
        locks_out,
    })
}
