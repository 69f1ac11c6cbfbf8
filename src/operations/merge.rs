//! `merge SRC --into TARGET`: a duplicate closed into the case that carries
//! on (SPEC section 10), and the chain of merges everything that names a
//! case follows.

use super::transaction::{Mode, Transaction};
use super::{Session, Warning};
use crate::core::case::Case;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::{self, Action};
use crate::core::vocabulary::Status;
use crate::store::Store;

/// A merge, saved: both cases as written.
#[derive(Debug)]
pub struct Merged {
    /// The duplicate, now closed with `merged_into`.
    pub source: Case,
    /// The case it was merged into, with its `merged` record.
    pub target: Case,
    /// The target as given, when it was itself merged and the merge went to
    /// the end of its chain instead.
    pub followed_from: Option<String>,
    /// The source's status before the merge.
    pub before: Status,
    /// What a person should hear about the write.
    pub warnings: Vec<Warning>,
}

/// Merges `typed_source` into `typed_target` (IDs or unique prefixes), by
/// the session's actor; `note` goes to the customer with the notice.
///
/// A target that was itself merged is followed to the end of its chain. Both
/// must be the same customer's, the source not merged or closed, the target
/// not closed and not the source. The source closes with `merged_into`; the
/// target records an internal `merged` event. Both files are written in one
/// batch and one commit; any refusal writes nothing.
pub fn merge(session: &Session, typed_source: &str, typed_target: &str, note: Option<String>) -> Result<Merged> {
    let config = session.store.config()?;
    let source_id = session.store.resolve(typed_source)?;
    let given_target = session.store.resolve(typed_target)?;
    let mut tx = Transaction::start(session, config, Mode::Apply)?;
    let source = tx.load(&source_id)?;
    if let Some(into) = &source.merged_into {
        return Err(Error::AlreadyMerged {
            id: source.id.clone(),
            into: into.clone(),
        });
    }
    let target_id = lifecycle::end_of_merge_chain(&given_target, |id| Ok(tx.load(id)?.merged_into))?;
    if target_id == source.id {
        return Err(Error::MergeIntoItself {
            id: source.id.clone(),
            target: given_target,
            end: target_id,
        });
    }
    let target = tx.load(&target_id)?;
    if target.customer != source.customer {
        return Err(Error::MergeAcrossCustomers {
            id: source.id.clone(),
            target: target.id.clone(),
            customer: source.customer.clone(),
            target_customer: target.customer.clone(),
        });
    }
    let merged_source = tx.apply(
        &source,
        &Action::Merge {
            into: target.id.clone(),
            note,
        },
    )?;
    if target.status == Status::Closed {
        return Err(Error::Closed {
            id: target.id.clone(),
            action: "merge".into(),
        });
    }
    let merged_target = tx.apply(
        &target,
        &Action::Merged {
            from: source.id.clone(),
            note: None,
        },
    )?;
    tx.check_mail(&merged_source)?;
    tx.save_all(&[merged_source.clone(), merged_target.clone()])?;
    let message = crate::git::merge_message(&source.id, &target.id, &session.actor);
    let warnings = tx.finish(&message);
    Ok(Merged {
        followed_from: (given_target != target.id).then_some(given_target),
        before: source.status,
        source: merged_source,
        target: merged_target,
        warnings,
    })
}

/// The case at the end of `id`'s chain of merges (`id` itself when it was
/// not merged): where a reply, a follow-up or a portal visit naming a merged
/// case goes. `id` is a full ID. Bounded: a loop is
/// [`Error::MergeChainLoop`].
pub fn merged_end(store: &Store, id: &str) -> Result<String> {
    lifecycle::end_of_merge_chain(id, |id| Ok(store.load(id)?.merged_into))
}

/// The most cases [`merged_cases`] gathers into one: a bound, so that a
/// damaged store never makes one page or `show` load without end.
pub const MAX_MERGED_CASES: usize = 256;

/// The cases merged into `case`, directly or through others, oldest merge
/// first: those whose `merged` event `case` (or one of them) records, kept
/// only when the loaded case really names it in `merged_into` and is the
/// same customer's (a hand edit never shows another customer's case). A
/// case that cannot be loaded is left out (`check` reports it).
pub fn merged_cases(store: &Store, case: &Case) -> Vec<Case> {
    let mut found: Vec<Case> = Vec::new();
    let mut seen = vec![case.id.clone()];
    let mut next: Vec<(String, String)> = case
        .merged_from()
        .into_iter()
        .map(|from| (from.to_string(), case.id.clone()))
        .collect();
    while !next.is_empty() && found.len() < MAX_MERGED_CASES {
        let (id, into) = next.remove(0);
        if seen.contains(&id) {
            continue;
        }
        seen.push(id.clone());
        let Ok(merged) = store.load(&id) else {
            continue;
        };
        if merged.merged_into.as_deref() != Some(into.as_str()) || merged.customer != case.customer {
            continue;
        }
        next.extend(
            merged
                .merged_from()
                .into_iter()
                .map(|from| (from.to_string(), merged.id.clone())),
        );
        found.push(merged);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{self, Enclosures, OpenRequest, Opening};

    fn session(store: &Store) -> Session {
        Session {
            store: store.clone(),
            actor: "alice".into(),
            now: crate::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap(),
            lock_wait: std::time::Duration::from_secs(1),
        }
    }

    fn open(store: &Store, customer: &str) -> String {
        let request = OpenRequest::new(customer, "Login fails");
        let Ok(Opening::Opened(opened)) = operations::open(&session(store), request, Enclosures::none(store)) else {
            panic!("opened");
        };
        opened.case.id
    }

    #[test]
    fn a_target_shows_only_cases_that_really_were_merged_into_it_by_its_customer() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store
            .init("analysts: [{id: alice, name: Alice, level: l1}]\ncustomers: [{name: Acme Corp}, {name: Globex}]\n")
            .unwrap();
        let source = open(&store, "Acme Corp");
        let target = open(&store, "Acme Corp");
        let theirs = open(&store, "Globex");
        merge(&session(&store), &source, &target, None).unwrap();
        let loaded = store.load(&target).unwrap();
        let shown: Vec<String> = merged_cases(&store, &loaded).into_iter().map(|c| c.id).collect();
        assert_eq!(shown, std::slice::from_ref(&source));
        assert_eq!(merged_end(&store, &source).unwrap(), target);
        assert_eq!(merged_end(&store, &target).unwrap(), target);

        // A hand edit claims another customer's case (and one that was never
        // merged): neither is shown, even if that case names the target.
        let mut claimed = loaded.clone();
        for from in [&theirs, &target] {
            let mut event = crate::core::case::Event::new(
                claimed.updated_at,
                "alice",
                crate::core::vocabulary::ActionKind::Merged,
                Some(claimed.status),
                claimed.status,
            );
            event.merged_from = Some(from.to_string());
            claimed.history.push(event);
        }
        let mut foreign = store.load(&theirs).unwrap();
        foreign.merged_into = Some(target.clone());
        store.save(&foreign).unwrap();
        let shown: Vec<String> = merged_cases(&store, &claimed).into_iter().map(|c| c.id).collect();
        assert_eq!(shown, [source]);
    }
}
