//! Key cards and the desk encoder.
//!
//! - [`card`]: the card image, a fixed-size versioned layout with a MAC bound to the card's
//!   UID under keys derived from the property's master keys ([`keys`]).
//! - [`protocol`]: the encoder's 64-byte HID reports; pure encode and decode.
//! - [`link`]: where reports go: the hidapi device, or the simulated encoder.
//! - [`simulator`]: a simulated encoder that speaks the same reports, holds simulated cards
//!   and fails on request in every way a real one can.
//! - [`client`]: the encoder as the front desk uses it, over any link.
//! - [`supervisor`]: keeps the encoder connected across re-plugs and reports its state.

pub mod card;
pub mod client;
pub mod keys;
pub mod link;
pub mod protocol;
pub mod simulator;
pub mod supervisor;
mod uid;

pub use uid::{CardUid, MAX_UID_LEN, UID_LENGTHS};
