//! An auto-commit killed half-way, found and finished by the next one.
//!
//! The auto-commit holds `index.lock` from before its commit is made until
//! the new index (naming the commit's blobs) is renamed into place, after
//! HEAD moved. A kill in between leaves HEAD on the new commit with the old
//! index behind a stale lock: once a person removes the lock as git
//! suggests, the index still names the files' old blobs, and the next
//! `git commit` of anything records the events' removal.
//!
//! So the auto-commit first writes a note in the git directory (who, HEAD
//! before, the message, the paths), then takes the lock under a name of
//! its own (see `index_file::IndexLock`), and removes the note last. The next
//! auto-commit (or `check`, or `deliver`) that finds a note whose writer is
//! gone:
//! - HEAD is the commit the note describes: the prepared index in the lock
//!   is complete (it was written before HEAD moved), so it is renamed into
//!   place, which finishes the commit;
//! - otherwise HEAD never moved: the lock is removed and the files are
//!   committed again (what the killed command meant to do).
//!
//! Either way the index is the one git would have had: the user's own
//! staged and unstaged changes are kept.

use super::Repository;
use crate::core::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The note's name in the git directory.
const NOTE: &str = "tickets-commit-in-progress";
/// The largest note read (paths of one write: a case and its attachments).
const MAX_NOTE_BYTES: u64 = 1024 * 1024;

/// What an auto-commit in progress writes down.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Note {
    /// The process making the commit.
    pub pid: u32,
    /// HEAD before the commit (none when unborn).
    pub head: Option<String>,
    /// The commit's message.
    pub message: String,
    /// The files committed, relative to the top of the work tree.
    pub paths: Vec<String>,
}

/// What [`recover`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Recovered {
    /// HEAD had the commit: its index was put in place.
    IndexPutInPlace,
    /// HEAD never moved: the stale lock was removed; the files named are
    /// to be committed again.
    CommitAgain {
        /// The files, relative to the top of the work tree.
        paths: Vec<String>,
        /// The message.
        message: String,
    },
}

fn note_path(repository: &Repository) -> PathBuf {
    repository.git_dir.join(NOTE)
}

/// Writes the note of a commit about to be made. Not synced: it only has to
/// outlive the process (a kill), and a lost note leaves what git leaves.
pub(crate) fn begin(repository: &Repository, note: &Note) -> Result<()> {
    let path = note_path(repository);
    let bytes = serde_json::to_vec(note).map_err(|e| Error::Serialize {
        what: path.display().to_string(),
        detail: e.to_string(),
    })?;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // Never written through a link planted in its place.
    let _ = fs::remove_file(&path);
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .and_then(|mut file| file.write_all(&bytes))
        .map_err(|e| Error::io(&path, e))
}

/// Removes the note: the commit is whole.
pub(crate) fn end(repository: &Repository) {
    let _ = fs::remove_file(note_path(repository));
}

/// Whether process `pid` still runs (on this machine).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
        return false;
    };
    // Signal 0 checks only: EPERM means it exists under another user.
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

fn read_note(path: &Path) -> Option<Note> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_NOTE_BYTES).read_to_end(&mut bytes).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// This process's and other `tickets`' own names for an index lock
/// (`tickets-index-lock.<pid>`) whose process is gone.
fn dead_lock_names(repository: &Repository) -> Vec<PathBuf> {
    let prefix = super::index_file::held_lock_name(0);
    let prefix = prefix.trim_end_matches('0');
    let Ok(listing) = fs::read_dir(&repository.git_dir) else {
        return Vec::new();
    };
    listing
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let pid: u32 = name.strip_prefix(prefix)?.parse().ok()?;
            (!alive(pid)).then(|| entry.path())
        })
        .collect()
}

/// Whether `a` and `b` are the same file (both names exist, not followed).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Finds an auto-commit killed half-way in `repository` and puts the index
/// back in step (see the module's text). `None` when there is none, or its
/// writer still runs. An `index.lock` is only ever touched when it is the
/// lock a `tickets` that is gone made (the same file as its own name for
/// it): another git's lock is never removed.
pub fn recover(repository: &Repository) -> Result<Option<Recovered>> {
    let path = note_path(repository);
    let note = if fs::symlink_metadata(&path).is_ok() {
        // Not one of ours (or unreadable): left for a person, never acted on.
        read_note(&path)
    } else {
        None
    };
    if note.as_ref().is_some_and(|note| alive(note.pid)) {
        return Ok(None);
    }
    let dead = dead_lock_names(repository);
    if note.is_none() && dead.is_empty() {
        return Ok(None);
    }
    let lock = repository.git_dir.join("index.lock");
    let ours = dead.iter().any(|held| same_file(held, &lock));
    let top = repository.work_tree.as_path();
    let recovered = match note {
        Some(note) => {
            let head = super::head_of(repository, top);
            let moved = head.is_some() && head != note.head && is_the_noted_commit(repository, head.as_deref(), &note);
            if moved {
                if ours {
                    // Written whole before HEAD moved: put in place.
                    fs::rename(&lock, repository.git_dir.join("index")).map_err(|e| Error::io(&lock, e))?;
                }
                Some(Recovered::IndexPutInPlace)
            } else {
                if ours {
                    fs::remove_file(&lock).map_err(|e| Error::io(&lock, e))?;
                }
                Some(Recovered::CommitAgain {
                    paths: note.paths,
                    message: note.message,
                })
            }
        }
        None => {
            if ours {
                fs::remove_file(&lock).map_err(|e| Error::io(&lock, e))?;
            }
            None
        }
    };
    for held in dead {
        let _ = fs::remove_file(held);
    }
    end(repository);
    Ok(recovered)
}

/// Whether `head` is the commit the note describes: its parent is the
/// note's HEAD and its message the note's.
fn is_the_noted_commit(repository: &Repository, head: Option<&str>, note: &Note) -> bool {
    let Some(head) = head else {
        return false;
    };
    let Ok(body) = repository.run(&repository.work_tree, &["cat-file", "commit", head]) else {
        return false;
    };
    let (headers, message) = body.split_once("\n\n").unwrap_or((&body, ""));
    let parents: Vec<&str> = headers.lines().filter_map(|l| l.strip_prefix("parent ")).collect();
    let parent_matches = match &note.head {
        Some(before) => parents == [before.as_str()],
        None => parents.is_empty(),
    };
    parent_matches && message.trim_end() == note.message.trim_end()
}
