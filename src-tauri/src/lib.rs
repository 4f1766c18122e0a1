//! The front desk's desktop app: a thin Tauri shell over the use cases in `frontdesk`.
//!
//! - [`desk`]: the managed state ([`Desk`]: a standalone desk with its own database and
//!   encoder, or a terminal of a property server), built from the command line ([`Options`]).
//! - [`commands`]: the commands the UI invokes; each is one line over a use case, its error
//!   mapped once to [`frontdesk::WireError`].
//! - [`bindings`]: the types the UI receives, exported to TypeScript.
//! - Events: [`ENCODER_STATE_EVENT`] carries every change of an encoder's state,
//!   [`DESK_CHANGED_EVENT`] every change of the property, wherever it was made, and
//!   [`SERVER_CONNECTION_EVENT`] a terminal's link to its server coming and going.

#[macro_use]
mod command_list;
pub mod bindings;
pub mod commands;
pub mod desk;
pub mod pms_link;
mod recovery;
mod reports;
pub mod restore;

use tauri::{Emitter, Manager};

pub use desk::{Desk, DeskEvent, Options};

/// The managed state as commands take it. Always use this alias: a `tauri::State` of the
/// wrong type is a panic at run time, not a compile error.
pub type State<'a> = tauri::State<'a, Desk>;

/// The event that carries each change of an encoder's state ([`bindings::EncoderStateChange`]).
pub const ENCODER_STATE_EVENT: &str = "encoder-state";

macro_rules! command_names {
    ($($name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

macro_rules! handler {
    ($($name:ident),* $(,)?) => {
        tauri::generate_handler![$(commands::$name),*]
    };
}

/// Every command's name, as `build.rs` declares them (`command_list.rs`).
pub const COMMANDS: &[&str] = with_commands!(command_names);

/// The main window's label (see `tauri.conf.json`).
pub const MAIN_WINDOW: &str = "main";

/// The event that tells the window the property changed somewhere: it reads what it shows
/// again. Carries the change counter.
pub const DESK_CHANGED_EVENT: &str = "desk-changed";

/// The event that carries each change of a terminal's link to its server
/// ([`bindings::TerminalStatus`]).
pub const SERVER_CONNECTION_EVENT: &str = "server-connection";

/// `--reset-pin NAME`, before any window: a new PIN for an operator of this desk's database
/// (in the folder the window would use), typed twice at a terminal or read from standard
/// input; what was done, in words.
pub fn reset_pin(options: &Options, name: &str) -> Result<String, String> {
    Desk::reset_pin_in(options, &recovery::app_data_dir()?, name)
}

/// Opens the desk, then runs the window until it is closed.
pub fn run(options: Options) -> Result<(), String> {
    tauri::Builder::default()
        .setup(move |app| {
            let data = app.path().app_data_dir()?;
            let desk = match Desk::open_in(&options, &data, notifier(app.handle().clone())) {
                Ok(desk) => desk,
                Err(message) => {
                    // Said in words and ended here: an error from the setup hook would make
                    // tauri panic with a backtrace.
                    eprintln!("frontdesk-desktop: {message}");
                    std::process::exit(1);
                }
            };
            let info = desk.app_info().map_err(|error| error.to_wire().message)?;
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                let name = match &info.terminal {
                    Some(terminal) if info.property_name.is_empty() => &terminal.terminal_name,
                    _ => &info.property_name,
                };
                window.set_title(&window_title(name))?;
            }
            app.manage(desk);
            Ok(())
        })
        .invoke_handler(with_commands!(handler))
        .run(tauri::generate_context!())
        .map_err(|error| error.to_string())
}

/// "Front desk — Harbor View Hotel".
pub fn window_title(property_name: &str) -> String {
    format!("Front desk — {property_name}")
}

/// Sends the desk's events to the window.
fn notifier(app: tauri::AppHandle) -> desk::Notify {
    std::sync::Arc::new(move |event| {
        let sent = match event {
            DeskEvent::Changed(version) => app.emit(DESK_CHANGED_EVENT, version),
            DeskEvent::EncoderState(change) => app.emit(ENCODER_STATE_EVENT, change),
            DeskEvent::Connection(status) => {
                if !status.property_name.is_empty()
                    && let Some(window) = app.get_webview_window(MAIN_WINDOW)
                {
                    let _ = window.set_title(&window_title(&status.property_name));
                }
                app.emit(SERVER_CONNECTION_EVENT, status)
            }
        };
        if let Err(error) = sent {
            eprintln!("frontdesk-desktop: cannot tell the window: {error}");
        }
    })
}
