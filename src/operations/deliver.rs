//! Delivering the outbox: each queued (or failed) message handed once to the
//! mail system, its state recorded after each attempt.

use super::Session;
use crate::delivery::Transport;
use crate::error::{Error, Result};
use crate::store::outbox::{DeliveryState, MessageKind, OutboxMessage};

/// What a sent sign-in message keeps of its text.
const SIGN_IN_SENT: &str = "(a portal sign-in link, removed once sent)";
use chrono::Duration;

/// What `deliver` did.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Handed to the mail system (with a dry run: would be).
    pub sent: Vec<OutboxMessage>,
    /// Refused or not reached: still queued, with their error.
    pub failed: Vec<OutboxMessage>,
    /// Queued by a write that never finished (a crash before its case was
    /// saved): the case does not have the event, so the message is dropped
    /// unsent.
    pub dropped: Vec<OutboxMessage>,
    /// Sent messages older than the pruning age, removed.
    pub pruned: usize,
    /// Outbox files that could not be read.
    pub errors: Vec<Error>,
}

/// The messages of the outbox, oldest first, and the files that could not
/// be read.
pub fn outbox(session: &Session) -> Result<(Vec<OutboxMessage>, Vec<Error>)> {
    session.store.outbox()
}

/// Sends every queued or failed message through `transport`, one at a time
/// under the delivery lock (other commands go on meanwhile), and records
/// each outcome at once: a message sent is never sent again, a failed one is
/// tried again by the next run. Sent messages older than `prune_after` are
/// removed. With `dry_run`, says what would be sent and changes nothing.
pub fn deliver(session: &Session, transport: &Transport, dry_run: bool, prune_after: Duration) -> Result<Delivered> {
    let store = &session.store;
    refuse_a_versioned_outbox(session)?;
    let delivery_lock = store.lock_delivery(session.lock_wait)?;
    let (messages, errors) = store.outbox()?;
    let mut delivered = Delivered {
        errors,
        ..Delivered::default()
    };
    let (pending, done): (Vec<OutboxMessage>, Vec<OutboxMessage>) =
        messages.into_iter().partition(|m| m.state != DeliveryState::Sent);
    // Which messages have their event: checked under the store's lock, so
    // that a writer between queueing and saving is never taken for a crash.
    let checked: Vec<(OutboxMessage, bool)> = {
        let _store_lock = store.lock(session.lock_wait)?;
        pending
            .into_iter()
            .map(|message| {
                if message.kind == MessageKind::SignIn {
                    // A sign-in link belongs to no case: nothing to check.
                    return (message, true);
                }
                let written = store.load(&message.case).is_ok_and(|case| {
                    case.email.as_deref() == Some(message.to.as_str())
                        && case
                            .history
                            .iter()
                            .any(|e| e.action == message.action && e.at == message.event_at)
                });
                (message, written)
            })
            .collect()
    };
    for (mut message, written) in checked {
        if !written {
            if !dry_run {
                store.remove_message(&delivery_lock, &message)?;
            }
            delivered.dropped.push(message);
            continue;
        }
        if dry_run {
            delivered.sent.push(message);
            continue;
        }
        message.attempts += 1;
        match transport.send(&message.from, &message.to, message.message.as_bytes()) {
            Ok(()) => {
                message.state = DeliveryState::Sent;
                message.sent_at = Some(session.now);
                message.error = None;
                if message.kind == MessageKind::SignIn {
                    // Sent: the link need not be kept, so it is not.
                    message.message = SIGN_IN_SENT.to_string();
                }
                store.update_message(&delivery_lock, &message)?;
                delivered.sent.push(message);
            }
            Err(reason) => {
                message.state = DeliveryState::Failed;
                message.error = Some(reason);
                store.update_message(&delivery_lock, &message)?;
                delivered.failed.push(message);
            }
        }
    }
    if !dry_run {
        for message in done {
            if message.sent_at.is_some_and(|at| session.now - at >= prune_after) {
                store.remove_message(&delivery_lock, &message)?;
                delivered.pruned += 1;
            }
        }
    }
    Ok(delivered)
}

/// `.tickets` is derived and gitignored; committed anyway (`git add -f`),
/// anyone who can push could plant messages for this clone to send.
fn refuse_a_versioned_outbox(session: &Session) -> Result<()> {
    let root = session.store.root();
    if crate::git::Repository::find(root).is_none() {
        return Ok(());
    }
    let tracked = crate::git::run(root, &["ls-files", "--", crate::store::DERIVED_DIR])?;
    if tracked.trim().is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        root.join(crate::store::DERIVED_DIR),
        None,
        "is tracked by git, so its outbox could have been planted by anyone who can push; nothing is sent \
         (git rm -r --cached .tickets, commit, and check the outbox)",
    ))
}
