//! Attachments: each file stored once under its SHA-256 in the store's
//! `attachments/` directory, `attachments/ab/cdef...` (the first two hex
//! digits name the folder), never changed once written.
//!
//! A file comes in as [`Incoming`]: written to a temp file in
//! `attachments/` while it is hashed, so it is never held whole in memory,
//! and counted against a size limit as it streams. Under the store lock,
//! [`Store::keep_attachment`] renames it to its address and syncs the
//! directories, before the case file that names it is written: a crash
//! leaves at most an unreferenced file (an orphan `check` reports), never
//! an event naming a missing one. A file already at its address with the
//! right bytes is kept as it is.
//!
//! Every file is reached relative to a handle on `attachments/`, never
//! through a symbolic link and never blocking, refused unless it is a
//! regular file; its hash is checked on every read. A committed store is
//! untrusted: `attachments -> /etc` must not serve `/etc`.

use super::atomic_write::{self, Durability};
use super::{kind_of, Store, StoreLock};
use crate::core::case::{is_sha256_hex, Attachment};
use crate::core::error::{Error, Result};
use rustix::fs::{AtFlags, Mode, OFlags};
use sha2::{Digest as _, Sha256};
use std::fs::File;
use std::io::{self, ErrorKind, Read, Seek, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// The directory of attachments in the store.
pub const ATTACHMENTS_DIR: &str = "attachments";

/// The longest attachment name kept, in characters; longer names are cut.
pub const MAX_NAME_CHARS: usize = 255;

/// The longest content type kept, in bytes.
const MAX_CONTENT_TYPE_BYTES: usize = 127;

/// The content type of anything whose declared type is missing or malformed.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// An attachment's name as a label: control characters (a NUL, a terminal
/// escape, a newline) replaced by U+FFFD, cut to [`MAX_NAME_CHARS`], and
/// `attachment` when nothing is left. Never a path: a `/` stays a character.
pub fn label(name: &str) -> String {
    let label: String = name
        .trim()
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .take(MAX_NAME_CHARS)
        .collect();
    if label.trim().is_empty() {
        "attachment".to_string()
    } else {
        label
    }
}

/// A declared content type, lower-cased, when it is `type/subtype` of
/// token characters; else [`OCTET_STREAM`]. Parameters are dropped.
pub fn content_type(declared: Option<&str>) -> String {
    let Some(declared) = declared else {
        return OCTET_STREAM.to_string();
    };
    let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match essence.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) && essence.len() <= MAX_CONTENT_TYPE_BYTES => essence,
        _ => OCTET_STREAM.to_string(),
    }
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A handle on the store's `attachments/` directory.
#[derive(Debug)]
struct AttachmentsDir {
    handle: OwnedFd,
    path: PathBuf,
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC
}

impl AttachmentsDir {
    /// Opens `attachments/` (or `None` when there is none); a link or a
    /// non-directory is refused as invalid data.
    fn open(root: &Path) -> Result<Option<AttachmentsDir>> {
        let path = root.join(ATTACHMENTS_DIR);
        match rustix::fs::open(&path, dir_flags(), Mode::empty()) {
            Ok(handle) => Ok(Some(AttachmentsDir { handle, path })),
            Err(e) if e == rustix::io::Errno::NOENT => Ok(None),
            Err(e) => Err(dir_refusal(&path, e)),
        }
    }

    /// Opens `attachments/`, creating it (and syncing the store's directory) when missing.
    fn create(root: &Path) -> Result<AttachmentsDir> {
        if let Some(dir) = AttachmentsDir::open(root)? {
            return Ok(dir);
        }
        let path = root.join(ATTACHMENTS_DIR);
        match std::fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        File::open(root)
            .and_then(|dir| atomic_write::sync_directory(dir, Durability::Synced))
            .map_err(|e| Error::io(root, e))?;
        AttachmentsDir::open(root)?.ok_or_else(|| Error::io(&path, io::Error::from(ErrorKind::NotFound)))
    }

    /// The folder `ab` of the hash `abcd...`, opened relative to the handle.
    fn folder(&self, sha256: &str, create: bool) -> Result<Option<OwnedFd>> {
        let name = &sha256[..2];
        let path = self.path.join(name);
        if create {
            match rustix::fs::mkdirat(&self.handle, name, Mode::from_raw_mode(0o777)) {
                Ok(()) => atomic_write::sync_directory(&self.handle, Durability::Synced)
                    .map_err(|e| Error::io(&self.path, e))?,
                Err(e) if e == rustix::io::Errno::EXIST => {}
                Err(e) => return Err(Error::io(&path, e.into())),
            }
        }
        match rustix::fs::openat(&self.handle, name, dir_flags(), Mode::empty()) {
            Ok(fd) => Ok(Some(fd)),
            Err(e) if e == rustix::io::Errno::NOENT => Ok(None),
            Err(e) => Err(dir_refusal(&path, e)),
        }
    }
}

/// A link, or anything but a directory or regular file where one is
/// expected: invalid data naming it; anything else an I/O error.
fn refusal(path: &Path, error: io::Error) -> Error {
    let kind = std::fs::symlink_metadata(path).map(|m| m.file_type());
    match kind {
        Ok(kind) if kind.is_symlink() => Error::invalid(
            path,
            None,
            "is a symbolic link; refused (files of the store must be regular files inside it)",
        ),
        Ok(kind) if !kind.is_dir() && !kind.is_file() => {
            Error::invalid(path, None, format!("is {}, not a regular file; refused", kind_of(kind)))
        }
        _ => Error::io(path, error),
    }
}

/// Where a directory is expected (`attachments/`, a folder `ab/`): a
/// file in its place is invalid data naming it, like a link.
fn dir_refusal(path: &Path, error: rustix::io::Errno) -> Error {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return Error::invalid(
            path,
            None,
            "is not a directory; refused (attachments/ holds folders named by two hex digits)",
        );
    }
    refusal(path, error.into())
}

/// The path of an attachment's content, for messages.
fn content_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(ATTACHMENTS_DIR).join(&sha256[..2]).join(&sha256[2..])
}

/// A file being received: written to a temp file in `attachments/` and
/// hashed as it streams, counted against its size limit.
#[derive(Debug)]
pub struct Incoming {
    dir: AttachmentsDir,
    temp: Option<(String, File)>,
    hasher: Sha256,
    size: u64,
    limit: u64,
    name: String,
    content_type: String,
}

/// What came of an [`Incoming`] file.
#[derive(Debug)]
pub enum Received {
    /// Within its limit: written to a temp file, synced, waiting for
    /// [`Store::keep_attachment`]. Dropped, the temp file is removed.
    Staged(Staged),
    /// Over the limit it was received under: nothing is kept.
    TooLarge {
        /// The name, as a label.
        name: String,
        /// How many bytes came (at least; the whole file when it was read to its end).
        size: u64,
    },
}

/// A received file in a temp file of `attachments/`, hashed.
#[derive(Debug)]
pub struct Staged {
    dir: AttachmentsDir,
    temp: Option<String>,
    /// What the event will record.
    pub attachment: Attachment,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = rustix::fs::unlinkat(&self.dir.handle, temp.as_str(), AtFlags::empty());
        }
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if let Some((temp, _)) = self.temp.take() {
            let _ = rustix::fs::unlinkat(&self.dir.handle, temp.as_str(), AtFlags::empty());
        }
    }
}

impl Incoming {
    /// Adds the next bytes of the file. Past the limit nothing more is
    /// written (the temp file is removed) but the bytes are still counted.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            if let Some((temp, _)) = self.temp.take() {
                let _ = rustix::fs::unlinkat(&self.dir.handle, temp.as_str(), AtFlags::empty());
            }
            return Ok(());
        }
        let Some((temp, file)) = &mut self.temp else {
            return Ok(());
        };
        self.hasher.update(bytes);
        file.write_all(bytes)
            .map_err(|e| Error::io(self.dir.path.join(temp.as_str()), e))
    }

    /// Copies all of `reader` in, in chunks.
    pub fn write_from(&mut self, mut reader: impl Read, source: &Path) -> Result<()> {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(read) => read,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(source, e)),
            };
            self.write(&buffer[..read])?;
        }
    }

    /// Whether the bytes so far are over the limit.
    pub fn is_over(&self) -> bool {
        self.size > self.limit
    }

    /// The bytes so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The end of the file: synced and staged, or over its limit.
    pub fn finish(mut self) -> Result<Received> {
        let Some((temp, file)) = self.temp.take().filter(|_| !self.is_over()) else {
            return Ok(Received::TooLarge {
                name: std::mem::take(&mut self.name),
                size: self.size,
            });
        };
        let synced = atomic_write::sync_file(&file, Durability::Synced);
        let dir = AttachmentsDir {
            handle: self.dir.handle.try_clone().map_err(|e| Error::io(&self.dir.path, e))?,
            path: self.dir.path.clone(),
        };
        let staged = Staged {
            dir,
            temp: Some(temp.clone()),
            attachment: Attachment {
                name: std::mem::take(&mut self.name),
                size: self.size,
                sha256: hex(&std::mem::take(&mut self.hasher).finalize()),
                content_type: std::mem::take(&mut self.content_type),
            },
        };
        synced.map_err(|e| Error::io(self.dir.path.join(&temp), e))?;
        Ok(Received::Staged(staged))
    }
}

/// One file of `attachments/`, as `check` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// The hash its path names (`ab` + `cdef...`), when the path is one.
    pub sha256: Option<String>,
    /// Its path.
    pub path: PathBuf,
    /// Whether it is a temp file left by a crashed writer.
    pub temp: bool,
}

impl Store {
    /// The path of the store's `attachments/` directory.
    pub fn attachments_dir(&self) -> PathBuf {
        self.root().join(ATTACHMENTS_DIR)
    }

    /// The path where an attachment's content is stored, for messages; the
    /// hash must be valid ([`Attachment::has_valid_hash`]).
    pub fn attachment_path(&self, sha256: &str) -> PathBuf {
        content_path(self.root(), sha256)
    }

    /// Starts receiving a file named `name` (a label, see [`label`]) of the
    /// declared `content_type`, refused past `limit` bytes. Needs no lock:
    /// the temp file is the writer's own.
    pub fn receive_attachment(&self, name: &str, content_type: Option<&str>, limit: u64) -> Result<Incoming> {
        self.ensure_exists()?;
        let dir = AttachmentsDir::create(self.root())?;
        let temp = atomic_write::temp_name("incoming");
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let file = rustix::fs::openat(&dir.handle, temp.as_str(), flags, Mode::from_raw_mode(0o666))
            .map(File::from)
            .map_err(|e| Error::io(dir.path.join(&temp), e.into()))?;
        Ok(Incoming {
            dir,
            temp: Some((temp, file)),
            hasher: Sha256::new(),
            size: 0,
            limit,
            name: label(name),
            content_type: content_type_of(content_type),
        })
    }

    /// Starts receiving a file that will not be kept whatever its size
    /// (one past the count of files a message may carry): its bytes are
    /// only counted, nothing is written; it finishes as
    /// [`Received::TooLarge`].
    pub fn count_attachment(&self, name: &str) -> Result<Incoming> {
        self.ensure_exists()?;
        let dir = AttachmentsDir::create(self.root())?;
        Ok(Incoming {
            dir,
            temp: None,
            hasher: Sha256::new(),
            size: 0,
            limit: 0,
            name: label(name),
            content_type: OCTET_STREAM.to_string(),
        })
    }

    /// Moves a staged file to its address, under the lock, and syncs it
    /// there: after this returns, an event may name it. A file already at
    /// the address with the right bytes is kept (the staged copy is
    /// dropped); one with other bytes (damaged) is replaced.
    pub fn keep_attachment(&self, _lock: &StoreLock, mut staged: Staged) -> Result<Attachment> {
        let sha256 = staged.attachment.sha256.clone();
        let path = self.attachment_path(&sha256);
        let folder = staged
            .dir
            .folder(&sha256, true)?
            .ok_or_else(|| Error::io(&path, io::Error::from(ErrorKind::NotFound)))?;
        if self.verify_attachment(&staged.attachment).is_ok() {
            return Ok(staged.attachment.clone());
        }
        let Some(temp) = staged.temp.take() else {
            return Err(Error::Internal {
                what: "a staged attachment was kept twice",
            });
        };
        let renamed = rustix::fs::renameat(&staged.dir.handle, temp.as_str(), &folder, &sha256[2..]);
        if let Err(e) = renamed {
            let _ = rustix::fs::unlinkat(&staged.dir.handle, temp.as_str(), AtFlags::empty());
            return Err(refusal(&path, e.into()));
        }
        atomic_write::sync_directory(&folder, Durability::Synced).map_err(|e| Error::io(&path, e))?;
        atomic_write::sync_directory(&staged.dir.handle, Durability::Synced)
            .map_err(|e| Error::io(&staged.dir.path, e))?;
        Ok(staged.attachment.clone())
    }

    /// Opens an attachment's content for reading after checking it: a
    /// regular file (never a link), of the recorded size, whose SHA-256 is
    /// the recorded one; the file is returned at its start. Anything else
    /// is invalid data naming the file.
    pub fn open_attachment(&self, attachment: &Attachment) -> Result<File> {
        if !attachment.has_valid_hash() {
            return Err(Error::invalid(
                self.attachments_dir(),
                None,
                "an attachment's sha256 is not 64 lower-case hex digits",
            ));
        }
        let sha256 = &attachment.sha256;
        let path = self.attachment_path(sha256);
        let missing = || {
            Error::invalid(
                &path,
                None,
                "is missing (an event names it; restore it from git or a backup)",
            )
        };
        let dir = AttachmentsDir::open(self.root())?.ok_or_else(missing)?;
        let folder = dir.folder(sha256, false)?.ok_or_else(missing)?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let mut file = match rustix::fs::openat(&folder, &sha256[2..], flags, Mode::empty()) {
            Ok(fd) => File::from(fd),
            Err(e) if e == rustix::io::Errno::NOENT => return Err(missing()),
            Err(e) => return Err(refusal(&path, e.into())),
        };
        let meta = file.metadata().map_err(|e| Error::io(&path, e))?;
        if !meta.is_file() {
            return Err(Error::invalid(
                &path,
                None,
                format!("is {}, not a regular file; refused", kind_of(meta.file_type())),
            ));
        }
        if meta.len() != attachment.size {
            return Err(Error::invalid(
                &path,
                None,
                format!("is {} bytes, but the event records {}", meta.len(), attachment.size),
            ));
        }
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut reader = (&file).take(attachment.size.saturating_add(1));
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => hasher.update(&buffer[..read]),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        if hex(&hasher.finalize()) != *sha256 {
            return Err(Error::invalid(
                &path,
                None,
                "does not match its SHA-256 (damaged or changed; restore it from git or a backup)",
            ));
        }
        file.rewind().map_err(|e| Error::io(&path, e))?;
        Ok(file)
    }

    /// Checks an attachment's content as [`Store::open_attachment`] does.
    pub fn verify_attachment(&self, attachment: &Attachment) -> Result<()> {
        self.open_attachment(attachment).map(drop)
    }

    /// Every file under `attachments/`: contents and temp files. Entries
    /// that are neither (a link, a stray name) come with no hash.
    pub fn attachment_files(&self) -> Result<Vec<StoredFile>> {
        let Some(dir) = AttachmentsDir::open(self.root())? else {
            return Ok(Vec::new());
        };
        let mut files = Vec::new();
        let entries = std::fs::read_dir(&dir.path).map_err(|e| Error::io(&dir.path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir.path, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if atomic_write::is_temp_name(&name) && kind.is_file() {
                files.push(StoredFile {
                    sha256: None,
                    path,
                    temp: true,
                });
                continue;
            }
            let is_folder = name.len() == 2 && is_sha256_hex(&format!("{name}{}", "0".repeat(62)));
            if !is_folder || !kind.is_dir() {
                files.push(StoredFile {
                    sha256: None,
                    path,
                    temp: false,
                });
                continue;
            }
            let inner = std::fs::read_dir(&path).map_err(|e| Error::io(&path, e))?;
            for file in inner {
                let file = file.map_err(|e| Error::io(&path, e))?;
                let rest = file.file_name().to_string_lossy().into_owned();
                let sha256 = format!("{name}{rest}");
                let regular = file.file_type().is_ok_and(|t| t.is_file());
                files.push(StoredFile {
                    sha256: (is_sha256_hex(&sha256) && regular).then_some(sha256),
                    path: file.path(),
                    temp: false,
                });
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Removes one unreferenced file of `attachments/` (an orphan or a temp
    /// file), under the lock; never a directory, never through a link.
    pub fn remove_attachment_file(&self, _lock: &StoreLock, file: &StoredFile) -> Result<()> {
        let Ok(inside) = file.path.strip_prefix(self.attachments_dir()) else {
            return Err(Error::NotAnAttachmentFile {
                path: file.path.clone(),
            });
        };
        let Some(dir) = AttachmentsDir::open(self.root())? else {
            return Ok(());
        };
        let parts: Vec<&str> = inside.iter().filter_map(|p| p.to_str()).collect();
        let removed = match parts.as_slice() {
            [name] => rustix::fs::unlinkat(&dir.handle, *name, AtFlags::empty()),
            [folder, name] if folder.len() == 2 => {
                let folder = rustix::fs::openat(&dir.handle, *folder, dir_flags(), Mode::empty())
                    .map_err(|e| Error::io(&file.path, e.into()))?;
                rustix::fs::unlinkat(&folder, *name, AtFlags::empty())
            }
            _ => {
                return Err(Error::NotAnAttachmentFile {
                    path: file.path.clone(),
                })
            }
        };
        match removed {
            Ok(()) => Ok(()),
            Err(e) if e == rustix::io::Errno::NOENT => Ok(()),
            Err(e) => Err(Error::io(&file.path, e.into())),
        }
    }
}

fn content_type_of(declared: Option<&str>) -> String {
    content_type(declared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_control_characters_and_length_but_keep_slashes() {
        assert_eq!(label("../../etc/passwd"), "../../etc/passwd");
        assert_eq!(label("a\0b\x1b[31m.txt"), "a\u{FFFD}b\u{FFFD}[31m.txt");
        assert_eq!(label(&"x".repeat(10_000)).chars().count(), MAX_NAME_CHARS);
        assert_eq!(label(" \n "), "attachment");
    }

    #[test]
    fn content_types_are_kept_only_when_well_formed() {
        assert_eq!(content_type(Some("Image/PNG; name=x")), "image/png");
        assert_eq!(content_type(Some("text/html\r\nX-Evil: 1")), OCTET_STREAM);
        assert_eq!(content_type(Some("nonsense")), OCTET_STREAM);
        assert_eq!(content_type(None), OCTET_STREAM);
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.init("analysts: []\n").unwrap();
        (dir, store)
    }

    #[test]
    fn a_file_is_stored_under_its_hash_once_and_read_back_checked() {
        let (_dir, store) = store();
        let lock = store.lock(std::time::Duration::from_secs(1)).unwrap();
        let mut incoming = store.receive_attachment("log.txt", Some("text/plain"), 100).unwrap();
        incoming.write(b"hello ").unwrap();
        incoming.write(b"world").unwrap();
        let Received::Staged(staged) = incoming.finish().unwrap() else {
            panic!("within the limit")
        };
        let kept = store.keep_attachment(&lock, staged).unwrap();
        assert_eq!(kept.sha256, sha256_hex(b"hello world"));
        let path = store.attachment_path(&kept.sha256);
        assert_eq!(std::fs::read(&path).unwrap(), b"hello world");
        let mut again = store.receive_attachment("other name", None, 100).unwrap();
        again.write(b"hello world").unwrap();
        let Received::Staged(staged) = again.finish().unwrap() else {
            panic!("within the limit")
        };
        assert_eq!(store.keep_attachment(&lock, staged).unwrap().sha256, kept.sha256);
        let files = store.attachment_files().unwrap();
        assert_eq!(files.len(), 1, "no temp file left: {files:?}");
        let mut read = String::new();
        store.open_attachment(&kept).unwrap().read_to_string(&mut read).unwrap();
        assert_eq!(read, "hello world");
        std::fs::write(&path, b"hello World").unwrap();
        assert!(matches!(
            store.open_attachment(&kept).unwrap_err(),
            Error::InvalidData { .. }
        ));
    }

    #[test]
    fn a_file_over_its_limit_leaves_nothing() {
        let (_dir, store) = store();
        let mut incoming = store.receive_attachment("big.bin", None, 4).unwrap();
        incoming.write(b"12345").unwrap();
        incoming.write(b"678").unwrap();
        match incoming.finish().unwrap() {
            Received::TooLarge { name, size } => assert_eq!((name.as_str(), size), ("big.bin", 8)),
            Received::Staged(_) => panic!("over the limit"),
        }
        assert!(store.attachment_files().unwrap().is_empty());
    }
}
