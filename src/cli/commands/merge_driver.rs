//! `tickets merge-driver ANCESTOR OURS THEIRS [PATH]`: the git merge driver
//! for case files (registered by `git-setup` as `%O %A %B %P`). Writes the
//! merged case over OURS and exits 0, or leaves a conflict in OURS and exits
//! 1: git's markers around both versions, byte for byte, with its
//! explanation, so that every command refuses the file until a person
//! resolves it. Nothing of either side is ever dropped: a version that is not
//! UTF-8, is over the size cap or cannot be read is a conflict too.
//!
//! It reads the three files git names and the store's config.yaml (for the
//! auto-close rule only; the default when it cannot be read), and writes
//! OURS, nothing else: no store lock (git runs it in the middle of a merge,
//! maybe while a sweep holds the lock) and no hook or program from the store.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::core::terminal::escape_line;
use crate::git::merge::{conflict_text, merge_files, MergeConflict, Merged};
use crate::store::Store;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `merge-driver` (git's `%O %A %B %P`).
#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// The common ancestor's version (empty when there is none).
    pub ancestor: PathBuf,
    /// Our version; the result is written here.
    pub ours: PathBuf,
    /// Their version.
    pub theirs: PathBuf,
    /// The case file's path in the work tree (git's `%P`): names the case in
    /// messages and locates the store's config.yaml. Drivers registered
    /// before it was passed (`%O %A %B`) use --dir / TICKETS_DIR instead.
    pub path: Option<PathBuf>,
}

/// Runs `merge-driver` with the store directory of --dir / TICKETS_DIR
/// (for config.yaml when git passed no `%P`). It needs no clock and no lock,
/// so it builds no context: a stale TICKETS_NOW in the shell must not fail
/// `git merge`.
pub fn run(dir: &Path, args: MergeDriverArgs) -> Result<ExitCode> {
    // A version git could not hand over is merged as empty, into a conflict:
    // git keeps every version in its index (`git checkout --theirs`).
    let ancestor = std::fs::read(&args.ancestor).unwrap_or_default();
    let ours = std::fs::read(&args.ours);
    let theirs = std::fs::read(&args.theirs);
    let label = match &args.path {
        Some(path) => path.display().to_string(),
        None => [&ours, &theirs]
            .into_iter()
            .find_map(|side| side.as_ref().ok().and_then(|bytes| case_id_in(bytes)))
            .unwrap_or_else(|| "a case file".into()),
    };
    let merged = match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => merge_files(&ancestor, &ours, &theirs, auto_close_after_days(dir, &args)),
        (ours, theirs) => {
            let failed: Vec<String> = [("ours", &ours, &args.ours), ("theirs", &theirs, &args.theirs)]
                .into_iter()
                .filter_map(|(side, read, file)| {
                    read.as_ref()
                        .err()
                        .map(|e| format!("{side} could not be read from git's {}: {e}", file.display()))
                })
                .collect();
            let conflict = MergeConflict {
                reason: failed.join("; "),
                hint: "git keeps both versions: git checkout --ours (or --theirs) -- FILE, then redo the other side's changes with tickets commands".into(),
            };
            let empty = Vec::new();
            Merged::Conflict {
                text: conflict_text(
                    ours.as_ref().unwrap_or(&empty),
                    theirs.as_ref().unwrap_or(&empty),
                    &conflict,
                ),
                reason: conflict.reason,
            }
        }
    };
    let (text, code) = match merged {
        Merged::Clean(text) => (text.into_bytes(), ExitCode::Success),
        Merged::Conflict { text, reason } => {
            crate::core::error::diagnostic(&format!(
                "tickets merge-driver: {}: {}",
                escape_line(&label),
                escape_line(&reason)
            ));
            // Git takes any code but 0 for a conflict left in OURS.
            (text, ExitCode::Failure)
        }
    };
    // Never in place: a full disk part-way through would leave git's file
    // cut short, which still parses (a message silently shortened).
    crate::store::replace_file(&args.ours, &text).map_err(|e| {
        CliError::Failure(format!(
            "{label}: cannot write the merge result to git's {}: {e}",
            args.ours.display()
        ))
    })?;
    Ok(code)
}

/// The store's auto-close rule: config.yaml beside the case file (`%P`, a
/// path from the top of the work tree, where git runs drivers), else in the
/// store of --dir / TICKETS_DIR, else in the current directory; the default
/// when there is none or it cannot be read.
fn auto_close_after_days(dir: &Path, args: &MergeDriverArgs) -> u32 {
    let default = crate::core::config::Config::default().auto_close_after_days;
    let candidates: Vec<PathBuf> = match &args.path {
        Some(path) => vec![store_dir_of(path)],
        None => vec![dir.to_path_buf(), PathBuf::from(".")],
    };
    let Some(store) = candidates
        .into_iter()
        .map(Store::new)
        .find(|store| store.config_path().is_file())
    else {
        return default;
    };
    match store.config() {
        Ok(config) => config.auto_close_after_days,
        Err(e) => {
            crate::cli::warn(&format!(
                "{}; merging under the default auto-close rule of {default} days",
                escape_line(&crate::cli::error_message(&e))
            ));
            default
        }
    }
}

/// The directory holding a case file given by its path in the work tree.
fn store_dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The case ID on a version's `id:` line, to name the case when git did not
/// pass its path.
fn case_id_in(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    text.lines()
        .find_map(|line| line.strip_prefix("id: "))
        .map(|id| id.trim().trim_matches(['\'', '"']).to_string())
        .filter(|id| !id.is_empty())
}
