//! What an access method's card carries, read from its grant, with its doors' numbers.

use std::collections::BTreeSet;

use chrono::{DateTime, SubsecRound, Utc};
use encoder::CardUid;
use encoder::card::{self, CardData, CardKind};
use engine::lock::{DoorSequence, Shift, StaffLevel, StaffZone};
use engine::model::{AccessMethodId, AccessMode, EntranceId, UserKind};
use engine::rules;
use store::{Reader, Writer};
use uuid::Uuid;

use super::station::CardStation;
use crate::grants::live_grant;
use crate::warnings::refresh_doors;
use crate::zones::DoorMap;
use crate::{AccessMethodRecord, Error, Result};

/// What one access method's card carries, read from the grant.
#[derive(Debug)]
pub(super) struct CardPlan {
    method: AccessMethodRecord,
    kind: CardKind,
    reservation_id: Option<Uuid>,
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    /// The reservation's doors with their numbers; `None` on a door whose number the first
    /// card carrying it takes (see [`numbered_card_plan`]).
    capable_doors: Vec<(EntranceId, Option<u32>)>,
    common_doors: Vec<EntranceId>,
    /// A staff card's whole floors or all guest rooms, in place of their doors.
    zones: Vec<StaffZone>,
    /// A staff card's level: the one its zones make, or emergency.
    staff_level: Option<StaffLevel>,
    /// When a staff card works; always when empty.
    schedule: Vec<Shift>,
}

impl CardPlan {
    /// Whether a card written with `data` carries what this plan puts on a card.
    pub(super) fn is_carried_by(&self, data: &CardData) -> bool {
        let mut on_card: Vec<(EntranceId, Option<u32>)> = data
            .capable_doors
            .iter()
            .map(|door| (door.entrance_id, Some(door.sequence)))
            .collect();
        on_card.sort();
        let mut planned = self.capable_doors.clone();
        planned.sort();
        let mut common = data.common_doors.clone();
        common.sort();
        let mut planned_common = self.common_doors.clone();
        planned_common.sort();
        let mut zones = data.zones.clone();
        zones.sort();
        let mut planned_zones = self.zones.clone();
        planned_zones.sort();
        // A one-shot card's numbers are new with each card: its doors are what it carries.
        if self.kind == CardKind::OneShot {
            let mut planned: Vec<(EntranceId, Option<u32>)> = self
                .capable_doors
                .iter()
                .map(|(door, _)| (*door, None))
                .collect();
            planned.sort();
            let mut on_card: Vec<(EntranceId, Option<u32>)> =
                on_card.iter().map(|(door, _)| (*door, None)).collect();
            on_card.sort();
            return data.kind == self.kind
                && data.valid_from == self.valid_from.trunc_subsecs(0)
                && data.valid_until == self.valid_until.trunc_subsecs(0)
                && on_card == planned;
        }
        data.kind == self.kind
            && data.reservation_id == self.reservation_id
            // A card keeps whole seconds.
            && data.valid_from == self.valid_from.trunc_subsecs(0)
            && data.valid_until == self.valid_until.trunc_subsecs(0)
            && on_card == planned
            && common == planned_common
            && zones == planned_zones
            && data.staff_level == self.staff_level
            && data.schedule == self.schedule
    }

    /// The card image's content for the card `uid`, issued at `now` under the current keys.
    pub(super) fn card_data(
        &self,
        station: &CardStation,
        uid: CardUid,
        now: DateTime<Utc>,
    ) -> CardData {
        CardData {
            property_id: station.keys.property_id(),
            key_epoch: station.keys.current_epoch(),
            uid,
            kind: self.kind,
            flags: 0,
            reservation_id: self.reservation_id,
            card_id: self.method.id,
            copy_number: self
                .method
                .copy_number
                .map_or(1, |copy| u16::try_from(copy).unwrap_or(u16::MAX)),
            op_id: *store::new_row_id().as_bytes(),
            issued_at: now,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            staff_level: self.staff_level,
            schedule: self.schedule.clone(),
            capable_doors: self
                .capable_doors
                .iter()
                .filter_map(|(entrance_id, sequence)| {
                    sequence.map(|sequence| DoorSequence {
                        entrance_id: *entrance_id,
                        sequence,
                    })
                })
                .collect(),
            common_doors: self.common_doors.clone(),
            zones: self.zones.clone(),
        }
    }
}

/// What the access method's card must carry.
pub(super) fn card_plan(r: &Reader<'_>, id: AccessMethodId) -> Result<CardPlan> {
    let method = r
        .access_method(id)?
        .filter(|method| method.revoked_at.is_none())
        .ok_or_else(|| Error::not_found("access_method", id))?;
    if method.mode != AccessMode::Card {
        return Err(Error::invalid(
            "access_method_id",
            format!("is a {} access method; only cards are encoded", method.mode),
        ));
    }
    let grant = live_grant(r, method.access_grant_id)?;
    let user = r
        .user_identity(grant.user_identity_id)?
        .ok_or_else(|| Error::not_found("user_identity", grant.user_identity_id))?;
    let mut capable_doors = Vec::new();
    let mut common_doors = Vec::new();
    for door in &grant.entrances {
        let entrance_id = &door.entrance_id;
        let entrance = r
            .entrance(*entrance_id)?
            .ok_or_else(|| Error::not_found("acs_entrance", entrance_id))?;
        // The desk's encoder writes for the offline systems; online doors get their
        // credentials from their own system.
        if !entrance.access_system_kind.is_override_based()
            || !entrance.modes.contains(&AccessMode::Card)
        {
            continue;
        }
        if door.reservation_door {
            capable_doors.push((*entrance_id, door.sequence));
        } else {
            common_doors.push(*entrance_id);
        }
    }
    if capable_doors.is_empty() && common_doors.is_empty() {
        return Err(Error::invalid(
            "access_method_id",
            "this grant has no door that opens with a card written at this desk",
        ));
    }
    if grant.one_shot {
        // Every door with a one-shot number of its own, taken as the card is made.
        return Ok(CardPlan {
            kind: CardKind::OneShot,
            reservation_id: None,
            valid_from: grant.starts_at,
            valid_until: grant.ends_at,
            capable_doors: capable_doors
                .into_iter()
                .map(|(door, _)| door)
                .chain(common_doors)
                .map(|door| (door, None))
                .collect(),
            common_doors: Vec::new(),
            zones: Vec::new(),
            staff_level: None,
            schedule: Vec::new(),
            method,
        });
    }
    let staff = user.kind == UserKind::Staff;
    let terms = grant.staff_terms.clone().unwrap_or_default();
    let (zones, common_doors, staff_level) = if !staff {
        (Vec::new(), common_doors, None)
    } else if terms.level == StaffLevel::Emergency {
        // Every door, without naming one.
        (Vec::new(), Vec::new(), Some(StaffLevel::Emergency))
    } else {
        let (zones, singles) = DoorMap::read(r)?.zone_plan(&common_doors);
        let level = card::level_of_zones(&zones);
        (zones, singles, Some(level))
    };
    Ok(CardPlan {
        kind: if staff {
            CardKind::Staff
        } else {
            CardKind::Guest
        },
        reservation_id: grant.reservation_id,
        valid_from: grant.starts_at,
        valid_until: grant.ends_at,
        capable_doors,
        common_doors,
        zones,
        staff_level,
        schedule: terms.shifts(),
        method,
    })
}

/// What the access method's card must carry, with a number on each of its reservation's
/// doors: the doors no card of the reservation was encoded for yet take theirs now, each the
/// door's next, and keep it for every later card of the reservation (joiners and copies).
/// A one-shot card carries its grant's one-shot numbers, taken by the grant's first card.
/// Run in the transaction that commits the card's intent.
pub(super) fn numbered_card_plan(
    w: &Writer<'_>,
    id: AccessMethodId,
    now: DateTime<Utc>,
) -> Result<CardPlan> {
    let mut plan = card_plan(w, id)?;
    if plan.kind == CardKind::OneShot {
        // Every card of the grant shares its numbers: the grant opens each door once, to
        // whichever of its cards is used first.
        let mut numbers = one_shot_numbers_of_grant(w, plan.method.access_grant_id)?;
        let missing: Vec<EntranceId> = plan
            .capable_doors
            .iter()
            .map(|(door, _)| *door)
            .filter(|door| !numbers.contains_key(door))
            .collect();
        numbers.extend(w.take_one_shot_numbers(&missing)?);
        for (door, number) in &mut plan.capable_doors {
            *number = numbers.get(door).copied();
        }
        return Ok(plan);
    }
    let unnumbered: BTreeSet<EntranceId> = plan
        .capable_doors
        .iter()
        .filter(|(_, sequence)| sequence.is_none())
        .map(|(entrance_id, _)| *entrance_id)
        .collect();
    let Some(reservation_id) = plan.reservation_id.filter(|_| !unnumbered.is_empty()) else {
        return Ok(plan);
    };
    let sequences = rules::assign_sequences(&unnumbered, &w.last_sequences(&unnumbered)?);
    w.number_reservation_doors(reservation_id, &sequences)?;
    for (entrance_id, sequence) in &mut plan.capable_doors {
        if sequence.is_none() {
            *sequence = sequences.get(entrance_id).copied();
        }
    }
    // The doors' timelines now play this number instead of the one they predicted.
    refresh_doors(w, &unnumbered, now)?;
    Ok(plan)
}

/// The one-shot numbers a card of the grant was written with, by door; none before its first
/// card.
fn one_shot_numbers_of_grant(
    r: &Reader<'_>,
    grant: engine::model::AccessGrantId,
) -> Result<std::collections::BTreeMap<EntranceId, u32>> {
    for card in r.cards_of_grant(grant)? {
        if card.kind != store::CardPurpose::OneShot {
            continue;
        }
        if let Some(operation) = r.encode_operation(card.op_id)? {
            let data = card::read(&operation.image).map_err(Error::Card)?;
            return Ok(data
                .capable_doors
                .iter()
                .map(|door| (door.entrance_id, door.sequence))
                .collect());
        }
    }
    Ok(std::collections::BTreeMap::new())
}
