//! The thin binary: parse arguments, run, print errors, and turn the result into an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use entra_perms::cli::Cli;
use entra_perms::exit::{self, Exit};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            }
            .into();
        }
    };
    let result = entra_perms::run(cli);
    let code = exit::decide(&result);
    if let Err(e) = &result {
        let mut err = std::io::stderr().lock();
        // Errors may quote a server; no secret and no raw control character reaches the terminal.
        let message = entra_perms::redact::redact(&format!("{e:#}"));
        let _ = writeln!(
            err,
            "error: {}",
            entra_perms::text::ci_inert(&entra_perms::text::escape_controls(&message))
        );
        if let Some(hint) = entra_perms::commands::hint(e) {
            let _ = writeln!(err, "hint: {}", entra_perms::text::ci_inert(&hint));
        }
    }
    code.into()
}
