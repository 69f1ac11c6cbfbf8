//! `list`: the cases that pass a filter, in an order, streamed.
//!
//! A listing holds one compact entry a case (its sort key and where its
//! digest can be read again: 24 bytes), never the rows: the first pass
//! filters and keys every case, the second reads the kept ones again in
//! order. So `list --all` at a million cases keeps tens of megabytes, not the
//! store, and its output can start before it ends.

use super::{due_of, policy, Session, Warning};
use crate::core::config::Config;
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::targets::Policy;
use crate::core::targets::{is_overdue, Due};
use crate::core::vocabulary::{Level, Severity, Status};
use crate::store::index::{Origin, Rereader};
use chrono::{DateTime, Duration, Utc};

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
    /// Only this customer (case-insensitive, as config.yaml matches names).
    pub customer: Option<String>,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Only the acting analyst's cases (the session's actor).
    pub mine: bool,
    /// Only cases whose summary or description contains this text, ignoring case.
    pub grep: Option<String>,
    /// Only cases with every one of these tags (read from the digest).
    pub tags: Vec<String>,
}

/// The order of a listing (`--sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ListOrder {
    /// The order to work the cases in: overdue first (the latest first), then
    /// the nearest first-response target, then the longest-waiting on
    /// support, then escalated, then waiting on the customer (the nearest
    /// auto-close first), then closed (the latest first).
    #[default]
    Triage,
    /// Oldest case first (the order of `--format json` and `yaml` unless asked).
    Created,
    /// Least recently updated first.
    Updated,
    /// High severity first, then the oldest.
    Severity,
    /// By case ID.
    Id,
}

/// One kept case: its sort key (see [`packed_key`]) and where to read it
/// again (held digests are found by the origin's position). Sixteen bytes:
/// a million of them are 16 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    key: u64,
    origin: Origin,
}

/// A sort key `(group, instant)` as one number that orders the same way:
/// the group in the top byte, the instant (seconds, within ±2^55) biased
/// below it.
fn packed_key((group, instant): (u8, i64)) -> u64 {
    const BIAS: i64 = 1 << 55;
    let instant = instant.clamp(-BIAS, BIAS - 1) + BIAS;
    (u64::from(group) << 56) | instant as u64
}

/// How many bytes of digests a listing holds before it lets them go and
/// reads the kept cases again instead: a filtered list of a few thousand
/// cases is printed from memory, `list --all` of a million from the index.
/// (The heap keeps what was held, so this also counts in a large listing's
/// peak memory.)
pub const HOLD_BYTES: usize = 4 << 20;

/// About what a digest takes in memory.
fn held_size(s: &Digest) -> usize {
    let text = |t: &Option<String>| t.as_ref().map_or(0, String::len);
    std::mem::size_of::<Digest>()
        + s.id.len()
        + s.summary.len()
        + s.customer.len()
        + text(&s.email)
        + text(&s.assignee)
        + text(&s.resolution)
        + text(&s.follow_up_of)
        + text(&s.message_id)
}

/// The cases a filter kept, in order, ready to be read one by one.
#[derive(Debug)]
pub struct Listing {
    entries: Vec<Entry>,
    /// The digests still held, by origin position.
    held: Option<Vec<(u32, Digest)>>,
    rereader: Rereader,
    config: Config,
    policy: Policy,
    /// Files that could not be read.
    pub errors: Vec<Error>,
    /// A filter naming an analyst or a customer config.yaml does not know.
    pub warnings: Vec<Warning>,
}

impl Listing {
    /// How many cases were kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no case was kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The kept cases in order, each read again (a case that changed since
    /// the first pass shows as it is now; one that went away is an error).
    pub fn rows(&self) -> impl Iterator<Item = Result<(Digest, Due)>> + '_ {
        self.entries.iter().map(|entry| {
            let position = entry.origin.position();
            let digest = match self.held.as_ref().and_then(|held| {
                held.binary_search_by_key(&position, |(p, _)| *p)
                    .ok()
                    .map(|at| &held[at].1)
            }) {
                Some(digest) => digest.clone(),
                None => self.rereader.digest(entry.origin)?,
            };
            let due = due_of(&self.config, &self.policy, &digest);
            Ok((digest, due))
        })
    }

    /// The store's auto-close rule: how long a waiting case waits.
    pub fn auto_close_after(&self) -> Duration {
        Duration::days(i64::from(self.config.auto_close_after_days))
    }
}

/// The instant a waiting case is auto-closed, if it waits.
pub fn auto_close_at(summary: &Digest, after: Duration) -> Option<DateTime<Utc>> {
    crate::core::lifecycle::auto_close_at(summary.status, summary.waiting_since, after)
}

/// The sort key of a case under `order`.
fn key(order: ListOrder, s: &Digest, due: &Due, now: DateTime<Utc>, after: Duration) -> (u8, i64) {
    let t = |instant: DateTime<Utc>| instant.timestamp();
    match order {
        ListOrder::Triage => {
            if is_overdue(s, &due.first_response_due, now) {
                (0, t(due.first_response_due))
            } else if s.first_response_at.is_none() && s.status != Status::Closed {
                (1, t(due.first_response_due))
            } else {
                match s.status {
                    Status::Open | Status::AtInvestigation => (2, t(s.updated_at)),
                    Status::Escalated => (3, t(s.escalated_at.unwrap_or(s.updated_at))),
                    Status::WaitingForCustomer => (4, t(auto_close_at(s, after).unwrap_or(s.updated_at))),
                    Status::Closed => (5, -t(s.updated_at)),
                }
            }
        }
        ListOrder::Created => (0, t(s.created_at)),
        ListOrder::Updated => (0, t(s.updated_at)),
        ListOrder::Severity => (
            match s.severity {
                Severity::High => 0,
                Severity::Medium => 1,
                Severity::Low => 2,
            },
            t(s.created_at),
        ),
        ListOrder::Id => (0, 0),
    }
}

/// Lists the cases that pass `filter` in `order`. `observe` sees each kept
/// case during the first pass (a table measures its columns there); the
/// returned [`Listing`] reads them again in order.
pub fn list_streamed(
    session: &Session,
    filter: &ListFilter,
    order: ListOrder,
    observe: &mut dyn FnMut(&Digest, &Due),
) -> Result<Listing> {
    list_holding(session, filter, order, HOLD_BYTES, observe)
}

/// [`list_streamed`], holding at most `hold_bytes` of digests (zero: read
/// every kept case again; the result is the same either way).
pub fn list_holding(
    session: &Session,
    filter: &ListFilter,
    order: ListOrder,
    hold_bytes: usize,
    observe: &mut dyn FnMut(&Digest, &Due),
) -> Result<Listing> {
    let config = session.store.config()?;
    let policy = policy(&session.store, &config)?;
    let after = Duration::days(i64::from(config.auto_close_after_days));
    let mut warnings = Vec::new();
    if let Some(analyst) = &filter.assignee {
        if config.analyst(analyst).is_none() {
            warnings.push(Warning::UnknownAnalyst {
                analyst: analyst.clone(),
                known: config.analysts.iter().map(|a| a.id.clone()).collect(),
            });
        }
    }
    if let Some(customer) = &filter.customer {
        if config.customer(customer).is_none() {
            warnings.push(Warning::UnknownCustomerFilter {
                customer: customer.clone(),
                known: config.customers.iter().map(|c| c.name.clone()).collect(),
            });
        }
    }
    for tag in filter.tags.iter().filter(|t| !config.knows_tag(t)) {
        warnings.push(Warning::UnknownTagFilter {
            tag: tag.clone(),
            known: config.tags.clone(),
        });
    }
    let wanted = |status: Status| match filter.status {
        Some(wanted) => status == wanted,
        None => filter.all || status != Status::Closed,
    };
    let needle = filter.grep.as_deref().map(str::to_lowercase);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut held = Some(Vec::new());
    let mut held_bytes = 0usize;
    let mut keep = |s: Digest, origin: Origin| {
        let passes = wanted(s.status)
            && filter.assignee.as_ref().is_none_or(|a| s.assignee.as_ref() == Some(a))
            && (!filter.mine || s.assignee.as_deref() == Some(session.actor.as_str()))
            && (!filter.unassigned || s.assignee.is_none())
            && filter.level.is_none_or(|l| s.level == l)
            && filter.severity.is_none_or(|v| s.severity == v)
            && filter
                .customer
                .as_ref()
                .is_none_or(|c| s.customer.eq_ignore_ascii_case(c))
            && filter.tags.iter().all(|t| s.tags.contains(t));
        if !passes {
            return;
        }
        let due = due_of(&config, &policy, &s);
        if filter.overdue && !is_overdue(&s, &due.first_response_due, session.now) {
            return;
        }
        if let Some(needle) = &needle {
            // The description is not in the digest: read the case only when
            // the summary does not already match.
            if !s.summary.to_lowercase().contains(needle.as_str()) {
                match session.store.load(&s.id) {
                    Ok(case) if case.description.to_lowercase().contains(needle.as_str()) => {}
                    Ok(_) => return,
                    Err(e) => {
                        errors.push(e);
                        return;
                    }
                }
            }
        }
        observe(&s, &due);
        let key = packed_key(key(order, &s, &due, session.now, after));
        if let Some(digests) = held.as_mut() {
            held_bytes += held_size(&s);
            if held_bytes <= hold_bytes {
                digests.push((origin.position(), s));
            } else {
                // Past the budget: let every digest go; the rows are read again.
                held = None;
            }
        }
        entries.push(Entry { key, origin });
    };
    let (scan_errors, rereader) = session.store.visit(&wanted, &mut keep)?;
    errors.extend(scan_errors);
    if let Some(held) = held.as_mut() {
        held.sort_unstable_by_key(|(position, _)| *position);
    }
    entries.sort_unstable();
    entries.shrink_to_fit();
    Ok(Listing {
        entries,
        held,
        rereader,
        config,
        policy,
        errors,
        warnings,
    })
}

/// The cases `list` found, held whole (for a caller that wants them all).
#[derive(Debug)]
pub struct Listed {
    /// Each case with its plan and first-response target, oldest first.
    pub rows: Vec<(Digest, Due)>,
    /// Files that could not be read.
    pub errors: Vec<Error>,
}

/// The cases that pass `filter`, oldest first, held in memory.
pub fn list(session: &Session, filter: &ListFilter) -> Result<Listed> {
    let listing = list_streamed(session, filter, ListOrder::Created, &mut |_, _| {})?;
    let mut rows = Vec::with_capacity(listing.len());
    let mut errors = Vec::new();
    for row in listing.rows() {
        match row {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    errors.extend(listing.errors);
    Ok(Listed { rows, errors })
}

#[cfg(test)]
mod tests {
    use super::packed_key;

    #[test]
    fn the_packed_key_orders_as_the_group_and_instant_do() {
        let instants = [
            i64::MIN,
            -1_000_000_000_000,
            -1,
            0,
            1,
            1_764_000_000,
            4_102_444_800,
            i64::MAX,
        ];
        let mut pairs = Vec::new();
        for group in 0..6u8 {
            for instant in instants {
                pairs.push((group, instant.clamp(-(1 << 55), (1 << 55) - 1)));
            }
        }
        for a in &pairs {
            for b in &pairs {
                assert_eq!(packed_key(*a).cmp(&packed_key(*b)), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
