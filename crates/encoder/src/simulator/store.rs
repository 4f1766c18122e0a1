//! The file the simulated encoder keeps its cards and op log in, rewritten atomically.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::device::{OpRecord, SimulatedCard, State};
use crate::CardUid;
use crate::protocol::OpState;

const FILE_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    present: Option<String>,
    cards: Vec<SavedCard>,
    ops: Vec<SavedOp>,
}

#[derive(Serialize, Deserialize)]
struct SavedCard {
    uid: String,
    image: String,
    op_id: Option<String>,
    writes: u32,
}

#[derive(Serialize, Deserialize)]
struct SavedOp {
    op_id: String,
    state: OpState,
    uid: String,
    image_hash: String,
}

impl State {
    pub(super) fn persist(&mut self) -> io::Result<()> {
        let Some(path) = self.path.clone() else {
            self.dirty = false;
            return Ok(());
        };
        let saved = Saved {
            version: FILE_VERSION,
            present: self.present.as_ref().map(CardUid::to_hex),
            cards: self
                .cards
                .values()
                .map(|card| SavedCard {
                    uid: card.uid.to_hex(),
                    image: hex(&card.image),
                    op_id: card.op_id.as_ref().map(|op| hex(op)),
                    writes: card.writes,
                })
                .collect(),
            ops: self
                .ops
                .iter()
                .map(|(op_id, record)| SavedOp {
                    op_id: hex(op_id),
                    state: record.state,
                    uid: record.uid.to_hex(),
                    image_hash: hex(&record.image_hash),
                })
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&saved).map_err(io::Error::other)?;
        write_atomically(&path, &json)?;
        self.dirty = false;
        Ok(())
    }

    /// Persists after a change that is not a commit: a failure is kept for
    /// [`SimulatedEncoder::persist_error`] rather than failing the request.
    pub(super) fn persist_quietly(&mut self) {
        if !self.dirty {
            return;
        }
        if let Err(error) = self.persist() {
            self.persist_error = Some(error.to_string());
        }
    }

    pub(super) fn load(path: &Path) -> io::Result<State> {
        let mut state = State::new(Some(path.to_owned()));
        let text = match fs::read(path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                state.persist()?;
                return Ok(state);
            }
            Err(error) => return Err(error),
        };
        let invalid = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {what}", path.display()),
            )
        };
        let saved: Saved =
            serde_json::from_slice(&text).map_err(|error| invalid(&error.to_string()))?;
        if saved.version != FILE_VERSION {
            return Err(invalid("unknown file version"));
        }
        for card in saved.cards {
            let uid = CardUid::from_hex(&card.uid).ok_or_else(|| invalid("bad card UID"))?;
            let image = unhex(&card.image).ok_or_else(|| invalid("bad card image"))?;
            let op_id = match card.op_id {
                Some(text) => Some(unhex_array(&text).ok_or_else(|| invalid("bad op id"))?),
                None => None,
            };
            state.cards.insert(
                uid.clone(),
                SimulatedCard {
                    uid,
                    image,
                    op_id,
                    writes: card.writes,
                },
            );
        }
        for op in saved.ops {
            let op_id = unhex_array(&op.op_id).ok_or_else(|| invalid("bad op id"))?;
            let uid = CardUid::from_hex(&op.uid).ok_or_else(|| invalid("bad op UID"))?;
            let image_hash = unhex_array(&op.image_hash).ok_or_else(|| invalid("bad op hash"))?;
            // A write open when the process stopped never committed: as after a power loss.
            let state_now = match op.state {
                OpState::Pending => OpState::Failed,
                other => other,
            };
            state.ops.insert(
                op_id,
                OpRecord {
                    state: state_now,
                    uid,
                    image_hash,
                },
            );
        }
        state.present = match saved.present {
            Some(text) => {
                let uid = CardUid::from_hex(&text).ok_or_else(|| invalid("bad present UID"))?;
                state.cards.contains_key(&uid).then_some(uid)
            }
            None => None,
        };
        Ok(state)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

fn unhex_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    unhex(text)?.try_into().ok()
}

/// Writes `bytes` to `path` so that a reader (or a restarted process) sees either the old
/// file or the new one, never a torn one.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "encoder.json".to_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&temp, path)?;
    // Make the rename itself durable (best effort: not every platform can open a directory).
    if let Ok(dir) = fs::File::open(&dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(
            unhex(&hex(&[0, 1, 0xAB, 0xFF])),
            Some(vec![0, 1, 0xAB, 0xFF])
        );
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
