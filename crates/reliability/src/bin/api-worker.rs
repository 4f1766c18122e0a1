//! The concurrency harness's server: the local API (`api::router`, as `frontdesk serve`
//! serves it) over the desk in a directory, with its own simulated encoder, on a free
//! loopback port that it prints as `listening on http://ADDR`. Several run on one database.
//!
//!     api-worker DIR NAME API_KEY

use std::process::ExitCode;
use std::sync::Arc;

use api::{AppState, Clock};
use chrono::Utc;
use reliability::desk::{self, DeskFiles};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, name, key] = args.as_slice() else {
        eprintln!("usage: api-worker DIR NAME API_KEY");
        return ExitCode::from(64);
    };
    match serve(&DeskFiles::new(dir), name, key) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("api-worker: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(files: &DeskFiles, name: &str, key: &str) -> Result<(), String> {
    // Logs as `frontdesk serve` does, so that the security harness can read its log.
    let _log = frontdesk::log_to_folder(&frontdesk::log_folder(&files.database()), name)
        .map_err(|error| error.to_wire().message)?;
    let opened = desk::open(files, name, Utc::now())?;
    let state = AppState::new(
        Arc::new(opened.desk),
        Arc::new(opened.station),
        key,
        Clock::default(),
    )?;
    let runtime = tokio::runtime::Runtime::new().map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|error| error.to_string())?;
        let address = listener.local_addr().map_err(|error| error.to_string())?;
        println!("listening on http://{address}");
        axum::serve(listener, api::router(state))
            .await
            .map_err(|error| error.to_string())
    })
}
