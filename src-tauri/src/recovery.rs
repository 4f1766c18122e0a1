//! `--reset-pin`: the way back in for a sole manager who forgot their PIN, at the desk's own
//! computer. The new PIN is read from standard input; the desk may be running meanwhile.

use std::io::BufRead as _;
use std::path::Path;

use chrono::Utc;
use frontdesk::{Context, FrontDesk};

/// Gives `name` the PIN on standard input's first line; what was done, in words.
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
    let mut pin = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut pin)
        .map_err(|error| format!("cannot read the PIN from standard input: {error}"))?;
    desk.reset_operator_pin(&context, operator.id, pin.trim_end_matches(['\r', '\n']))
        .map_err(words)?;
    Ok(format!(
        "{} signs in with the new PIN from now on.",
        operator.name
    ))
}
