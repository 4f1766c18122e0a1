//! What the paths run on: generated hotels, opened like `frontdesk serve` opens its database,
//! and stays written straight into the tables, so that a history of a million grants takes
//! seconds rather than a million use cases.

use std::path::Path;

use anyhow::{Context as _, Result, ensure};
use chrono::{DateTime, Days, SecondsFormat, TimeZone, Utc};
use engine::model::{EntranceId, SpaceId, SpaceKind};
use frontdesk::{Context, FrontDesk, Operator, Role};
use rusqlite::{Connection, params};
use serde_json::{Value, json};
use store::Store;
use uuid::Uuid;

/// The instant every path acts at; history lies before it, new stays after.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

pub fn context() -> Context {
    Context::new("bench", now())
}

/// A receptionist, signed in without a PIN: the paths measure the desk, not Argon2.
pub fn receptionist() -> Operator {
    Operator {
        id: Uuid::from_u128(1),
        name: "bench".to_owned(),
        role: Role::Receptionist,
        terminal: None,
    }
}

const ROOMS_PER_FLOOR: usize = 100;
pub const LOBBY_DOOR: &str = "lobby-door";

/// A property file with `rooms` guest rooms of one door each, 100 a floor, on one Visionline
/// system, and a lobby whose door every stay opens too.
pub fn property_json(rooms: usize) -> String {
    let mut spaces: Vec<Value> = Vec::with_capacity(rooms + 1);
    let mut entrances: Vec<Value> = Vec::with_capacity(rooms + 1);
    for index in 0..rooms {
        let floor = index / ROOMS_PER_FLOOR + 1;
        let number = index % ROOMS_PER_FLOOR;
        let key = format!("room-{floor}-{number:02}");
        spaces.push(json!({
            "key": key, "name": format!("Room {floor}{number:02}"), "floor": floor,
            "kind": "guest_room",
        }));
        entrances.push(json!({
            "key": format!("{key}-door"), "name": format!("Room {floor}{number:02} door"),
            "access_system": "vl", "spaces": [key], "can_belong_to_reservation": true,
            "modes": ["card", "mobile_key"],
        }));
    }
    spaces.push(json!({ "key": "lobby", "name": "Lobby", "kind": "common" }));
    entrances.push(json!({
        "key": LOBBY_DOOR, "name": "Lobby door", "access_system": "vl", "spaces": ["lobby"],
        "can_belong_to_reservation": false, "modes": ["card"],
    }));
    json!({
        "property": { "name": "Bench Hotel", "time_zone": "Europe/Lisbon" },
        "access_systems": [{ "key": "vl", "name": "Visionline", "kind": "visionline_system" }],
        "spaces": spaces,
        "entrances": entrances,
    })
    .to_string()
}

/// A new database at `path` holding a hotel of `rooms` rooms.
pub fn open_hotel(path: &Path, rooms: usize) -> Result<FrontDesk> {
    let desk = FrontDesk::new(Store::open(path)?);
    desk.import_property(&context(), &property_json(rooms))?;
    Ok(desk)
}

#[derive(Debug, Clone, Copy)]
pub struct Room {
    pub space_id: SpaceId,
    pub door_id: EntranceId,
}

/// The ids of a generated hotel's rooms, in the order of the property file, and of its lobby
/// door.
#[derive(Debug, Clone)]
pub struct Layout {
    pub rooms: Vec<Room>,
    pub lobby_door: EntranceId,
}

impl Layout {
    pub fn read(desk: &FrontDesk) -> Result<Self> {
        let rooms = desk
            .spaces()?
            .into_iter()
            .filter(|space| space.kind != SpaceKind::Common)
            .map(|space| {
                let door_id = *space
                    .entrance_ids
                    .first()
                    .with_context(|| format!("{} has no door", space.key))?;
                Ok(Room {
                    space_id: space.id,
                    door_id,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let lobby_door = desk
            .entrances(None, None)?
            .into_iter()
            .find(|entrance| entrance.key == LOBBY_DOOR)
            .context("the hotel has no lobby door")?
            .id;
        Ok(Self { rooms, lobby_door })
    }

    /// The room for run `run`, going round the hotel.
    pub fn room(&self, run: usize) -> Room {
        self.rooms[run % self.rooms.len()]
    }
}

/// Stays written straight into a hotel's tables, as the use cases would have left them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stays {
    /// Checked-out stays, spread evenly over the rooms, before [`now`]: their reservations
    /// cleared, grants deleted, cards collected. Each took its door's next override sequence.
    pub past: usize,
    /// Whether every room also has a guest in house now, on the door's next sequence.
    pub in_house: bool,
}

impl Stays {
    /// Writes these stays, with one guest per room to hold them, into the database at `path`
    /// while nothing else has it open. Returns how many grants were written.
    pub fn write(&self, path: &Path, layout: &Layout) -> Result<usize> {
        let mut connection = Connection::open(path)?;
        // Nothing here needs to survive a crash (a failed build fails the run), so the build
        // writes no journal and waits for no disk.
        connection.pragma_update_and_check(None, "journal_mode", "OFF", |_| Ok(()))?;
        connection.pragma_update(None, "synchronous", "OFF")?;
        connection.pragma_update(None, "cache_size", -256 * 1024)?;
        let transaction = connection.transaction()?;
        let rooms = layout.rooms.len();
        ensure!(rooms > 0, "a hotel without rooms holds no stays");
        let stays = self.past + if self.in_house { rooms } else { 0 };
        let mut writer = StayWriter::new(&transaction, layout, stays)?;
        let mut written = 0;
        for room in 0..rooms {
            // Room `room` gets its share of the history, rounded so the shares add up.
            let past = self.past * (room + 1) / rooms - self.past * room / rooms;
            for stay in 0..past {
                let nights_ago = u64::try_from(3 * (past - stay) - 1)?;
                let ends_at = now() - Days::new(nights_ago);
                writer.stay(room, stay + 1, ends_at - Days::new(2), ends_at, false)?;
                written += 1;
            }
            if self.in_house {
                let starts_at = now() - Days::new(1);
                writer.stay(room, past + 1, starts_at, now() + Days::new(1), true)?;
                written += 1;
            }
        }
        drop(writer);
        transaction.commit()?;
        Ok(written)
    }
}

/// The prepared inserts of [`Stays::write`].
struct StayWriter<'c> {
    layout: &'c Layout,
    guests: Vec<String>,
    /// Random, like the store's own, but handed out in ascending order: every index on an
    /// id grows at its end instead of at random places, and the build takes half the time.
    ids: std::vec::IntoIter<Uuid>,
    random: fastrand::Rng,
    reservation: rusqlite::Statement<'c>,
    reservation_door: rusqlite::Statement<'c>,
    grant: rusqlite::Statement<'c>,
    grant_entrance: rusqlite::Statement<'c>,
    method: rusqlite::Statement<'c>,
}

impl<'c> StayWriter<'c> {
    /// Ready to write `stays` stays.
    fn new(connection: &'c Connection, layout: &'c Layout, stays: usize) -> Result<Self> {
        // Seeded: every run builds the same history.
        let mut random = fastrand::Rng::with_seed(0x00be_0c4d);
        let mut guests = Vec::with_capacity(layout.rooms.len());
        let mut guest = connection.prepare(
            "INSERT INTO user_identities (id, full_name, kind, created_at)
             VALUES (?1, ?2, 'guest', ?3)",
        )?;
        for room in 0..layout.rooms.len() {
            let id = random_uuid(&mut random).to_string();
            guest.execute(params![id, format!("Guest of room {room}"), text(now())])?;
            guests.push(id);
        }
        // A reservation, a grant and a card each.
        let mut ids: Vec<Uuid> = (0..3 * stays).map(|_| random_uuid(&mut random)).collect();
        ids.sort_unstable();
        Ok(Self {
            layout,
            guests,
            ids: ids.into_iter(),
            random,
            reservation: connection.prepare(
                "INSERT INTO reservations (id, reservation_key, established_at, cleared_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            reservation_door: connection.prepare(
                "INSERT INTO reservation_doors (reservation_id, entrance_id, sequence, live)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
            grant: connection.prepare(
                "INSERT INTO access_grants (id, user_identity_id, reservation_key, reservation_id,
                     starts_at, ends_at, requested_access_methods, space_ids, created_at,
                     deleted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[{\"mode\":\"card\"}]', ?7, ?5, ?8)",
            )?,
            grant_entrance: connection.prepare(
                "INSERT INTO access_grant_entrances (access_grant_id, entrance_id)
                 VALUES (?1, ?2)",
            )?,
            method: connection.prepare(
                "INSERT INTO access_methods (id, access_grant_id, request_index, mode,
                     copy_number, created_at, issued_at, card_id, revoked_at, collected_at)
                 VALUES (?1, ?2, 0, 'card', 1, ?3, ?3, ?4, ?5, ?5)",
            )?,
        })
    }

    /// One guest's stay on a room's door (with `sequence`) and the lobby, with one card.
    fn stay(
        &mut self,
        room: usize,
        sequence: usize,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        in_house: bool,
    ) -> Result<()> {
        let Room { space_id, door_id } = self.layout.rooms[room];
        let reservation_id = self.next_id()?;
        let grant_id = self.next_id()?;
        let method_id = self.next_id()?;
        let key = format!("stay-{room}-{sequence}");
        let (starts, ends) = (text(starts_at), text(ends_at));
        let closed = (!in_house).then(|| ends.clone());
        let door = door_id.to_string();
        let sequence = i64::try_from(sequence)?;
        self.reservation
            .execute(params![reservation_id, key, starts, closed])?;
        self.reservation_door
            .execute(params![reservation_id, door, sequence, in_house])?;
        let space_ids = json!([space_id.to_string()]).to_string();
        self.grant.execute(params![
            grant_id,
            self.guests[room],
            key,
            reservation_id,
            starts,
            ends,
            space_ids,
            closed
        ])?;
        self.grant_entrance.execute(params![grant_id, door])?;
        self.grant_entrance
            .execute(params![grant_id, self.layout.lobby_door.to_string()])?;
        // A 7-byte NXP UID, as the simulated encoder makes them.
        let card_id = format!("04{:012x}", self.random.u64(..) >> 16);
        self.method
            .execute(params![method_id, grant_id, starts, card_id, closed])?;
        Ok(())
    }

    fn next_id(&mut self) -> Result<String> {
        Ok(self
            .ids
            .next()
            .context("more stays than were planned")?
            .to_string())
    }
}

/// A version 4 UUID from the seeded generator.
fn random_uuid(random: &mut fastrand::Rng) -> Uuid {
    uuid::Builder::from_random_bytes(random.u128(..).to_le_bytes()).into_uuid()
}

/// An instant as the store writes it.
fn text(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Millis, true)
}
