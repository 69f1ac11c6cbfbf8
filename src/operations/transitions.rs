//! The transitions an analyst makes on one case by hand: investigate,
//! request-info, close, assign and reassess.

use super::transaction::{Edit, Transaction};
use super::Enclosures;
use super::{Outcome, Session, Transitioned};
use crate::core::error::{Error, Result};
use crate::core::lifecycle::Action;
use crate::core::vocabulary::Severity;

/// Starts working on a case: open or escalated -> at-investigation.
pub fn investigate(session: &Session, typed_id: &str, note: Option<String>) -> Result<Transitioned> {
    let none = Enclosures::none(&session.store);
    Transaction::edit_case(session, typed_id, none, |_, _| {
        Ok(Edit::Apply(Action::Investigate { note }))
    })
    .map(Outcome::changed)
}

/// Answers or asks the customer: -> waiting-for-customer, and the auto-close
/// clock (re)starts now. `enclosures`: files for the customer, sent with
/// the message ([`Enclosures::none`] for none).
pub fn request_info(
    session: &Session,
    typed_id: &str,
    message: String,
    enclosures: Enclosures,
) -> Result<Transitioned> {
    Transaction::edit_case(session, typed_id, enclosures, |_, _| {
        Ok(Edit::Apply(Action::RequestInfo { message }))
    })
    .map(Outcome::changed)
}

/// Closes a case with a resolution: any status but closed -> closed.
/// `enclosures`: files for the customer, sent with the resolution
/// ([`Enclosures::none`] for none).
pub fn close(session: &Session, typed_id: &str, resolution: String, enclosures: Enclosures) -> Result<Transitioned> {
    Transaction::edit_case(session, typed_id, enclosures, |_, _| {
        Ok(Edit::Apply(Action::Close { resolution }))
    })
    .map(Outcome::changed)
}

/// Sets or changes a case's assignee by hand to `analyst`, a roster ID
/// (anyone else is a usage error). Unchanged when they already are the
/// assignee.
pub fn assign(session: &Session, typed_id: &str, analyst: &str, note: Option<String>) -> Result<Outcome<Transitioned>> {
    let none = Enclosures::none(&session.store);
    Transaction::edit_case(session, typed_id, none, |case, config| {
        let known = config.analyst(analyst).ok_or_else(|| Error::UnknownAnalyst {
            name: analyst.to_string(),
            config: session.store.config_path(),
            known: config.analysts.iter().map(|a| a.id.clone()).collect(),
        })?;
        let note = note.or_else(|| Some(format!("assigned by hand to {} ({})", known.id, known.level)));
        let action = Action::Assign {
            analyst: known.id.clone(),
            note,
        };
        Ok(if case.assignee.as_deref() == Some(known.id.as_str()) {
            Edit::AlreadyAsAsked(action)
        } else {
            Edit::Apply(action)
        })
    })
}

/// A severity changed and saved.
#[derive(Debug)]
pub struct Reassessed {
    /// The severity before.
    pub before: Severity,
    /// The transition (the status stays).
    pub transitioned: Transitioned,
}

/// Changes a case's severity, which moves its first-response target (it is
/// recomputed from the case's opening). Unchanged when it already is `severity`.
pub fn reassess(
    session: &Session,
    typed_id: &str,
    severity: Severity,
    note: Option<String>,
) -> Result<Outcome<Reassessed>> {
    let mut before = None;
    let none = Enclosures::none(&session.store);
    let outcome = Transaction::edit_case(session, typed_id, none, |case, _| {
        before = Some(case.severity);
        let action = Action::Reassess { severity, note };
        Ok(if case.severity == severity {
            Edit::AlreadyAsAsked(action)
        } else {
            Edit::Apply(action)
        })
    })?;
    Ok(match outcome {
        Outcome::Changed(transitioned) => Outcome::Changed(Reassessed {
            // Always set: the case was loaded before anything could change.
            before: before.unwrap_or(transitioned.case.severity),
            transitioned,
        }),
        Outcome::Unchanged(case) => Outcome::Unchanged(case),
    })
}

/// Records an internal comment: the status stays, the customer never sees it,
/// and a closed case refuses it like every other change.
pub fn note(session: &Session, typed_id: &str, message: String) -> Result<Transitioned> {
    let none = Enclosures::none(&session.store);
    Transaction::edit_case(session, typed_id, none, |_, _| {
        Ok(Edit::Apply(Action::Note { message }))
    })
    .map(Outcome::changed)
}
