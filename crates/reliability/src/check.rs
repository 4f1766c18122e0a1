//! The invariants every harness checks after it is done with a database: SQLite's own
//! checks, no card without its record (and no record without its card), no override sequence
//! number used twice, the engine's reservation invariants, and no encode left pending.
//!
//! Each check returns the problems it found, in words; an empty list is a pass.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use encoder::card::{self, CardKind};
use encoder::protocol::OpState;
use encoder::simulator::SimulatedEncoder;
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::journal::Fact;

/// An override sequence number: (door, number) → the reservation that holds it.
pub type SequenceOwners = BTreeMap<(String, i64), String>;

/// An encode's state, card UID, image and encoder, by op id.
type Operation = (String, String, Vec<u8>, Option<String>);

/// A read-only look at a database file, beside whatever else has it open.
#[derive(Debug)]
pub struct Inspector {
    connection: Connection,
}

impl Inspector {
    pub fn open(path: &Path) -> Result<Self, String> {
        let connection = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|error| format!("cannot open {}: {error}", path.display()))?;
        Ok(Self { connection })
    }

    fn strings(&self, sql: &str) -> Result<Vec<String>, String> {
        let mut statement = self.connection.prepare(sql).map_err(|e| e.to_string())?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
    }

    fn rows<T>(
        &self,
        sql: &str,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, String> {
        let mut statement = self.connection.prepare(sql).map_err(|e| e.to_string())?;
        let rows = statement.query_map([], map).map_err(|e| e.to_string())?;
        rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
    }

    pub fn count(&self, sql: &str) -> Result<i64, String> {
        self.connection
            .query_row(sql, [], |row| row.get(0))
            .map_err(|e| e.to_string())
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.
    pub fn sqlite_checks(&self) -> Result<Vec<String>, String> {
        let mut problems = Vec::new();
        let integrity = self.strings("PRAGMA integrity_check")?;
        if integrity != ["ok"] {
            problems.push(format!("integrity_check: {integrity:?}"));
        }
        let foreign = self.rows("PRAGMA foreign_key_check", |row| {
            Ok(format!(
                "{} row {:?} → {}",
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, String>(2)?
            ))
        })?;
        problems.extend(foreign.into_iter().map(|row| format!("foreign key: {row}")));
        Ok(problems)
    }

    /// Every override sequence number handed out, with its reservation; and any number
    /// handed out twice.
    pub fn sequence_owners(&self) -> Result<(SequenceOwners, Vec<String>), String> {
        let rows = self.rows(
            // A door waits for its number until its reservation's first card is encoded.
            "SELECT entrance_id, sequence, reservation_id FROM reservation_doors \
             WHERE sequence IS NOT NULL",
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get(1)?,
                    row.get::<_, String>(2)?,
                ))
            },
        )?;
        let mut owners = SequenceOwners::new();
        let mut problems = Vec::new();
        for (door, sequence, reservation) in rows {
            if let Some(other) = owners.insert((door.clone(), sequence), reservation.clone()) {
                problems.push(format!(
                    "sequence {sequence} of door {door} held by {other} and {reservation}"
                ));
            }
        }
        Ok((owners, problems))
    }

    /// The engine's reservation invariants over the whole file: one live reservation per
    /// key, each with a live grant; live grants carry exactly their reservation's numbers on
    /// its doors (a joiner on some of them) and none elsewhere; `live` flags in step; no live
    /// grant on a cleared reservation.
    pub fn reservation_invariants(&self) -> Result<Vec<String>, String> {
        let mut problems = Vec::new();
        let twice = self.strings(
            "SELECT reservation_key FROM reservations WHERE cleared_at IS NULL \
             GROUP BY reservation_key HAVING COUNT(*) > 1",
        )?;
        problems.extend(
            twice
                .into_iter()
                .map(|key| format!("two live reservations {key}")),
        );
        let empty = self.strings(
            "SELECT r.reservation_key FROM reservations r WHERE r.cleared_at IS NULL AND NOT \
             EXISTS (SELECT 1 FROM access_grants g WHERE g.reservation_id = r.id AND \
             g.deleted_at IS NULL) AND r.reservation_key NOT LIKE 'cancel-%'",
        )?;
        problems.extend(
            empty
                .into_iter()
                .map(|key| format!("live reservation {key} has no live grant")),
        );
        let out_of_step = self.strings(
            "SELECT d.reservation_id FROM reservation_doors d JOIN reservations r ON \
             r.id = d.reservation_id WHERE d.live != (r.cleared_at IS NULL)",
        )?;
        problems.extend(
            out_of_step
                .into_iter()
                .map(|id| format!("reservation_doors.live out of step for {id}")),
        );
        let orphaned = self.strings(
            "SELECT g.id FROM access_grants g JOIN reservations r ON r.id = g.reservation_id \
             WHERE g.deleted_at IS NULL AND r.cleared_at IS NOT NULL",
        )?;
        problems.extend(
            orphaned
                .into_iter()
                .map(|id| format!("live grant {id} on a cleared reservation")),
        );
        // Each live grant's capable doors are its reservation's doors (which carry the
        // numbers), and no other door is.
        let wrong = self.strings(
            "SELECT g.id || ' door ' || e.entrance_id FROM access_grants g \
             JOIN access_grant_entrances e ON e.access_grant_id = g.id \
             JOIN entrances n ON n.id = e.entrance_id \
             LEFT JOIN reservation_doors d ON d.reservation_id = g.reservation_id \
                 AND d.entrance_id = e.entrance_id \
             WHERE g.deleted_at IS NULL AND ( \
                 (n.can_belong_to_reservation = 1 AND g.reservation_id IS NOT NULL \
                     AND d.entrance_id IS NULL) \
                 OR (n.can_belong_to_reservation = 0 AND d.entrance_id IS NOT NULL))",
        )?;
        problems.extend(
            wrong
                .into_iter()
                .map(|what| format!("grant {what}: not its reservation's door")),
        );
        Ok(problems)
    }

    /// Everything the kill harnesses check once the desk is back: SQLite's own checks, no
    /// sequence number held twice or moved since `owners_before`, the reservations'
    /// invariants, nothing pending, the encoder's cards and the records of `encoder`'s encodes
    /// matching, and every fact the worker journalled still there. Returns the problems and
    /// the sequence numbers' owners now.
    pub fn after_kill(
        &self,
        owners_before: &SequenceOwners,
        simulator: &SimulatedEncoder,
        encoder: Option<Uuid>,
        facts: &[Fact],
    ) -> Result<(Vec<String>, SequenceOwners), String> {
        let mut found = self.sqlite_checks()?;
        let (owners, twice) = self.sequence_owners()?;
        found.extend(twice);
        found.extend(sequences_kept(owners_before, &owners));
        found.extend(self.reservation_invariants()?);
        let pending = self.pending_encodes()?;
        if pending > 0 {
            found.push(format!(
                "{pending} encode(s) still pending after the restart"
            ));
        }
        found.extend(self.cards_match_encoder(simulator, encoder)?);
        found.extend(self.journal_kept(facts)?);
        Ok((found, owners))
    }

    /// Encodes still pending.
    pub fn pending_encodes(&self) -> Result<i64, String> {
        self.count("SELECT COUNT(*) FROM encode_operations WHERE state = 'pending'")
    }

    /// Every card in the simulated encoder is recorded (journal written, in `cards`, for that
    /// image and UID, its numbers those of its reservation), and every record is on the
    /// encoder. Issued access methods point at a recorded card.
    pub fn cards_match(&self, simulator: &SimulatedEncoder) -> Result<Vec<String>, String> {
        self.cards_match_encoder(simulator, None)
    }

    /// [`Inspector::cards_match`] for one of several encoders: the one the process that owns
    /// the database uses (`None`) or the one a terminal lends (its id). Only that encoder's
    /// encodes are looked for on it.
    pub fn cards_match_encoder(
        &self,
        simulator: &SimulatedEncoder,
        encoder: Option<Uuid>,
    ) -> Result<Vec<String>, String> {
        let mut problems = Vec::new();
        let (owners, _) = self.sequence_owners()?;
        let encoder = encoder.map(|id| id.to_string());
        let all_operations: Vec<(String, Operation)> = self.rows(
            "SELECT op_id, state, card_uid, image, encoder_id FROM encode_operations",
            |row| {
                Ok((
                    row.get(0)?,
                    (row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?),
                ))
            },
        )?;
        let operations: BTreeMap<String, (String, String, Vec<u8>)> = all_operations
            .into_iter()
            .filter(|(_, (_, _, _, on))| *on == encoder)
            .map(|(op, (state, uid, image, _))| (op, (state, uid, image)))
            .collect();
        let recorded: BTreeSet<(String, String)> = self
            .rows("SELECT op_id, card_uid FROM cards", |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .into_iter()
            .collect();
        let reservation_keys: BTreeMap<String, String> = self
            .rows("SELECT id, reservation_key FROM reservations", |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .into_iter()
            .collect();
        for card in simulator.cards() {
            if card.image.is_empty() {
                continue;
            }
            let uid = card.uid.to_hex();
            let Some(op_id) = card.op_id.map(|op| Uuid::from_bytes(op).to_string()) else {
                problems.push(format!("card {uid} holds an image with no op id"));
                continue;
            };
            match operations.get(&op_id) {
                None => problems.push(format!(
                    "card {uid} was written with no record of this encoder ({op_id})"
                )),
                Some((state, journaled_uid, image)) => {
                    if state != "written" {
                        problems.push(format!("card {uid}: its write {op_id} is {state}"));
                    }
                    if *journaled_uid != uid || *image != card.image {
                        problems.push(format!("card {uid}: journal {op_id} is for other data"));
                    }
                }
            }
            if !recorded.contains(&(op_id.clone(), uid.clone())) {
                problems.push(format!("card {uid} is missing from the cards table"));
            }
            let Ok(data) = card::read(&card.image) else {
                problems.push(format!("card {uid} holds an unreadable image"));
                continue;
            };
            let expected = match data.kind {
                CardKind::Cancel => None,
                _ => data.reservation_id.map(|id| id.to_string()),
            };
            for door in &data.capable_doors {
                let key = (door.entrance_id.to_string(), i64::from(door.sequence));
                let owner = owners.get(&key);
                let fits = match (&expected, owner) {
                    (Some(reservation), Some(owner)) => reservation == owner,
                    (None, Some(owner)) => {
                        reservation_keys.get(owner) == Some(&format!("cancel-{op_id}"))
                    }
                    _ => false,
                };
                if !fits {
                    problems.push(format!(
                        "card {uid} carries sequence {} of door {} that is not its reservation's \
                         (held by {owner:?})",
                        door.sequence, door.entrance_id
                    ));
                }
            }
        }
        for (op_id, (state, uid, _)) in &operations {
            let Ok(op) = op_id.parse::<Uuid>() else {
                problems.push(format!("op id {op_id} is not a UUID"));
                continue;
            };
            let (device, device_uid) = simulator.op_result(op.as_bytes());
            let on_device = device == OpState::Written
                && device_uid.is_some_and(|device_uid| device_uid.to_hex() == *uid);
            match state.as_str() {
                "written" if !on_device => problems.push(format!(
                    "op {op_id} recorded written, the encoder says {device:?}"
                )),
                "failed" if on_device => problems.push(format!(
                    "op {op_id} recorded failed, yet the card was written"
                )),
                _ => {}
            }
        }
        let unrecorded = self.strings(
            "SELECT m.id FROM access_methods m WHERE m.issued_at IS NOT NULL AND m.mode = 'card' \
             AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.access_method_id = m.id \
                 AND c.card_uid = m.card_id)",
        )?;
        problems.extend(
            unrecorded
                .into_iter()
                .map(|id| format!("access method {id} is issued with no card recorded")),
        );
        Ok(problems)
    }

    /// Everything a worker saw committed is still there: grants with their doors and
    /// numbers, deletions, and cards.
    pub fn journal_kept(&self, facts: &[Fact]) -> Result<Vec<String>, String> {
        let mut problems = Vec::new();
        let entrances = self.rows(
            "SELECT ge.access_grant_id, ge.entrance_id, d.entrance_id IS NOT NULL \
             FROM access_grant_entrances ge JOIN access_grants g ON g.id = ge.access_grant_id \
             LEFT JOIN reservation_doors d ON d.reservation_id = g.reservation_id \
                 AND d.entrance_id = ge.entrance_id",
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                ))
            },
        )?;
        let mut doors_of: BTreeMap<String, BTreeSet<(String, bool)>> = BTreeMap::new();
        for (grant, entrance, reservation_door) in entrances {
            doors_of
                .entry(grant)
                .or_default()
                .insert((entrance, reservation_door));
        }
        let grants: BTreeMap<String, (Option<String>, bool)> = self
            .rows(
                "SELECT id, reservation_key, deleted_at IS NOT NULL FROM access_grants",
                |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))),
            )?
            .into_iter()
            .collect();
        let cards: BTreeSet<(String, String, Option<String>)> = self
            .rows(
                "SELECT op_id, card_uid, access_method_id FROM cards",
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?
            .into_iter()
            .collect();
        for fact in facts {
            match fact {
                Fact::Grant {
                    id,
                    reservation_key,
                    entrances,
                } => {
                    let id = id.to_string();
                    match grants.get(&id) {
                        None => problems.push(format!("committed grant {id} is gone")),
                        Some((key, _)) if key.as_deref() != Some(reservation_key) => {
                            problems.push(format!("grant {id} changed reservation to {key:?}"));
                        }
                        Some(_) => {
                            let Some(entrances) = entrances else {
                                continue;
                            };
                            let expected: BTreeSet<(String, bool)> = entrances
                                .iter()
                                .map(|(entrance, reservation_door)| {
                                    (entrance.to_string(), *reservation_door)
                                })
                                .collect();
                            if doors_of.get(&id) != Some(&expected) {
                                problems.push(format!("grant {id}: doors changed"));
                            }
                        }
                    }
                }
                Fact::Deleted { id } => {
                    if !grants
                        .get(&id.to_string())
                        .is_some_and(|(_, deleted)| *deleted)
                    {
                        problems.push(format!("deleted grant {id} is live again or gone"));
                    }
                }
                Fact::Card {
                    op_id,
                    card_uid,
                    access_method_id,
                } => {
                    let card = (
                        op_id.to_string(),
                        card_uid.clone(),
                        Some(access_method_id.to_string()),
                    );
                    if !cards.contains(&card) {
                        problems.push(format!("issued card {card_uid} ({op_id}) lost its record"));
                    }
                }
            }
        }
        Ok(problems)
    }
}

/// Numbers handed out before that are no longer held by the same reservation.
pub fn sequences_kept(before: &SequenceOwners, now: &SequenceOwners) -> Vec<String> {
    before
        .iter()
        .filter(|(pair, owner)| now.get(*pair) != Some(*owner))
        .map(|((door, sequence), owner)| {
            format!(
                "sequence {sequence} of door {door} was held by {owner}, now by {:?}",
                now.get(&(door.clone(), *sequence))
            )
        })
        .collect()
}
