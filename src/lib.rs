//! `tickets`: a command-line support desk whose store is a directory of YAML
//! files, one per support case, versioned in git.
//!
//! Each folder of `src/` is a layer, and imports only the layers below it
//! (the `layers` test holds the order):
//!
//! - [`core`](mod@core): the case, its vocabulary and life cycle, IDs, time,
//!   the config and the policy it feeds (routing, targets), the error type,
//!   and the escaping of untrusted text. Imports nothing else.
//! - [`format`](mod@format): a case file's bytes: YAML out, the parsers in,
//!   conflict markers. Imports `core`.
//! - [`store`]: every byte on disk, with one atomic writer and the lock.
//!   [`git`]: commits and the merge driver. [`mail`]: intake, compose,
//!   transport. Side by side above `format`; `mail` may read the `store`.
//! - [`views`]: the JSON/YAML contract for scripts. No clap in it.
//! - [`operations`]: one typed function per thing a person does, for every
//!   front end, with `check` and `stats`.
//! - [`portal`] and [`cli`]: the front ends. They word errors for people
//!   (exit codes, hints, HTTP statuses); the command line may start the
//!   portal (`tickets serve`).
//!
//! The life cycle without a store or a clock:
//!
//! ```
//! use tickets::core::lifecycle::{apply, open, replay, Action, NewCase};
//! use tickets::{Channel, Status};
//!
//! let now = tickets::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap();
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

pub mod cli;
pub mod core;
pub mod format;
pub mod git;
pub mod mail;
pub mod operations;
pub mod portal;
#[cfg(test)]
mod snapshot_tests;
pub mod store;
pub mod views;

pub use crate::core::case::{Case, Event};
pub use crate::core::error::{Error, Result};
pub use crate::core::vocabulary::{ActionKind, Channel, Impact, Level, Severity, Status};
pub use cli::exit_code::ExitCode;
