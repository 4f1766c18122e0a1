//! The front desk's tests, in one binary: the use cases on a real SQLite database, with cards
//! written on the simulated encoder and presented at the simulated locks.

mod access_methods;
mod backup;
mod card_accounting;
mod card_accounting_properties;
mod cards;
mod encode_batch;
mod one_shot_and_lock_out;
mod open_ended;
mod operators;
mod predictions;
mod properties;
mod property_import;
mod regressions;
mod seed;
mod sequences;
mod setup;
mod spares;
mod staff;
mod staff_levels;
mod stays;
mod support;
mod terminals;
mod timeline;
