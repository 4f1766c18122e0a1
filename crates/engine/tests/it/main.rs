//! The engine's tests, in one binary: the guide's rules, the lock model, the property file
//! and warnings.

mod lock;
mod property;
mod rules;
mod spares;
mod warnings;
