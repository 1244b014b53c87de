//! entra-perms: audit the Microsoft Graph permissions of an Entra ID backup application against a
//! permission matrix, per protected object, for backup and restore.
//!
//! `run` is the whole program behind the thin binary: it returns what the run found
//! ([`exit::Outcome`]) or why it could not complete (an error); `exit::decide` picks the exit code.

pub mod cli;
pub mod exit;
pub mod explain;
pub mod matrix;
pub mod report;

use std::io::Write;

use anyhow::Result;

use cli::{Cli, Command, ExplainFormat, MatrixFormat};
use exit::Outcome;
use matrix::Matrix;

/// Run one command, writing its report to stdout.
pub fn run(cli: Cli) -> Result<Outcome> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let outcome = run_to(cli, &mut out)?;
    out.flush()?;
    Ok(outcome)
}

/// Run one command, writing its report to `out`.
pub fn run_to(cli: Cli, out: &mut dyn Write) -> Result<Outcome> {
    match cli.command {
        Command::Matrix(args) => {
            let matrix = Matrix::load(args.source.matrix.as_deref())?;
            match args.format {
                MatrixFormat::Table => report::matrix_view::table(&matrix, out)?,
                MatrixFormat::Json => report::matrix_view::json(&matrix, out)?,
                MatrixFormat::Markdown => report::matrix_view::markdown(&matrix, out)?,
            }
            Ok(Outcome::Passed)
        }
        Command::Explain(args) => {
            let matrix = Matrix::load(args.source.matrix.as_deref())?;
            let explanation = explain::explain(&matrix, &args.query)?;
            match args.format {
                ExplainFormat::Table => report::explain_view::text(&explanation, out)?,
                ExplainFormat::Json => report::explain_view::json(&explanation, out)?,
            }
            Ok(Outcome::Passed)
        }
    }
}
