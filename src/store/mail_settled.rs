//! The mail host's note of the cases it has nothing left to send for, so
//! that `deliver`, run every minute, reads only the case files that changed
//! since: `.tickets/mail-settled`, derived and local, one line a case
//! (`ID inode size mtime-nanoseconds`). A case file written again (every
//! save renames a new file into place) no longer matches, and is read. The
//! note is never needed for correctness: missing, damaged or stale, the
//! cases are read.

use super::atomic_write::Durability;
use super::derived_dir::DerivedDir;
use super::{Store, StoreLock};
use crate::core::error::Result;
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::MetadataExt;

/// The note's name in `.tickets/`.
const NAME: &str = "mail-settled";
/// The largest note read (a million cases are about 60 MB).
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What identifies one version of a case file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    inode: u64,
    size: u64,
    modified_ns: i64,
}

impl Store {
    /// The stamp of case `id`'s file as it is now, if it is a regular file.
    pub fn case_file_stamp(&self, id: &str) -> Option<FileStamp> {
        let meta = std::fs::symlink_metadata(self.case_path(id)).ok()?;
        meta.is_file().then(|| FileStamp {
            inode: meta.ino(),
            size: meta.size(),
            modified_ns: meta
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(meta.mtime_nsec()),
        })
    }

    /// The cases the mail host found nothing left to send for, each with
    /// its file's stamp then; empty when there is no note (or it is damaged).
    pub fn mail_settled(&self) -> HashMap<String, FileStamp> {
        let mut settled = HashMap::new();
        let Ok(Some(derived)) = DerivedDir::open(self.root()) else {
            return settled;
        };
        let Ok(file) = derived.open_private_file(NAME) else {
            return settled;
        };
        let mut text = String::new();
        if file.take(MAX_BYTES).read_to_string(&mut text).is_err() {
            return settled;
        }
        for line in text.lines() {
            let mut words = line.split(' ');
            let (Some(id), Some(inode), Some(size), Some(modified_ns)) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                continue;
            };
            if let (Ok(inode), Ok(size), Ok(modified_ns)) = (inode.parse(), size.parse(), modified_ns.parse()) {
                settled.insert(
                    id.to_string(),
                    FileStamp {
                        inode,
                        size,
                        modified_ns,
                    },
                );
            }
        }
        settled
    }

    /// Replaces the note, under `lock` (the delivery lock).
    pub fn write_mail_settled(&self, lock: &StoreLock, settled: &HashMap<String, FileStamp>) -> Result<()> {
        let mut ids: Vec<&String> = settled.keys().collect();
        ids.sort();
        let mut text = String::with_capacity(ids.len() * 48);
        for id in ids {
            let stamp = settled[id];
            text.push_str(&format!("{id} {} {} {}\n", stamp.inode, stamp.size, stamp.modified_ns));
        }
        lock.derived
            .write_private_file(NAME, text.as_bytes(), Durability::Unsynced)
    }
}
