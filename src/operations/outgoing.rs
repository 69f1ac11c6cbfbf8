//! The message a public event written by support sends the customer (SPEC
//! section 7). The event is its own queue entry: the message is derived
//! from the event as committed, whichever clone wrote it, and composed by
//! the mail host's `deliver` ([`message_of_event`]); the sent ledger
//! records it once sent. A write only checks that its message can be
//! composed ([`warn_unless_composable`]).

use super::{Session, Warning};
use crate::case::Case;
use crate::config::Config;
use crate::error::Result;
use crate::outbound::{self, ComposeError, Details, Notice};
use crate::store::outbox::{DeliveryState, MessageKind, OutboxMessage};
use crate::store::Store;
use crate::targets::Policy;
use crate::vocabulary::ActionKind;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest as _, Sha256};
/// The notice the event `action` sends, if support wrote it for the customer.
pub fn notice_of(action: ActionKind) -> Option<Notice> {
    match action {
        ActionKind::Open => Some(Notice::Acknowledgement),
        ActionKind::RequestInfo => Some(Notice::RequestInfo),
        ActionKind::Close => Some(Notice::Resolution),
        ActionKind::Remind => Some(Notice::Reminder),
        ActionKind::AutoClose => Some(Notice::AutoClose),
        // The customer's own words, and everything internal, send nothing.
        ActionKind::Reply
        | ActionKind::Investigate
        | ActionKind::Escalate
        | ActionKind::Assign
        | ActionKind::Reassess
        | ActionKind::Note => None,
    }
}

/// The key of event `index` of `case`, which the sent ledger records: the
/// same in every clone and after any merge (a merge may put another
/// clone's events before it, so not its position): the case, the event's
/// action, instant, actor and text, and how many events alike came before
/// it.
pub fn event_key(case: &Case, index: usize) -> String {
    let event = &case.history[index];
    let alike = case.history[..index]
        .iter()
        .filter(|e| {
            e.action == event.action && e.at == event.at && e.actor == event.actor && e.message == event.message
        })
        .count();
    let mut hash = Sha256::new();
    for part in [
        case.id.as_str(),
        event.action.as_str(),
        &crate::time::format_instant(&event.at),
        &event.actor,
        event.message.as_deref().unwrap_or(""),
        &alike.to_string(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The case as it stood right after its event `index` (its waiting clock,
/// severity and summary then), or as it is when its history does not replay.
fn as_of(case: &Case, index: usize) -> Case {
    if index + 1 >= case.history.len() {
        return case.clone();
    }
    let mut before = case.clone();
    before.history.truncate(index + 1);
    let mut then = crate::lifecycle::replay(&before).unwrap_or(before);
    // Sent to whoever the case names now.
    then.email = case.email.clone();
    then
}

/// Why an event's message was not composed.
#[derive(Debug)]
pub enum NotComposed {
    /// The event sends nothing: internal, the customer's own words, no
    /// contact address, or no `mail:` in config.yaml.
    Nothing,
    /// It should send one, but it cannot be composed (the reason).
    Refused(String),
}

/// The message event `index` of `case` sends the customer, composed at `now`.
pub fn message_of_event(
    store: &Store,
    config: &Config,
    policy: &Policy,
    case: &Case,
    index: usize,
    now: DateTime<Utc>,
) -> std::result::Result<OutboxMessage, NotComposed> {
    let mail = config.mail.as_ref().ok_or(NotComposed::Nothing)?;
    let event = case.history.get(index).ok_or(NotComposed::Nothing)?;
    let notice = notice_of(event.action).ok_or(NotComposed::Nothing)?;
    if case.email.is_none() {
        return Err(NotComposed::Nothing);
    }
    let template = match store.template(notice.template_name()) {
        Ok(Some(text)) => text,
        Ok(None) => notice.default_template().to_string(),
        Err(e) => return Err(NotComposed::Refused(format!("template: {e}"))),
    };
    let then = as_of(case, index);
    let after = Duration::days(i64::from(config.auto_close_after_days));
    let details = Details {
        // Only what is meant for the customer: `open`'s event message is the
        // routing reason (the analyst, their load, the roster), so an
        // acknowledgement quotes the customer's own description; `remind`'s
        // is the desk's own note.
        message: match notice {
            Notice::RequestInfo | Notice::Resolution | Notice::AutoClose => event.message.clone(),
            Notice::Acknowledgement => Some(then.description.clone()),
            Notice::Reminder => None,
        },
        closes_on: then.waiting_since.map(|since| since + after),
        first_response_due: Some(policy.first_response_due(&then.customer, then.severity, then.created_at)),
        auto_close_after_days: config.auto_close_after_days,
        // The acknowledgement's default text does not quote the description.
        left_out: match notice {
            Notice::Acknowledgement => then
                .description
                .rfind(super::attachments::LEFT_OUT_HEAD.trim_start())
                .map(|at| then.description[at..].to_string()),
            _ => None,
        },
    };
    let key = event_key(case, index);
    match outbound::compose(notice, &then, &details, mail, &template, &key, now) {
        Ok(composed) => Ok(OutboxMessage {
            kind: MessageKind::CaseEvent,
            case: case.id.clone(),
            action: event.action,
            event_at: event.at,
            event_index: index,
            event_actor: Some(event.actor.clone()),
            event_message: event.message.clone(),
            from: outbound::envelope_sender(mail).unwrap_or_default(),
            to: composed.to,
            subject: composed.subject,
            message_id: composed.message_id,
            state: DeliveryState::Queued,
            queued_at: event.at,
            sent_at: None,
            attempts: 0,
            error: None,
            resent: false,
            message: String::from_utf8_lossy(&composed.bytes).into_owned(),
            attachments: event.attachments.clone(),
        }),
        Err(ComposeError::NoContact) => Err(NotComposed::Nothing),
        Err(e) => Err(NotComposed::Refused(e.to_string())),
    }
}

/// Checks that what the cases' last events send can be composed; a warning
/// for each that cannot (the change itself goes ahead). Nothing is queued
/// here: the mail host composes the message from the committed event.
pub fn warn_unless_composable(
    session: &Session,
    config: &Config,
    cases: &[Case],
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    if config.mail.is_none() {
        return Ok(());
    }
    let policy = &super::policy(&session.store, config)?;
    for case in cases {
        let Some(index) = case.history.len().checked_sub(1) else {
            continue;
        };
        if let Err(NotComposed::Refused(reason)) =
            message_of_event(&session.store, config, policy, case, index, session.now)
        {
            warnings.push(Warning::MailNotQueued {
                id: case.id.clone(),
                reason,
            });
        }
    }
    Ok(())
}
