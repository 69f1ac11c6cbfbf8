//! The case's internal data an analyst corrects or curates: its customer
//! (`set-customer`), its tags (`tag`) and the addresses copied on it
//! (`cc`). Each is one internal event; none changes the status.

use super::transaction::{Edit, Transaction};
use super::{Enclosures, Outcome, Session, Transitioned};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::Action;
use crate::core::list_change::ListChange;
use crate::core::nearest::nearest_name;

/// Corrects a case's customer to `name`, a customer of config.yaml (matched
/// case-insensitively, recorded as config.yaml spells it); any other name
/// is refused with the nearest listed one. Unchanged when it already is.
/// The portal's visibility follows the customer.
pub fn set_customer(
    session: &Session,
    typed_id: &str,
    name: &str,
    note: Option<String>,
) -> Result<Outcome<Transitioned>> {
    let none = Enclosures::none(&session.store);
    Transaction::edit_case(session, typed_id, none, |case, config| {
        let Some(known) = config.customer(name) else {
            let names: Vec<&str> = config.customers.iter().map(|c| c.name.as_str()).collect();
            return Err(Error::UnknownCustomer {
                name: name.to_string(),
                config: session.store.config_path(),
                nearest: nearest_name(name, &names).map(str::to_string),
            });
        };
        let action = Action::SetCustomer {
            customer: known.name.clone(),
            note,
        };
        Ok(if case.customer == known.name {
            Edit::AlreadyAsAsked(action)
        } else {
            Edit::Apply(action)
        })
    })
}

/// Adds (`+name`, or a bare `name`) and removes (`-name`) tags, in order.
/// A tag added must be one of config.yaml's `tags`; one removed must be
/// listed or on the case (a tag dropped from config.yaml can still be taken
/// off). Changes that change nothing are left out of the event; when none
/// changes anything the case is unchanged.
pub fn tag(
    session: &Session,
    typed_id: &str,
    changes: &[String],
    note: Option<String>,
) -> Result<Outcome<Transitioned>> {
    let none = Enclosures::none(&session.store);
    Transaction::edit_case(session, typed_id, none, |case, config| {
        let changes: Vec<ListChange> = changes.iter().map(|c| ListChange::parse(c.trim())).collect();
        for change in &changes {
            let on_case = case.tags.iter().any(|t| t == change.item());
            let allowed = config.knows_tag(change.item()) || matches!(change, ListChange::Remove(_)) && on_case;
            if !allowed {
                return Err(unknown_tag(session, config, change.item()));
            }
        }
        Ok(effective(case.tags.clone(), changes, |changes| Action::Tag {
            changes,
            note,
        }))
    })
}

/// Adds addresses to and removes them from the case's CC list: an address
/// added must be at one of its customer's domains (anyone else is refused),
/// and is kept in lower case. Adding the contact or an address already
/// there, or removing one that is not, changes nothing; when nothing
/// changes the case is unchanged.
pub fn cc(
    session: &Session,
    typed_id: &str,
    add: &[String],
    remove: &[String],
    note: Option<String>,
) -> Result<Outcome<Transitioned>> {
    let none = Enclosures::none(&session.store);
    Transaction::edit_case(session, typed_id, none, |case, config| {
        let mut changes = Vec::new();
        for address in add {
            let address = cc_address(case, config, address)?;
            if !is_contact(case, &address) {
                changes.push(ListChange::Add(address));
            }
        }
        for address in remove {
            changes.push(ListChange::Remove(address.trim().to_lowercase()));
        }
        Ok(effective(case.cc.clone(), changes, |changes| Action::Cc {
            changes,
            note,
        }))
    })
}

/// The addresses of `candidates` (a customer's message's `Cc:` and `To:`)
/// that [`cc`] would add to `case`: the customer's people other than the
/// contact and those already copied, each once, in lower case. Others are
/// left out, not refused.
pub fn cc_additions(case: &Case, config: &Config, candidates: &[String]) -> Vec<ListChange> {
    let mut added: Vec<String> = Vec::new();
    for candidate in candidates {
        let Ok(address) = cc_address(case, config, candidate) else {
            continue;
        };
        if !is_contact(case, &address) && !case.cc.contains(&address) && !added.contains(&address) {
            added.push(address);
        }
    }
    added.into_iter().map(ListChange::Add).collect()
}

fn is_contact(case: &Case, address: &str) -> bool {
    case.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(address))
}

/// `address` in lower case when it is a plain address at one of the case's
/// customer's domains.
fn cc_address(case: &Case, config: &Config, address: &str) -> Result<String> {
    let address = address.trim().to_lowercase();
    // A quoted or escaped local part (`"bo"@acme.example`) is another
    // spelling of a mailbox, as the portal's sign-in refuses it: plain only.
    let plain = address.parse::<lettre::Address>().is_ok() && !address.contains(['<', '>', ' ', ',', '"', '\\']);
    if !plain || !config.is_address_of(&case.customer, &address) {
        return Err(Error::CcOutsideDomains {
            id: case.id.clone(),
            address,
            customer: case.customer.clone(),
            domains: config
                .customer(&case.customer)
                .map(|c| c.domains.clone())
                .unwrap_or_default(),
        });
    }
    Ok(address)
}

fn unknown_tag(session: &Session, config: &Config, tag: &str) -> Error {
    let known: Vec<&str> = config.tags.iter().map(String::as_str).collect();
    Error::UnknownTag {
        tag: tag.to_string(),
        config: session.store.config_path(),
        nearest: nearest_name(tag, &known).map(str::to_string),
        known: config.tags.clone(),
    }
}

/// The edit for `changes` to `list`: only the changes that change it, in
/// order; "already as asked" when none does.
fn effective(mut list: Vec<String>, changes: Vec<ListChange>, action: impl FnOnce(Vec<ListChange>) -> Action) -> Edit {
    let mut kept = Vec::new();
    for change in changes {
        if change.changes(&list) {
            change.apply_to(&mut list);
            kept.push(change);
        }
    }
    if kept.is_empty() {
        Edit::AlreadyAsAsked(action(Vec::new()))
    } else {
        Edit::Apply(action(kept))
    }
}
