//! The sent ledger: one line for each message the mail host sent, committed
//! to the store, so that no clone (and no restore from a clone) sends the
//! message of an event twice.
//!
//! ```text
//! sent/since          events before this instant are never mailed ("always": none are)
//! sent/2026-12.log    {"sent_at":"…","case":"RC-…","event":"request-info","key":"…","message_id":"…","to":"…","subject":"…"}
//! ```
//!
//! The mail host writes it, and intake (on any clone) records there the
//! cases an automatic message opened, never to be acknowledged; always by
//! appending, so its files only ever grow by whole lines at the end: they
//! merge without conflict (`merge=union` in `.gitattributes`). A line cut by a crash at the end of a file is taken as
//! not written (its message may go out once more); any other line that does
//! not read is invalid data, and nothing is sent until it is fixed.

use super::{read_text, Store, StoreLock};
use crate::core::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The ledger's folder in the store.
pub const SENT_DIR: &str = "sent";
/// The file that says from when events are mailed.
const SINCE_FILE: &str = "since";
/// What `since` holds for a store that mails every event.
const ALWAYS: &str = "always";

/// One message sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentEntry {
    /// When it was handed to the mail system.
    #[serde(with = "crate::core::time::rfc3339")]
    pub sent_at: DateTime<Utc>,
    /// The case.
    pub case: String,
    /// The event's action (`open`, `request-info`, ...), for people.
    pub event: String,
    /// The event's key (see `operations::event_key`).
    pub key: String,
    /// The message's `Message-ID`, without angle brackets.
    pub message_id: String,
    /// The recipient.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// How many times sending was tried (left out when once).
    #[serde(default = "once", skip_serializing_if = "is_once")]
    pub attempts: u32,
    /// Why no message was sent for the event, when none was and none will
    /// be (an open by an automatic message, never acknowledged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
    /// The addresses copied (`Cc:`); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
}

fn once() -> u32 {
    1
}

fn is_once(attempts: &u32) -> bool {
    *attempts == 1
}

/// The ledger as read.
#[derive(Debug, Default)]
pub struct SentLedger {
    /// Events before this instant are never mailed; `None` when every event
    /// is (a store made with the ledger); the ledger's `since` file missing
    /// shows as [`SentLedger::started`] false.
    pub since: Option<DateTime<Utc>>,
    /// Whether the ledger has its `since` file.
    pub started: bool,
    /// Every event sent or withheld, as [`entry_hash`]es: eight bytes each,
    /// whatever a planted line holds.
    pub keys: HashSet<u64>,
    /// The last acknowledgement (an `open` event's message) sent to each
    /// recipient, by [`recipient_key`]: one line per recipient.
    pub acknowledged: std::collections::HashMap<String, DateTime<Utc>>,
}

/// The mailbox an address reaches, as the acknowledgement limit counts it:
/// the bare address of `Name <address>`, in lower case, without a
/// sub-address (`robot+7@x` is `robot@x`) and without a trailing dot on the
/// domain. An auto-responder that answers from `robot+1@`, `robot+2@`...
/// or `ROBOT@` is one recipient, and is acknowledged once.
pub fn recipient_key(address: &str) -> String {
    let bare = match (address.rfind('<'), address.rfind('>')) {
        (Some(open), Some(close)) if open < close => &address[open + 1..close],
        _ => address,
    };
    let lower = bare.trim().to_lowercase();
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return lower;
    };
    let local = local.split('+').next().filter(|l| !l.is_empty()).unwrap_or(local);
    format!("{local}@{}", domain.trim_end_matches('.'))
}

impl SentLedger {
    /// Whether the event of `case` with ledger key `key` was sent or withheld.
    pub fn has(&self, case: &str, key: &str) -> bool {
        self.keys.contains(&entry_hash(case, key))
    }
}

/// The hash the ledger's keys are held as (the case and the event's key).
pub fn entry_hash(case: &str, key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys: the same in every process.
    let mut hasher = std::hash::DefaultHasher::new();
    case.hash(&mut hasher);
    key.hash(&mut hasher);
    hasher.finish()
}

impl Store {
    /// The ledger's folder.
    pub fn sent_dir(&self) -> PathBuf {
        self.root().join(SENT_DIR)
    }

    /// The ledger file of the month of `at`.
    pub fn sent_file(&self, at: DateTime<Utc>) -> PathBuf {
        self.sent_dir().join(format!("{}.log", at.format("%Y-%m")))
    }

    /// The `since` file's path.
    pub fn sent_since_path(&self) -> PathBuf {
        self.sent_dir().join(SINCE_FILE)
    }

    /// Reads the ledger: `since` and every entry's key. A folder or file
    /// that is not plainly one (a link, a FIFO) is refused as invalid data.
    pub fn sent_ledger(&self) -> Result<SentLedger> {
        let dir = self.sent_dir();
        let mut ledger = SentLedger::default();
        match fs::symlink_metadata(&dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ledger),
            Err(e) => return Err(Error::io(&dir, e)),
            Ok(meta) if !meta.is_dir() => {
                return Err(Error::invalid(
                    &dir,
                    None,
                    "is not a folder; the sent ledger is refused",
                ))
            }
            Ok(_) => {}
        }
        let since_path = dir.join(SINCE_FILE);
        if fs::symlink_metadata(&since_path).is_ok() {
            let text = read_text(&since_path)?;
            let value = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .unwrap_or("");
            ledger.started = true;
            ledger.since = if value == ALWAYS {
                None
            } else {
                Some(crate::core::time::parse_instant(value).map_err(|e| {
                    Error::invalid(
                        &since_path,
                        None,
                        format!("holds {value:?}, not an instant or `always`: {e}"),
                    )
                })?)
            };
        }
        self.visit_sent(&mut |entry| {
            ledger.keys.insert(entry_hash(&entry.case, &entry.key));
            if entry.event == "open" && entry.withheld.is_none() && !entry.to.is_empty() {
                let last = ledger
                    .acknowledged
                    .entry(recipient_key(&entry.to))
                    .or_insert(entry.sent_at);
                *last = (*last).max(entry.sent_at);
            }
        })?;
        Ok(ledger)
    }

    /// Calls `visit` with every entry of the ledger, oldest file first.
    pub fn visit_sent(&self, visit: &mut dyn FnMut(SentEntry)) -> Result<()> {
        let dir = self.sent_dir();
        let mut files: Vec<PathBuf> = match fs::read_dir(&dir) {
            Ok(listing) => listing
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|x| x == "log"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        files.sort();
        for file in files {
            read_entries(&file, visit)?;
        }
        Ok(())
    }

    /// Writes `since` (`None`: every event is mailed), synced; under the
    /// store's lock. The path written.
    pub fn start_sent_ledger(&self, _lock: &StoreLock, since: Option<DateTime<Utc>>) -> Result<PathBuf> {
        self.write_sent_since(since)
    }

    /// [`start_sent_ledger`](Self::start_sent_ledger), for `init` (nobody
    /// else can write a store that is being made).
    pub(super) fn write_sent_since(&self, since: Option<DateTime<Utc>>) -> Result<PathBuf> {
        self.make_sent_dir()?;
        let value = since.map_or(ALWAYS.to_string(), |at| crate::core::time::format_instant(&at));
        let text = format!(
            "# The mail host mails every public event from this instant on (`always`: every one);\n\
             # what it sent is in the .log files beside this one. Written by tickets; not to be edited.\n{value}\n"
        );
        let path = self.sent_since_path();
        super::atomic_write::write(&path, text.as_bytes(), super::atomic_write::Durability::Synced)?;
        Ok(path)
    }

    /// Appends `entry` to its month's file, synced, under the store's lock.
    /// The file written.
    pub fn record_sent(&self, _lock: &StoreLock, entry: &SentEntry) -> Result<PathBuf> {
        self.make_sent_dir()?;
        let path = self.sent_file(entry.sent_at);
        let line = serde_json::to_string(entry).map_err(|e| Error::Serialize {
            what: path.display().to_string(),
            detail: e.to_string(),
        })?;
        append_line(&path, &line)?;
        Ok(path)
    }

    fn make_sent_dir(&self) -> Result<()> {
        let dir = self.sent_dir();
        match fs::create_dir(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match fs::symlink_metadata(&dir) {
                Ok(meta) if meta.is_dir() => Ok(()),
                _ => Err(Error::invalid(
                    &dir,
                    None,
                    "is not a folder; the sent ledger is refused",
                )),
            },
            Err(e) => Err(Error::io(&dir, e)),
        }
    }
}

/// The largest ledger file read: a month of a very busy desk (a thousand
/// messages a day) is about 8 MiB.
const MAX_LEDGER_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The longest ledger line read (a line is a few hundred bytes).
const MAX_LEDGER_LINE_BYTES: usize = 8 * 1024;

impl SentEntry {
    /// Why this line is not one `tickets` writes, if it is not: a key that
    /// is not 16 hex digits, a case that is not an ID, fields too long.
    fn refusal(&self) -> Option<&'static str> {
        let id = |text: &str| {
            !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if self.key.len() != 16 || !self.key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some("holds a key that is not 16 hex digits");
        }
        if !id(&self.case) {
            return Some("names a case that is not an ID");
        }
        if self.to.len() > 320 || self.message_id.len() > 998 || self.subject.len() > 2048 || self.event.len() > 32 {
            return Some("holds a field longer than any tickets writes");
        }
        None
    }
}

/// Reads the entries of one ledger file, line by line.
fn read_entries(path: &Path, visit: &mut dyn FnMut(SentEntry)) -> Result<()> {
    use std::io::{BufRead, BufReader, Read};
    let (file, meta) = super::open_regular(path)?;
    if meta.len() > MAX_LEDGER_FILE_BYTES {
        return Err(Error::invalid(
            path,
            None,
            format!(
                "is {} bytes, over the {MAX_LEDGER_FILE_BYTES}-byte cap of a ledger file",
                meta.len()
            ),
        ));
    }
    let mut reader = BufReader::new(file.take(MAX_LEDGER_FILE_BYTES));
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LEDGER_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        let complete = line.last() == Some(&b'\n');
        if line.len() > MAX_LEDGER_LINE_BYTES {
            return Err(Error::invalid(
                path,
                Some(number),
                "is a line too long for the sent ledger",
            ));
        }
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<SentEntry>(text.trim_end()) {
            Ok(entry) => match entry.refusal() {
                None => visit(entry),
                Some(why) => {
                    return Err(Error::invalid(
                        path,
                        Some(number),
                        format!("{why}; nothing is sent until it is fixed"),
                    ))
                }
            },
            // The last line, cut by a crash while it was appended.
            Err(_) if !complete => return Ok(()),
            Err(e) => {
                return Err(Error::invalid(
                    path,
                    Some(number),
                    format!("is not a line of the sent ledger ({e}); nothing is sent until it is fixed"),
                ))
            }
        }
    }
}

/// Appends one line to `path`, never through a link and only to a regular
/// file, starting a new line when a crash cut the last one; synced.
fn append_line(path: &Path, line: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .read(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            path,
            None,
            "is not a regular file; the sent ledger is refused",
        ));
    }
    let cut = meta.len() > 0 && {
        use std::io::{Read, Seek, SeekFrom};
        let mut last = [0u8; 1];
        file.seek(SeekFrom::End(-1))
            .and_then(|_| file.read_exact(&mut last))
            .map_err(|e| Error::io(path, e))?;
        last[0] != b'\n'
    };
    let text = if cut {
        format!("\n{line}\n")
    } else {
        format!("{line}\n")
    };
    file.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::recipient_key;

    #[test]
    fn one_mailbox_is_one_recipient_however_it_is_spelled() {
        for spelling in [
            "robot@acme.example",
            "ROBOT@Acme.Example",
            "robot+1@acme.example",
            "Robot+ack-2@acme.example.",
            "Robot <robot+3@acme.example>",
        ] {
            assert_eq!(recipient_key(spelling), "robot@acme.example", "{spelling}");
        }
        assert_eq!(recipient_key("+x@acme.example"), "+x@acme.example");
        assert_eq!(recipient_key("not an address"), "not an address");
    }
}
