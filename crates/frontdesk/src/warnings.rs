//! Keeping stored warnings in step with the grants, access methods and reservations they
//! describe. Each refresh recomputes one kind of warning from the stored facts.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use engine::model::{AccessGrantId, EntranceId};
use engine::warnings::{self, CardStillOut, DoorHistory, WarningCode};
use store::{DoorWarningRow, MethodFilter, Writer};

use crate::Result;
use crate::accounting::{CardOutReason, plastics_out};

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
/// access method revoked, the card reported lost, or replaced by a card on other plastic) may
/// still open a door, as the lock model judges it from the doors' memory: until a newer card
/// is used at its room, or its end passes. A card back at the desk opens nothing.
pub(crate) fn refresh_collection(
    w: &Writer<'_>,
    grant_id: AccessGrantId,
    now: DateTime<Utc>,
) -> Result<()> {
    w.clear_warnings(grant_id, WarningCode::CardsNotCollected)?;
    let plastics = plastics_out(w, grant_id, now)?;
    let clock_skew = plastics
        .iter()
        .map(|plastic| plastic.clock_skew)
        .max()
        .unwrap_or_else(chrono::Duration::zero);
    let still_out: Vec<CardStillOut> = plastics
        .into_iter()
        .map(|plastic| CardStillOut {
            lost: plastic.reason == CardOutReason::Lost,
            replaced: plastic.reason == CardOutReason::Replaced,
            copy_number: plastic.method.copy_number,
            doors: plastic
                .doors
                .into_iter()
                .map(|(_, name, until)| (name, until))
                .collect(),
        })
        .collect();
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
