//! Restoring a backup from the app's first screen. The desk cannot replace the database it
//! has open, so it checks the backup and its password first, then starts itself again with
//! `--restore-from` (the password on the new process's standard input) and closes; the new
//! process restores before it opens the desk, and the first screen says what it did.

use std::ffi::OsString;
use std::io::{BufRead as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use frontdesk::backup::{check_restore, restore_backup};

use crate::bindings::RestoreOutcome;

/// How long the new process waits for the old one to let the database go.
const WAIT_FOR_THE_OLD_DESK: Duration = Duration::from_secs(20);

/// Restores `from` onto `db` before the desk opens, with the password on standard input,
/// waiting for the desk that asked for it to close. What happened, for the first screen.
pub fn restore_at_start(db: &Path, card_keys: &Path, from: &Path) -> RestoreOutcome {
    let failed = |error: String| RestoreOutcome {
        property_name: String::new(),
        made_at: None,
        set_aside: None,
        card_keys_restored: false,
        error: Some(error),
    };
    let mut password = String::new();
    if let Err(error) = std::io::stdin().lock().read_line(&mut password) {
        return failed(format!("the backup password could not be read: {error}"));
    }
    let password = password.trim_end_matches(['\r', '\n']);
    let started = Instant::now();
    loop {
        match restore_backup(db, card_keys, from, password, Utc::now()) {
            Ok(restored) => {
                tracing::info!("backup restored");
                return RestoreOutcome {
                    property_name: restored.property_name,
                    made_at: Some(restored.made_at),
                    set_aside: restored.set_aside.map(|aside| aside.display().to_string()),
                    card_keys_restored: restored.card_keys_restored,
                    error: None,
                };
            }
            // The desk that asked for it is still closing.
            Err(error)
                if error.to_wire().field.as_deref() == Some("db")
                    && started.elapsed() < WAIT_FOR_THE_OLD_DESK =>
            {
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(error) => {
                tracing::warn!(code = %error.to_wire().error_type, "backup not restored");
                return failed(error.to_wire().message);
            }
        }
    }
}

/// Checks that `from` would restore onto `db` with `password`, then starts the app again to
/// restore it (the same command line, on the same database, without what would undo the
/// restore). The caller closes this desk.
pub fn relaunch_to_restore(
    db: &Path,
    card_keys: &Path,
    from: &Path,
    password: &str,
) -> frontdesk::Result<String> {
    if !from.is_file() {
        return Err(frontdesk::Error::invalid(
            "from",
            format!("there is no backup file at {}", from.display()),
        ));
    }
    let (property_name, _) = check_restore(db, card_keys, from, password)?;
    let unstartable = |error: std::io::Error| frontdesk::Error::Files {
        what: "the front desk's program".to_owned(),
        detail: format!("it could not be started again to restore: {error}"),
    };
    let program = std::env::current_exe().map_err(unstartable)?;
    let mut child = Command::new(program)
        .args(relaunch_args(
            std::env::args_os().skip(1),
            db,
            card_keys,
            from,
        ))
        .stdin(Stdio::piped())
        .spawn()
        .map_err(unstartable)?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{password}").map_err(unstartable)?;
    }
    Ok(property_name)
}

/// The command line to start again with: the same, without the options that pair, import a
/// property or restore (they would undo or repeat this), on `db` and its keys, restoring
/// `from`.
fn relaunch_args(
    args: impl Iterator<Item = OsString>,
    db: &Path,
    card_keys: &Path,
    from: &Path,
) -> Vec<OsString> {
    const DROPPED: [&str; 5] = [
        "--db",
        "--card-keys",
        "--property",
        "--pair",
        "--restore-from",
    ];
    let mut kept = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if DROPPED.contains(&&*text) {
            args.next();
            continue;
        }
        if DROPPED
            .iter()
            .any(|name| text.starts_with(&format!("{name}=")))
        {
            continue;
        }
        kept.push(arg);
    }
    kept.extend([
        "--db".into(),
        db.as_os_str().to_owned(),
        "--card-keys".into(),
        card_keys.as_os_str().to_owned(),
        "--restore-from".into(),
        from.as_os_str().to_owned(),
    ]);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_command_line_keeps_the_encoders_and_drops_what_would_undo_the_restore() {
        let args = [
            "--property",
            "demo",
            "--encoder",
            "hid",
            "--hid-serial",
            "A=Counter",
            "--db=/old.db",
            "--pair",
            "ABCD",
            "--simulated-encoders",
            "2",
        ]
        .map(OsString::from);
        let kept = relaunch_args(
            args.into_iter(),
            Path::new("/data/desk.db"),
            Path::new("/data/desk.db.card-keys.json"),
            Path::new("/mnt/b.fdbackup"),
        );
        let kept: Vec<_> = kept.iter().map(|arg| arg.to_string_lossy()).collect();
        assert_eq!(
            kept,
            [
                "--encoder",
                "hid",
                "--hid-serial",
                "A=Counter",
                "--simulated-encoders",
                "2",
                "--db",
                "/data/desk.db",
                "--card-keys",
                "/data/desk.db.card-keys.json",
                "--restore-from",
                "/mnt/b.fdbackup"
            ]
        );
    }
}
