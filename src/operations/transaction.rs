//! The read-modify-write of one case under the store lock, which every
//! transition shares.

use super::{commit, Outcome, Session, Transitioned};
use crate::case::Case;
use crate::config::Config;
use crate::error::Result;
use crate::lifecycle::{self, Action};

/// Load, build the action, apply the life cycle, save, commit. Nothing is
/// written on any error.
pub(super) fn transition(
    session: &Session,
    typed_id: &str,
    make: impl FnOnce(&Case, &Config) -> Result<Action>,
) -> Result<Transitioned> {
    match transition_unless_unchanged(session, typed_id, |case, config| Ok((make(case, config)?, false)))? {
        Outcome::Changed(transitioned) => Ok(transitioned),
        // Not reached: `make` never says the case already is as asked.
        Outcome::Unchanged(case) => Ok(Transitioned {
            before: case.status,
            case,
            warnings: Vec::new(),
        }),
    }
}

/// [`transition`], where `make` also says whether the case already is as
/// asked (decided under the lock). Then nothing is written; the action is
/// still checked against the case's status (a closed case still refuses it).
pub(super) fn transition_unless_unchanged(
    session: &Session,
    typed_id: &str,
    make: impl FnOnce(&Case, &Config) -> Result<(Action, bool)>,
) -> Result<Outcome<Transitioned>> {
    let store = &session.store;
    let config = store.config()?;
    let id = store.resolve(typed_id)?;
    let lock = store.lock(session.lock_wait)?;
    let case = store.load(&id)?;
    let (action, already) = make(&case, &config)?;
    let next = lifecycle::apply(&case, &action, &session.actor, session.now)?;
    if already {
        return Ok(Outcome::Unchanged(case));
    }
    let mut warnings = Vec::new();
    // The customer's message first: a crash after it leaves a message whose
    // event is missing, which `deliver` drops; never an event without its message.
    super::outgoing::queue_for(session, &lock, &config, std::slice::from_ref(&next), &mut warnings)?;
    let path = store.save(&next)?;
    let message = crate::git::transition_message(&next, case.status, &session.actor);
    commit(&config, store, &[path], &message, &mut warnings);
    Ok(Outcome::Changed(Transitioned {
        before: case.status,
        case: next,
        warnings,
    }))
}
