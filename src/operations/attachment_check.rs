//! What `check` verifies of attachments (SPEC section 9): every file an
//! event names exists and matches its SHA-256 (an error, naming the case
//! file and the event), and every file of `attachments/` that no event
//! names is reported as an orphan (a note: what a crash between writing a
//! file and its event leaves). `check --prune` removes orphans under the
//! lock. Kept apart from the rest of `check`, which only hands it each case
//! it read.

use crate::core::case::Case;
use crate::core::error::{Error, Result};
use crate::store::attachments::StoredFile;
use crate::store::Store;
use crate::views::{Gravity, Problem};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A temp file of `attachments/` younger than this may belong to a writer
/// still receiving it (files are received before the lock is taken), so
/// `--prune` leaves it.
pub const TEMP_FILE_GRACE: Duration = Duration::from_secs(3600);

/// The attachments seen in the cases read so far.
#[derive(Debug, Default)]
pub struct AttachmentCheck {
    referenced: HashSet<String>,
    /// Each content checked once: whether it was found good.
    verified: HashMap<String, std::result::Result<(), String>>,
}

impl AttachmentCheck {
    /// Checks the attachments of one case read from `path` (whose text is
    /// `text`, for line numbers), each content once; returns the findings.
    pub fn case(&mut self, store: &Store, path: &Path, case: &Case, text: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (index, event) in case.history.iter().enumerate() {
            for attachment in &event.attachments {
                self.referenced.insert(attachment.sha256.clone());
                let key = format!("{}:{}", attachment.sha256, attachment.size);
                let verdict = self
                    .verified
                    .entry(key)
                    .or_insert_with(|| store.verify_attachment(attachment).map_err(|e| reason_of(&e)));
                if let Err(reason) = verdict {
                    problems.push(Problem {
                        path: path.display().to_string(),
                        line: crate::format::line_of_event(text, index),
                        gravity: Gravity::Error,
                        kind: "attachment",
                        message: format!(
                            "event {} ({}) names attachment {:?} (sha256 {}): {reason}",
                            index + 1,
                            event.action,
                            crate::core::terminal::attachment_name_for_display(&attachment.name),
                            attachment.sha256.get(..12).unwrap_or(&attachment.sha256),
                        ),
                    });
                }
            }
        }
        problems
    }

    /// Adds what another worker saw (check reads cases on every core).
    pub fn merge(&mut self, other: AttachmentCheck) {
        self.referenced.extend(other.referenced);
        self.verified.extend(other.verified);
    }

    /// The files of `attachments/` that no case read names (and old temp
    /// files), as findings, with the files themselves for `--prune`.
    pub fn orphans(&self, store: &Store) -> Result<Vec<(Problem, StoredFile)>> {
        let mut found = Vec::new();
        let now = SystemTime::now();
        for file in store.attachment_files()? {
            let problem = |kind: &'static str, gravity: Gravity, message: String| Problem {
                path: file.path.display().to_string(),
                line: None,
                gravity,
                kind,
                message,
            };
            if file.temp {
                let old = std::fs::symlink_metadata(&file.path)
                    .and_then(|m| m.modified())
                    .is_ok_and(|at| now.duration_since(at).is_ok_and(|age| age >= TEMP_FILE_GRACE));
                if old {
                    found.push((
                        problem(
                            "temp-file",
                            Gravity::Note,
                            "temp file of an attachment never kept; `check --prune` removes it".into(),
                        ),
                        file,
                    ));
                }
                continue;
            }
            match &file.sha256 {
                Some(sha256) if self.referenced.contains(sha256) => {}
                Some(_) => found.push((
                    problem(
                        "attachment-orphan",
                        Gravity::Note,
                        "no event names this attachment (left by an interrupted write, or its case was removed); \
                         `check --prune` removes it"
                            .into(),
                    ),
                    file,
                )),
                None => {
                    // A link or a stray name: never removed by --prune, never served.
                    let problem = problem(
                        "attachment-file",
                        Gravity::Warning,
                        "not an attachment (attachments/ holds only regular files named ab/<62 more hex digits>); \
                         every command ignores it"
                            .into(),
                    );
                    found.push((problem, StoredFile { temp: false, ..file }));
                }
            }
        }
        Ok(found)
    }
}

/// What a refusal of [`Store::verify_attachment`] says, without the path
/// (the finding names the case file).
fn reason_of(error: &Error) -> String {
    match error {
        Error::InvalidData { path, reason, .. } => format!("{} {reason}", path.display()),
        other => other.to_string(),
    }
}

/// Whether `--prune` removes the file of this finding: an orphan or an old temp file.
pub fn is_prunable(problem: &Problem) -> bool {
    problem.kind == "attachment-orphan" || problem.kind == "temp-file"
}

/// Removes the orphans (and old temp files) `check` found, under the store
/// lock. The number removed.
///
/// With `git: {commit: true}`, the removal of those git tracks is committed
/// in one commit; a commit that fails is an error naming git's reason (the
/// files are gone from the work tree, staged for a person to commit).
pub fn prune(store: &Store, lock: &crate::store::StoreLock, orphans: &[StoredFile]) -> Result<usize> {
    let underway = crate::core::progress::Underway::start(store.progress(), "removing files", orphans.len() as u64);
    for file in orphans {
        store.remove_attachment_file(lock, file)?;
        underway.advance(1);
    }
    drop(underway);
    let config = store.config()?;
    let removed: Vec<std::path::PathBuf> = orphans.iter().map(|file| file.path.clone()).collect();
    let message = format!(
        "check --prune: removed {} unreferenced attachment file(s)",
        removed.len()
    );
    crate::git::commit_removed_if_enabled(&config, store.root(), &removed, &message)?;
    Ok(orphans.len())
}
