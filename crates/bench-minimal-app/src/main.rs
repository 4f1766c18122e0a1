//! `bench-minimal-app`: the least a Tauri 2 app can be (one window, one static page, no
//! commands), built with the same tauri features and profile as `frontdesk-desktop`, so that
//! the benchmark can tell what the front desk adds to start-up time and memory.

// No console window on Windows release builds, as for frontdesk-desktop.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    match tauri::Builder::default().run(tauri::generate_context!()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-minimal-app: {error}");
            ExitCode::FAILURE
        }
    }
}
