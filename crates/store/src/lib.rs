//! SQLite storage for the front desk.
//!
//! One database file holds the property, the people, every access grant and access method
//! ever made, the reservations with their override sequences, the warnings and the audit log.
//! A use case runs as one transaction: [`Store::write`] commits all it did or nothing.

mod audit;
mod catalog;
mod error;
mod grants;
mod records;
mod time;

use std::ops::Deref;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

pub use audit::{AuditEntry, AuditFilter, AuditOutcome, NewAuditEntry};
pub use catalog::{ImportPlan, NewUserIdentity};
pub use error::{Error, Result};
pub use grants::{
    DoorWarningRow, GrantFilter, MethodFilter, NewAccessMethod, NewGrant, NewGrantEntrance,
};
pub use records::{
    AccessGrantRecord, AccessMethodRecord, AccessSystemRecord, EntranceRecord, PropertyRecord,
    SpaceRecord, StoredWarning, UserIdentityRecord,
};

/// The schema, oldest first. Released migrations never change; add a new one instead.
const MIGRATIONS: &[M<'static>] = &[M::up(include_str!("migrations/001_initial.sql"))];

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
        // WAL lets readers work during a write; FULL makes a commit survive power loss
        // (with NORMAL a committed transaction can roll back).
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;

        let found: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let found = usize::try_from(found).unwrap_or(usize::MAX);
        if found > MIGRATIONS.len() {
            return Err(Error::TooNew {
                found,
                supported: MIGRATIONS.len(),
            });
        }
        Migrations::from_slice(MIGRATIONS).to_latest(&mut connection)?;
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
        let result = work(&Reader {
            connection: &transaction,
        });
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
            reader: Reader {
                connection: &transaction,
            },
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

/// Read access inside a transaction.
#[derive(Debug)]
pub struct Reader<'c> {
    connection: &'c Connection,
}

/// Write access inside a transaction; reads see the transaction's own writes.
#[derive(Debug)]
pub struct Writer<'c> {
    reader: Reader<'c>,
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
