//! entra-perms: audit the Microsoft Graph permissions of an Entra ID backup application against a
//! permission matrix, per protected object, for backup and restore.
//!
//! `run` is the whole program behind the thin binary: it validates the command's config and hands
//! it to its file in `commands/`, which returns what the run found ([`exit::Outcome`]) or why it
//! could not complete (an error); `exit::decide` picks the exit code. ARCHITECTURE.md walks the
//! rooms.
//!
//! No `unwrap()` or `expect()` in the tool's code: bad input is an error, never a panic (clippy's
//! `unwrap_used`/`expect_used` under `-D warnings`, and tests/cli/architecture.rs). Every one in
//! `src/` is in test code — an inline `#[cfg(test)]` module or a test-only file — where a broken
//! fixture fails the test it is in.

pub mod audit;
pub mod catalog;
pub mod cli;
pub mod cloud;
pub mod commands;
pub mod config;

pub mod error;
pub mod exit;
pub mod explain;
pub mod findings;
pub mod grants;
pub mod graph;
pub mod input;
pub mod inventory;
pub mod matrix;
pub mod matrix_diff;
pub mod multi;
pub mod output;
pub mod permission;
pub mod plan;
#[cfg(test)]
mod properties;
pub mod redact;
pub mod report;
pub mod snapshot;
pub mod sources;
pub mod tenants;
pub mod text;
pub mod time;
pub mod token;

use std::io::{IsTerminal, Write};

use anyhow::Result;

use cli::{Cli, Command};
use exit::Outcome;

/// Run one command, writing its report to stdout. A reader that goes away early (`… | head`)
/// ends the output, never the run: the outcome, and so the exit code, stays the audit's.
pub fn run(cli: Cli) -> Result<Outcome> {
    init_logging(cli.verbose);
    let stdout = std::io::stdout();
    let forced = match cli.color {
        cli::ColorChoice::Auto => None,
        cli::ColorChoice::Always => Some(true),
        cli::ColorChoice::Never => Some(false),
    };
    let color = output::use_color(forced, stdout.is_terminal(), &|k| std::env::var(k).ok());
    let mut out = output::UntilClosed::new(stdout.lock());
    let outcome = run_to(cli, &mut out, color)?;
    out.flush()?;
    Ok(outcome)
}

/// Run one command, writing its report to `out` (with colour if `color`).
pub fn run_to(cli: Cli, out: &mut dyn Write, color: bool) -> Result<Outcome> {
    match cli.command {
        Command::Matrix(args) => commands::matrix::run(
            args.source.matrix.as_deref(),
            args.source.strict_matrix,
            args.list,
            args.format,
            out,
        ),
        Command::Explain(args) => commands::explain::run(
            args.query.as_deref(),
            args.path.as_deref(),
            args.source.matrix.as_deref(),
            args.format,
            out,
        ),
        Command::Audit(args) => commands::audit::run(&args.config()?, out, color),
        Command::Plan(args) => commands::plan::run(&args.config()?, out),
        Command::Snapshot(args) => commands::snapshot::run(&args.config()?, out),
        Command::Inventory(args) => commands::inventory::run(&args, out),
        Command::DiffMatrix(args) => {
            commands::diff_matrix::run(&args.old, &args.new, args.format, out)
        }
        Command::Completions { shell } => commands::manual::completions(shell, out),
        Command::Man { command, dir } => {
            commands::manual::man(command.as_deref(), dir.as_deref(), out)
        }
    }
}

/// NO_COLOR (https://no-color.org): set and not empty means no colour anywhere.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Diagnostics go to stderr: warnings always, each Graph request with -v, more with -vv.
fn init_logging(verbose: u8) {
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    let ansi = std::io::stderr().is_terminal() && !no_color();
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(|| redact::RedactingWriter::new(std::io::stderr()))
        .with_ansi(ansi)
        .with_target(false)
        .without_time()
        .with_filter(tracing_subscriber::filter::filter_fn(move |m| {
            m.target().starts_with("entra_perms") && *m.level() <= level
        }));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
