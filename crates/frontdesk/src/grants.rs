//! Access grants: create, read, update (times and name), delete.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use encoder::card::{MAX_CAPABLE_DOORS, MAX_COMMON_DOORS, MAX_ZONES};
use engine::lock::{StaffLevel, StaffZone};
use engine::model::{
    AccessGrantId, AccessMode, EntranceFacts, EntranceId, RequestedAccessMethod, SpaceId,
    TimeFrame, UserIdentityId, UserKind,
};
use engine::rules::{self, CreateGrant, Placement};
use engine::staff::{ScheduleWindow, StaffTerms};
use serde::{Deserialize, Serialize};
use store::{GrantEntrance, GrantFilter, NewAccessMethod, NewGrant, Reader, Writer};

use crate::operators::Permission;
use crate::users::insert_user;
use crate::warnings::{refresh_collection, refresh_doors, refresh_encoding};
use crate::{
    AccessGrantRecord, Context, Error, FrontDesk, NewUserIdentity, Result, audit_ok, to_json,
};

/// A request to create an access grant. Entrances may be given directly, through spaces, or
/// both; the grant gets their union.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAccessGrant {
    pub user_identity_id: Option<UserIdentityId>,
    /// A person to create with the grant, in the same transaction, instead of an id.
    #[serde(skip)]
    pub new_user_identity: Option<NewUserIdentity>,
    #[serde(default)]
    pub acs_entrance_ids: Vec<EntranceId>,
    #[serde(default)]
    pub space_ids: Vec<SpaceId>,
    #[serde(default)]
    pub space_keys: Vec<String>,
    /// Now when `None`.
    pub starts_at: Option<DateTime<Utc>>,
    /// No end (an open-ended grant) when `None`.
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub requested_access_methods: Vec<RequestedAccessMethod>,
    pub reservation_key: Option<String>,
    pub name: Option<String>,
    /// A staff grant's level: its doors are those given and those the level opens.
    pub staff_level: Option<StaffLevel>,
    /// A floor card's floors.
    #[serde(default)]
    pub floors: Vec<i32>,
    /// When a staff card works; always when empty.
    #[serde(default)]
    pub schedule: Vec<ScheduleWindow>,
    /// It opens each of its doors once, to whichever of its cards is used first (a viewing, a
    /// contractor's one visit).
    #[serde(default)]
    pub one_shot: bool,
}

/// A change of an access grant's times or name; what is `None` stays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateAccessGrant {
    pub access_grant_id: AccessGrantId,
    pub starts_at: Option<DateTime<Utc>>,
    /// `Some(engine::model::OPEN_END)` takes the end away.
    pub ends_at: Option<DateTime<Utc>>,
    pub name: Option<String>,
}

impl FrontDesk {
    pub fn create_access_grant(
        &self,
        context: &Context,
        request: &CreateAccessGrant,
    ) -> Result<AccessGrantRecord> {
        self.change(context, "access_grant.create", None, request, |w| {
            create(w, context, request)
        })
    }

    pub fn access_grant(&self, id: AccessGrantId) -> Result<AccessGrantRecord> {
        self.store.read(|r| live_grant(r, id))
    }

    pub fn access_grants(&self, filter: &GrantFilter) -> Result<Vec<AccessGrantRecord>> {
        self.store.read(|r| Ok(r.access_grants(filter)?))
    }

    /// Changes times and name. Cards already encoded keep their old dates, so they are
    /// flagged `encoding_required` until they are encoded again.
    pub fn update_access_grant(
        &self,
        context: &Context,
        request: &UpdateAccessGrant,
    ) -> Result<AccessGrantRecord> {
        let subject = Some(request.access_grant_id.to_string());
        self.change(context, "access_grant.update", subject, request, |w| {
            update(w, context, request)
        })
    }

    /// Deletes a grant and revokes its access methods. Issued cards still open their doors
    /// until collected or overridden, so the grant keeps a `cards_not_collected` warning.
    /// The grant's reservation is cleared with its last live grant.
    pub fn delete_access_grant(
        &self,
        context: &Context,
        id: AccessGrantId,
    ) -> Result<AccessGrantRecord> {
        let request = serde_json::json!({ "access_grant_id": id });
        self.change(
            context,
            "access_grant.delete",
            Some(id.to_string()),
            &request,
            |w| delete(w, context, id),
        )
    }
}

pub(crate) fn live_grant(r: &Reader<'_>, id: AccessGrantId) -> Result<AccessGrantRecord> {
    r.access_grant(id)?
        .filter(AccessGrantRecord::is_live)
        .ok_or_else(|| Error::not_found("access_grant", id))
}

pub(crate) fn create(
    w: &Writer<'_>,
    context: &Context,
    request: &CreateAccessGrant,
) -> Result<AccessGrantRecord> {
    let now = context.now;
    let user = match (request.user_identity_id, &request.new_user_identity) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "user_identity",
                "give user_identity_id or user_identity, not both",
            ));
        }
        (Some(id), None) => w.user_identity(id)?.ok_or_else(|| {
            Error::invalid("user_identity_id", format!("no user identity with id {id}"))
        })?,
        (None, Some(new_user)) => insert_user(w, context, new_user)?,
        (None, None) => return Err(Error::invalid("user_identity_id", "is required")),
    };
    // As in Seam: no start is now, and no end is an open-ended grant.
    let starts_at = request.starts_at.unwrap_or(now);
    let terms = staff_terms(user.kind, request)?;
    if request.one_shot {
        check_one_shot(request)?;
    }
    let map = if user.kind == UserKind::Staff {
        Some(crate::zones::DoorMap::read(w)?)
    } else {
        None
    };
    let level_doors = match (&terms, &map) {
        (Some(terms), Some(map)) => level_doors(map, terms)?,
        _ => Vec::new(),
    };
    let (entrances, space_ids) = resolve_entrances(w, request, &level_doors)?;

    let key = request.reservation_key.as_deref();
    let live = match key {
        Some(key) => w.live_reservation(key)?,
        None => None,
    };
    let check = CreateGrant {
        user_kind: user.kind,
        entrances: &entrances,
        frame: TimeFrame::until(starts_at, request.ends_at),
        requested: &request.requested_access_methods,
        reservation_key: key,
        name: request.name.as_deref(),
        one_shot: request.one_shot,
    };
    let placement = rules::check_create(&check, live.as_ref(), now)?;
    // A staff card carries whole floors (or all guest rooms) as zones, not door by door; an
    // emergency key carries no door at all.
    let emergency = terms
        .as_ref()
        .is_some_and(|terms| terms.level == StaffLevel::Emergency);
    let (zones, zoned) = match &map {
        Some(_) if emergency => (
            Vec::new(),
            entrances.iter().map(|entrance| entrance.id).collect(),
        ),
        Some(map) => staff_zoned_doors(map, &entrances)?,
        None => (Vec::new(), BTreeSet::new()),
    };
    // A card that opens every guest room is a master key, whatever it was asked as.
    if emergency || zones.contains(&StaffZone::AllGuestRooms) {
        context.require(Permission::Manage)?;
    }
    if request.one_shot {
        check_one_shot_capacity(&entrances)?;
    } else {
        check_card_capacity(
            user.kind,
            &entrances,
            &zoned,
            &placement,
            &request.requested_access_methods,
        )?;
    }

    // The reservation's doors this grant has, with their numbers: none yet on a new
    // reservation, whose numbers come with its first encoded cards.
    let (reservation, sequences) = match (&placement, key) {
        (Placement::Establish { doors }, Some(key)) => {
            let id = w.insert_reservation(key, doors, now)?;
            let sequences = doors.iter().map(|door| (*door, None)).collect();
            (Some((key.to_owned(), id)), sequences)
        }
        (
            Placement::Join {
                reservation_id,
                doors,
            },
            Some(key),
        ) => {
            let mut sequences = w.reservation_doors(*reservation_id)?;
            sequences.retain(|door, _| doors.contains(door));
            (Some((key.to_owned(), *reservation_id)), sequences)
        }
        _ => (None, BTreeMap::new()),
    };

    let mut cards = 0;
    let access_methods = request
        .requested_access_methods
        .iter()
        .zip(0u32..)
        .map(|(method, request_index)| NewAccessMethod {
            request_index,
            mode: method.mode,
            code: match method.mode {
                AccessMode::Code => Some(method.code.clone().unwrap_or_else(new_pin)),
                _ => None,
            },
            copy_number: (method.mode == AccessMode::Card).then(|| {
                cards += 1;
                cards
            }),
        })
        .collect();
    let grant = NewGrant {
        user_identity_id: user.id,
        reservation,
        name: request.name.clone(),
        frame: check.frame,
        requested_access_methods: request.requested_access_methods.clone(),
        space_ids,
        entrances: entrances
            .iter()
            .map(|entrance| GrantEntrance {
                entrance_id: entrance.id,
                reservation_door: sequences.contains_key(&entrance.id),
                sequence: sequences.get(&entrance.id).copied().flatten(),
            })
            .collect(),
        access_methods,
        staff_terms: terms,
        one_shot: request.one_shot,
    };
    let mut created = w.insert_grant(&grant, now)?;
    refresh_doors(w, &sequences.keys().copied().collect(), now)?;
    created.warnings = w.warnings_of_grant(created.id)?;
    let id = created.id;
    w.audit(
        &audit_ok(context, "access_grant.create", id, None, to_json(&created)),
        now,
    )?;
    Ok(created)
}

/// Refuses what a one-shot key cannot be: part of a stay (whose next cards would override
/// it), a staff level or shift, or anything but a card.
fn check_one_shot(request: &CreateAccessGrant) -> Result<()> {
    let message = if request.reservation_key.is_some() {
        "a one-shot key belongs to no stay: leave out reservation_key"
    } else if request.staff_level.is_some() || !request.floors.is_empty() {
        "a one-shot key lists its doors: leave out staff_level and floors"
    } else if !request.schedule.is_empty() {
        "a one-shot key opens once, whenever it is used in its dates: leave out schedule"
    } else if request.requested_access_methods.is_empty()
        || request
            .requested_access_methods
            .iter()
            .any(|method| method.mode != AccessMode::Card)
    {
        "a one-shot key is a card: request card access methods only"
    } else {
        return Ok(());
    };
    Err(Error::invalid("one_shot", message))
}

/// Refuses a one-shot grant with more doors than its card numbers.
fn check_one_shot_capacity(entrances: &[EntranceFacts]) -> Result<()> {
    let on_card = entrances
        .iter()
        .filter(|entrance| {
            entrance.system_kind.is_override_based() && entrance.modes.contains(&AccessMode::Card)
        })
        .count();
    if on_card == 0 {
        return Err(Error::invalid(
            "acs_entrance_ids",
            "a one-shot key needs a door that opens with a card written at this desk",
        ));
    }
    if on_card > MAX_CAPABLE_DOORS {
        return Err(Error::invalid(
            "acs_entrance_ids",
            format!(
                "a one-shot card carries at most {MAX_CAPABLE_DOORS} doors and {on_card} were \
                 chosen; choose fewer doors"
            ),
        ));
    }
    Ok(())
}

/// A staff grant's level and schedule as asked; `None` when none was given. Refused for a
/// guest's grant, and when a card could not carry them.
fn staff_terms(kind: UserKind, request: &CreateAccessGrant) -> Result<Option<StaffTerms>> {
    if request.staff_level.is_none() && request.floors.is_empty() && request.schedule.is_empty() {
        return Ok(None);
    }
    if kind != UserKind::Staff {
        let field = if request.staff_level.is_some() {
            "staff_level"
        } else if request.floors.is_empty() {
            "schedule"
        } else {
            "floors"
        };
        return Err(Error::invalid(
            field,
            "only a staff user identity's grant has a level, floors or a schedule",
        ));
    }
    let terms = StaffTerms {
        level: request.staff_level.unwrap_or_default(),
        floors: request.floors.clone(),
        schedule: request.schedule.clone(),
    };
    terms.check()?;
    Ok(Some(terms))
}

/// The doors a staff level opens besides those asked for: every door the desk's cards open
/// (emergency), every guest room's (master), or the guest rooms' of its floors.
fn level_doors(map: &crate::zones::DoorMap, terms: &StaffTerms) -> Result<Vec<EntranceId>> {
    Ok(match terms.level {
        StaffLevel::Area => Vec::new(),
        StaffLevel::Emergency => map.order.clone(),
        StaffLevel::Master => {
            let rooms = map.all_guest_room_doors();
            map.order
                .iter()
                .copied()
                .filter(|door| rooms.contains(door))
                .collect()
        }
        StaffLevel::Floor => {
            let mut doors = Vec::new();
            for (index, floor) in terms.floors.iter().enumerate() {
                let rooms = map
                    .floors
                    .get(&Some(*floor))
                    .filter(|rooms| !rooms.doors.is_empty())
                    .ok_or_else(|| {
                        Error::invalid(
                            format!("floors[{index}]"),
                            format!("no guest room of the property is on floor {floor}"),
                        )
                    })?;
                doors.extend(
                    map.order
                        .iter()
                        .copied()
                        .filter(|door| rooms.doors.contains(door)),
                );
            }
            doors
        }
    })
}

/// The zones a staff card carries for `entrances` (whole floors, or all guest rooms), and
/// the doors it carries in them rather than one by one. Refuses more zones than a card has
/// room for.
pub(crate) fn staff_zoned_doors(
    map: &crate::zones::DoorMap,
    entrances: &[EntranceFacts],
) -> Result<(Vec<StaffZone>, BTreeSet<EntranceId>)> {
    let ids: Vec<EntranceId> = entrances.iter().map(|entrance| entrance.id).collect();
    let (zones, singles) = map.zone_plan(&ids);
    if zones.len() > MAX_ZONES {
        return Err(Error::invalid(
            "acs_entrance_ids",
            format!(
                "a staff card carries at most {MAX_ZONES} whole floors and {} were chosen; \
                 choose all guest rooms instead, or make a second card for the rest",
                zones.len()
            ),
        ));
    }
    let zoned = ids
        .into_iter()
        .filter(|id| map.places.contains_key(id) && !singles.contains(id))
        .collect();
    Ok((zones, zoned))
}

/// Refuses a grant whose card could not be written: a card image has room for so many
/// doors. Only the doors a card written at this desk carries count (offline, override-based
/// doors that open with a card); online doors get their credentials elsewhere, and a staff
/// card's `zoned` doors travel as zones.
pub(crate) fn check_card_capacity(
    user_kind: UserKind,
    entrances: &[EntranceFacts],
    zoned: &BTreeSet<EntranceId>,
    placement: &Placement,
    requested: &[RequestedAccessMethod],
) -> Result<()> {
    if !requested
        .iter()
        .any(|method| method.mode == AccessMode::Card)
    {
        return Ok(());
    }
    let reservation_doors = match placement {
        Placement::Establish { doors } | Placement::Join { doors, .. } => Some(doors),
        Placement::Standard => None,
    };
    let (mut capable, mut common) = (0, 0);
    for entrance in entrances {
        if !entrance.system_kind.is_override_based()
            || !entrance.modes.contains(&AccessMode::Card)
            || zoned.contains(&entrance.id)
        {
            continue;
        }
        if reservation_doors.is_some_and(|doors| doors.contains(&entrance.id)) {
            capable += 1;
        } else {
            common += 1;
        }
    }
    let message = if user_kind == UserKind::Staff && common > MAX_COMMON_DOORS {
        format!(
            "a staff card carries at most {MAX_COMMON_DOORS} single doors besides whole floors \
             and {common} were chosen; choose whole floors (or all guest rooms) instead of \
             single room doors, fewer doors, or make a second card for the rest"
        )
    } else if common > MAX_COMMON_DOORS {
        format!(
            "a card carries at most {MAX_COMMON_DOORS} doors besides the room's and {common} \
             were chosen; choose fewer common areas, or give the rest a second grant"
        )
    } else if capable > MAX_CAPABLE_DOORS {
        format!(
            "a card carries at most {MAX_CAPABLE_DOORS} doors of one room or suite and \
             {capable} were chosen; choose fewer doors"
        )
    } else {
        return Ok(());
    };
    Err(Error::invalid("acs_entrance_ids", message))
}

/// The targeted entrances, each once, in the order given, then `more` (a staff level's);
/// and the spaces asked for.
fn resolve_entrances(
    r: &Reader<'_>,
    request: &CreateAccessGrant,
    more: &[EntranceId],
) -> Result<(Vec<EntranceFacts>, Vec<SpaceId>)> {
    let mut entrance_ids = Vec::new();
    for (index, id) in request.acs_entrance_ids.iter().enumerate() {
        r.entrance(*id)?.ok_or_else(|| {
            Error::invalid(
                format!("acs_entrance_ids[{index}]"),
                format!("no entrance with id {id}"),
            )
        })?;
        entrance_ids.push(*id);
    }
    let mut spaces = Vec::new();
    for (index, id) in request.space_ids.iter().enumerate() {
        let space = r.space(*id)?.ok_or_else(|| {
            Error::invalid(
                format!("space_ids[{index}]"),
                format!("no space with id {id}"),
            )
        })?;
        spaces.push(space);
    }
    for (index, key) in request.space_keys.iter().enumerate() {
        let space = r.space_by_key(key)?.ok_or_else(|| {
            Error::invalid(
                format!("space_keys[{index}]"),
                format!("no space with key {key:?}"),
            )
        })?;
        spaces.push(space);
    }
    let mut space_ids = Vec::new();
    for space in &spaces {
        if !space_ids.contains(&space.id) {
            space_ids.push(space.id);
        }
        entrance_ids.extend(&space.entrance_ids);
    }
    entrance_ids.extend(more);

    let mut seen = BTreeSet::new();
    let mut entrances = Vec::new();
    for id in entrance_ids {
        if !seen.insert(id) {
            continue;
        }
        // Read above when named in the request: the transaction remembers it.
        let entrance = r
            .entrance(id)?
            .ok_or_else(|| Error::not_found("acs_entrance", id))?;
        entrances.push(EntranceFacts {
            id,
            name: entrance.name,
            system_kind: entrance.access_system_kind,
            can_belong_to_reservation: entrance.can_belong_to_reservation,
            modes: entrance.modes,
        });
    }
    Ok((entrances, space_ids))
}

fn update(
    w: &Writer<'_>,
    context: &Context,
    request: &UpdateAccessGrant,
) -> Result<AccessGrantRecord> {
    let now = context.now;
    let before = live_grant(w, request.access_grant_id)?;
    let frame = TimeFrame::new(
        request.starts_at.unwrap_or(before.starts_at),
        request.ends_at.unwrap_or(before.ends_at),
    );
    let name = request.name.as_deref().or(before.name.as_deref());
    if frame == before.frame() {
        // The dates stay as they are, past or not: only what changes is checked.
        rules::check_name(name)?;
    } else {
        let others = match before.reservation_id {
            Some(reservation_id) => w.reservation_frames(reservation_id, Some(before.id))?,
            None => Vec::new(),
        };
        rules::check_update(&frame, name, &others, now)?;
    }
    apply_update(w, context, &before, frame, name)
}

/// Writes a checked change of times and name, flags issued cards for re-encoding, and
/// records it.
pub(crate) fn apply_update(
    w: &Writer<'_>,
    context: &Context,
    before: &AccessGrantRecord,
    frame: TimeFrame,
    name: Option<&str>,
) -> Result<AccessGrantRecord> {
    let now = context.now;
    w.update_grant(before.id, frame, name)?;
    if frame != before.frame() {
        for method in w.access_methods_of_grant(before.id)? {
            if method.mode == AccessMode::Card && method.is_issued() && method.revoked_at.is_none()
            {
                w.set_encoding_required(method.id, true)?;
            }
        }
        refresh_encoding(w, before.id, now)?;
        refresh_doors(w, &capable_doors(before), now)?;
    }

    let after = live_grant(w, before.id)?;
    w.audit(
        &audit_ok(
            context,
            "access_grant.update",
            before.id,
            to_json(before),
            to_json(&after),
        ),
        now,
    )?;
    Ok(after)
}

pub(crate) fn delete(
    w: &Writer<'_>,
    context: &Context,
    id: AccessGrantId,
) -> Result<AccessGrantRecord> {
    let now = context.now;
    let before = live_grant(w, id)?;
    w.delete_grant(id, now)?;
    if let Some(reservation_id) = before.reservation_id
        && w.reservation_frames(reservation_id, None)?.is_empty()
    {
        w.clear_reservation(reservation_id, now)?;
    }
    // A deleted grant's cards no longer need new dates; they need to come back.
    w.clear_warnings(id, engine::warnings::WarningCode::EncodingRequired)?;
    refresh_collection(w, id, now)?;
    refresh_doors(w, &capable_doors(&before), now)?;

    let after = w
        .access_grant(id)?
        .ok_or_else(|| Error::not_found("access_grant", id))?;
    w.audit(
        &audit_ok(
            context,
            "access_grant.delete",
            id,
            to_json(&before),
            to_json(&after),
        ),
        now,
    )?;
    Ok(after)
}

/// The doors of a grant that belong to its reservation, numbered or not yet.
pub(crate) fn capable_doors(grant: &AccessGrantRecord) -> BTreeSet<EntranceId> {
    grant.reservation_door_ids().into_iter().collect()
}

/// A six-digit PIN from the operating system's random source (through a v4 UUID).
fn new_pin() -> String {
    format!("{:06}", uuid::Uuid::new_v4().as_u128() % 1_000_000)
}
