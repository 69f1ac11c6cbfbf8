//! The application layer: one typed function per thing a person does (open a
//! case, each transition, sweep, remind, list, show, the R&D queue), for every
//! front end alike: the command line, the mail pipe and the portal.
//!
//! Each operation takes a [`Session`] (the store, who acts, *now*, how long
//! to wait for the lock); every write runs as one transaction (lock, load,
//! apply, attach, check the outgoing mail, save, then the optional git
//! auto-commit: see `transaction.rs`), and returns a typed result. It never
//! prints and never reads the environment: what a person should hear about
//! (nobody to route to, a customer not in config.yaml, a change saved but not
//! committed, files that could not be read) comes back as data, a
//! [`Warning`] or an [`Error`] in the result, for the front end to render.
//!
//! ```
//! use tickets::operations::{self, Enclosures, OpenRequest, Opening, Session};
//! use tickets::{Channel, Status};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = tickets::store::Store::new(dir.path());
//! store.init("analysts: [{id: alice, name: Alice, level: l1}]\n").unwrap();
//! let session = Session {
//!     store,
//!     actor: "alice".into(),
//!     now: tickets::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap(),
//!     lock_wait: std::time::Duration::from_secs(1),
//! };
//! let request = OpenRequest::new("Acme Corp", "Login fails");
//! let Opening::Opened(opened) = operations::open(&session, request, Enclosures::none(&session.store)).unwrap() else {
//!     unreachable!("no Message-ID, so never a redelivery")
//! };
//! assert_eq!(opened.case.assignee.as_deref(), Some("alice"));
//! let none = Enclosures::none(&session.store);
//! let asked = operations::request_info(&session, &opened.case.id, "Which version?".into(), none).unwrap();
//! assert_eq!((asked.before, asked.case.status), (Status::Open, Status::WaitingForCustomer));
//! # let _ = Channel::Portal;
//! ```

pub mod answers;
pub mod attachment_check;
pub mod attachments;
mod case_fields;
pub mod chat;
pub mod check;
mod deliver;
mod escalate;
pub mod git_setup;
mod intake;
mod list;
mod merge;
mod open;
mod outgoing;
pub mod portal;
mod read;
mod remind;
mod reply;
pub mod stats;
mod sweep;
mod transaction;
mod transitions;

pub use attachments::Enclosures;
pub use case_fields::{cc, cc_additions, set_customer, tag};
pub use deliver::{deliver, outbox, unstarted_mail, Delivered};
pub use escalate::{escalate, Escalated};
pub use intake::{intake, Taken};
pub use list::{auto_close_at, list, list_holding, list_streamed, ListFilter, ListOrder, Listed, Listing, HOLD_BYTES};
pub use merge::{merge, merged_cases, merged_end, Merged, MAX_MERGED_CASES};
pub use open::{draft, open, open_from_email, Draft, OpenRequest, Opened, Opening};
pub use outgoing::{copied, notice_of};
pub use read::{case, digests, queue, queue_order, show, Queue, Shown};
pub use remind::{remind, Reminded, Reminder};
pub use reply::{reply, reply_from_email, Replied};
pub use sweep::{due_for_sweep, sweep, DueForSweep, Report, Swept};
pub use transaction::Mode;
pub use transitions::{assign, close, investigate, note, reassess, request_info, Reassessed};

use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::targets::Due;
use crate::core::targets::Policy;
use crate::core::vocabulary::{Level, Status};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// What every operation takes: the store acted on, who acts, and *now*.
/// A front end builds one per request (the CLI from its global options).
#[derive(Debug, Clone)]
pub struct Session {
    /// The store.
    pub store: Store,
    /// Who acts, recorded in history and in commit messages.
    pub actor: String,
    /// The instant every change is recorded at, and deadlines are measured against.
    pub now: DateTime<Utc>,
    /// How long to wait for the store's write lock before giving up ([`Error::Busy`]).
    pub lock_wait: Duration,
}

/// Something a person should hear about an operation that succeeded.
#[derive(Debug)]
pub enum Warning {
    /// This clone's clock is behind the case's last change: what the
    /// customer said (or the note) is dated at that change, and the event
    /// keeps the clock's date.
    ClockBehind {
        /// The case.
        id: String,
        /// What this clone's clock said.
        clock: DateTime<Utc>,
        /// The case's last change, the event's date.
        last: DateTime<Utc>,
    },
    /// With `git: {commit: true}`: the change is saved, but git did not commit it.
    NotCommitted {
        /// The files written and left uncommitted.
        files: Vec<PathBuf>,
        /// Why git failed.
        error: Error,
    },
    /// The customer is not in config.yaml (allowed), so the case gets the standard plan.
    UnknownCustomer {
        /// The customer as given.
        customer: String,
    },
    /// The event's message to the customer could not be composed (a contact
    /// address that is not one, a broken template): the change is saved, and
    /// nothing was queued.
    MailNotQueued {
        /// The case.
        id: String,
        /// Why.
        reason: String,
    },
    /// The store sends mail (`mail:` in config.yaml) but the new case has no
    /// contact address: nothing is queued for it, now or later.
    NoContact {
        /// The case.
        id: String,
    },
    /// Files that came with the event were over a limit and not kept; the
    /// event's text names them.
    AttachmentsLeftOut {
        /// The case.
        id: String,
        /// The files, and the limit each was over.
        left_out: Vec<attachments::LeftOut>,
    },
    /// The committed sent ledger says other than what this mail host did
    /// itself (a push rewrote it): this host keeps to its own record.
    LedgerRewritten {
        /// What differs, for people.
        reason: String,
    },
    /// The store sends mail, but no `deliver` has started the sent ledger
    /// (`sent/since` is missing) and this clone has no record of mailing
    /// (`.tickets/mail-host-*`): the first `deliver` mails only what happens
    /// after it, so the public events of these cases are never mailed. A
    /// new store before its first delivery, or a mail host restored from a
    /// clone that lacks the ledger's start.
    MailNotStarted {
        /// The cases with a contact address, whose public events so far go
        /// unmailed.
        cases: usize,
    },
    /// A name given as an analyst (a filter, `--as`) is not in the roster.
    UnknownAnalyst {
        /// The name as given.
        analyst: String,
        /// The roster's IDs.
        known: Vec<String>,
    },
    /// A customer given as a filter is not in config.yaml (so no case of
    /// theirs can have a plan of their own; a typo lists nothing).
    UnknownCustomerFilter {
        /// The customer as given.
        customer: String,
        /// The customers config.yaml names.
        known: Vec<String>,
    },
    /// A tag given as a filter is not in config.yaml's `tags` (a typo lists nothing).
    UnknownTagFilter {
        /// The tag as given.
        tag: String,
        /// The tags config.yaml lists.
        known: Vec<String>,
    },
    /// Routing found nobody available at the tier: the case is unassigned.
    Unassigned {
        /// The case.
        id: String,
        /// The tier routed at.
        level: Level,
        /// Routing's sentence for people.
        reason: String,
    },
}

/// A transition done and saved.
#[derive(Debug)]
pub struct Transitioned {
    /// The case's status before the action.
    pub before: Status,
    /// The case after the action, as saved.
    pub case: Case,
    /// What a person should hear about (a commit that failed).
    pub warnings: Vec<Warning>,
}

/// What an operation that may find nothing to do did.
// Returned once per call, never held in bulk: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Outcome<T> {
    /// The change, saved.
    Changed(T),
    /// The case already was as asked, so nothing was written: no event and no
    /// commit record a change that did not happen. The case as it is.
    Unchanged(Case),
}

/// The store's policy, or invalid data naming config.yaml.
pub fn policy(store: &Store, config: &Config) -> Result<Policy> {
    Policy::new(config).map_err(|reason| Error::invalid(store.config_path(), None, reason))
}

/// The plan and first-response due instant of a case.
pub fn due_of(config: &Config, policy: &Policy, summary: &Digest) -> Due {
    Due {
        plan: config.plan_of(&summary.customer).as_str().to_string(),
        first_response_due: policy.first_response_due(&summary.customer, summary.severity, summary.created_at),
    }
}

/// Each analyst's number of active (not closed) cases, for routing's
/// tie-break, and an error per case file that could not be read (counted as
/// no one's): the operation does its work and returns them.
fn active_counts(store: &Store) -> Result<(HashMap<String, usize>, Vec<Error>)> {
    let (summaries, errors) = store.scan(&|status| status != Status::Closed)?;
    let mut counts = HashMap::new();
    for summary in summaries.iter().filter(|s| s.status != Status::Closed) {
        if let Some(assignee) = &summary.assignee {
            *counts.entry(assignee.clone()).or_insert(0) += 1;
        }
    }
    Ok((counts, errors))
}

/// Commits `files` when config asks for it; a failure becomes a warning.
fn commit(config: &Config, store: &Store, files: &[PathBuf], message: &str, warnings: &mut Vec<Warning>) {
    if let Err(error) = crate::git::commit_if_enabled(config, store.root(), files, message) {
        warnings.push(Warning::NotCommitted {
            files: files.to_vec(),
            error,
        });
    }
}
