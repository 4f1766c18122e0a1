//! Keeping stored warnings in step with the grants, access methods and reservations they
//! describe. Each refresh recomputes one kind of warning from the stored facts.
//! A manager sees them all, each with what to do about it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use engine::model::{AccessGrantId, AccessMethodId, AccessMode, EntranceId};
use engine::warnings::{self, CardStillOut, DoorHistory, WarningCode};
use serde::Serialize;
use store::{DoorWarningRow, MethodFilter, Writer};

use crate::accounting::{CardOut, CardOutReason, cards_out, plastics_out};
use crate::operators::{Operator, Permission};
use crate::{FrontDesk, Result};

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

/// What a manager can do about a warning.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixAction {
    /// Encode the card again (`access_method_id`).
    ReEncode,
    /// Reissue the stay's cards under a new reservation.
    ReissueStay,
    /// Cards out of use still open doors (`cards_out`): collect them, report them lost, or
    /// encode a cancel card for the rooms no stay holds.
    CancelCard,
    /// Nothing to do but know it; it passes with the next guest's first card.
    None,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningView {
    pub access_grant_id: AccessGrantId,
    pub access_method_id: Option<AccessMethodId>,
    pub code: engine::warnings::WarningCode,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub reservation_key: Option<String>,
    pub guest: Option<String>,
    pub fix: FixAction,
    /// For `cancel_card`: the access methods of the cards still out that may come back.
    pub outstanding_card_ids: Vec<AccessMethodId>,
    /// For `cancel_card`: each card out of use that may still open a door, where and until when.
    pub cards_out: Vec<CardOut>,
}

impl FrontDesk {
    /// Every warning that holds at `now`, with what to do about it.
    pub fn warnings(&self, operator: &Operator, now: DateTime<Utc>) -> Result<Vec<WarningView>> {
        operator.require(Permission::Manage)?;
        self.store.read(|r| {
            let mut names = BTreeMap::new();
            let mut views = Vec::new();
            for row in r.all_warnings(now)? {
                let guest = match names.get(&row.user_identity_id) {
                    Some(name) => Clone::clone(name),
                    None => {
                        let name = r
                            .user_identity(row.user_identity_id)?
                            .and_then(|user| user.full_name);
                        names.insert(row.user_identity_id, name.clone());
                        name
                    }
                };
                use engine::warnings::WarningCode;
                let fix = match row.code {
                    WarningCode::EncodingRequired if row.access_method_id.is_some() => {
                        FixAction::ReEncode
                    }
                    WarningCode::EncodingRequired
                    | WarningCode::PreviousGuestCanEnter
                    | WarningCode::SequenceTooFarAhead => FixAction::None,
                    WarningCode::CardsNotCollected => FixAction::CancelCard,
                    WarningCode::SequenceInversion => FixAction::ReissueStay,
                };
                // Cards still out that may come back; a lost one cannot be collected.
                let outstanding_card_ids: Vec<AccessMethodId> = if fix == FixAction::CancelCard {
                    r.access_methods_of_grant(row.access_grant_id)?
                        .into_iter()
                        .filter(|method| {
                            method.mode == AccessMode::Card
                                && method.is_issued()
                                && method.revoked_at.is_some()
                                && method.collected_at.is_none()
                                && method.lost_at.is_none()
                        })
                        .map(|method| method.id)
                        .collect()
                } else {
                    Vec::new()
                };
                let cards_out = if fix == FixAction::CancelCard {
                    cards_out(r, &[row.access_grant_id], now)?
                } else {
                    Vec::new()
                };
                views.push(WarningView {
                    access_grant_id: row.access_grant_id,
                    access_method_id: row.access_method_id,
                    code: row.code,
                    message: row.message,
                    created_at: row.created_at,
                    reservation_key: row.reservation_key,
                    guest,
                    fix,
                    outstanding_card_ids,
                    cards_out,
                });
            }
            Ok(views)
        })
    }
}
