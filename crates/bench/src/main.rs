//! `frontdesk-bench`: times the front desk's hot paths, each against a baseline measured in
//! the same run on the same machine, and prints a Markdown table with a row per path (see
//! [`harness::HEADER`]). Other programs append their rows to the same table.
//!
//! Exits non-zero when a path is broken (an error, or a run that did not do what it should),
//! not when a figure misses its goal: that is what the table is for.

mod data;
mod harness;
mod paths;
mod plan;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Parser;

use crate::harness::{HEADER, Row};
use crate::plan::Plan;

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk-bench",
    about = "Times the front desk's hot paths against baselines measured in the same run."
)]
struct Cli {
    /// Every path on little data, a few runs each: checks they work, not how fast.
    #[arg(long)]
    smoke: bool,

    /// Only this path.
    #[arg(
        long,
        value_name = "PATH",
        value_parser = clap::builder::PossibleValuesParser::new(PATHS.map(|(name, _)| name))
    )]
    only: Option<String>,
}

type Measure = fn(&Plan, &Path) -> Result<Row>;

const PATHS: [(&str, Measure); 9] = [
    ("check-in", paths::check_in::run),
    ("create-grant", paths::create_grant::run),
    ("board", paths::board::run),
    ("encode", paths::encode::run),
    ("api", paths::api::run),
    ("terminal-check-in", paths::terminals::check_in),
    ("terminal-live", paths::terminals::live),
    ("terminals-at-once", paths::terminals::at_once),
    ("fias", paths::fias::run),
];

fn main() -> ExitCode {
    let cli = Cli::parse();
    let plan = if cli.smoke {
        Plan::smoke()
    } else {
        Plan::full()
    };
    let mode = if cli.smoke { "smoke" } else { "full" };
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    eprintln!(
        "frontdesk-bench: {mode} run, {build} build, data under {}",
        std::env::temp_dir().display()
    );
    println!("{HEADER}");
    let mut broken = 0;
    for (name, measure) in PATHS {
        if cli.only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        eprintln!("{name}:");
        let started = Instant::now();
        // Each path on its own files, removed as soon as it is measured.
        let row = tempfile::Builder::new()
            .prefix("frontdesk-bench-")
            .tempdir()
            .map_err(anyhow::Error::from)
            .and_then(|dir| measure(&plan, dir.path()));
        match row {
            Ok(row) => println!("{}", row.line()),
            Err(error) => {
                eprintln!("frontdesk-bench: {name} is broken: {error:#}");
                broken += 1;
            }
        }
        eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());
    }
    if broken > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
