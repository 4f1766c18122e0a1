//! A card's hardware serial number.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The UID a card reports to the encoder: 4, 7 or 10 bytes (ISO 14443-3). Card keys are
/// derived from it, so an image copied to another card is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardUid(Vec<u8>);

/// The UID lengths ISO 14443-3 defines (single, double, triple size).
pub const UID_LENGTHS: [usize; 3] = [4, 7, 10];
/// The longest UID, and so the room a UID takes in frames and images.
pub const MAX_UID_LEN: usize = 10;

impl CardUid {
    pub fn new(bytes: &[u8]) -> Option<Self> {
        UID_LENGTHS
            .contains(&bytes.len())
            .then(|| Self(bytes.to_vec()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Upper-case hex, as printed on card readers and used as the simulated card's id.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02X}")).collect()
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        if !text.len().is_multiple_of(2) || !text.is_ascii() {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..text.len())
            .step_by(2)
            .map(|index| u8::from_str_radix(&text[index..index + 2], 16).ok())
            .collect();
        Self::new(&bytes?)
    }
}

impl fmt::Display for CardUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
