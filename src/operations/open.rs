//! Opening a case, by hand or from an e-mail: routed to an available L1
//! analyst, with a fresh random ID. An e-mail delivered again (the same
//! Message-ID, sender and customer) opens nothing new.

use super::attachments::{Enclosures, MAX_LEFT_OUT_NOTE_BYTES};
use super::transaction::{Mode, Transaction};
use super::{active_counts, Session, Warning};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::{self, NewCase};
use crate::core::routing::route;
use crate::core::vocabulary::ActionKind;
use crate::core::vocabulary::{Channel, Level, Severity, Status};
use crate::mail::intake;
use crate::store::sent_ledger::SentEntry;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::Read;

/// What a new case says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRequest {
    /// The customer's name (as in config.yaml; unknown customers get the standard plan).
    pub customer: String,
    /// One line saying what is wrong.
    pub summary: String,
    /// The customer's description.
    pub description: String,
    /// The contact's e-mail address.
    pub email: Option<String>,
    /// How the customer reached support.
    pub channel: Channel,
    /// Severity (default: the channel's).
    pub severity: Option<Severity>,
    /// The closed case this one follows up (a unique ID prefix is enough).
    pub follow_up_of: Option<String>,
    /// The Message-ID of the e-mail that opened it.
    pub message_id: Option<String>,
    /// Whether the message that opened it was sent by a machine (an
    /// out-of-office, a bounce, a list): no acknowledgement then (RFC 3834).
    pub automatic: bool,
}

impl OpenRequest {
    /// What a contact asks for in the portal: a case of their customer,
    /// with their address as the contact.
    pub fn by_contact(customer: &str, email: &str, summary: String, description: String) -> OpenRequest {
        OpenRequest {
            description,
            email: Some(email.to_string()),
            ..OpenRequest::new(customer, summary)
        }
    }

    /// A request with only a customer and a summary; the rest empty, from the portal.
    pub fn new(customer: impl Into<String>, summary: impl Into<String>) -> OpenRequest {
        OpenRequest {
            customer: customer.into(),
            summary: summary.into(),
            description: String::new(),
            email: None,
            channel: Channel::Portal,
            severity: None,
            follow_up_of: None,
            message_id: None,
            automatic: false,
        }
    }

    /// The new case it asks for, with the ID the store chose and whom
    /// routing chose (and why).
    pub fn into_new_case(self, id: String, assignee: Option<String>, routing_reason: Option<String>) -> NewCase {
        NewCase {
            id,
            customer: self.customer,
            summary: self.summary,
            description: self.description,
            email: self.email,
            channel: self.channel,
            severity: self.severity,
            follow_up_of: self.follow_up_of,
            message_id: self.message_id,
            assignee,
            routing_reason,
        }
    }
}

/// A case opened and saved.
#[derive(Debug)]
pub struct Opened {
    /// The new case.
    pub case: Case,
    /// What a person should hear about: a commit that failed, a customer not
    /// in config.yaml, nobody available to route to.
    pub warnings: Vec<Warning>,
    /// Case files that could not be read while routing (counted as no one's).
    pub errors: Vec<Error>,
}

/// What `open` did.
// Returned once per call, never held in bulk: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Opening {
    /// A new case.
    Opened(Opened),
    /// The same e-mail delivered again: it already opened this case, and
    /// nothing was written.
    AlreadyOpened {
        /// The case it opened.
        id: String,
    },
}

/// A new case before it is saved, and what a person should hear about it.
#[derive(Debug)]
pub struct Draft {
    /// The case, routed.
    pub case: Case,
    /// A customer not in config.yaml; nobody available to route to.
    pub warnings: Vec<Warning>,
}

/// Opens a case: routed to an available L1 analyst (`Session::actor` acts),
/// with the customer's files (`enclosures`, carried by the `open` event;
/// [`Enclosures::none`] for none). A follow-up must be of a closed case.
/// With a Message-ID already on a case of the same customer and sender,
/// opens nothing (see [`Opening`]).
pub fn open(session: &Session, request: OpenRequest, enclosures: Enclosures) -> Result<Opening> {
    let config = session.store.config()?;
    open_as(session, config, request, &session.actor, enclosures, &[])
}

/// Opens a case from an e-mail read from `raw` (at most 10 MiB): Subject ->
/// summary, text body -> description, sender's domain -> customer (config
/// `domains`; unknown domains are refused), channel email. The sender acts,
/// unless `named_actor` (the CLI's `--as`) says who does.
pub fn open_from_email(session: &Session, raw: impl Read, named_actor: Option<&str>) -> Result<Opening> {
    let config = session.store.config()?;
    let cap = intake::message_cap(config.attachments.max_message_bytes);
    let mail = intake::parse(&intake::read_message_within(raw, cap)?)?;
    open_from_mail(session, config, mail, named_actor, None)
}

/// The closed case a mail follows up, and what the new case inherits of it.
#[derive(Debug, Clone)]
pub(super) struct FollowUp {
    /// The closed case's ID.
    pub id: String,
    /// Its customer.
    pub customer: String,
    /// Its contact, when it has one.
    pub email: Option<String>,
}

/// [`open_from_email`] of a message already read: a new case, or a
/// follow-up of a closed case (`follow_up`), whose customer and contact it
/// inherits.
pub(super) fn open_from_mail(
    session: &Session,
    config: Config,
    mail: intake::Email,
    named_actor: Option<&str>,
    follow_up: Option<FollowUp>,
) -> Result<Opening> {
    // Config::validate refuses a domain listed by two customers, so the first is the only one.
    let customer = match (&follow_up, intake::customers_of_domain(&config, &mail.domain).first()) {
        (Some(previous), _) => previous.customer.clone(),
        (None, Some(one)) => one.name.clone(),
        (None, None) => {
            return Err(intake::refuse(crate::core::error::MailRefusal::UnknownDomain {
                domain: mail.domain.clone(),
                new_case: true,
            }))
        }
    };
    let automatic = intake::is_automatic(&mail);
    let mut enclosures = Enclosures::new(&session.store, config.attachments);
    let mut description = intake::description(&mail, MAX_LEFT_OUT_NOTE_BYTES);
    if automatic {
        // An out-of-office's files are not the customer's: named, not kept.
        description = intake::description(&mail, intake::MAX_ATTACHMENT_NOTE_BYTES);
        description.push_str(&intake::attachment_note(&intake::attachment_names(&mail)));
    } else {
        for attachment in &mail.attachments {
            enclosures.add_mail_attachment(attachment)?;
        }
    }
    let request = OpenRequest {
        customer,
        summary: intake::summary(&mail),
        description,
        email: Some(
            follow_up
                .as_ref()
                .and_then(|previous| previous.email.clone())
                .unwrap_or_else(|| mail.from.clone()),
        ),
        channel: Channel::Email,
        severity: None,
        follow_up_of: follow_up.map(|previous| previous.id),
        message_id: mail.message_id.clone(),
        automatic,
    };
    let copied = if automatic { Vec::new() } else { mail.copied.clone() };
    open_as(
        session,
        config,
        request,
        named_actor.unwrap_or(&mail.from),
        enclosures,
        &copied,
    )
}

/// `open`, with `actor` recorded in the case's history (the commit names
/// `Session::actor`).
fn open_as(
    session: &Session,
    config: Config,
    mut request: OpenRequest,
    actor: &str,
    enclosures: Enclosures,
    copied: &[String],
) -> Result<Opening> {
    let store = &session.store;
    // An address no transport carries is refused now, not at every delivery.
    if let Some(email) = &request.email {
        if crate::mail::compose::needs_smtputf8(email) {
            return Err(Error::AddressNotCarried { email: email.clone() });
        }
    }
    if let Some(typed) = &request.follow_up_of {
        // A follow-up of a merged case follows up the case it was merged into.
        let id = super::merge::merged_end(store, &store.resolve(typed)?)?;
        let previous = store.load(&id)?;
        if previous.status != Status::Closed {
            return Err(Error::FollowUpOfOpenCase {
                id,
                status: previous.status.to_string(),
            });
        }
        if !previous.customer.eq_ignore_ascii_case(&request.customer) {
            return Err(Error::FollowUpOfOtherCustomer {
                id,
                customer: previous.customer.clone(),
                given: request.customer.clone(),
            });
        }
        request.follow_up_of = Some(id);
    }
    let mut tx = Transaction::start(session, config, Mode::Apply)?.acting_as(actor);
    if let Some(existing) = opened_by_message(session, &request)? {
        return Ok(Opening::AlreadyOpened { id: existing });
    }
    let (counts, errors) = active_counts(store)?;
    let config = tx.config();
    let mut rng = rand::rng();
    let id = loop {
        let id = crate::core::id::generate(&config.id_prefix, &mut rng);
        if !store.exists(&id) {
            break id;
        }
    };
    let automatic = request.automatic;
    let held = held_sender(store, config, &request, session.now)?;
    let Draft {
        mut case,
        warnings: drafted,
    } = draft(config, request, id, &counts, actor, session.now);
    // The customer's people the opening message also went to.
    let added = super::cc_additions(&case, config, copied);
    if !added.is_empty() {
        let mut opening = case.history[0].clone();
        opening.cc = added;
        lifecycle::carry_cc(&mut case, &opening).map_err(|_| Error::Internal {
            what: "CC addresses carried by an event that cannot carry them",
        })?;
    }
    if let Some(reason) = &held {
        case = lifecycle::apply(
            &case,
            &lifecycle::Action::Note {
                message: reason.clone(),
            },
            actor,
            session.now,
        )?;
    }
    let sends_mail = config.mail.is_some();
    tx.attach(None, &mut case, enclosures)?;
    if sends_mail && case.email.is_none() {
        tx.warn(Warning::NoContact { id: case.id.clone() });
    }
    let withheld = match (&held, automatic) {
        (Some(_), _) => Some("the sender opened too many cases by mail in an hour: held, not acknowledged"),
        (None, true) => Some("opened by an automatic message: never acknowledged (RFC 3834)"),
        (None, false) => None,
    };
    if let Some(withheld) = withheld {
        // Never acknowledged (RFC 3834): the ledger says so, so that the
        // mail host, which mails every open event it finds, leaves this one.
        if sends_mail && case.email.is_some() {
            let entry = SentEntry {
                sent_at: session.now,
                case: case.id.clone(),
                event: ActionKind::Open.to_string(),
                key: super::outgoing::event_key(&case, 0),
                message_id: String::new(),
                to: String::new(),
                subject: String::new(),
                attempts: 0,
                withheld: Some(withheld.into()),
                cc: Vec::new(),
            };
            tx.record_sent(&entry)?;
        }
    } else {
        tx.check_mail(&case)?;
    }
    tx.save(&case)?;
    let mut warnings = tx.finish(&crate::git::opened_message(&case, &session.actor));
    warnings.extend(drafted);
    Ok(Opening::Opened(Opened { case, warnings, errors }))
}

/// Why a case the mail opens is held, if its sender's mail opened
/// `mail.hold_after_cases_an_hour` cases or more in the hour before `now`:
/// the internal note the case gets (its acknowledgement is withheld), so
/// that a sender opening cases in a burst (a script, a loop with a
/// responder that says nothing of being one) waits for an analyst.
fn held_sender(
    store: &crate::store::Store,
    config: &Config,
    request: &OpenRequest,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let (Some(mail), Some(sender), Channel::Email) = (&config.mail, request.email.as_deref(), request.channel) else {
        return Ok(None);
    };
    let limit = mail.hold_after_cases_an_hour as usize;
    let since = now - chrono::Duration::hours(1);
    let (summaries, _errors) = store.summaries()?;
    let recent = summaries
        .iter()
        .filter(|s| s.channel == Channel::Email && s.created_at > since)
        .filter(|s| {
            s.email
                .as_deref()
                .is_some_and(|email| email.eq_ignore_ascii_case(sender))
        })
        .count();
    Ok((recent >= limit).then(|| {
        format!(
            "held: {sender} opened {recent} case(s) by mail in the hour before this one (mail.hold_after_cases_an_hour is {limit}); \
             no acknowledgement was sent. Look at the sender's cases before answering: a script or a mail loop opens cases in bursts."
        )
    }))
}

/// Builds a new case with ID `id`, routed to an available L1 analyst by
/// `active` (each analyst's number of active cases), opened by `actor` at
/// `now`; writes nothing. `request.follow_up_of` is taken as a full ID.
pub fn draft(
    config: &Config,
    request: OpenRequest,
    id: String,
    active: &HashMap<String, usize>,
    actor: &str,
    now: DateTime<Utc>,
) -> Draft {
    let routed = route(
        config,
        Level::L1,
        &format!("{}\n{}", request.summary, request.description),
        active,
    );
    let new = request.into_new_case(id, routed.assignee.clone(), Some(routed.reason.clone()));
    let case = lifecycle::open(new, actor, now);
    let mut warnings = Vec::new();
    if config.customer(&case.customer).is_none() {
        // Unknown customers are allowed (SPEC), but a typo would silently
        // drop the customer to the slowest plan.
        warnings.push(Warning::UnknownCustomer {
            customer: case.customer.clone(),
        });
    }
    if routed.assignee.is_none() {
        warnings.push(Warning::Unassigned {
            id: case.id.clone(),
            level: Level::L1,
            reason: routed.reason,
        });
    }
    Draft { case, warnings }
}

/// The case an e-mail with this Message-ID already opened, if any: the same
/// message delivered again. Only a case of the same customer and sender
/// counts; a Message-ID already on another sender's case is refused without
/// naming that case, or anyone could learn (and have the mail server
/// confirm) another customer's case ID by copying a Message-ID.
fn opened_by_message(session: &Session, request: &OpenRequest) -> Result<Option<String>> {
    let Some(wanted) = request.message_id.as_deref().and_then(intake::normalize_message_id) else {
        return Ok(None);
    };
    let (summaries, _errors) = session.store.summaries()?;
    let mut same_id = summaries
        .into_iter()
        .filter(|s| {
            s.message_id
                .as_deref()
                .and_then(intake::normalize_message_id)
                .as_deref()
                == Some(&wanted)
        })
        .peekable();
    if same_id.peek().is_none() {
        return Ok(None);
    }
    let same_sender = |s: &crate::core::digest::Digest| {
        s.customer == request.customer
            && s.email
                .as_deref()
                .zip(request.email.as_deref())
                .is_some_and(|(was, now)| was.eq_ignore_ascii_case(now))
    };
    match same_id.find(same_sender) {
        Some(existing) => Ok(Some(existing.id)),
        None => Err(intake::refuse(
            crate::core::error::MailRefusal::MessageIdOfAnotherSender,
        )),
    }
}
