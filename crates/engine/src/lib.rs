//! The reservation engine: the guide's rules, the warnings they imply and what offline locks
//! do with cards. Pure: no I/O and no clock; every function takes the time it needs.

pub mod error;
pub mod lock;
pub mod model;
pub mod property;
pub mod rules;
pub mod spares;
pub mod staff;
pub mod warnings;

pub use error::RuleError;
