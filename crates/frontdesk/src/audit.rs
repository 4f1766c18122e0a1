//! The audit log as a manager reads it: newest first, by operator, by room, by dates, each
//! entry with the people, rooms and cards it is about by name.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use engine::model::{AccessMode, SpaceId};
use serde::{Deserialize, Serialize};
use store::Reader;
use uuid::Uuid;

use crate::operators::{Operator, Permission};
use crate::{FrontDesk, Result};

/// One audit entry as a manager reads it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditView {
    /// A JSON number: ids stay far below 2^53.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `operator:<name>`, `api`, or the desk's own work.
    pub actor: String,
    pub action: String,
    pub subject_id: Option<String>,
    pub outcome: store::AuditOutcome,
    /// The records as they were before the change, and after it.
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// Why a refused change was refused.
    pub detail: Option<String>,
    /// The terminal the change was made at, when it came from one.
    pub terminal: Option<String>,
    /// The change the entry is part of: one check-in writes several entries. `None` for
    /// entries older than changes, each a change of its own.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub change_id: Option<i64>,
    /// What the change was asked to do (`stay.check_in`), of which this entry is a part.
    pub change_action: Option<String>,
    /// Who and what the entry is about, by name.
    pub about: AuditAbout,
}

/// What an audit entry is about, by name, as its sentence in the log says it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditAbout {
    /// Guests and staff, by name.
    pub people: Vec<String>,
    /// Rooms (or other spaces) the change gave access to or worked on.
    pub rooms: Vec<String>,
    /// Rooms the change took access away from: a stay's room before a move.
    pub rooms_before: Vec<String>,
    /// A door, where the entry is about one door.
    pub door: Option<String>,
    /// Key cards the entry made room for or worked on.
    pub cards: u32,
    /// An operator the entry is about (one added, one who signed in).
    pub operator: Option<String>,
}

impl AuditView {
    fn new(entry: store::AuditEntry, about: AuditAbout) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            actor: entry.actor,
            action: entry.action,
            subject_id: entry.subject_id,
            outcome: entry.outcome,
            before: entry.before,
            after: entry.after,
            detail: entry.detail,
            terminal: entry.terminal,
            change_id: entry.change_id,
            change_action: entry.change_action,
            about,
        }
    }
}

/// Finds the names an entry's ids stand for, each looked up once per page of the log.
struct Names<'r, 'c> {
    reader: &'r Reader<'c>,
    people: HashMap<Uuid, Option<String>>,
    rooms: HashMap<Uuid, Option<String>>,
}

impl<'r, 'c> Names<'r, 'c> {
    fn new(reader: &'r Reader<'c>) -> Self {
        Self {
            reader,
            people: HashMap::new(),
            rooms: HashMap::new(),
        }
    }

    fn person(&mut self, id: Uuid) -> Result<Option<String>> {
        if let Some(name) = self.people.get(&id) {
            return Ok(name.clone());
        }
        let name = self
            .reader
            .user_identity(id)?
            .and_then(|user| user.full_name);
        self.people.insert(id, name.clone());
        Ok(name)
    }

    fn room(&mut self, id: Uuid) -> Result<Option<String>> {
        if let Some(name) = self.rooms.get(&id) {
            return Ok(name.clone());
        }
        let name = self.reader.space(id)?.map(|space| space.name);
        self.rooms.insert(id, name.clone());
        Ok(name)
    }

    fn rooms(&mut self, ids: impl IntoIterator<Item = Uuid>) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for id in ids {
            if let Some(name) = self.room(id)?
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// A grant's holder and rooms.
    fn grant(&mut self, about: &mut AuditAbout, grant: &store::AccessGrantRecord) -> Result<()> {
        if let Some(name) = self.person(grant.user_identity_id)?
            && !about.people.contains(&name)
        {
            about.people.push(name);
        }
        for room in self.rooms(grant.space_ids.iter().copied())? {
            if !about.rooms.contains(&room) {
                about.rooms.push(room);
            }
        }
        Ok(())
    }

    /// The names behind an entry's subject and the records it wrote.
    fn about(&mut self, entry: &store::AuditEntry) -> Result<AuditAbout> {
        let mut about = AuditAbout::default();
        let r = self.reader;
        match entry.subject_id.as_deref().map(Uuid::parse_str) {
            Some(Ok(id)) => {
                if let Some(grant) = r.access_grant(id)? {
                    self.grant(&mut about, &grant)?;
                    if entry.action == "access_grant.create" {
                        // The cards it was made with, not the copies added since.
                        about.cards =
                            card_count(r, &ids(entry.after.as_ref(), "access_method_ids"))?;
                    }
                } else if let Some(method) = r.access_method(id)? {
                    if let Some(grant) = r.access_grant(method.access_grant_id)? {
                        self.grant(&mut about, &grant)?;
                    }
                    about.cards = u32::from(method.mode == AccessMode::Card);
                } else if let Some(name) = self.person(id)? {
                    about.people.push(name);
                } else if let Some(entrance) = r.entrance(id)? {
                    about.door = Some(entrance.name);
                } else if let Some(name) = self.room(id)? {
                    about.rooms.push(name);
                } else if let Some(operator) = r.operator(id)? {
                    about.operator = Some(operator.name);
                }
            }
            // Not an id: a stay's reservation key, or a name (a backup file, a group).
            Some(Err(_)) => {
                let key = entry.subject_id.as_deref().unwrap_or_default();
                for id in r.grant_ids_of_key_ever(key)? {
                    if let Some(grant) = r.access_grant(id)? {
                        self.grant(&mut about, &grant)?;
                    }
                }
            }
            None => {}
        }
        // An operator named only by the request: one being added, or a refused sign-in.
        if about.operator.is_none() && entry.action.starts_with("operator.") {
            about.operator = entry
                .after
                .as_ref()
                .and_then(|after| after.get("name"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
        }
        // A grant that ends or moves: its rooms are the ones the change took away.
        let before_rooms = ids(entry.before.as_ref(), "space_ids");
        if entry.action.ends_with(".delete") {
            about.rooms_before = std::mem::take(&mut about.rooms);
        } else if !before_rooms.is_empty() {
            about.rooms_before = self.rooms(before_rooms)?;
            let after_rooms = ids(entry.after.as_ref(), "space_ids");
            if !after_rooms.is_empty() {
                about.rooms = self.rooms(after_rooms)?;
            }
            about
                .rooms_before
                .retain(|room| !about.rooms.contains(room));
        }
        Ok(about)
    }
}

/// The ids a grant's `field` (`space_ids`, `access_method_ids`) held as an entry recorded it.
fn ids(record: Option<&serde_json::Value>, field: &str) -> Vec<Uuid> {
    record
        .and_then(|record| record.get(field))
        .and_then(serde_json::Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().and_then(|id| Uuid::parse_str(id).ok()))
                .collect()
        })
        .unwrap_or_default()
}

fn card_count(r: &Reader<'_>, methods: &[Uuid]) -> Result<u32> {
    let mut cards = 0;
    for id in methods {
        if r.access_method(*id)?
            .is_some_and(|method| method.mode == AccessMode::Card)
        {
            cards += 1;
        }
    }
    Ok(cards)
}

/// How many audit entries a page shows by default.
pub const AUDIT_PAGE: u32 = 200;

/// What a manager filters the audit log by.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// An operator's name (or any actor as the log shows it, e.g. `api`).
    pub actor: Option<String>,
    pub room_space_id: Option<SpaceId>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

impl FrontDesk {
    /// The audit log for a manager: newest first, by operator, by room, by dates.
    pub fn audit_entries(&self, operator: &Operator, query: &AuditQuery) -> Result<Vec<AuditView>> {
        operator.require(Permission::Manage)?;
        let limit = query.limit.unwrap_or(AUDIT_PAGE).min(AUDIT_PAGE * 10);
        let filter = store::AuditFilter {
            actor: query.actor.as_ref().map(|actor| {
                if actor.contains(':') {
                    actor.clone()
                } else {
                    format!("operator:{actor}")
                }
            }),
            subject_id: None,
            since: query.since,
            until: query.until,
            // A room is found in the entries' records, after the query: then it reads them all.
            limit: query.room_space_id.is_none().then_some(limit),
        };
        let limit = limit as usize;
        self.store.read(|r| {
            let entries = r.audit_log(&filter)?;
            let mut names = Names::new(r);
            let view = |entry: store::AuditEntry| -> Result<AuditView> {
                let about = names.about(&entry)?;
                Ok(AuditView::new(entry, about))
            };
            let Some(room) = query.room_space_id else {
                return entries.into_iter().take(limit).map(view).collect();
            };
            // A change is about a room when the records it wrote name the room.
            let room = room.to_string();
            let mentions = |value: &Option<serde_json::Value>| {
                value
                    .as_ref()
                    .is_some_and(|value| value.to_string().contains(&room))
            };
            entries
                .into_iter()
                .filter(|entry| mentions(&entry.before) || mentions(&entry.after))
                .take(limit)
                .map(view)
                .collect()
        })
    }
}
