//! The desktop shell's tests, in one binary: the shell without a window, and the tidy checks
//! that keep its lists of commands in step.
#![allow(clippy::unwrap_used)]

mod desktop;
mod tidy;
