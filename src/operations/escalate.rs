//! Escalating a case: at L1, to L2 (re-routed among the available L2
//! analysts); at L2 or R&D, into R&D's resolution queue.

use super::transaction::{Edit, Transaction};
use super::{active_counts, Enclosures, Session, Transitioned, Warning};
use crate::core::error::{Error, Result};
use crate::core::lifecycle::Action;
use crate::core::routing::route;
use crate::core::vocabulary::{ActionKind, Impact, Level};

/// An escalation done and saved.
#[derive(Debug)]
pub struct Escalated {
    /// The transition; its warnings say when nobody at L2 was available.
    pub transitioned: Transitioned,
    /// Case files that could not be read while routing (counted as no one's).
    pub errors: Vec<Error>,
}

/// Escalates a case. `impact` is for entering R&D's queue (default low); at
/// L1 it is a usage error, since an L1 case goes to L2 first. `note` is
/// recorded in history (with routing's reason at L1).
pub fn escalate(session: &Session, typed_id: &str, impact: Option<Impact>, note: Option<String>) -> Result<Escalated> {
    let mut unassigned = None;
    let mut errors = Vec::new();
    let none = Enclosures::none(&session.store);
    let mut transitioned = Transaction::edit_case(session, typed_id, none, |case, config| {
        if case.level != Level::L1 {
            return Ok(Edit::Apply(Action::Escalate {
                impact,
                assignee: None,
                note,
            }));
        }
        let allowed = crate::core::lifecycle::allowed_from(case.status).contains(&ActionKind::Escalate);
        if impact.is_some() && allowed {
            return Err(Error::ImpactBeforeL2 { id: case.id.clone() });
        }
        // Counted under the lock, so two escalations at once see each other.
        let (counts, unreadable) = active_counts(&session.store)?;
        errors = unreadable;
        let routed = route(
            config,
            Level::L2,
            &format!("{}\n{}", case.summary, case.description),
            &counts,
        );
        if routed.assignee.is_none() {
            unassigned = Some(routed.reason.clone());
        }
        let note = match note {
            Some(note) => format!("{note} ({})", routed.reason),
            None => routed.reason,
        };
        Ok(Edit::Apply(Action::Escalate {
            impact,
            assignee: routed.assignee,
            note: Some(note),
        }))
    })?
    .changed();
    if let Some(reason) = unassigned {
        transitioned.warnings.push(Warning::Unassigned {
            id: transitioned.case.id.clone(),
            level: Level::L2,
            reason,
        });
    }
    Ok(Escalated { transitioned, errors })
}
