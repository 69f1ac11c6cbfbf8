//! `tickets`: a command-line support desk whose store is a directory of YAML
//! files, one per support case, versioned in git.
//!
//! The life-cycle core ([`lifecycle`], [`vocabulary`], [`case`]) is pure; the
//! policy fed by config ([`routing`], [`targets`]) is pure too; [`format`](mod@format)
//! is a case file's bytes (YAML out, the parsers in, conflict markers), below
//! both the [`store`], which owns every byte on disk, and the [`merge`];
//! [`operations`] is one typed function per thing a person does, for every
//! front end; [`cli`] is the command line. No two modules import each other.
//!
//! The life cycle without a store or a clock:
//!
//! ```
//! use tickets::lifecycle::{apply, open, replay, Action, NewCase};
//! use tickets::{Channel, Status};
//!
//! let now = tickets::time::parse_instant("2026-11-19T10:00:00Z").unwrap();
//! let case = open(
//!     NewCase {
//!         id: "RC-7K3QX9MT".into(),
//!         customer: "Acme Corp".into(),
//!         summary: "Push notifications fail on iOS".into(),
//!         description: "Since the upgrade.".into(),
//!         email: None,
//!         channel: Channel::Phone,
//!         severity: None,
//!         follow_up_of: None,
//!         message_id: None,
//!         assignee: Some("alice".into()),
//!         routing_reason: None,
//!     },
//!     "alice",
//!     now,
//! );
//! let asked = apply(&case, &Action::RequestInfo { message: "Which version?".into() }, "alice", now).unwrap();
//! assert_eq!(asked.status, Status::WaitingForCustomer);
//! assert_eq!(asked.waiting_since, Some(now));
//!
//! // Closed is terminal, and history replays to the stored fields.
//! let closed = apply(&asked, &Action::Close { resolution: "Fixed in 7.2".into() }, "alice", now).unwrap();
//! assert!(apply(&closed, &Action::Reply { message: "again".into(), message_id: None }, "ana", now).is_err());
//! assert_eq!(replay(&closed), Ok(closed.clone()));
//! ```

#![warn(missing_docs)]
// Diagnostics go through `error::diagnostic`, output through `cli::emit`: neither panics.
#![warn(clippy::print_stderr, clippy::print_stdout)]

pub mod attachment_check;
pub mod case;
pub mod check;
pub mod cli;
pub mod color;
pub mod config;
pub mod delivery;
pub mod digest;
pub mod email;
pub mod error;
pub mod exit_code;
pub mod format;
pub mod git;
pub mod id;
pub mod lifecycle;
pub mod merge;
pub mod operations;
pub mod outbound;
pub mod output;
pub mod portal;
pub mod routing;
#[cfg(test)]
mod snapshot_tests;
pub mod stats;
pub mod store;
pub mod targets;
pub mod terminal;
pub mod time;
pub mod vocabulary;

pub use case::{Case, Event};
pub use error::{Error, Result};
pub use exit_code::ExitCode;
pub use vocabulary::{ActionKind, Channel, Impact, Level, Severity, Status};
