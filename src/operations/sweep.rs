//! The sweep: auto-close every case that has waited for the customer
//! `auto_close_after_days` or more, in batches with their fsyncs in parallel.

use super::transaction::{Mode, Transaction};
use super::{Session, Warning};
use crate::core::case::Case;
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::{auto_close_resolution, due_for_auto_close, Action};
use crate::core::vocabulary::Status;
use chrono::{DateTime, Duration, Utc};
use rayon::prelude::*;

/// Cases are re-read, closed and written this many at a time, so memory
/// stays flat however many cases are due.
const BATCH: usize = 256;

/// What a sweep reports of the cases it closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// Their IDs only (all a table prints).
    Ids,
    /// Their IDs and their summaries as closed (for JSON and YAML).
    Summaries,
}

/// What a sweep did.
#[derive(Debug)]
pub struct Swept {
    /// The IDs of the cases auto-closed (in [`Mode::Preview`], that would be),
    /// oldest wait first.
    pub closed: Vec<String>,
    /// Their summaries as closed, in the same order, with [`Report::Summaries`] (a
    /// sweep of a million cases may close a hundred thousand: the IDs are
    /// all a table prints).
    pub summaries: Vec<Digest>,
    /// Files that could not be read, or a case that could not be written;
    /// the others were processed.
    pub errors: Vec<Error>,
    /// A commit that failed.
    pub warnings: Vec<Warning>,
    /// A failed write that stopped the sweep; what was written before it is
    /// in `closed`, saved and committed.
    pub failed: Option<Error>,
}

/// The cases due for auto-close at *now*, as the store's summaries say (the
/// index, checked against the files), oldest wait first; nothing is re-read
/// or written.
#[derive(Debug)]
pub struct DueForSweep {
    /// The IDs of the due cases, oldest wait first (only the IDs: a million
    /// cases may have a hundred thousand due).
    pub due: Vec<String>,
    /// Files that could not be read.
    pub errors: Vec<Error>,
}

/// Whether a summary is due for auto-close at `now`.
fn due_now(summary: &Digest, now: DateTime<Utc>, after: Duration) -> bool {
    crate::core::lifecycle::auto_close_due(summary.status, summary.waiting_since, now, after)
}

/// The cases a sweep would close, from the summaries alone: all a dry run
/// needs to name them.
pub fn due_for_sweep(session: &Session) -> Result<DueForSweep> {
    let config = session.store.config()?;
    let after = Duration::days(i64::from(config.auto_close_after_days));
    // Streamed: only the due cases' wait and ID are kept.
    let mut due: Vec<(Option<DateTime<Utc>>, String)> = Vec::new();
    let (errors, _) = session
        .store
        .visit(&|status| status == Status::WaitingForCustomer, &mut |s, _| {
            if due_now(&s, session.now, after) {
                due.push((s.waiting_since, s.id));
            }
        })?;
    // As `by_wait` orders them.
    due.sort();
    Ok(DueForSweep {
        due: due.into_iter().map(|(_, id)| id).collect(),
        errors,
    })
}

/// Auto-closes every case due at *now*, each re-read under the lock; in
/// [`Mode::Preview`], closes them in memory only and writes nothing (nor
/// locks). Temp files left by a crash are cleaned first. With
/// [`Report::Summaries`], the closed cases' summaries are returned too.
pub fn sweep(session: &Session, mode: Mode, report: Report) -> Result<Swept> {
    let store = &session.store;
    let now = session.now;
    let config = store.config()?;
    let after = Duration::days(i64::from(config.auto_close_after_days));
    let resolution = auto_close_resolution(config.auto_close_after_days);
    let mut tx = Transaction::start(session, config, mode)?;
    if let Some(lock) = tx.lock() {
        store.clean_temp_files(lock)?;
    }
    // Only the due cases' wait and ID are kept, not their summaries: each
    // is read again under the lock anyway.
    let mut due: Vec<(Option<DateTime<Utc>>, String)> = Vec::new();
    let (mut errors, _) = store.visit(&|status| status == Status::WaitingForCustomer, &mut |s, _| {
        if due_now(&s, now, after) {
            due.push((s.waiting_since, s.id));
        }
    })?;
    // Oldest wait first.
    due.sort();
    let action = Action::AutoClose { resolution };
    let mut closed: Vec<String> = Vec::new();
    let mut closed_summaries: Vec<Digest> = Vec::new();
    // A failed write stops the sweep, but what was written before is still
    // reported and committed.
    let mut failed = None;
    let underway = crate::core::progress::Underway::start(store.progress(), "closing cases", due.len() as u64);
    for batch in due.chunks(BATCH) {
        // Re-read under the lock (the summary may predate another writer), in parallel.
        let loaded: Vec<Result<Case>> = batch.par_iter().map(|(_, id)| tx.load(id)).collect();
        let mut changed = Vec::with_capacity(batch.len());
        for case in loaded {
            let case = match case {
                Ok(case) => case,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if !due_for_auto_close(&case, now, after) {
                continue;
            }
            changed.push(tx.apply(&case, &action)?);
        }
        match tx.save_many(&mut changed) {
            Ok(refused) => errors.extend(refused),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        closed.extend(changed.iter().map(|case| case.id.clone()));
        if report == Report::Summaries {
            closed_summaries.extend(changed.iter().map(Digest::of));
        }
        underway.advance(batch.len() as u64);
    }
    drop(underway);
    let message = crate::git::sweep_message(tx.written().len());
    let warnings = tx.finish(&message);
    Ok(Swept {
        closed,
        summaries: closed_summaries,
        errors,
        warnings,
        failed,
    })
}
