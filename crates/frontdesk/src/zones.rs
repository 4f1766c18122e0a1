//! Staff zones (`docs/cards.md`, "Staff levels and zones"): where each door is, as its lock
//! is programmed from the property, its clock, and which of a staff grant's doors its card
//! carries as a zone (every guest room, or one floor's) rather than one by one.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Offset, TimeZone, Utc};
use encoder::keys::KeyRing;
use engine::lock::{Door, DoorPlace, LockConfig, StaffZone};
use engine::model::{AccessMode, EntranceId, SpaceId, SpaceKind};
use store::{EntranceRecord, Reader, SpaceRecord};

use crate::Result;

/// Every door a card may open, each once: its reservation doors, its listed doors, the
/// doors of its zones, and every card door for an emergency key (which lists none).
pub(crate) fn doors_of_card(
    r: &Reader<'_>,
    data: &encoder::card::CardData,
) -> Result<Vec<EntranceId>> {
    let mut doors: Vec<EntranceId> = data
        .capable_doors
        .iter()
        .map(|door| door.entrance_id)
        .chain(data.common_doors.iter().copied())
        .collect();
    let emergency = data.staff_level == Some(engine::lock::StaffLevel::Emergency);
    if emergency || !data.zones.is_empty() {
        let map = DoorMap::read(r)?;
        let more = if emergency {
            map.order.clone()
        } else {
            map.zone_doors(&data.zones)
        };
        for door in more {
            if !doors.contains(&door) {
                doors.push(door);
            }
        }
    }
    Ok(doors)
}

/// How the property's locks are programmed at `at`: the keys' property and versions, and a
/// clock in the property's local time (staff shifts are written in it), as it reads then.
pub(crate) fn lock_config(r: &Reader<'_>, keys: &KeyRing, at: DateTime<Utc>) -> Result<LockConfig> {
    let zone = crate::stays::property_zone(r)?;
    let mut config = keys.lock_config();
    config.utc_offset = zone.offset_from_utc_datetime(&at.naive_utc()).fix();
    Ok(config)
}

/// The place a door's lock knows: a reservation-capable door of a guest room, suite or unit
/// is that room's, on the room's floor; any other door is `Other`. Locks are programmed so at
/// installation, and the simulated locks from the property the desk holds.
fn place_of(entrance: &EntranceRecord, spaces: &[&SpaceRecord]) -> DoorPlace {
    if !entrance.can_belong_to_reservation {
        return DoorPlace::Other;
    }
    spaces
        .iter()
        .find(|space| space.kind != SpaceKind::Common)
        .map_or(DoorPlace::Other, |room| DoorPlace::GuestRoom {
            floor: room.floor,
        })
}

/// The door `entrance` as its lock sees it.
pub(crate) fn lock_door(r: &Reader<'_>, entrance: &EntranceRecord) -> Result<Door> {
    let mut spaces = Vec::new();
    for id in &entrance.space_ids {
        if let Some(space) = r.space(*id)? {
            spaces.push(space);
        }
    }
    Ok(Door {
        entrance_id: entrance.id,
        can_belong_to_reservation: entrance.can_belong_to_reservation,
        place: place_of(entrance, &spaces.iter().collect::<Vec<_>>()),
    })
}

/// Whether a card written at this desk opens `entrance`: the offline, override-based doors
/// that take cards. Online doors get their credentials from their own system.
pub(crate) fn takes_desk_cards(entrance: &EntranceRecord) -> bool {
    entrance.access_system_kind.is_override_based() && entrance.modes.contains(&AccessMode::Card)
}

/// The guest rooms of one floor (or of no floor), with their doors.
#[derive(Debug, Default, Clone)]
pub(crate) struct FloorRooms {
    pub rooms: BTreeSet<SpaceId>,
    pub doors: BTreeSet<EntranceId>,
}

/// Every door that takes the desk's cards, by place: what zones cover.
#[derive(Debug, Default)]
pub(crate) struct DoorMap {
    pub places: BTreeMap<EntranceId, DoorPlace>,
    pub names: BTreeMap<EntranceId, String>,
    /// Guest room doors by floor; `None` holds the rooms without a floor.
    pub floors: BTreeMap<Option<i32>, FloorRooms>,
    /// Card doors in the property's order (by key).
    pub order: Vec<EntranceId>,
}

impl DoorMap {
    pub fn read(r: &Reader<'_>) -> Result<Self> {
        let spaces: BTreeMap<SpaceId, SpaceRecord> = r
            .spaces()?
            .into_iter()
            .map(|space| (space.id, space))
            .collect();
        let mut map = Self::default();
        for entrance in r.entrances(None, None)? {
            if !takes_desk_cards(&entrance) {
                continue;
            }
            let of_door: Vec<&SpaceRecord> = entrance
                .space_ids
                .iter()
                .filter_map(|id| spaces.get(id))
                .collect();
            let place = place_of(&entrance, &of_door);
            if let DoorPlace::GuestRoom { floor } = place {
                let rooms = map.floors.entry(floor).or_default();
                rooms.doors.insert(entrance.id);
                rooms.rooms.extend(
                    of_door
                        .iter()
                        .filter(|space| space.kind != SpaceKind::Common)
                        .map(|space| space.id),
                );
            }
            map.places.insert(entrance.id, place);
            map.names.insert(entrance.id, entrance.name);
            map.order.push(entrance.id);
        }
        Ok(map)
    }

    pub fn all_guest_room_doors(&self) -> BTreeSet<EntranceId> {
        self.floors
            .values()
            .flat_map(|floor| floor.doors.iter().copied())
            .collect()
    }

    pub fn guest_room_count(&self) -> usize {
        self.floors.values().map(|floor| floor.rooms.len()).sum()
    }

    /// How a staff card carries `doors`: the zones whose every door is among them (all guest
    /// rooms, else each whole floor), and the other doors one by one, in the order given.
    /// Doors the desk's cards do not open are left out.
    pub fn zone_plan(&self, doors: &[EntranceId]) -> (Vec<StaffZone>, Vec<EntranceId>) {
        let chosen: BTreeSet<EntranceId> = doors.iter().copied().collect();
        let all = self.all_guest_room_doors();
        let mut zones = Vec::new();
        let mut covered = BTreeSet::new();
        if !all.is_empty() && all.is_subset(&chosen) {
            zones.push(StaffZone::AllGuestRooms);
            covered = all;
        } else {
            for (floor, rooms) in &self.floors {
                if let Some(floor) = floor
                    && !rooms.doors.is_empty()
                    && rooms.doors.is_subset(&chosen)
                {
                    zones.push(StaffZone::Floor { floor: *floor });
                    covered.extend(rooms.doors.iter().copied());
                }
            }
        }
        let mut seen = BTreeSet::new();
        let singles = doors
            .iter()
            .copied()
            .filter(|door| self.places.contains_key(door) && !covered.contains(door))
            .filter(|door| seen.insert(*door))
            .collect();
        (zones, singles)
    }

    /// Every door a card with `zones` opens through them.
    pub fn zone_doors(&self, zones: &[StaffZone]) -> Vec<EntranceId> {
        self.order
            .iter()
            .copied()
            .filter(|door| {
                self.places
                    .get(door)
                    .is_some_and(|place| zones.iter().any(|zone| zone.covers(*place)))
            })
            .collect()
    }

    /// A zone in words: "All guest rooms (122 rooms)", "Floor 1 (20 rooms)".
    pub fn zone_label(&self, zone: StaffZone) -> String {
        match zone {
            StaffZone::AllGuestRooms => {
                format!("All guest rooms ({})", rooms(self.guest_room_count()))
            }
            StaffZone::Floor { floor } => {
                let count = self
                    .floors
                    .get(&Some(floor))
                    .map_or(0, |rooms| rooms.rooms.len());
                format!("Floor {floor} ({})", rooms(count))
            }
        }
    }

    /// What `doors` open, in words: zones first, then each other door by name.
    pub fn describe(&self, doors: &[EntranceId]) -> String {
        let (zones, singles) = self.zone_plan(doors);
        let parts: Vec<String> = zones
            .into_iter()
            .map(|zone| self.zone_label(zone))
            .chain(
                singles
                    .iter()
                    .filter_map(|door| self.names.get(door).cloned()),
            )
            .collect();
        if parts.is_empty() {
            "no door that takes a card".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

fn rooms(count: usize) -> String {
    if count == 1 {
        "1 room".to_owned()
    } else {
        format!("{count} rooms")
    }
}
