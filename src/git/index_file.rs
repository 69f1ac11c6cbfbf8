//! The clone's index, with a few entries set in process.
//!
//! After an auto-commit the index must name the committed blobs, or
//! `git status` would show the files as changed back. `git update-index`
//! reads the whole index, refreshes nothing, and writes the whole index back
//! with a collision-checked SHA-1 of it: over a tenth of a second for the
//! 100,000 entries of a large store. Here the index is mapped, walked in
//! place, and written back from slices of itself with the CPU's SHA
//! instructions, as git's lock-file protocol wants (`index.lock` created
//! exclusively first, renamed over `index` last).
//!
//! An entry is set exactly as `git update-index --index-info` sets it:
//! mode 100644, the blob, stage 0, and no file metadata, so the next
//! `git status` hashes the file again before calling it clean.
//!
//! Only what is plainly understood is edited: versions 2 and 3, entries at
//! stage 0 without extended flags. The cache-tree (`TREE`) is kept with the
//! folders above each set entry marked invalid, as git does; resolve-undo
//! (`REUC`) is kept; other optional extensions (caches of untracked files,
//! of the file-system monitor, of entry offsets) are dropped, which git
//! allows. Anything else (version 4, a split or sparse index, an unknown
//! required extension, a conflict, a path whose folder is a file) is left
//! to `git update-index`: [`IndexLock::prepare`] says so and writes nothing.

use super::objects::SHA1_LEN;
use crate::core::error::{Error, GitError, Result};
use sha1::{Digest, Sha1};
use std::borrow::Cow;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The fixed part of an entry: ten 32-bit stat fields, the ID, the flags.
const ENTRY_FIXED: usize = 40 + SHA1_LEN + 2;
const FLAG_EXTENDED: u16 = 0x4000;
const FLAG_STAGE: u16 = 0x3000;
const NAME_MASK: u16 = 0x0fff;
/// The mode `update-index --index-info` is given for case files.
const FILE_MODE: u32 = 0o100644;
/// Deeper cache-trees are not walked (git's own paths are far shallower).
const MAX_TREE_DEPTH: usize = 256;

/// What [`IndexLock::prepare`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The new index, naming the blobs, is written and waits to be put in place.
    Set,
    /// The index is of a kind not edited here; nothing was written.
    LeftToGit(&'static str),
}

/// The clone's index, locked as git locks it (`index.lock` created
/// exclusively), so that no git command changes it between the commit and
/// the index naming the commit's blobs. Dropped, the lock is removed.
///
/// The lock is made as a file of this process's own first
/// (`tickets-index-lock.<pid>`), then hard-linked to `index.lock`, and that
/// first name is kept until the lock is gone: a lock left by a `tickets`
/// that was killed is then known for its own (the same file under both
/// names, the process gone), and never taken for another git's.
pub(crate) struct IndexLock {
    index: PathBuf,
    lock: PathBuf,
    /// This process's own name for the lock file (none where the file
    /// system has no hard links: the lock was created directly).
    held: Option<PathBuf>,
    file: Option<File>,
}

/// This process's own name for the index lock it holds, in `git_dir`.
pub(crate) fn held_lock_name(pid: u32) -> String {
    format!("tickets-index-lock.{pid}")
}

impl IndexLock {
    /// Locks the index of the git directory `git_dir`; a clear error when
    /// another git process holds it.
    pub(crate) fn take(git_dir: &Path) -> Result<IndexLock> {
        let index = git_dir.join("index");
        let lock = git_dir.join("index.lock");
        let held = git_dir.join(held_lock_name(std::process::id()));
        let busy = || Error::Git(GitError::IndexLocked { lock: lock.clone() });
        let create = |path: &Path| {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)
        };
        // A name of ours left by an earlier process of the same ID is stale.
        let _ = fs::remove_file(&held);
        let file = create(&held).map_err(|e| Error::io(&held, e))?;
        match fs::hard_link(&held, &lock) {
            Ok(()) => Ok(IndexLock {
                index,
                lock,
                held: Some(held),
                file: Some(file),
            }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_file(&held);
                Err(busy())
            }
            // No hard links here: the lock is created directly, as git does.
            Err(_) => {
                let _ = fs::remove_file(&held);
                let file = match create(&lock) {
                    Ok(file) => file,
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(busy()),
                    Err(e) => return Err(Error::io(&lock, e)),
                };
                Ok(IndexLock {
                    index,
                    lock,
                    held: None,
                    file: Some(file),
                })
            }
        }
    }

    /// Writes the index with each `(path, blob ID)` of `entries` set
    /// (paths relative to the top of the work tree) into the lock file, to
    /// be put in place by [`finish`](Self::finish); or says why that is left
    /// to git (nothing written; drop the lock before running git).
    ///
    /// The old index is mapped and walked in place; the new one is written
    /// from slices of it, the checksum computed on the way.
    pub(crate) fn prepare(&mut self, entries: &[(String, [u8; SHA1_LEN])]) -> Result<Outcome> {
        // Not blocking, and never left to git when not a regular file:
        // git would wait forever reading a FIFO.
        let file = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.index)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Outcome::LeftToGit("no index yet")),
            Err(e) => return Err(Error::io(&self.index, e)),
        };
        if !file.metadata().map_err(|e| Error::io(&self.index, e))?.is_file() {
            return Err(Error::Git(GitError::IndexNotAFile {
                path: self.index.clone(),
            }));
        }
        // Mapped, not read: git only ever replaces the index by renaming
        // its lock, which is held here.
        let Some(old) = super::objects::map(&file) else {
            return Ok(Outcome::LeftToGit("an index that cannot be mapped"));
        };
        let wanted = wanted(entries);
        // Entries changed in the old index's own second look clean to git
        // only while the index is that old; git smudges them when it writes.
        let index_second = file
            .metadata()
            .ok()
            .and_then(|meta| meta.modified().ok())
            .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(u32::MAX, |since| u32::try_from(since.as_secs()).unwrap_or(u32::MAX));
        let pieces = match edit(&old, &wanted, index_second) {
            Ok(pieces) => pieces,
            Err(reason) => return Ok(Outcome::LeftToGit(reason)),
        };
        let Some(file) = self.file.take() else {
            return Err(Error::Git(GitError::Plumbing {
                what: "the index lock was already used",
            }));
        };
        // Its blocks allocated up front: ext4 otherwise writes a file out
        // when it is renamed over another (its `auto_da_alloc`), which
        // would make the rename wait for megabytes to reach the disk.
        let size: usize = pieces.iter().map(|p| p.len()).sum::<usize>() + SHA1_LEN;
        let _ = rustix::fs::fallocate(&file, rustix::fs::FallocateFlags::empty(), 0, size as u64);
        let mut out = io::BufWriter::with_capacity(1 << 16, file);
        let written = pieces
            .iter()
            .try_for_each(|piece| out.write_all(piece))
            .and_then(|()| out.write_all(&checksum(&old, &pieces)))
            .and_then(|()| out.flush());
        written.map_err(|e| Error::io(&self.lock, e))?;
        Ok(Outcome::Set)
    }

    /// Puts the index [`prepare`](Self::prepare) wrote in place.
    pub(crate) fn finish(mut self) -> Result<()> {
        if self.file.is_some() {
            return Err(Error::Git(GitError::Plumbing {
                what: "the new index was never written",
            }));
        }
        fs::rename(&self.lock, &self.index).map_err(|e| Error::io(&self.index, e))?;
        // Renamed: nothing left to remove but our own name for it.
        self.lock = PathBuf::new();
        if let Some(held) = self.held.take() {
            let _ = fs::remove_file(held);
        }
        Ok(())
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if !self.lock.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.lock);
        }
        if let Some(held) = &self.held {
            let _ = fs::remove_file(held);
        }
    }
}

/// Why an index is left to git.
type Reason = &'static str;
const DAMAGED: Reason = "an index this cannot read";

/// The paths to set, sorted, each once (the last ID given wins).
fn wanted(entries: &[(String, [u8; SHA1_LEN])]) -> Vec<(&[u8], [u8; SHA1_LEN])> {
    let mut wanted: Vec<(&[u8], [u8; SHA1_LEN])> = Vec::with_capacity(entries.len());
    for (path, id) in entries.iter().rev() {
        wanted.push((path.as_bytes(), *id));
    }
    wanted.sort_by(|a, b| a.0.cmp(b.0));
    wanted.dedup_by(|a, b| a.0 == b.0);
    wanted
}

/// The checksum that ends an index of `pieces`: their SHA-1, or none (all
/// zeros) when `old` was written without one (`index.skipHash`).
fn checksum(old: &[u8], pieces: &[Cow<[u8]>]) -> [u8; SHA1_LEN] {
    if old[old.len().saturating_sub(SHA1_LEN)..].iter().all(|b| *b == 0) {
        return [0; SHA1_LEN];
    }
    let mut hasher = Sha1::new();
    for piece in pieces {
        hasher.update(piece);
    }
    hasher.finalize().into()
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The index `old` with the `wanted` entries set, as pieces to write one
/// after the other (mostly slices of `old`; the checksum left out), or why
/// it is left to git: a conflict or a flagged entry at a wanted path, a
/// folder where its file should be, a file where one of its folders should
/// be, or an index of a kind not edited here.
///
/// An entry whose file was modified in or after `index_second` (the old
/// index's modification time, in seconds) is "racily clean": its stat data
/// match a file that may have changed within that second. The new index is
/// newer, so git would trust those stat data; like git's own index writer,
/// its size is set to 0 so that git looks at the file's content again.
fn edit<'a>(
    old: &'a [u8],
    wanted: &[(&[u8], [u8; SHA1_LEN])],
    index_second: u32,
) -> std::result::Result<Vec<Cow<'a, [u8]>>, Reason> {
    for (path, _) in wanted {
        if path.is_empty() || path.len() >= usize::from(NAME_MASK) || path.contains(&0) {
            return Err("a path this does not write");
        }
    }
    if old.len() < 12 + SHA1_LEN || &old[..4] != b"DIRC" {
        return Err(DAMAGED);
    }
    let version = be32(old, 4).ok_or(DAMAGED)?;
    if version != 2 && version != 3 {
        return Err("index version 4 or later");
    }
    let count = be32(old, 8).ok_or(DAMAGED)?;
    let body_end = old.len() - SHA1_LEN;
    let is_wanted = |name: &[u8]| wanted.binary_search_by(|(path, _)| (*path).cmp(name)).is_ok();
    // The folders the wanted paths are in: none may be a file.
    let mut folders: Vec<&[u8]> = wanted
        .iter()
        .flat_map(|(path, _)| {
            path.iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'/')
                .map(|(i, _)| &path[..i])
        })
        .collect();
    folders.sort_unstable();
    folders.dedup();

    // Where each wanted path goes: the offset of the first entry not
    // before it, and the end of the entry it replaces, if any.
    let mut places: Vec<(usize, Option<usize>)> = Vec::with_capacity(wanted.len());
    let mut last_matched: Option<&[u8]> = None;
    let mut racy: Vec<(usize, usize)> = Vec::new();
    let mut at = 12;
    for _ in 0..count {
        let flags = be16(old, at + ENTRY_FIXED - 2).ok_or(DAMAGED)?;
        let extended = flags & FLAG_EXTENDED != 0;
        if extended && version < 3 {
            return Err(DAMAGED);
        }
        let name_start = at + ENTRY_FIXED + if extended { 2 } else { 0 };
        let name_len = match flags & NAME_MASK {
            NAME_MASK => old
                .get(name_start..body_end)
                .and_then(|rest| memchr::memchr(0, rest))
                .ok_or(DAMAGED)?,
            short => usize::from(short),
        };
        let name = old.get(name_start..name_start + name_len).ok_or(DAMAGED)?;
        // Padded with one to eight NULs to a multiple of eight.
        let end = at + ((name_start - at + name_len + 8) & !7);
        if end > body_end {
            return Err(DAMAGED);
        }
        while let Some((path, _)) = wanted.get(places.len()).filter(|(path, _)| *path <= name) {
            let replaces = *path == name;
            if replaces && ((flags & FLAG_STAGE) != 0 || extended) {
                return Err("a conflict or a flagged entry at that path");
            }
            places.push((at, replaces.then_some(end)));
            if replaces {
                last_matched = Some(name);
            }
        }
        if last_matched == Some(name) && places.last().map(|p| p.0) != Some(at) {
            // A second entry of a wanted path: a conflict's other stages.
            return Err("a conflict or a flagged entry at that path");
        }
        if folders.binary_search(&name).is_ok() {
            return Err("a file where a folder should be");
        }
        let modified_second = be32(old, at + 8).ok_or(DAMAGED)?;
        let size = be32(old, at + 36).ok_or(DAMAGED)?;
        if modified_second >= index_second && size != 0 {
            racy.push((at, end));
        }
        // Inside a wanted path, as if that were a folder?
        for i in memchr::memchr_iter(b'/', name) {
            if is_wanted(&name[..i]) {
                return Err("a folder where the file should be");
            }
        }
        at = end;
    }
    let entries_end = at;
    while places.len() < wanted.len() {
        places.push((entries_end, None));
    }

    let added = places.iter().filter(|(_, replaced)| replaced.is_none()).count();
    let count = u32::try_from(added)
        .ok()
        .and_then(|added| count.checked_add(added))
        .ok_or(DAMAGED)?;
    let mut pieces: Vec<Cow<[u8]>> = Vec::with_capacity(2 * wanted.len() + 8);
    let mut header = old[..8].to_vec();
    header.extend_from_slice(&count.to_be_bytes());
    pieces.push(Cow::Owned(header));
    let mut copied = 12;
    let mut racy = racy.into_iter().peekable();
    // `old[from..to]`, with each racy entry in it smudged.
    let mut copy = |pieces: &mut Vec<Cow<'a, [u8]>>, from: usize, to: usize| {
        let mut from = from;
        while let Some(&(start, end)) = racy.peek().filter(|(start, _)| *start < to) {
            racy.next();
            if start < from {
                continue;
            }
            pieces.push(Cow::Borrowed(&old[from..start]));
            let mut entry = old[start..end].to_vec();
            entry[36..40].copy_from_slice(&[0; 4]);
            pieces.push(Cow::Owned(entry));
            from = end;
        }
        pieces.push(Cow::Borrowed(&old[from..to]));
    };
    for ((path, id), (start, replaced_end)) in wanted.iter().zip(&places) {
        copy(&mut pieces, copied, *start);
        let mut entry = Vec::with_capacity(ENTRY_FIXED + path.len() + 8);
        put_entry(&mut entry, path, id);
        pieces.push(Cow::Owned(entry));
        copied = replaced_end.unwrap_or(*start);
    }
    copy(&mut pieces, copied, entries_end);

    // The extensions: kept, edited, dropped, or a reason to leave it to git.
    let paths: Vec<&[u8]> = wanted.iter().map(|(p, _)| *p).collect();
    let mut at = entries_end;
    while at < body_end {
        let signature = old.get(at..at + 4).ok_or(DAMAGED)?;
        let size = be32(old, at + 4).ok_or(DAMAGED)? as usize;
        let data = old
            .get(at + 8..(at + 8).saturating_add(size))
            .filter(|_| at + 8 + size <= body_end)
            .ok_or(DAMAGED)?;
        at += 8 + size;
        if !signature[0].is_ascii_uppercase() {
            // `link` (split index), `sdir` (sparse index) or unknown: required.
            return Err("a split, sparse or extended index");
        }
        let data = match signature {
            b"TREE" => Cow::Owned(invalidate_cache_tree(data, &paths).ok_or(DAMAGED)?),
            b"REUC" => Cow::Borrowed(data),
            // Caches git rebuilds (UNTR, FSMN) and offsets that no longer
            // hold (EOIE, IEOT): optional, so left out.
            _ => continue,
        };
        let mut header = signature.to_vec();
        header.extend_from_slice(&(data.len() as u32).to_be_bytes());
        pieces.push(Cow::Owned(header));
        pieces.push(data);
    }
    Ok(pieces)
}

/// An entry as `update-index --index-info` makes it: no stat data, mode
/// 100644, the ID, stage 0, the name, NUL padding to a multiple of eight.
fn put_entry(out: &mut Vec<u8>, path: &[u8], id: &[u8; SHA1_LEN]) {
    let start = out.len();
    out.extend_from_slice(&[0; 24]);
    out.extend_from_slice(&FILE_MODE.to_be_bytes());
    out.extend_from_slice(&[0; 12]);
    out.extend_from_slice(id);
    out.extend_from_slice(&(path.len() as u16).to_be_bytes());
    out.extend_from_slice(path);
    let padded = (ENTRY_FIXED + path.len() + 8) & !7;
    out.resize(start + padded, 0);
}

/// The cache-tree extension with every folder holding one of `paths`
/// marked invalid (entry count -1, no ID), as git's
/// `cache_tree_invalidate_path` does; `None` when it does not parse.
fn invalidate_cache_tree(data: &[u8], paths: &[&[u8]]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut at = 0;
    while at < data.len() {
        node(data, &mut at, &mut out, b"", paths, 0)?;
    }
    Some(out)
}

/// Copies one cache-tree node (and its subtrees) at `at`, whose folder is
/// `parent` joined with its name.
fn node(data: &[u8], at: &mut usize, out: &mut Vec<u8>, parent: &[u8], paths: &[&[u8]], depth: usize) -> Option<()> {
    if depth > MAX_TREE_DEPTH {
        return None;
    }
    let field = |at: &mut usize, end: u8| -> Option<&[u8]> {
        let rest = data.get(*at..)?;
        let len = rest.iter().position(|b| *b == end)?;
        *at += len + 1;
        Some(&rest[..len])
    };
    let name = field(at, 0)?;
    let entry_count: i64 = std::str::from_utf8(field(at, b' ')?).ok()?.parse().ok()?;
    let subtrees: usize = std::str::from_utf8(field(at, b'\n')?).ok()?.parse().ok()?;
    let folder: Vec<u8> = match (parent.is_empty(), depth) {
        (_, 0) => Vec::new(),
        (true, _) => name.to_vec(),
        (false, _) => [parent, b"/", name].concat(),
    };
    let holds =
        |path: &&[u8]| folder.is_empty() || (path.starts_with(&folder) && path.get(folder.len()) == Some(&b'/'));
    let invalid = paths.iter().any(holds);
    out.extend_from_slice(name);
    out.push(0);
    let id = if entry_count >= 0 {
        let id = data.get(*at..*at + SHA1_LEN)?;
        *at += SHA1_LEN;
        Some(id)
    } else {
        None
    };
    match (invalid, id) {
        (false, Some(id)) => {
            out.extend_from_slice(format!("{entry_count} {subtrees}\n").as_bytes());
            out.extend_from_slice(id);
        }
        _ => out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes()),
    }
    for _ in 0..subtrees {
        node(data, at, out, &folder, paths, depth + 1)?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend_from_slice(&2u32.to_be_bytes());
        out.extend_from_slice(&(names.len() as u32).to_be_bytes());
        for name in names {
            put_entry(&mut out, name.as_bytes(), &[7; SHA1_LEN]);
        }
        let checksum: [u8; SHA1_LEN] = Sha1::digest(&out).into();
        out.extend_from_slice(&checksum);
        out
    }

    /// The whole new index, checksum included.
    fn edited(old: &[u8], entries: &[(String, [u8; SHA1_LEN])]) -> std::result::Result<Vec<u8>, &'static str> {
        let pieces = edit(old, &wanted(entries), u32::MAX)?;
        let mut out: Vec<u8> = pieces.concat();
        out.extend_from_slice(&checksum(old, &pieces));
        Ok(out)
    }

    fn names(index: &[u8]) -> Vec<String> {
        let count = be32(index, 8).expect("count") as usize;
        let mut at = 12;
        let mut names = Vec::new();
        for _ in 0..count {
            let len = usize::from(be16(index, at + ENTRY_FIXED - 2).expect("flags") & NAME_MASK);
            names.push(String::from_utf8_lossy(&index[at + ENTRY_FIXED..at + ENTRY_FIXED + len]).into_owned());
            at += (ENTRY_FIXED + len + 8) & !7;
        }
        names
    }

    #[test]
    fn entries_are_replaced_in_place_and_inserted_in_name_order() {
        let old = index(&["a.yaml", "c.yaml", "d/x.yaml"]);
        let new = edited(
            &old,
            &[
                ("c.yaml".into(), [1; 20]),
                ("b.yaml".into(), [2; 20]),
                ("e.yaml".into(), [3; 20]),
            ],
        )
        .expect("edited");
        assert_eq!(names(&new), ["a.yaml", "b.yaml", "c.yaml", "d/x.yaml", "e.yaml"]);
        let checksum: [u8; SHA1_LEN] = Sha1::digest(&new[..new.len() - SHA1_LEN]).into();
        assert_eq!(&new[new.len() - SHA1_LEN..], &checksum);
    }

    #[test]
    fn a_path_under_a_file_or_over_a_folder_is_left_to_git() {
        let old = index(&["a", "d/x.yaml"]);
        assert!(edited(&old, &[("a/b.yaml".into(), [1; 20])]).is_err());
        assert!(edited(&old, &[("d".into(), [1; 20])]).is_err());
    }

    #[test]
    fn only_the_folders_above_a_path_lose_their_cache_tree_ids() {
        // root (2 entries, 1 subtree) -> "d" (1 entry) and nothing else.
        let mut tree = b"\x002 2\n".to_vec();
        tree.extend_from_slice(&[1; 20]);
        tree.extend_from_slice(b"d\x001 0\n");
        tree.extend_from_slice(&[2; 20]);
        tree.extend_from_slice(b"e\x001 0\n");
        tree.extend_from_slice(&[3; 20]);
        let edited = invalidate_cache_tree(&tree, &[b"d/new.yaml"]).expect("parses");
        let mut expected = b"\x00-1 2\nd\x00-1 0\ne\x001 0\n".to_vec();
        expected.extend_from_slice(&[3; 20]);
        assert_eq!(edited, expected);
    }
}
