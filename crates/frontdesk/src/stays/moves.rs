//! Moving a stay to another room, its cards remade for the new room.

use chrono::{DateTime, Utc};
use engine::model::{AccessMode, EntranceId, RequestedAccessMethod, SpaceId, SpaceKind, TimeFrame};
use serde::Serialize;
use store::Reader;

use super::detail::{
    OutstandingCard, StayDetail, envelope, guest_names, outstanding_cards, stay_detail,
    stay_grants, stay_room, stay_rooms,
};
use super::overlap::{Placing, guard_room};
use crate::grants::{create, delete};
use crate::operators::{Operator, Permission};
use crate::{
    AccessGrantRecord, AccessMethodRecord, Context, CreateAccessGrant, Error, FrontDesk, Result,
};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveResult {
    pub stay: StayDetail,
    /// Issued cards of the old room: they open it until collected, or until the next
    /// reservation's card or a cancel card is used there.
    pub old_cards: Vec<OutstandingCard>,
}

impl FrontDesk {
    /// Moves a stay to another room: its grants are deleted and made again on the new
    /// room's doors (a new reservation, so the new cards override the room's earlier ones),
    /// keeping the stay's dates and each guest's common areas and cards (a new card for each
    /// card held, copies included). Refused when another stay holds the room over these dates,
    /// unless a manager allows the overlap.
    pub fn move_stay(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        reservation_key: &str,
        to_space_id: SpaceId,
        allow_overlap: bool,
    ) -> Result<MoveResult> {
        self.move_stay_by(
            &operator.context(now),
            reservation_key,
            to_space_id,
            allow_overlap,
        )
    }

    /// [`FrontDesk::move_stay`] by whoever acts (an operator, the PMS link).
    pub fn move_stay_by(
        &self,
        context: &Context,
        reservation_key: &str,
        to_space_id: SpaceId,
        allow_overlap: bool,
    ) -> Result<MoveResult> {
        let now = context.now;
        let request = serde_json::json!({ "reservation_key": reservation_key, "to_space_id": to_space_id, "allow_overlap": allow_overlap });
        self.context_change(
            Permission::FrontDesk,
            context,
            "stay.move",
            Some(reservation_key.to_owned()),
            &request,
            |w| {
                let grants = stay_grants(w, reservation_key)?;
                let target = w.space(to_space_id)?.ok_or_else(|| {
                    Error::invalid("to_space_id", format!("no space with id {to_space_id}"))
                })?;
                if target.kind == SpaceKind::Common {
                    return Err(Error::invalid(
                        "to_space_id",
                        format!("{} is a common area, not a room", target.name),
                    ));
                }
                let from_room = stay_room(w, &grants)?;
                if from_room == Some(to_space_id)
                    || grants
                        .iter()
                        .any(|grant| grant.space_ids.contains(&to_space_id))
                {
                    return Err(Error::invalid(
                        "to_space_id",
                        format!("the stay is already in {}", target.name),
                    ));
                }
                // The moved stay holds the new room from now on only.
                let whole = envelope(&grants);
                let frame = TimeFrame::new(whole.starts_at.max(now), whole.ends_at);
                let names = guest_names(w, &grants)?;
                guard_room(
                    w,
                    context,
                    allow_overlap,
                    Placing::Move,
                    &target,
                    reservation_key,
                    &names,
                    frame,
                    &[],
                )?;
                let old_rooms: Vec<SpaceId> = grants
                    .iter()
                    .flat_map(|grant| grant.space_ids.clone())
                    .chain(from_room)
                    .collect();
                // A stay on connecting rooms keeps the others: only its first room moves.
                let mut spaces = vec![target.id];
                let mut extra_doors = Vec::new();
                for room in stay_rooms(w, &grants)?.into_iter().skip(1) {
                    if let Some(extra) = w.space(room)? {
                        spaces.push(extra.id);
                        extra_doors.extend(extra.entrance_ids);
                    }
                }
                // What each guest holds now, read before the deletes revoke it.
                let mut remade = Vec::new();
                for grant in &grants {
                    remade.push(remade_methods(w, grant)?);
                }
                for grant in &grants {
                    delete(w, context, grant.id)?;
                }
                for (grant, methods) in grants.iter().zip(remade) {
                    let common: Vec<EntranceId> = grant
                        .entrances
                        .iter()
                        .filter(|entrance| {
                            !entrance.reservation_door
                                && !is_room_door(w, entrance.entrance_id, &old_rooms)
                        })
                        .map(|entrance| entrance.entrance_id)
                        .collect();
                    let mut entrances = target.entrance_ids.clone();
                    entrances.extend(&extra_doors);
                    entrances.extend(common);
                    let recreated = CreateAccessGrant {
                        user_identity_id: Some(grant.user_identity_id),
                        acs_entrance_ids: entrances,
                        space_ids: spaces.clone(),
                        // The stay keeps its dates: only its room changes.
                        starts_at: Some(grant.starts_at),
                        ends_at: Some(grant.ends_at),
                        requested_access_methods: methods,
                        reservation_key: Some(reservation_key.to_owned()),
                        name: grant.name.clone(),
                        ..Default::default()
                    };
                    create(w, context, &recreated)?;
                }
                let old_cards = outstanding_cards(w, &grants)?;
                Ok(MoveResult {
                    stay: stay_detail(w, reservation_key, now)?,
                    old_cards,
                })
            },
        )
    }
}

/// The access methods a grant is made again with by a move or a reissue: a card for each
/// card it holds (copies included, revoked ones not), and its mobile keys and codes as they
/// were asked for. A grant whose every access method was revoked gets what it asked for, so
/// that the guest is not left without a key.
pub(super) fn remade_methods(
    r: &Reader<'_>,
    grant: &AccessGrantRecord,
) -> Result<Vec<RequestedAccessMethod>> {
    let cards: Vec<AccessMethodRecord> = r
        .access_methods_of_grant(grant.id)?
        .into_iter()
        .filter(|method| method.mode == AccessMode::Card && method.revoked_at.is_none())
        .collect();
    let mut requested = Vec::new();
    for (index, method) in (0u32..).zip(&grant.requested_access_methods) {
        if method.mode == AccessMode::Card {
            let held = cards
                .iter()
                .filter(|card| card.request_index == index)
                .count();
            requested.extend(std::iter::repeat_n(method.clone(), held));
        } else {
            requested.push(method.clone());
        }
    }
    if requested.is_empty() {
        return Ok(grant.requested_access_methods.clone());
    }
    Ok(requested)
}

fn is_room_door(r: &Reader<'_>, entrance: EntranceId, rooms: &[SpaceId]) -> bool {
    r.entrance(entrance)
        .ok()
        .flatten()
        .is_some_and(|entrance| entrance.space_ids.iter().any(|space| rooms.contains(space)))
}
