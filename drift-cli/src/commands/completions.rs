//! `drift completions SHELL` and `drift man`: scripts and the man page
//! generated from the same clap definition the parser uses
//! (`clap_complete`, `clap_mangen`), so they never fall behind a flag.

use std::io::{self, Write};

use anyhow::{Context, bail};
use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::cli::{Cli, Shell};
use crate::exit::Exit;

/// The name the scripts complete.
const BIN: &str = "drift";

/// Writes the completion script for `shell` to standard output.
pub fn completions(shell: Shell) -> anyhow::Result<Exit> {
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::Powershell => Target::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(target, &mut Cli::command(), BIN, &mut out);
    emit(&out)
}

/// Writes the man page (roff) to standard output: drift(1), or the page
/// of one subcommand (`drift-diff(1)`), which drift(1) lists.
pub fn man(command: Option<&str>) -> anyhow::Result<Exit> {
    let cmd = Cli::command();
    let page = match command {
        None => clap_mangen::Man::new(cmd),
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let known: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                bail!(
                    "drift has no subcommand of that name (it has: {})",
                    known.join(", ")
                );
            };
            let sub = sub
                .clone()
                .display_name(format!("{BIN}-{name}"))
                .bin_name(format!("{BIN} {name}"))
                .version(env!("CARGO_PKG_VERSION"));
            clap_mangen::Man::new(sub).title(format!("{BIN}-{name}"))
        }
    };
    let mut out = Vec::new();
    page.render(&mut out)
        .context("failed to render the man page")?;
    emit(&out)
}

fn emit(bytes: &[u8]) -> anyhow::Result<Exit> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("failed to write to standard output")?;
    Ok(Exit::Clean)
}
