//! The `frontdesk` command's tests, in one binary.

mod cli;
mod pms_link;
mod tools;
