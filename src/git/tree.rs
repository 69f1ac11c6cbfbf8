//! The auto-commit's tree, made by editing HEAD's trees along the changed
//! paths only.
//!
//! git's own way (an index read from HEAD, the entries updated,
//! `write-tree`) reads and writes every entry of the work tree and checks
//! that every blob exists: most of a second at 100,000 cases. The commit
//! changes a few files of one folder, so only the trees from that folder up
//! to the root change. They are read with one `git cat-file --batch`,
//! edited here (entries replaced or inserted in git's order), and written
//! back uncompressed ([`objects`](super::objects), or `git hash-object -t
//! tree -w` with `core.looseCompression=0`). Anything unusual (no HEAD yet, a file where a
//! folder should be) is left to git's own way: the caller falls back.

use super::objects::{read_stored, to_hex, write_loose, SHA1_LEN};
use super::Repository;
use crate::core::error::{Error, GitError, Result};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

/// A change to a tree: the entry's mode, name and (binary) object ID.
type Change = (Vec<u8>, Vec<u8>, Vec<u8>);

/// The mode of a tree entry naming a folder.
const TREE_MODE: &[u8] = b"40000";
/// The mode the auto-commit gives its files (as `update-index` is told).
const FILE_MODE: &[u8] = b"100644";

/// HEAD and the tree of HEAD with each `paths[i]` (relative to the top of
/// the work tree) set to the blob `blobs[i]`; `None` when this cannot be
/// done by editing HEAD's trees, and git's own way must be taken.
///
/// The new trees are written into `objects` in process when it is given
/// and the repository's IDs are SHA-1 ([`objects`](super::objects)), and by
/// `git hash-object` otherwise.
pub(crate) fn edit_head_tree(
    repository: &Repository,
    top: &Path,
    objects: Option<&Path>,
    blobs: &[&str],
    paths: &[String],
) -> Result<Option<(Option<String>, String)>> {
    let mut reader = Source {
        repository,
        top,
        objects,
        git: None,
    };
    let edited = edit(repository, top, objects, &mut reader, blobs, paths);
    if let Some(git) = reader.git {
        git.finish();
    }
    edited
}

/// Where HEAD's objects are read: in process when they are loose and
/// uncompressed (as this module and `commit-tree` below write them, so
/// every auto-commit after the first), from `git cat-file` otherwise.
struct Source<'a> {
    repository: &'a Repository,
    top: &'a Path,
    objects: Option<&'a Path>,
    git: Option<ObjectReader>,
}

impl Source<'_> {
    /// The object `name` (`HEAD` or an ID) names: its type, ID and body.
    fn read(&mut self, name: &str) -> Result<Option<(String, String, Vec<u8>)>> {
        let git_dir = &self.repository.git_dir;
        // Looked at here even when the objects are read by git: git would
        // wait forever on a FIFO in place of a ref or an object.
        let Some(objects) = self
            .objects
            .map(Path::to_path_buf)
            .or_else(|| super::objects::objects_dir(git_dir))
        else {
            return self.read_by_git(name);
        };
        let hex = match name {
            "HEAD" => match objects.parent() {
                Some(common) => super::objects::head_commit(git_dir, common)
                    .map_err(|source| Error::Git(GitError::Objects { source }))?,
                None => None,
            },
            id => Some(id.to_string()),
        };
        if let Some(hex) = hex {
            let stored = read_stored(&objects, &hex).map_err(|source| Error::Git(GitError::Objects { source }))?;
            if let (Some((kind, body)), Some(_)) = (stored, self.objects) {
                return Ok(Some((kind, hex, body)));
            }
        }
        self.read_by_git(name)
    }

    /// The object `name` names, read by `git cat-file`.
    fn read_by_git(&mut self, name: &str) -> Result<Option<(String, String, Vec<u8>)>> {
        if self.git.is_none() {
            self.git = Some(ObjectReader::start(self.repository, self.top)?);
        }
        match self.git.as_mut() {
            Some(git) => git.read(name),
            None => Ok(None),
        }
    }
}

fn edit(
    repository: &Repository,
    top: &Path,
    objects: Option<&Path>,
    reader: &mut Source,
    blobs: &[&str],
    paths: &[String],
) -> Result<Option<(Option<String>, String)>> {
    let Some((kind, head, body)) = reader.read("HEAD")? else {
        return Ok(None);
    };
    if kind != "commit" {
        return Ok(None);
    }
    let Some(root_tree) = body
        .split(|b| *b == b'\n')
        .next()
        .and_then(|line| line.strip_prefix(b"tree "))
        .map(|hex| String::from_utf8_lossy(hex).into_owned())
    else {
        return Ok(None);
    };
    let hash_len = root_tree.len() / 2;

    // The changes of each folder, the folders above them included ("" is the top).
    let mut changes: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for (blob, path) in blobs.iter().zip(paths) {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        let Some(hash) = from_hex(blob).filter(|h| h.len() == hash_len) else {
            return Ok(None);
        };
        changes
            .entry(folder.to_string())
            .or_default()
            .push((FILE_MODE.to_vec(), name.as_bytes().to_vec(), hash));
        let mut above = folder;
        while !above.is_empty() {
            above = above.rsplit_once('/').map_or("", |(parent, _)| parent);
            changes.entry(above.to_string()).or_default();
        }
    }

    // HEAD's tree of each of those folders, from the top down (a folder
    // HEAD does not have starts empty).
    let mut trees: HashMap<String, Vec<u8>> = HashMap::new();
    let root = match reader.read(&root_tree)? {
        Some((kind, _, body)) if kind == "tree" => body,
        _ => return Ok(None),
    };
    trees.insert(String::new(), root);
    let mut folders: Vec<String> = changes.keys().cloned().collect();
    folders.sort_by_key(|f| if f.is_empty() { 0 } else { f.matches('/').count() + 1 });
    for folder in folders.iter().filter(|f| !f.is_empty()) {
        let (parent, name) = folder.rsplit_once('/').unwrap_or(("", folder));
        let Some(parent_tree) = trees.get(parent) else {
            return Ok(None);
        };
        let Some(entries) = parse_tree(parent_tree, hash_len) else {
            return Ok(None);
        };
        let tree = match entries.iter().find(|e| e.name == name.as_bytes()) {
            None => Vec::new(),
            Some(entry) if entry.mode == TREE_MODE => {
                let hex = to_hex(entry.hash);
                match reader.read(&hex)? {
                    Some((kind, _, body)) if kind == "tree" => body,
                    _ => return Ok(None),
                }
            }
            // A file (or a submodule) where the folder should be.
            Some(_) => return Ok(None),
        };
        trees.insert(folder.clone(), tree);
    }

    // Edited and written from the deepest folder up.
    let mut new_root = None;
    for folder in folders.iter().rev() {
        let Some(mut tree) = trees.remove(folder) else {
            return Ok(None);
        };
        let here = changes.get(folder).map_or(&[][..], Vec::as_slice);
        let edited = if replace_in_place(&mut tree, hash_len, here) {
            tree
        } else {
            let Some(entries) = parse_tree(&tree, hash_len) else {
                return Ok(None);
            };
            let Some(edited) = splice(&entries, here) else {
                return Ok(None);
            };
            edited
        };
        let written = match objects.filter(|_| hash_len == SHA1_LEN) {
            Some(objects) => to_hex(&write_loose(objects, "tree", &edited).map_err(|e| Error::io(objects, e))?),
            // Stored without compression, as above.
            None => repository
                .run_with(
                    top,
                    &[
                        "-c",
                        "core.looseCompression=0",
                        "hash-object",
                        "-t",
                        "tree",
                        "-w",
                        "--stdin",
                    ],
                    Some(&edited),
                    None,
                )?
                .trim()
                .to_string(),
        };
        if folder.is_empty() {
            new_root = Some(written);
        } else {
            let (parent, name) = folder.rsplit_once('/').unwrap_or(("", folder));
            let Some(hash) = from_hex(&written).filter(|h| h.len() == hash_len) else {
                return Ok(None);
            };
            changes
                .entry(parent.to_string())
                .or_default()
                .push((TREE_MODE.to_vec(), name.as_bytes().to_vec(), hash));
        }
    }
    let Some(new_root) = new_root else {
        return Ok(None);
    };
    if new_root == root_tree {
        return Err(Error::Git(GitError::NothingToCommit));
    }
    Ok(Some((Some(head), new_root)))
}

/// One entry of a tree object.
struct Entry<'a> {
    mode: &'a [u8],
    name: &'a [u8],
    hash: &'a [u8],
}

/// The entries of a tree object's body (`MODE NAME\0HASH`...).
fn parse_tree(mut body: &[u8], hash_len: usize) -> Option<Vec<Entry<'_>>> {
    let mut entries = Vec::new();
    while !body.is_empty() {
        let space = body.iter().position(|b| *b == b' ')?;
        let nul = space + body[space..].iter().position(|b| *b == 0)?;
        let end = nul + 1 + hash_len;
        entries.push(Entry {
            mode: &body[..space],
            name: &body[space + 1..nul],
            hash: body.get(nul + 1..end)?,
        });
        body = &body[end..];
    }
    Some(entries)
}

/// The most changes looked up one by one by [`replace_in_place`]; more
/// are spliced in one pass.
const IN_PLACE_MOST: usize = 8;

/// Sets each change's ID in `tree` itself, when each replaces an entry of
/// the same name and mode (a case file changed, the common case: no entry
/// moves, and no copy of a large folder's tree is made). `false`, with
/// `tree` untouched, when any change adds or retypes an entry.
fn replace_in_place(tree: &mut [u8], hash_len: usize, changes: &[Change]) -> bool {
    if changes.is_empty() || changes.len() > IN_PLACE_MOST {
        return false;
    }
    let mut places = Vec::with_capacity(changes.len());
    for (mode, name, hash) in changes {
        match find_entry(tree, hash_len, name) {
            Some((at, entry_mode)) if entry_mode == mode.as_slice() && hash.len() == hash_len => places.push(at),
            _ => return false,
        }
    }
    for (at, (_, _, hash)) in places.into_iter().zip(changes) {
        tree[at..at + hash_len].copy_from_slice(hash);
    }
    true
}

/// Where the ID of the entry called `name` starts in the tree `body`, and
/// that entry's mode; `None` when it has none (or does not parse).
fn find_entry<'a>(body: &'a [u8], hash_len: usize, name: &[u8]) -> Option<(usize, &'a [u8])> {
    let mut at = 0;
    while at < body.len() {
        let space = at + memchr::memchr(b' ', &body[at..])?;
        let nul = space + memchr::memchr(0, &body[space..])?;
        let end = nul + 1 + hash_len;
        if end > body.len() {
            return None;
        }
        if &body[space + 1..nul] == name {
            return Some((nul + 1, &body[at..space]));
        }
        at = end;
    }
    None
}

/// git's order of tree entries: by name, a folder's name as if it ended in `/`.
fn order_key<'a>(name: &'a [u8], mode: &[u8]) -> impl Iterator<Item = u8> + 'a {
    let slash = (mode == TREE_MODE).then_some(b'/');
    name.iter().copied().chain(slash)
}

/// The tree with each change (mode, name, hash) put in: an entry of that
/// name replaced (a file by a file, a folder by a folder), or inserted in
/// order. `None` when a change would turn a file into a folder or back.
fn splice(entries: &[Entry], changes: &[Change]) -> Option<Vec<u8>> {
    let mut owned: Vec<Change> = Vec::new();
    let mut replaced: HashMap<usize, usize> = HashMap::new();
    for (change_index, (mode, name, _)) in changes.iter().enumerate() {
        let position = |kind: &[u8]| entries.partition_point(|e| order_key(e.name, e.mode).lt(order_key(name, kind)));
        let named_at = |at: usize| entries.get(at).filter(|e| e.name == name.as_slice()).map(|_| at);
        let other_kind = if mode.as_slice() == TREE_MODE {
            FILE_MODE
        } else {
            TREE_MODE
        };
        if named_at(position(other_kind)).is_some_and(|at| (entries[at].mode == TREE_MODE) != (mode == TREE_MODE)) {
            return None;
        }
        match named_at(position(mode)) {
            Some(at) => {
                if (entries[at].mode == TREE_MODE) != (mode.as_slice() == TREE_MODE) {
                    return None;
                }
                replaced.insert(at, change_index);
            }
            None => owned.push(changes[change_index].clone()),
        }
    }
    owned.sort_by(|a, b| order_key(&a.1, &a.0).cmp(order_key(&b.1, &b.0)));
    owned.dedup_by(|a, b| a.1 == b.1);
    let mut out = Vec::with_capacity(
        entries
            .iter()
            .map(|e| e.mode.len() + e.name.len() + e.hash.len() + 2)
            .sum(),
    );
    let put = |out: &mut Vec<u8>, mode: &[u8], name: &[u8], hash: &[u8]| {
        out.extend_from_slice(mode);
        out.push(b' ');
        out.extend_from_slice(name);
        out.push(0);
        out.extend_from_slice(hash);
    };
    let mut inserts = owned.iter().peekable();
    for (at, entry) in entries.iter().enumerate() {
        while let Some((mode, name, hash)) =
            inserts.next_if(|(mode, name, _)| order_key(name, mode).lt(order_key(entry.name, entry.mode)))
        {
            put(&mut out, mode, name, hash);
        }
        match replaced.get(&at) {
            Some(&change) => {
                let (mode, name, hash) = &changes[change];
                put(&mut out, mode, name, hash);
            }
            None => put(&mut out, entry.mode, entry.name, entry.hash),
        }
    }
    for (mode, name, hash) in inserts {
        put(&mut out, mode, name, hash);
    }
    Some(out)
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim().as_bytes();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

/// A running `git cat-file --batch`: one object at a time, by name.
struct ObjectReader {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl ObjectReader {
    fn start(repository: &Repository, top: &Path) -> Result<ObjectReader> {
        let mut child = repository
            .command(top, &["cat-file", "--batch"])?
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| Error::Git(GitError::CannotRun { source }))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::Git(GitError::Plumbing {
                what: "cannot run git cat-file",
            }));
        };
        // A large folder's tree is megabytes: a pipe of a megabyte (the
        // usual most) wakes each side a few times instead of a hundred.
        let _ = rustix::pipe::fcntl_setpipe_size(&output, 1 << 20);
        Ok(ObjectReader {
            child,
            input: Some(input),
            output: BufReader::with_capacity(1 << 16, output),
        })
    }

    /// The object `name` names: its type, its ID and its body; `None` when missing.
    fn read(&mut self, name: &str) -> Result<Option<(String, String, Vec<u8>)>> {
        let broken = |source: std::io::Error| Error::Git(GitError::CatFile { source });
        if name.contains(['\n', ' ']) {
            return Ok(None);
        }
        let input = self.input.as_mut().ok_or(Error::Git(GitError::Plumbing {
            what: "git cat-file has ended",
        }))?;
        input.write_all(format!("{name}\n").as_bytes()).map_err(broken)?;
        input.flush().map_err(broken)?;
        let mut header = String::new();
        self.output.read_line(&mut header).map_err(broken)?;
        let mut fields = header.split_whitespace();
        let (Some(id), Some(kind), Some(size)) = (fields.next(), fields.next(), fields.next()) else {
            // `NAME missing`, `NAME ambiguous`, or nothing at all.
            return Ok(None);
        };
        let size: usize = size
            .parse()
            .map_err(|_| Error::Git(GitError::CatFileHeader { header: header.clone() }))?;
        let mut body = vec![0; size + 1];
        self.output.read_exact(&mut body).map_err(broken)?;
        body.pop();
        Ok(Some((kind.to_string(), id.to_string(), body)))
    }

    fn finish(mut self) {
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (mode, name, fill) in entries {
            out.extend_from_slice(mode.as_bytes());
            out.push(b' ');
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            out.extend_from_slice(&[*fill; 20]);
        }
        out
    }

    #[test]
    fn a_file_is_replaced_in_place_and_a_new_one_inserted_in_gits_order() {
        // git orders the folder `RC-4` as `RC-4/`: after the file `RC-4.yaml`.
        let old = tree(&[
            ("100644", "RC-1.yaml", 1),
            ("100644", "RC-3.yaml", 3),
            ("100644", "RC-4.yaml", 5),
            ("40000", "RC-4", 4),
        ]);
        let entries = parse_tree(&old, 20).expect("parses");
        let changes = vec![
            (FILE_MODE.to_vec(), b"RC-3.yaml".to_vec(), vec![9; 20]),
            (FILE_MODE.to_vec(), b"RC-2.yaml".to_vec(), vec![2; 20]),
            (FILE_MODE.to_vec(), b"RC-5.yaml".to_vec(), vec![6; 20]),
        ];
        let new = splice(&entries, &changes).expect("spliced");
        let expected = tree(&[
            ("100644", "RC-1.yaml", 1),
            ("100644", "RC-2.yaml", 2),
            ("100644", "RC-3.yaml", 9),
            ("100644", "RC-4.yaml", 5),
            ("40000", "RC-4", 4),
            ("100644", "RC-5.yaml", 6),
        ]);
        assert_eq!(new, expected);
    }

    #[test]
    fn a_changed_file_is_replaced_in_place_and_anything_else_is_spliced() {
        let old = tree(&[
            ("100644", "RC-1.yaml", 1),
            ("40000", "RC-2.yaml", 2),
            ("100644", "RC-3.yaml", 3),
        ]);
        let mut edited = old.clone();
        let changes = vec![(FILE_MODE.to_vec(), b"RC-3.yaml".to_vec(), vec![9; 20])];
        assert!(replace_in_place(&mut edited, 20, &changes));
        assert_eq!(
            edited,
            tree(&[
                ("100644", "RC-1.yaml", 1),
                ("40000", "RC-2.yaml", 2),
                ("100644", "RC-3.yaml", 9)
            ])
        );
        // A new file, or a file over a folder: not in place, and nothing touched.
        for name in ["RC-0.yaml", "RC-2.yaml"] {
            let mut untouched = old.clone();
            let changes = vec![
                (FILE_MODE.to_vec(), b"RC-1.yaml".to_vec(), vec![8; 20]),
                (FILE_MODE.to_vec(), name.as_bytes().to_vec(), vec![9; 20]),
            ];
            assert!(!replace_in_place(&mut untouched, 20, &changes));
            assert_eq!(untouched, old);
        }
    }

    #[test]
    fn a_file_never_replaces_a_folder_of_the_same_name() {
        let old = tree(&[("40000", "RC-1.yaml", 1)]);
        let entries = parse_tree(&old, 20).expect("parses");
        let changes = vec![(FILE_MODE.to_vec(), b"RC-1.yaml".to_vec(), vec![9; 20])];
        assert_eq!(splice(&entries, &changes), None);
    }
}
