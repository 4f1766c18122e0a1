//! `frontdesk`: the front desk without its window. `frontdesk serve` answers the
//! Seam-compatible API on the loopback interface for a property-management system.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use api::{AppState, Clock};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use encoder::keys::KeyRing;
use encoder::simulator::SimulatedEncoder;
use encoder::supervisor::Source;
use frontdesk::{CardStation, Context, FrontDesk, PropertyRecord};
use store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "The hotel front desk's key system, headless."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Seam-compatible HTTP API (see README) until interrupted.
    Serve(Serve),
}

#[derive(Debug, clap::Args)]
struct Serve {
    /// The database file; created on first use.
    #[arg(long, value_name = "PATH")]
    db: PathBuf,

    /// A property file to import (or re-import, updating in place) at start, or `demo` for
    /// the built-in demo hotel. May be left out once the database holds a property.
    #[arg(long, value_name = "FILE|demo")]
    property: Option<String>,

    /// Where to listen. Port 0 picks a free port; the address is printed on start.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,

    /// Allow listening on an address other than loopback. The API issues door keys: only
    /// do this on a network you trust.
    #[arg(long)]
    allow_non_loopback: bool,

    /// A file holding the API key (it must start with `seam_`). Without it the key comes
    /// from the FRONTDESK_API_KEY environment variable.
    #[arg(long, value_name = "FILE")]
    api_key_file: Option<PathBuf>,

    /// Run the clock from this instant (RFC 3339) instead of now, for training and tests.
    #[arg(long, value_name = "INSTANT")]
    simulated_time: Option<DateTime<Utc>>,

    /// The card encoder: the simulated one (training, demos, tests), or a USB HID encoder.
    #[arg(long, value_enum, default_value = "simulated")]
    encoder: EncoderKind,

    /// The HID encoder's USB vendor id (with --encoder hid).
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_VENDOR_ID, value_parser = parse_hex_u16)]
    hid_vendor_id: u16,

    /// The HID encoder's USB product id (with --encoder hid).
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_PRODUCT_ID, value_parser = parse_hex_u16)]
    hid_product_id: u16,

    /// The property's card keys, kept outside the database and readable only by this
    /// user; created on first use. Default: beside the database, `<db>.card-keys.json`.
    #[arg(long, value_name = "FILE")]
    card_keys: Option<PathBuf>,

    /// Where the simulated encoder keeps its cards. Default: `<db>.simulated-encoder.json`.
    #[arg(long, value_name = "FILE")]
    simulated_encoder_file: Option<PathBuf>,

    /// How long to wait for a card to be placed on the encoder, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    card_wait_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EncoderKind {
    Simulated,
    Hid,
}

/// A USB id, in hex (`0x1209` or `1209`).
fn parse_hex_u16(text: &str) -> Result<u16, String> {
    let digits = text.trim_start_matches("0x").trim_start_matches("0X");
    u16::from_str_radix(digits, 16).map_err(|_| format!("{text:?} is not a 16-bit hex id"))
}

/// `<db>.<suffix>`, beside the database file.
fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    db.with_file_name(name)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(serve) => run_serve(serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frontdesk: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_serve(serve: Serve) -> Result<(), String> {
    if !serve.listen.ip().is_loopback() && !serve.allow_non_loopback {
        return Err(format!(
            "refusing to listen on {}: it is not a loopback address. Use 127.0.0.1, or pass \
             --allow-non-loopback to expose the API to the network on purpose.",
            serve.listen
        ));
    }
    let api_key = read_api_key(serve.api_key_file.as_deref())?;
    let clock = serve
        .simulated_time
        .map(Clock::starting_at)
        .transpose()?
        .unwrap_or_default();

    let store = Store::open(&serve.db)
        .map_err(|error| format!("cannot open the database {}: {error}", serve.db.display()))?;
    let desk = FrontDesk::new(store);
    let property = load_property(&desk, serve.property.as_deref(), clock.now())?;
    let station = card_station(&serve, property.id)?;
    let resolution = desk
        .resolve_pending_encodes(&Context::new("frontdesk serve", clock.now()), &station)
        .map_err(|error| error.to_wire().message)?;
    if !resolution.unresolved.is_empty() {
        eprintln!(
            "frontdesk: {} card encode(s) could not be checked with the encoder; they will be \
             before the next encode",
            resolution.unresolved.len()
        );
    }
    let state = AppState::new(Arc::new(desk), Arc::new(station), &api_key, clock)?;

    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| format!("cannot start the server runtime: {error}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(serve.listen)
            .await
            .map_err(|error| format!("cannot listen on {}: {error}", serve.listen))?;
        let address = listener
            .local_addr()
            .map_err(|error| format!("cannot read the listening address: {error}"))?;
        println!("frontdesk: listening on http://{address}");
        axum::serve(listener, api::router(state))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|error| format!("the server stopped: {error}"))
    })
}

fn card_station(serve: &Serve, property_id: uuid::Uuid) -> Result<CardStation, String> {
    let keys_path = serve
        .card_keys
        .clone()
        .unwrap_or_else(|| beside(&serve.db, ".card-keys.json"));
    let keys =
        KeyRing::load_or_create(&keys_path, property_id).map_err(|error| error.to_string())?;
    let source = match serve.encoder {
        EncoderKind::Hid => Source::Hid {
            vendor_id: serve.hid_vendor_id,
            product_id: serve.hid_product_id,
        },
        EncoderKind::Simulated => {
            let path = serve
                .simulated_encoder_file
                .clone()
                .unwrap_or_else(|| beside(&serve.db, ".simulated-encoder.json"));
            let simulator = SimulatedEncoder::open(&path).map_err(|error| {
                format!(
                    "cannot open the simulated encoder's file {}: {error}",
                    path.display()
                )
            })?;
            Source::Simulated(simulator)
        }
    };
    let mut station = CardStation::new(source, keys);
    station.set_card_timeout(Duration::from_secs(serve.card_wait_seconds));
    Ok(station)
}

fn read_api_key(file: Option<&Path>) -> Result<String, String> {
    let key = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read the API key file {}: {error}", path.display()))?
            .trim()
            .to_owned(),
        None => std::env::var("FRONTDESK_API_KEY").map_err(|_| {
            "no API key: pass --api-key-file FILE or set FRONTDESK_API_KEY".to_owned()
        })?,
    };
    api::check_api_key(&key)?;
    Ok(key)
}

/// Imports the property file (or the demo) if one is given, and returns the property.
fn load_property(
    desk: &FrontDesk,
    property: Option<&str>,
    now: DateTime<Utc>,
) -> Result<PropertyRecord, String> {
    let json = match property {
        None => {
            return match desk.property() {
                Ok(Some(property)) => Ok(property),
                Ok(None) => Err(
                    "the database holds no property yet: pass --property FILE or \
                                 --property demo"
                        .to_owned(),
                ),
                Err(error) => Err(error.to_wire().message),
            };
        }
        Some("demo") => engine::property::DEMO_PROPERTY_JSON.to_owned(),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read the property file {path}: {error}"))?,
    };
    desk.import_property(&Context::new("frontdesk serve", now), &json)
        .map_err(|error| {
            let wire = error.to_wire();
            let mut message = wire.message;
            for problem in wire.problems {
                message.push_str("\n  ");
                message.push_str(&problem);
            }
            message
        })
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
