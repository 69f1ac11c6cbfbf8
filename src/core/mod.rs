//! The core: the life cycle and its vocabulary, the case and its history,
//! IDs, time, the store's config and the policy it feeds (routing, targets),
//! the library's error type and the escaping of untrusted text. It imports
//! nothing else of the crate; the life cycle itself does no I/O and reads no
//! clock.

pub mod case;
pub mod config;
pub mod digest;
pub mod error;
pub mod git_error;
pub mod id;
pub mod lifecycle;
pub mod list_change;
pub mod mail_refusal;
pub mod nearest;
pub mod program;
pub mod progress;
pub mod routing;
pub mod targets;
pub mod terminal;
pub mod time;
pub mod vocabulary;
