//! The one way the store replaces a file: write a temp file beside it, sync
//! it, rename it over the target, sync the directory. A crash leaves the old
//! file or the new one, whole, never half; what is left of a crashed write
//! is a temp file named `.<NAME>.<pid>.<random>.tmp`, which every reader
//! ignores and the sweep removes ([`is_temp_name`]).
//!
//! Files in the store's directory go through `tempfile` (created exclusively,
//! removed when a write fails); files in `.tickets/` are created and renamed
//! relative to a handle on that directory ([`super::derived_dir`]), with the
//! same names and the same syncing.

use crate::core::error::{Error, Result};
use std::fs::{File, Permissions};
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tempfile::{NamedTempFile, TempPath};

/// Whether a write waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Durability {
    /// The file is synced before the rename and the directory after it: a
    /// power failure loses nothing that was reported written.
    Synced,
    /// Still a temp file and a rename (never half-written), but a power
    /// failure may lose the latest writes: for bulk generation, and for
    /// derived files that are rebuilt when lost.
    Unsynced,
}

const TEMP_SUFFIX: &str = ".tmp";
/// Random characters in a temp file's name, so that two writers never meet.
const RANDOM_CHARACTERS: usize = 8;

/// Whether a directory entry's name is a temp file's, `.<NAME>.<pid>.<random>.tmp`.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TEMP_SUFFIX)
}

/// What a temp file's name for `name` starts with: `.<NAME>.<pid>.`.
fn temp_prefix(name: &str) -> String {
    format!(".{name}.{}.", std::process::id())
}

/// A fresh temp file name for `name`, `.<NAME>.<pid>.<random>.tmp`, for
/// files created relative to a directory handle.
pub(super) fn temp_name(name: &str) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    let random = Alphanumeric.sample_string(&mut rand::rng(), RANDOM_CHARACTERS);
    format!("{}{random}{TEMP_SUFFIX}", temp_prefix(name))
}

/// Syncs a written temp file before it is renamed, when the write is [`Durability::Synced`].
pub(super) fn sync_file(file: &File, durability: Durability) -> io::Result<()> {
    match durability {
        Durability::Synced => file.sync_all(),
        Durability::Unsynced => Ok(()),
    }
}

/// Syncs a directory after a rename in it, when the write is [`Durability::Synced`].
pub(super) fn sync_directory(directory: impl AsFd, durability: Durability) -> io::Result<()> {
    match durability {
        Durability::Synced => Ok(rustix::fs::fsync(directory)?),
        Durability::Unsynced => Ok(()),
    }
}

/// The directory holding `path`, where its temp file goes.
fn directory_of(path: &Path) -> &Path {
    // A bare name (git hands the merge driver `.merge_file_XXXX`) is in ".".
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A new temp file beside `target`, removed when dropped unless persisted.
/// Created exclusively (never through an existing name, a link included),
/// with the permissions any new file gets (0666 less the umask).
fn temp_beside(target: &Path) -> io::Result<NamedTempFile> {
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    tempfile::Builder::new()
        .prefix(&temp_prefix(name))
        .rand_bytes(RANDOM_CHARACTERS)
        .suffix(TEMP_SUFFIX)
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(directory_of(target))
}

/// A temp file beside `target` holding `bytes`, synced when asked, and closed.
fn staged(target: &Path, bytes: &[u8], durability: Durability) -> io::Result<TempPath> {
    let mut temp = temp_beside(target)?;
    temp.write_all(bytes)?;
    sync_file(temp.as_file(), durability)?;
    Ok(temp.into_temp_path())
}

/// Replaces `target` with `bytes`: temp file, sync, rename, sync the
/// directory. On failure the temp file is removed and the target is as it was.
pub(super) fn write(target: &Path, bytes: &[u8], durability: Durability) -> Result<()> {
    let result = (|| -> io::Result<()> {
        staged(target, bytes, durability)?
            .persist(target)
            .map_err(|e| e.error)?;
        if durability == Durability::Synced {
            sync_directory(File::open(directory_of(target))?, durability)?;
        }
        Ok(())
    })();
    result.map_err(|e| Error::io(target, e))
}

/// A file of a batch: its temp file written and still open, removed when
/// dropped unless placed.
pub(super) trait Staged: Send + Sync {
    /// Syncs the temp file (named as its target in an error).
    fn sync(&self) -> Result<()>;
    /// Renames the temp file over its target.
    fn place(self) -> Result<()>;
}

/// The store's one batch writer, for many files of one directory, synced:
/// every temp file staged in turn, their syncs issued in parallel, then
/// each renamed over its target in order and the directory synced once
/// (`sync_directory`). A sweep that closes thousands of cases does not wait
/// for each disk flush in turn, and a crash leaves every file old or new,
/// never half.
///
/// Any failure fails the batch and removes the temp files not yet renamed: a
/// failed temp file or sync leaves every target as it was; a failed rename
/// leaves the ones before it written.
pub(super) fn write_batch<S: Staged>(
    staged: impl IntoIterator<Item = Result<S>>,
    sync_directory: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let staged: Vec<S> = staged.into_iter().collect::<Result<_>>()?;
    sync_all(&staged)?;
    for file in staged {
        file.place()?;
    }
    sync_directory()
}

/// Syncs every staged file, up to 16 at a time: syncs wait on the disk, not
/// the processor, so they get threads of their own rather than a pool sized
/// to the cores. The first failure, in order, is the batch's.
fn sync_all<S: Staged>(staged: &[S]) -> Result<()> {
    let threads = staged.len().clamp(1, 16);
    let per_thread = staged.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = staged
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().try_for_each(Staged::sync)))
            .collect();
        handles.into_iter().try_for_each(|handle| {
            handle.join().unwrap_or(Err(Error::Internal {
                what: "a writer thread panicked",
            }))
        })
    })
}

/// A temp file beside its target in a directory named by path.
struct Beside<'a> {
    temp: NamedTempFile,
    target: &'a Path,
}

impl Staged for Beside<'_> {
    fn sync(&self) -> Result<()> {
        sync_file(self.temp.as_file(), Durability::Synced).map_err(|e| Error::io(self.target, e))
    }

    fn place(self) -> Result<()> {
        self.temp
            .persist(self.target)
            .map(drop)
            .map_err(|e| Error::io(self.target, e.error))
    }
}

/// [`write`] for many files of one directory, synced: [`write_batch`].
pub(super) fn write_many(directory: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let staged = files.iter().map(|(target, bytes)| {
        let mut temp = temp_beside(target).map_err(|e| Error::io(target, e))?;
        temp.write_all(bytes).map_err(|e| Error::io(target, e))?;
        Ok(Beside {
            temp,
            target: target.as_path(),
        })
    });
    write_batch(staged, || {
        File::open(directory)
            .and_then(|dir| sync_directory(dir, Durability::Synced))
            .map_err(|e| Error::io(directory, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn temp_files(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|name| is_temp_name(name))
            .collect()
    }

    /// `.<NAME>.<pid>.<random>.tmp`, as the README documents and sweep and check recognise.
    fn is_named_as_documented(temp: &str, name: &str) -> bool {
        let Some(random) = temp
            .strip_prefix(&format!(".{name}.{}.", std::process::id()))
            .and_then(|rest| rest.strip_suffix(".tmp"))
        else {
            return false;
        };
        random.len() == RANDOM_CHARACTERS && random.chars().all(|c| c.is_ascii_alphanumeric())
    }

    #[test]
    fn temp_files_beside_a_target_and_in_the_derived_dir_share_one_name_pattern() {
        let dir = tempfile::tempdir().unwrap();
        let temp = temp_beside(&dir.path().join("RC-7K3QX9MT.yaml")).unwrap();
        let beside = temp.path().file_name().unwrap().to_string_lossy().to_string();
        assert!(is_named_as_documented(&beside, "RC-7K3QX9MT.yaml"), "{beside}");
        assert!(is_temp_name(&beside));
        let derived = temp_name("index");
        assert!(is_named_as_documented(&derived, "index"), "{derived}");
        assert!(is_temp_name(&derived));
        assert_ne!(temp_name("index"), derived, "each name is fresh");
    }

    #[test]
    fn a_write_replaces_the_file_with_the_mode_of_any_new_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("RC-7K3QX9MT.yaml");
        fs::write(&target, "old").unwrap();
        write(&target, b"new", Durability::Synced).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let plain = dir.path().join("plain");
        File::create(&plain).unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), mode(&plain), "not tempfile's 0600");
        write(&dir.path().join("gen.yaml"), b"x", Durability::Unsynced).unwrap();
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn a_batch_that_cannot_write_one_file_writes_none_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("RC-1.yaml");
        fs::write(&first, "old").unwrap();
        let files = vec![
            (first.clone(), b"new".to_vec()),
            (dir.path().join("missing/RC-2.yaml"), b"new".to_vec()),
        ];
        let error = write_many(dir.path(), &files).unwrap_err();
        assert!(error.to_string().contains("RC-2.yaml"), "{error}");
        assert_eq!(fs::read_to_string(&first).unwrap(), "old");
        assert!(temp_files(dir.path()).is_empty());
        write_many(dir.path(), &files[..1]).unwrap();
        assert_eq!(fs::read_to_string(&first).unwrap(), "new");
        assert!(temp_files(dir.path()).is_empty());
    }
}
