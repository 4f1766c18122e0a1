//! FIAS, the record protocol through which a hotel's PMS orders keys from its lock system.
//!
//! A link is one long-lived TCP connection; each record is framed `STX` … `ETX`
//! ([`framing`]) and reads as a type and fields ([`record`]) in the link's character set
//! ([`text`]). The link starts, is kept alive and ends by its own records ([`link`]); key
//! requests, deletes and changes ([`requests`]) are answered by one `KA` each.

pub mod endpoint;
pub mod framing;
pub mod link;
pub mod record;
pub mod requests;
pub mod simulator;
pub mod text;

pub use record::{FieldId, Record, RecordType};
