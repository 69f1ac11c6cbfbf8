//! The message a public event written by support sends the customer (SPEC
//! section 7). The event is its own queue entry: the message is derived
//! from the event as committed, whichever clone wrote it, and composed by
//! the mail host's `deliver` ([`message_of_event`]); the sent ledger
//! records it once sent. A write only checks that its message can be
//! composed ([`warn_unless_composable`]).

use super::{Session, Warning};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::Result;
use crate::core::targets::Policy;
use crate::core::vocabulary::ActionKind;
use crate::mail::compose::{self, ComposeError, Details, Notice};
use crate::store::outbox::{MessageKind, OutboxMessage};
use crate::store::Store;
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
        // One message for a merge: the duplicate's; the target's `merged`
        // record is internal and sends nothing.
        ActionKind::Merge => Some(Notice::Merged),
        // The customer's own words, and everything internal, send nothing.
        ActionKind::Reply
        | ActionKind::Investigate
        | ActionKind::Escalate
        | ActionKind::Assign
        | ActionKind::Reassess
        | ActionKind::Note
        | ActionKind::Merged
        | ActionKind::SetCustomer
        | ActionKind::Tag
        | ActionKind::Cc => None,
    }
}

/// The case's CC addresses that are still its customer's people, other
/// than the contact: the ones its mail is copied to (after a
/// `set-customer`, the old customer's people are no longer copied).
pub fn copied(case: &Case, config: &Config) -> Vec<String> {
    case.cc
        .iter()
        .filter(|a| config.is_address_of(&case.customer, a))
        .filter(|a| !case.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(a)))
        .cloned()
        .collect()
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
    key_of(&case.id, event, alike)
}

fn key_of(id: &str, event: &crate::core::case::Event, alike: usize) -> String {
    let mut hash = Sha256::new();
    for part in [
        id,
        event.action.as_str(),
        &crate::core::time::format_instant(&event.at),
        &event.actor,
        event.message.as_deref().unwrap_or(""),
        &alike.to_string(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// What a message needs of a case as it stood right after one event.
#[derive(Debug, Clone)]
pub struct Moment {
    /// The event's ledger key ([`event_key`]).
    pub key: String,
    waiting_since: Option<DateTime<Utc>>,
    severity: crate::core::vocabulary::Severity,
    status: crate::core::vocabulary::Status,
    resolution: Option<String>,
}

/// What makes two events alike for their keys: action, instant, actor, text.
type EventLike<'a> = (ActionKind, DateTime<Utc>, &'a str, Option<&'a str>);

/// The [`Moment`] after each event of `case`, in one pass (one replay, one
/// count of events alike): a case of thousands of events costs as much as
/// reading it. When its history does not replay, each is the case as it is.
pub fn moments(case: &Case) -> Vec<Moment> {
    let mut alike: std::collections::HashMap<EventLike, usize> = std::collections::HashMap::new();
    let keys: Vec<String> = case
        .history
        .iter()
        .map(|event| {
            let seen = alike
                .entry((event.action, event.at, event.actor.as_str(), event.message.as_deref()))
                .or_insert(0);
            let key = key_of(&case.id, event, *seen);
            *seen += 1;
            key
        })
        .collect();
    let now = |key: String| Moment {
        key,
        waiting_since: case.waiting_since,
        severity: case.severity,
        status: case.status,
        resolution: case.resolution.clone(),
    };
    let mut states: Vec<Moment> = Vec::with_capacity(keys.len());
    let mut keys_iter = keys.clone().into_iter();
    let replayed = crate::core::lifecycle::replay_with(case, |_, state| {
        if let Some(key) = keys_iter.next() {
            states.push(Moment {
                key,
                waiting_since: state.waiting_since,
                severity: state.severity,
                status: state.status,
                resolution: state.resolution.clone(),
            });
        }
    });
    if replayed.is_ok() && states.len() == keys.len() {
        states
    } else {
        keys.into_iter().map(now).collect()
    }
}

/// The case as it stood at `moment`, without its history (a message needs
/// none of it), sent to whoever the case names now.
fn as_at(bare: &Case, moment: &Moment) -> Case {
    let mut then = bare.clone();
    then.waiting_since = moment.waiting_since;
    then.severity = moment.severity;
    then.status = moment.status;
    then.resolution = moment.resolution.clone();
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

/// The message event `index` of a case sends the customer, composed at
/// `now`: `bare` is the case without its history (taken out, so that a case
/// of thousands of events is never copied per message), `event` the event,
/// `moment` the case as it stood after it ([`moments`]).
#[allow(clippy::too_many_arguments)]
pub fn message_of_event(
    store: &Store,
    config: &Config,
    policy: &Policy,
    bare: &Case,
    event: &crate::core::case::Event,
    index: usize,
    moment: &Moment,
    now: DateTime<Utc>,
) -> std::result::Result<OutboxMessage, NotComposed> {
    let mail = config.mail.as_ref().ok_or(NotComposed::Nothing)?;
    let notice = notice_of(event.action).ok_or(NotComposed::Nothing)?;
    if bare.email.is_none() {
        return Err(NotComposed::Nothing);
    }
    let customer = config.customer(&bare.customer);
    let language = customer.and_then(|c| c.language.clone());
    let timezone = match customer {
        Some(customer) => customer.message_timezone(&config.business_hours),
        // Not in config.yaml: the standard plan's zone.
        None => config.business_hours.timezone.parse().ok(),
    };
    let template = match store.template_in(language.as_deref(), notice.template_name()) {
        Ok(Some(text)) => text,
        Ok(None) => notice.default_template_for(language.as_deref()).to_string(),
        Err(e) => return Err(NotComposed::Refused(format!("template: {e}"))),
    };
    let then = as_at(bare, moment);
    let after = Duration::days(i64::from(config.auto_close_after_days));
    let details = Details {
        // Only what is meant for the customer: `open`'s event message is the
        // routing reason (the analyst, their load, the roster), so an
        // acknowledgement quotes the customer's own description; `remind`'s
        // is the desk's own note.
        message: match notice {
            Notice::RequestInfo | Notice::Resolution | Notice::AutoClose | Notice::Merged => event.message.clone(),
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
        timezone,
        language,
        cc: copied(bare, config),
    };
    match compose::compose(notice, &then, &details, mail, &template, &moment.key, now) {
        Ok(composed) => Ok(OutboxMessage {
            kind: MessageKind::CaseEvent,
            case: bare.id.clone(),
            action: event.action,
            event_at: event.at,
            event_index: index,
            event_actor: Some(event.actor.clone()),
            event_message: event.message.clone(),
            // The customer's own files are never sent back to them: the
            // acknowledgement of a case they opened carries none.
            attachments: match notice {
                Notice::Acknowledgement => Vec::new(),
                _ => event.attachments.clone(),
            },
            ..composed.into_outbox(mail, event.at)
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
        let event = &case.history[index];
        if notice_of(event.action).is_none() {
            continue;
        }
        let Some(moment) = moments(case).pop() else {
            continue;
        };
        let mut bare = case.clone();
        bare.history.clear();
        if let Err(NotComposed::Refused(reason)) = message_of_event(
            &session.store,
            config,
            policy,
            &bare,
            event,
            index,
            &moment,
            session.now,
        ) {
            warnings.push(Warning::MailNotQueued {
                id: case.id.clone(),
                reason,
            });
        }
    }
    Ok(())
}
