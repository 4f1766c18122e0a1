//! Keeping stored warnings in step with the grants, access methods and reservations they
//! describe. Each refresh recomputes one kind of warning from the stored facts.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use engine::model::{AccessGrantId, AccessMode, EntranceId};
use engine::warnings::{self, DoorHistory, WarningCode};
use store::{DoorWarningRow, MethodFilter, Writer};

use crate::Result;

/// Recomputes the lock-timeline warnings of each door from its live reservations, the
/// numbers it handed out and what its lock is known to remember.
pub(crate) fn refresh_doors(
    w: &Writer<'_>,
    doors: &BTreeSet<EntranceId>,
    now: DateTime<Utc>,
) -> Result<()> {
    for door in doors {
        let reservations = w.door_reservations(*door)?;
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

/// `cards_not_collected` while revoked cards that were issued are not back at the desk.
pub(crate) fn refresh_collection(
    w: &Writer<'_>,
    grant_id: AccessGrantId,
    now: DateTime<Utc>,
) -> Result<()> {
    w.clear_warnings(grant_id, WarningCode::CardsNotCollected)?;
    let grant = w.access_grant(grant_id)?;
    let outstanding = w
        .access_methods_of_grant(grant_id)?
        .into_iter()
        .filter(|method| {
            method.mode == AccessMode::Card
                && method.is_issued()
                && method.revoked_at.is_some()
                && method.collected_at.is_none()
                && method.lost_at.is_none()
        })
        .count();
    if outstanding == 0 {
        return Ok(());
    }
    let mut doors = Vec::new();
    for entrance_id in grant.map(|grant| grant.entrance_ids()).unwrap_or_default() {
        if let Some(entrance) = w.entrance(entrance_id)? {
            doors.push(entrance.name);
        }
    }
    w.insert_warning(
        grant_id,
        None,
        &warnings::cards_not_collected(outstanding, &doors),
        now,
    )?;
    Ok(())
}
