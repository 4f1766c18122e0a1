//! What a worker process has seen committed, appended one JSON line at a time after each
//! commit returned, so that the harness can check after a kill that none of it was lost.
//! A line is written with one `write` call: a kill leaves at most a torn last line, which
//! [`read`] skips.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One committed fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    /// A grant was created, with its doors, each saying whether it is one of its
    /// reservation's, when the worker knows them (an API client does not). The numbers come
    /// with the first encoded card; `check::sequence_owners` follows them.
    Grant {
        id: Uuid,
        reservation_key: String,
        entrances: Option<Vec<(Uuid, bool)>>,
    },
    /// A grant was deleted (checked out, or moved away from).
    Deleted { id: Uuid },
    /// A card was written and recorded for an access method.
    Card {
        op_id: Uuid,
        card_uid: String,
        access_method_id: Uuid,
    },
}

#[derive(Debug)]
pub struct Journal {
    file: File,
}

impl Journal {
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self { file })
    }

    pub fn record(&mut self, fact: &Fact) -> io::Result<()> {
        let mut line = serde_json::to_vec(fact).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }
}

/// Every complete line of the journal at `path` (none if it does not exist yet).
pub fn read(path: &Path) -> io::Result<Vec<Fact>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    Ok(text
        .split_inclusive('\n')
        .filter(|line| line.ends_with('\n'))
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}
