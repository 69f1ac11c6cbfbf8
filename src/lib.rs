//! `tickets`: a command-line support desk whose store is a directory of YAML
//! files, one per support case, versioned in git.
//!
//! The life-cycle core ([`lifecycle`], [`fields`], [`case`]) is pure; the
//! policy fed by config ([`routing`], [`targets`]) is pure too; the [`store`]
//! owns every byte on disk; [`cli`] is the command line.

#![warn(missing_docs)]

pub mod case;
pub mod check;
pub mod cli;
pub mod color;
pub mod config;
pub mod email;
pub mod error;
pub mod fast_summary;
pub mod fields;
pub mod git;
pub mod id;
pub mod index;
pub mod lifecycle;
pub mod merge;
pub mod output;
pub mod routing;
pub mod stats;
pub mod store;
pub mod summary;
pub mod targets;
pub mod terminal;
pub mod time;

pub use case::{Case, Event};
pub use error::{Error, Result};
pub use fields::{ActionKind, Channel, Impact, Level, Severity, Status};
