//! Staff cards: a staff person's grant on chosen doors, floors or all guest rooms, without a
//! reservation, so it never overrides a guest and no guest overrides it. Set up, listed,
//! changed, revoked, deleted before its card exists, and its card reported lost; managers
//! only.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use engine::lock::StaffLevel;
use engine::model::{
    AccessGrantId, AccessMethodId, AccessMode, EntranceFacts, EntranceId, RequestedAccessMethod,
    TimeFrame, UserKind,
};
use engine::rules;
use engine::staff::StaffTerms;
use engine::warnings::WarningCode;
use serde::{Deserialize, Serialize};
use store::{GrantFilter, Reader, Writer};

use crate::grants::{apply_update, check_card_capacity, create, delete, live_grant};
use crate::operators::{Operator, Permission};
use crate::users::insert_user;
use crate::warnings::{refresh_collection, refresh_encoding};
use crate::zones::DoorMap;
use crate::{
    AccessGrantRecord, AccessMethodRecord, CardView, Context, CreateAccessGrant, Error, FrontDesk,
    NewUserIdentity, Result, audit_ok, to_json,
};

/// A staff person's access, as the staff screen lists it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffAccess {
    pub access_grant_id: AccessGrantId,
    pub full_name: Option<String>,
    pub entrance_ids: Vec<EntranceId>,
    /// What the card opens, in words: "Floor 1 (20 rooms), Lobby door, Pool door".
    pub opens: String,
    /// Its level and schedule, when it was given them (chosen doors at any time otherwise).
    pub staff_terms: Option<StaffTerms>,
    /// Its card opens each door once.
    pub one_shot: bool,
    pub starts_at: DateTime<Utc>,
    /// `null` when open-ended.
    #[serde(serialize_with = "engine::model::serialize_end")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub ends_at: DateTime<Utc>,
    /// When the entry was revoked; it stays listed while its cards are out.
    pub revoked_at: Option<DateTime<Utc>>,
    pub cards_state: StaffCardsState,
    pub cards: Vec<CardView>,
}

/// Where a staff entry's cards stand.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffCardsState {
    /// No card was encoded yet: the entry may still be deleted outright.
    NotEncoded,
    /// Its cards work as the entry says.
    Encoded,
    /// Its doors or dates changed after a card was encoded: encode it again.
    NeedsReEncoding,
    /// A card was reported lost and no working card replaced it yet.
    Lost,
    /// The entry was revoked and a card of it is not back yet.
    Revoked,
    /// A one-shot key whose card the locks took at every door it lists: it opens nothing
    /// more.
    Used,
}

/// What a staff card can open, as the staff screen offers it. Only doors that open with a
/// card written at this desk are offered.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffDoorChoices {
    /// Every guest room's door; no doors when the property has no guest room.
    pub all_guest_rooms: DoorGroup,
    /// The guest rooms of each floor, lowest floor first.
    pub floors: Vec<DoorGroup>,
    /// Doors of no guest room: lobby, pool, gym, lifts.
    pub common_doors: Vec<DoorChoice>,
    /// Each guest room's door, to choose one room alone.
    pub room_doors: Vec<DoorChoice>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorGroup {
    /// "All guest rooms", "Floor 1".
    pub label: String,
    pub floor: Option<i32>,
    pub rooms: u32,
    pub entrance_ids: Vec<EntranceId>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoorChoice {
    pub acs_entrance_id: EntranceId,
    pub name: String,
    pub floor: Option<i32>,
}

/// A change of a staff entry; what is `None` stays.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChange {
    pub access_grant_id: AccessGrantId,
    pub full_name: Option<String>,
    pub acs_entrance_ids: Option<Vec<EntranceId>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

impl FrontDesk {
    /// The doors a staff card can open, grouped as the staff screen offers them.
    pub fn staff_door_choices(&self, operator: &Operator) -> Result<StaffDoorChoices> {
        operator.require(Permission::Manage)?;
        self.store.read(|r| {
            let map = DoorMap::read(r)?;
            let group =
                |label: String, floor: Option<i32>, rooms: usize, doors: Vec<_>| DoorGroup {
                    label,
                    floor,
                    rooms: u32::try_from(rooms).unwrap_or(u32::MAX),
                    entrance_ids: doors,
                };
            let all = map.all_guest_room_doors();
            let ordered = |doors: &BTreeSet<EntranceId>| -> Vec<EntranceId> {
                map.order
                    .iter()
                    .copied()
                    .filter(|door| doors.contains(door))
                    .collect()
            };
            let floors = map
                .floors
                .iter()
                .filter_map(|(floor, rooms)| {
                    let floor = (*floor)?;
                    Some(group(
                        format!("Floor {floor}"),
                        Some(floor),
                        rooms.rooms.len(),
                        ordered(&rooms.doors),
                    ))
                })
                .collect();
            let choice = |door: &EntranceId| {
                let floor = match map.places.get(door) {
                    Some(engine::lock::DoorPlace::GuestRoom { floor }) => *floor,
                    _ => None,
                };
                DoorChoice {
                    acs_entrance_id: *door,
                    name: map.names.get(door).cloned().unwrap_or_default(),
                    floor,
                }
            };
            Ok(StaffDoorChoices {
                all_guest_rooms: group(
                    "All guest rooms".to_owned(),
                    None,
                    map.guest_room_count(),
                    ordered(&all),
                ),
                floors,
                common_doors: map
                    .order
                    .iter()
                    .filter(|door| !all.contains(door))
                    .map(choice)
                    .collect(),
                room_doors: map
                    .order
                    .iter()
                    .filter(|door| all.contains(door))
                    .map(choice)
                    .collect(),
            })
        })
    }

    /// A one-shot key on the chosen doors: its card opens each of them once, within `frame`
    /// (a viewing, a contractor's one visit).
    pub fn issue_one_shot_key(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        full_name: &str,
        entrance_ids: &[EntranceId],
        frame: TimeFrame,
    ) -> Result<AccessGrantRecord> {
        self.staff_key(
            operator,
            now,
            full_name,
            entrance_ids,
            frame,
            &StaffTerms::default(),
            true,
        )
    }

    /// A staff card on the chosen doors that works at any time: see
    /// [`FrontDesk::issue_staff_key`].
    pub fn issue_staff_access(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        full_name: &str,
        entrance_ids: &[EntranceId],
        frame: TimeFrame,
    ) -> Result<AccessGrantRecord> {
        self.issue_staff_key(
            operator,
            now,
            full_name,
            entrance_ids,
            frame,
            &StaffTerms::default(),
        )
    }

    /// A staff card: a staff person's grant on the chosen doors and those its level opens,
    /// working within its schedule. Whole floors and all guest rooms go on the card as
    /// zones; an emergency key names no door.
    pub fn issue_staff_key(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        full_name: &str,
        entrance_ids: &[EntranceId],
        frame: TimeFrame,
        terms: &StaffTerms,
    ) -> Result<AccessGrantRecord> {
        self.staff_key(operator, now, full_name, entrance_ids, frame, terms, false)
    }

    #[allow(clippy::too_many_arguments)]
    fn staff_key(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        full_name: &str,
        entrance_ids: &[EntranceId],
        frame: TimeFrame,
        terms: &StaffTerms,
        one_shot: bool,
    ) -> Result<AccessGrantRecord> {
        let context = operator.context(now);
        let request = serde_json::json!({
            "acs_entrance_ids": entrance_ids,
            "starts_at": frame.starts_at,
            "ends_at": frame.ends_at,
            "staff_terms": terms,
            "one_shot": one_shot,
        });
        // Chosen doors at any time are what every staff card was before levels.
        let given = (*terms != StaffTerms::default()).then_some(terms);
        self.context_change(
            Permission::Manage,
            &context,
            "staff.issue",
            None,
            &request,
            |w| {
                let user = insert_user(
                    w,
                    &context,
                    &NewUserIdentity {
                        key: None,
                        full_name: Some(full_name.trim().to_owned()),
                        email_address: None,
                        phone_number: None,
                        kind: UserKind::Staff,
                    },
                )?;
                create(
                    w,
                    &context,
                    &CreateAccessGrant {
                        user_identity_id: Some(user.id),
                        acs_entrance_ids: entrance_ids.to_vec(),
                        starts_at: Some(frame.starts_at),
                        ends_at: Some(frame.ends_at),
                        requested_access_methods: vec![RequestedAccessMethod {
                            mode: AccessMode::Card,
                            code: None,
                        }],
                        name: Some(staff_grant_name(full_name)),
                        staff_level: given.map(|terms| terms.level),
                        floors: given.map(|terms| terms.floors.clone()).unwrap_or_default(),
                        schedule: given
                            .map(|terms| terms.schedule.clone())
                            .unwrap_or_default(),
                        one_shot,
                        ..Default::default()
                    },
                )
            },
        )
    }

    /// The staff entries: the live ones, and the revoked ones whose cards are still out (a
    /// `cards_not_collected` warning holds at `now`).
    pub fn staff_access(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
    ) -> Result<Vec<StaffAccess>> {
        operator.require(Permission::Manage)?;
        self.store.read(|r| {
            let map = DoorMap::read(r)?;
            let mut staff = Vec::new();
            for user in r
                .user_identities()?
                .into_iter()
                .filter(|user| user.kind == UserKind::Staff)
            {
                let filter = GrantFilter {
                    user_identity_id: Some(user.id),
                    ..Default::default()
                };
                for grant in r.access_grants(&filter)? {
                    staff.push(staff_view(r, &map, &grant, user.full_name.clone())?);
                }
            }
            let mut revoked = BTreeSet::new();
            for warning in r.all_warnings(now)? {
                if warning.code == WarningCode::CardsNotCollected {
                    revoked.insert(warning.access_grant_id);
                }
            }
            for id in revoked {
                let Some(grant) = r.access_grant(id)?.filter(|grant| !grant.is_live()) else {
                    continue;
                };
                let Some(user) = r
                    .user_identity(grant.user_identity_id)?
                    .filter(|user| user.kind == UserKind::Staff)
                else {
                    continue;
                };
                staff.push(staff_view(r, &map, &grant, user.full_name)?);
            }
            Ok(staff)
        })
    }

    /// Changes a staff entry's name, doors or dates. Cards already encoded carry the old
    /// doors or dates, so they are flagged for re-encoding.
    pub fn update_staff_access(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        change: &StaffChange,
    ) -> Result<AccessGrantRecord> {
        let context = operator.context(now);
        self.context_change(
            Permission::Manage,
            &context,
            "staff.update",
            Some(change.access_grant_id.to_string()),
            change,
            |w| update(w, &context, change),
        )
    }

    /// Revokes a staff entry: its grant is deleted. An encoded card keeps opening its doors
    /// until it comes back or ends (no guest card overrides it), so it stays listed, here and
    /// in the manager's warnings, until then.
    pub fn revoke_staff_access(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        id: AccessGrantId,
    ) -> Result<AccessGrantRecord> {
        let context = operator.context(now);
        let request = serde_json::json!({ "access_grant_id": id });
        self.context_change(
            Permission::Manage,
            &context,
            "staff.revoke",
            Some(id.to_string()),
            &request,
            |w| {
                live_staff_grant(w, id)?;
                delete(w, &context, id)
            },
        )
    }

    /// Deletes a staff entry whose card was never encoded: nothing of it is out there.
    pub fn delete_staff_access(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        id: AccessGrantId,
    ) -> Result<AccessGrantRecord> {
        let context = operator.context(now);
        let request = serde_json::json!({ "access_grant_id": id });
        self.context_change(
            Permission::Manage,
            &context,
            "staff.delete",
            Some(id.to_string()),
            &request,
            |w| {
                live_staff_grant(w, id)?;
                if w.access_methods_of_grant(id)?
                    .iter()
                    .any(AccessMethodRecord::is_issued)
                {
                    return Err(Error::invalid(
                        "access_grant_id",
                        "a card of this entry was encoded: revoke it instead, so the card \
                         stays listed until it is back",
                    ));
                }
                delete(w, &context, id)
            },
        )
    }

    /// Reports a working staff card lost: the card is revoked and marked lost, and the
    /// entry stays, ready for a new card. The lost card opens its doors until its end (no
    /// guest card overrides a staff card), and the manager's warnings say so.
    pub fn report_staff_card_lost(
        &self,
        operator: &Operator,
        now: DateTime<Utc>,
        id: AccessMethodId,
    ) -> Result<AccessMethodRecord> {
        let context = operator.context(now);
        let request = serde_json::json!({ "access_method_id": id });
        self.context_change(
            Permission::Manage,
            &context,
            "staff.card_lost",
            Some(id.to_string()),
            &request,
            |w| {
                let before = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                live_staff_grant(w, before.access_grant_id)?;
                let refusal = if before.mode != AccessMode::Card || !before.is_issued() {
                    Some("only an encoded card can be lost")
                } else if before.revoked_at.is_some() {
                    Some("this card was already taken out of use")
                } else {
                    None
                };
                if let Some(message) = refusal {
                    return Err(Error::invalid("access_method_id", message));
                }
                w.revoke_access_method(id, now)?;
                w.mark_lost(id, now)?;
                w.set_encoding_required(id, false)?;
                refresh_encoding(w, before.access_grant_id, now)?;
                refresh_collection(w, before.access_grant_id, now)?;
                let after = w
                    .access_method(id)?
                    .ok_or_else(|| Error::not_found("access_method", id))?;
                w.audit(
                    &audit_ok(
                        &context,
                        "access_method.lost",
                        id,
                        to_json(&before),
                        to_json(&after),
                    ),
                    now,
                )?;
                Ok(after)
            },
        )
    }
}

fn level_name(level: StaffLevel) -> &'static str {
    match level {
        StaffLevel::Area => "area",
        StaffLevel::Floor => "floor",
        StaffLevel::Master => "master",
        StaffLevel::Emergency => "emergency",
    }
}

fn staff_grant_name(full_name: &str) -> String {
    format!("Staff: {}", full_name.trim())
}

/// A live grant of a staff person, or a refusal naming `access_grant_id`.
fn live_staff_grant(r: &Reader<'_>, id: AccessGrantId) -> Result<AccessGrantRecord> {
    let grant = live_grant(r, id)?;
    let staff = r
        .user_identity(grant.user_identity_id)?
        .is_some_and(|user| user.kind == UserKind::Staff);
    if !staff {
        return Err(Error::invalid(
            "access_grant_id",
            "is a guest's access, not a staff card",
        ));
    }
    Ok(grant)
}

fn staff_view(
    r: &Reader<'_>,
    map: &DoorMap,
    grant: &AccessGrantRecord,
    full_name: Option<String>,
) -> Result<StaffAccess> {
    let cards: Vec<AccessMethodRecord> = r
        .access_methods(store::MethodFilter::Grant(grant.id))?
        .into_iter()
        .filter(|method| method.mode == AccessMode::Card)
        .collect();
    let entrance_ids = grant.entrance_ids();
    let emergency = grant
        .staff_terms
        .as_ref()
        .is_some_and(|terms| terms.level == StaffLevel::Emergency);
    Ok(StaffAccess {
        access_grant_id: grant.id,
        full_name,
        opens: if emergency {
            "Every door, a thrown deadbolt included (emergency key)".to_owned()
        } else {
            map.describe(&entrance_ids)
        },
        staff_terms: grant.staff_terms.clone(),
        one_shot: grant.one_shot,
        entrance_ids,
        starts_at: grant.starts_at,
        ends_at: grant.ends_at,
        revoked_at: grant.deleted_at,
        cards_state: if grant.one_shot && grant.is_live() && one_shot_used(r, &cards)? {
            StaffCardsState::Used
        } else {
            cards_state(grant, &cards)
        },
        cards: cards.into_iter().map(CardView::from).collect(),
    })
}

/// Whether a one-shot key's working cards were all taken at every door they list, as the
/// simulated locks remember.
fn one_shot_used(r: &Reader<'_>, cards: &[AccessMethodRecord]) -> Result<bool> {
    let mut any = false;
    for method in cards.iter().filter(|card| card.revoked_at.is_none()) {
        let Some(card) = r
            .cards_of_method(method.id)?
            .into_iter()
            .find(|card| card.superseded_at.is_none())
        else {
            return Ok(false);
        };
        let Some(operation) = r.encode_operation(card.op_id)? else {
            return Ok(false);
        };
        let data = encoder::card::read(&operation.image).map_err(Error::Card)?;
        for door in &data.capable_doors {
            if r.lock_state(door.entrance_id)?.one_shot_sequence < door.sequence {
                return Ok(false);
            }
        }
        any = true;
    }
    Ok(any)
}

fn cards_state(grant: &AccessGrantRecord, cards: &[AccessMethodRecord]) -> StaffCardsState {
    let working: Vec<&AccessMethodRecord> = cards
        .iter()
        .filter(|card| card.revoked_at.is_none())
        .collect();
    if !grant.is_live() {
        StaffCardsState::Revoked
    } else if working.iter().any(|card| card.is_encoding_required) {
        StaffCardsState::NeedsReEncoding
    } else if working.iter().any(|card| card.is_issued()) {
        StaffCardsState::Encoded
    } else if cards.iter().any(|card| card.lost_at.is_some()) {
        StaffCardsState::Lost
    } else {
        StaffCardsState::NotEncoded
    }
}

fn update(w: &Writer<'_>, context: &Context, change: &StaffChange) -> Result<AccessGrantRecord> {
    let now = context.now;
    let before = live_staff_grant(w, change.access_grant_id)?;
    let mut card_changes = false;

    if let Some(full_name) = &change.full_name {
        let full_name = full_name.trim();
        if full_name.is_empty() {
            return Err(Error::invalid("full_name", "must not be empty"));
        }
        rules::check_name(Some(full_name)).map_err(|_| {
            Error::invalid(
                "full_name",
                "must be at most 255 characters, without control characters",
            )
        })?;
        w.set_user_full_name(before.user_identity_id, full_name)?;
    }

    if let Some(entrance_ids) = &change.acs_entrance_ids {
        let level = before.staff_terms.as_ref().map(|terms| terms.level);
        if let Some(level) = level.filter(|level| *level != StaffLevel::Area) {
            return Err(Error::invalid(
                "acs_entrance_ids",
                format!(
                    "the doors of a {} key come with its level; issue a new card for other doors",
                    level_name(level)
                ),
            ));
        }
        let entrances = staff_entrances(w, entrance_ids)?;
        let (_, zoned) = crate::grants::staff_zoned_doors(&DoorMap::read(w)?, &entrances)?;
        check_card_capacity(
            UserKind::Staff,
            &entrances,
            &zoned,
            &rules::Placement::Standard,
            &before.requested_access_methods,
        )?;
        let ids: Vec<EntranceId> = entrances.iter().map(|entrance| entrance.id).collect();
        let old: BTreeSet<EntranceId> = before.entrance_ids().into_iter().collect();
        if ids.iter().copied().collect::<BTreeSet<_>>() != old {
            w.set_grant_entrances(before.id, &ids)?;
            card_changes = true;
        }
    }

    let frame = TimeFrame::new(
        change.starts_at.unwrap_or(before.starts_at),
        change.ends_at.unwrap_or(before.ends_at),
    );
    let name = match &change.full_name {
        Some(full_name) => Some(staff_grant_name(full_name)),
        None => before.name.clone(),
    };
    if frame == before.frame() {
        rules::check_name(name.as_deref())?;
    } else {
        rules::check_update(&frame, name.as_deref(), &[], now)?;
    }
    apply_update(w, context, &before, frame, name.as_deref())?;

    if card_changes {
        // The plastic carries the old doors: each working card needs writing again.
        for method in w.access_methods_of_grant(before.id)? {
            if method.mode == AccessMode::Card && method.is_issued() && method.revoked_at.is_none()
            {
                w.set_encoding_required(method.id, true)?;
            }
        }
        refresh_encoding(w, before.id, now)?;
    }
    let after = live_grant(w, before.id)?;
    w.audit(
        &audit_ok(
            context,
            "staff.update",
            before.id,
            to_json(&before),
            to_json(&after),
        ),
        now,
    )?;
    Ok(after)
}

/// The doors chosen for a staff card, each once, or a refusal naming the one that is wrong.
fn staff_entrances(r: &Reader<'_>, ids: &[EntranceId]) -> Result<Vec<EntranceFacts>> {
    if ids.is_empty() {
        return Err(Error::invalid(
            "acs_entrance_ids",
            "choose at least one door",
        ));
    }
    let mut seen = BTreeSet::new();
    let mut entrances = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        let entrance = r.entrance(*id)?.ok_or_else(|| {
            Error::invalid(
                format!("acs_entrance_ids[{index}]"),
                format!("no entrance with id {id}"),
            )
        })?;
        if !seen.insert(*id) {
            continue;
        }
        entrances.push(EntranceFacts {
            id: *id,
            name: entrance.name,
            system_kind: entrance.access_system_kind,
            can_belong_to_reservation: entrance.can_belong_to_reservation,
            modes: entrance.modes,
        });
    }
    Ok(entrances)
}
