//! The IT person's tools on the server's database: pairing, listing and revoking terminals,
//! adding operators, and the codes the PMS names the encoders by. Each is one use case, run as the server's own work.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::Path;

use chrono::Utc;
use frontdesk::{Context, FrontDesk, Role, TerminalView};
use terminal::PairingCode;
use terminal::tls::{ServerIdentity, identity_file};

use crate::serve::TERMINALS_ADDRESS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    Manager,
    Receptionist,
}

/// Who the audit log shows for the tools.
pub(crate) fn context() -> Context {
    Context::new("frontdesk (server tools)", Utc::now())
}

/// The server's database; refused when there is none at `db`, so that a mistyped path does
/// not make an empty one.
pub(crate) fn open(db: &Path) -> Result<FrontDesk, String> {
    if !db.exists() {
        return Err(format!(
            "no database at {}: give the path `frontdesk serve --db` uses",
            db.display()
        ));
    }
    let in_use = frontdesk::setup::DatabaseInUse::claim(db).map_err(|error| words(&error))?;
    let store =
        store::Store::open(db).map_err(|error| frontdesk::Error::from(error).to_wire().message)?;
    Ok(FrontDesk::new(store).in_use(in_use))
}

/// Reads a password or a PIN (`what`, as the prompt names it): typed without echo at a
/// terminal, twice when `confirm`; else the first line of standard input.
pub(crate) fn read_secret(prompt: &str, confirm: bool) -> Result<String, String> {
    let what = if prompt.contains("PIN") {
        "PIN"
    } else {
        "password"
    };
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("{prompt}: "))
            .map_err(|error| format!("cannot read the {what}: {error}"))?;
        if confirm {
            let again = rpassword::prompt_password(format!("The same {what} again: "))
                .map_err(|error| format!("cannot read the {what}: {error}"))?;
            if again != first {
                return Err(format!("the two {what}s differ: nothing was changed"));
            }
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| format!("cannot read the {what} from standard input: {error}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub(crate) fn words(error: &frontdesk::Error) -> String {
    let wire = error.to_wire();
    match wire.field {
        Some(field) if !wire.message.contains(&field) => format!("{field}: {}", wire.message),
        _ => wire.message,
    }
}

pub fn pair(db: &Path, name: &str, address: Option<&str>) -> Result<(), String> {
    let desk = open(db)?;
    let address = match address {
        Some(address) => address.to_owned(),
        None => desk
            .setting(TERMINALS_ADDRESS)
            .map_err(|error| words(&error))?
            .ok_or(
                "the server has not listened for terminals yet: start `frontdesk serve \
                    --terminals-listen ADDR:PORT`, or give --address HOST:PORT",
            )?,
    };
    let reachable = address
        .parse::<std::net::SocketAddr>()
        .map_or(true, |socket| !socket.ip().is_unspecified());
    if !reachable {
        return Err(format!(
            "the server listens on {address}, which a terminal cannot dial: give the address \
             terminals reach it by, e.g. --address 192.168.1.10:{}",
            address.rsplit(':').next().unwrap_or("8788")
        ));
    }
    let identity =
        ServerIdentity::load_or_create(&identity_file(db)).map_err(|error| error.to_string())?;
    let pairing = desk
        .create_terminal_pairing(&context(), name)
        .map_err(|error| words(&error))?;
    let code = PairingCode {
        address,
        fingerprint: identity.fingerprint(),
        secret: pairing.secret,
    };
    println!(
        "Pair {} before {} with: {code}",
        pairing.terminal_name,
        pairing.expires_at.format("%H:%M UTC")
    );
    Ok(())
}

pub fn list(db: &Path) -> Result<(), String> {
    let desk = open(db)?;
    let terminals = desk.terminals(&context()).map_err(|error| words(&error))?;
    if terminals.is_empty() {
        println!("No terminal is paired.");
    }
    for terminal in terminals {
        println!("{}", line(&terminal));
    }
    Ok(())
}

fn line(terminal: &TerminalView) -> String {
    let when = |at: chrono::DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let status = match terminal.revoked_at {
        Some(at) => format!("revoked {}", when(at)),
        None => "paired".to_owned(),
    };
    let seen = terminal.last_seen_at.map_or_else(
        || "never connected".to_owned(),
        |at| format!("last seen {}", when(at)),
    );
    format!(
        "{}\t{}\t{status}, paired {}, {seen}",
        terminal.name,
        terminal.terminal_id,
        when(terminal.paired_at)
    )
}

pub fn revoke(db: &Path, which: &str) -> Result<(), String> {
    let desk = open(db)?;
    let context = context();
    let terminals = desk.terminals(&context).map_err(|error| words(&error))?;
    let found = terminals
        .iter()
        .find(|terminal| terminal.terminal_id.to_string() == which.trim())
        .or_else(|| {
            terminals.iter().find(|terminal| {
                terminal.revoked_at.is_none() && terminal.name.eq_ignore_ascii_case(which.trim())
            })
        })
        .ok_or_else(|| format!("no paired terminal is named or numbered {which:?}"))?;
    let revoked = desk
        .revoke_terminal(&context, found.terminal_id)
        .map_err(|error| words(&error))?;
    println!("Revoked: {}", line(&revoked));
    Ok(())
}

pub fn add_operator(db: &Path, name: &str, role: RoleArg) -> Result<(), String> {
    let desk = open(db)?;
    let mut pin = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut pin)
        .map_err(|error| format!("cannot read the PIN from standard input: {error}"))?;
    let role = match role {
        RoleArg::Manager => Role::Manager,
        RoleArg::Receptionist => Role::Receptionist,
    };
    let operator = desk
        .add_operator(&context(), name, pin.trim(), role)
        .map_err(|error| words(&error))?;
    println!("Added {} ({}).", operator.name, role.as_str());
    Ok(())
}

/// The operators, with their roles and whether they may sign in.
pub fn list_operators(db: &Path) -> Result<(), String> {
    let desk = open(db)?;
    let operators = desk
        .operators_by(&context())
        .map_err(|error| words(&error))?;
    for operator in operators {
        let state = match operator.disabled_at {
            Some(at) => format!("disabled since {}", at.format("%Y-%m-%d")),
            None => "can sign in".to_owned(),
        };
        println!("{}\t{}\t{state}", operator.name, operator.role.as_str());
    }
    Ok(())
}

/// A new PIN for an operator (typed twice at a terminal, or the first line of standard
/// input), which also lifts a lock-out after wrong PINs: the recovery for a sole manager who
/// forgot theirs. Safe while the server or a desk runs on the database.
pub fn reset_pin(db: &Path, name: &str) -> Result<(), String> {
    let desk = open(db)?;
    let operator = desk
        .operator_named(&context(), name)
        .map_err(|error| words(&error))?;
    let pin = read_secret(
        &format!("New PIN for {} (4 to 8 digits)", operator.name),
        true,
    )?;
    desk.reset_operator_pin(&context(), operator.id, &pin)
        .map_err(|error| words(&error))?;
    println!("{} signs in with the new PIN from now on.", operator.name);
    Ok(())
}

/// The property's encoders as the PMS link and the API know them: the server's own, then each
/// paired terminal's, with their ids and PMS codes.
fn property_encoders(desk: &FrontDesk) -> Result<Vec<(uuid::Uuid, String)>, String> {
    let mut encoders = vec![(
        api::desk_encoder_id(desk).map_err(|error| words(&error))?,
        "Desk encoder".to_owned(),
    )];
    for terminal in desk.terminals(&context()).map_err(|error| words(&error))? {
        if terminal.revoked_at.is_none() {
            let id = api::terminal_encoder_id(desk, terminal.terminal_id)
                .map_err(|error| words(&error))?;
            encoders.push((id, format!("{} encoder", terminal.name)));
        }
    }
    Ok(encoders)
}

pub fn encoders(db: &Path) -> Result<(), String> {
    let desk = open(db)?;
    for (id, name) in property_encoders(&desk)? {
        let code = desk
            .pms_encoder_code(id)
            .map_err(|error| words(&error))?
            .map_or_else(
                || "no PMS code".to_owned(),
                |code| format!("PMS code {code}"),
            );
        println!("{name}\t{id}\t{code}");
    }
    Ok(())
}

/// Sets the code a PMS names an encoder by (its `KC`), or clears it with `None`.
pub fn set_pms_code(db: &Path, which: &str, code: Option<&str>) -> Result<(), String> {
    let desk = open(db)?;
    let encoders = property_encoders(&desk)?;
    let wanted = which.trim();
    let (id, name) = encoders
        .iter()
        .find(|(id, name)| id.to_string() == wanted || name.eq_ignore_ascii_case(wanted))
        .cloned()
        .ok_or_else(|| {
            format!(
                "no encoder {wanted:?}: `frontdesk encoders list` names the property's encoders"
            )
        })?;
    let ids: Vec<uuid::Uuid> = encoders.iter().map(|(id, _)| *id).collect();
    desk.set_pms_encoder_code(&context(), id, code, &ids)
        .map_err(|error| words(&error))?;
    match code.map(str::trim).filter(|code| !code.is_empty()) {
        Some(code) => println!("{name}: the PMS names it {code}"),
        None => println!("{name}: no PMS code; the PMS names it by its place in the list"),
    }
    Ok(())
}
