//! The store owns every byte on disk: paths, IDs, locking, atomic writes
//! and derived files. Nothing else opens a file in the store. What the bytes
//! of a case file mean (YAML, caps, conflict markers) is [`crate::format`].
//!
//! Layout: `config.yaml`, one `<ID>.yaml` per case, and `.tickets/` for
//! derived files (lock, index) that are never needed for correctness.
//! Temp files are `.<ID>.yaml.<pid>.<random>.tmp` beside their target.

pub mod answers;
mod atomic_write;
pub mod attachments;
pub mod bits;
pub mod case_names;
pub mod customer_lists;
pub mod derived_dir;
pub mod index;
mod lock;
pub mod mail_host;
pub mod mail_settled;
pub mod outbox;
mod regular_file;
pub mod sent_ledger;
pub mod sign_in;

pub use atomic_write::is_temp_name;

/// Replaces the file at `path` (anywhere, not only in a store) with
/// `bytes`: a temp file beside it, synced, renamed over it, the folder
/// synced. On any failure the file is as it was: never cut part-way.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write::write(path, bytes, atomic_write::Durability::Synced)
}
pub use lock::StoreLock;
pub use regular_file::{conflict_in_file, kind_of, load_case_file, open_regular, read_listed_text, read_text};

use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::id;
use crate::format::{parse_yaml, size_cap, to_yaml, MAX_FILE_BYTES};
use atomic_write::Durability;
use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name of the derived-files directory inside a store.
pub const DERIVED_DIR: &str = ".tickets";

/// The `.gitignore` that `init` writes.
pub const GITIGNORE: &str =
    "# Derived files of `tickets`: never needed for correctness, rebuilt when missing.\n/.tickets/\n.*.tmp\n";

/// A store directory.
#[derive(Clone)]
pub struct Store {
    root: PathBuf,
    progress: std::sync::Arc<dyn crate::core::progress::Progress>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// A store at `root` (not checked until used).
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store {
            root: root.into(),
            progress: std::sync::Arc::new(crate::core::progress::Silent),
        }
    }

    /// The same store, telling `progress` how far long work (reading every
    /// case, checking them) is along. Without it nothing is told.
    pub fn with_progress(self, progress: std::sync::Arc<dyn crate::core::progress::Progress>) -> Store {
        Store { progress, ..self }
    }

    /// Where long work over this store reports how far along it is.
    pub fn progress(&self) -> &dyn crate::core::progress::Progress {
        self.progress.as_ref()
    }

    /// The store directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `config.yaml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.yaml")
    }

    /// The path of the directory of derived files, for messages: its files
    /// are opened through [`derived_dir::DerivedDir`], never by path.
    pub fn derived_dir(&self) -> PathBuf {
        self.root.join(DERIVED_DIR)
    }

    /// Whether this process may write the derived directory (`.tickets/`,
    /// or the store itself while `.tickets/` does not exist yet): where
    /// sign-in links are spent. False on a read-only file system or
    /// without write permission, so the portal of a read-only store can say
    /// that signing in is not possible instead of failing on each try.
    pub fn derived_writable(&self) -> bool {
        let derived = self.derived_dir();
        let dir = if std::fs::symlink_metadata(&derived).is_ok() {
            derived
        } else {
            self.root.clone()
        };
        rustix::fs::access(&dir, rustix::fs::Access::WRITE_OK).is_ok()
    }

    /// The path of a case file. `id` must have passed [`id::validate`].
    pub fn case_path(&self, id: &str) -> PathBuf {
        self.root.join(format!("{id}.yaml"))
    }

    /// Checks that the store exists: [`Error::NotAStore`] when it does not.
    pub fn ensure_exists(&self) -> Result<()> {
        // Anything named config.yaml is the store's, and refused when read
        // if it is a link or not a regular file (exit 5, not "no store").
        if fs::symlink_metadata(self.config_path()).is_ok() {
            return Ok(());
        }
        Err(Error::NotAStore {
            path: self.root.clone(),
        })
    }

    /// Loads and validates `config.yaml`.
    pub fn config(&self) -> Result<Config> {
        self.ensure_exists()?;
        let path = self.config_path();
        let text = read_text(&path)?;
        if let Some(found) = crate::core::config::declared_format(&text).filter(|f| *f > crate::core::config::FORMAT) {
            return Err(Error::NewerStore {
                path,
                found,
                supported: crate::core::config::FORMAT,
            });
        }
        let config: Config = parse_yaml(&path, &text)?;
        config
            .validate()
            .map_err(|reason| Error::invalid(&path, None, reason))?;
        crate::core::targets::Policy::new(&config).map_err(|reason| Error::invalid(&path, None, reason))?;
        Ok(config)
    }

    /// Creates a store: the directory, a commented config.yaml and a
    /// .gitignore for derived files. Refuses to overwrite an existing config,
    /// and to read a .gitignore that is a link or not a regular file.
    pub fn init(&self, config_text: &str) -> Result<()> {
        fs::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, e))?;
        if fs::symlink_metadata(self.config_path()).is_ok() {
            return Err(Error::StoreExists {
                path: self.config_path(),
            });
        }
        let gitignore = self.root.join(".gitignore");
        // Read before anything is written, so a refusal leaves no half store.
        let existing = match fs::symlink_metadata(&gitignore) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(read_text(&gitignore)?),
        };
        atomic_write::write(&self.config_path(), config_text.as_bytes(), Durability::Synced)?;
        // A new store mails every event: none was written before the ledger.
        self.write_sent_since(None)?;
        match existing {
            None => atomic_write::write(&gitignore, GITIGNORE.as_bytes(), Durability::Synced)?,
            Some(existing) => {
                // A store at the root of a repository already has one: keep it,
                // and add our patterns, or the lock and index would be committed.
                let present: std::collections::HashSet<&str> = existing.lines().map(str::trim).collect();
                if GITIGNORE.lines().any(|l| !l.starts_with('#') && !present.contains(l)) {
                    let separator = if existing.is_empty() || existing.ends_with('\n') {
                        ""
                    } else {
                        "\n"
                    };
                    atomic_write::write(
                        &gitignore,
                        format!("{existing}{separator}{GITIGNORE}").as_bytes(),
                        Durability::Synced,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// The store's template `name` (`templates/NAME.txt`), if it has one.
    pub fn template(&self, name: &str) -> Result<Option<String>> {
        self.template_in(None, name)
    }

    /// The store's template `name` in `language` (`templates/LANGUAGE/NAME.txt`),
    /// else its template in no language (`templates/NAME.txt`), if any. A
    /// folder that is a link (or anything but a folder) is refused: a
    /// committed `templates -> /elsewhere` would send the customer a file
    /// from outside the store.
    pub fn template_in(&self, language: Option<&str>, name: &str) -> Result<Option<String>> {
        let dir = self.root.join("templates");
        if !real_folder(&dir)? {
            return Ok(None);
        }
        if let Some(language) = language.filter(|l| crate::core::config::is_language_tag(l)) {
            let folder = dir.join(language);
            if real_folder(&folder)? {
                let path = folder.join(format!("{name}.txt"));
                if fs::symlink_metadata(&path).is_ok() {
                    return read_text(&path).map(Some);
                }
            }
        }
        let path = dir.join(format!("{name}.txt"));
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            _ => read_text(&path).map(Some),
        }
    }

    /// Resolves a user-typed ID to a case ID: exact, or a unique prefix, in
    /// any case, with or without the `RC-` prefix (`8nst` finds
    /// `RC-8NSTMFYA`). When nothing matches, the error names the IDs a typo
    /// away (the longest shared start, at least 3 characters).
    pub fn resolve(&self, typed: &str) -> Result<String> {
        let wanted = id::validate(typed)?;
        if self.case_path(&wanted).exists() || fs::symlink_metadata(self.case_path(&wanted)).is_ok() {
            return Ok(wanted);
        }
        let names = self.case_names()?;
        let body = |candidate: &str| candidate.split_once('-').map_or(candidate.len(), |(p, _)| p.len() + 1);
        let mut matches: Vec<String> = names
            .iter()
            .filter(|candidate| candidate.starts_with(&wanted) || candidate[body(candidate)..].starts_with(&wanted))
            .map(str::to_string)
            .collect();
        matches.sort();
        match matches.len() {
            0 => Err(Error::NoSuchTicket {
                near: near_ids(names.iter(), &wanted, body),
                id: wanted,
            }),
            1 => Ok(matches.remove(0)),
            n => {
                let mut candidates = matches.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
                if n > 5 {
                    candidates.push_str(&format!(" and {} more", n - 5));
                }
                Err(Error::AmbiguousId { id: wanted, candidates })
            }
        }
    }

    /// Loads one case by (validated) ID.
    pub fn load(&self, id: &str) -> Result<Case> {
        let path = self.case_path(id);
        if fs::symlink_metadata(&path).is_err() {
            return Err(Error::NoSuchTicket {
                id: id.to_string(),
                near: Vec::new(),
            });
        }
        load_case_file(&path, Some(id))
    }

    /// Writes a case atomically: temp file, fsync, rename, fsync the directory.
    pub fn save(&self, case: &Case) -> Result<PathBuf> {
        let (id, text) = case_text(case)?;
        let path = self.case_path(&id);
        atomic_write::write(&path, text.as_bytes(), Durability::Synced)?;
        Ok(path)
    }

    /// Writes many cases, each atomically (temp file, fsync, rename), with
    /// the fsyncs issued in parallel and one fsync of the directory at the
    /// end: a sweep that closes thousands of cases does not wait for each
    /// disk flush in turn. A crash leaves every file old or new, never half.
    ///
    /// Returns the paths written and the cases refused one by one (over the
    /// size cap): one such case must not hold back the others. An I/O error
    /// fails the whole batch.
    pub fn save_many(&self, cases: &[Case]) -> Result<(Vec<PathBuf>, Vec<Error>)> {
        let mut staged: Vec<(PathBuf, Vec<u8>)> = Vec::with_capacity(cases.len());
        let mut refused = Vec::new();
        for case in cases {
            match case_text(case) {
                Ok((id, text)) => staged.push((self.case_path(&id), text.into_bytes())),
                Err(e) => refused.push(e),
            }
        }
        atomic_write::write_many(&self.root, &staged)?;
        Ok((staged.into_iter().map(|(path, _)| path).collect(), refused))
    }

    /// Writes cases that belong together (a merge's two) in one batch, or
    /// none: a case over the size cap refuses the whole batch before
    /// anything is written.
    pub fn save_all(&self, cases: &[Case]) -> Result<Vec<PathBuf>> {
        let staged = cases
            .iter()
            .map(|case| case_text(case).map(|(id, text)| (self.case_path(&id), text.into_bytes())))
            .collect::<Result<Vec<_>>>()?;
        atomic_write::write_many(&self.root, &staged)?;
        Ok(staged.into_iter().map(|(path, _)| path).collect())
    }

    /// Writes a case without fsync, for bulk generation and imports only:
    /// still a temp file and a rename (never half-written), but a power
    /// failure may lose the latest writes. Commands use [`Store::save`].
    pub fn save_unsynced(&self, case: &Case) -> Result<PathBuf> {
        let id = id::validate(&case.id)?;
        let path = self.case_path(&id);
        let text = to_yaml(case)?;
        atomic_write::write(&path, text.as_bytes(), Durability::Unsynced)?;
        Ok(path)
    }

    /// Writes a small file of the store that is not a case (`.gitattributes`) atomically.
    pub fn write_support_file(&self, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.root.join(name);
        atomic_write::write(&path, text.as_bytes(), Durability::Synced)?;
        Ok(path)
    }

    /// Whether a case file exists for this ID.
    pub fn exists(&self, id: &str) -> bool {
        fs::symlink_metadata(self.case_path(id)).is_ok()
    }

    /// The IDs of every case file (names ending `.yaml`, not hidden, not config).
    pub fn case_ids(&self) -> Result<Vec<String>> {
        Ok(self.case_names()?.iter().map(str::to_string).collect())
    }

    /// The IDs of every case file, sorted and packed: a few bytes a case.
    pub fn case_names(&self) -> Result<case_names::CaseNames> {
        case_names::CaseNames::read(&self.root)
    }

    /// Reads every case in parallel: the good ones, and an error per bad file.
    pub fn load_all(&self) -> Result<(Vec<Case>, Vec<Error>)> {
        let ids = self.case_ids()?;
        let results: Vec<Result<Case>> = ids
            .par_iter()
            .map(|id| load_case_file(&self.case_path(id), Some(id)))
            .collect();
        let mut cases = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(case) => cases.push(case),
                Err(e) => errors.push(e),
            }
        }
        Ok((cases, errors))
    }

    /// The summary of every case, and an error per bad file.
    pub fn summaries(&self) -> Result<(Vec<Digest>, Vec<Error>)> {
        index::scan(self, &|_| true)
    }

    /// Hands the summary of every case to `visit`, in no particular order,
    /// without holding them all; an error per bad file.
    pub fn each_summary(&self, visit: &mut dyn FnMut(Digest)) -> Result<Vec<Error>> {
        index::visit(self, &|_| true, &mut |digest, _| visit(digest)).map(|(errors, _)| errors)
    }

    /// The summaries of the cases whose status `want` accepts, and an error
    /// per bad file; served from the index where it is still valid.
    pub fn scan(
        &self,
        want: &(dyn Fn(crate::core::vocabulary::Status) -> bool + Sync),
    ) -> Result<(Vec<Digest>, Vec<Error>)> {
        index::scan(self, want)
    }

    /// Streams the summaries of the cases whose status `want` accepts to
    /// `f`, in no particular order, each with where it came from; returns an
    /// error per bad file and a reader to fetch a visited summary again.
    pub fn visit(
        &self,
        want: &(dyn Fn(crate::core::vocabulary::Status) -> bool + Sync),
        f: &mut dyn FnMut(Digest, index::Origin),
    ) -> Result<(Vec<Error>, index::Rereader)> {
        index::visit(self, want, f)
    }

    /// Removes temp files left by crashed writers. Call only under the lock:
    /// every writer holds it, so no temp file is in use.
    pub fn clean_temp_files(&self, lock: &StoreLock) -> Result<usize> {
        let entries = fs::read_dir(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_temp = is_temp_name(&name) && entry.file_type().is_ok_and(|t| t.is_file());
            if is_temp && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        // Index rebuilds run without the lock, so only an old temp file there
        // is certainly abandoned (a process killed while writing the index).
        // Through the lock's handle on `.tickets/`: never through a link.
        let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        removed += lock.derived.remove_temp_files_older_than(hour_ago);
        Ok(removed)
    }
}

/// The case ID a directory entry names, if it is a case file.
pub fn case_id_of(name: &std::ffi::OsStr) -> Option<String> {
    let name = name.to_str()?;
    let stem = name.strip_suffix(".yaml")?;
    if stem.is_empty() || stem.starts_with('.') || stem == "config" || !stem.contains('-') {
        return None;
    }
    id::validate(stem).ok().filter(|id| id == stem)
}

/// A case's validated ID and file text, refusing text over the cap: such a
/// file could be written but never read back.
fn case_text(case: &Case) -> Result<(String, String)> {
    let id = id::validate(&case.id)?;
    let text = to_yaml(case)?;
    let size = text.len() as u64;
    if size <= size_cap(case.status) {
        return Ok((id, text));
    }
    Err(Error::CaseTooLarge {
        id,
        size,
        limit: size_cap(case.status),
        cap: MAX_FILE_BYTES,
        closed: case.status == crate::core::vocabulary::Status::Closed,
    })
}

/// Whether `dir` is a folder (false when missing); an error when it is a
/// link or anything else, never followed.
pub(crate) fn real_folder(dir: &Path) -> Result<bool> {
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(dir, e)),
        Ok(meta) if !meta.is_dir() => Err(Error::invalid(dir, None, "is not a directory (a link?); refused")),
        Ok(_) => Ok(true),
    }
}

/// The case IDs sharing the longest start with `wanted` (prefix or not), at
/// least 3 characters of the part after the prefix; at most 3, sorted.
fn near_ids<'a>(names: impl Iterator<Item = &'a str>, wanted: &str, body: impl Fn(&str) -> usize) -> Vec<String> {
    let typed = &wanted[body(wanted)..];
    let typed = if typed.is_empty() { wanted } else { typed };
    let shared = |candidate: &str| {
        let rest = &candidate[body(candidate)..];
        let with_prefix = candidate
            .chars()
            .zip(wanted.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let without = rest.chars().zip(typed.chars()).take_while(|(a, b)| a == b).count();
        without.max(with_prefix.saturating_sub(body(candidate)))
    };
    let mut scored: Vec<(usize, &str)> = names.map(|n| (shared(n), n)).filter(|(s, _)| *s >= 3).collect();
    let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
    scored.retain(|(s, _)| *s == best);
    let mut near: Vec<String> = scored.into_iter().map(|(_, n)| n.to_string()).collect();
    near.sort();
    near.truncate(3);
    near
}
