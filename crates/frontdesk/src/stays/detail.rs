//! One stay as the desk shows it: its guests, their doors, cards and warnings, its cards out.

use chrono::{DateTime, Utc};
use engine::model::{
    AccessGrantId, AccessMethodId, AccessMode, EntranceId, SpaceId, TimeFrame, UserIdentityId,
};
use serde::Serialize;
use store::{GrantFilter, Reader};

use crate::accounting::{CardOut, stay_cards_out};
use crate::operators::{Operator, Permission};
use crate::{AccessGrantRecord, CardView, Error, FrontDesk, Result, WarningNote};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StayDetail {
    pub reservation_key: String,
    pub space_id: Option<SpaceId>,
    pub room_name: String,
    pub starts_at: DateTime<Utc>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    pub guests: Vec<GuestDetail>,
    /// The stay's cards that are out of use but may still open a door: the old room's after a
    /// move, replaced, lost or deleted cards, each with the doors and until when.
    pub cards_still_out: Vec<CardOut>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuestDetail {
    pub user_identity_id: UserIdentityId,
    pub full_name: Option<String>,
    pub access_grant_id: AccessGrantId,
    pub entrance_ids: Vec<EntranceId>,
    pub starts_at: DateTime<Utc>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    pub cards: Vec<CardView>,
    pub warnings: Vec<WarningNote>,
}

/// A card of the old room that still opens it after a move or check-out.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutstandingCard {
    pub access_method_id: AccessMethodId,
    pub card_id: Option<String>,
    pub guest: Option<String>,
    pub doors: Vec<String>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub valid_until: DateTime<Utc>,
}

impl FrontDesk {
    /// One stay: its guests, their doors, cards and warnings, and its cards still out as the
    /// locks stand now (a read: nothing is recorded at the desk's clock).
    pub fn stay(&self, operator: &Operator, reservation_key: &str) -> Result<StayDetail> {
        self.stay_at(operator, reservation_key, Utc::now())
    }

    /// One stay, with its cards still out as the lock model judges them at `now`.
    pub fn stay_at(
        &self,
        operator: &Operator,
        reservation_key: &str,
        now: DateTime<Utc>,
    ) -> Result<StayDetail> {
        operator.require(Permission::FrontDesk)?;
        self.store.read(|r| stay_detail(r, reservation_key, now))
    }
}

/// The live grants of a stay, oldest first; a stay without any is not found.
pub(crate) fn stay_grants(r: &Reader<'_>, reservation_key: &str) -> Result<Vec<AccessGrantRecord>> {
    let filter = GrantFilter {
        reservation_key: Some(reservation_key.to_owned()),
        ..Default::default()
    };
    let grants = r.access_grants(&filter)?;
    if grants.is_empty() {
        return Err(Error::not_found("stay", reservation_key));
    }
    Ok(grants)
}

pub(crate) fn envelope(grants: &[AccessGrantRecord]) -> TimeFrame {
    grants
        .iter()
        .skip(1)
        .fold(grants[0].frame(), |frame, grant| {
            frame.union(&grant.frame())
        })
}

pub(crate) fn stay_detail(
    r: &Reader<'_>,
    reservation_key: &str,
    now: DateTime<Utc>,
) -> Result<StayDetail> {
    let grants = stay_grants(r, reservation_key)?;
    let room = match stay_room(r, &grants)? {
        Some(id) => {
            let name = r
                .space(id)?
                .map_or_else(|| id.to_string(), |space| space.name);
            Some((id, name))
        }
        None => None,
    };
    let mut named = Vec::new();
    for grant in grants {
        let full_name = r
            .user_identity(grant.user_identity_id)?
            .and_then(|user| user.full_name);
        named.push((grant, full_name));
    }
    stay_from(r, reservation_key, room, named, now)
}

/// A stay from its live grants, oldest first, each with its guest's name, and its room.
pub(super) fn stay_from(
    r: &Reader<'_>,
    reservation_key: &str,
    room: Option<(SpaceId, String)>,
    grants: Vec<(AccessGrantRecord, Option<String>)>,
    now: DateTime<Utc>,
) -> Result<StayDetail> {
    let frame = grants
        .iter()
        .map(|(grant, _)| grant.frame())
        .reduce(|stay, grant| stay.union(&grant))
        .ok_or_else(|| Error::not_found("stay", reservation_key))?;
    let (space_id, room_name) = room.map_or((None, String::new()), |(id, name)| (Some(id), name));
    let mut guests = Vec::new();
    for (grant, full_name) in grants {
        guests.push(guest_detail(r, grant, full_name)?);
    }
    Ok(StayDetail {
        reservation_key: reservation_key.to_owned(),
        space_id,
        room_name,
        starts_at: frame.starts_at,
        ends_at: frame.ends_at,
        guests,
        cards_still_out: stay_cards_out(r, reservation_key, now)?,
    })
}

fn guest_detail(
    r: &Reader<'_>,
    grant: AccessGrantRecord,
    full_name: Option<String>,
) -> Result<GuestDetail> {
    Ok(GuestDetail {
        user_identity_id: grant.user_identity_id,
        full_name,
        access_grant_id: grant.id,
        entrance_ids: grant.entrance_ids(),
        starts_at: grant.starts_at,
        ends_at: grant.ends_at,
        cards: r
            .access_methods(store::MethodFilter::Grant(grant.id))?
            .into_iter()
            .filter(|method| method.mode == AccessMode::Card && method.revoked_at.is_none())
            .map(CardView::from)
            .collect(),
        warnings: grant.warnings.into_iter().map(WarningNote::from).collect(),
    })
}

/// The issued cards of these (now deleted) grants that are neither back nor lost.
pub(super) fn outstanding_cards(
    r: &Reader<'_>,
    grants: &[AccessGrantRecord],
) -> Result<Vec<OutstandingCard>> {
    let mut cards = Vec::new();
    for grant in grants {
        let guest = r
            .user_identity(grant.user_identity_id)?
            .and_then(|user| user.full_name);
        let mut doors = Vec::new();
        for id in grant.entrance_ids() {
            if let Some(entrance) = r.entrance(id)? {
                doors.push(entrance.name);
            }
        }
        for method in r.access_methods_of_grant(grant.id)? {
            if method.mode == AccessMode::Card
                && method.is_issued()
                && method.collected_at.is_none()
                && method.lost_at.is_none()
            {
                let valid_until = r
                    .cards_of_method(method.id)?
                    .first()
                    .map_or(grant.ends_at, |card| card.valid_until);
                cards.push(OutstandingCard {
                    access_method_id: method.id,
                    card_id: method.card_id.clone(),
                    guest: guest.clone(),
                    doors: doors.clone(),
                    valid_until,
                });
            }
        }
    }
    Ok(cards)
}

/// The room of a stay: the space its grants were asked for by, or else the space of its
/// first room door (a joiner on some of a suite's doors names no space).
pub(crate) fn stay_room(r: &Reader<'_>, grants: &[AccessGrantRecord]) -> Result<Option<SpaceId>> {
    if let Some(space) = grants
        .iter()
        .find_map(|grant| grant.space_ids.first().copied())
    {
        return Ok(Some(space));
    }
    for grant in grants {
        for id in grant.reservation_door_ids() {
            if let Some(space) = r
                .entrance(id)?
                .and_then(|entrance| entrance.space_ids.first().copied())
            {
                return Ok(Some(space));
            }
        }
    }
    Ok(None)
}

/// Every room of a stay: its first room, then the others its key opens (connecting rooms a
/// PMS booked on one key).
pub(crate) fn stay_rooms(r: &Reader<'_>, grants: &[AccessGrantRecord]) -> Result<Vec<SpaceId>> {
    let mut rooms: Vec<SpaceId> = stay_room(r, grants)?.into_iter().collect();
    for space in grants.iter().flat_map(|grant| &grant.space_ids) {
        if !rooms.contains(space) {
            rooms.push(*space);
        }
    }
    Ok(rooms)
}

/// The names of a stay's guests, each once, in the order they were checked in.
pub(crate) fn guest_names(r: &Reader<'_>, grants: &[AccessGrantRecord]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for grant in grants {
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
