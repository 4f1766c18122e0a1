//! A command is named in `command_list.rs` once ([`COMMANDS`]); what cannot be generated from
//! that list is checked against it here: the window's capability allows each command and
//! nothing else of the app's, `commands.rs` defines each one and no other, and the UI calls
//! only commands that exist and leaves none uncalled. And the commands hold no rules: who may
//! do what is checked in the use cases.

use std::collections::BTreeSet;
use std::path::Path;

use frontdesk_desktop::COMMANDS;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn listed() -> BTreeSet<String> {
    let names: BTreeSet<String> = COMMANDS.iter().map(|name| (*name).to_owned()).collect();
    assert_eq!(names.len(), COMMANDS.len(), "a command is listed twice");
    names
}

/// The quoted word after each occurrence of `marker` (`"allow-x"`, `'x'`).
fn quoted_after<'a>(text: &'a str, marker: &str, quote: char) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            let end = rest.find(quote)?;
            Some(&rest[..end])
        })
        .collect()
}

#[test]
fn the_window_may_call_every_command_and_no_other_of_the_app_s() {
    let capability = read("capabilities/default.json");
    let allowed: BTreeSet<String> = quoted_after(&capability, "\"allow-", '"')
        .into_iter()
        .map(|name| name.replace('-', "_"))
        .collect();
    assert_eq!(allowed, listed());
}

#[test]
fn commands_rs_defines_each_listed_command_and_no_other() {
    let source = read("src/commands.rs");
    let mut defined = BTreeSet::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[tauri::command]" {
            continue;
        }
        let signature = lines.next().unwrap_or_default();
        let name = signature
            .trim()
            .trim_start_matches("pub ")
            .trim_start_matches("async ")
            .trim_start_matches("fn ")
            .split(['(', '<'])
            .next()
            .unwrap_or_default();
        defined.insert(name.to_owned());
    }
    assert_eq!(defined, listed());
}

#[test]
fn the_ui_calls_only_commands_that_exist_and_each_of_them() {
    let ipc = read("../ui/src/lib/ipc.ts");
    let called: BTreeSet<String> = ipc
        .match_indices("call<")
        .chain(ipc.match_indices("call("))
        .filter_map(|(at, _)| {
            let rest = &ipc[at..];
            let open = rest.find("('")?;
            // The name is the first argument of this call, not of a later one.
            if rest[..open].contains(['\n', ';']) {
                return None;
            }
            let name = &rest[open + 2..];
            Some(name[..name.find('\'')?].to_owned())
        })
        .collect();
    assert!(!called.is_empty(), "no call found in ipc.ts");
    assert_eq!(called, listed());
}

#[test]
fn the_commands_leave_permissions_to_the_use_cases() {
    let source = read("src/commands.rs");
    for needle in [".require(", "Permission::"] {
        assert!(
            !source.contains(needle),
            "commands.rs checks a permission ({needle}); the use case must"
        );
    }
}
