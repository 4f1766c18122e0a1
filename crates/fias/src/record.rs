//! One FIAS record as text: a two-letter record type, `|`, then fields, each a two-character
//! id immediately followed by its value and `|` (`KR|RN101|KTN|G#4711|`). Field order is
//! free, unknown fields are kept but mean nothing, empty fields are allowed.

use std::fmt;

/// A record type: two ASCII letters (`LS`, `KR`, `KA`…).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordType([u8; 2]);

impl RecordType {
    pub const LINK_START: Self = Self(*b"LS");
    pub const LINK_ALIVE: Self = Self(*b"LA");
    pub const LINK_END: Self = Self(*b"LE");
    pub const LINK_DESCRIPTION: Self = Self(*b"LD");
    pub const LINK_RECORD: Self = Self(*b"LR");
    pub const KEY_REQUEST: Self = Self(*b"KR");
    pub const KEY_DELETE: Self = Self(*b"KD");
    pub const KEY_CHANGE: Self = Self(*b"KM");
    pub const KEY_ANSWER: Self = Self(*b"KA");

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters (checked when made).
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field id: two printable ASCII characters (`RN`, `G#`, `$2`, `K#`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldId([u8; 2]);

impl FieldId {
    pub const DATE: Self = Self(*b"DA");
    pub const TIME: Self = Self(*b"TI");
    pub const VERSION: Self = Self(*b"V#");
    pub const INTERFACE_FAMILY: Self = Self(*b"IF");
    pub const RECORD_ID: Self = Self(*b"RI");
    pub const FIELD_LIST: Self = Self(*b"FL");
    pub const KEY_CODER: Self = Self(*b"KC");
    pub const KEY_TYPE: Self = Self(*b"KT");
    pub const KEY_COUNT: Self = Self(*b"K#");
    pub const ROOM: Self = Self(*b"RN");
    pub const OLD_ROOM: Self = Self(*b"RO");
    pub const SUITE_INFO: Self = Self(*b"SI");
    pub const WORKSTATION: Self = Self(*b"WS");
    pub const ARRIVAL: Self = Self(*b"GA");
    pub const DEPARTURE: Self = Self(*b"GD");
    pub const DEPARTURE_TIME: Self = Self(*b"DT");
    pub const GUEST_NAME: Self = Self(*b"GN");
    pub const RESERVATION: Self = Self(*b"G#");
    pub const KEY_OPTIONS: Self = Self(*b"KO");
    pub const ANSWER_STATUS: Self = Self(*b"AS");
    pub const CLEAR_TEXT: Self = Self(*b"CT");
    pub const TRACK_2: Self = Self(*b"$2");

    /// A field id from its two characters; `None` unless both are printable ASCII other than
    /// `|`.
    pub fn new(id: &str) -> Option<Self> {
        match id.as_bytes() {
            &[a, b] if [a, b].iter().all(|c| c.is_ascii_graphic() && *c != b'|') => {
                Some(Self([a, b]))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record: its type and its fields in the order they came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    kind: RecordType,
    fields: Vec<(FieldId, String)>,
}

/// Why a record's text is not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("a record starts with a two-letter record type and `|`; this one starts with {0:?}")]
    RecordType(String),
}

impl Record {
    pub fn new(kind: RecordType) -> Self {
        Self {
            kind,
            fields: Vec::new(),
        }
    }

    /// Adds a field. Characters that would break the framing (`|` and control characters)
    /// become spaces: a field's value is never read as more fields.
    #[must_use]
    pub fn with(mut self, id: FieldId, value: impl AsRef<str>) -> Self {
        let value = value
            .as_ref()
            .chars()
            .map(|c| if c == '|' || c.is_control() { ' ' } else { c })
            .collect();
        self.fields.push((id, value));
        self
    }

    pub fn kind(&self) -> RecordType {
        self.kind
    }

    /// The first value of field `id`, if the record has it (possibly empty).
    pub fn get(&self, id: FieldId) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| *field == id)
            .map(|(_, value)| value.as_str())
    }

    /// The first value of field `id`, `None` when absent or empty.
    pub fn value(&self, id: FieldId) -> Option<&str> {
        self.get(id).filter(|value| !value.is_empty())
    }

    /// Reads a record's text (between the framing bytes). A piece between two `|` shorter
    /// than a field id is skipped, as an empty field is.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut pieces = text.split('|');
        let kind = pieces.next().unwrap_or_default();
        let kind = match kind.as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                RecordType([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
            }
            _ => {
                let start: String = text.chars().take(8).collect();
                return Err(ParseError::RecordType(start));
            }
        };
        let fields = pieces
            .filter_map(|piece| {
                let split = piece
                    .char_indices()
                    .nth(2)
                    .map_or(piece.len(), |(at, _)| at);
                let id = FieldId::new(&piece[..split])?;
                Some((id, piece[split..].to_owned()))
            })
            .collect();
        Ok(Self { kind, fields })
    }
}

impl fmt::Display for Record {
    /// The record's text, as it goes between the framing bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|", self.kind)?;
        for (id, value) in &self.fields {
            write!(f, "{id}{value}|")?;
        }
        Ok(())
    }
}
