//! Reading a card back: what it carries, whether it is authentic, whose it is, what its doors do.

use chrono::{DateTime, Utc};
use encoder::CardUid;
use encoder::card::{self, CardKind};
use engine::lock::{self, Decision, Door, DoorPlace, Judgement, Reason};
use engine::model::{AccessGrantId, AccessMethodId, EntranceId};
use serde::Serialize;
use store::Reader;
use uuid::Uuid;

use super::station::CardStation;
use crate::operators::Permission;
use crate::zones::lock_door;
use crate::{Context, FrontDesk, Result};

/// A card as read back from the encoder.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardReport {
    pub card_id: String,
    /// Blank, or nothing this desk can read.
    pub blank: bool,
    /// The MAC verified under the property's keys, for this very card.
    pub authentic: bool,
    /// Why the card is not authentic or not readable, in plain words.
    pub problem: Option<String>,
    /// The card's content, when readable.
    pub content: Option<CardContent>,
    /// The desk's record of this card; `None` for a card it never wrote.
    pub access_method_id: Option<AccessMethodId>,
    pub access_grant_id: Option<AccessGrantId>,
    pub reservation_key: Option<String>,
    pub user_full_name: Option<String>,
    /// What each door on the card would do with it now, given the simulated locks' state.
    pub doors: Vec<DoorVerdict>,
    /// Why the card differs from what the desk would write now (new dates, revoked, replaced).
    pub out_of_sync: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardContent {
    pub kind: CardKind,
    pub copy_number: u16,
    pub key_epoch: u32,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    /// `null` for a card with no end.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub valid_until: DateTime<Utc>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorVerdict {
    pub acs_entrance_id: EntranceId,
    pub name: String,
    pub sequence: Option<u32>,
    pub decision: Decision,
    pub reason: Reason,
    pub explanation: String,
}

impl FrontDesk {
    /// Reads the card on the encoder: what it carries, whether it is authentic, whose it is,
    /// and what each of its doors would do with it at the context's `now`.
    pub fn read_card(&self, context: &Context, station: &CardStation) -> Result<CardReport> {
        context.require(Permission::FrontDesk)?;
        let now = context.now;
        let (uid, image) =
            station.with_encoder(|encoder| encoder.read_card(station.card_timeout).map(Ok))?;
        self.store
            .read(|r| card_report(r, station, &uid, &image, now))
    }
}

fn card_report(
    r: &Reader<'_>,
    station: &CardStation,
    uid: &CardUid,
    image: &[u8],
    now: DateTime<Utc>,
) -> Result<CardReport> {
    let mut report = CardReport {
        card_id: uid.to_hex(),
        blank: image.iter().all(|byte| *byte == 0),
        authentic: false,
        problem: None,
        content: None,
        access_method_id: None,
        access_grant_id: None,
        reservation_key: None,
        user_full_name: None,
        doors: Vec::new(),
        out_of_sync: Vec::new(),
    };
    if report.blank {
        return Ok(report);
    }
    let data = match card::read(image) {
        Ok(data) => data,
        Err(error) => {
            report.problem = Some(format!(
                "The card holds nothing this desk can read ({error})."
            ));
            return Ok(report);
        }
    };
    match card::open(image, uid, &station.keys) {
        Ok(_) => report.authentic = true,
        Err(error) => {
            report.problem = Some(format!(
                "The card is not authentic ({error}): it was damaged, forged or copied. Keep it \
                 and make a new card."
            ));
        }
    }
    report.content = Some(CardContent {
        kind: data.kind,
        copy_number: data.copy_number,
        key_epoch: data.key_epoch,
        issued_at: data.issued_at,
        valid_from: data.valid_from,
        valid_until: data.valid_until,
    });

    let op_id = Uuid::from_bytes(data.op_id);
    let record = r
        .cards_by_uid(&uid.to_hex())?
        .into_iter()
        .find(|card| card.op_id == op_id);
    match &record {
        None => report
            .out_of_sync
            .push("This desk has no record of writing this card.".to_owned()),
        Some(card) if card.superseded_at.is_some() => report.out_of_sync.push(
            "A newer card was written for the same key; this one carries older data.".to_owned(),
        ),
        Some(_) => {}
    }
    if let Some(method_id) = record.and_then(|card| card.access_method_id)
        && let Some(method) = r.access_method(method_id)?
    {
        report.access_method_id = Some(method.id);
        report.access_grant_id = Some(method.access_grant_id);
        if method.revoked_at.is_some() {
            report
                .out_of_sync
                .push("This card was revoked: collect it.".to_owned());
        }
        if method.is_encoding_required {
            report
                .out_of_sync
                .push("The stay's dates changed: re-encode this card.".to_owned());
        }
        if let Some(grant) = r.access_grant(method.access_grant_id)? {
            report.reservation_key = grant.reservation_key.clone();
            if let Some(user) = r.user_identity(grant.user_identity_id)? {
                report.user_full_name = user.full_name;
            }
        }
    }

    let lock_card = data.to_lock_card();
    let config = crate::zones::lock_config(r, &station.keys, now)?;
    let doors = crate::zones::doors_of_card(r, &data)?;
    for entrance_id in doors {
        let sequence = data
            .capable_doors
            .iter()
            .find(|door| door.entrance_id == entrance_id)
            .map(|door| door.sequence);
        let entrance = r.entrance(entrance_id)?;
        let door = match &entrance {
            Some(entrance) => lock_door(r, entrance)?,
            None => Door {
                entrance_id,
                can_belong_to_reservation: false,
                place: DoorPlace::Other,
            },
        };
        let judgement = if report.authentic {
            lock::judge(&config, door, r.lock_state(entrance_id)?, &lock_card, now)
        } else {
            Judgement {
                decision: Decision::Denied,
                reason: Reason::NotAuthentic,
                state: Default::default(),
            }
        };
        report.doors.push(DoorVerdict {
            acs_entrance_id: entrance_id,
            name: entrance.map_or_else(|| entrance_id.to_string(), |entrance| entrance.name),
            sequence,
            decision: judgement.decision,
            reason: judgement.reason,
            explanation: judgement.reason.explain(),
        });
    }
    Ok(report)
}
