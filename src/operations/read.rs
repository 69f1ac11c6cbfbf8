//! Reading the store: the list of cases, one case, R&D's queue. These take
//! no lock and write no case.

use super::{due_of, policy, Session};
use crate::case::Case;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::output::{is_overdue, Due};
use crate::vocabulary::{Impact, Level, Severity, Status};
use std::cmp::Reverse;

/// Which cases `list` keeps; the default keeps every case not closed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only this status (closed cases show only when asked for).
    pub status: Option<Status>,
    /// Only this assignee.
    pub assignee: Option<String>,
    /// Only this tier.
    pub level: Option<Level>,
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Only cases past their first-response target with no first response.
    pub overdue: bool,
    /// Closed cases too.
    pub all: bool,
}

/// The cases `list` found.
#[derive(Debug)]
pub struct Listed {
    /// Each case with its plan and first-response target, oldest first.
    pub rows: Vec<(Digest, Due)>,
    /// Files that could not be read.
    pub errors: Vec<Error>,
}

/// The cases that pass `filter`, oldest first.
pub fn list(session: &Session, filter: &ListFilter) -> Result<Listed> {
    let config = session.store.config()?;
    let policy = policy(&session.store, &config)?;
    let wanted = |status: Status| match filter.status {
        Some(wanted) => status == wanted,
        None => filter.all || status != Status::Closed,
    };
    let (summaries, errors) = session.store.scan(&wanted)?;
    let mut rows: Vec<_> = summaries
        .into_iter()
        .filter(|s| wanted(s.status))
        .filter(|s| filter.assignee.as_ref().is_none_or(|a| s.assignee.as_ref() == Some(a)))
        .filter(|s| filter.level.is_none_or(|l| s.level == l))
        .filter(|s| filter.severity.is_none_or(|v| s.severity == v))
        .map(|s| {
            let due = due_of(&config, &policy, &s);
            (s, due)
        })
        .filter(|(s, due)| !filter.overdue || is_overdue(s, &due.first_response_due, session.now))
        .collect();
    rows.sort_by(|a, b| (a.0.created_at, &a.0.id).cmp(&(b.0.created_at, &b.0.id)));
    Ok(Listed { rows, errors })
}

/// Every case's digest straight from the index, with no first-response
/// target computed: for a front end that shows a few of them (the portal
/// keeps a contact's own), so its cost stays that of reading the index.
pub fn digests(session: &Session) -> Result<(Vec<Digest>, Vec<crate::error::Error>)> {
    session.store.scan(&|_| true)
}

/// One case, as `show` gives it.
#[derive(Debug)]
pub struct Shown {
    /// The case with its history.
    pub case: Case,
    /// Its plan and first-response target.
    pub due: Due,
}

/// One case by ID (a unique prefix is enough).
pub fn show(session: &Session, typed_id: &str) -> Result<Shown> {
    let config = session.store.config()?;
    let policy = policy(&session.store, &config)?;
    let id = session.store.resolve(typed_id)?;
    let case = session.store.load(&id)?;
    let due = due_of(&config, &policy, &Digest::of(&case));
    Ok(Shown { case, due })
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
