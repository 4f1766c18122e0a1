//! SQLite storage for the front desk.
//!
//! One database file holds the property, the people, every access grant and access method
//! ever made, the reservations with their override sequences, the warnings and the audit log.
//! A use case runs as one transaction: [`Store::write`] commits all it did or nothing.

mod audit;
pub mod backup;
mod cards;
mod catalog;
mod desk;
mod error;
mod grants;
mod pms;
mod records;
mod spares;
mod terminals;
mod time;
mod timeline;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Params, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use uuid::Uuid;

pub use audit::{AuditEntry, AuditFilter, AuditOutcome, NewAuditEntry};
pub use cards::{
    ActionAttemptRecord, AttemptStatus, CardPurpose, CardRecord, EncodeOperationRecord,
    EncodeState, LockEventRecord, NewCard, NewEncodeOperation, NewLockEvent,
};
pub use catalog::{ImportPlan, NewUserIdentity};
pub use desk::{BoardRow, OperatorRecord, Role, SignInFailures, WarningRow};
pub use error::{Error, Result};
pub use grants::{DoorWarningRow, GrantFilter, MethodFilter, NewAccessMethod, NewGrant};
pub use pms::{NewPmsKeyRequest, PmsKeyAnswer, PmsKeyRequestRecord};
pub use records::{
    AccessGrantRecord, AccessMethodRecord, AccessSystemRecord, EntranceRecord, GrantEntrance,
    PropertyRecord, SpaceRecord, SpaceSummary, StoredWarning, UserIdentityRecord,
};
pub use spares::{NewSpare, SpareRecord};
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
    M::up(include_str!("migrations/011_pms_link.sql")),
    M::up(include_str!("migrations/012_key_vocabulary.sql")),
    M::up(include_str!("migrations/013_one_shot_and_lock_out.sql")).foreign_key_check(),
    M::up(include_str!("migrations/014_spares.sql")),
    M::up(include_str!("migrations/015_audit_changes.sql")),
    M::up(include_str!("migrations/016_lock_events_card.sql")),
    M::up(include_str!("migrations/017_languages.sql")),
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
///
/// Writes that arrive together are committed together (group commit): a write whose work is
/// done while other writes wait for the connection leaves its transaction open for them, and
/// the last of them commits all at once, one `fsync` for the group. Each write is its own
/// savepoint inside the group (a refused one leaves nothing), and each returns only once the
/// group's commit is durable.
///
/// Reads of a database file go through connections of their own (see [`Readers`]): they see
/// the last commit, and neither wait for a write nor see one that is not committed yet.
#[derive(Debug)]
pub struct Store {
    shared: Mutex<Shared>,
    /// `None` for a private in-memory database, which only its one connection can reach:
    /// reads then take the writing connection in turn.
    readers: Option<Readers>,
    /// Rung when a group is settled (committed or failed).
    settled: Condvar,
    /// Writers waiting for the connection.
    waiting: AtomicUsize,
    /// Commits made, each of one group of writes.
    commits: AtomicU64,
}

#[derive(Debug)]
struct Shared {
    connection: Connection,
    /// The group of writes whose transaction is open, if any.
    group: Option<Group>,
    next_group: u64,
    /// The groups settled lately, and how: a member reads its group's outcome.
    outcomes: VecDeque<(u64, std::result::Result<(), CommitFailure>)>,
}

/// Why a group's commit failed, kept so that each member gets the same error back (a full
/// disk stays a full disk).
#[derive(Debug, Clone)]
struct CommitFailure {
    extended_code: Option<std::ffi::c_int>,
    message: String,
}

impl CommitFailure {
    fn of(error: &rusqlite::Error) -> Self {
        Self {
            extended_code: match error {
                rusqlite::Error::SqliteFailure(failure, _) => Some(failure.extended_code),
                _ => None,
            },
            message: error.to_string(),
        }
    }

    fn error(&self) -> Error {
        match self.extended_code {
            Some(code) => Error::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                Some(self.message.clone()),
            )),
            None => Error::corrupt(format!("the commit failed: {}", self.message)),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Group {
    id: u64,
    /// Writes done in it, waiting for its commit.
    members: usize,
}

/// The most writes committed together.
const MAX_GROUP: usize = 16;
/// How long a write waits for its group to be committed by a later member before it commits
/// the group itself (when that member failed to, having panicked).
const GROUP_WAIT: Duration = Duration::from_secs(2);
/// How many settled groups' outcomes are remembered for their members.
const OUTCOMES_KEPT: usize = 64;

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let readers = Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        };
        Self::prepare(Connection::open(path)?, Some(readers))
    }

    /// A private database that lives as long as the value; for tests and demos.
    pub fn open_in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut connection: Connection, readers: Option<Readers>) -> Result<Self> {
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
        // A write that joins a group is a savepoint (see `Store`): the pages it changes are
        // kept for its rollback in a sub-journal, in memory rather than in a temporary file.
        connection.pragma_update(None, "temp_store", "MEMORY")?;

        // Foreign keys are enforced from here on, not during the migrations: rebuilding a
        // table that others refer to needs them off (SQLite's documented procedure), and
        // such a migration checks them itself before it commits.
        connection.pragma_update(None, "foreign_keys", "OFF")?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut connection)?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Self {
            shared: Mutex::new(Shared {
                connection,
                group: None,
                next_group: 1,
                outcomes: VecDeque::new(),
            }),
            readers,
            settled: Condvar::new(),
            waiting: AtomicUsize::new(0),
            commits: AtomicU64::new(0),
        })
    }

    /// How many commits this store has made; writes that arrived together share one.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// How many writes wait for the connection now.
    pub fn writers_waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// The schema version this build writes.
    pub fn schema_version() -> usize {
        MIGRATIONS.len()
    }

    /// Runs `work` on one consistent snapshot of what is committed.
    pub fn read<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Reader<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let Some(readers) = &self.readers else {
            let mut shared = self.lock();
            if shared.group.is_some() {
                // An in-memory store's group is settled before its write returns; a read
                // between two of its members sees them (in-memory stores are for tests and
                // demos, which do not read and write at once).
                return work(&Reader::new(&shared.connection));
            }
            return read_in(&mut shared.connection, work);
        };
        let mut connection = readers.take()?;
        let result = read_in(&mut connection, work);
        readers.give_back(connection);
        result
    }

    /// Runs `work` in a write transaction: committed, durably, before this returns `Ok`;
    /// rolled back (nothing changed) if it returns `Err`. Writes that arrive together share
    /// one commit (see [`Store`]).
    pub fn write<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Writer<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut shared = self.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match shared.group {
            Some(group) if shared.connection.is_autocommit() => {
                // The group's transaction ended without a commit: the write that opened it
                // panicked, or SQLite rolled it back itself (a full disk, an I/O error).
                shared.group = None;
                record_outcome(
                    &mut shared,
                    group.id,
                    Err(CommitFailure {
                        extended_code: None,
                        message: "the transaction was rolled back before its commit".into(),
                    }),
                );
                self.settled.notify_all();
            }
            None if !shared.connection.is_autocommit() => {
                // A rollback that failed left a transaction open: end it before a new one.
                let _ = shared.connection.execute_batch("ROLLBACK");
            }
            _ => {}
        }
        let (group, first) = match shared.group {
            Some(group) => (group.id, false),
            None => {
                // IMMEDIATE takes the write lock up front, so that two processes cannot both
                // read a reservation and then both try to change it.
                shared
                    .connection
                    .execute_batch("BEGIN IMMEDIATE")
                    .map_err(Error::from)?;
                let id = shared.next_group;
                shared.next_group += 1;
                shared.group = Some(Group { id, members: 0 });
                (id, true)
            }
        };
        // The write that opens the group has the transaction to itself, to roll back whole;
        // a write that joins it is a savepoint, so that undoing it spares the others.
        let undo = if first {
            Undo::Transaction(&shared.connection)
        } else {
            Undo::savepoint(&shared.connection).map_err(E::from)?
        };
        let result = match work(&Writer {
            reader: Reader::new(&shared.connection),
            change: audit::Change::default(),
        }) {
            Ok(value) => undo.keep().map(|()| value).map_err(E::from),
            Err(error) => match undo.undo() {
                Ok(()) => Err(error),
                Err(undo_failed) => Err(undo_failed.into()),
            },
        };
        if first && result.is_err() {
            // Rolled back whole: the group is over before anyone joined it.
            shared.group = None;
            return result;
        }
        let joined = result.is_ok();
        if let Some(open) = shared.group.as_mut()
            && joined
        {
            open.members += 1;
        }
        let others_wait = self.waiting.load(Ordering::SeqCst) > 0;
        let members = shared.group.map_or(0, |open| open.members);
        if !others_wait || members >= MAX_GROUP {
            self.settle(&mut shared);
        }
        // Nothing of a refused write is left in the group: it need not wait for it.
        let value = result?;
        // Left open for the writes that wait: one of them commits it.
        let (mut shared, _) = self
            .settled
            .wait_timeout_while(shared, GROUP_WAIT, |shared| {
                shared.group.is_some_and(|open| open.id == group)
            })
            .unwrap_or_else(PoisonError::into_inner);
        if shared.group.is_some_and(|open| open.id == group) {
            self.settle(&mut shared);
        }
        match shared.outcomes.iter().find(|(id, _)| *id == group) {
            Some((_, Ok(()))) => Ok(value),
            Some((_, Err(failure))) => Err(failure.error().into()),
            None => Err(Error::corrupt("the outcome of a commit was forgotten").into()),
        }
    }

    /// Ends the open group: commits it if it holds writes (rolls it back otherwise), keeps
    /// its outcome for its members and wakes them.
    fn settle(&self, shared: &mut Shared) {
        let Some(group) = shared.group.take() else {
            return;
        };
        let outcome = if group.members == 0 {
            shared
                .connection
                .execute_batch("ROLLBACK")
                .map_err(|error| CommitFailure::of(&error))
        } else {
            let committed = shared.connection.execute_batch("COMMIT").map_err(|error| {
                // A failed COMMIT may leave the transaction open: end it, losing the group.
                let _ = shared.connection.execute_batch("ROLLBACK");
                CommitFailure::of(&error)
            });
            if committed.is_ok() {
                self.commits.fetch_add(1, Ordering::SeqCst);
            }
            committed
        };
        record_outcome(shared, group.id, outcome);
        self.settled.notify_all();
    }

    /// How this store's own connection is set up, read back from SQLite; for diagnostics
    /// and for the tests that pin the settings [`Store::open`] makes.
    pub fn settings(&self) -> Result<ConnectionSettings> {
        let shared = self.lock();
        let connection = &shared.connection;
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
        let shared = self.lock();
        let mut statement = shared.connection.prepare("PRAGMA integrity_check")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding the lock leaves no half write behind (its savepoint is rolled
        // back as the panic unwinds), so the connection is still sound.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs `work` in a read transaction on `connection`.
fn read_in<T, E: From<Error>>(
    connection: &mut Connection,
    work: impl FnOnce(&Reader<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Deferred)
        .map_err(Error::from)?;
    let result = work(&Reader::new(&transaction));
    transaction.finish().map_err(Error::from)?;
    result
}

/// Read-only connections to the database file, beside the one that writes. In WAL mode a
/// read transaction sees the last commit and goes on while a write (and its `fsync`) runs:
/// a terminal's session check or a board read does not queue behind eight check-ins.
#[derive(Debug)]
struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// How many idle read connections are kept open; more are opened while more reads run at
/// once, and closed after.
const IDLE_READERS: usize = 4;

impl Readers {
    fn take(&self) -> Result<Connection> {
        if let Some(connection) = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
        {
            return Ok(connection);
        }
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        connection.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        Ok(connection)
    }

    fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(connection);
        }
    }
}

/// Keeps a group's outcome for its members, forgetting the oldest.
fn record_outcome(
    shared: &mut Shared,
    group: u64,
    outcome: std::result::Result<(), CommitFailure>,
) {
    shared.outcomes.push_back((group, outcome));
    while shared.outcomes.len() > OUTCOMES_KEPT {
        shared.outcomes.pop_front();
    }
}

/// How one write is undone if it fails or panics: the whole transaction when it opened the
/// group, its savepoint when it joined one.
enum Undo<'c> {
    Transaction(&'c Connection),
    Savepoint(&'c Connection),
}

impl<'c> Undo<'c> {
    fn savepoint(connection: &'c Connection) -> Result<Self> {
        connection.execute_batch("SAVEPOINT member")?;
        Ok(Self::Savepoint(connection))
    }

    /// Keeps the write in the group.
    fn keep(self) -> Result<()> {
        let kept = match &self {
            Self::Savepoint(connection) => {
                connection.execute_batch("RELEASE member").inspect_err(|_| {
                    // Not kept after all: nothing of it may stay in the group.
                    let _ = connection.execute_batch("ROLLBACK TO member; RELEASE member");
                })
            }
            Self::Transaction(_) => Ok(()),
        };
        // Settled: no rollback when it goes.
        std::mem::forget(self);
        Ok(kept?)
    }

    fn undo(self) -> Result<()> {
        let undone = match &self {
            Self::Savepoint(connection) => {
                connection.execute_batch("ROLLBACK TO member; RELEASE member")
            }
            Self::Transaction(connection) => connection.execute_batch("ROLLBACK"),
        };
        std::mem::forget(self);
        Ok(undone?)
    }
}

impl Drop for Undo<'_> {
    /// A write that panicked is undone as the panic unwinds.
    fn drop(&mut self) {
        match self {
            Self::Savepoint(connection) => {
                let _ = connection.execute_batch("ROLLBACK TO member; RELEASE member");
            }
            Self::Transaction(connection) => {
                let _ = connection.execute_batch("ROLLBACK");
            }
        }
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
    /// The change this write records in the audit log: its entries share it.
    change: audit::Change,
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
