//! The index: a derived, gitignored cache of every case's [`Digest`], so
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

use super::atomic_write::Durability;
use super::bits::Bits;
use super::case_names::CaseNames;
use super::derived_dir::{Access, DerivedDir};
use super::{load_case_file, open_regular, Store};
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::vocabulary::Status;
use rayon::prelude::*;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const INDEX_FILE: &str = "index";
const HEADER: &str = "tickets-index 3";
const RACY_NS: i128 = 2_000_000_000;
const CHUNK: usize = 4096;
/// Longer than any line a summary can make (its text comes from a case file
/// under the 1 MiB cap, and JSON escaping at most sextuples it): a longer
/// line is damage, and the index is not read past it.
const MAX_LINE_BYTES: u64 = 8 * crate::format::MAX_FILE_BYTES;

/// Reads one line of at most [`MAX_LINE_BYTES`]; `Ok(0)` at the end.
fn read_line_bounded(reader: &mut impl BufRead, line: &mut String) -> std::io::Result<usize> {
    let read = reader.take(MAX_LINE_BYTES).read_line(line)?;
    if read as u64 == MAX_LINE_BYTES && !line.ends_with('\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "index line too long",
        ));
    }
    Ok(read)
}

/// The metadata a cached line is valid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

    /// The stamp in 64 bits (never [`NO_FILE`]), so that the scan holds 8
    /// bytes a case where the stamp takes 48. An index line is believed when
    /// its stamp's key equals the file's: exactly when the stamps are equal,
    /// except when a file changed and its new metadata hashes (SipHash) to
    /// the very 64 bits of the old, a chance of 2^-64 per changed file, far
    /// below that of the metadata itself staying the same through a change
    /// (the racy window, which is still decided on the full stamp).
    fn key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish().max(NO_FILE + 1)
    }
}

/// The stamp key of a case file that could not be looked at.
const NO_FILE: u64 = 0;

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
    fn digest(&self) -> Option<Digest> {
        if checksum(self.json.as_bytes()) != self.json_check {
            return None;
        }
        serde_json::from_str::<Digest>(self.json)
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

fn format_line(id: &str, summary: &Digest, stamp: &Stamp) -> Option<String> {
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

/// Reads one case file's summary and the metadata of what was read. A link
/// or a file that is not a regular file is refused without being followed
/// or read; anything else unusual (an oversized or unreadable file, text the
/// fast reader declines) goes through the full loader, so errors are
/// reported its way.
fn load_summary(path: &Path, id: &str) -> Result<(Digest, Stamp)> {
    let slow = || -> Result<(Digest, Stamp)> {
        let case = load_case_file(path, Some(id))?;
        let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        Ok((Digest::of(&case), Stamp::of(&meta)))
    };
    // Never through a link, never blocking on a FIFO: those are refused here
    // as the full loader would refuse them.
    let (file, meta) = open_regular(path)?;
    if meta.len() > crate::format::MAX_FILE_BYTES {
        return slow();
    }
    let mut text = String::with_capacity(meta.len() as usize);
    if file
        .take(crate::format::MAX_FILE_BYTES)
        .read_to_string(&mut text)
        .is_err()
    {
        return slow();
    }
    let stamp = Stamp::of(&meta);
    match crate::format::fast_reader::read_digest(&text) {
        Some(summary) if summary.id == id => Ok((summary, stamp)),
        _ => {
            let case = crate::format::parse_case(path, &text, Some(id))?;
            Ok((Digest::of(&case), stamp))
        }
    }
}

/// The summaries of the cases whose status `want` accepts, sorted by ID,
/// and an error per unreadable case file. Uses and refreshes the index.
pub fn scan(store: &Store, want: &(dyn Fn(Status) -> bool + Sync)) -> Result<(Vec<Digest>, Vec<Error>)> {
    let mut summaries = Vec::new();
    let (errors, _) = visit(store, want, &mut |summary, _| summaries.push(summary))?;
    summaries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((summaries, errors))
}

/// Where a visited digest came from, so that a second pass can read it again
/// without anyone holding it meanwhile: eight bytes a case, where a digest
/// takes hundreds. Origins order as their case IDs do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The case's place among the store's IDs, sorted.
    position: u32,
    /// The offset of its index line, or [`FROM_FILE`] (also for a line
    /// past 4 GiB into the index: that case file is read instead).
    line: u32,
}

const FROM_FILE: u32 = u32::MAX;

impl Origin {
    fn index_line(position: usize, offset: u64) -> Origin {
        Origin {
            position: position as u32,
            line: u32::try_from(offset).unwrap_or(FROM_FILE),
        }
    }

    /// The case's place among the store's IDs, sorted: the same for the
    /// same case within one scan, and in ID order.
    pub fn position(&self) -> u32 {
        self.position
    }

    fn case_file(position: usize) -> Origin {
        Origin {
            position: position as u32,
            line: FROM_FILE,
        }
    }
}

/// Reads visited digests again by their [`Origin`]: a line of the index as
/// it was when visited (the open handle keeps that version of the file,
/// whatever replaces it since), or the case file.
#[derive(Debug)]
pub struct Rereader {
    store: Store,
    names: CaseNames,
    index: Option<File>,
}

impl Rereader {
    /// The case IDs the visit went through, sorted: an [`Origin`]'s
    /// position is a place among them.
    pub fn into_names(self) -> CaseNames {
        self.names
    }

    /// The digest visited at `origin`.
    pub fn digest(&self, origin: Origin) -> Result<Digest> {
        let id = self.names.get(origin.position as usize);
        if id.is_empty() {
            return Err(Error::Internal {
                what: "a listed case is no longer known",
            });
        }
        if origin.line == FROM_FILE {
            return load_summary(&self.store.case_path(id), id).map(|(summary, _)| summary);
        }
        let line = self
            .index
            .as_ref()
            .and_then(|file| read_line_at(file, u64::from(origin.line)));
        match line.as_deref().and_then(parse_line).and_then(|parsed| parsed.digest()) {
            Some(summary) => Ok(summary),
            // The index line was read whole a moment ago through this very
            // handle; should it fail now, the case file still answers.
            None => load_summary(&self.store.case_path(id), id).map(|(summary, _)| summary),
        }
    }
}

/// The line of `file` that starts at `offset`, without its newline.
fn read_line_at(file: &File, offset: u64) -> Option<String> {
    use std::os::unix::fs::FileExt;
    let mut bytes = Vec::new();
    // Most lines are under a kilobyte.
    let mut chunk = [0u8; 1024];
    loop {
        let read = file.read_at(&mut chunk, offset + bytes.len() as u64).ok()?;
        if read == 0 {
            break;
        }
        match chunk[..read].iter().position(|b| *b == b'\n') {
            Some(end) => {
                bytes.extend_from_slice(&chunk[..end]);
                break;
            }
            None => bytes.extend_from_slice(&chunk[..read]),
        }
        if bytes.len() as u64 > MAX_LINE_BYTES {
            return None;
        }
    }
    String::from_utf8(bytes).ok()
}

/// Streams the summaries of the cases whose status `want` accepts to `f`,
/// each with where it came from, in no particular order; returns an error
/// per unreadable case file and a [`Rereader`] for a second pass. Uses and
/// refreshes the index. Memory stays a few bytes a case: no digest is held
/// after `f` has seen it.
pub fn visit(
    store: &Store,
    want: &(dyn Fn(Status) -> bool + Sync),
    f: &mut dyn FnMut(Digest, Origin),
) -> Result<(Vec<Error>, Rereader)> {
    // Compact throughout (a few bytes a case, about 40 MB at a million
    // cases): packed sorted IDs found by binary search, a 64-bit key of each
    // file's metadata, bit sets, and 32-bit line numbers.
    let names = store.case_names()?;
    let count = names.len();
    let _underway = crate::core::progress::Underway::start(store.progress(), "reading cases", count as u64);
    visit_names(store, names, want, f)
}

fn visit_names(
    store: &Store,
    names: CaseNames,
    want: &(dyn Fn(Status) -> bool + Sync),
    f: &mut dyn FnMut(Digest, Origin),
) -> Result<(Vec<Error>, Rereader)> {
    let count = names.len();
    let progress = store.progress();
    // A `.tickets` that is a link or not a directory leaves the index unused:
    // every file is read, and nothing is written there.
    let derived = DerivedDir::open(store.root()).ok().flatten();
    let index_file = derived
        .as_ref()
        .and_then(|d| d.open_file(INDEX_FILE, Access::Read).ok());
    // Without an index (a fresh clone) every file is read anyway, and the
    // metadata comes from the open file: no separate stat pass.
    let stamps: Vec<u64> = if index_file.is_some() {
        (0..count)
            .into_par_iter()
            .map(|i| {
                fs::symlink_metadata(store.case_path(names.get(i)))
                    .ok()
                    .filter(|m| m.is_file())
                    .map_or(NO_FILE, |m| Stamp::of(&m).key())
            })
            .collect()
    } else {
        vec![NO_FILE; count]
    };
    let mut cached = Bits::new(count);
    let (mut live, mut dead) = (0usize, 0usize);
    let now = now_ns();
    let mut index_kept = None;
    // Damaged lines found only when their JSON is parsed: read those files again.
    let mut reread: Vec<u32> = Vec::new();
    let mut from_index = 0usize;

    if let Some(file) = index_file {
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut line = String::new();
        let header_ok = read_line_bounded(&mut reader, &mut line).is_ok() && line.trim_end() == HEADER;
        if header_ok {
            // Later lines supersede earlier ones: the first pass keeps the
            // number of the last candidate line per file (counted from one
            // after the header; zero is none), the second parses only those.
            let mut candidate = vec![0u32; count];
            let mut number = 0u32;
            let mut hint = 0usize;
            loop {
                line.clear();
                match read_line_bounded(&mut reader, &mut line) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(_) => {
                        dead += 1;
                        break;
                    }
                }
                // Four billion lines is past any real index: what follows is
                // not read, and those files are read instead.
                let Some(next) = number.checked_add(1) else {
                    dead += 1;
                    break;
                };
                number = next;
                let Some(parsed) = parse_line(line.trim_end_matches('\n')) else {
                    dead += 1;
                    continue;
                };
                let matches = names
                    .position_hinted(parsed.name, &mut hint)
                    .filter(|i| stamps[*i] == parsed.stamp.key() && !parsed.stamp.is_racy(now));
                match matches {
                    Some(i) => {
                        if cached.get(i) {
                            dead += 1;
                        }
                        cached.set(i);
                        if !want(parsed.status) {
                            candidate[i] = 0;
                        } else if checksum(parsed.json.as_bytes()) == parsed.json_check {
                            candidate[i] = number;
                        } else {
                            // Damaged: read the file again.
                            cached.clear(i);
                            candidate[i] = 0;
                            dead += 1;
                        }
                    }
                    None => dead += 1,
                }
            }
            live = cached.count();
            let mut wanted: Vec<(u32, u32)> = candidate
                .iter()
                .enumerate()
                .filter(|(i, number)| **number != 0 && cached.get(*i))
                .map(|(i, number)| (*number, i as u32))
                .collect();
            drop(candidate);
            wanted.sort_unstable();
            let mut file = reader.into_inner();
            if !wanted.is_empty() {
                use std::io::Seek;
                file.seek(std::io::SeekFrom::Start(0))
                    .map_err(|e| Error::io(store.root(), e))?;
                let mut reader = BufReader::with_capacity(1 << 16, &file);
                line.clear();
                let mut offset = match read_line_bounded(&mut reader, &mut line) {
                    Ok(read) => read as u64,
                    Err(_) => 0,
                };
                let mut number = 0u32;
                let mut next = wanted.iter().peekable();
                while let Some(&&(want_number, i)) = next.peek() {
                    line.clear();
                    let start = offset;
                    match read_line_bounded(&mut reader, &mut line) {
                        Ok(1..) => offset += line.len() as u64,
                        _ => break,
                    }
                    number += 1;
                    if number != want_number {
                        continue;
                    }
                    next.next();
                    match parse_line(line.trim_end_matches('\n')).and_then(|parsed| parsed.digest()) {
                        Some(summary) => {
                            f(summary, Origin::index_line(i as usize, start));
                            progress.advance(1);
                            from_index += 1;
                        }
                        None => reread.push(i),
                    }
                }
                // The index shrank under us (it never does: it is replaced,
                // not truncated): read what is left from the files.
                reread.extend(next.map(|&(_, i)| i));
            }
            index_kept = Some(file);
        } else {
            dead += 1;
        }
    }
    for &i in &reread {
        cached.clear(i as usize);
    }
    drop(reread);

    let todo: Vec<u32> = (0..count).filter(|i| !cached.get(*i)).map(|i| i as u32).collect();
    // The cached cases `want` turned down are done too.
    progress.advance((count - todo.len()).saturating_sub(from_index) as u64);
    drop(cached);
    let mut errors = Vec::new();
    let mut new_lines = String::new();
    // Stream a whole new index when most of it changes (a fresh clone) or it
    // is mostly dead; otherwise append the few new lines.
    let compact = (dead > 1000 && dead > live) || todo.len() > CHUNK;
    let mut writer = if compact { IndexWriter::rewrite(store) } else { None };
    let mut done = Bits::new(count);
    for chunk in todo.chunks(CHUNK) {
        let results: Vec<(usize, Result<(Digest, Stamp)>)> = chunk
            .par_iter()
            .map(|&i| {
                let id = names.get(i as usize);
                (i as usize, load_summary(&store.case_path(id), id))
            })
            .collect();
        for (i, result) in results {
            match result {
                Ok((summary, stamp)) => {
                    if !stamp.is_racy(now) {
                        if let Some(line) = format_line(names.get(i), &summary, &stamp) {
                            new_lines.push_str(&line);
                            done.set(i);
                        }
                    }
                    if want(summary.status) {
                        f(summary, Origin::case_file(i));
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        progress.advance(chunk.len() as u64);
        if let Some(w) = writer.as_mut() {
            w.write(&new_lines);
            new_lines.clear();
        }
    }
    match writer {
        Some(mut w) => {
            w.copy_live(&names, &stamps, &mut done, now);
            w.finish();
        }
        None if !new_lines.is_empty() || (dead > 0 && live == 0) => append(store, &new_lines),
        None => {}
    }
    Ok((
        errors,
        Rereader {
            store: store.clone(),
            names,
            index: index_kept,
        },
    ))
}

/// Appends lines (creating the index with its header when needed). Failures
/// are ignored: the index is an optimisation, and a read-only store still works.
fn append(store: &Store, lines: &str) {
    let Ok(derived) = DerivedDir::create(store.root()) else {
        return;
    };
    let existing = derived.open_file(INDEX_FILE, Access::Read).ok();
    let fresh = existing
        .as_ref()
        .and_then(|f| f.metadata().ok())
        .is_none_or(|m| m.len() == 0);
    if !fresh && existing.is_some_and(has_header) {
        if let Ok(mut file) = derived.open_file(INDEX_FILE, Access::Append) {
            let _ = file.write_all(lines.as_bytes());
        }
        return;
    }
    if let Some(mut w) = IndexWriter::new(derived) {
        w.write(lines);
        w.finish();
    }
}

fn has_header(file: File) -> bool {
    let mut first = String::new();
    read_line_bounded(&mut BufReader::new(file), &mut first).is_ok() && first.trim_end() == HEADER
}

/// Writes a whole new index to a temp file, then renames it into place, all
/// through the handle on `.tickets/`.
struct IndexWriter {
    derived: DerivedDir,
    temp: String,
    file: std::io::BufWriter<File>,
    ok: bool,
}

impl IndexWriter {
    fn rewrite(store: &Store) -> Option<IndexWriter> {
        IndexWriter::new(DerivedDir::create(store.root()).ok()?)
    }

    fn new(derived: DerivedDir) -> Option<IndexWriter> {
        let (temp, file) = derived.create_temp(INDEX_FILE).ok()?;
        let mut writer = IndexWriter {
            derived,
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
    fn copy_live(&mut self, names: &CaseNames, stamps: &[u64], done: &mut Bits, now: i128) {
        let Ok(file) = self.derived.open_file(INDEX_FILE, Access::Read) else {
            return;
        };
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut line = String::new();
        let mut first = true;
        let mut hint = 0;
        loop {
            line.clear();
            if !matches!(read_line_bounded(&mut reader, &mut line), Ok(1..)) {
                break;
            }
            if std::mem::take(&mut first) {
                continue;
            }
            let line = line.trim_end_matches('\n');
            let Some(parsed) = parse_line(line) else { continue };
            let Some(i) = names.position_hinted(parsed.name, &mut hint) else {
                continue;
            };
            if done.get(i) || stamps[i] != parsed.stamp.key() || parsed.stamp.is_racy(now) {
                continue;
            }
            if parsed.digest().is_some() {
                done.set(i);
                self.write(line);
                self.write("\n");
            }
        }
    }

    fn finish(mut self) {
        let ok = self.ok && self.file.flush().is_ok();
        // Unsynced: the index is derived and checksummed line by line, so one
        // lost to a power failure is rebuilt; a sync would only slow `list`.
        if ok
            && self
                .derived
                .replace_with(&self.temp, self.file.get_ref(), INDEX_FILE, Durability::Unsynced)
                .is_ok()
        {
            return;
        }
        let _ = self.derived.remove(&self.temp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_any_part_of_a_stamp_changes_its_key() {
        let stamp = Stamp {
            mtime_ns: 1_764_000_000_123_456_789,
            ctime_ns: 1_764_000_000_123_456_789,
            size: 812,
            inode: 4_242,
        };
        assert_eq!(stamp.key(), Stamp { ..stamp }.key());
        assert_ne!(stamp.key(), NO_FILE);
        let changed = [
            Stamp {
                mtime_ns: stamp.mtime_ns + 1,
                ..stamp
            },
            Stamp {
                ctime_ns: stamp.ctime_ns + 1,
                ..stamp
            },
            Stamp { size: 813, ..stamp },
            Stamp { inode: 4_243, ..stamp },
            // The same numbers in other places.
            Stamp {
                size: 4_242,
                inode: 812,
                ..stamp
            },
        ];
        for other in changed {
            assert_ne!(stamp.key(), other.key(), "{other:?}");
        }
    }

    #[test]
    fn an_endless_index_line_is_read_only_up_to_the_cap() {
        let mut endless = BufReader::new(std::io::repeat(b'x'));
        let mut line = String::new();
        assert!(read_line_bounded(&mut endless, &mut line).is_err());
        assert_eq!(line.len() as u64, MAX_LINE_BYTES);
        let mut short = BufReader::new(&b"tickets-index 2\nnext"[..]);
        line.clear();
        assert_eq!(read_line_bounded(&mut short, &mut line).unwrap(), 16);
        assert_eq!(line, "tickets-index 2\n");
    }
}
