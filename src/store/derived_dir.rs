//! The store's `.tickets/` directory of derived files (the lock, the index
//! and their temp files), reached only through a handle on the directory
//! itself.
//!
//! `.tickets` is gitignored, but `git add -f` can commit anything: a
//! `.tickets` that is a symbolic link (`.tickets -> .git` would let the index
//! rename replace `.git/index`) is refused and never followed. Every file in
//! it is opened, renamed and removed relative to the handle, so swapping the
//! directory for a link while a command runs changes nothing; each file is
//! opened without following a link and without blocking (a FIFO would hang),
//! and refused unless it is a regular file.

use super::atomic_write::{self, Durability};
use super::{kind_of, DERIVED_DIR};
use crate::core::error::{Error, Result};
use rustix::fs::{AtFlags, Mode, OFlags};
use std::fs::File;
use std::io::{self, ErrorKind};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How a derived file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An existing file, for reading.
    Read,
    /// An existing file, for appending.
    Append,
    /// For writing, created when missing (the lock).
    CreateOrOpen,
    /// A new file for writing; fails if the name exists (temp files).
    CreateNew,
    /// [`Access::CreateNew`], readable and writable by the owner only (mode
    /// 0600): sign-in tokens and messages that carry a sign-in link.
    CreateNewPrivate,
}

/// An open handle on the store's `.tickets/` directory.
#[derive(Debug)]
pub struct DerivedDir {
    handle: OwnedFd,
    path: PathBuf,
}

impl DerivedDir {
    /// Opens the `.tickets/` directory of the store at `root`: `None` when it
    /// does not exist. A symbolic link is refused as invalid data (exit 5);
    /// anything else that is not a directory fails as an I/O error (exit 1).
    pub fn open(root: &Path) -> Result<Option<DerivedDir>> {
        let path = root.join(DERIVED_DIR);
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        match rustix::fs::open(&path, flags, Mode::empty()) {
            Ok(handle) => Ok(Some(DerivedDir { handle, path })),
            Err(e) if e == rustix::io::Errno::NOENT => Ok(None),
            Err(e) => Err(refusal(&path, e.into())),
        }
    }

    /// Opens the `.tickets/` directory, creating it when missing.
    pub fn create(root: &Path) -> Result<DerivedDir> {
        if let Some(dir) = DerivedDir::open(root)? {
            return Ok(dir);
        }
        let path = root.join(DERIVED_DIR);
        // Never create_dir_all: a missing store is not created here.
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        DerivedDir::open(root)?.ok_or_else(|| Error::io(&path, io::Error::from(ErrorKind::NotFound)))
    }

    /// The directory's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file `name` in the directory, never through a link and
    /// never blocking. A link or a file that is not a regular file is
    /// refused as invalid data (exit 5), naming it.
    pub fn open_file(&self, name: &str, access: Access) -> Result<File> {
        let path = self.path.join(name);
        let flags = OFlags::NOFOLLOW
            | OFlags::NONBLOCK
            | OFlags::CLOEXEC
            | match access {
                Access::Read => OFlags::RDONLY,
                Access::Append => OFlags::WRONLY | OFlags::APPEND,
                Access::CreateOrOpen => OFlags::WRONLY | OFlags::CREATE,
                Access::CreateNew | Access::CreateNewPrivate => OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL,
            };
        let mode = Mode::from_raw_mode(if access == Access::CreateNewPrivate {
            0o600
        } else {
            0o666
        });
        let file = match rustix::fs::openat(&self.handle, name, flags, mode) {
            Ok(fd) => File::from(fd),
            Err(e) => return Err(self.refusal_of(name, e.into())),
        };
        let meta = file.metadata().map_err(|e| Error::io(&path, e))?;
        if !meta.is_file() {
            return Err(not_regular(&path, kind_of(meta.file_type())));
        }
        Ok(file)
    }

    /// Opens, for reading, a file that only `tickets` writes, owner only
    /// (mode 0600): the outbox and the sign-in links. A file others may read,
    /// or of another owner, was not written by `tickets` (a git checkout of a
    /// committed `.tickets/` writes 0644) and is refused as invalid data:
    /// it could send mail to anyone or sign anyone in.
    pub(super) fn open_private_file(&self, name: &str) -> Result<File> {
        use std::os::unix::fs::MetadataExt;
        let file = self.open_file(name, Access::Read)?;
        let path = self.path.join(name);
        let meta = file.metadata().map_err(|e| Error::io(&path, e))?;
        if meta.mode() & 0o077 != 0 || meta.uid() != rustix::process::geteuid().as_raw() {
            return Err(Error::invalid(
                &path,
                None,
                "was not written by tickets (readable by others, or another owner's); refused: \
                 remove it (a planted outbox message or sign-in link)",
            ));
        }
        Ok(file)
    }

    /// A new temp file for replacing `target` in this directory, named as
    /// every temp file of the store is (`.<NAME>.<pid>.<random>.tmp`); its
    /// name and the open file.
    pub(super) fn create_temp(&self, target: &str) -> Result<(String, File)> {
        self.create_temp_with(target, Access::CreateNew)
    }

    fn create_temp_with(&self, target: &str, access: Access) -> Result<(String, File)> {
        let temp = atomic_write::temp_name(target);
        let file = self.open_file(&temp, access)?;
        Ok((temp, file))
    }

    /// Renames the written temp file `temp` over `target` the way every
    /// atomic write ends ([`atomic_write`]): the file synced first and the
    /// directory after, when `durability` asks for it.
    pub(super) fn replace_with(&self, temp: &str, file: &File, target: &str, durability: Durability) -> io::Result<()> {
        atomic_write::sync_file(file, durability)?;
        self.rename(temp, target)?;
        atomic_write::sync_directory(&self.handle, durability)
    }

    /// Replaces the file `name` with `bytes`, atomically (temp file, sync,
    /// rename, sync of the directory when `durability` asks for it).
    /// The file is readable by its owner only (mode 0600, whatever the
    /// umask): the outbox and sign-in links hold customers' words and secrets.
    pub(super) fn write_private_file(&self, name: &str, bytes: &[u8], durability: Durability) -> Result<()> {
        self.write_file_with(name, bytes, durability, Access::CreateNewPrivate)
    }

    fn write_file_with(&self, name: &str, bytes: &[u8], durability: Durability, access: Access) -> Result<()> {
        use std::io::Write;
        let (temp, mut file) = self.create_temp_with(name, access)?;
        let written = file
            .write_all(bytes)
            .and_then(|()| self.replace_with(&temp, &file, name, durability));
        if let Err(e) = written {
            let _ = self.remove(&temp);
            return Err(Error::io(self.path.join(name), e));
        }
        Ok(())
    }

    /// [`write_private_file`](Self::write_private_file) for many files, through the store's
    /// batch writer ([`atomic_write::write_batch`]): every temp file written,
    /// their syncs issued in parallel, then the renames and one sync of the
    /// directory. On an error, no file is renamed.
    pub(super) fn write_files(&self, files: &[(String, Vec<u8>)]) -> Result<()> {
        use std::io::Write;
        match files {
            [] => return Ok(()),
            [(name, bytes)] => return self.write_private_file(name, bytes, Durability::Synced),
            _ => {}
        }
        let staged = files.iter().map(|(name, bytes)| {
            let (temp, file) = self.create_temp_with(name, Access::CreateNewPrivate)?;
            let mut staged = StagedHere {
                dir: self,
                temp,
                file,
                name,
                placed: false,
            };
            staged
                .file
                .write_all(bytes)
                .map_err(|e| Error::io(self.path.join(name), e))?;
            Ok(staged)
        });
        atomic_write::write_batch(staged, || {
            atomic_write::sync_directory(&self.handle, Durability::Synced).map_err(|e| Error::io(&self.path, e))
        })
    }

    /// The names of the regular files in the directory that start with
    /// `prefix`, sorted (temp files excepted).
    pub(super) fn names_starting_with(&self, prefix: &str) -> Vec<String> {
        let Ok(entries) = rustix::fs::Dir::read_from(&self.handle) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str().ok().map(String::from))
            .filter(|name| name.starts_with(prefix) && !name.ends_with(".tmp"))
            .collect();
        names.sort();
        names
    }

    /// Renames `from` to `to`, both in this directory: replaces whatever
    /// entry `to` is (a link included) without following it.
    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        Ok(rustix::fs::renameat(&self.handle, from, &self.handle, to)?)
    }

    /// Removes the entry `name` (a link itself, never its target).
    pub fn remove(&self, name: &str) -> io::Result<()> {
        Ok(rustix::fs::unlinkat(&self.handle, name, AtFlags::empty())?)
    }

    /// Removes the regular files named `*.tmp` last changed before `cutoff`;
    /// returns how many.
    pub fn remove_temp_files_older_than(&self, cutoff: SystemTime) -> usize {
        let Ok(entries) = rustix::fs::Dir::read_from(&self.handle) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().to_str() else { continue };
            if !name.ends_with(".tmp") {
                continue;
            }
            let abandoned = rustix::fs::statat(&self.handle, name, AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|stat| {
                rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::RegularFile
                    && SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(stat.st_mtime.max(0) as u64) < cutoff
            });
            if abandoned && self.remove(name).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// The error for a failed open of `name`: what the entry is when it is
    /// a link or not a regular file, the I/O error otherwise.
    fn refusal_of(&self, name: &str, error: io::Error) -> Error {
        let path = self.path.join(name);
        match rustix::fs::statat(&self.handle, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => match rustix::fs::FileType::from_raw_mode(stat.st_mode) {
                rustix::fs::FileType::RegularFile => Error::io(&path, error),
                rustix::fs::FileType::Symlink => is_a_link(&path),
                rustix::fs::FileType::Directory => not_regular(&path, "a directory"),
                rustix::fs::FileType::Fifo => not_regular(&path, "a FIFO (named pipe)"),
                rustix::fs::FileType::Socket => not_regular(&path, "a socket"),
                _ => not_regular(&path, "a device"),
            },
            Err(_) => Error::io(&path, error),
        }
    }
}

fn is_a_link(path: &Path) -> Error {
    Error::invalid(
        path,
        None,
        "is a symbolic link; refused and never followed (derived files live in a real directory: \
         remove the link, `git rm` it if it was committed, and it is rebuilt)",
    )
}

fn not_regular(path: &Path, kind: &str) -> Error {
    Error::invalid(
        path,
        None,
        format!("is {kind}, not a regular file; refused (a derived file: remove it and it is rebuilt)"),
    )
}

/// The error for a `.tickets` that could not be opened as a directory.
fn refusal(path: &Path, error: io::Error) -> Error {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => is_a_link(path),
        Ok(meta) if !meta.is_dir() => Error::io(
            path,
            io::Error::new(
                ErrorKind::NotADirectory,
                format!(
                    "is {}, not a directory; the lock and the index live there (remove it and it is rebuilt)",
                    kind_of(meta.file_type())
                ),
            ),
        ),
        _ => Error::io(path, error),
    }
}

/// A temp file of a batch in `.tickets/`, written and open; removed when
/// dropped unless placed.
struct StagedHere<'a> {
    dir: &'a DerivedDir,
    temp: String,
    file: File,
    name: &'a str,
    placed: bool,
}

impl atomic_write::Staged for StagedHere<'_> {
    fn sync(&self) -> Result<()> {
        atomic_write::sync_file(&self.file, Durability::Synced).map_err(|e| Error::io(self.dir.path.join(self.name), e))
    }

    fn place(mut self) -> Result<()> {
        self.dir
            .rename(&self.temp, self.name)
            .map_err(|e| Error::io(self.dir.path.join(self.name), e))?;
        self.placed = true;
        Ok(())
    }
}

impl Drop for StagedHere<'_> {
    fn drop(&mut self) {
        if !self.placed {
            let _ = self.dir.remove(&self.temp);
        }
    }
}
