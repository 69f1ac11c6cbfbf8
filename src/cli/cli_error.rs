//! An error of the command line: a usage error it found itself (an option or
//! environment variable that is wrong), a failure of its own, or the
//! library's error, which it words ([`error_message`]) and maps to an exit
//! code ([`ExitCode::of`]). `Usage(String)` exists only here: the library's
//! errors carry data and name no option.

use crate::cli::error_message::error_message;
use crate::cli::exit_code::ExitCode;
use crate::core::error::Error;

/// Every failure a command reports.
#[derive(Debug)]
pub enum CliError {
    /// The command line or an environment variable is wrong (exit 2); the
    /// message names the option.
    Usage(String),
    /// An unexpected failure of the command line's own work (exit 1).
    Failure(String),
    /// The library's error.
    Library(Error),
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        CliError::Library(error)
    }
}

impl CliError {
    /// The message printed after `error: ` (not yet escaped for the terminal).
    pub fn message(&self) -> String {
        match self {
            CliError::Usage(message) | CliError::Failure(message) => message.clone(),
            CliError::Library(error) => error_message(error),
        }
    }

    /// The documented exit code.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::Usage,
            CliError::Failure(_) => ExitCode::Failure,
            CliError::Library(error) => ExitCode::of(error),
        }
    }
}

/// The command line's result type.
pub type Result<T, E = CliError> = std::result::Result<T, E>;
