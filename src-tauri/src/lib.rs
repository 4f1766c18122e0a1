//! The front desk's desktop app: a thin Tauri shell over the use cases in `frontdesk`.
//!
//! - [`desk`]: the managed state ([`Desk`]: the use cases and the card station), built from
//!   the command line ([`Options`]).
//! - [`commands`]: the commands the UI invokes; each is one line over a use case, its error
//!   mapped once to [`frontdesk::WireError`].
//! - [`bindings`]: the types the UI receives, exported to TypeScript.
//! - Events: [`ENCODER_STATE_EVENT`] carries every change of the encoder's state.

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
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::operators_exist,
            commands::create_first_manager,
            commands::sign_in,
            commands::sign_out,
            commands::list_operators,
            commands::create_operator,
            commands::room_board,
            commands::timeline,
            commands::find_stays,
            commands::stay,
            commands::past_stay,
            commands::check_in_options,
            commands::check_in,
            commands::encode_cards,
            commands::add_guest,
            commands::duplicate_card,
            commands::move_stay,
            commands::change_dates,
            commands::reissue_stay,
            commands::remake_cards,
            commands::predict,
            commands::check_out,
            commands::mark_collected,
            commands::report_card_lost,
            commands::encode_cancel_card,
            commands::card_collected,
            commands::card_lost,
            commands::room_cards_out,
            commands::read_card,
            commands::warnings,
            commands::audit_log,
            commands::staff_access,
            commands::issue_staff_access,
            commands::staff_door_choices,
            commands::update_staff_access,
            commands::revoke_staff_access,
            commands::delete_staff_access,
            commands::report_staff_card_lost,
            commands::entrances,
            commands::simulator_cards,
            commands::plug_simulated_encoder,
            commands::present_card,
            commands::api_status,
            commands::set_api_enabled
        ])
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
                if let Err(error) = app.emit(ENCODER_STATE_EVENT, state) {
                    eprintln!("frontdesk-desktop: cannot send the encoder's state: {error}");
                }
            }
        });
    if let Err(error) = spawned {
        eprintln!("frontdesk-desktop: the encoder's state will not be shown live: {error}");
    }
}
