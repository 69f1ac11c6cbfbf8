//! One write to the store, in the spirit of jj's `start_transaction / edit /
//! finish`: every write path (each transition, `open`, a reply, the portal's
//! writes, `sweep`, `remind`) goes through a [`Transaction`].
//!
//! [`Transaction::start`] takes the store lock (in [`Mode::Apply`]); the
//! writer then loads cases ([`Transaction::load`]), applies the life cycle
//! ([`Transaction::apply`]), attaches the event's files
//! ([`Transaction::attach`]), checks that the customer's message can be
//! composed ([`Transaction::check_mail`]) and saves ([`Transaction::save`],
//! [`Transaction::save_many`]); [`Transaction::finish`] makes one commit of
//! everything written (with `git: {commit: true}`) and releases the lock.
//! Nothing is written before the first save; an error before it leaves the
//! store as it was. [`Transaction::edit`] is the whole sequence for one
//! case, which every transition is.

use super::attachments::{self, Enclosures};
use super::{commit, Outcome, Session, Transitioned, Warning};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::{self, Action};
use crate::store::sent_ledger::SentEntry;
use crate::store::{Store, StoreLock};
use std::collections::HashSet;
use std::path::PathBuf;

/// Whether a batch write ([`super::sweep`], [`super::remind`]) writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Work out what would change, in memory only: nothing is written, no
    /// lock is taken and nothing is committed.
    Preview,
    /// Change the store: under its lock, saved and committed.
    Apply,
}

/// What an edit of one case asks for, decided under the lock from the case
/// as loaded.
#[derive(Debug)]
pub enum Edit {
    /// Apply the action, save and commit.
    Apply(Action),
    /// The case already is as asked: nothing is written (no event and no
    /// commit record a change that did not happen). The action is still
    /// checked against the case's status, so a closed case still refuses it.
    AlreadyAsAsked(Action),
}

/// One write to the store: the lock, the configuration read with it, who
/// acts, the files written so far and what a person should hear about.
/// See the [module](self) for its steps.
#[derive(Debug)]
pub struct Transaction<'s> {
    session: &'s Session,
    config: Config,
    /// `None` in [`Mode::Preview`].
    lock: Option<StoreLock>,
    /// Who the history records (the session's actor unless
    /// [`Transaction::acting_as`] says otherwise).
    actor: String,
    written: Vec<PathBuf>,
    warnings: Vec<Warning>,
    /// The CC addresses the edited event adds (a customer's message copied
    /// them): see [`Transaction::copying`].
    cc: Vec<crate::core::list_change::ListChange>,
}

impl<'s> Transaction<'s> {
    /// Starts a write with `config` (read by the caller, before the lock):
    /// in [`Mode::Apply`], takes the store lock (waiting at most the
    /// session's `lock_wait`).
    pub fn start(session: &'s Session, config: Config, mode: Mode) -> Result<Transaction<'s>> {
        let lock = match mode {
            Mode::Preview => None,
            Mode::Apply => Some(session.store.lock(session.lock_wait)?),
        };
        Ok(Transaction {
            session,
            config,
            lock,
            actor: session.actor.clone(),
            written: Vec::new(),
            warnings: Vec::new(),
            cc: Vec::new(),
        })
    }

    /// The one-case write every transition is: `typed_id` resolved, the lock
    /// taken, the case loaded, `make` asked what to do with it, then
    /// [`Transaction::edit`].
    pub fn edit_case(
        session: &'s Session,
        typed_id: &str,
        enclosures: Enclosures,
        make: impl FnOnce(&Case, &Config) -> Result<Edit>,
    ) -> Result<Outcome<Transitioned>> {
        let config = session.store.config()?;
        let id = session.store.resolve(typed_id)?;
        let tx = Transaction::start(session, config, Mode::Apply)?;
        let case = tx.load(&id)?;
        let edit = make(&case, tx.config())?;
        tx.edit(case, edit, enclosures)
    }

    /// History records `actor` instead of the session's (a customer's
    /// e-mail, the sender). The commit message of [`Transaction::edit`]
    /// names them too.
    pub fn acting_as(mut self, actor: &str) -> Transaction<'s> {
        self.actor = actor.to_string();
        self
    }

    /// The event [`Transaction::edit`] records (a reply) also adds these
    /// CC addresses to the case: the customer's people a message copied.
    pub fn copying(mut self, cc: Vec<crate::core::list_change::ListChange>) -> Transaction<'s> {
        self.cc = cc;
        self
    }

    /// The store's configuration, as read when the write started.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store lock, `None` in [`Mode::Preview`].
    pub fn lock(&self) -> Option<&StoreLock> {
        self.lock.as_ref()
    }

    /// The files written so far.
    pub fn written(&self) -> &[PathBuf] {
        &self.written
    }

    /// Loads the case `id` (a full ID), under the lock.
    pub fn load(&self, id: &str) -> Result<Case> {
        self.session.store.load(id)
    }

    /// The case after `action`, by whoever acts, at the session's *now*.
    pub fn apply(&self, case: &Case, action: &Action) -> Result<Case> {
        lifecycle::apply(case, action, &self.actor, self.session.now)
    }

    /// Something a person should hear about the write.
    pub fn warn(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }

    /// Gives the event just applied to `next` the files of `enclosures`:
    /// each kept (synced at its address, within the case's limit as it was
    /// `before` the event) before the case file that names them is saved.
    /// Only open, reply, request-info and close carry files. In
    /// [`Mode::Preview`] nothing is kept.
    pub fn attach(&mut self, before: Option<&Case>, next: &mut Case, enclosures: Enclosures) -> Result<()> {
        if enclosures.is_empty() {
            return Ok(());
        }
        let kind = next.history.last().map(|e| e.action);
        if !kind.is_some_and(lifecycle::may_carry_attachments) {
            return Err(crate::core::error::Error::AttachmentsNotCarried {
                action: kind.map(|kind| kind.to_string()).unwrap_or_default(),
            });
        }
        let Some(lock) = &self.lock else {
            return Ok(());
        };
        let (kept, left_out) = enclosures.keep(lock, before)?;
        attachments::record(next, kept, &left_out);
        if !left_out.is_empty() {
            self.warnings.push(Warning::AttachmentsLeftOut {
                id: next.id.clone(),
                left_out,
            });
        }
        Ok(())
    }

    /// Checks that the message `case`'s last event sends the customer (if
    /// any) can be composed: the mail host composes it from the committed
    /// event later; one that cannot be is a warning now.
    pub fn check_mail(&mut self, case: &Case) -> Result<()> {
        super::outgoing::warn_unless_composable(
            self.session,
            &self.config,
            std::slice::from_ref(case),
            &mut self.warnings,
        )
    }

    /// Records `entry` in the sent ledger, to be committed with the rest
    /// (nothing in [`Mode::Preview`]).
    pub fn record_sent(&mut self, entry: &SentEntry) -> Result<()> {
        if let Some(lock) = &self.lock {
            self.written.push(self.session.store.record_sent(lock, entry)?);
        }
        Ok(())
    }

    /// Saves `case` with the files its last event names, to be committed
    /// together (nothing in [`Mode::Preview`]).
    pub fn save(&mut self, case: &Case) -> Result<()> {
        if self.lock.is_some() {
            let store = &self.session.store;
            let path = store.save(case)?;
            self.written.extend(written_with_files(store, path, case));
        }
        Ok(())
    }

    /// Saves many cases at once (their fsyncs in parallel); keeps in `cases`
    /// only those saved, and returns the errors of those refused one by one
    /// (over the size cap). An I/O error fails the whole batch. In
    /// [`Mode::Preview`], saves nothing and keeps every case.
    pub fn save_many(&mut self, cases: &mut Vec<Case>) -> Result<Vec<Error>> {
        if self.lock.is_none() {
            return Ok(Vec::new());
        }
        let store = &self.session.store;
        let (paths, refused) = store.save_many(cases)?;
        let saved: HashSet<&PathBuf> = paths.iter().collect();
        cases.retain(|case| saved.contains(&store.case_path(&case.id)));
        self.written.extend(paths);
        Ok(refused)
    }

    /// Saves cases that belong together (a merge's two) in one batch: all
    /// of them, or none when one is refused (over the size cap). Nothing in
    /// [`Mode::Preview`].
    pub fn save_all(&mut self, cases: &[Case]) -> Result<()> {
        if self.lock.is_some() {
            let paths = self.session.store.save_all(cases)?;
            self.written.extend(paths);
        }
        Ok(())
    }

    /// The whole write of one loaded case: `edit` applied (by whoever acts),
    /// the files attached, the mail checked, saved and committed.
    pub fn edit(mut self, case: Case, edit: Edit, enclosures: Enclosures) -> Result<Outcome<Transitioned>> {
        let (action, already) = match edit {
            Edit::Apply(action) => (action, false),
            Edit::AlreadyAsAsked(action) => (action, true),
        };
        // Where the customer speaks (and for notes), a clock behind the
        // case's last change dates the event at that change instead of
        // refusing it: a reply is never lost to a lagging clone.
        let mut next = if matches!(action, Action::Reply { .. } | Action::Note { .. }) && !already {
            let (next, behind) = lifecycle::apply_despite_clock(&case, &action, &self.actor, self.session.now)?;
            if behind {
                self.warn(Warning::ClockBehind {
                    id: case.id.clone(),
                    clock: self.session.now,
                    last: case.updated_at,
                });
            }
            next
        } else {
            self.apply(&case, &action)?
        };
        if already {
            return Ok(Outcome::Unchanged(case));
        }
        if !self.cc.is_empty() {
            let mut carried = next.history.last().cloned().ok_or(Error::Internal {
                what: "an edit recorded no event",
            })?;
            carried.cc = std::mem::take(&mut self.cc);
            lifecycle::carry_cc(&mut next, &carried).map_err(|_| Error::Internal {
                what: "CC addresses carried by an event that cannot carry them",
            })?;
        }
        self.attach(Some(&case), &mut next, enclosures)?;
        self.check_mail(&next)?;
        self.save(&next)?;
        let message = crate::git::transition_message(&next, case.status, &self.actor);
        let warnings = self.finish(&message);
        Ok(Outcome::Changed(Transitioned {
            before: case.status,
            case: next,
            warnings,
        }))
    }

    /// Ends the write: one commit of every file written, with `message`
    /// (when config asks for commits; a failure becomes a warning), and the
    /// lock released. What a person should hear about the write.
    pub fn finish(self, message: &str) -> Vec<Warning> {
        let Transaction {
            session,
            config,
            lock,
            written,
            mut warnings,
            ..
        } = self;
        commit(&config, &session.store, &written, message, &mut warnings);
        drop(lock);
        warnings
    }
}

/// What saving `case` (at `path`) with a new last event wrote: the case
/// file and the attachment files that event names, so that one commit
/// carries both and no clone gets a case naming a file it cannot have.
fn written_with_files(store: &Store, path: PathBuf, case: &Case) -> Vec<PathBuf> {
    let mut files = vec![path];
    if let Some(event) = case.history.last() {
        files.extend(event.attachments.iter().map(|a| store.attachment_path(&a.sha256)));
    }
    files.dedup();
    files
}

impl Outcome<Transitioned> {
    /// The transition, for an edit that never says the case already is as
    /// asked ([`Edit::Apply`] only).
    pub(super) fn changed(self) -> Transitioned {
        match self {
            Outcome::Changed(transitioned) => transitioned,
            // Not reached: only `Edit::AlreadyAsAsked` leaves a case unchanged.
            Outcome::Unchanged(case) => Transitioned {
                before: case.status,
                case,
                warnings: Vec::new(),
            },
        }
    }
}
