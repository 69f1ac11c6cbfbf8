//! One file a command, each with its `Args` and `run`.

pub mod assign;
pub mod attachment;
pub mod check;
pub mod close;
pub mod completions;
pub mod deliver;
pub mod escalate;
pub mod git_setup;
pub mod init;
pub mod investigate;
pub mod list;
pub mod man;
pub mod merge_driver;
pub mod note;
pub mod open;
pub mod outbox;
pub mod portal;
pub mod queue;
pub mod reassess;
pub mod remind;
pub mod reply;
pub mod request_info;
pub mod serve;
pub mod show;
pub mod stats;
pub mod sweep;
