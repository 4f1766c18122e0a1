//! `frontdesk-desktop`: the front desk with its window (see `frontdesk-desktop --help`).

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use frontdesk_desktop::Options;

fn main() -> ExitCode {
    match frontdesk_desktop::run(Options::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frontdesk-desktop: {message}");
            ExitCode::FAILURE
        }
    }
}
