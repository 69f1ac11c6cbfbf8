//! Reading the store: the list of cases, one case, R&D's queue. These take
//! no lock and write no case.

use super::{due_of, policy, Session};
use crate::core::case::Case;
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::targets::Due;
use crate::core::vocabulary::{Impact, Status};
use std::cmp::Reverse;

/// Every case's digest straight from the index, with no first-response
/// target computed: for a front end that shows a few of them (the portal
/// keeps a contact's own), so its cost stays that of reading the index.
pub fn digests(session: &Session) -> Result<(Vec<Digest>, Vec<crate::core::error::Error>)> {
    session.store.scan(&|_| true)
}

/// One case by ID (a unique prefix is enough), without anything derived.
pub fn case(session: &Session, typed_id: &str) -> Result<Case> {
    let id = session.store.resolve(typed_id)?;
    session.store.load(&id)
}

/// One case, as `show` gives it.
#[derive(Debug)]
pub struct Shown {
    /// The case with its history.
    pub case: Case,
    /// Its plan and first-response target.
    pub due: Due,
    /// The cases that follow it up, by ID (only a closed case has any).
    pub follow_ups: Vec<String>,
    /// How long a waiting case waits before `sweep` closes it.
    pub auto_close_after: chrono::Duration,
    /// The cases merged into it (directly or through others), whose
    /// public conversation it shows.
    pub merged: Vec<Case>,
}

/// One case by ID (a unique prefix is enough).
pub fn show(session: &Session, typed_id: &str) -> Result<Shown> {
    let config = session.store.config()?;
    let policy = policy(&session.store, &config)?;
    let id = session.store.resolve(typed_id)?;
    let case = session.store.load(&id)?;
    let due = due_of(&config, &policy, &Digest::of(&case));
    // The reverse lookup streams the index: memory stays flat, and only a
    // closed case can have been followed up.
    let mut follow_ups = Vec::new();
    if case.status == Status::Closed {
        session.store.visit(&|_| true, &mut |digest, _| {
            if digest.follow_up_of.as_deref() == Some(case.id.as_str()) {
                follow_ups.push(digest.id);
            }
        })?;
        follow_ups.sort();
    }
    let merged = super::merge::merged_cases(&session.store, &case);
    Ok(Shown {
        case,
        due,
        follow_ups,
        merged,
        auto_close_after: chrono::Duration::days(i64::from(config.auto_close_after_days)),
    })
}

/// R&D's resolution queue.
#[derive(Debug)]
pub struct Queue {
    /// The escalated cases in the order R&D takes them ([`queue_order`]),
    /// each with its plan and first-response target.
    pub entries: Vec<(Digest, Due)>,
    /// Files that could not be read.
    pub errors: Vec<Error>,
}

/// The queue order: impact (high first), severity (high first), oldest
/// escalation, then ID so that the order is total.
pub fn queue_order(cases: &mut [Digest]) {
    cases.sort_by_key(|s| {
        (
            Reverse(s.impact.unwrap_or(Impact::Low)),
            Reverse(s.severity),
            s.escalated_at.unwrap_or(s.updated_at),
            s.id.clone(),
        )
    });
}

/// R&D's resolution queue: the escalated cases, in the order R&D takes them.
pub fn queue(session: &Session) -> Result<Queue> {
    let config = session.store.config()?;
    let policy = policy(&session.store, &config)?;
    let (summaries, errors) = session.store.scan(&|status| status == Status::Escalated)?;
    let mut queue: Vec<Digest> = summaries
        .into_iter()
        .filter(|s| s.status == Status::Escalated)
        .collect();
    queue_order(&mut queue);
    let entries = queue
        .into_iter()
        .map(|s| {
            let due = due_of(&config, &policy, &s);
            (s, due)
        })
        .collect();
    Ok(Queue { entries, errors })
}
