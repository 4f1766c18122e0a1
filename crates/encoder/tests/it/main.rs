//! The encoder's tests, in one binary: the card image and keys, the report protocol, the
//! client against the simulated encoder, and the supervisor.

mod card;
mod protocol;
mod simulator;
mod supervisor;
