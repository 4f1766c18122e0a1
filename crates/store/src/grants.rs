//! Access grants, access methods, reservations and warnings.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use engine::model::{
    AccessGrantId, AccessMethodId, AccessMode, EntranceId, RequestedAccessMethod, ReservationId,
    SpaceId, TimeFrame, UserIdentityId,
};
use engine::rules::LiveReservation;
use engine::staff::StaffTerms;
use engine::warnings::{DoorReservation, Warning, WarningCode};
use rusqlite::{OptionalExtension, Row, ToSql, params, params_from_iter};
use uuid::Uuid;

use crate::catalog::{optional_uuid_column, uuid_column};
use crate::error::{Error, Result};
use crate::records::{AccessGrantRecord, AccessMethodRecord, GrantEntrance, StoredWarning};
use crate::time;
use crate::{CachedStatements, Reader, Writer};

/// Which live grants to list; every given field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFilter {
    pub reservation_key: Option<String>,
    pub space_id: Option<SpaceId>,
    pub entrance_id: Option<EntranceId>,
    pub user_identity_id: Option<UserIdentityId>,
    pub access_system_id: Option<Uuid>,
}

/// Which access methods of live grants to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodFilter {
    Grant(AccessGrantId),
    Space(SpaceId),
    Entrance(EntranceId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccessMethod {
    pub request_index: u32,
    pub mode: AccessMode,
    pub code: Option<String>,
    pub copy_number: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    pub user_identity_id: UserIdentityId,
    pub reservation: Option<(String, ReservationId)>,
    pub name: Option<String>,
    pub frame: TimeFrame,
    pub requested_access_methods: Vec<RequestedAccessMethod>,
    pub space_ids: Vec<SpaceId>,
    /// Stored without their sequences, which are the reservation's.
    pub entrances: Vec<GrantEntrance>,
    pub access_methods: Vec<NewAccessMethod>,
    pub staff_terms: Option<StaffTerms>,
    /// Its cards open each of its doors once.
    pub one_shot: bool,
}

/// A lock-timeline warning for the live grants of one reservation that include one door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorWarningRow {
    pub reservation_id: ReservationId,
    pub warning: Warning,
}

const GRANT_COLUMNS: &str = "g.id, g.user_identity_id, g.reservation_key, g.reservation_id, \
     g.name, g.starts_at, g.ends_at, g.requested_access_methods, g.space_ids, g.created_at, \
     g.deleted_at, g.staff_terms, g.one_shot";

const METHOD_COLUMNS: &str = "m.id, m.access_grant_id, m.request_index, m.mode, m.code, \
     m.copy_number, m.created_at, m.issued_at, m.card_id, m.is_encoding_required, \
     m.revoked_at, m.collected_at, m.lost_at";

impl Reader<'_> {
    /// The reservation `key` names while it has live grants.
    pub fn live_reservation(&self, key: &str) -> Result<Option<LiveReservation>> {
        let Some(id) = self
            .connection
            .query_row_cached(
                "SELECT id FROM reservations WHERE reservation_key = ?1 AND cleared_at IS NULL",
                [key],
                |row| row.get::<_, String>(0),
            )
            .optional()?
        else {
            return Ok(None);
        };
        let id = crate::catalog::parse_uuid(&id)?;
        let door_set = self.reservation_doors(id)?.into_keys().collect();
        let grant_frames = self.reservation_frames(id, None)?;
        Ok(Some(LiveReservation {
            id,
            door_set,
            grant_frames,
        }))
    }

    /// The doors of a reservation with their override sequence numbers, `None` on a door no
    /// card of the reservation was encoded for yet.
    pub fn reservation_doors(
        &self,
        id: ReservationId,
    ) -> Result<BTreeMap<EntranceId, Option<u32>>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT entrance_id, sequence FROM reservation_doors WHERE reservation_id = ?1",
        )?;
        let mut rows = statement.query([id.to_string()])?;
        let mut doors = BTreeMap::new();
        while let Some(row) = rows.next()? {
            doors.insert(uuid_column(row, 0)?, row.get(1)?);
        }
        Ok(doors)
    }

    /// The time frames of a reservation's live grants, leaving one grant out if asked.
    pub fn reservation_frames(
        &self,
        id: ReservationId,
        except: Option<AccessGrantId>,
    ) -> Result<Vec<TimeFrame>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT starts_at, ends_at FROM access_grants
             WHERE reservation_id = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR id <> ?2)",
        )?;
        let mut rows = statement.query(params![id.to_string(), except.map(|id| id.to_string())])?;
        let mut frames = Vec::new();
        while let Some(row) = rows.next()? {
            frames.push(TimeFrame::new(time::column(row, 0)?, time::column(row, 1)?));
        }
        Ok(frames)
    }

    /// The highest override sequence each door has handed out, over all its history: to
    /// reservations (cancel cards' included) and to spare cards.
    pub fn last_sequences(
        &self,
        doors: &BTreeSet<EntranceId>,
    ) -> Result<BTreeMap<EntranceId, u32>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT NULLIF(MAX(
                 COALESCE((SELECT MAX(sequence) FROM reservation_doors WHERE entrance_id = ?1), 0),
                 COALESCE((SELECT MAX(sequence) FROM spare_doors WHERE entrance_id = ?1), 0)), 0)",
        )?;
        let mut last = BTreeMap::new();
        for door in doors {
            let sequence: Option<u32> =
                statement.query_row([door.to_string()], |row| row.get(0))?;
            if let Some(sequence) = sequence {
                last.insert(*door, sequence);
            }
        }
        Ok(last)
    }

    /// The live reservations on one door, each spanning its live grants that include it.
    pub fn door_reservations(&self, entrance_id: EntranceId) -> Result<Vec<DoorReservation>> {
        let mut statement = self.connection.prepare_cached(
            // CROSS JOIN fixes the loop order and INDEXED BY the index: start from the door's
            // live reservations. Left to itself SQLite starts from every grant that ever
            // included the door (access_grant_entrances_by_entrance), which grows forever.
            "SELECT r.id, r.reservation_key, d.sequence, MIN(g.starts_at), MAX(g.ends_at),
                    r.established_at
             FROM reservation_doors d INDEXED BY reservation_doors_live
             CROSS JOIN reservations r ON r.id = d.reservation_id
             CROSS JOIN access_grants g ON g.reservation_id = r.id AND g.deleted_at IS NULL
             CROSS JOIN access_grant_entrances ge
                 ON ge.access_grant_id = g.id AND ge.entrance_id = d.entrance_id
             WHERE d.entrance_id = ?1 AND d.live = 1
             GROUP BY r.id ORDER BY d.sequence",
        )?;
        let mut rows = statement.query([entrance_id.to_string()])?;
        let mut reservations = Vec::new();
        while let Some(row) = rows.next()? {
            reservations.push(DoorReservation {
                reservation_id: uuid_column(row, 0)?,
                reservation_key: row.get(1)?,
                sequence: row.get(2)?,
                frame: TimeFrame::new(time::column(row, 3)?, time::column(row, 4)?),
                established_at: time::column(row, 5)?,
            });
        }
        Ok(reservations)
    }

    /// The live reservations that play in a door's timeline: those with a number on it, or
    /// with a card not revoked to take one. Only cards touch an offline lock, so a stay with
    /// neither (mobile keys or codes only) never moves it.
    pub fn door_timeline(&self, entrance_id: EntranceId) -> Result<Vec<DoorReservation>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM access_grants g
                 JOIN access_grant_entrances ge
                   ON ge.access_grant_id = g.id AND ge.entrance_id = ?2
                 JOIN access_methods m ON m.access_grant_id = g.id
                 WHERE g.reservation_id = ?1 AND g.deleted_at IS NULL
                   AND m.mode = 'card' AND m.revoked_at IS NULL)",
        )?;
        let mut playing = Vec::new();
        for reservation in self.door_reservations(entrance_id)? {
            let has_card: bool = reservation.sequence.is_some()
                || statement.query_row(
                    params![
                        reservation.reservation_id.to_string(),
                        entrance_id.to_string()
                    ],
                    |row| row.get(0),
                )?;
            if has_card {
                playing.push(reservation);
            }
        }
        Ok(playing)
    }

    /// One grant, deleted ones included.
    pub fn access_grant(&self, id: AccessGrantId) -> Result<Option<AccessGrantRecord>> {
        Ok(self
            .query_grants("WHERE g.id = ?1", vec![id.to_string()])?
            .pop())
    }

    /// Live grants matching every field of `filter`, oldest first.
    pub fn access_grants(&self, filter: &GrantFilter) -> Result<Vec<AccessGrantRecord>> {
        let mut clauses = vec!["g.deleted_at IS NULL".to_owned()];
        let mut values = Vec::new();
        let mut add = |clause: &str, value: String| {
            values.push(value);
            clauses.push(clause.replace('?', &format!("?{}", values.len())));
        };
        if let Some(key) = &filter.reservation_key {
            add(
                "g.reservation_id IN (SELECT id FROM reservations
                                      WHERE reservation_key = ? AND cleared_at IS NULL)",
                key.clone(),
            );
        }
        if let Some(user) = filter.user_identity_id {
            add("g.user_identity_id = ?", user.to_string());
        }
        if let Some(entrance) = filter.entrance_id {
            add(
                "g.id IN (SELECT access_grant_id FROM access_grant_entrances WHERE entrance_id = ?)",
                entrance.to_string(),
            );
        }
        if let Some(space) = filter.space_id {
            add(
                "g.id IN (SELECT ge.access_grant_id FROM access_grant_entrances ge
                          JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
                          WHERE es.space_id = ?)",
                space.to_string(),
            );
        }
        if let Some(system) = filter.access_system_id {
            add(
                "g.id IN (SELECT ge.access_grant_id FROM access_grant_entrances ge
                          JOIN entrances e ON e.id = ge.entrance_id
                          WHERE e.access_system_id = ?)",
                system.to_string(),
            );
        }
        self.query_grants(&format!("WHERE {}", clauses.join(" AND ")), values)
    }

    fn query_grants(&self, filter: &str, values: Vec<String>) -> Result<Vec<AccessGrantRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {GRANT_COLUMNS} FROM access_grants g {filter} ORDER BY g.rowid"
        ))?;
        let mut rows = statement.query(params_from_iter(values))?;
        let mut grants = Vec::new();
        while let Some(row) = rows.next()? {
            grants.push(grant_row(row)?);
        }
        for grant in &mut grants {
            grant.entrances = self.grant_entrances(grant.id, grant.reservation_id)?;
            grant.access_method_ids = self.method_ids_of_grant(grant.id)?;
            grant.warnings = self.warnings_of_grant(grant.id)?;
        }
        Ok(grants)
    }

    fn method_ids_of_grant(&self, id: AccessGrantId) -> Result<Vec<AccessMethodId>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id FROM access_methods WHERE access_grant_id = ?1
             ORDER BY rowid",
        )?;
        let mut rows = statement.query([id.to_string()])?;
        let mut ids = Vec::new();
        while let Some(row) = rows.next()? {
            ids.push(uuid_column(row, 0)?);
        }
        Ok(ids)
    }

    /// A grant's entrances; those its reservation has a row for are reservation doors.
    fn grant_entrances(
        &self,
        id: AccessGrantId,
        reservation_id: Option<ReservationId>,
    ) -> Result<Vec<GrantEntrance>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT ge.entrance_id, d.entrance_id IS NOT NULL, d.sequence
             FROM access_grant_entrances ge
             JOIN entrances e ON e.id = ge.entrance_id
             LEFT JOIN reservation_doors d
                 ON d.reservation_id = ?2 AND d.entrance_id = ge.entrance_id
             WHERE ge.access_grant_id = ?1 ORDER BY e.key",
        )?;
        let mut rows = statement.query(params![
            id.to_string(),
            reservation_id.map(|id| id.to_string())
        ])?;
        let mut entrances = Vec::new();
        while let Some(row) = rows.next()? {
            entrances.push(GrantEntrance {
                entrance_id: uuid_column(row, 0)?,
                reservation_door: row.get(1)?,
                sequence: row.get(2)?,
            });
        }
        Ok(entrances)
    }

    /// The warnings on a grant and on its access methods.
    pub fn warnings_of_grant(&self, id: AccessGrantId) -> Result<Vec<StoredWarning>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT code, message, access_method_id, entrance_id, created_at, expires_at
             FROM warnings WHERE access_grant_id = ?1 ORDER BY id",
        )?;
        let mut rows = statement.query([id.to_string()])?;
        let mut warnings = Vec::new();
        while let Some(row) = rows.next()? {
            let code: String = row.get(0)?;
            warnings.push(StoredWarning {
                code: WarningCode::parse(&code)
                    .ok_or_else(|| Error::corrupt(format!("warning code {code:?}")))?,
                message: row.get(1)?,
                access_method_id: optional_uuid_column(row, 2)?,
                entrance_id: optional_uuid_column(row, 3)?,
                created_at: time::column(row, 4)?,
                expires_at: time::optional_column(row, 5)?,
            });
        }
        Ok(warnings)
    }

    /// Grants with a warning of `code` that include the door `entrance_id`.
    pub fn grants_warned_at_door(
        &self,
        code: WarningCode,
        entrance_id: EntranceId,
    ) -> Result<Vec<AccessGrantId>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT DISTINCT w.access_grant_id FROM warnings w
             JOIN access_grant_entrances ge
               ON ge.access_grant_id = w.access_grant_id AND ge.entrance_id = ?2
             WHERE w.code = ?1",
        )?;
        let mut rows = statement.query(params![code.as_str(), entrance_id.to_string()])?;
        let mut grants = Vec::new();
        while let Some(row) = rows.next()? {
            grants.push(uuid_column(row, 0)?);
        }
        Ok(grants)
    }

    /// Every grant ever made under a reservation key, deleted ones included, oldest first.
    pub fn grant_ids_of_key_ever(&self, reservation_key: &str) -> Result<Vec<AccessGrantId>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id FROM access_grants WHERE reservation_key = ?1 ORDER BY created_at, rowid",
        )?;
        let mut rows = statement.query([reservation_key])?;
        let mut grants = Vec::new();
        while let Some(row) = rows.next()? {
            grants.push(uuid_column(row, 0)?);
        }
        Ok(grants)
    }

    /// One access method, revoked ones included.
    pub fn access_method(&self, id: AccessMethodId) -> Result<Option<AccessMethodRecord>> {
        Ok(self
            .query_methods("WHERE m.id = ?1", &[&id.to_string()])?
            .pop())
    }

    /// Every access method of one grant, deleted grants and revoked methods included.
    pub fn access_methods_of_grant(&self, id: AccessGrantId) -> Result<Vec<AccessMethodRecord>> {
        self.query_methods("WHERE m.access_grant_id = ?1", &[&id.to_string()])
    }

    /// Access methods of live grants.
    pub fn access_methods(&self, filter: MethodFilter) -> Result<Vec<AccessMethodRecord>> {
        let (clause, id) = match filter {
            MethodFilter::Grant(id) => ("m.access_grant_id = ?1", id),
            MethodFilter::Entrance(id) => (
                "m.access_grant_id IN (SELECT access_grant_id FROM access_grant_entrances
                                       WHERE entrance_id = ?1)",
                id,
            ),
            MethodFilter::Space(id) => (
                "m.access_grant_id IN (SELECT ge.access_grant_id FROM access_grant_entrances ge
                     JOIN entrance_spaces es ON es.entrance_id = ge.entrance_id
                     WHERE es.space_id = ?1)",
                id,
            ),
        };
        self.query_methods(
            &format!(
                "WHERE {clause} AND EXISTS (SELECT 1 FROM access_grants g
                     WHERE g.id = m.access_grant_id AND g.deleted_at IS NULL)"
            ),
            &[&id.to_string()],
        )
    }

    fn query_methods(
        &self,
        filter: &str,
        values: &[&dyn ToSql],
    ) -> Result<Vec<AccessMethodRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {METHOD_COLUMNS} FROM access_methods m {filter}
             ORDER BY m.rowid"
        ))?;
        let mut rows = statement.query(values)?;
        let mut methods = Vec::new();
        while let Some(row) = rows.next()? {
            methods.push(method_row(row)?);
        }
        for method in &mut methods {
            method.warnings = self
                .warnings_of_grant(method.access_grant_id)?
                .into_iter()
                .filter(|warning| warning.access_method_id == Some(method.id))
                .collect();
        }
        Ok(methods)
    }
}

impl Writer<'_> {
    /// Opens a reservation on `doors`, none of them numbered yet.
    pub fn insert_reservation(
        &self,
        key: &str,
        doors: &BTreeSet<EntranceId>,
        now: DateTime<Utc>,
    ) -> Result<ReservationId> {
        let id = crate::new_row_id();
        self.connection.execute_cached(
            "INSERT INTO reservations (id, reservation_key, established_at) VALUES (?1, ?2, ?3)",
            params![id.to_string(), key, time::to_text(now)],
        )?;
        let mut statement = self.connection.prepare_cached(
            "INSERT INTO reservation_doors (reservation_id, entrance_id) VALUES (?1, ?2)",
        )?;
        for door in doors {
            statement.execute(params![id.to_string(), door.to_string()])?;
        }
        Ok(id)
    }

    /// Gives a reservation's unnumbered doors their numbers; a number once given stays, so a
    /// door that has one already is refused.
    pub fn number_reservation_doors(
        &self,
        id: ReservationId,
        sequences: &BTreeMap<EntranceId, u32>,
    ) -> Result<()> {
        let mut statement = self.connection.prepare_cached(
            "UPDATE reservation_doors SET sequence = ?3
             WHERE reservation_id = ?1 AND entrance_id = ?2 AND sequence IS NULL",
        )?;
        for (door, sequence) in sequences {
            if statement.execute(params![id.to_string(), door.to_string(), sequence])? != 1 {
                return Err(Error::corrupt(format!(
                    "door {door} of reservation {id} is not one waiting for its number"
                )));
            }
        }
        Ok(())
    }

    /// Closes a reservation whose last live grant went; its sequences stay used.
    pub fn clear_reservation(&self, id: ReservationId, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE reservations SET cleared_at = ?2 WHERE id = ?1",
            params![id.to_string(), time::to_text(now)],
        )?;
        self.connection.execute_cached(
            "UPDATE reservation_doors SET live = 0 WHERE reservation_id = ?1",
            [id.to_string()],
        )?;
        Ok(())
    }

    /// Inserts a grant with its entrances and access methods, and returns it as a read would
    /// (without warnings: none are stored yet).
    pub fn insert_grant(&self, grant: &NewGrant, now: DateTime<Utc>) -> Result<AccessGrantRecord> {
        let id = crate::new_row_id();
        let (key, reservation_id) = match &grant.reservation {
            Some((key, reservation_id)) => (Some(key.clone()), Some(*reservation_id)),
            None => (None, None),
        };
        let space_ids: Vec<String> = grant.space_ids.iter().map(Uuid::to_string).collect();
        // Instants as stored, to the millisecond.
        let (starts_at, ends_at, created_at) = (
            time::to_text(grant.frame.starts_at),
            time::to_text(grant.frame.ends_at),
            time::to_text(now),
        );
        self.connection.execute_cached(
            "INSERT INTO access_grants (id, user_identity_id, reservation_key, reservation_id,
                 name, starts_at, ends_at, requested_access_methods, space_ids, created_at,
                 staff_terms, one_shot)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                id.to_string(),
                grant.user_identity_id.to_string(),
                key,
                reservation_id.map(|id| id.to_string()),
                grant.name,
                starts_at,
                ends_at,
                to_json(&grant.requested_access_methods)?,
                to_json(&space_ids)?,
                created_at,
                grant.staff_terms.as_ref().map(to_json).transpose()?,
                grant.one_shot,
            ],
        )?;
        let mut statement = self.connection.prepare_cached(
            "INSERT INTO access_grant_entrances (access_grant_id, entrance_id) VALUES (?1, ?2)",
        )?;
        let mut entrances = Vec::with_capacity(grant.entrances.len());
        for entrance in &grant.entrances {
            statement.execute(params![id.to_string(), entrance.entrance_id.to_string()])?;
            // The key orders them as a read does; the grant's entrances were just read, so
            // this is the transaction's memo rather than a query.
            let key = self
                .entrance(entrance.entrance_id)?
                .map(|record| record.key)
                .unwrap_or_default();
            entrances.push((key, *entrance));
        }
        entrances.sort_by(|(a, _), (b, _)| a.cmp(b));
        let mut access_method_ids = Vec::with_capacity(grant.access_methods.len());
        for method in &grant.access_methods {
            access_method_ids.push(self.insert_access_method(id, method, now)?);
        }
        Ok(AccessGrantRecord {
            id,
            user_identity_id: grant.user_identity_id,
            reservation_key: key,
            reservation_id,
            name: grant.name.clone(),
            starts_at: time::from_text(&starts_at)?,
            ends_at: time::from_text(&ends_at)?,
            requested_access_methods: grant.requested_access_methods.clone(),
            space_ids: grant.space_ids.clone(),
            entrances: entrances
                .into_iter()
                .map(|(_, entrance)| entrance)
                .collect(),
            access_method_ids,
            created_at: time::from_text(&created_at)?,
            deleted_at: None,
            warnings: Vec::new(),
            staff_terms: grant.staff_terms.clone(),
            one_shot: grant.one_shot,
        })
    }

    pub fn insert_access_method(
        &self,
        grant_id: AccessGrantId,
        method: &NewAccessMethod,
        now: DateTime<Utc>,
    ) -> Result<AccessMethodId> {
        let id = crate::new_row_id();
        self.connection.execute_cached(
            "INSERT INTO access_methods (id, access_grant_id, request_index, mode, code,
                 copy_number, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.to_string(),
                grant_id.to_string(),
                method.request_index,
                method.mode.as_str(),
                method.code,
                method.copy_number,
                time::to_text(now)
            ],
        )?;
        Ok(id)
    }

    pub fn update_grant(
        &self,
        id: AccessGrantId,
        frame: TimeFrame,
        name: Option<&str>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE access_grants SET starts_at = ?2, ends_at = ?3, name = ?4 WHERE id = ?1",
            params![
                id.to_string(),
                time::to_text(frame.starts_at),
                time::to_text(frame.ends_at),
                name
            ],
        )?;
        Ok(())
    }

    /// Replaces the doors of a grant without a reservation (a staff person's): a
    /// reservation's doors carry its numbers and are never changed this way.
    pub fn set_grant_entrances(&self, id: AccessGrantId, entrances: &[EntranceId]) -> Result<()> {
        self.connection.execute_cached(
            "DELETE FROM access_grant_entrances WHERE access_grant_id = ?1",
            [id.to_string()],
        )?;
        let mut statement = self.connection.prepare_cached(
            "INSERT INTO access_grant_entrances (access_grant_id, entrance_id) VALUES (?1, ?2)",
        )?;
        for entrance in entrances {
            statement.execute(params![id.to_string(), entrance.to_string()])?;
        }
        Ok(())
    }

    /// Marks a grant deleted and revokes its access methods; nothing is removed.
    pub fn delete_grant(&self, id: AccessGrantId, now: DateTime<Utc>) -> Result<()> {
        let now = time::to_text(now);
        self.connection.execute_cached(
            "UPDATE access_grants SET deleted_at = ?2 WHERE id = ?1",
            params![id.to_string(), now],
        )?;
        self.connection.execute_cached(
            // A revoked card is never re-encoded, so it no longer needs new dates.
            "UPDATE access_methods SET revoked_at = ?2, is_encoding_required = 0
             WHERE access_grant_id = ?1 AND revoked_at IS NULL",
            params![id.to_string(), now],
        )?;
        Ok(())
    }

    pub fn revoke_access_method(&self, id: AccessMethodId, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE access_methods SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id.to_string(), time::to_text(now)],
        )?;
        Ok(())
    }

    pub fn set_encoding_required(&self, id: AccessMethodId, required: bool) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE access_methods SET is_encoding_required = ?2 WHERE id = ?1",
            params![id.to_string(), required],
        )?;
        Ok(())
    }

    /// Records that a card was written for an access method.
    pub fn mark_issued(&self, id: AccessMethodId, card_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE access_methods SET issued_at = ?2, card_id = ?3, is_encoding_required = 0
             WHERE id = ?1",
            params![id.to_string(), time::to_text(now), card_id],
        )?;
        Ok(())
    }

    /// Records that the access method's card came back: its current plastic (cards it
    /// replaced are on other plastic, and come back on their own).
    pub fn mark_collected(&self, id: AccessMethodId, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE access_methods SET collected_at = ?2 WHERE id = ?1 AND collected_at IS NULL",
            params![id.to_string(), time::to_text(now)],
        )?;
        self.connection.execute_cached(
            "UPDATE cards SET collected_at = ?2
             WHERE access_method_id = ?1 AND superseded_at IS NULL AND collected_at IS NULL",
            params![id.to_string(), time::to_text(now)],
        )?;
        Ok(())
    }

    /// Records that an issued card was reported lost: it cannot come back to the desk.
    /// Its current plastic is marked lost with it.
    pub fn mark_lost(&self, id: AccessMethodId, now: DateTime<Utc>) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE access_methods SET lost_at = ?2 WHERE id = ?1 AND lost_at IS NULL",
            params![id.to_string(), time::to_text(now)],
        )?;
        self.connection.execute_cached(
            "UPDATE cards SET lost_at = ?2
             WHERE access_method_id = ?1 AND superseded_at IS NULL AND lost_at IS NULL",
            params![id.to_string(), time::to_text(now)],
        )?;
        Ok(())
    }

    pub fn insert_warning(
        &self,
        grant_id: AccessGrantId,
        access_method_id: Option<AccessMethodId>,
        warning: &Warning,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.insert_expiring_warning(grant_id, access_method_id, warning, None, now)
    }

    /// A warning that stops holding at `expires_at`, if it is not replaced before.
    pub fn insert_expiring_warning(
        &self,
        grant_id: AccessGrantId,
        access_method_id: Option<AccessMethodId>,
        warning: &Warning,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "INSERT INTO warnings (access_grant_id, access_method_id, code, message, created_at,
                 expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                grant_id.to_string(),
                access_method_id.map(|id| id.to_string()),
                warning.code.as_str(),
                warning.message,
                time::to_text(now),
                expires_at.map(time::to_text)
            ],
        )?;
        Ok(())
    }

    /// Removes a grant's warnings of one kind (on the grant and on its methods).
    pub fn clear_warnings(&self, grant_id: AccessGrantId, code: WarningCode) -> Result<()> {
        self.connection.execute_cached(
            "DELETE FROM warnings WHERE access_grant_id = ?1 AND code = ?2",
            params![grant_id.to_string(), code.as_str()],
        )?;
        Ok(())
    }

    /// Replaces the lock-timeline warnings of one door with `rows`, placed on the live grants
    /// of each named reservation that include the door.
    pub fn replace_door_warnings(
        &self,
        entrance_id: EntranceId,
        rows: &[DoorWarningRow],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.connection.execute_cached(
            "DELETE FROM warnings WHERE entrance_id = ?1 AND code IN (?2, ?3, ?4)",
            params![
                entrance_id.to_string(),
                WarningCode::PreviousGuestCanEnter.as_str(),
                WarningCode::SequenceInversion.as_str(),
                WarningCode::SequenceTooFarAhead.as_str()
            ],
        )?;
        let mut statement = self.connection.prepare_cached(
            "INSERT INTO warnings (access_grant_id, entrance_id, code, message, created_at)
             SELECT g.id, ?2, ?3, ?4, ?5 FROM access_grants g
             JOIN access_grant_entrances ge ON ge.access_grant_id = g.id AND ge.entrance_id = ?2
             WHERE g.reservation_id = ?1 AND g.deleted_at IS NULL",
        )?;
        let now = time::to_text(now);
        for row in rows {
            statement.execute(params![
                row.reservation_id.to_string(),
                entrance_id.to_string(),
                row.warning.code.as_str(),
                row.warning.message,
                now
            ])?;
        }
        Ok(())
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(Error::corrupt)
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(Error::corrupt)
}

fn grant_row(row: &Row<'_>) -> Result<AccessGrantRecord> {
    let space_ids: Vec<String> = from_json(&row.get::<_, String>(8)?)?;
    Ok(AccessGrantRecord {
        id: uuid_column(row, 0)?,
        user_identity_id: uuid_column(row, 1)?,
        reservation_key: row.get(2)?,
        reservation_id: optional_uuid_column(row, 3)?,
        name: row.get(4)?,
        starts_at: time::column(row, 5)?,
        ends_at: time::column(row, 6)?,
        requested_access_methods: from_json(&row.get::<_, String>(7)?)?,
        space_ids: space_ids
            .iter()
            .map(|id| crate::catalog::parse_uuid(id))
            .collect::<Result<_>>()?,
        entrances: Vec::new(),
        access_method_ids: Vec::new(),
        created_at: time::column(row, 9)?,
        deleted_at: time::optional_column(row, 10)?,
        warnings: Vec::new(),
        staff_terms: row
            .get::<_, Option<String>>(11)?
            .as_deref()
            .map(from_json)
            .transpose()?,
        one_shot: row.get(12)?,
    })
}

fn method_row(row: &Row<'_>) -> Result<AccessMethodRecord> {
    let mode: String = row.get(3)?;
    Ok(AccessMethodRecord {
        id: uuid_column(row, 0)?,
        access_grant_id: uuid_column(row, 1)?,
        request_index: row.get(2)?,
        mode: AccessMode::parse(&mode).ok_or_else(|| Error::corrupt(format!("mode {mode:?}")))?,
        code: row.get(4)?,
        copy_number: row.get(5)?,
        created_at: time::column(row, 6)?,
        issued_at: time::optional_column(row, 7)?,
        card_id: row.get(8)?,
        is_encoding_required: row.get(9)?,
        revoked_at: time::optional_column(row, 10)?,
        collected_at: time::optional_column(row, 11)?,
        lost_at: time::optional_column(row, 12)?,
        warnings: Vec::new(),
    })
}
