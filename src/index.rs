//! The index: a derived, gitignored cache of every case's [`Summary`], so
//! that `list`, `sweep`, `queue` and routing do not parse every case file.
//!
//! `.tickets/index` holds one line per case file:
//! `NAME\tSTATUS\tMTIME_NS\tCTIME_NS\tSIZE\tINODE\tSUMMARY_JSON`. A line is
//! used only while the file's metadata still matches it, so a hand edit, a
//! `git pull` or a `git checkout` behind the program's back is always seen
//! (the file is parsed again). Lines are appended as files change; the last
//! matching line wins and the file is compacted when mostly dead. Deleting
//! or corrupting the index loses nothing: unreadable lines are ignored and
//! rebuilt from the case files. Files changed within the last two seconds are
//! never cached, because a second change inside the same timestamp tick
//! could keep the same metadata ("racy" entries, as git calls them).

use crate::error::{Error, Result};
use crate::fields::Status;
use crate::store::{self, Store};
use crate::summary::Summary;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const INDEX_FILE: &str = "index";
const HEADER: &str = "tickets-index 2";
const RACY_NS: i128 = 2_000_000_000;
const CHUNK: usize = 4096;

/// The metadata a cached line is valid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    mtime_ns: i128,
    ctime_ns: i128,
    size: u64,
    inode: u64,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            size: meta.size(),
            inode: meta.ino(),
        }
    }

    fn is_racy(&self, now_ns: i128) -> bool {
        self.mtime_ns.max(self.ctime_ns) > now_ns - RACY_NS
    }
}

fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// One parsed index line.
struct Line<'a> {
    name: &'a str,
    status: Status,
    stamp: Stamp,
    json_check: u64,
    json: &'a str,
}

impl Line<'_> {
    /// The cached summary, if its checksum and its columns agree.
    fn summary(&self) -> Option<Summary> {
        if checksum(self.json.as_bytes()) != self.json_check {
            return None;
        }
        serde_json::from_str::<Summary>(self.json)
            .ok()
            .filter(|s| s.id == self.name && s.status == self.status)
    }
}

/// FNV-1a: a cheap checksum, so that a damaged line (a bit flip, a hand
/// edit of the derived file) is rebuilt rather than believed.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `NAME\tSTATUS\tMTIME\tCTIME\tSIZE\tINODE\t` then the checksums of that
/// prefix and of the JSON, then the JSON. The prefix is checked on every
/// read; the JSON only when it is used.
fn parse_line(line: &str) -> Option<Line<'_>> {
    let (split, _) = line.match_indices('\t').nth(5)?;
    let (prefix, rest) = line.split_at(split + 1);
    let mut rest = rest.splitn(3, '\t');
    let prefix_check = u64::from_str_radix(rest.next()?, 16).ok()?;
    let json_check = u64::from_str_radix(rest.next()?, 16).ok()?;
    let json = rest.next()?;
    if checksum(prefix.as_bytes()) != prefix_check {
        return None;
    }
    let mut parts = prefix.split('\t');
    let name = parts.next()?;
    let status = parts.next()?.parse().ok()?;
    let stamp = Stamp {
        mtime_ns: parts.next()?.parse().ok()?,
        ctime_ns: parts.next()?.parse().ok()?,
        size: parts.next()?.parse().ok()?,
        inode: parts.next()?.parse().ok()?,
    };
    Some(Line {
        name,
        status,
        stamp,
        json_check,
        json,
    })
}

fn format_line(id: &str, summary: &Summary, stamp: &Stamp) -> Option<String> {
    let json = serde_json::to_string(summary).ok()?;
    let prefix = format!(
        "{id}\t{}\t{}\t{}\t{}\t{}\t",
        summary.status, stamp.mtime_ns, stamp.ctime_ns, stamp.size, stamp.inode
    );
    Some(format!(
        "{prefix}{:016x}\t{:016x}\t{json}\n",
        checksum(prefix.as_bytes()),
        checksum(json.as_bytes())
    ))
}

/// Reads one case file's summary and the metadata of what was read. Anything
/// unusual (a symlink, an oversized or unreadable file, text the fast reader
/// declines) goes through the full loader, so errors are reported its way.
fn load_summary(path: &Path, id: &str) -> Result<(Summary, Stamp)> {
    use std::os::unix::fs::OpenOptionsExt;
    let slow = || -> Result<(Summary, Stamp)> {
        let case = store::load_case_file(path, Some(id))?;
        let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        Ok((Summary::of(&case), Stamp::of(&meta)))
    };
    // O_NOFOLLOW: a symlink fails to open here and is refused by the full loader.
    let Ok(mut file) = OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path) else {
        return slow();
    };
    let Ok(meta) = file.metadata() else { return slow() };
    if !meta.is_file() || meta.len() > store::MAX_FILE_BYTES {
        return slow();
    }
    let mut text = String::with_capacity(meta.len() as usize);
    if (&mut file)
        .take(store::MAX_FILE_BYTES)
        .read_to_string(&mut text)
        .is_err()
    {
        return slow();
    }
    let stamp = Stamp::of(&meta);
    match crate::fast_summary::summary(&text) {
        Some(summary) if summary.id == id => Ok((summary, stamp)),
        _ => {
            let case = store::parse_case(path, &text, Some(id))?;
            Ok((Summary::of(&case), stamp))
        }
    }
}

/// The summaries of the cases whose status `want` accepts, and an error per
/// unreadable case file. Uses and refreshes the index.
pub fn scan(store: &Store, want: &(dyn Fn(Status) -> bool + Sync)) -> Result<(Vec<Summary>, Vec<Error>)> {
    let ids = store.case_ids()?;
    let index_path = store.derived_dir().join(INDEX_FILE);
    // Without an index (a fresh clone) every file is read anyway, and the
    // metadata comes from the open file: no separate stat pass.
    let stamps: Vec<Option<Stamp>> = if index_path.exists() {
        ids.par_iter()
            .map(|id| {
                fs::symlink_metadata(store.case_path(id))
                    .ok()
                    .filter(|m| m.is_file())
                    .map(|m| Stamp::of(&m))
            })
            .collect()
    } else {
        vec![None; ids.len()]
    };
    let position: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut cached = vec![false; ids.len()];
    let mut summaries = Vec::new();
    let (mut live, mut dead) = (0usize, 0usize);
    let now = now_ns();

    if let Ok(file) = File::open(&index_path) {
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut line = String::new();
        let header_ok = reader.read_line(&mut line).is_ok() && line.trim_end() == HEADER;
        if header_ok {
            // Later lines supersede earlier ones; collect the last candidate per file.
            let mut candidate: HashMap<usize, Summary> = HashMap::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(_) => break,
                }
                let Some(parsed) = parse_line(line.trim_end_matches('\n')) else {
                    dead += 1;
                    continue;
                };
                let matches = position
                    .get(parsed.name)
                    .filter(|i| stamps[**i] == Some(parsed.stamp) && !parsed.stamp.is_racy(now));
                match matches {
                    Some(&i) => {
                        if cached[i] {
                            dead += 1;
                        }
                        cached[i] = true;
                        if want(parsed.status) {
                            match parsed.summary() {
                                Some(summary) => {
                                    candidate.insert(i, summary);
                                }
                                None => {
                                    // Damaged: read the file again.
                                    cached[i] = false;
                                    candidate.remove(&i);
                                    dead += 1;
                                }
                            }
                        } else {
                            candidate.remove(&i);
                        }
                    }
                    None => dead += 1,
                }
            }
            for (i, summary) in candidate {
                if cached[i] {
                    summaries.push(summary);
                }
            }
            live = cached.iter().filter(|c| **c).count();
        } else {
            dead += 1;
        }
    }

    let todo: Vec<usize> = (0..ids.len()).filter(|i| !cached[*i]).collect();
    let mut errors = Vec::new();
    let mut new_lines = String::new();
    // Stream a whole new index when most of it changes (a fresh clone) or it
    // is mostly dead; otherwise append the few new lines.
    let compact = (dead > 1000 && dead > live) || todo.len() > CHUNK;
    let mut writer = if compact { IndexWriter::rewrite(store) } else { None };
    let mut done = vec![false; ids.len()];
    for chunk in todo.chunks(CHUNK) {
        let results: Vec<(usize, Result<(Summary, Stamp)>)> = chunk
            .par_iter()
            .map(|&i| (i, load_summary(&store.case_path(&ids[i]), &ids[i])))
            .collect();
        for (i, result) in results {
            match result {
                Ok((summary, stamp)) => {
                    if !stamp.is_racy(now) {
                        if let Some(line) = format_line(&ids[i], &summary, &stamp) {
                            new_lines.push_str(&line);
                            done[i] = true;
                        }
                    }
                    if want(summary.status) {
                        summaries.push(summary);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(w) = writer.as_mut() {
            w.write(&new_lines);
            new_lines.clear();
        }
    }
    match writer {
        Some(mut w) => {
            w.copy_live(&index_path, &position, &stamps, &mut done, now);
            w.finish(&index_path);
        }
        None if !new_lines.is_empty() || (dead > 0 && live == 0) => append(store, &index_path, &new_lines),
        None => {}
    }
    summaries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((summaries, errors))
}

/// Appends lines (creating the index with its header when needed). Failures
/// are ignored: the index is an optimisation, and a read-only store still works.
fn append(store: &Store, index_path: &Path, lines: &str) {
    if fs::create_dir_all(store.derived_dir()).is_err() {
        return;
    }
    let fresh = fs::metadata(index_path).map(|m| m.len() == 0).unwrap_or(true);
    if !fresh && has_header(index_path) {
        if let Ok(mut file) = OpenOptions::new().append(true).open(index_path) {
            let _ = file.write_all(lines.as_bytes());
        }
        return;
    }
    if let Some(mut w) = IndexWriter::rewrite(store) {
        w.write(lines);
        w.finish(index_path);
    }
}

fn has_header(path: &Path) -> bool {
    let mut first = String::new();
    File::open(path)
        .map(|f| BufReader::new(f).read_line(&mut first).is_ok() && first.trim_end() == HEADER)
        .unwrap_or(false)
}

/// Writes a whole new index to a temp file, then renames it into place.
struct IndexWriter {
    temp: std::path::PathBuf,
    file: std::io::BufWriter<File>,
    ok: bool,
}

impl IndexWriter {
    fn rewrite(store: &Store) -> Option<IndexWriter> {
        fs::create_dir_all(store.derived_dir()).ok()?;
        let temp = store.derived_dir().join(format!(
            "index.{}.{:08x}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let file = File::create(&temp).ok()?;
        let mut writer = IndexWriter {
            temp,
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            ok: true,
        };
        writer.write(&format!("{HEADER}\n"));
        Some(writer)
    }

    fn write(&mut self, text: &str) {
        self.ok = self.ok && self.file.write_all(text.as_bytes()).is_ok();
    }

    /// Copies the still-valid lines of the old index, streaming: one line per
    /// file whose metadata still matches, skipping the files in `done` (just
    /// written afresh). Lines for the same file and stamp say the same thing.
    fn copy_live(
        &mut self,
        old: &Path,
        position: &HashMap<&str, usize>,
        stamps: &[Option<Stamp>],
        done: &mut [bool],
        now: i128,
    ) {
        let Ok(file) = File::open(old) else { return };
        for line in BufReader::with_capacity(1 << 16, file)
            .lines()
            .skip(1)
            .map_while(|l| l.ok())
        {
            let Some(parsed) = parse_line(&line) else { continue };
            let Some(&i) = position.get(parsed.name) else { continue };
            if done[i] || stamps[i] != Some(parsed.stamp) || parsed.stamp.is_racy(now) {
                continue;
            }
            if parsed.summary().is_some() {
                done[i] = true;
                self.write(&line);
                self.write("\n");
            }
        }
    }

    fn finish(mut self, index_path: &Path) {
        let ok = self.ok && self.file.flush().is_ok();
        if ok && fs::rename(&self.temp, index_path).is_ok() {
            return;
        }
        let _ = fs::remove_file(&self.temp);
    }
}
