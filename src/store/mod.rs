//! The store owns every byte on disk: paths, IDs, locking, atomic writes
//! and derived files. Nothing else opens a file in the store. What the bytes
//! of a case file mean (YAML, caps, conflict markers) is [`crate::format`].
//!
//! Layout: `config.yaml`, one `<ID>.yaml` per case, and `.tickets/` for
//! derived files (lock, index) that are never needed for correctness.
//! Temp files are `.<ID>.yaml.<pid>.<random>.tmp` beside their target.

pub mod derived_dir;
pub mod index;

use crate::case::Case;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::format::{
    conflict_error, conflict_marker_line_in_bytes, parse_case, parse_yaml, size_cap, to_yaml, CLOSING_RESERVE_BYTES,
    MAX_FILE_BYTES, MAX_OPEN_CASE_BYTES,
};
use crate::id;
use crate::summary::Summary;
use derived_dir::{Access, DerivedDir};
use rayon::prelude::*;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The name of the derived-files directory inside a store.
pub const DERIVED_DIR: &str = ".tickets";

/// The `.gitignore` that `init` writes.
pub const GITIGNORE: &str =
    "# Derived files of `tickets`: never needed for correctness, rebuilt when missing.\n/.tickets/\n.*.tmp\n";

/// A store directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// Holds the store's write lock until dropped.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    derived: DerivedDir,
}

impl Store {
    /// A store at `root` (not checked until used).
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
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
    /// are opened through [`DerivedDir`], never by path.
    pub fn derived_dir(&self) -> PathBuf {
        self.root.join(DERIVED_DIR)
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
        let config: Config = parse_yaml(&path, &text)?;
        config
            .validate()
            .map_err(|reason| Error::invalid(&path, None, reason))?;
        crate::targets::Policy::new(&config).map_err(|reason| Error::invalid(&path, None, reason))?;
        Ok(config)
    }

    /// Creates a store: the directory, a commented config.yaml and a
    /// .gitignore for derived files. Refuses to overwrite an existing config,
    /// and to read a .gitignore that is a link or not a regular file.
    pub fn init(&self, config_text: &str) -> Result<()> {
        fs::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, e))?;
        if fs::symlink_metadata(self.config_path()).is_ok() {
            return Err(Error::Usage(format!(
                "{} already exists; not overwriting it",
                self.config_path().display()
            )));
        }
        let gitignore = self.root.join(".gitignore");
        // Read before anything is written, so a refusal leaves no half store.
        let existing = match fs::symlink_metadata(&gitignore) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(read_text(&gitignore)?),
        };
        self.write_atomic(&self.config_path(), config_text.as_bytes())?;
        match existing {
            None => self.write_atomic(&gitignore, GITIGNORE.as_bytes())?,
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
                    self.write_atomic(&gitignore, format!("{existing}{separator}{GITIGNORE}").as_bytes())?;
                }
            }
        }
        Ok(())
    }

    /// Takes the store's write lock, waiting at most `wait`; exit 6 after.
    /// A `.tickets` or `.tickets/lock` that is a symbolic link or a special
    /// file is refused (exit 5), never followed.
    pub fn lock(&self, wait: Duration) -> Result<StoreLock> {
        let derived = DerivedDir::create(&self.root)?;
        let file = derived.open_file("lock", Access::CreateOrOpen)?;
        let path = derived.path().join("lock");
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(StoreLock { _file: file, derived }),
                Err(fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait {
                        return Err(Error::Busy {
                            path,
                            waited_ms: started.elapsed().as_millis(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }

    /// Resolves a user-typed ID to a case ID: exact, or a unique prefix.
    pub fn resolve(&self, typed: &str) -> Result<String> {
        let wanted = id::validate(typed)?;
        if self.case_path(&wanted).exists() || fs::symlink_metadata(self.case_path(&wanted)).is_ok() {
            return Ok(wanted);
        }
        let mut matches: Vec<String> = self
            .case_ids()?
            .into_iter()
            .filter(|candidate| candidate.starts_with(&wanted))
            .collect();
        matches.sort();
        match matches.len() {
            0 => Err(Error::NoSuchTicket { id: wanted }),
            1 => Ok(matches.remove(0)),
            _ => Err(Error::AmbiguousId {
                id: wanted,
                candidates: matches.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            }),
        }
    }

    /// Loads one case by (validated) ID.
    pub fn load(&self, id: &str) -> Result<Case> {
        let path = self.case_path(id);
        if fs::symlink_metadata(&path).is_err() {
            return Err(Error::NoSuchTicket { id: id.to_string() });
        }
        load_case_file(&path, Some(id))
    }

    /// Writes a case atomically: temp file, fsync, rename, fsync the directory.
    pub fn save(&self, case: &Case) -> Result<PathBuf> {
        let (id, text) = case_text(case)?;
        let path = self.case_path(&id);
        self.write_atomic(&path, text.as_bytes())?;
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
        let mut staged: Vec<(PathBuf, PathBuf, Vec<u8>)> = Vec::with_capacity(cases.len());
        let mut refused = Vec::new();
        for case in cases {
            let (id, text) = match case_text(case) {
                Ok(staged) => staged,
                Err(e) => {
                    refused.push(e);
                    continue;
                }
            };
            let path = self.case_path(&id);
            let temp = path.with_file_name(format!(
                ".{id}.yaml.{}.{:08x}.tmp",
                std::process::id(),
                rand::random::<u32>()
            ));
            staged.push((path, temp, text.into_bytes()));
        }
        let write = |temp: &Path, bytes: &[u8]| -> std::io::Result<()> {
            let mut file = OpenOptions::new().write(true).create_new(true).open(temp)?;
            file.write_all(bytes)?;
            file.sync_all()
        };
        let threads = staged.len().clamp(1, 16);
        let per_thread = staged.len().div_ceil(threads).max(1);
        let failures: Vec<Error> = std::thread::scope(|scope| {
            let handles: Vec<_> = staged
                .chunks(per_thread)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .filter_map(|(path, temp, bytes)| write(temp, bytes).err().map(|e| Error::io(path, e)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|_| vec![Error::Other("a writer thread panicked".into())])
                })
                .collect()
        });
        if let Some(first) = failures.into_iter().next() {
            for (_, temp, _) in &staged {
                let _ = fs::remove_file(temp);
            }
            return Err(first);
        }
        let mut written = Vec::with_capacity(staged.len());
        for (index, (path, temp, _)) in staged.iter().enumerate() {
            if let Err(e) = fs::rename(temp, path) {
                for (_, rest, _) in &staged[index..] {
                    let _ = fs::remove_file(rest);
                }
                return Err(Error::io(path, e));
            }
            written.push(path.clone());
        }
        File::open(&self.root)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| Error::io(&self.root, e))?;
        Ok((written, refused))
    }

    /// Writes a case without fsync, for bulk generation and imports only:
    /// still a temp file and a rename (never half-written), but a power
    /// failure may lose the latest writes. Commands use [`Store::save`].
    pub fn save_unsynced(&self, case: &Case) -> Result<PathBuf> {
        let id = id::validate(&case.id)?;
        let path = self.case_path(&id);
        let temp = path.with_file_name(format!(
            ".{id}.yaml.{}.{:08x}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let text = to_yaml(case)?;
        // create_new: a name that exists (a link included) is never written through.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut file| file.write_all(text.as_bytes()))
            .map_err(|e| Error::io(&temp, e))?;
        fs::rename(&temp, &path).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// Writes a small file of the store that is not a case (`.gitattributes`) atomically.
    pub fn write_support_file(&self, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.root.join(name);
        self.write_atomic(&path, text.as_bytes())?;
        Ok(path)
    }

    /// Whether a case file exists for this ID.
    pub fn exists(&self, id: &str) -> bool {
        fs::symlink_metadata(self.case_path(id)).is_ok()
    }

    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let temp = path.with_file_name(format!(
            ".{name}.{}.{:08x}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let result = (|| -> std::io::Result<()> {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&temp, path)?;
            let dir = path.parent().unwrap_or(Path::new("."));
            File::open(dir)?.sync_all()
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&temp);
            return Err(Error::io(path, e));
        }
        Ok(())
    }

    /// The IDs of every case file (names ending `.yaml`, not hidden, not config).
    pub fn case_ids(&self) -> Result<Vec<String>> {
        let entries = fs::read_dir(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.root, e))?;
            if let Some(id) = case_id_of(&entry.file_name()) {
                ids.push(id);
            }
        }
        ids.sort();
        Ok(ids)
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
    pub fn summaries(&self) -> Result<(Vec<Summary>, Vec<Error>)> {
        index::scan(self, &|_| true)
    }

    /// The summaries of the cases whose status `want` accepts, and an error
    /// per bad file; served from the index where it is still valid.
    pub fn scan(&self, want: &(dyn Fn(crate::fields::Status) -> bool + Sync)) -> Result<(Vec<Summary>, Vec<Error>)> {
        index::scan(self, want)
    }

    /// Removes temp files left by crashed writers. Call only under the lock:
    /// every writer holds it, so no temp file is in use.
    pub fn clean_temp_files(&self, lock: &StoreLock) -> Result<usize> {
        let entries = fs::read_dir(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_temp =
                name.starts_with('.') && name.ends_with(".tmp") && entry.file_type().is_ok_and(|t| t.is_file());
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

/// What a file that is not a regular file is, for refusals.
pub fn kind_of(file_type: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

fn refuse_unless_regular(path: &Path, file_type: fs::FileType) -> Result<()> {
    if file_type.is_symlink() {
        return Err(Error::invalid(
            path,
            None,
            "is a symbolic link; refused (files of the store must be regular files inside it)",
        ));
    }
    if !file_type.is_file() {
        return Err(Error::invalid(
            path,
            None,
            format!("is {}, not a regular file; refused", kind_of(file_type)),
        ));
    }
    Ok(())
}

/// Opens a file of the store for reading, with its metadata: never through
/// a symbolic link, never blocking (a FIFO named like a case file would hang
/// the reader, and with it the store's lock), and refused unless it is a
/// regular file, as invalid data naming it. The type is checked on the open
/// file, so a swap after the first look changes nothing.
pub fn open_regular(path: &Path) -> Result<(File, fs::Metadata)> {
    use std::os::unix::fs::OpenOptionsExt;
    // A first look, so that a device is never even opened.
    let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    refuse_unless_regular(path, meta.file_type())?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match fs::symlink_metadata(path) {
            Ok(meta) if !meta.is_file() => refuse_unless_regular(path, meta.file_type())
                .err()
                .unwrap_or_else(|| Error::io(path, e)),
            _ => Error::io(path, e),
        })?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    refuse_unless_regular(path, meta.file_type())?;
    Ok((file, meta))
}

/// Reads a file as UTF-8 text, refusing symlinks, non-files, oversized files
/// and invalid UTF-8 as invalid data. At most [`MAX_FILE_BYTES`] + 1 bytes
/// are ever read, whatever the metadata says.
pub fn read_text(path: &Path) -> Result<String> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > MAX_FILE_BYTES {
        // A conflict the merge driver left around two large versions: say so.
        if let Some(conflict) = conflict_in_file(path) {
            return Err(conflict);
        }
        return Err(Error::invalid(
            path,
            None,
            format!("is {} bytes, over the {MAX_FILE_BYTES}-byte cap", meta.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::invalid(
            path,
            None,
            format!("is over the {MAX_FILE_BYTES}-byte cap"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        if let Some(line) = conflict_marker_line_in_bytes(e.as_bytes()) {
            return conflict_error(path, line, &String::from_utf8_lossy(e.as_bytes()));
        }
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::invalid(path, Some(line), "is not valid UTF-8 text")
    })
}

/// The conflict error for a file whose first [`MAX_FILE_BYTES`] bytes hold a
/// git conflict marker, whatever its size or encoding; None otherwise or when
/// it cannot be read.
pub fn conflict_in_file(path: &Path) -> Option<Error> {
    let mut bytes = Vec::new();
    let (file, _) = open_regular(path).ok()?;
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes).ok()?;
    let line = conflict_marker_line_in_bytes(&bytes)?;
    Some(conflict_error(path, line, &String::from_utf8_lossy(&bytes)))
}

/// Loads a case file and checks what the schema cannot.
pub fn load_case_file(path: &Path, expected_id: Option<&str>) -> Result<Case> {
    let text = read_text(path)?;
    parse_case(path, &text, expected_id)
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
    Err(Error::Usage(if case.status == crate::fields::Status::Closed {
        format!(
            "{id}: the case file would be {size} bytes, over the {MAX_FILE_BYTES}-byte cap; nothing was written (shorten the resolution)"
        )
    } else {
        format!(
            "{id}: the case file would be {size} bytes, over the {MAX_OPEN_CASE_BYTES}-byte cap of a case that is not closed \
             (the last {CLOSING_RESERVE_BYTES} bytes of the {MAX_FILE_BYTES}-byte cap are kept so that it can always be closed); \
             nothing was written (shorten the text, or close the case and open a follow-up)"
        )
    }))
}
