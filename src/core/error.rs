//! The library's one error type. Each variant carries what a person needs to
//! act on it; the command line maps variants to the documented exit codes
//! (`cli::exit_code`), the portal to HTTP statuses.

use crate::core::time::format_instant;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Every failure the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An ID was given that names no case in the store.
    #[error("no such ticket: {id}")]
    NoSuchTicket {
        /// The ID as the user typed it (already escaped for display).
        id: String,
    },

    /// An ID that cannot be a ticket ID at all (path separators, `..`, NUL...).
    #[error("no such ticket: {id:?} is not a valid ticket ID ({reason})")]
    InvalidId {
        /// The offending ID.
        id: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A short ID prefix matched more than one case.
    #[error("ticket ID {id} is ambiguous: it matches {candidates}")]
    AmbiguousId {
        /// The prefix typed.
        id: String,
        /// Some of the IDs it matches, comma separated.
        candidates: String,
    },

    /// The case is closed; closed is terminal.
    #[error("{id} is closed; closed is terminal and `{action}` is not allowed")]
    Closed {
        /// The case.
        id: String,
        /// The command that was refused.
        action: String,
    },

    /// The transition is not in the table for the case's current status.
    #[error("{id}: `{action}` is not allowed from status {status}; allowed from {status}: {allowed}")]
    TransitionNotAllowed {
        /// The case.
        id: String,
        /// The command that was refused.
        action: String,
        /// The case's current status.
        status: String,
        /// The commands allowed from that status.
        allowed: String,
    },

    /// A change dated before the case's last change: history is in time
    /// order, so such a case could never be replayed.
    #[error(
        "{id}: the case last changed at {}; a change dated {} would be out of order",
        format_instant(last),
        format_instant(now)
    )]
    ChangeBeforeLastChange {
        /// The case.
        id: String,
        /// When it last changed.
        last: DateTime<Utc>,
        /// The date the change would have had.
        now: DateTime<Utc>,
    },

    /// The directory given as the store holds no `config.yaml`.
    #[error("\"{}\" is not a tickets store (no config.yaml)", path.display())]
    NotAStore {
        /// The directory.
        path: PathBuf,
    },

    /// A file in the store does not parse or does not validate.
    #[error("{}: {reason}", location(path, *line))]
    InvalidData {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// Why it is invalid.
        reason: String,
    },

    /// The store's lock could not be had within the bounded wait.
    #[error("store busy: could not lock {path} within {waited_ms} ms (another tickets command is writing); try again")]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited_ms: u128,
    },

    /// A usage error detected after argument parsing (bad --now, unknown analyst...).
    #[error("{0}")]
    Usage(String),

    /// An I/O failure, with the path it concerns.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// Any other unexpected failure.
    #[error("{0}")]
    Other(String),
}

fn location(path: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An invalid-data error for a file, with an optional line.
    pub fn invalid(path: impl Into<PathBuf>, line: Option<usize>, reason: impl Into<String>) -> Self {
        Error::InvalidData {
            path: path.into(),
            line,
            reason: reason.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Writes one line to standard error, ignoring a failed write: a diagnostic
/// has nowhere else to go, and a stderr whose reader is gone must not turn a
/// command that did its work into a crash (`eprintln!` panics, exit 101).
pub fn diagnostic(line: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}
