//! The property (access systems, spaces, entrances) and the people.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use engine::model::{
    AccessMode, AccessSystemKind, EntranceId, SpaceId, SpaceKind, UserIdentityId, UserKind,
};
use engine::property::{Problem, PropertyFile};
use rusqlite::{OptionalExtension, Row, params, params_from_iter};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::records::{
    AccessSystemRecord, EntranceRecord, PropertyRecord, SpaceRecord, SpaceSummary,
    UserIdentityRecord,
};
use crate::time;
use crate::{CachedStatements, Reader, Writer, remembered};

/// What an import would do, for a summary or for a refusal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// Problems that refuse the import because live grants depend on what it would change.
    pub conflicts: Vec<Problem>,
}

/// A person to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUserIdentity {
    pub key: Option<String>,
    pub full_name: Option<String>,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub kind: UserKind,
}

const ENTRANCE_COLUMNS: &str = "e.id, e.key, e.name, e.access_system_id, s.kind, \
     e.can_belong_to_reservation, e.modes, e.created_at";

impl Reader<'_> {
    pub fn property(&self) -> Result<Option<PropertyRecord>> {
        self.connection
            .query_row_cached(
                "SELECT id, name, time_zone, locale, imported_at FROM property",
                [],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?
            .map(|(id, name, time_zone, locale, imported_at)| {
                Ok(PropertyRecord {
                    id: parse_uuid(&id)?,
                    name,
                    time_zone,
                    locale,
                    imported_at: time::from_text(&imported_at)?,
                })
            })
            .transpose()
    }

    /// Checks an import against the grants that depend on today's entrances.
    pub fn plan_import(&self, file: &PropertyFile) -> Result<ImportPlan> {
        let mut conflicts = Vec::new();
        let in_file: HashMap<&str, (usize, bool)> = file
            .entrances
            .iter()
            .enumerate()
            .map(|(index, e)| (e.key.as_str(), (index, e.can_belong_to_reservation)))
            .collect();
        let mut statement = self.connection.prepare_cached(
            "SELECT e.key, e.can_belong_to_reservation FROM entrances e
             WHERE e.retired_at IS NULL AND EXISTS (
                 SELECT 1 FROM access_grant_entrances ge
                 JOIN access_grants g ON g.id = ge.access_grant_id
                 WHERE ge.entrance_id = e.id AND g.deleted_at IS NULL)
             ORDER BY e.key",
        )?;
        let used = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
        for entry in used {
            let (key, capable): (String, bool) = entry?;
            match in_file.get(key.as_str()) {
                None => conflicts.push(Problem {
                    path: "entrances".into(),
                    message: format!(
                        "entrance \"{key}\" is missing, but live access grants use it; delete \
                         those grants first"
                    ),
                }),
                Some((index, new_capable)) if *new_capable != capable => conflicts.push(Problem {
                    path: format!("entrances[{index}].can_belong_to_reservation"),
                    message: format!(
                        "cannot change while live access grants use entrance \"{key}\"; delete \
                         those grants first"
                    ),
                }),
                Some(_) => {}
            }
        }
        Ok(ImportPlan { conflicts })
    }

    pub fn access_systems(&self) -> Result<Vec<AccessSystemRecord>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, key, name, kind, created_at FROM access_systems
             WHERE retired_at IS NULL ORDER BY key",
        )?;
        let mut rows = statement.query([])?;
        let mut systems = Vec::new();
        while let Some(row) = rows.next()? {
            systems.push(AccessSystemRecord {
                id: uuid_column(row, 0)?,
                key: row.get(1)?,
                name: row.get(2)?,
                kind: system_kind(&row.get::<_, String>(3)?)?,
                created_at: time::column(row, 4)?,
            });
        }
        Ok(systems)
    }

    /// Every space, by floor then key.
    pub fn spaces(&self) -> Result<Vec<SpaceRecord>> {
        self.query_spaces("WHERE retired_at IS NULL", [])
    }

    /// Every current space, by floor then key, without reading its doors: the room board
    /// lists 2,000 rooms and needs none of them.
    pub fn space_summaries(&self) -> Result<Vec<SpaceSummary>> {
        let mut statement = self.connection.prepare_cached(
            "SELECT id, key, name, floor, kind FROM spaces WHERE retired_at IS NULL
             ORDER BY floor IS NULL, floor, key",
        )?;
        let mut rows = statement.query([])?;
        let mut spaces = Vec::new();
        while let Some(row) = rows.next()? {
            spaces.push(space_summary_row(row)?);
        }
        Ok(spaces)
    }

    pub fn space(&self, id: SpaceId) -> Result<Option<SpaceRecord>> {
        remembered(&self.catalog.spaces, id, || {
            Ok(self.query_spaces("WHERE id = ?1", [id.to_string()])?.pop())
        })
    }

    pub fn space_by_key(&self, key: &str) -> Result<Option<SpaceRecord>> {
        Ok(self
            .query_spaces("WHERE key = ?1 AND retired_at IS NULL", [key])?
            .pop())
    }

    fn query_spaces<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<SpaceRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT id, key, name, floor, kind, created_at FROM spaces {filter}
             ORDER BY floor IS NULL, floor, key"
        ))?;
        let mut rows = statement.query(params)?;
        let mut spaces = Vec::new();
        while let Some(row) = rows.next()? {
            let summary = space_summary_row(row)?;
            spaces.push(SpaceRecord {
                id: summary.id,
                key: summary.key,
                name: summary.name,
                floor: summary.floor,
                kind: summary.kind,
                entrance_ids: Vec::new(),
                created_at: time::column(row, 5)?,
            });
        }
        if spaces.is_empty() {
            return Ok(spaces);
        }
        let only = (spaces.len() == 1).then(|| spaces[0].id);
        let mut entrances_of: BTreeMap<SpaceId, Vec<EntranceId>> = BTreeMap::new();
        for (entrance_id, space_id) in self.entrances_of_spaces(only)? {
            entrances_of.entry(space_id).or_default().push(entrance_id);
        }
        for space in &mut spaces {
            space.entrance_ids = entrances_of.remove(&space.id).unwrap_or_default();
        }
        Ok(spaces)
    }

    /// Every entrance, optionally only those of one access system or one space.
    pub fn entrances(
        &self,
        access_system_id: Option<Uuid>,
        space_id: Option<SpaceId>,
    ) -> Result<Vec<EntranceRecord>> {
        self.query_entrances(
            "WHERE e.retired_at IS NULL
               AND (?1 IS NULL OR e.access_system_id = ?1)
               AND (?2 IS NULL OR e.id IN (SELECT entrance_id FROM entrance_spaces
                                           WHERE space_id = ?2))",
            params![
                access_system_id.map(|id| id.to_string()),
                space_id.map(|id| id.to_string())
            ],
        )
    }

    /// One entrance, retired ones included (old grants still name them).
    pub fn entrance(&self, id: EntranceId) -> Result<Option<EntranceRecord>> {
        remembered(&self.catalog.entrances, id, || {
            Ok(self
                .query_entrances("WHERE e.id = ?1", [id.to_string()])?
                .pop())
        })
    }

    /// Whether `id` is a current entrance of a current common area.
    pub fn is_common_area_entrance(&self, id: EntranceId) -> Result<bool> {
        let found = self
            .connection
            .query_row_cached(
                "SELECT 1 FROM entrances e
                 JOIN entrance_spaces es ON es.entrance_id = e.id
                 JOIN spaces s ON s.id = es.space_id
                 WHERE e.id = ?1 AND e.retired_at IS NULL
                   AND s.kind = ?2 AND s.retired_at IS NULL
                 LIMIT 1",
                params![id.to_string(), SpaceKind::Common.as_str()],
                |_| Ok(()),
            )
            .optional()?;
        Ok(found.is_some())
    }

    fn query_entrances<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<EntranceRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {ENTRANCE_COLUMNS} FROM entrances e
             JOIN access_systems s ON s.id = e.access_system_id {filter} ORDER BY e.key"
        ))?;
        let mut rows = statement.query(params)?;
        let mut entrances = Vec::new();
        while let Some(row) = rows.next()? {
            entrances.push(entrance_row(row)?);
        }
        if entrances.is_empty() {
            return Ok(entrances);
        }
        let only = (entrances.len() == 1).then(|| entrances[0].id);
        let mut spaces_of: BTreeMap<EntranceId, Vec<SpaceId>> = BTreeMap::new();
        for (entrance_id, space_id) in self.spaces_of_entrances(only)? {
            spaces_of.entry(entrance_id).or_default().push(space_id);
        }
        for entrance in &mut entrances {
            entrance.space_ids = spaces_of.remove(&entrance.id).unwrap_or_default();
        }
        Ok(entrances)
    }

    /// The entrances of every space, or of one; a space's in the order of their ids.
    fn entrances_of_spaces(&self, space_id: Option<SpaceId>) -> Result<Vec<(EntranceId, SpaceId)>> {
        // A filter only when asked for: `(?1 IS NULL OR space_id = ?1)` keeps SQLite from
        // using an index, and one room's doors would be found by reading every link.
        let filter = if space_id.is_some() {
            "WHERE space_id = ?1"
        } else {
            ""
        };
        self.links(
            &format!(
                "SELECT entrance_id, space_id FROM entrance_spaces {filter}
                 ORDER BY space_id, entrance_id"
            ),
            space_id,
        )
    }

    /// The spaces of every entrance, or of one; an entrance's by floor and key.
    fn spaces_of_entrances(
        &self,
        entrance_id: Option<EntranceId>,
    ) -> Result<Vec<(EntranceId, SpaceId)>> {
        let filter = if entrance_id.is_some() {
            "WHERE es.entrance_id = ?1"
        } else {
            ""
        };
        self.links(
            &format!(
                "SELECT es.entrance_id, es.space_id FROM entrance_spaces es
                 JOIN spaces s ON s.id = es.space_id {filter}
                 ORDER BY s.floor IS NULL, s.floor, s.key"
            ),
            entrance_id,
        )
    }

    /// `(entrance, space)` pairs read by `sql`, whose only parameter, if any, is `id`.
    fn links(&self, sql: &str, id: Option<Uuid>) -> Result<Vec<(EntranceId, SpaceId)>> {
        let mut statement = self.connection.prepare_cached(sql)?;
        let mut rows = statement.query(params_from_iter(id.map(|id| id.to_string())))?;
        let mut links = Vec::new();
        while let Some(row) = rows.next()? {
            links.push((uuid_column(row, 0)?, uuid_column(row, 1)?));
        }
        Ok(links)
    }

    pub fn user_identity(&self, id: UserIdentityId) -> Result<Option<UserIdentityRecord>> {
        Ok(self.query_users("WHERE id = ?1", [id.to_string()])?.pop())
    }

    pub fn user_identity_by_key(&self, key: &str) -> Result<Option<UserIdentityRecord>> {
        Ok(self
            .query_users("WHERE user_identity_key = ?1", [key])?
            .pop())
    }

    pub fn user_identities(&self) -> Result<Vec<UserIdentityRecord>> {
        self.query_users("", [])
    }

    fn query_users<P: rusqlite::Params>(
        &self,
        filter: &str,
        params: P,
    ) -> Result<Vec<UserIdentityRecord>> {
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT id, user_identity_key, full_name, email_address, phone_number, kind, created_at
             FROM user_identities {filter} ORDER BY rowid"
        ))?;
        let mut rows = statement.query(params)?;
        let mut users = Vec::new();
        while let Some(row) = rows.next()? {
            let kind: String = row.get(5)?;
            users.push(UserIdentityRecord {
                id: uuid_column(row, 0)?,
                key: row.get(1)?,
                full_name: row.get(2)?,
                email_address: row.get(3)?,
                phone_number: row.get(4)?,
                kind: UserKind::parse(&kind)
                    .ok_or_else(|| Error::corrupt(format!("user kind {kind:?}")))?,
                created_at: time::column(row, 6)?,
            });
        }
        Ok(users)
    }
}

impl Writer<'_> {
    /// Creates or updates everything in `file` by key; what the file no longer names is
    /// retired (hidden, never deleted, so old grants keep their doors). Call
    /// [`Reader::plan_import`] first.
    pub fn import_property(&self, file: &PropertyFile, now: DateTime<Utc>) -> Result<()> {
        self.catalog.clear();
        let connection = self.connection;
        let now_text = time::to_text(now);
        connection.execute_cached(
            "INSERT INTO property (id, name, time_zone, locale, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (singleton) DO UPDATE SET name = excluded.name,
                 time_zone = excluded.time_zone, locale = excluded.locale,
                 imported_at = excluded.imported_at",
            params![
                crate::new_row_id().to_string(),
                file.property.name,
                file.property.time_zone,
                file.property.locale,
                now_text
            ],
        )?;

        for table in ["access_systems", "spaces", "entrances"] {
            connection.execute_cached(
                &format!("UPDATE {table} SET retired_at = ?1 WHERE retired_at IS NULL"),
                [&now_text],
            )?;
        }

        let mut system_ids = HashMap::new();
        for system in &file.access_systems {
            let id = upsert(
                connection,
                "INSERT INTO access_systems (id, key, name, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                     retired_at = NULL
                 RETURNING id",
                params![crate::new_row_id().to_string(), system.key, system.name, system.kind.as_str(), now_text],
            )?;
            system_ids.insert(system.key.as_str(), id);
        }

        let mut space_ids = HashMap::new();
        for space in &file.spaces {
            let id = upsert(
                connection,
                "INSERT INTO spaces (id, key, name, floor, kind, created_at, pms_room_number)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name, floor = excluded.floor,
                     kind = excluded.kind, pms_room_number = excluded.pms_room_number,
                     retired_at = NULL
                 RETURNING id",
                params![
                    crate::new_row_id().to_string(),
                    space.key,
                    space.name,
                    space.floor,
                    space.kind.as_str(),
                    now_text,
                    space.pms_room_number
                ],
            )?;
            space_ids.insert(space.key.as_str(), id);
        }

        for entrance in &file.entrances {
            let system_id = system_ids
                .get(entrance.access_system.as_str())
                .ok_or_else(|| {
                    Error::corrupt(format!(
                        "unknown access system {:?}",
                        entrance.access_system
                    ))
                })?;
            let modes: Vec<&str> = entrance.modes.iter().map(|mode| mode.as_str()).collect();
            let id = upsert(
                connection,
                "INSERT INTO entrances (id, key, name, access_system_id, can_belong_to_reservation,
                     modes, created_at, pms_key_option) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (key) DO UPDATE SET name = excluded.name,
                     access_system_id = excluded.access_system_id,
                     can_belong_to_reservation = excluded.can_belong_to_reservation,
                     modes = excluded.modes, pms_key_option = excluded.pms_key_option,
                     retired_at = NULL
                 RETURNING id",
                params![
                    crate::new_row_id().to_string(),
                    entrance.key,
                    entrance.name,
                    system_id,
                    entrance.can_belong_to_reservation,
                    modes.join(","),
                    now_text,
                    entrance.pms_key_option
                ],
            )?;
            connection
                .execute_cached("DELETE FROM entrance_spaces WHERE entrance_id = ?1", [&id])?;
            for space_key in &entrance.spaces {
                let space_id = space_ids
                    .get(space_key.as_str())
                    .ok_or_else(|| Error::corrupt(format!("unknown space {space_key:?}")))?;
                connection.execute_cached(
                    "INSERT INTO entrance_spaces (entrance_id, space_id) VALUES (?1, ?2)",
                    [&id, space_id],
                )?;
            }
        }
        Ok(())
    }

    pub fn set_user_full_name(&self, id: UserIdentityId, full_name: &str) -> Result<()> {
        self.connection.execute_cached(
            "UPDATE user_identities SET full_name = ?2 WHERE id = ?1",
            params![id.to_string(), full_name],
        )?;
        Ok(())
    }

    pub fn insert_user_identity(
        &self,
        user: &NewUserIdentity,
        now: DateTime<Utc>,
    ) -> Result<UserIdentityRecord> {
        let id = crate::new_row_id();
        // As stored: the record says the instant to the millisecond, as a read would.
        let created_at = time::to_text(now);
        self.connection.execute_cached(
            "INSERT INTO user_identities (id, user_identity_key, full_name, email_address,
                 phone_number, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.to_string(),
                user.key,
                user.full_name,
                user.email_address,
                user.phone_number,
                user.kind.as_str(),
                created_at
            ],
        )?;
        Ok(UserIdentityRecord {
            id,
            key: user.key.clone(),
            full_name: user.full_name.clone(),
            email_address: user.email_address.clone(),
            phone_number: user.phone_number.clone(),
            kind: user.kind,
            created_at: time::from_text(&created_at)?,
        })
    }
}

fn upsert<P: rusqlite::Params>(
    connection: &rusqlite::Connection,
    sql: &str,
    params: P,
) -> Result<String> {
    Ok(connection.query_row_cached(sql, params, |row| row.get(0))?)
}

/// The first five columns of a space: id, key, name, floor, kind.
fn space_summary_row(row: &Row<'_>) -> Result<SpaceSummary> {
    let kind: String = row.get(4)?;
    Ok(SpaceSummary {
        id: uuid_column(row, 0)?,
        key: row.get(1)?,
        name: row.get(2)?,
        floor: row.get(3)?,
        kind: SpaceKind::parse(&kind)
            .ok_or_else(|| Error::corrupt(format!("space kind {kind:?}")))?,
    })
}

fn entrance_row(row: &Row<'_>) -> Result<EntranceRecord> {
    let modes: String = row.get(6)?;
    Ok(EntranceRecord {
        id: uuid_column(row, 0)?,
        key: row.get(1)?,
        name: row.get(2)?,
        access_system_id: uuid_column(row, 3)?,
        access_system_kind: system_kind(&row.get::<_, String>(4)?)?,
        space_ids: Vec::new(),
        can_belong_to_reservation: row.get(5)?,
        modes: modes
            .split(',')
            .map(|mode| {
                AccessMode::parse(mode).ok_or_else(|| Error::corrupt(format!("mode {mode:?}")))
            })
            .collect::<Result<_>>()?,
        created_at: time::column(row, 7)?,
    })
}

fn system_kind(text: &str) -> Result<AccessSystemKind> {
    AccessSystemKind::parse(text)
        .ok_or_else(|| Error::corrupt(format!("access system kind {text:?}")))
}

pub(crate) fn parse_uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| Error::corrupt(format!("id {text:?}: {e}")))
}

pub(crate) fn uuid_column(row: &Row<'_>, index: usize) -> Result<Uuid> {
    parse_uuid(&row.get::<_, String>(index)?)
}

pub(crate) fn optional_uuid_column(row: &Row<'_>, index: usize) -> Result<Option<Uuid>> {
    row.get::<_, Option<String>>(index)?
        .as_deref()
        .map(parse_uuid)
        .transpose()
}
