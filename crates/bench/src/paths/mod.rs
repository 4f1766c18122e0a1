//! One module per measured path; each builds its data, times the path and its baseline, and
//! checks that every run did what it should.

pub mod api;
pub mod board;
pub mod check_in;
pub mod create_grant;
pub mod encode;
pub mod fias;
pub mod terminals;
