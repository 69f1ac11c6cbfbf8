//! `tickets merge-driver ANCESTOR OURS THEIRS`: the git merge driver for case
//! files (registered by `git-setup`). Writes the merged case over OURS and
//! exits 0, or leaves a conflict with its explanation in OURS and exits 1.
//!
//! It reads the three files git names and writes OURS, nothing else: no store
//! lock (git runs it in the middle of a merge, maybe while a sweep holds the
//! lock) and no config, hook or program from the store.

use super::Context;
use crate::error::{Error, Result};
use crate::merge::{merge_texts, Merged};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `merge-driver` (git's `%O %A %B`).
#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// The common ancestor's version (empty when there is none).
    pub ancestor: PathBuf,
    /// Our version; the result is written here.
    pub ours: PathBuf,
    /// Their version.
    pub theirs: PathBuf,
}

/// Runs `merge-driver`.
pub fn run(_ctx: &Context, args: MergeDriverArgs) -> Result<i32> {
    let ancestor = crate::store::read_text(&args.ancestor)?;
    let ours = crate::store::read_text(&args.ours)?;
    let theirs = crate::store::read_text(&args.theirs)?;
    let (text, code) = match merge_texts(&ancestor, &ours, &theirs) {
        Merged::Clean(text) => (text, 0),
        Merged::Conflict { text, reason } => {
            crate::error::diagnostic(&format!(
                "tickets merge-driver: {}",
                crate::terminal::escape_line(&reason)
            ));
            (text, 1)
        }
    };
    std::fs::write(&args.ours, text).map_err(|e| Error::io(&args.ours, e))?;
    Ok(code)
}
