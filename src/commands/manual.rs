//! `entra-perms completions SHELL` and `entra-perms man`: the shell completions and the manual
//! page, generated from the command line's own definition.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Outcome;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome> {
    clap_complete::generate(shell, &mut Cli::command(), "entra-perms", out);
    Ok(Outcome::Passed)
}

pub fn man(out: &mut dyn Write) -> Result<Outcome> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(Outcome::Passed)
}
