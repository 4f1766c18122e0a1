//! `frontdesk`: the property server and the IT person's tools.
//!
//! - `frontdesk serve` answers the Seam-compatible API for a property-management system and,
//!   with `--terminals-listen`, the property's desktop terminals.
//! - `frontdesk terminals pair|list|revoke` pairs terminals and takes them away.
//! - `frontdesk operators add` adds an operator, reading the PIN from standard input.
//! - `frontdesk backup`, `frontdesk restore` and `frontdesk backup-password`: the database and
//!   its card keys, backed up while the server runs and restored while it does not.

mod backups;
mod serve;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "The hotel front desk's key system: the property server and its tools."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Seam-compatible HTTP API (and, with --terminals-listen, the property's
    /// terminals; with --fias-connect or --fias-listen, the PMS's key link) until interrupted.
    Serve(Box<serve::Serve>),
    /// Pair, list and revoke the property's front-desk terminals.
    #[command(subcommand)]
    Terminals(Terminals),
    /// Manage the people who sign in at the desks.
    #[command(subcommand)]
    Operators(Operators),
    /// The property's encoders, and the codes the PMS's key link names them by.
    #[command(subcommand)]
    Encoders(Encoders),
    /// Back the database and its card keys up into a new file, safe while the server or a
    /// desk runs on it. Needs the backup password to be set (`frontdesk backup-password`).
    Backup {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// The backup file to make; it must not exist.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// The card keys. Default: `<db>.card-keys.json`.
        #[arg(long, value_name = "FILE")]
        card_keys: Option<PathBuf>,
    },
    /// Restore a backup as the database (and its card keys), with the backup password read
    /// from standard input. Refused while the server or a desk runs on the database, for a
    /// backup of another property or from a newer version; the database it replaces is kept
    /// beside it as `<db>.before-restore-<time>`.
    Restore {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The card keys. Default: `<db>.card-keys.json`.
        #[arg(long, value_name = "FILE")]
        card_keys: Option<PathBuf>,
    },
    /// Set the password backups are made under (at least 12 characters), read from standard
    /// input (typed twice at a terminal). A restore needs it: keep it apart from the backups.
    BackupPassword {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Set when and where `frontdesk serve` makes backups on its own, or --off.
    BackupSchedule {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// The folder backups go to: a full path (another disk, a mounted share).
        #[arg(long, value_name = "DIR", required_unless_present = "off")]
        folder: Option<String>,
        /// Hours between two backups, 1 to 168.
        #[arg(long, value_name = "N", default_value_t = 24)]
        every_hours: u32,
        /// How many of them the folder keeps, 1 to 365.
        #[arg(long, value_name = "N", default_value_t = 14)]
        keep: u32,
        /// No scheduled backups.
        #[arg(long, conflicts_with = "folder")]
        off: bool,
    },
}

#[derive(Debug, Subcommand)]
enum Encoders {
    /// List the property's encoders: the server's own and each paired terminal's.
    List {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Set the code the PMS names an encoder by (FIAS `KC`, up to 8 characters), so that it
    /// stays the same when terminals are paired or revoked; without --code, clear it.
    SetPmsCode {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// The encoder's name ("Desk 2 encoder") or id.
        encoder: String,
        #[arg(long)]
        code: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum Terminals {
    /// Make a one-time pairing code for a new terminal, valid for 15 minutes. Give it to
    /// `frontdesk-desktop --pair` on the terminal.
    Pair {
        /// The server's database.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// The terminal's name, as the desk and the audit log show it ("Desk 2").
        #[arg(long)]
        name: String,
        /// Where terminals reach the server (`HOST:PORT`). Default: the address
        /// `frontdesk serve --terminals-listen` last listened on.
        #[arg(long, value_name = "HOST:PORT")]
        address: Option<String>,
    },
    /// List every terminal ever paired.
    List {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Revoke a terminal: its next request is refused, and its operators are signed out.
    Revoke {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// The terminal's name or id.
        terminal: String,
    },
}

#[derive(Debug, Subcommand)]
enum Operators {
    /// Add an operator. The PIN (4 to 8 digits) is read from standard input.
    Add {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: tools::RoleArg,
    },
    /// List the operators, their roles and whether they may sign in.
    List {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Give an operator a new PIN, which also lifts a lock-out after wrong PINs: the way back
    /// in for a sole manager who forgot theirs. The PIN is typed twice, or read from standard
    /// input. Safe while the server or a desk runs on the database.
    ResetPin {
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long)]
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(serve) => serve::run(*serve),
        Command::Terminals(Terminals::Pair { db, name, address }) => {
            tools::pair(&db, &name, address.as_deref())
        }
        Command::Terminals(Terminals::List { db }) => tools::list(&db),
        Command::Encoders(Encoders::List { db }) => tools::encoders(&db),
        Command::Encoders(Encoders::SetPmsCode { db, encoder, code }) => {
            tools::set_pms_code(&db, &encoder, code.as_deref())
        }
        Command::Terminals(Terminals::Revoke { db, terminal }) => tools::revoke(&db, &terminal),
        Command::Operators(Operators::Add { db, name, role }) => {
            tools::add_operator(&db, &name, role)
        }
        Command::Operators(Operators::List { db }) => tools::list_operators(&db),
        Command::Operators(Operators::ResetPin { db, name }) => tools::reset_pin(&db, &name),
        Command::Backup { db, to, card_keys } => backups::backup(&db, &to, card_keys.as_deref()),
        Command::Restore {
            db,
            from,
            card_keys,
        } => backups::restore(&db, &from, card_keys.as_deref()),
        Command::BackupPassword { db } => backups::set_password(&db),
        Command::BackupSchedule {
            db,
            folder,
            every_hours,
            keep,
            off: _,
        } => backups::set_schedule(&db, folder, every_hours, keep),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("frontdesk: {message}");
            ExitCode::FAILURE
        }
    }
}
