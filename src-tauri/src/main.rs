//! `frontdesk-desktop`: the front desk with its window (see `frontdesk-desktop --help`).

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use frontdesk_desktop::Options;

fn main() -> ExitCode {
    let options = Options::parse();
    if let Some(name) = &options.reset_pin {
        return match frontdesk_desktop::reset_pin(&options, name) {
            Ok(done) => {
                println!("frontdesk-desktop: {done}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("frontdesk-desktop: {message}");
                ExitCode::FAILURE
            }
        };
    }
    match frontdesk_desktop::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frontdesk-desktop: {message}");
            ExitCode::FAILURE
        }
    }
}
