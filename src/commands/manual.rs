//! `entra-perms completions SHELL` and `entra-perms man [COMMAND | --dir DIR]`: the shell
//! completions and the manual pages, generated from the command line's own definition.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use std::path::Path;

use crate::cli::Cli;
use crate::error::Error;
use crate::exit::Outcome;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome> {
    clap_complete::generate(shell, &mut Cli::command(), "entra-perms", out);
    Ok(Outcome::Passed)
}

/// The tool's manual page, one command's (`man audit`), or every page written into `dir`.
pub fn man(command: Option<&str>, dir: Option<&Path>, out: &mut dyn Write) -> Result<Outcome> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display())))?;
        clap_mangen::generate_to(Cli::command(), dir).map_err(|e| {
            Error::input(format!(
                "cannot write the pages into {}: {e}",
                dir.display()
            ))
        })?;
        return Ok(Outcome::Passed);
    }
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => cli
            .get_subcommands()
            .find(|c| c.get_name() == name)
            .cloned()
            .ok_or_else(|| {
                Error::input(format!(
                    "no command `{name}` (the commands: {})",
                    cli.get_subcommands()
                        .map(|c| c.get_name().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
    };
    clap_mangen::Man::new(page).render(out)?;
    Ok(Outcome::Passed)
}
