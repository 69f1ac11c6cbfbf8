//! The customer spoke: any status but closed -> open, and the waiting clock
//! is cleared. From an e-mail, the case is found from the message itself,
//! and a message already recorded (a mail server retrying) is not recorded
//! again.

use super::attachments::Enclosures;
use super::transaction::{Edit, Mode, Transaction};
use super::{Outcome, Session, Transitioned};
use crate::core::case::Case;
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::Action;
use crate::core::vocabulary::{ActionKind, Status};
use crate::mail::intake;
use crate::store::Store;
use std::collections::HashMap;
use std::io::Read;

/// Records what the customer said on a case, with the customer's files
/// (`enclosures`; [`Enclosures::none`] for none).
pub fn reply(session: &Session, typed_id: &str, message: String, enclosures: Enclosures) -> Result<Transitioned> {
    Transaction::edit_case(session, typed_id, enclosures, |_, _| {
        Ok(Edit::Apply(Action::Reply {
            message,
            message_id: None,
        }))
    })
    .map(Outcome::changed)
}

/// What `reply_from_email` did.
#[derive(Debug)]
pub enum Replied {
    /// The reply, recorded and saved.
    Recorded(Transitioned),
    /// The message was already recorded on this case; nothing was written.
    AlreadyRecorded(Case),
    /// An automatic message (out-of-office, bounce, list): recorded as an
    /// internal note; the status and the waiting clock stay as they were.
    Noted {
        /// The note, saved.
        transitioned: Transitioned,
        /// Why the message counts as automatic.
        reason: String,
    },
    /// An automatic message to a closed case: nothing is written (it must
    /// not open a follow-up either).
    Ignored {
        /// The case as it is.
        case: Case,
        /// Why the message counts as automatic.
        reason: String,
    },
}

/// Records the customer's e-mail read from `raw` (at most 10 MiB) as a
/// reply: on case `typed_id` if given, else the `[ID]` tag in the Subject,
/// else the case whose Message-ID the In-Reply-To/References name. Quoted
/// text is dropped; the sender's domain must be the case's customer's. The
/// sender acts, unless `named_actor` (the CLI's `--as`) says who does.
pub fn reply_from_email(
    session: &Session,
    raw: impl Read,
    typed_id: Option<&str>,
    named_actor: Option<&str>,
) -> Result<Replied> {
    let config = session.store.config()?;
    let cap = intake::message_cap(config.attachments.max_message_bytes);
    let mail = intake::parse(&intake::read_message_within(raw, cap)?)?;
    reply_from_mail(session, config, mail, typed_id, named_actor)
}

/// [`reply_from_email`] of a message already read.
pub(super) fn reply_from_mail(
    session: &Session,
    config: crate::core::config::Config,
    mail: intake::Email,
    typed_id: Option<&str>,
    named_actor: Option<&str>,
) -> Result<Replied> {
    let store = &session.store;
    let text = intake::reply_text(&mail.body);
    if text.is_empty() {
        return Err(intake::refuse(crate::core::error::MailRefusal::OnlyQuotedText));
    }
    // Before any look-up: a sender of no customer could otherwise learn from
    // the refusal which case (and whose) a copied Message-ID belongs to.
    if intake::customers_of_domain(&config, &mail.domain).is_empty() {
        return Err(intake::refuse(crate::core::error::MailRefusal::UnknownDomain {
            domain: mail.domain.clone(),
            new_case: false,
        }));
    }
    let typed = match typed_id {
        Some(id) => id.to_string(),
        None => find_case(store, &config, &mail)?,
    };
    let sender = named_actor.unwrap_or(&mail.from);
    let id = store.resolve(&typed)?;
    // Received before the lock (hashed into temp files); kept under it.
    let mut enclosures = Enclosures::new(store, config.attachments);
    if mail.automatic.is_none() {
        for attachment in &mail.attachments {
            enclosures.add_mail_attachment(attachment)?;
        }
    }
    // The read-modify-write of a transition, but a message already recorded
    // is answered before the life cycle is asked: a closed case must not turn
    // a redelivery into exit 4 (the README's wrapper would open a new case).
    let tx = Transaction::start(session, config, Mode::Apply)?.acting_as(sender);
    let case = tx.load(&id)?;
    // The sender is checked against the case as loaded under the lock, and
    // before anything about it (whether it has the message) is said.
    if !intake::domain_belongs_to(tx.config(), &case.customer, &mail.domain) {
        return Err(intake::refuse(crate::core::error::MailRefusal::NotTheCustomersDomain {
            domain: mail.domain.clone(),
        }));
    }
    if let Some(message_id) = &mail.message_id {
        let recorded = case
            .history
            .iter()
            .any(|e| e.action == ActionKind::Reply && e.message_id.as_deref() == Some(message_id.as_str()));
        if recorded {
            return Ok(Replied::AlreadyRecorded(case));
        }
    }
    // An out-of-office is not the customer speaking: it never reopens a
    // case, restarts nothing and is never answered (RFC 3834).
    if let Some(reason) = mail.automatic.clone() {
        if case.status == Status::Closed {
            return Ok(Replied::Ignored { case, reason });
        }
        let names = intake::attachment_note(&intake::attachment_names(&mail));
        let action = Action::Note {
            message: format!("automatic message, not taken as the customer's reply ({reason}):\n\n{text}{names}"),
        };
        let transitioned = tx.edit(case, Edit::Apply(action), enclosures)?.changed();
        return Ok(Replied::Noted { transitioned, reason });
    }
    let action = Action::Reply {
        message: text,
        message_id: mail.message_id.clone(),
    };
    // The customer's people the message also went to are copied from now on;
    // under `portal: own` only when the sender is already on the case (its
    // contact or copied), or a colleague who learned its tag could copy
    // another of their own mailboxes and so read it in the portal.
    let copied = if may_copy(tx.config(), &case, &mail.from) {
        super::cc_additions(&case, tx.config(), &mail.copied)
    } else {
        Vec::new()
    };
    Ok(Replied::Recorded(
        tx.copying(copied)
            .edit(case, Edit::Apply(action), enclosures)?
            .changed(),
    ))
}

/// Whether a message from `sender` may copy more of the customer's people on
/// `case`: always, unless the customer's contacts see only their own cases
/// (`portal: own`), where only the case's contact and those copied may.
fn may_copy(config: &crate::core::config::Config, case: &Case, sender: &str) -> bool {
    let own = config
        .customer(&case.customer)
        .is_some_and(|c| c.portal == crate::core::config::PortalAccess::Own);
    !own || case.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(sender))
        || case.cc.iter().any(|a| a.eq_ignore_ascii_case(sender))
}

/// The case an e-mail answers: its Subject's `[ID]` tag, else the case whose
/// Message-ID is named by In-Reply-To or References.
/// Only the cases of the sender's customer are matched by Message-ID: another
/// customer's case is "not found", as if the ID named no case.
///
/// A case that was merged is followed to the end of its chain of merges: a
/// reply to a duplicate reaches the case that carries on.
pub(super) fn find_case(store: &Store, config: &crate::core::config::Config, mail: &intake::Email) -> Result<String> {
    let named = find_named_case(store, config, mail)?;
    super::merge::merged_end(store, &named)
}

/// The case an e-mail names, before any chain of merges is followed.
fn find_named_case(store: &Store, config: &crate::core::config::Config, mail: &intake::Email) -> Result<String> {
    let prefix = &config.id_prefix;
    let tags = intake::subject_tags(&mail.subject, prefix);
    if tags.len() > intake::MAX_SUBJECT_TAGS {
        return Err(intake::refuse(crate::core::error::MailRefusal::TooManySubjectTags {
            limit: intake::MAX_SUBJECT_TAGS,
        }));
    }
    if let Some(tag) = tags
        .iter()
        .find(|tag| crate::core::id::validate(tag).is_ok_and(|id| store.exists(&id)))
    {
        return Ok(tag.clone());
    }
    if let Some(first) = tags.first() {
        return Err(Error::NoCaseTagged { tag: first.clone() });
    }
    if mail.replied_to.is_empty() {
        return Err(not_found());
    }
    let (summaries, _errors) = store.summaries()?;
    // One pass over the cases, then one look-up per named message: a
    // References header can name thousands.
    let mut by_message: HashMap<String, Vec<&Digest>> = HashMap::new();
    let mut by_id: HashMap<&str, &Digest> = HashMap::new();
    for summary in summaries
        .iter()
        .filter(|s| intake::domain_belongs_to(config, &s.customer, &mail.domain))
    {
        by_id.insert(summary.id.as_str(), summary);
        if let Some(id) = summary.message_id.as_deref().and_then(intake::normalize_message_id) {
            by_message.entry(id).or_default().push(summary);
        }
    }
    for replied in &mail.replied_to {
        // Prefer a case still being worked, then the newest.
        let found = by_message.get(replied).and_then(|matches| {
            matches
                .iter()
                .max_by_key(|s| (s.status != Status::Closed, s.created_at))
        });
        if let Some(found) = found {
            return Ok(found.id.clone());
        }
        // One of the desk's own messages (an acknowledgement, a question, a
        // reminder): its Message-ID starts with the case's ID.
        if let Some(found) = own_message_case(config, replied).and_then(|id| by_id.get(id.as_str())) {
            return Ok(found.id.clone());
        }
    }
    Err(not_found())
}

/// The case a Message-ID of the desk's own outgoing mail names:
/// `ID@domain` (an acknowledgement) or `ID.notice.unique@domain`, with the
/// domain of `mail.from`.
fn own_message_case(config: &crate::core::config::Config, message_id: &str) -> Option<String> {
    let domain = crate::mail::compose::from_domain(config.mail.as_ref()?).ok()?;
    let (local, at) = message_id.rsplit_once('@')?;
    if !at.eq_ignore_ascii_case(&domain) {
        return None;
    }
    crate::core::id::validate(local.split('.').next()?).ok()
}

fn not_found() -> Error {
    Error::NoCaseReplied
}
