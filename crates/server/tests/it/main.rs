//! The `frontdesk` command's tests, in one binary.

mod backups;
mod cli;
mod pms_link;
mod tools;
