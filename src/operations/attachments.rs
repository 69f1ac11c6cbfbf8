//! The files that come with an event (SPEC section 9): received before the
//! lock (streamed to the store's temp files while hashed, counted against
//! the file and message limits), kept under the lock once the case's own
//! limit is known, and named by the event. What is over a limit is left
//! out, and the event's text says so.

use crate::core::case::{Attachment, Case};
use crate::core::config::AttachmentLimits;
use crate::core::error::{Error, Result};
use crate::store::attachments::{Incoming, Received, Staged};
use crate::store::{Store, StoreLock};
use std::fmt;
use std::io::Read;
use std::path::Path;

/// The most files one message (one event) may carry; more are left out.
pub const MAX_ATTACHMENTS_PER_MESSAGE: usize = 100;

/// The most bytes the note naming files left out may take (4 KiB); further
/// names are counted (`and N more`).
pub const MAX_LEFT_OUT_NOTE_BYTES: usize = 4 * 1024;

/// The longest name written in the note, in characters.
const MAX_NOTE_NAME_CHARS: usize = 100;

/// Which limit a file was over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `attachments.max_file_bytes`.
    File(u64),
    /// `attachments.max_message_bytes`.
    Message(u64),
    /// `attachments.max_case_bytes`.
    Case(u64),
    /// [`MAX_ATTACHMENTS_PER_MESSAGE`].
    Count(usize),
    /// Not a limit: a mail part whose transfer encoding is broken (a
    /// corrupt base64 body), so its bytes are not the sender's file.
    Undecodable,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::File(bytes) => write!(f, "over the limit of {} a file", size(*bytes)),
            Limit::Message(bytes) => write!(f, "over the limit of {} a message", size(*bytes)),
            Limit::Case(bytes) => write!(f, "over the limit of {} a case", size(*bytes)),
            Limit::Count(count) => write!(f, "over the limit of {count} files a message"),
            Limit::Undecodable => write!(f, "its encoding is broken, so it could not be read"),
        }
    }
}

pub use crate::core::case::size_for_people as size;

/// A file not kept, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Its name, as a label.
    pub name: String,
    /// Its size in bytes (what came before it was cut off, at least).
    pub size: u64,
    /// The limit it was over.
    pub limit: Limit,
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut name: String = one_line(&self.name);
        if name.chars().count() > MAX_NOTE_NAME_CHARS {
            name = name.chars().take(MAX_NOTE_NAME_CHARS).collect::<String>() + "…";
        }
        write!(f, "{name} ({}, {})", size(self.size), self.limit)
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The files an event will carry, received and staged, and those left out.
/// Build one with [`Enclosures::new`], add files, and hand it to the
/// operation (`reply`, `open`, ...). Dropped unused, its temp
/// files are removed.
#[derive(Debug)]
pub struct Enclosures {
    store: Store,
    limits: AttachmentLimits,
    staged: Vec<Staged>,
    left_out: Vec<LeftOut>,
    bytes: u64,
}

impl Enclosures {
    /// No files yet, for the store and its limits (`config.attachments`).
    pub fn new(store: &Store, limits: AttachmentLimits) -> Enclosures {
        Enclosures {
            store: store.clone(),
            limits,
            staged: Vec::new(),
            left_out: Vec::new(),
            bytes: 0,
        }
    }

    /// None, for operations given no files.
    pub fn none(store: &Store) -> Enclosures {
        Enclosures::new(store, AttachmentLimits::default())
    }

    /// Whether nothing was received (kept or left out).
    pub fn is_empty(&self) -> bool {
        self.staged.is_empty() && self.left_out.is_empty()
    }

    /// The files left out so far.
    pub fn left_out(&self) -> &[LeftOut] {
        &self.left_out
    }

    /// Starts receiving one file (streamed in by the caller, then
    /// [`Enclosures::finish`]ed), limited to what the file and message
    /// limits still allow.
    pub fn begin(&mut self, name: &str, content_type: Option<&str>) -> Result<Incoming> {
        if self.is_full() {
            // Left out whatever it holds: counted, never written.
            return self.store.count_attachment(name);
        }
        let room = self.limits.max_message_bytes.saturating_sub(self.bytes);
        let limit = self.limits.max_file_bytes.min(room);
        self.store.receive_attachment(name, content_type, limit)
    }

    /// Whether as many files as a message may carry are staged.
    fn is_full(&self) -> bool {
        self.staged.len() >= MAX_ATTACHMENTS_PER_MESSAGE
    }

    /// Ends a file begun with [`Enclosures::begin`]: staged, or left out.
    pub fn finish(&mut self, incoming: Incoming) -> Result<()> {
        let full = self.is_full();
        match incoming.finish()? {
            Received::Staged(staged) if full => {
                self.left_out.push(LeftOut {
                    name: staged.attachment.name.clone(),
                    size: staged.attachment.size,
                    limit: Limit::Count(MAX_ATTACHMENTS_PER_MESSAGE),
                });
            }
            Received::TooLarge { name, size } if full => {
                self.left_out.push(LeftOut {
                    name,
                    size,
                    limit: Limit::Count(MAX_ATTACHMENTS_PER_MESSAGE),
                });
            }
            Received::Staged(staged) => {
                self.bytes += staged.attachment.size;
                self.staged.push(staged);
            }
            Received::TooLarge { name, size } => {
                let limit = if size > self.limits.max_file_bytes {
                    Limit::File(self.limits.max_file_bytes)
                } else {
                    Limit::Message(self.limits.max_message_bytes)
                };
                self.left_out.push(LeftOut { name, size, limit });
            }
        }
        Ok(())
    }

    /// Receives one file read from `reader` (`source` names it in errors).
    pub fn add_reader(
        &mut self,
        name: &str,
        content_type: Option<&str>,
        reader: impl Read,
        source: &Path,
    ) -> Result<()> {
        let mut incoming = self.begin(name, content_type)?;
        incoming.write_from(reader, source)?;
        self.finish(incoming)
    }

    /// Receives one file held in memory (a part of an e-mail already parsed).
    pub fn add_bytes(&mut self, name: &str, content_type: Option<&str>, bytes: &[u8]) -> Result<()> {
        let mut incoming = self.begin(name, content_type)?;
        incoming.write(bytes)?;
        self.finish(incoming)
    }

    /// Receives one attachment of a parsed e-mail; one whose encoding is
    /// broken is left out and noted, as a file over a limit is.
    pub fn add_mail_attachment(&mut self, attachment: &crate::mail::intake::MailAttachment) -> Result<()> {
        if attachment.undecodable {
            self.left_out.push(LeftOut {
                name: attachment.name.clone(),
                size: attachment.bytes.len() as u64,
                limit: Limit::Undecodable,
            });
            return Ok(());
        }
        self.add_bytes(&attachment.name, attachment.content_type.as_deref(), &attachment.bytes)
    }

    /// Receives a file of the local disk (`--attach FILE`): named after the
    /// file, typed by its extension. Only a regular file (a FIFO or device
    /// is refused as a usage error, not read forever).
    pub fn add_file(&mut self, path: &Path) -> Result<()> {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Opened without blocking: opening a FIFO for reading waits for a writer.
        let nonblock = rustix::fs::OFlags::NONBLOCK.bits();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(i32::try_from(nonblock).unwrap_or(0))
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::AttachmentNotAFile {
                path: path.to_path_buf(),
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".into());
        let content_type = type_of_extension(&name);
        self.add_reader(&name, Some(content_type), file, path)
    }

    /// Keeps the staged files within the case's limit (the case as it was
    /// before this event), under the lock: each is at its address and
    /// synced when this returns. The files kept, and every file left out.
    pub(super) fn keep(self, lock: &StoreLock, case: Option<&Case>) -> Result<(Vec<Attachment>, Vec<LeftOut>)> {
        let Enclosures {
            store,
            limits,
            staged,
            mut left_out,
            ..
        } = self;
        // Sizes come from the case file (untrusted): summed without overflow.
        let mut case_bytes: u64 = case
            .map(|c| {
                c.history
                    .iter()
                    .flat_map(|e| &e.attachments)
                    .fold(0u64, |sum, a| sum.saturating_add(a.size))
            })
            .unwrap_or(0);
        let mut kept = Vec::new();
        for staged in staged {
            let attachment_size = staged.attachment.size;
            if case_bytes.saturating_add(attachment_size) > limits.max_case_bytes {
                left_out.push(LeftOut {
                    name: staged.attachment.name.clone(),
                    size: attachment_size,
                    limit: Limit::Case(limits.max_case_bytes),
                });
                continue;
            }
            case_bytes += attachment_size;
            kept.push(store.keep_attachment(lock, staged)?);
        }
        Ok((kept, left_out))
    }
}

/// `\n\n[attachments left out: a.pdf (12.0 MiB, over the limit of 10 MiB a file)]`,
/// or nothing; at most [`MAX_LEFT_OUT_NOTE_BYTES`], the names past it counted.
pub fn left_out_note(left_out: &[LeftOut]) -> String {
    let items: Vec<String> = left_out.iter().map(|one| one.to_string()).collect();
    crate::mail::intake::capped_list((LEFT_OUT_HEAD, "]"), &items, "; ", MAX_LEFT_OUT_NOTE_BYTES, "files")
}

/// How the note of files left out starts.
pub const LEFT_OUT_HEAD: &str = "\n\n[attachments left out: ";

/// A content type for a local file, from its extension; octet-stream else.
pub fn type_of_extension(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        _ => crate::store::attachments::OCTET_STREAM,
    }
}

/// Gives the event just applied to `next` the files kept, and appends the
/// note of those left out to its text (`open`: the description).
pub(super) fn record(next: &mut Case, kept: Vec<Attachment>, left_out: &[LeftOut]) {
    let note = left_out_note(left_out);
    let opening = next.history.len() == 1;
    if !note.is_empty() {
        if opening {
            next.description.push_str(&note);
        } else if let Some(event) = next.history.last_mut() {
            match &mut event.message {
                Some(text) if !text.is_empty() => text.push_str(&note),
                other => *other = Some(note.trim_start_matches('\n').to_string()),
            }
        }
    }
    if let Some(event) = next.history.last_mut() {
        event.attachments = kept;
    }
}

/// The shortest SHA-256 prefix `tickets attachment` takes for a name.
pub const MIN_HASH_PREFIX: usize = 6;

/// The attachment `wanted` names among `case`'s: one whose name is exactly
/// `wanted`, else one whose SHA-256 starts with `wanted` (at least
/// [`MIN_HASH_PREFIX`] hex digits). Several files of that name with
/// different contents are ambiguous (a usage error listing them with
/// their hashes); the same file attached twice is one. With `public_only`,
/// only the attachments of public events count (what a customer may see).
pub fn find<'a>(case: &'a Case, wanted: &str, public_only: bool) -> Result<&'a Attachment> {
    let visible = case
        .history
        .iter()
        .filter(|e| !public_only || e.action.visibility() == crate::core::vocabulary::Visibility::Public)
        .flat_map(|e| &e.attachments);
    let mut by_name: Vec<&Attachment> = visible.clone().filter(|a| a.name == wanted).collect();
    if by_name.is_empty() && wanted.len() >= MIN_HASH_PREFIX && wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        let prefix = wanted.to_ascii_lowercase();
        by_name = visible.filter(|a| a.sha256.starts_with(&prefix)).collect();
    }
    by_name.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    by_name.dedup_by(|a, b| a.sha256 == b.sha256);
    match by_name.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NoSuchAttachment {
            id: case.id.clone(),
            name: wanted.to_string(),
        }),
        several => Err(Error::AmbiguousAttachment {
            id: case.id.clone(),
            name: wanted.to_string(),
            candidates: several
                .iter()
                .map(|a| format!("{} ({})", &a.sha256[..12], size(a.size)))
                .collect(),
        }),
    }
}

/// One attachment of a case, found by [`find`] and opened checked (see
/// [`Store::open_attachment`]): its record and its content, at the start.
pub fn attachment(session: &super::Session, typed_id: &str, wanted: &str) -> Result<(Attachment, std::fs::File)> {
    let store = &session.store;
    let id = store.resolve(typed_id)?;
    let case = store.load(&id)?;
    let found = find(&case, wanted, false)?.clone();
    let file = store.open_attachment(&found)?;
    Ok((found, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_each_file_its_size_and_limit_within_its_cap() {
        let one = LeftOut {
            name: "big\n.iso".into(),
            size: 12 * 1024 * 1024,
            limit: Limit::File(10 * 1024 * 1024),
        };
        assert_eq!(
            left_out_note(std::slice::from_ref(&one)),
            "\n\n[attachments left out: big .iso (12 MiB, over the limit of 10 MiB a file)]"
        );
        let many = vec![one; 1000];
        let note = left_out_note(&many);
        assert!(note.len() <= MAX_LEFT_OUT_NOTE_BYTES, "{}", note.len());
        assert!(note.contains(" more]"), "{note}");
        assert_eq!(left_out_note(&[]), "");
    }
}
