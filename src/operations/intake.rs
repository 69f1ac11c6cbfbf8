//! One message from the mail server, decided: a reply to the case it names
//! (by its `[ID]` tag, or by In-Reply-To/References to our messages or the
//! customer's), a follow-up of a closed case, or a new case. Automatic mail
//! (out-of-office replies, bounces, lists, reports) never opens a case.

use super::open::{open_from_mail, FollowUp, Opening};
use super::reply::{find_case, reply_from_mail, Replied};
use super::Session;
use crate::core::error::{Error, Result};
use crate::core::vocabulary::Status;
use crate::mail::intake;
use std::io::Read;

/// What `intake` did with a message.
#[derive(Debug)]
pub enum Taken {
    /// On an open case: a reply, an automatic message noted, or a message
    /// already recorded.
    Replied(Replied),
    /// A new case (or the case this same message opened before).
    Opened(Opening),
    /// A reply to a closed case: a new case that follows it up.
    FollowedUp {
        /// The closed case.
        of: String,
        /// The new case.
        opening: Opening,
    },
    /// An automatic message that names no open case: nothing is written and
    /// nothing is answered (RFC 3834).
    Dropped {
        /// Why the message counts as automatic.
        reason: String,
    },
}

/// Takes in one message read from `raw` (at most the store's message cap).
pub fn intake(session: &Session, raw: impl Read) -> Result<Taken> {
    let store = &session.store;
    let config = store.config()?;
    let cap = intake::message_cap(config.attachments.max_message_bytes);
    let mut mail = intake::parse(&intake::read_message_within(raw, cap)?)?;
    // A sender of no customer learns nothing about any case.
    if intake::customers_of_domain(&config, &mail.domain).is_empty() {
        return Err(intake::unknown_sender(&mail.domain));
    }
    let found = match find_case(store, &config, &mail) {
        Ok(id) => Some(id),
        // A tag of no case, or threading to no message of ours: new.
        Err(Error::NoSuchTicket { .. } | Error::NoCaseTagged { .. } | Error::NoCaseReplied) => None,
        Err(e) => return Err(e),
    };
    let Some(id) = found else {
        return match mail.automatic {
            Some(reason) => Ok(Taken::Dropped { reason }),
            None => open_from_mail(session, config, mail, None, None).map(Taken::Opened),
        };
    };
    let case = store.load(&id)?;
    if case.status != Status::Closed {
        return reply_from_mail(session, config, mail, Some(&id), None).map(Taken::Replied);
    }
    if let Some(reason) = mail.automatic {
        return Ok(Taken::Dropped { reason });
    }
    if !intake::domain_belongs_to(&config, &case.customer, &mail.domain) {
        return Err(intake::refuse(crate::core::error::MailRefusal::NotTheCustomersDomain {
            domain: mail.domain.clone(),
        }));
    }
    mail.subject = intake::without_tag(&mail.subject, &case.id);
    // The tags of cases merged into it name the old conversation too.
    for tag in intake::subject_tags(&mail.subject, &config.id_prefix) {
        let merged_here = crate::core::id::validate(&tag)
            .ok()
            .and_then(|id| super::merge::merged_end(store, &id).ok())
            .is_some_and(|end| end == case.id);
        if merged_here {
            mail.subject = intake::without_tag(&mail.subject, &tag);
        }
    }
    // The new case says what is new: the quoted conversation stays on the old one.
    let own = intake::reply_text(&mail.body);
    if !own.is_empty() {
        mail.body = own;
    }
    let follow_up = FollowUp {
        id: case.id.clone(),
        customer: case.customer.clone(),
        email: case.email.clone(),
    };
    let opening = open_from_mail(session, config, mail, None, Some(follow_up))?;
    Ok(Taken::FollowedUp { of: case.id, opening })
}
