//! Chat notifications (SPEC section 10): the team's chat hears when a case
//! needs an analyst. Like a public event's mail, a notification is its
//! event's own queue entry: `deliver` on the mail host finds every event
//! that notifies and has no line in the sent ledger, posts its text to the
//! webhook the environment names, and records it in the ledger (key: the
//! event's ledger key and `.chat`), so it is posted once, whichever clone
//! wrote the event. A failed post stays in this clone's outbox with its
//! error and attempts, and the next `deliver` tries it again.
//!
//! What notifies: a case routed or assigned to an analyst (`open`,
//! `assign`, `escalate` to L2), a customer's reply, an escalation to R&D,
//! and a first-response target 30 minutes ahead and missed (found from the
//! cases as they stand, once per case each). Only what happened in the last
//! day ([`CHAT_FRESH_FOR`]): a desk that sets the webhook up later, or a
//! mail host back after a week away, does not flood the channel with old
//! news. Without a webhook nothing is queued and nothing recorded.

use super::{Session, Warning};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::vocabulary::{ActionKind, Impact, Level, Status};
use crate::mail::chat::{chat_text, mention, neutralise, webhook_body, ChatReason};
use crate::mail::webhook::Webhook;
use crate::store::outbox::{DeliveryState, MessageKind, OutboxMessage};
use crate::store::sent_ledger::{SentEntry, SentLedger};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::path::PathBuf;

/// How old an event (or a missed target) may be and still be notified.
pub const CHAT_FRESH_FOR: Duration = Duration::hours(24);

/// How long before a first-response target the assignee hears of it.
pub const TARGET_NEAR: Duration = Duration::minutes(30);

/// What the ledger and the outbox record a chat notification as sent to.
pub const CHAT_RECIPIENT: &str = "chat";

/// One chat notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatNote {
    /// The case it is about.
    pub case: String,
    /// Its ledger key (16 hex digits): from the event's key and `.chat`,
    /// or from the target's name.
    pub key: String,
    /// Why it is sent (`routed`, `replied`, `target-missed`, ...).
    pub reason: &'static str,
    /// The event's action (`open` for a target).
    pub action: ActionKind,
    /// When its event happened (when the target fell due, or falls due).
    pub at: DateTime<Utc>,
    /// Its event's position in the case's history (0 for a target).
    pub index: usize,
    /// The text posted.
    pub text: String,
    /// How many times posting it was tried.
    pub attempts: u32,
    /// The last failure, if any.
    pub error: Option<String>,
}

impl ChatNote {
    fn record_id(&self) -> String {
        format!("chat.{}.{}", self.case, self.key)
    }

    /// The outbox record of its failed attempt.
    fn as_failed(&self, now: DateTime<Utc>) -> OutboxMessage {
        OutboxMessage {
            kind: MessageKind::Chat,
            case: self.case.clone(),
            action: self.action,
            event_at: self.at,
            event_index: self.index,
            event_actor: None,
            event_message: None,
            from: String::new(),
            to: CHAT_RECIPIENT.to_string(),
            cc: Vec::new(),
            subject: self.text.clone(),
            message_id: self.record_id(),
            state: DeliveryState::Failed,
            queued_at: now,
            sent_at: None,
            attempts: self.attempts,
            error: self.error.clone(),
            resent: false,
            message: self.text.clone(),
            attachments: Vec::new(),
        }
    }
}

/// What the chat part of `deliver` did.
#[derive(Debug, Default)]
pub struct Notified {
    /// Posted (with a dry run: would be).
    pub sent: Vec<ChatNote>,
    /// Not taken by the webhook: kept for the next run, with their error.
    pub failed: Vec<ChatNote>,
    /// Case files that could not be read.
    pub errors: Vec<Error>,
    /// What a person should hear about (a ledger left uncommitted).
    pub warnings: Vec<Warning>,
}

/// Posts every chat notification not yet in the sent ledger to `webhook`,
/// each recorded in the ledger once taken (committed at the end), until
/// one fails: the rest are kept for the next run untried; with
/// `dry_run`, says what would be posted and changes nothing. Without a
/// webhook, nothing is looked for.
pub fn notify(session: &Session, webhook: Option<&Webhook>, dry_run: bool) -> Result<Notified> {
    let mut notified = Notified::default();
    let Some(webhook) = webhook else {
        return Ok(notified);
    };
    let store = &session.store;
    store.ensure_exists()?;
    let delivery_lock = store.lock_delivery(session.lock_wait)?;
    let config = store.config()?;
    let ledger = store.sent_ledger()?;
    let (local, errors) = store.outbox()?;
    notified.errors = errors;
    let earlier: HashMap<String, OutboxMessage> = local
        .into_iter()
        .filter(|m| m.kind == MessageKind::Chat)
        .map(|m| (m.message_id.clone(), m))
        .collect();
    let (mut notes, errors) = pending(session, &config, &ledger)?;
    notified.errors.extend(errors);
    for note in &mut notes {
        if let Some(record) = earlier.get(&note.record_id()) {
            note.attempts = record.attempts;
            note.error = record.error.clone();
        }
    }
    let mut written: Vec<PathBuf> = Vec::new();
    // After one failure the rest are not tried this run: a webhook that
    // hangs would otherwise hold the delivery lock (and the customers'
    // mail) for its timeout once per notification.
    let mut gave_up: Option<String> = None;
    for mut note in notes {
        if dry_run {
            notified.sent.push(note);
            continue;
        }
        if let Some(reason) = &gave_up {
            note.error = Some(format!("not tried after an earlier failure ({reason})"));
            store.update_message(&delivery_lock, &note.as_failed(session.now))?;
            notified.failed.push(note);
            continue;
        }
        note.attempts += 1;
        match webhook.post(&webhook_body(&note.text)) {
            Ok(()) => {
                let entry = SentEntry {
                    sent_at: session.now,
                    case: note.case.clone(),
                    event: note.reason.to_string(),
                    key: note.key.clone(),
                    message_id: note.record_id(),
                    to: CHAT_RECIPIENT.to_string(),
                    subject: note.text.clone(),
                    attempts: note.attempts,
                    withheld: None,
                    cc: Vec::new(),
                };
                {
                    let lock = store.lock(session.lock_wait)?;
                    written.push(store.record_sent(&lock, &entry)?);
                }
                store.remove_message(&delivery_lock, &note.as_failed(session.now))?;
                note.error = None;
                notified.sent.push(note);
            }
            Err(reason) => {
                gave_up = Some(reason.clone());
                note.error = Some(reason);
                store.update_message(&delivery_lock, &note.as_failed(session.now))?;
                notified.failed.push(note);
            }
        }
    }
    // Records of notifications no longer pending (posted by another run,
    // or grown stale): nothing will send them.
    if !dry_run {
        for record in earlier.values() {
            let id = &record.message_id;
            let live = notified
                .sent
                .iter()
                .chain(&notified.failed)
                .any(|n| &n.record_id() == id);
            if !live {
                store.remove_message(&delivery_lock, record)?;
            }
        }
    }
    if !written.is_empty() {
        written.sort();
        written.dedup();
        let lock = store.lock(session.lock_wait)?;
        let message = format!("deliver: posted {} chat notification(s)", notified.sent.len());
        super::commit(&config, store, &written, &message, &mut notified.warnings);
        drop(lock);
    }
    Ok(notified)
}

/// Every notification due and not in the ledger, oldest first, with the
/// case files that could not be read.
fn pending(session: &Session, config: &Config, ledger: &SentLedger) -> Result<(Vec<ChatNote>, Vec<Error>)> {
    let store = &session.store;
    let now = session.now;
    let since = now - CHAT_FRESH_FOR;
    let policy = super::policy(store, config)?;
    let (summaries, mut errors) = store.scan(&|_| true)?;
    let mut notes = Vec::new();
    for summary in &summaries {
        let who = |assignee: Option<&str>| assignee.map(|id| handle_of(config, id));
        if summary.status != Status::Closed && summary.first_response_at.is_none() {
            let due = policy.first_response_due(&summary.customer, summary.severity, summary.created_at);
            let target = if now >= due && due >= since {
                Some((ChatReason::TargetMissed(due), "first-response-missed.chat"))
            } else if now < due && now >= due - TARGET_NEAR {
                Some((ChatReason::TargetNear(due), "first-response-near.chat"))
            } else {
                None
            };
            let target = target.map(|(reason, name)| (reason, chat_key(&summary.id, name)));
            if let Some((reason, key)) = target.filter(|(_, key)| !ledger.has(&summary.id, key)) {
                notes.push(ChatNote {
                    case: summary.id.clone(),
                    key,
                    reason: reason.as_str(),
                    action: ActionKind::Open,
                    at: due,
                    index: 0,
                    text: chat_text(
                        reason,
                        who(summary.assignee.as_deref()).as_deref(),
                        &summary.id,
                        summary.severity,
                        &summary.summary,
                    ),
                    attempts: 0,
                    error: None,
                });
            }
        }
        if summary.updated_at < since {
            continue;
        }
        let case = match store.load(&summary.id) {
            Ok(case) => case,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        notes.extend(event_notes(config, &case, since, ledger));
    }
    notes.sort_by(|a, b| (a.at, &a.case, a.index).cmp(&(b.at, &b.case, b.index)));
    Ok((notes, errors))
}

/// The notifications of `case`'s events from `since` on, not in the ledger.
fn event_notes(config: &Config, case: &Case, since: DateTime<Utc>, ledger: &SentLedger) -> Vec<ChatNote> {
    let moments = super::outgoing::moments(case);
    let mut assignee: Option<&str> = None;
    let mut notes = Vec::new();
    for ((index, event), moment) in case.history.iter().enumerate().zip(&moments) {
        if let Some(set) = event.assignee.as_deref() {
            assignee = Some(set);
        }
        if event.at < since {
            continue;
        }
        let reason = match event.action {
            ActionKind::Open if event.assignee.is_some() => ChatReason::Routed,
            ActionKind::Assign if event.assignee.is_some() => ChatReason::Assigned,
            ActionKind::Escalate if event.level == Some(Level::L2) && event.assignee.is_some() => {
                ChatReason::EscalatedToL2
            }
            ActionKind::Escalate if event.level == Some(Level::Rnd) => {
                ChatReason::EscalatedToRnd(event.impact.unwrap_or(Impact::Low))
            }
            ActionKind::Reply => ChatReason::Replied,
            _ => continue,
        };
        let key = chat_key(&case.id, &format!("{}.chat", moment.key));
        if ledger.has(&case.id, &key) {
            continue;
        }
        let who = assignee.map(|id| handle_of(config, id));
        notes.push(ChatNote {
            case: case.id.clone(),
            key,
            reason: reason.as_str(),
            action: event.action,
            at: event.at,
            index,
            text: chat_text(reason, who.as_deref(), &case.id, case.severity, &case.summary),
            attempts: 0,
            error: None,
        });
    }
    notes
}

/// The ledger key of a notification (16 hex digits, like an event's):
/// the case and what it is about (the event's key and `.chat`, or which
/// target).
fn chat_key(case: &str, about: &str) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hash = Sha256::new();
    for part in [case, about, "chat"] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// How the chat names analyst `id`: `@` and their `chat:` handle (their
/// ID without one); their name, inert, when that is no plain handle.
fn handle_of(config: &Config, id: &str) -> String {
    let handle = config.analyst(id).and_then(|a| a.chat.as_deref()).unwrap_or(id);
    mention(handle).unwrap_or_else(|| neutralise(handle))
}
