//! A simulated desk encoder. It speaks the same 64-byte reports as the real one (see
//! [`crate::protocol`]), holds simulated cards, and fails on request in each way a real one
//! can ([`Fault`]), including an unplug in the middle of a write.
//!
//! [`SimulatedEncoder`] is a handle (cheap to clone; all clones share one device). Give
//! [`SimulatedEncoder::link`] to a [`crate::client::Encoder`]; the device runs inside the
//! link's `write`, so its replies are queued before `write` returns and a test is
//! deterministic.
//!
//! # Device behaviour
//!
//! - POLL answers the card on the encoder (UID and how many image bytes it holds). With
//!   auto-feed on (the default) and no card, a fresh blank card is placed first: it stands for
//!   the clerk taking the next blank from the stack.
//! - WRITE_BEGIN opens a write and logs its op id as pending. It answers BUSY if a write
//!   with another op id is open, NO_CARD without a card, CARD_CHANGED if the card on the
//!   encoder is not the UID given. The same op id again restarts the open write. An op id
//!   that was already **written** answers OK with "already written" when UID and hash match
//!   (nothing is sent or written again: the same op id never writes twice) and BAD_PARAM when
//!   they do not (the same op id with other contents is an error). An op id that failed may be
//!   written again.
//! - CHUNK fills the write buffer (the same chunk twice is harmless).
//! - COMMIT checks the buffer is complete and matches the hash (BAD_PARAM), that the card is
//!   the write's (NO_CARD / CARD_CHANGED), writes it, reads it back and verifies the hash
//!   (VERIFY), logs the op as written with the UID, and answers OK. Every COMMIT closes the
//!   write; one that fails leaves the card as it was and logs the op as failed. PROGRESS
//!   events come before the reply, and only when the WRITE_BEGIN asked for them.
//! - GET_OP_RESULT answers from the op log: pending (open now), written (+ UID), failed, or
//!   unknown. ABORT closes the open write (failed); with none open it is a no-op.
//! - READ returns the card's image bytes; EJECT takes the card off the encoder.
//! - Unplugging resets the device: the open write is lost (logged failed), queued reports are
//!   dropped, and every link opened before answers [`LinkError::Disconnected`] for good; after
//!   [`SimulatedEncoder::plug`], open a new link.
//!
//! # Persistence
//!
//! [`SimulatedEncoder::open`] keeps the cards, which card is on the encoder, and the op log
//! in a JSON file, rewritten atomically (temporary file, fsync, rename) after every change,
//! so they survive a killed process. An op still pending when the file is opened again is
//! logged failed, as after a power loss. Faults, auto-feed and the report delay are not kept.
//!
//! [`LinkError::Disconnected`]: crate::link::LinkError::Disconnected

mod device;
mod handle;
mod store;

pub use device::{Fault, SIM_MAX_IMAGE_LEN, SIM_SERIAL, SimulatedCard, UnplugAt};
pub use handle::{SimulatedEncoder, SimulatedLink};
