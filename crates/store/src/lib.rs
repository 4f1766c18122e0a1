//! SQLite storage for the front desk.
//!
//! One database file holds the property, the people, every access grant and access method
//! ever made, the reservations with their override sequences, the warnings and the audit log.
//! A use case runs as one transaction: [`Store::write`] commits all it did or nothing.

mod audit;
mod cards;
mod catalog;
mod desk;
mod error;
mod grants;
mod records;
mod terminals;
mod time;
mod timeline;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, Params, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use uuid::Uuid;

pub use audit::{AuditEntry, AuditFilter, AuditOutcome, NewAuditEntry};
pub use cards::{
    ActionAttemptRecord, AttemptStatus, CardPurpose, CardRecord, EncodeOperationRecord,
    EncodeState, LockEventRecord, NewCard, NewEncodeOperation,
};
pub use catalog::{ImportPlan, NewUserIdentity};
pub use desk::{BoardRow, OperatorRecord, Role, SignInFailures, WarningRow};
pub use error::{Error, Result};
pub use grants::{DoorWarningRow, GrantFilter, MethodFilter, NewAccessMethod, NewGrant};
pub use records::{
    AccessGrantRecord, AccessMethodRecord, AccessSystemRecord, EntranceRecord, GrantEntrance,
    PropertyRecord, SpaceRecord, SpaceSummary, StoredWarning, UserIdentityRecord,
};
pub use terminals::{TerminalPairingRecord, TerminalRecord, TerminalSessionRecord};
pub use timeline::{StayRow, StaySearchHit};

/// The schema, oldest first. Released migrations never change; add a new one instead.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/001_initial.sql")),
    M::up(include_str!("migrations/002_cards.sql")),
    M::up(include_str!("migrations/003_desk.sql")),
    M::up(include_str!("migrations/004_sign_in.sql")),
    M::up(include_str!("migrations/005_leaner_writes.sql")).foreign_key_check(),
    M::up(include_str!("migrations/006_sequences_at_encode.sql")).foreign_key_check(),
    M::up(include_str!("migrations/007_warnings_expire.sql")),
    M::up(include_str!(
        "migrations/008_cards_come_back_one_by_one.sql"
    )),
    M::up(include_str!("migrations/009_timeline.sql")),
    M::up(include_str!("migrations/010_terminals.sql")),
];

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite's page cache, in KiB. A large hotel's spaces, entrances and their links take
/// several MiB, and every check-in and grant reads them at random: in SQLite's default 2 MiB
/// most of those reads become system calls.
const PAGE_CACHE_KIB: i64 = 64 * 1024;

/// How many prepared statements a connection keeps: more than the store has, counting each
/// filter its list queries assemble.
const STATEMENT_CACHE: usize = 256;

/// Every statement through the connection's cache of prepared statements, so that SQLite
/// parses each once per connection rather than once per call: a check-in runs dozens of
/// statements, and parsing them took about as long as running them.
pub(crate) trait CachedStatements {
    fn execute_cached<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;

    fn query_row_cached<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        row: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T>;
}

impl CachedStatements for Connection {
    fn execute_cached<P: Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn query_row_cached<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        row: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, row)
    }
}

/// A new row's id. Time-ordered (UUID v7), so that each table's and index's new entries land
/// on the same last page instead of a random one: a check-in adds about a dozen rows, and
/// every page it touches is one more page the commit writes.
pub fn new_row_id() -> Uuid {
    Uuid::now_v7()
}

/// The database. Reads and writes go through [`Store::read`] and [`Store::write`].
#[derive(Debug)]
pub struct Store {
    connection: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        Self::prepare(Connection::open(path)?)
    }

    /// A private database that lives as long as the value; for tests and demos.
    pub fn open_in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut connection: Connection) -> Result<Self> {
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Before anything that writes to the file (switching it to WAL does): a database
        // from a newer version is refused as it is.
        let found: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let found = usize::try_from(found).unwrap_or(usize::MAX);
        if found > MIGRATIONS.len() {
            return Err(Error::TooNew {
                found,
                supported: MIGRATIONS.len(),
            });
        }
        // WAL lets readers work during a write; FULL makes a commit survive power loss
        // (with NORMAL a committed transaction can roll back).
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;

        // Foreign keys are enforced from here on, not during the migrations: rebuilding a
        // table that others refer to needs them off (SQLite's documented procedure), and
        // such a migration checks them itself before it commits.
        connection.pragma_update(None, "foreign_keys", "OFF")?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut connection)?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// The schema version this build writes.
    pub fn schema_version() -> usize {
        MIGRATIONS.len()
    }

    /// Runs `work` on one consistent snapshot.
    pub fn read<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Reader<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(Error::from)?;
        let result = work(&Reader::new(&transaction));
        transaction.finish().map_err(Error::from)?;
        result
    }

    /// Runs `work` in one write transaction: committed if it returns `Ok`, rolled back
    /// (nothing changed) if it returns `Err`.
    pub fn write<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Writer<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut connection = self.lock();
        // IMMEDIATE takes the write lock up front, so that two processes cannot both read a
        // reservation and then both try to change it.
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::from)?;
        let result = work(&Writer {
            reader: Reader::new(&transaction),
        });
        match result {
            Ok(value) => {
                transaction.commit().map_err(Error::from)?;
                Ok(value)
            }
            Err(error) => {
                transaction.rollback().map_err(Error::from)?;
                Err(error)
            }
        }
    }

    /// How this store's own connection is set up, read back from SQLite; for diagnostics
    /// and for the tests that pin the settings [`Store::open`] makes.
    pub fn settings(&self) -> Result<ConnectionSettings> {
        let connection = self.lock();
        let value = |name: &str| -> Result<rusqlite::types::Value> {
            Ok(connection.pragma_query_value(None, name, |row| row.get(0))?)
        };
        let integer = |name: &str| -> Result<i64> {
            match value(name)? {
                rusqlite::types::Value::Integer(value) => Ok(value),
                other => Err(Error::corrupt(format!("PRAGMA {name} gave {other:?}"))),
            }
        };
        let journal_mode = match value("journal_mode")? {
            rusqlite::types::Value::Text(mode) => mode.to_ascii_lowercase(),
            other => {
                return Err(Error::corrupt(format!(
                    "PRAGMA journal_mode gave {other:?}"
                )));
            }
        };
        Ok(ConnectionSettings {
            journal_mode,
            synchronous: integer("synchronous")?,
            foreign_keys: integer("foreign_keys")? != 0,
            busy_timeout: Duration::from_millis(integer("busy_timeout")?.try_into().unwrap_or(0)),
            user_version: integer("user_version")?,
        })
    }

    /// Runs SQLite's own consistency check; `["ok"]` when the file is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let connection = self.lock();
        let mut statement = connection.prepare("PRAGMA integrity_check")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no half transaction behind (a dropped
        // transaction rolls back), so the connection is still sound.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The settings of a store's connection, as SQLite reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// `wal` for a file, `memory` for an in-memory database.
    pub journal_mode: String,
    /// 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub busy_timeout: Duration,
    /// The schema version the file is at.
    pub user_version: i64,
}

/// Read access inside a transaction.
#[derive(Debug)]
pub struct Reader<'c> {
    connection: &'c Connection,
    /// Spaces and entrances already read in this transaction. A change reads the same room
    /// and doors several times (its checks, the grant, its answer), and only a property
    /// import changes them, which empties this.
    catalog: CatalogMemo,
}

#[derive(Debug, Default)]
struct CatalogMemo {
    spaces: RefCell<HashMap<engine::model::SpaceId, SpaceRecord>>,
    entrances: RefCell<HashMap<engine::model::EntranceId, EntranceRecord>>,
}

impl CatalogMemo {
    fn clear(&self) {
        self.spaces.borrow_mut().clear();
        self.entrances.borrow_mut().clear();
    }
}

/// The record `id` names: from `memo` if this transaction read it already, else from `read`
/// (and remembered when found).
fn remembered<V: Clone>(
    memo: &RefCell<HashMap<Uuid, V>>,
    id: Uuid,
    read: impl FnOnce() -> Result<Option<V>>,
) -> Result<Option<V>> {
    if let Some(found) = memo.borrow().get(&id) {
        return Ok(Some(found.clone()));
    }
    let found = read()?;
    if let Some(record) = &found {
        memo.borrow_mut().insert(id, record.clone());
    }
    Ok(found)
}

/// Write access inside a transaction; reads see the transaction's own writes.
#[derive(Debug)]
pub struct Writer<'c> {
    reader: Reader<'c>,
}

impl<'c> Reader<'c> {
    fn new(connection: &'c Connection) -> Self {
        Self {
            connection,
            catalog: CatalogMemo::default(),
        }
    }

    /// Every row of one table of the schema, each as column name to value as text (`None`
    /// for NULL), sorted. Read-only: for whole-database consistency checks in tests and
    /// diagnostics, not for the use cases.
    pub fn table_rows(&self, table: &str) -> Result<Vec<BTreeMap<String, Option<String>>>> {
        let known: bool = self.connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
            [table],
            |row| row.get(0),
        )?;
        if !known {
            return Err(Error::Sqlite(rusqlite::Error::InvalidParameterName(
                table.to_owned(),
            )));
        }
        let mut statement = self
            .connection
            .prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
        let columns: Vec<String> = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut rows = statement.query([])?;
        let mut found = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = BTreeMap::new();
            for (index, column) in columns.iter().enumerate() {
                let value = match row.get_ref(index)? {
                    ValueRef::Null => None,
                    ValueRef::Integer(value) => Some(value.to_string()),
                    ValueRef::Real(value) => Some(value.to_string()),
                    ValueRef::Text(text) => Some(String::from_utf8_lossy(text).into_owned()),
                    ValueRef::Blob(blob) => {
                        Some(blob.iter().map(|byte| format!("{byte:02x}")).collect())
                    }
                };
                values.insert(column.clone(), value);
            }
            found.push(values);
        }
        found.sort();
        Ok(found)
    }
}

impl<'c> Deref for Writer<'c> {
    type Target = Reader<'c>;

    fn deref(&self) -> &Reader<'c> {
        &self.reader
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS).validate().unwrap();
    }
}
