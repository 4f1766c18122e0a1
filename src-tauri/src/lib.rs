//! The front desk's desktop app: a thin Tauri shell over the use cases in `frontdesk`.
//!
//! - [`desk`]: the managed state ([`Desk`]: the use cases and the card station), built from
//!   the command line ([`Options`]).
//! - [`commands`]: the commands the UI invokes; each is one line over a use case, its error
//!   mapped once to [`frontdesk::WireError`].
//! - [`bindings`]: the types the UI receives, exported to TypeScript.
//! - Events: [`ENCODER_STATE_EVENT`] carries every change of the encoder's state.

#[macro_use]
mod command_list;
pub mod bindings;
pub mod commands;
pub mod desk;

use encoder::supervisor::EncoderSupervisor;
use tauri::{Emitter, Manager};

pub use desk::{Desk, Options};

/// The managed state as commands take it. Always use this alias: a `tauri::State` of the
/// wrong type is a panic at run time, not a compile error.
pub type State<'a> = tauri::State<'a, Desk>;

/// The event that carries each change of the encoder's state ([`encoder::supervisor::EncoderState`]).
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

/// Opens the desk, then runs the window until it is closed.
pub fn run(options: Options) -> Result<(), String> {
    tauri::Builder::default()
        .setup(move |app| {
            let default_db = app.path().app_data_dir()?.join("frontdesk.db");
            let desk = Desk::open(&options, &default_db)?;
            let property = desk.property().map_err(|error| error.to_wire().message)?;
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                window.set_title(&window_title(&property.name))?;
            }
            forward_encoder_state(app.handle().clone(), desk.station.supervisor());
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

/// Sends the encoder's state, then every change of it, to the UI as [`ENCODER_STATE_EVENT`].
/// The thread ends when the supervisor stops.
fn forward_encoder_state(app: tauri::AppHandle, supervisor: &EncoderSupervisor) {
    let changes = supervisor.subscribe();
    let spawned = std::thread::Builder::new()
        .name("encoder-state-events".to_owned())
        .spawn(move || {
            for state in changes {
                tracing::info!(?state, "encoder");
                if let Err(error) = app.emit(ENCODER_STATE_EVENT, state) {
                    eprintln!("frontdesk-desktop: cannot send the encoder's state: {error}");
                }
            }
        });
    if let Err(error) = spawned {
        eprintln!("frontdesk-desktop: the encoder's state will not be shown live: {error}");
    }
}
