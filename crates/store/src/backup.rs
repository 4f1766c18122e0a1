//! Copies of a database file made while it is in use, and what a copy carries besides the
//! data: a manifest naming the property and holding its card keys, sealed.
//!
//! A copy is made with `VACUUM INTO` on a connection of its own: one read transaction, so it
//! is consistent and never waits for, nor stops, the desk or server writing meanwhile (the
//! database is in WAL mode).

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use uuid::Uuid;

use crate::{BUSY_TIMEOUT, Error, MIGRATIONS, Result, time};

/// What a backup carries besides the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupManifest {
    pub property_id: Uuid,
    pub property_name: String,
    /// The schema version of the copy.
    pub schema_version: usize,
    pub made_at: DateTime<Utc>,
    /// The version of the program that made it.
    pub made_by: String,
    /// How the backup password's key was derived, and with what salt.
    pub key_derivation: String,
    pub key_salt: Vec<u8>,
    /// The property's card keys, sealed to the backup password's key.
    pub sealed_card_keys: Vec<u8>,
}

/// The table a backup's manifest is kept in: in backups only, taken out on restore.
const MANIFEST_TABLE: &str = "frontdesk_backup_manifest";

/// The property of the database file at `db` (id and name);
/// `None` when it has none yet.
pub fn property_of_file(db: &Path) -> Result<Option<(Uuid, String)>> {
    let connection = open_existing(db)?;
    let row = connection
        .query_row("SELECT id, name FROM property", [], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .optional()?;
    row.map(|(id, name)| {
        Uuid::parse_str(&id)
            .map(|id| (id, name))
            .map_err(|_| Error::corrupt(format!("the property id {id:?} is not a UUID")))
    })
    .transpose()
}

/// Whether anyone was ever given a sign-in at the database `db`: a desk that has none is
/// still a new one (its demo hotel replaceable by a restore).
pub fn has_operators(db: &Path) -> Result<bool> {
    let connection = open_existing(db)?;
    Ok(
        connection.query_row("SELECT EXISTS (SELECT 1 FROM operators)", [], |row| {
            row.get(0)
        })?,
    )
}

/// Writes a consistent copy of the database at `db` into the new file `to`, with `manifest`
/// (its schema version is the copy's own). Safe while other processes write to `db`: the
/// copy is one read transaction.
pub fn copy_for_backup(db: &Path, to: &Path, manifest: &BackupManifest) -> Result<()> {
    let source = open_existing(db)?;
    let target = to
        .to_str()
        .ok_or_else(|| Error::corrupt(format!("the path {} is not UTF-8", to.display())))?;
    source.execute("VACUUM INTO ?1", [target])?;
    drop(source);
    let copy = open_existing(to)?;
    copy.execute_batch(&format!(
        "CREATE TABLE {MANIFEST_TABLE} (
             singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
             property_id      TEXT NOT NULL,
             property_name    TEXT NOT NULL,
             made_at          TEXT NOT NULL,
             made_by          TEXT NOT NULL,
             key_derivation   TEXT NOT NULL,
             key_salt         BLOB NOT NULL,
             sealed_card_keys BLOB NOT NULL
         )"
    ))?;
    copy.execute(
        &format!(
            "INSERT INTO {MANIFEST_TABLE} (singleton, property_id, property_name, made_at, \
             made_by, key_derivation, key_salt, sealed_card_keys) \
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ),
        params![
            manifest.property_id.to_string(),
            manifest.property_name,
            time::to_text(manifest.made_at),
            manifest.made_by,
            manifest.key_derivation,
            manifest.key_salt,
            manifest.sealed_card_keys,
        ],
    )?;
    Ok(())
}

/// The manifest of the backup `file`; `None` when the file is a database without one (not a
/// backup).
pub fn backup_manifest(file: &Path) -> Result<Option<BackupManifest>> {
    let connection = open_existing(file)?;
    let has_manifest: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1)",
        [MANIFEST_TABLE],
        |row| row.get(0),
    )?;
    if !has_manifest {
        return Ok(None);
    }
    let schema_version: i64 =
        connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let row = connection
        .query_row(
            &format!(
                "SELECT property_id, property_name, made_at, made_by, key_derivation, key_salt, \
                 sealed_card_keys FROM {MANIFEST_TABLE}"
            ),
            [],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Vec<u8>>(5)?,
                    row.get::<_, Vec<u8>>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((
        property_id,
        property_name,
        made_at,
        made_by,
        key_derivation,
        key_salt,
        sealed_card_keys,
    )) = row
    else {
        return Err(Error::corrupt("the backup's manifest is empty"));
    };
    Ok(Some(BackupManifest {
        property_id: Uuid::parse_str(&property_id)
            .map_err(|_| Error::corrupt("the backup's property id is not a UUID"))?,
        property_name,
        schema_version: usize::try_from(schema_version).unwrap_or(usize::MAX),
        made_at: time::from_text(&made_at)?,
        made_by,
        key_derivation,
        key_salt,
        sealed_card_keys,
    }))
}

/// Takes the manifest out of `file`, a working copy of a backup being restored, so that it
/// becomes a plain database again.
pub fn strip_backup_manifest(file: &Path) -> Result<()> {
    let connection = open_existing(file)?;
    connection.execute_batch(&format!("DROP TABLE IF EXISTS {MANIFEST_TABLE}"))?;
    Ok(())
}

/// SQLite's consistency check of the file at `path`; `["ok"]` when it is sound.
pub fn file_integrity(path: &Path) -> Result<Vec<String>> {
    let connection = open_existing(path)?;
    let mut statement = connection.prepare("PRAGMA integrity_check")?;
    let rows = statement.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether this version reads a database of `schema_version`.
pub fn schema_supported(schema_version: usize) -> bool {
    schema_version <= MIGRATIONS.len()
}

/// Moves every commit still in the WAL of the database at `db` into the file itself (after
/// a crash the WAL may hold committed transactions), so that the file alone is complete.
pub fn checkpoint_file(db: &Path) -> Result<()> {
    let connection = open_existing(db)?;
    let busy: i64 =
        connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
    if busy != 0 {
        return Err(Error::corrupt(format!(
            "{} is in use: its last changes could not be moved into the file",
            db.display()
        )));
    }
    Ok(())
}

/// A connection to an existing database file, never creating one. Read-write where the file
/// allows it (a database in WAL mode needs that to be read when no other connection is
/// open), read-only on write-protected media; this module only reads through it unless said.
fn open_existing(path: &Path) -> Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    Ok(connection)
}

/// Switches the closed database `file` from WAL back to a rollback journal, so that it is one
/// self-contained file that reads even from write-protected media.
pub fn leave_wal(file: &Path) -> Result<()> {
    let connection = open_existing(file)?;
    connection.pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()))?;
    Ok(())
}
