//! Cards: encoding them exactly once, reading them back, and presenting them at the
//! simulated doors.
//!
//! Exactly once (`docs/cards.md`): the intent (op id, access method, image) is committed
//! before the encoder touches the card; the card is written tagged with the op id; "written"
//! is committed after. An encode whose outcome was lost (the encoder stopped answering, was
//! unplugged, or the app was killed) stays pending until
//! [`crate::FrontDesk::resolve_pending_encodes`] asks the encoder what became of it, which
//! every encode does first.

mod cancel;
mod door_log;
mod encode;
mod lock_out;
mod plan;
mod present;
mod privacy;
mod read;
mod resolve;
mod spare;
mod station;

pub use door_log::{DOOR_LOG_LIMIT, DoorLogEntry};
pub use encode::{EncodeEvent, EncodedCard};
pub use present::LockDecision;
pub use privacy::DoorPrivacy;
pub use read::{CardContent, CardReport, DoorVerdict};
pub use resolve::Resolution;
pub use station::{CARD_TIMEOUT, CardStation};
