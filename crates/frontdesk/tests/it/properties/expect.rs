//! What the model expects of each request, in the validation order of `docs/domain.md`.

use std::collections::BTreeSet;

use engine::model::{AccessMode, TimeFrame, UserKind};
use frontdesk::{CreateAccessGrant, EntranceRecord, UpdateAccessGrant};
use uuid::Uuid;

use super::model::text_ok;
use super::{Expect, Expected, Placement, Request, World};

impl World {
    /// What the model expects of `request`, following the validation order of `docs/domain.md`.
    pub(super) fn expect(&self, request: &Request) -> Expect {
        match request {
            Request::Create(create) => Expect {
                action: "access_grant.create",
                outcome: self.expect_create(create).map(Expected::Grant),
            },
            Request::Update(update) => Expect {
                action: "access_grant.update",
                outcome: self.expect_update(update).map(|()| Expected::Updated),
            },
            Request::Delete(id) => Expect {
                action: "access_grant.delete",
                outcome: match self.model.live_grant(*id) {
                    Some(_) => Ok(Expected::Deleted),
                    None => Err("not_found"),
                },
            },
            Request::CopyCard(id) => Expect {
                action: "access_method.copy",
                outcome: match self.model.live_grant(*id) {
                    None => Err("not_found"),
                    Some(grant) => {
                        let has_card = self
                            .model
                            .methods
                            .iter()
                            .any(|m| m.grant == grant.id && m.mode == AccessMode::Card);
                        if has_card {
                            Ok(Expected::NewCard)
                        } else {
                            Err("invalid_input")
                        }
                    }
                },
            },
            Request::Encode(id) => Expect {
                action: "access_method.encoded",
                outcome: match self.model.method(*id).filter(|m| !m.revoked) {
                    None => Err("not_found"),
                    Some(method) if method.mode != AccessMode::Card => Err("invalid_input"),
                    Some(method)
                        if !self
                            .model
                            .grant(method.grant)
                            .is_some_and(|g| g.has_card_door) =>
                    {
                        Err("invalid_input")
                    }
                    Some(_) => Ok(Expected::Method),
                },
            },
            Request::Collect(id) => Expect {
                action: "access_method.collected",
                outcome: match self.model.method(*id) {
                    None => Err("not_found"),
                    // Only a revoked card that was encoded can come back to the desk.
                    Some(method)
                        if method.mode != AccessMode::Card
                            || method.card_id.is_none()
                            || !method.revoked =>
                    {
                        Err("invalid_input")
                    }
                    Some(_) => Ok(Expected::Method),
                },
            },
            Request::RevokeMethod(id) => Expect {
                action: "access_method.delete",
                outcome: match self.model.method(*id).filter(|m| !m.revoked) {
                    None => Err("not_found"),
                    Some(method) => Ok(Expected::Revoked(BTreeSet::from([method.id]))),
                },
            },
            Request::RevokeMethodsOfGrant(id) => Expect {
                action: "access_method.delete",
                outcome: match self.model.live_grant(*id) {
                    None => Err("not_found"),
                    Some(grant) => Ok(Expected::Revoked(self.model.live_methods_of(grant.id))),
                },
            },
            Request::RevokeMethodsOfReservation(key) => {
                let grants: Vec<_> = self
                    .model
                    .grants
                    .iter()
                    .filter(|g| g.live && g.key.as_deref() == Some(*key))
                    .collect();
                Expect {
                    action: "access_method.delete",
                    outcome: if grants.is_empty() {
                        Err("not_found")
                    } else {
                        Ok(Expected::Revoked(
                            grants
                                .iter()
                                .flat_map(|grant| self.model.live_methods_of(grant.id))
                                .collect(),
                        ))
                    },
                }
            }
            Request::AdvanceClock(_) => Expect {
                action: "",
                outcome: Ok(Expected::Nothing),
            },
        }
    }

    fn expect_create(&self, request: &CreateAccessGrant) -> Result<Placement, &'static str> {
        // 1. Input.
        let user_id = request.user_identity_id.ok_or("invalid_input")?;
        let (_, kind) = self
            .users
            .iter()
            .find(|(id, _)| *id == user_id)
            .ok_or("invalid_input")?;
        let mut targeted = BTreeSet::new();
        for id in &request.acs_entrance_ids {
            self.entrance(*id).ok_or("invalid_input")?;
            targeted.insert(*id);
        }
        for id in &request.space_ids {
            let space = self.spaces.iter().find(|space| space.id == *id).unwrap();
            targeted.extend(space.entrance_ids.iter().copied());
        }
        if targeted.is_empty() {
            return Err("invalid_input");
        }
        let frame = TimeFrame::until(request.starts_at.unwrap_or(self.now), request.ends_at);
        if frame.ends_at <= frame.starts_at || frame.ends_at <= self.now {
            return Err("invalid_input");
        }
        let targeted: Vec<&EntranceRecord> = targeted
            .iter()
            .map(|id| self.entrance(*id).unwrap())
            .collect();
        let modes: BTreeSet<AccessMode> = request
            .requested_access_methods
            .iter()
            .map(|m| m.mode)
            .collect();
        if modes.is_empty()
            || modes
                .iter()
                .any(|mode| !targeted.iter().any(|e| e.modes.contains(mode)))
        {
            return Err("invalid_input");
        }
        if let Some(key) = &request.reservation_key
            && !text_ok(key)
        {
            return Err("invalid_input");
        }
        // 2. Staff.
        if request.reservation_key.is_some() && *kind == UserKind::Staff {
            return Err("staff_credentials_cannot_belong_to_reservation");
        }
        let capable: BTreeSet<Uuid> = targeted
            .iter()
            .filter(|e| e.can_belong_to_reservation)
            .map(|e| e.id)
            .collect();
        let Some(key) = &request.reservation_key else {
            // 4. Guest cards on override-based doors need a key.
            let card_on_capable = targeted
                .iter()
                .any(|e| e.can_belong_to_reservation && e.modes.contains(&AccessMode::Card));
            if *kind != UserKind::Staff && modes.contains(&AccessMode::Card) && card_on_capable {
                return Err("reservation_key_required_for_guest_cards");
            }
            return Ok(Placement::Standard);
        };
        // 3. A key needs a capable door.
        if capable.is_empty() {
            return Err("reservation_key_not_supported");
        }
        // 5. Joiner of a live reservation.
        if let Some(reservation) = self.model.reservations.get(key) {
            if !capable.is_subset(&reservation.doors) {
                return Err(if capable.is_superset(&reservation.doors) {
                    "reservation_joiner_entrance_set_conflict"
                } else {
                    "reservation_entrance_change_requires_cleanup"
                });
            }
            let overlaps = self
                .model
                .grants
                .iter()
                .filter(|g| g.live && g.key.as_deref() == Some(key.as_str()))
                .all(|g| g.frame.overlaps(&frame));
            if !overlaps {
                return Err("reservation_time_frames_must_overlap");
            }
            return Ok(Placement::Join(reservation.id));
        }
        // 6. A new reservation.
        Ok(Placement::Establish)
    }

    fn expect_update(&self, request: &UpdateAccessGrant) -> Result<(), &'static str> {
        let grant = self
            .model
            .live_grant(request.access_grant_id)
            .ok_or("not_found")?;
        let frame = TimeFrame::new(
            request.starts_at.unwrap_or(grant.frame.starts_at),
            request.ends_at.unwrap_or(grant.frame.ends_at),
        );
        if let Some(name) = &request.name
            && !text_ok(name)
        {
            return Err("invalid_input");
        }
        if frame == grant.frame {
            // Unchanged dates are not judged again, even when they are past.
            return Ok(());
        }
        if frame.ends_at <= frame.starts_at || frame.ends_at <= self.now {
            return Err("invalid_input");
        }
        if let Some(reservation_id) = grant.reservation_id {
            let others: Vec<_> = self
                .model
                .grants
                .iter()
                .filter(|g| g.live && g.id != grant.id && g.reservation_id == Some(reservation_id))
                .collect();
            // Rule 4: every grant of a reservation overlaps every other one.
            if !others.iter().all(|g| g.frame.overlaps(&frame)) {
                return Err("reservation_time_frames_must_overlap");
            }
        }
        Ok(())
    }
}
