//! The mail host's own record, in `.tickets/` (local, never committed): the
//! instant it started mailing from, and a hash of every event it sent or
//! withheld. The committed ledger can be rewritten by anyone who can push:
//! a `since` moved back would have the mail host mail the history of every
//! case, lines removed would have it send them again. What this host did
//! itself stands, whatever a push says. Lost (a new host, a restore), the
//! committed ledger is all there is, as before.

use super::atomic_write::Durability;
use super::derived_dir::DerivedDir;
use super::{Store, StoreLock};
use crate::core::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::io::Read;

/// The instant this host mails events from (`always`: every one).
const SINCE: &str = "mail-host-since";
/// The events this host sent or withheld, one hash a line (16 hex digits).
const SENT: &str = "mail-host-sent";
/// The largest record read (a million messages are 17 MB).
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What this clone, as the mail host, did itself.
#[derive(Debug, Default)]
pub struct MailHostRecord {
    /// The instant it started mailing from (`Some(None)`: every event), if
    /// it ever delivered.
    pub since: Option<Option<DateTime<Utc>>>,
    /// The events it sent or withheld (see `sent_ledger::entry_hash`).
    pub sent: HashSet<u64>,
}

impl Store {
    /// This clone's own record as the mail host; empty when it has none.
    pub fn mail_host_record(&self) -> Result<MailHostRecord> {
        let mut record = MailHostRecord::default();
        let Some(derived) = DerivedDir::open(self.root())? else {
            return Ok(record);
        };
        if let Some(text) = read(&derived, SINCE)? {
            let value = text.trim();
            record.since =
                Some(if value == "always" {
                    None
                } else {
                    Some(crate::core::time::parse_instant(value).map_err(|e| {
                        Error::invalid(derived.path().join(SINCE), None, format!("holds {value:?}: {e}"))
                    })?)
                });
        }
        if let Some(text) = read(&derived, SENT)? {
            record.sent = text
                .lines()
                .filter_map(|line| u64::from_str_radix(line.trim(), 16).ok())
                .collect();
        }
        Ok(record)
    }

    /// Writes the record (under the delivery lock): `since`, and every hash
    /// of `sent`.
    pub fn write_mail_host_record(&self, lock: &StoreLock, record: &MailHostRecord) -> Result<()> {
        if let Some(since) = record.since {
            let value = since.map_or("always".to_string(), |at| crate::core::time::format_instant(&at));
            lock.derived
                .write_private_file(SINCE, format!("{value}\n").as_bytes(), Durability::Synced)?;
        }
        let mut hashes: Vec<u64> = record.sent.iter().copied().collect();
        hashes.sort_unstable();
        let mut text = String::with_capacity(hashes.len() * 17);
        for hash in hashes {
            text.push_str(&format!("{hash:016x}\n"));
        }
        lock.derived
            .write_private_file(SENT, text.as_bytes(), Durability::Synced)
    }
}

/// The text of a private file of `.tickets/`, `None` when there is none.
fn read(derived: &DerivedDir, name: &str) -> Result<Option<String>> {
    let file = match derived.open_private_file(name) {
        Ok(file) => file,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut text = String::new();
    file.take(MAX_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| Error::io(derived.path().join(name), e))?;
    Ok(Some(text))
}
