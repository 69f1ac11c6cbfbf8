//! The IDs of a store's case files, sorted and packed in one buffer: a
//! million IDs take about 18 MB this way (the bytes, a length byte each and a
//! four-byte start), where a `Vec<String>` takes three times that and a
//! name-to-position hash map as much again. Looked up by binary search.

use super::case_id_of;
use crate::core::error::{Error, Result};
use std::fs;
use std::path::Path;

/// The case IDs of a store directory, sorted (as `str` orders them).
#[derive(Debug, Clone, Default)]
pub struct CaseNames {
    /// Each ID as a length byte then its bytes (IDs are at most 64 ASCII
    /// characters: [`crate::core::id::validate`]), in directory order.
    bytes: Vec<u8>,
    /// Where each ID starts in `bytes`, in sorted order of the IDs.
    starts: Vec<u32>,
}

impl CaseNames {
    /// Lists `root`: every entry named like a case file ([`case_id_of`]).
    pub fn read(root: &Path) -> Result<CaseNames> {
        let mut names = CaseNames::default();
        for entry in fs::read_dir(root).map_err(|e| Error::io(root, e))? {
            let entry = entry.map_err(|e| Error::io(root, e))?;
            if let Some(id) = case_id_of(&entry.file_name()) {
                names.push(&id).map_err(|reason| Error::CannotList {
                    dir: root.to_path_buf(),
                    reason,
                })?;
            }
        }
        names.sort();
        Ok(names)
    }

    /// Packed from a list of IDs (sorted here; for tests and callers that
    /// already hold IDs).
    pub fn from_ids<S: AsRef<str>>(ids: &[S]) -> Result<CaseNames> {
        let mut names = CaseNames::default();
        for id in ids {
            names.push(id.as_ref()).map_err(|what| Error::Internal { what })?;
        }
        names.sort();
        Ok(names)
    }

    fn push(&mut self, id: &str) -> std::result::Result<(), &'static str> {
        let len = u8::try_from(id.len()).map_err(|_| "a case ID is too long")?;
        let start = u32::try_from(self.bytes.len()).map_err(|_| "too many case files")?;
        self.bytes.push(len);
        self.bytes.extend_from_slice(id.as_bytes());
        self.starts.push(start);
        Ok(())
    }

    fn sort(&mut self) {
        let bytes = &self.bytes;
        self.starts
            .sort_unstable_by(|a, b| slice(bytes, *a).cmp(slice(bytes, *b)));
        self.starts.shrink_to_fit();
        self.bytes.shrink_to_fit();
    }

    /// How many IDs.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The ID at `position` in sorted order (`""` past the end).
    pub fn get(&self, position: usize) -> &str {
        self.starts
            .get(position)
            .and_then(|start| std::str::from_utf8(slice(&self.bytes, *start)).ok())
            .unwrap_or("")
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

/// The ID starting at `start` (its length byte).
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
}
