//! `frontdesk serve`: the property server. It owns the database, the card keys, the engine
//! and the encode journal; it answers the Seam-compatible API and, with
//! `--terminals-listen`, the property's terminals, and with `--fias-connect` or
//! `--fias-listen`, the PMS's key link (FIAS).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use api::{AppState, Clock, TerminalEncoder, TerminalEncoders};
use chrono::{DateTime, Utc};
use fias::endpoint::{FiasEndpoint, LinkEncoder};
use fias::text::Charset;
use frontdesk::Context;
use frontdesk::setup::{DeskFiles, EncoderChoice, WhenNoProperty, open_desk, parse_usb_id};
use terminal::server::TerminalEndpoint;
use terminal::tls::{ServerIdentity, identity_file};

/// The setting that remembers where the terminals reach the server, for the pairing tool.
pub const TERMINALS_ADDRESS: &str = "terminals.address";

#[derive(Debug, clap::Args)]
pub struct Serve {
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

    /// Allow listening on an address other than loopback (the API's and the terminals'). The
    /// API issues door keys: only do this on a network you trust.
    #[arg(long)]
    allow_non_loopback: bool,

    /// Serve the property's desktop terminals on this address, over TLS with the server's own
    /// certificate (made at first start, kept beside the database). Port 0 picks a free port.
    #[arg(long, value_name = "ADDR:PORT")]
    terminals_listen: Option<SocketAddr>,

    /// The PMS's key link (FIAS): connect to the PMS's interface at this address (OPERA's
    /// IFC8 is always the listening side), and again after a drop for as long as the server
    /// runs.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "fias_listen")]
    fias_connect: Option<String>,

    /// The PMS's key link (FIAS): listen for the PMS here, one at a time (a new connection
    /// replaces the one before it).
    #[arg(long, value_name = "ADDR:PORT")]
    fias_listen: Option<SocketAddr>,

    /// With --fias-listen: take the PMS's connection only from this address (repeat for
    /// several). FIAS has no password: whoever connects may order keys.
    #[arg(long, value_name = "IP", requires = "fias_listen")]
    fias_allow_from: Vec<std::net::IpAddr>,

    /// The character set of the PMS's records: latin1 (Windows' Latin-1, the default),
    /// utf-8, or any label of the WHATWG Encoding Standard (iso-8859-2, windows-1250…).
    #[arg(long, value_name = "LABEL", default_value = "latin1", value_parser = parse_charset)]
    fias_encoding: Charset,

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
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_VENDOR_ID, value_parser = parse_usb_id)]
    hid_vendor_id: u16,

    /// The HID encoder's USB product id (with --encoder hid).
    #[arg(long, value_name = "ID", default_value_t = encoder::link::DEFAULT_PRODUCT_ID, value_parser = parse_usb_id)]
    hid_product_id: u16,

    /// The HID encoder's USB serial number, where the server's computer has several encoders
    /// of the same ids (with --encoder hid). Without it, the first one found is used.
    #[arg(long, value_name = "SERIAL")]
    hid_serial: Option<String>,

    /// The property's card keys, kept outside the database and readable only by this
    /// user; created on first use. Default: beside the database, `<db>.card-keys.json`.
    #[arg(long, value_name = "FILE")]
    card_keys: Option<PathBuf>,

    /// Where the simulated encoder keeps its cards. Default: `<db>.simulated-encoder.json`.
    #[arg(long, value_name = "FILE")]
    simulated_encoder_file: Option<PathBuf>,

    /// How long an encode or a scan waits for a card to be placed on the encoder, in
    /// seconds. Keep it below the 10 s a Seam SDK waits for an action attempt, or a caller
    /// with the SDK's default wait gets a timeout instead of the encode's outcome.
    #[arg(long, value_name = "SECONDS", default_value_t = frontdesk::CARD_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=600))]
    card_wait_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EncoderKind {
    Simulated,
    Hid,
}

pub fn run(serve: Serve) -> Result<(), String> {
    let addresses = std::iter::once(serve.listen)
        .chain(serve.terminals_listen)
        .chain(serve.fias_listen);
    for address in addresses {
        if !address.ip().is_loopback() && !serve.allow_non_loopback {
            return Err(format!(
                "refusing to listen on {address}: it is not a loopback address. Use 127.0.0.1, \
                 or pass --allow-non-loopback to expose the server to the network on purpose."
            ));
        }
    }
    // The desk runs without its log rather than not at all.
    let _log = frontdesk::log_to_folder(&frontdesk::log_folder(&serve.db), "frontdesk-server")
        .inspect_err(|error| eprintln!("frontdesk: no log file: {}", error.to_wire().message))
        .ok();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        db = %serve.db.display(),
        "starting"
    );
    let api_key = read_api_key(serve.api_key_file.as_deref())?;
    if serve.hid_serial.is_some() && serve.encoder != EncoderKind::Hid {
        return Err("--hid-serial names a USB encoder: give it with --encoder hid".to_owned());
    }
    let clock = serve
        .simulated_time
        .map(Clock::starting_at)
        .transpose()?
        .unwrap_or_default();

    let files = DeskFiles {
        db: serve.db.clone(),
        property: serve.property.clone(),
        when_no_property: WhenNoProperty::Require,
        encoder: match serve.encoder {
            EncoderKind::Simulated => EncoderChoice::Simulated,
            EncoderKind::Hid => EncoderChoice::Hid {
                vendor_id: serve.hid_vendor_id,
                product_id: serve.hid_product_id,
                serial: serve.hid_serial.clone(),
            },
        },
        encoder_identity: None,
        card_keys: serve.card_keys.clone(),
        simulated_encoder_file: serve.simulated_encoder_file.clone(),
    };
    let mut opened =
        open_desk(&files, &Context::new("frontdesk serve", clock.now())).map_err(|error| {
            tracing::error!(code = %error.to_wire().error_type, "the desk did not open");
            error.to_wire().message_with_problems()
        })?;
    if !opened.resolution.unresolved.is_empty() {
        eprintln!(
            "frontdesk: {} card encode(s) could not be checked with the encoder; they will be \
             before the next encode",
            opened.resolution.unresolved.len()
        );
    }
    opened
        .station
        .set_card_timeout(Duration::from_secs(serve.card_wait_seconds));
    let keys = opened.station.keys().clone();
    let desk = Arc::new(opened.desk);
    if let Err(error) = frontdesk::backup::keep_backing_up(
        &desk,
        serve.db.clone(),
        keys.clone(),
        "scheduled backup",
        move || clock.now(),
    ) {
        eprintln!("frontdesk: scheduled backups will not run: {error}");
    }
    let terminals = match serve.terminals_listen {
        Some(_) => {
            let identity = ServerIdentity::load_or_create(&identity_file(&serve.db))
                .map_err(|error| error.to_wire().message)?;
            let endpoint = TerminalEndpoint::new(
                desk.clone(),
                keys,
                Duration::from_secs(serve.card_wait_seconds),
                &identity,
            )
            .map_err(|error| error.to_wire().message)?;
            endpoint.set_clock(Arc::new(move || clock.now()));
            Some((identity, endpoint))
        }
        None => None,
    };

    let mut state = AppState::new(desk.clone(), Arc::new(opened.station), &api_key, clock)?;
    let charset = serve.fias_encoding;
    if let Some((_, endpoint)) = &terminals {
        let endpoint = endpoint.clone();
        state = state.with_terminal_encoders(TerminalEncoders(Arc::new(move || {
            endpoint
                .stations()
                .into_iter()
                .map(|lent| TerminalEncoder {
                    terminal_id: lent.terminal_id,
                    terminal_name: lent.terminal_name.clone(),
                    station: lent.station.clone(),
                })
                .collect()
        })));
    }

    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| format!("cannot start the server runtime: {error}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(serve.listen)
            .await
            .map_err(|error| format!("cannot listen on {}: {error}", serve.listen))?;
        let address = listener
            .local_addr()
            .map_err(|error| format!("cannot read the listening address: {error}"))?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        if let (Some(listen), Some((identity, endpoint))) = (serve.terminals_listen, terminals) {
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|error| format!("cannot listen for terminals on {listen}: {error}"))?;
            let address = listener
                .local_addr()
                .map_err(|error| format!("cannot read the terminals' address: {error}"))?;
            desk.set_setting(
                &Context::new("frontdesk serve", Utc::now()),
                TERMINALS_ADDRESS,
                &address.to_string(),
            )
            .map_err(|error| error.to_wire().message)?;
            println!(
                "frontdesk: terminals connect to {address} (certificate {})",
                identity.fingerprint()
            );
            tracing::info!(%address, "listening for terminals");
            let mut stopped = stopped.clone();
            tokio::spawn(endpoint.serve(listener, async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }));
        }
        if serve.fias_connect.is_some() || serve.fias_listen.is_some() {
            let listed = state.clone();
            let listing = desk.clone();
            let encoders = Arc::new(move || {
                api::listed_encoders(&listed)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|encoder| LinkEncoder {
                        pms_code: listing.pms_encoder_code(encoder.id).ok().flatten(),
                        id: encoder.id,
                        name: encoder.display_name,
                        station: encoder.station,
                    })
                    .collect()
            });
            let endpoint = FiasEndpoint::new(desk.clone(), encoders, charset);
            endpoint.allow_only(serve.fias_allow_from.clone());
            let mut stopped = stopped.clone();
            let stop = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            if let Some(pms) = serve.fias_connect.clone() {
                println!("frontdesk: the PMS link connects to {pms}");
                tracing::info!(%pms, "the PMS link connects out");
                endpoint.report_to_desk("connect", &pms);
                tokio::spawn(endpoint.connect(pms, stop));
            } else if let Some(listen) = serve.fias_listen {
                let listener = tokio::net::TcpListener::bind(listen)
                    .await
                    .map_err(|error| format!("cannot listen for the PMS on {listen}: {error}"))?;
                let address = listener
                    .local_addr()
                    .map_err(|error| format!("cannot read the PMS link's address: {error}"))?;
                println!("frontdesk: the PMS link listens on {address}");
                tracing::info!(%address, "listening for the PMS");
                endpoint.report_to_desk("listen", &address.to_string());
                tokio::spawn(endpoint.listen(listener, stop));
            }
        }
        println!("frontdesk: listening on http://{address}");
        tracing::info!(%address, "listening");
        let served = axum::serve(listener, api::router(state))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|error| format!("the server stopped: {error}"));
        let _ = stop.send(true);
        served
    })
}

fn parse_charset(label: &str) -> Result<Charset, String> {
    Charset::from_label(label).ok_or_else(|| {
        format!("{label:?} is not a character set; use latin1, utf-8 or another WHATWG label")
    })
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
