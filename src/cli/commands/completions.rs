//! `tickets completions SHELL`: a completion script on stdout.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, Cli};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs `completions`.
pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "tickets", &mut script);
    let script =
        String::from_utf8(script).map_err(|e| CliError::Failure(format!("completion script is not UTF-8: {e}")))?;
    emit(&script)?;
    Ok(ExitCode::Success)
}
