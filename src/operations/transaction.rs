//! The read-modify-write of one case under the store lock, which every
//! transition shares.

use super::attachments::{self, Enclosures};
use super::{commit, Outcome, Session, Transitioned, Warning};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::Result;
use crate::core::lifecycle::{self, Action};

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
    transition_enclosing(session, typed_id, Enclosures::none(&session.store), make)
}

/// [`transition`] with files for the event: kept under the lock (within the
/// case's limit) before the case file that names them is written.
pub(super) fn transition_with(
    session: &Session,
    typed_id: &str,
    enclosures: Enclosures,
    make: impl FnOnce(&Case, &Config) -> Result<Action>,
) -> Result<Transitioned> {
    match transition_enclosing(session, typed_id, enclosures, |case, config| {
        Ok((make(case, config)?, false))
    })? {
        Outcome::Changed(transitioned) => Ok(transitioned),
        Outcome::Unchanged(case) => Ok(Transitioned {
            before: case.status,
            case,
            warnings: Vec::new(),
        }),
    }
}

fn transition_enclosing(
    session: &Session,
    typed_id: &str,
    enclosures: Enclosures,
    make: impl FnOnce(&Case, &Config) -> Result<(Action, bool)>,
) -> Result<Outcome<Transitioned>> {
    let store = &session.store;
    let config = store.config()?;
    let id = store.resolve(typed_id)?;
    let lock = store.lock(session.lock_wait)?;
    let case = store.load(&id)?;
    let (action, already) = make(&case, &config)?;
    let mut next = lifecycle::apply(&case, &action, &session.actor, session.now)?;
    if already {
        return Ok(Outcome::Unchanged(case));
    }
    let mut warnings = Vec::new();
    if !enclosures.is_empty() {
        let kind = next.history.last().map(|e| e.action);
        if !kind.is_some_and(lifecycle::may_carry_attachments) {
            return Err(crate::core::error::Error::AttachmentsNotCarried {
                action: kind.map(|kind| kind.to_string()).unwrap_or_default(),
            });
        }
        // Each file synced at its address before the case file names it.
        let (kept, left_out) = enclosures.keep(&lock, Some(&case))?;
        attachments::record(&mut next, kept, &left_out);
        if !left_out.is_empty() {
            warnings.push(Warning::AttachmentsLeftOut {
                id: next.id.clone(),
                left_out,
            });
        }
    }
    // Its message is the mail host's to compose from the committed event.
    super::outgoing::warn_unless_composable(session, &config, std::slice::from_ref(&next), &mut warnings)?;
    let path = store.save(&next)?;
    let message = crate::git::transition_message(&next, case.status, &session.actor);
    let files = super::written_with_files(store, path, &next);
    commit(&config, store, &files, &message, &mut warnings);
    Ok(Outcome::Changed(Transitioned {
        before: case.status,
        case: next,
        warnings,
    }))
}
