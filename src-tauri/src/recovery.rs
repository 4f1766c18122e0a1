//! `--reset-pin`: the way back in for a sole manager who forgot their PIN, at the desk's own
//! computer, before any window opens. The new PIN is typed twice at a terminal, or read from
//! standard input; the desk may be running meanwhile.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::{Path, PathBuf};

use chrono::Utc;
use frontdesk::{Context, FrontDesk};

/// The folder the window keeps its data in (Tauri's app data folder: the system's data folder
/// and the app's identifier), found without starting the window.
pub fn app_data_dir() -> Result<PathBuf, String> {
    let config: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json"))
        .map_err(|error| format!("the app's configuration cannot be read: {error}"))?;
    let identifier = config["identifier"]
        .as_str()
        .ok_or("the app's configuration has no identifier")?;
    let data = dirs::data_dir().ok_or("this computer has no data folder for the app")?;
    Ok(data.join(identifier))
}

/// Gives `name` a new PIN; what was done, in words.
pub fn reset_pin(db: &Path, name: &str) -> Result<String, String> {
    if !db.exists() {
        return Err(format!(
            "no database at {}: give the desk's --db, if it has one",
            db.display()
        ));
    }
    let words = |error: frontdesk::Error| error.to_wire().message;
    let in_use = frontdesk::setup::DatabaseInUse::claim(db).map_err(words)?;
    let store = store::Store::open(db).map_err(|error| words(error.into()))?;
    let desk = FrontDesk::new(store).in_use(in_use);
    let context = Context::new("frontdesk-desktop --reset-pin", Utc::now());
    let operator = desk.operator_named(&context, name).map_err(words)?;
    let pin = read_pin(&operator.name)?;
    desk.reset_operator_pin(&context, operator.id, &pin)
        .map_err(words)?;
    Ok(format!(
        "{} signs in with the new PIN from now on.",
        operator.name
    ))
}

/// The new PIN: typed twice without echo at a terminal, else the first line of standard input.
fn read_pin(name: &str) -> Result<String, String> {
    let unreadable = |error: std::io::Error| format!("cannot read the PIN: {error}");
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New PIN for {name} (4 to 8 digits): "))
            .map_err(unreadable)?;
        let again = rpassword::prompt_password("The same PIN again: ").map_err(unreadable)?;
        if again != first {
            return Err("the two PINs differ: nothing was changed".to_owned());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(unreadable)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
