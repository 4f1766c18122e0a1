/// What can go wrong below the use cases.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "this database was written by a newer version of the front desk (schema {found}; this \
         version knows up to {supported}); install the newer version or open another database"
    )]
    TooNew { found: usize, supported: usize },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database schema migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A stored value that this version cannot read back: a damaged or hand-edited file.
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }

    /// The database is locked by another writer beyond the busy timeout: worth telling a
    /// person apart from a bug.
    pub fn is_busy(&self) -> bool {
        matches!(self, Self::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy || e.code == rusqlite::ErrorCode::DatabaseLocked)
    }

    /// The database file, or the disk it is on, cannot be written.
    pub fn is_read_only(&self) -> bool {
        matches!(self, Self::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ReadOnly)
    }

    /// The disk holding the database is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, Self::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DiskFull)
    }
}
