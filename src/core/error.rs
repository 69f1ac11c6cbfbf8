//! The library's one error type. Each variant carries what a person needs to
//! act on it, as data: no option names, no hints at commands, no terminal
//! escaping. The front ends word them: the command line adds its hints and
//! escapes (`cli::error_message`) and maps them to the documented exit codes
//! (`cli::exit_code`); the portal maps them to HTTP statuses and pages
//! (`portal::error_status`). The `Display` text is the plain sentence, for
//! logs and tests.

pub use crate::core::git_error::GitError;
pub use crate::core::mail_refusal::MailRefusal;
use crate::core::time::format_instant;
use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Every failure the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An ID was given that names no case in the store.
    #[error("no such ticket: {id}{}", did_you_mean(near))]
    NoSuchTicket {
        /// The ID as the user typed it (not escaped).
        id: String,
        /// Case IDs close to it (a typo away), for a "did you mean" hint.
        near: Vec<String>,
    },

    /// An e-mail's Subject tags a case ID that names no case.
    #[error("no such ticket: {tag} (the Subject's tag)")]
    NoCaseTagged {
        /// The first tag of the Subject.
        tag: String,
    },

    /// An e-mail names no case: no Subject tag, and its In-Reply-To and
    /// References name no case's Message-ID.
    #[error(
        "no such ticket: (none found: the Subject has no [ID] tag and In-Reply-To/References name no case's Message-ID)"
    )]
    NoCaseReplied,

    /// An ID that cannot be a ticket ID at all (path separators, `..`, NUL...).
    #[error("no such ticket: {id:?} is not a valid ticket ID ({reason})")]
    InvalidId {
        /// The offending ID.
        id: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A short ID prefix matched more than one case.
    #[error("ticket ID {id} is ambiguous: it matches {candidates}")]
    AmbiguousId {
        /// The prefix typed.
        id: String,
        /// Some of the IDs it matches, comma separated.
        candidates: String,
    },

    /// The case is closed; closed is terminal.
    #[error("{id} is closed; closed is terminal and `{action}` is not allowed")]
    Closed {
        /// The case.
        id: String,
        /// The command that was refused.
        action: String,
    },

    /// The transition is not in the table for the case's current status.
    #[error("{id}: `{action}` is not allowed from status {status}; allowed from {status}: {allowed}")]
    TransitionNotAllowed {
        /// The case.
        id: String,
        /// The command that was refused.
        action: String,
        /// The case's current status.
        status: String,
        /// The commands allowed from that status.
        allowed: String,
    },

    /// A follow-up of a case that is not closed: the case itself takes the
    /// customer's reply.
    #[error(
        "{id}: a follow-up is not allowed from status {status}; allowed from {status}: reply, request-info and the \
         rest on {id} itself; a follow-up is for a closed case"
    )]
    FollowUpOfOpenCase {
        /// The case that was to be followed up.
        id: String,
        /// Its current status.
        status: String,
    },

    /// A merge of a case into a case of another customer.
    #[error("{id} cannot be merged into {target}: {id} is {customer}'s and {target} is {target_customer}'s; only cases of the same customer merge")]
    MergeAcrossCustomers {
        /// The duplicate.
        id: String,
        /// The case it was to be merged into.
        target: String,
        /// The duplicate's customer.
        customer: String,
        /// The target's customer.
        target_customer: String,
    },

    /// A merge of a case into itself (directly, or at the end of the
    /// chain of merges the target follows).
    #[error("{id} cannot be merged into {target}: {}", if id == target { "a case cannot be merged into itself".to_string() } else { format!("{target} was merged into {end}, which is {id} itself") })]
    MergeIntoItself {
        /// The duplicate.
        id: String,
        /// The target as given.
        target: String,
        /// The end of the target's chain of merges.
        end: String,
    },

    /// The case was already merged into another.
    #[error("{id} was already merged into {into}; `merge` is not allowed")]
    AlreadyMerged {
        /// The case.
        id: String,
        /// The case it was merged into.
        into: String,
    },

    /// Following `merged_into` from a case meets a loop (or a chain too
    /// long to be anything but damage).
    #[error("{id}: its chain of merges does not end: {}", chain.join(" -> "))]
    MergeChainLoop {
        /// The case the walk started from.
        id: String,
        /// The cases walked, the repeated one last.
        chain: Vec<String>,
    },

    /// A change dated before the case's last change: history is in time
    /// order, so such a case could never be replayed.
    #[error(
        "{id}: the case last changed at {}; a change dated {} would be out of order",
        format_instant(last),
        format_instant(now)
    )]
    ChangeBeforeLastChange {
        /// The case.
        id: String,
        /// When it last changed.
        last: DateTime<Utc>,
        /// The date the change would have had.
        now: DateTime<Utc>,
    },

    /// The directory given as the store holds no `config.yaml`.
    #[error("\"{}\" is not a tickets store (no config.yaml)", path.display())]
    NotAStore {
        /// The directory.
        path: PathBuf,
    },

    /// A file in the store does not parse or does not validate.
    #[error("{}: {reason}", location(path, *line))]
    InvalidData {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// Why it is invalid.
        reason: String,
    },

    /// The store is written in a newer format than this build reads.
    #[error("{}: this store is written in format {found} by a newer tickets; this build reads up to format {supported}", path.display())]
    NewerStore {
        /// config.yaml.
        path: PathBuf,
        /// The format config.yaml declares.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },

    /// A contact address no plain SMTP transport carries (a non-ASCII local
    /// part needs SMTPUTF8 all along its path): refused when it is given,
    /// not at every delivery.
    #[error("the contact address {email:?} has a non-ASCII local part, which needs SMTPUTF8 (RFC 6531); the desk sends plain SMTP: give an ASCII address")]
    AddressNotCarried {
        /// The address as given.
        email: String,
    },

    /// The store's lock could not be had within the bounded wait.
    #[error("store busy: could not lock {path} within {waited_ms} ms (another tickets command is writing); try again")]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited_ms: u128,
    },

    /// A name given as an analyst's that is not in the roster.
    #[error("{name} is not in the roster of {}; known analysts: {}", config.display(), known.join(", "))]
    UnknownAnalyst {
        /// The name given.
        name: String,
        /// The config file whose roster it is not in.
        config: PathBuf,
        /// The roster's analyst IDs.
        known: Vec<String>,
    },

    /// A canned answer (`templates/answers/NAME.md`) the store does not have.
    #[error("no canned answer named {name} in {}{}", folder.display(), did_you_mean(near))]
    UnknownAnswer {
        /// The name given.
        name: String,
        /// The folder of canned answers.
        folder: PathBuf,
        /// The names nearest to it.
        near: Vec<String>,
    },

    /// A canned answer's name that is not a plain file name.
    #[error("{name:?} is not a canned answer's name: {reason}")]
    InvalidAnswerName {
        /// The name given.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },

    /// A follow-up given a customer other than the case it follows.
    #[error("{id} is a case of {customer}, not of {given}: a follow-up keeps the customer of the case it follows")]
    FollowUpOfOtherCustomer {
        /// The case followed up.
        id: String,
        /// Its customer.
        customer: String,
        /// The customer given.
        given: String,
    },

    /// An impact given to the escalation of a case at L1 (impact is for R&D's
    /// queue; L1 escalates to L2 first).
    #[error("impact is for escalating into R&D's queue (from l2 or rnd); {id} is at l1 and goes to L2 first")]
    ImpactBeforeL2 {
        /// The case.
        id: String,
    },

    /// Files given to an action that does not carry attachments.
    #[error("only open, reply, request-info and close carry attachments")]
    AttachmentsNotCarried {
        /// The action they were given to.
        action: String,
    },

    /// A path given as an attachment that is not a regular file.
    #[error("{}: not a regular file", path.display())]
    AttachmentNotAFile {
        /// The path given.
        path: PathBuf,
    },

    /// No attachment of the case has that name (or SHA-256 prefix).
    #[error("{id}: no attachment named {name}")]
    NoSuchAttachment {
        /// The case.
        id: String,
        /// The name asked for.
        name: String,
    },

    /// Several different files of the case have that name.
    #[error("{id}: {} files are named {name}; give a SHA-256 prefix instead: {}", candidates.len(), candidates.join(", "))]
    AmbiguousAttachment {
        /// The case.
        id: String,
        /// The name asked for.
        name: String,
        /// Each file, as its SHA-256 prefix and its size (`0123456789ab (2 KB)`).
        candidates: Vec<String>,
    },

    /// The store's config already exists.
    #[error("{} already exists; not overwriting it", path.display())]
    StoreExists {
        /// The config file.
        path: PathBuf,
    },

    /// A change would make a case file larger than the cap for its status;
    /// nothing was written.
    #[error("{}", too_large(id, *size, *limit, *cap, *closed))]
    CaseTooLarge {
        /// The case.
        id: String,
        /// The size the file would have had, in bytes.
        size: u64,
        /// The cap for the case's status, in bytes.
        limit: u64,
        /// The cap of any case file (a closed one's), in bytes.
        cap: u64,
        /// The case is closed (the change was its resolution).
        closed: bool,
    },

    /// An e-mail was refused at intake; nothing was created or changed.
    #[error("e-mail refused: {0}; nothing was created or changed")]
    MailRefused(MailRefusal),

    /// An e-mail address that is no customer's contact.
    #[error("{email} is not the address of a customer's contact (no customer lists its domain in `domains`)")]
    NotAContact {
        /// The address.
        email: String,
    },

    /// The portal cannot listen on the address given.
    #[error("cannot listen on {address}: {source}")]
    CannotListen {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },

    /// A failure of git or of the clone's files.
    #[error(transparent)]
    Git(#[from] GitError),

    /// Auto-commit is off in a git clone, so files written were left
    /// uncommitted (a warning's reason).
    #[error("auto-commit is off (git: {{commit: true}} in config.yaml): commit {what} before the next push")]
    AutoCommitOff {
        /// What to commit (`sent/`).
        what: &'static str,
    },

    /// A directory too large to list in memory.
    #[error("{}: {reason}", dir.display())]
    CannotList {
        /// The directory.
        dir: PathBuf,
        /// Why (`too many files to check`...).
        reason: &'static str,
    },

    /// A file handed to attachment clean-up that is not one of `attachments/`.
    #[error("{} is not a file of attachments/", path.display())]
    NotAnAttachmentFile {
        /// The file.
        path: PathBuf,
    },

    /// A value could not be serialized (JSON or YAML).
    #[error("cannot write {what}: {detail}")]
    Serialize {
        /// What was being written (a file name, a case ID, `JSON`).
        what: String,
        /// The serializer's message.
        detail: String,
    },

    /// An I/O failure, with the path it concerns.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// Something that cannot happen did (a bug): what broke, in a phrase.
    #[error("{what}")]
    Internal {
        /// What broke.
        what: &'static str,
    },

    /// An unexpected failure of another library, with its message.
    #[error("{context}: {detail}")]
    Unexpected {
        /// What was being done.
        context: &'static str,
        /// The other library's message.
        detail: String,
    },

    /// A customer named for a case (`set-customer`) that config.yaml does not list.
    #[error("customer {name:?} is not in {}{}", config.display(), nearest_hint(nearest))]
    UnknownCustomer {
        /// The name given.
        name: String,
        /// The config file whose customers it is not among.
        config: PathBuf,
        /// The listed customer nearest to it, if one is close.
        nearest: Option<String>,
    },

    /// A tag that config.yaml's `tags:` does not list.
    #[error("tag {tag:?} is not in the tags of {}{}; known tags: {}", config.display(), nearest_hint(nearest), if known.is_empty() { "(none)".to_string() } else { known.join(", ") })]
    UnknownTag {
        /// The tag given.
        tag: String,
        /// The config file whose tags it is not among.
        config: PathBuf,
        /// The listed tag nearest to it, if one is close.
        nearest: Option<String>,
        /// The listed tags.
        known: Vec<String>,
    },

    /// An address to copy on a case that is not at one of its customer's domains.
    #[error("{id}: {address} is not an address of {customer}'s domains ({}); only the customer's people can be copied", if domains.is_empty() { "none listed".to_string() } else { domains.join(", ") })]
    CcOutsideDomains {
        /// The case.
        id: String,
        /// The address given.
        address: String,
        /// The case's customer.
        customer: String,
        /// The customer's domains in config.yaml.
        domains: Vec<String>,
    },
}

/// The hint after an unknown name: `; did you mean "X"?`, or nothing.
fn nearest_hint(nearest: &Option<String>) -> String {
    nearest
        .as_ref()
        .map(|n| format!("; did you mean {n:?}?"))
        .unwrap_or_default()
}

fn too_large(id: &str, size: u64, limit: u64, cap: u64, closed: bool) -> String {
    if closed {
        format!("{id}: the case file would be {size} bytes, over the {cap}-byte cap; nothing was written (shorten the resolution)")
    } else {
        format!(
            "{id}: the case file would be {size} bytes, over the {limit}-byte cap of a case that is not closed \
             (the last {} bytes of the {cap}-byte cap are kept so that it can always be closed); \
             nothing was written (shorten the text, or close the case and open a follow-up)",
            cap - limit
        )
    }
}

fn location(path: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An invalid-data error for a file, with an optional line.
    pub fn invalid(path: impl Into<PathBuf>, line: Option<usize>, reason: impl Into<String>) -> Self {
        Error::InvalidData {
            path: path.into(),
            line,
            reason: reason.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Writes one line to standard error, ignoring a failed write: a diagnostic
/// has nowhere else to go, and a stderr whose reader is gone must not turn a
/// command that did its work into a crash (`eprintln!` panics, exit 101).
pub fn diagnostic(line: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// The hint after "no such ticket": `(did you mean RC-1, RC-2?)`, or nothing.
fn did_you_mean(near: &[String]) -> String {
    if near.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", near.join(", "))
    }
}
