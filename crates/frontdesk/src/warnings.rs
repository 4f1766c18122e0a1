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

/// One problem a manager should know of: the warnings of one stay (its guests' grants and
/// cards) about one thing, at one door where it is about a door.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarningView {
    /// The first grant the problem is on; a stay of several guests has one each.
    pub access_grant_id: AccessGrantId,
    pub access_grant_ids: Vec<AccessGrantId>,
    /// For `re_encode`: the cards to encode again.
    pub access_method_ids: Vec<AccessMethodId>,
    pub code: engine::warnings::WarningCode,
    /// The warning as the API words it, for support.
    pub message: String,
    /// When the problem was first seen.
    pub created_at: DateTime<Utc>,
    pub reservation_key: Option<String>,
    /// The stay's guests (or the staff member), by name.
    pub guests: Vec<String>,
    /// The stay's rooms, by name.
    pub rooms: Vec<String>,
    /// The door, for a warning about what one door will do.
    pub door: Option<String>,
    /// The stay's end, and when it was checked out (its grants ended with nothing of the
    /// stay left: not a move, not a reissue) if it was.
    pub ends_at: DateTime<Utc>,
    pub checked_out_at: Option<DateTime<Utc>>,
    /// How many key cards the problem is about.
    pub cards: u32,
    pub fix: FixAction,
    /// For `cancel_card`: the access methods of the cards still out that may come back.
    pub outstanding_card_ids: Vec<AccessMethodId>,
    /// For `cancel_card`: each card out of use that may still open a door, where and until when.
    pub cards_out: Vec<CardOut>,
}

impl WarningView {
    /// Whether `other` is the same problem: the same thing, on the same stay (or grant, for
    /// one that belongs to none), at the same door.
    fn same_problem(&self, other: &Self) -> bool {
        self.code == other.code
            && self.door == other.door
            && match (&self.reservation_key, &other.reservation_key) {
                (Some(mine), Some(theirs)) => mine == theirs,
                (None, None) => self.access_grant_id == other.access_grant_id,
                _ => false,
            }
    }

    /// Takes in another warning of the same problem.
    fn absorb(&mut self, other: Self) {
        if !self.access_grant_ids.contains(&other.access_grant_id) {
            self.access_grant_ids.push(other.access_grant_id);
            self.cards += other.cards;
        }
        for id in other.access_method_ids {
            if !self.access_method_ids.contains(&id) {
                self.access_method_ids.push(id);
            }
        }
        for name in other.guests {
            if !self.guests.contains(&name) {
                self.guests.push(name);
            }
        }
        for room in other.rooms {
            if !self.rooms.contains(&room) {
                self.rooms.push(room);
            }
        }
        if other.fix == FixAction::ReEncode {
            self.fix = FixAction::ReEncode;
        }
        self.created_at = self.created_at.min(other.created_at);
        self.checked_out_at = self.checked_out_at.max(other.checked_out_at);
        self.outstanding_card_ids.extend(other.outstanding_card_ids);
        self.cards_out.extend(other.cards_out);
    }
}

impl FrontDesk {
    /// Every problem that holds at `now`, once each, with what to do about it.
    pub fn warnings(&self, operator: &Operator, now: DateTime<Utc>) -> Result<Vec<WarningView>> {
        operator.require(Permission::Manage)?;
        self.store.read(|r| {
            let mut names = BTreeMap::new();
            let mut views: Vec<WarningView> = Vec::new();
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
                let Some(grant) = r.access_grant(row.access_grant_id)? else {
                    continue;
                };
                let mut rooms = Vec::new();
                for id in &grant.space_ids {
                    if let Some(space) = r.space(*id)? {
                        rooms.push(space.name);
                    }
                }
                let door = match row.entrance_id {
                    Some(id) => r.entrance(id)?.map(|entrance| entrance.name),
                    None => None,
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
                let cards = match row.code {
                    WarningCode::CardsNotCollected => cards_out.len(),
                    WarningCode::EncodingRequired if row.access_method_id.is_some() => 1,
                    WarningCode::EncodingRequired => r
                        .access_methods_of_grant(row.access_grant_id)?
                        .iter()
                        .filter(|method| method.is_encoding_required && method.revoked_at.is_none())
                        .count(),
                    _ => 0,
                };
                // Checked out: the grant ended and its stay goes on nowhere (a move or a
                // reissue ends grants of a stay that goes on).
                let checked_out_at = match (&grant.deleted_at, &grant.reservation_key) {
                    (Some(ended), Some(key)) if r.live_reservation(key)?.is_none() => Some(*ended),
                    (Some(ended), None) => Some(*ended),
                    _ => None,
                };
                let view = WarningView {
                    access_grant_id: row.access_grant_id,
                    access_grant_ids: vec![row.access_grant_id],
                    access_method_ids: row.access_method_id.into_iter().collect(),
                    code: row.code,
                    message: row.message,
                    created_at: row.created_at,
                    reservation_key: row.reservation_key,
                    guests: guest.into_iter().collect(),
                    rooms,
                    door,
                    ends_at: grant.ends_at,
                    checked_out_at,
                    cards: u32::try_from(cards).unwrap_or(u32::MAX),
                    fix,
                    outstanding_card_ids,
                    cards_out,
                };
                match views.iter_mut().find(|shown| shown.same_problem(&view)) {
                    Some(shown) => shown.absorb(view),
                    None => views.push(view),
                }
            }
            for view in &mut views {
                view.guests.sort();
                view.rooms.sort();
                // Where the cards have warnings of their own, they are the ones counted.
                if view.fix == FixAction::ReEncode {
                    view.cards = u32::try_from(view.access_method_ids.len()).unwrap_or(u32::MAX);
                }
            }
            Ok(views)
        })
    }
}
