//! Keeping stored warnings in step with the grants, access methods and reservations they
//! describe. Each refresh recomputes one kind of warning from the stored facts.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use engine::lock::{self, LockConfig};
use engine::model::{AccessGrantId, AccessMode, EntranceId};
use engine::warnings::{self, CardStillOut, DoorHistory, WarningCode};
use store::{DoorWarningRow, MethodFilter, Writer};

use crate::zones::{DoorMap, lock_door};
use crate::{Error, Result};

/// Recomputes the lock-timeline warnings of each door from its live reservations, the
/// numbers it handed out and what its lock is known to remember.
pub(crate) fn refresh_doors(
    w: &Writer<'_>,
    doors: &BTreeSet<EntranceId>,
    now: DateTime<Utc>,
) -> Result<()> {
    for door in doors {
        let reservations = w.door_timeline(*door)?;
        let name = w
            .entrance(*door)?
            .map_or_else(|| door.to_string(), |entrance| entrance.name);
        let history = DoorHistory {
            last_sequence: w
                .last_sequences(&BTreeSet::from([*door]))?
                .get(door)
                .copied()
                .unwrap_or(0),
            lock: w.known_lock_state(*door)?,
        };
        let rows: Vec<DoorWarningRow> =
            warnings::door_warnings(*door, &name, &reservations, &history)
                .into_iter()
                .map(|found| DoorWarningRow {
                    reservation_id: found.reservation_id,
                    warning: found.warning,
                })
                .collect();
        w.replace_door_warnings(*door, &rows, now)?;
    }
    Ok(())
}

/// `encoding_required` on every issued card that carries old dates, and on its grant.
pub(crate) fn refresh_encoding(
    w: &Writer<'_>,
    grant_id: AccessGrantId,
    now: DateTime<Utc>,
) -> Result<()> {
    w.clear_warnings(grant_id, WarningCode::EncodingRequired)?;
    let stale: Vec<_> = w
        .access_methods(MethodFilter::Grant(grant_id))?
        .into_iter()
        .filter(|method| method.is_encoding_required && method.revoked_at.is_none())
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let warning = warnings::encoding_required(stale.len());
    w.insert_warning(grant_id, None, &warning, now)?;
    for method in &stale {
        w.insert_warning(
            grant_id,
            Some(method.id),
            &warnings::encoding_required(1),
            now,
        )?;
    }
    Ok(())
}

/// `cards_not_collected` while a card of the grant that is no longer anyone's valid key (its
/// access method revoked, or the card reported lost) may still open a door, as the lock model
/// judges it from the doors' memory: until a newer card is used at its room, or its end passes.
/// A card back at the desk opens nothing.
pub(crate) fn refresh_collection(
    w: &Writer<'_>,
    grant_id: AccessGrantId,
    now: DateTime<Utc>,
) -> Result<()> {
    w.clear_warnings(grant_id, WarningCode::CardsNotCollected)?;
    let mut still_out = Vec::new();
    let mut clock_skew = chrono::Duration::zero();
    for method in w.access_methods_of_grant(grant_id)? {
        let out_of_use = method.revoked_at.is_some() || method.lost_at.is_some();
        if method.mode != AccessMode::Card
            || !method.is_issued()
            || !out_of_use
            || method.collected_at.is_some()
        {
            continue;
        }
        let Some(card) = w
            .cards_of_method(method.id)?
            .into_iter()
            .find(|card| card.superseded_at.is_none())
        else {
            continue;
        };
        let Some(operation) = w.encode_operation(card.op_id)? else {
            continue;
        };
        let data = encoder::card::read(&operation.image).map_err(Error::Card)?;
        let lock_card = data.to_lock_card();
        let config = LockConfig::new(lock_card.property_id, lock_card.format_version);
        clock_skew = config.clock_skew;
        // A staff card's zones open every door they cover, listed on the card or not.
        let zone_doors = if data.zones.is_empty() {
            Vec::new()
        } else {
            DoorMap::read(w)?.zone_doors(&data.zones)
        };
        let mut on_card: Vec<EntranceId> = data
            .capable_doors
            .iter()
            .map(|door| door.entrance_id)
            .chain(data.common_doors.iter().copied())
            .collect();
        for door in zone_doors {
            if !on_card.contains(&door) {
                on_card.push(door);
            }
        }
        let mut doors = Vec::new();
        for entrance_id in on_card {
            let Some(entrance) = w.entrance(entrance_id)? else {
                continue;
            };
            let door = lock_door(w, &entrance)?;
            let state = w.lock_state(entrance_id)?;
            if let Some(until) = lock::still_opens(&config, door, state, &lock_card, now) {
                doors.push((entrance.name, until));
            }
        }
        still_out.push(CardStillOut {
            lost: method.lost_at.is_some(),
            copy_number: method.copy_number,
            doors,
        });
    }
    if let Some((warning, expires_at)) = warnings::cards_not_collected(&still_out, clock_skew) {
        w.insert_expiring_warning(grant_id, None, &warning, expires_at, now)?;
    }
    Ok(())
}

/// After a door's lock moved on (a card used there), the cards it may no longer open.
pub(crate) fn refresh_collection_at_door(
    w: &Writer<'_>,
    entrance_id: EntranceId,
    now: DateTime<Utc>,
) -> Result<()> {
    for grant_id in w.grants_warned_at_door(WarningCode::CardsNotCollected, entrance_id)? {
        refresh_collection(w, grant_id, now)?;
    }
    Ok(())
}
