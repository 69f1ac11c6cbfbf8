//! The names of a store directory, sorted and packed in one buffer: a
//! million IDs take about 18 MB this way (the bytes, a length byte each and a
//! four-byte start), where a `Vec<String>` takes three times that and a
//! name-to-position hash map as much again. Looked up by binary search.
//!
//! Commands list the case IDs ([`CaseNames::read`]); `check` lists every
//! entry, case file or not, and which are symbolic links
//! ([`CaseNames::entries`]).

use super::case_id_of;
use crate::core::error::{Error, Result};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The case IDs (or every entry name) of a store directory, sorted (as
/// their bytes order them).
#[derive(Debug, Clone, Default)]
pub struct CaseNames {
    /// Each name as a length byte then its bytes (IDs are at most 64 ASCII
    /// characters: [`crate::core::id::validate`]; a file name at most 255
    /// bytes), in directory order.
    bytes: Vec<u8>,
    /// Where each name starts in `bytes`, in sorted order of the names.
    starts: Vec<u32>,
    /// The starts of the entries the listing gave as symbolic links, in
    /// increasing order (rare: a store holds none).
    links: Vec<u32>,
    /// With [`CaseNames::read_with_inodes`]: each name's inode as the
    /// listing gives it (no stat), in sorted order of the names; empty
    /// otherwise.
    inodes: Vec<u64>,
}

impl CaseNames {
    /// Lists `root`: every entry named like a case file ([`case_id_of`]).
    pub fn read(root: &Path) -> Result<CaseNames> {
        CaseNames::list(root, false)
    }

    /// [`CaseNames::read`], with each file's inode number from the listing
    /// itself (no stat): every write of `tickets` renames a new file into
    /// place, and so does git, so a changed inode is a changed case file.
    /// For the portal's catalogue of which customer each case belongs to.
    pub fn read_with_inodes(root: &Path) -> Result<CaseNames> {
        CaseNames::list(root, true)
    }

    fn list(root: &Path, with_inodes: bool) -> Result<CaseNames> {
        use std::os::unix::fs::DirEntryExt;
        let mut names = CaseNames::default();
        let mut inodes = Vec::new();
        for entry in fs::read_dir(root).map_err(|e| Error::io(root, e))? {
            let entry = entry.map_err(|e| Error::io(root, e))?;
            if let Some(id) = case_id_of(&entry.file_name()) {
                names.push(id.as_bytes(), false).map_err(|reason| Error::CannotList {
                    dir: root.to_path_buf(),
                    reason,
                })?;
                if with_inodes {
                    inodes.push(entry.ino());
                }
            }
        }
        if !with_inodes {
            names.sort();
            return Ok(names);
        }
        // Starts grow in listing order: a name's start finds its inode.
        let listed: Vec<u32> = names.starts.clone();
        names.sort();
        names.inodes = names
            .starts
            .iter()
            .map(|start| listed.binary_search(start).map_or(0, |at| inodes[at]))
            .collect();
        Ok(names)
    }

    /// The inode the listing gave the name at `position` (with
    /// [`CaseNames::read_with_inodes`]; 0 otherwise).
    pub fn inode(&self, position: usize) -> u64 {
        self.inodes.get(position).copied().unwrap_or(0)
    }

    /// Lists every entry of `root`, case file or not, noting the ones the
    /// listing gives as symbolic links (from the listing itself on most file
    /// systems: no extra stat). Their names are [`name`](Self::name)s.
    pub fn entries(root: &Path) -> Result<CaseNames> {
        let mut names = CaseNames::default();
        for entry in fs::read_dir(root).map_err(|e| Error::io(root, e))? {
            let entry = entry.map_err(|e| Error::io(root, e))?;
            let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
            names
                .push(entry.file_name().as_bytes(), is_link)
                .map_err(|reason| Error::CannotList {
                    dir: root.to_path_buf(),
                    reason,
                })?;
        }
        names.sort();
        Ok(names)
    }

    /// Packed from a list of IDs (sorted here; for tests and callers that
    /// already hold IDs).
    pub fn from_ids<S: AsRef<str>>(ids: &[S]) -> Result<CaseNames> {
        let mut names = CaseNames::default();
        for id in ids {
            names
                .push(id.as_ref().as_bytes(), false)
                .map_err(|what| Error::Internal { what })?;
        }
        names.sort();
        Ok(names)
    }

    fn push(&mut self, name: &[u8], is_link: bool) -> std::result::Result<(), &'static str> {
        let len = u8::try_from(name.len()).map_err(|_| "a file name is too long")?;
        let start = u32::try_from(self.bytes.len()).map_err(|_| "too many files")?;
        self.bytes.push(len);
        self.bytes.extend_from_slice(name);
        self.starts.push(start);
        if is_link {
            self.links.push(start);
        }
        Ok(())
    }

    fn sort(&mut self) {
        let bytes = &self.bytes;
        self.starts
            .sort_unstable_by(|a, b| slice(bytes, *a).cmp(slice(bytes, *b)));
        self.starts.shrink_to_fit();
        self.bytes.shrink_to_fit();
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The ID at `position` in sorted order (`""` past the end, or when the
    /// name is not UTF-8).
    pub fn get(&self, position: usize) -> &str {
        std::str::from_utf8(self.bytes_at(position)).unwrap_or("")
    }

    /// The name at `position` in sorted order, as the directory gives it
    /// (empty past the end).
    pub fn name(&self, position: usize) -> &OsStr {
        OsStr::from_bytes(self.bytes_at(position))
    }

    /// Whether the listing gave the entry at `position` as a symbolic link.
    pub fn is_link(&self, position: usize) -> bool {
        self.starts
            .get(position)
            .is_some_and(|start| self.links.binary_search(start).is_ok())
    }

    fn bytes_at(&self, position: usize) -> &[u8] {
        self.starts
            .get(position)
            .map_or(&[], |start| slice(&self.bytes, *start))
    }

    /// The IDs in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|position| self.get(position))
    }

    /// The position of `id`, by binary search.
    pub fn position(&self, id: &str) -> Option<usize> {
        let bytes = &self.bytes;
        self.starts
            .binary_search_by(|start| slice(bytes, *start).cmp(id.as_bytes()))
            .ok()
    }

    /// The position of `id`, trying `*hint` first and then updating it to
    /// the position after the one found: files listed in ID order (as the
    /// index is written) are found without a search.
    pub fn position_hinted(&self, id: &str, hint: &mut usize) -> Option<usize> {
        let found = match self.starts.get(*hint) {
            Some(start) if slice(&self.bytes, *start) == id.as_bytes() => Some(*hint),
            _ => self.position(id),
        };
        if let Some(position) = found {
            *hint = position + 1;
        }
        found
    }
}

/// The name starting at `start` (its length byte).
fn slice(bytes: &[u8], start: u32) -> &[u8] {
    let start = start as usize;
    let len = usize::from(bytes[start]);
    &bytes[start + 1..start + 1 + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_names_sort_and_find_as_a_sorted_vec_and_a_map_do() {
        // Pseudo-random IDs of varied lengths and shared prefixes.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut ids: Vec<String> = (0..5000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let len = 1 + (state % 12) as usize;
                let tail: String = (0..len)
                    .map(|k| b"0123456789ABCDEFZ-"[((state >> (k * 4)) % 18) as usize] as char)
                    .collect();
                format!("{}-{tail}", ["AC", "ACME", "B", "ACM"][(state % 4) as usize])
            })
            .collect();
        ids.sort();
        ids.dedup();
        let mut shuffled = ids.clone();
        shuffled.reverse();
        shuffled.swap(0, 7);
        let names = CaseNames::from_ids(&shuffled).unwrap();
        assert_eq!(names.len(), ids.len());
        assert_eq!(names.iter().collect::<Vec<_>>(), ids);
        let mut hint = 0;
        for (at, id) in ids.iter().enumerate() {
            assert_eq!(names.position(id), Some(at));
            assert_eq!(names.position_hinted(id, &mut hint), Some(at));
            assert_eq!(hint, at + 1);
        }
        // Out of order, the hint misses and the search still finds it.
        let mut hint = 3;
        assert_eq!(names.position_hinted(&ids[0], &mut hint), Some(0));
        for absent in ["", "A", "ACME-", "ZZZ", "ACME-0000000000000"] {
            assert_eq!(names.position(absent), ids.binary_search(&absent.to_string()).ok());
        }
        assert_eq!(names.get(ids.len()), "");
    }

    #[test]
    fn a_store_listing_gives_the_case_ids_sorted() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "B-2.yaml",
            "A-1.yaml",
            "config.yaml",
            ".A-3.yaml",
            "notes.txt",
            "A-10.yaml",
        ] {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        let names = CaseNames::read(dir.path()).unwrap();
        assert_eq!(names.iter().collect::<Vec<_>>(), ["A-1", "A-10", "B-2"]);
    }

    #[test]
    fn a_listing_of_every_entry_keeps_any_name_and_which_are_links() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["B-2.yaml", "config.yaml", ".A-3.yaml.1.x.tmp", "notes.txt"] {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        std::os::unix::fs::symlink("B-2.yaml", dir.path().join("A-1.yaml")).unwrap();
        let odd = OsStr::from_bytes(b"\xffodd.yaml");
        fs::write(dir.path().join(odd), "x").unwrap();
        let names = CaseNames::entries(dir.path()).unwrap();
        let listed: Vec<&OsStr> = (0..names.len()).map(|at| names.name(at)).collect();
        assert_eq!(
            listed,
            [".A-3.yaml.1.x.tmp", "A-1.yaml", "B-2.yaml", "config.yaml", "notes.txt"]
                .map(OsStr::new)
                .into_iter()
                .chain([odd])
                .collect::<Vec<_>>()
        );
        let links: Vec<usize> = (0..names.len()).filter(|at| names.is_link(*at)).collect();
        assert_eq!(links, [1]);
        assert_eq!(names.position("config.yaml"), Some(3));
        assert_eq!(names.get(5), "", "not UTF-8");
        assert!(!names.is_link(99));
        assert_eq!(names.name(99), OsStr::new(""));
    }

    #[test]
    fn a_file_replaced_by_a_rename_lists_with_another_inode() {
        let dir = tempfile::tempdir().unwrap();
        for id in ["RC-B", "RC-A"] {
            fs::write(dir.path().join(format!("{id}.yaml")), "x").unwrap();
        }
        let before = CaseNames::read_with_inodes(dir.path()).unwrap();
        assert_eq!(before.iter().collect::<Vec<_>>(), ["RC-A", "RC-B"]);
        assert!(before.inode(0) != 0 && before.inode(0) != before.inode(1));
        fs::write(dir.path().join("new.tmp"), "y").unwrap();
        fs::rename(dir.path().join("new.tmp"), dir.path().join("RC-B.yaml")).unwrap();
        let after = CaseNames::read_with_inodes(dir.path()).unwrap();
        assert_eq!(after.inode(0), before.inode(0), "RC-A untouched");
        assert_ne!(after.inode(1), before.inode(1), "RC-B replaced");
        assert_eq!(
            CaseNames::read(dir.path()).unwrap().inode(0),
            0,
            "no inodes without asking"
        );
    }
}
