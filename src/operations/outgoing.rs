//! The message a public event written by support sends the customer,
//! composed and queued in the same locked write as the event (SPEC section 7).

use super::{Session, Warning};
use crate::case::Case;
use crate::config::Config;
use crate::error::Result;
use crate::outbound::{self, ComposeError, Details, Notice};
use crate::store::outbox::{DeliveryState, MessageKind, OutboxMessage};
use crate::store::{Store, StoreLock};
use crate::targets::Policy;
use crate::vocabulary::ActionKind;
use chrono::Duration;
use rand::distr::{Alphanumeric, SampleString};

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

/// The message the last event of `case` (as it will be saved) sends, when
/// the store has `mail:` in config.yaml and the case has a contact address.
/// A message that cannot be composed (a contact address that is not one)
/// is a warning: the change itself goes ahead.
fn message_for(
    store: &Store,
    config: &Config,
    policy: &Policy,
    case: &Case,
    session: &Session,
    warnings: &mut Vec<Warning>,
) -> Option<OutboxMessage> {
    let mail = config.mail.as_ref()?;
    let event = case.history.last()?;
    let notice = notice_of(event.action)?;
    let template = match store.template(notice.template_name()) {
        Ok(Some(text)) => text,
        Ok(None) => notice.default_template().to_string(),
        Err(e) => {
            warnings.push(Warning::MailNotQueued {
                id: case.id.clone(),
                reason: format!("template: {e}"),
            });
            return None;
        }
    };
    let after = Duration::days(i64::from(config.auto_close_after_days));
    let details = Details {
        // Only what is meant for the customer: `open`'s event message is the
        // routing reason (the analyst, their load, the roster), so an
        // acknowledgement quotes the customer's own description; `remind`'s
        // is the desk's own note.
        message: match notice {
            Notice::RequestInfo | Notice::Resolution | Notice::AutoClose => event.message.clone(),
            Notice::Acknowledgement => Some(case.description.clone()),
            Notice::Reminder => None,
        },
        closes_on: case.waiting_since.map(|since| since + after),
        first_response_due: Some(policy.first_response_due(&case.customer, case.severity, case.created_at)),
        auto_close_after_days: config.auto_close_after_days,
        // The acknowledgement's default text does not quote the description.
        left_out: match notice {
            Notice::Acknowledgement => case
                .description
                .rfind(super::attachments::LEFT_OUT_HEAD.trim_start())
                .map(|at| case.description[at..].to_string()),
            _ => None,
        },
    };
    let unique = Alphanumeric.sample_string(&mut rand::rng(), 12).to_lowercase();
    match outbound::compose(notice, case, &details, mail, &template, &unique, session.now) {
        Ok(composed) => Some(OutboxMessage {
            kind: MessageKind::CaseEvent,
            case: case.id.clone(),
            action: event.action,
            event_at: event.at,
            event_index: case.history.len() - 1,
            event_actor: Some(event.actor.clone()),
            event_message: event.message.clone(),
            from: outbound::envelope_sender(mail).unwrap_or_default(),
            to: composed.to,
            subject: composed.subject,
            message_id: composed.message_id,
            state: DeliveryState::Queued,
            queued_at: session.now,
            sent_at: None,
            attempts: 0,
            error: None,
            message: String::from_utf8_lossy(&composed.bytes).into_owned(),
            attachments: event.attachments.clone(),
        }),
        Err(ComposeError::NoContact) => None,
        Err(e) => {
            warnings.push(Warning::MailNotQueued {
                id: case.id.clone(),
                reason: e.to_string(),
            });
            None
        }
    }
}

/// Queues what the cases' last events send, before the cases are saved.
pub fn queue_for(
    session: &Session,
    lock: &StoreLock,
    config: &Config,
    cases: &[Case],
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    if config.mail.is_none() {
        return Ok(());
    }
    let policy = &super::policy(&session.store, config)?;
    let messages: Vec<OutboxMessage> = cases
        .iter()
        .filter_map(|case| message_for(&session.store, config, policy, case, session, warnings))
        .collect();
    session.store.queue_messages(lock, &messages)
}
