//! The one test harness every test file uses; no test file imports another.
//!
//! - [`cases`]: cases brought to each status of the life cycle;
//! - [`store`]: a temp store with the test config, the pinned clock and the
//!   `run`/command helpers (re-exported here, so `use crate::support::*`);
//! - [`process`]: runs bounded in time or file size, FIFOs (re-exported);
//! - [`git`]: isolated git clones, alone or as a team around an origin;
//! - [`portal`]: `tickets serve` on 127.0.0.1 and an HTTP client for it;
//! - [`mail`]: the mail desk, an SMTP server and sendmail scripts;
//! - [`webhook`]: a chat webhook on 127.0.0.1 recording what it is posted.

#![allow(dead_code)]

pub mod cases;
pub mod git;
pub mod mail;
pub mod portal;
pub mod process;
pub mod store;
pub mod webhook;

pub use process::*;
pub use store::*;
