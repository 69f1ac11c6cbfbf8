//! Delivering the outbox: each queued (or failed) message handed once to the
//! mail system, its state recorded after each attempt.

use super::Session;
use crate::case::Case;
use crate::delivery::Transport;
use crate::error::{Error, Result};
use crate::store::outbox::{DeliveryState, MessageKind, OutboxMessage};

/// What a sent sign-in message keeps of its text.
const SIGN_IN_SENT: &str = "(a portal sign-in link, removed once sent)";

use chrono::Duration;
use std::collections::{HashMap, HashSet};

/// What `deliver` did.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Handed to the mail system (with a dry run: would be).
    pub sent: Vec<OutboxMessage>,
    /// Refused or not reached: still queued, with their error.
    pub failed: Vec<OutboxMessage>,
    /// Queued by a write that never finished (a crash before its case was
    /// saved): the case does not have the event (no event of its action,
    /// instant, actor and text without a message of its own), so the
    /// message is dropped unsent.
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

/// The bytes to send: the queued message, with the event's files attached.
fn with_files(store: &crate::store::Store, message: &OutboxMessage) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read;
    if message.attachments.is_empty() {
        return Ok(message.message.as_bytes().to_vec());
    }
    let mut files = Vec::with_capacity(message.attachments.len());
    for attachment in &message.attachments {
        let name = crate::terminal::escape_line(&attachment.name);
        let mut bytes = Vec::new();
        store
            .open_attachment(attachment)
            .and_then(|file| {
                file.take(attachment.size)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(store.attachment_path(&attachment.sha256), e))
            })
            .map_err(|e| format!("attachment {name}: {e}"))?;
        files.push((attachment.clone(), bytes));
    }
    crate::outbound::with_attachments(message.message.as_bytes(), &files).map_err(|e| e.to_string())
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
        match_events(store, pending, &done)
    };
    for (mut message, written) in checked {
        if !written || !addressed_only_to_its_recipient(&message) {
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
        // The files are read from the store now, checked against their
        // hashes: one missing or damaged keeps the message queued.
        let bytes = match with_files(store, &message) {
            Ok(bytes) => bytes,
            Err(reason) => {
                message.state = DeliveryState::Failed;
                message.error = Some(reason);
                store.update_message(&delivery_lock, &message)?;
                delivered.failed.push(message);
                continue;
            }
        };
        match transport.send(&message.from, &message.to, &bytes) {
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

/// Pairs each pending message with whether its event was written: each
/// event of a case has one message, so a message whose event already has
/// one (sent, or pending before it) is a crashed writer's. Two messages can
/// claim the same second's event: a writer that died after queueing, then
/// another that saved the same action at the same instant; the event's actor
/// and text tell them apart, and when even those are the same, the event
/// still gets only one.
fn match_events(
    store: &crate::store::Store,
    pending: Vec<OutboxMessage>,
    sent: &[OutboxMessage],
) -> Vec<(OutboxMessage, bool)> {
    let mut cases: HashMap<String, Option<Claims>> = HashMap::new();
    let mut claim = |message: &OutboxMessage| {
        cases
            .entry(message.case.clone())
            .or_insert_with(|| store.load(&message.case).ok().map(Claims::new))
            .as_mut()
            .is_some_and(|claims| claims.claim(message))
    };
    let pending_cases: HashSet<&str> = pending.iter().map(|m| m.case.as_str()).collect();
    for message in sent.iter().filter(|m| pending_cases.contains(m.case.as_str())) {
        claim(message);
    }
    pending
        .into_iter()
        .map(|message| {
            // A sign-in link belongs to no case: no event to find.
            let written = message.kind == MessageKind::SignIn || claim(&message);
            (message, written)
        })
        .collect()
}

/// A case as saved, and which of its events already have their message.
struct Claims {
    case: Case,
    claimed: Vec<bool>,
}

impl Claims {
    fn new(case: Case) -> Claims {
        let claimed = vec![false; case.history.len()];
        Claims { case, claimed }
    }

    /// Gives `message` its event, if the case has one without a message:
    /// the one at the position it was queued for, else (after a merge
    /// interleaved another clone's events) the first that fits.
    fn claim(&mut self, message: &OutboxMessage) -> bool {
        let contact = self.case.email.as_deref().and_then(crate::outbound::contact_address);
        if contact.as_deref() != Some(message.to.as_str()) {
            return false;
        }
        let history = &self.case.history;
        let claimed = &self.claimed;
        let free = |index: &usize| !claimed[*index] && message.is_for(&history[*index]);
        let found = Some(message.event_index)
            .filter(|index| *index < history.len())
            .filter(free)
            .or_else(|| (0..history.len()).find(free));
        match found {
            Some(index) => {
                self.claimed[index] = true;
                true
            }
            None => false,
        }
    }
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

/// Whether the message's own headers send it to its recipient alone: with
/// `sendmail -t` the headers, not the outbox's `to`, choose the recipients,
/// and a message planted in `.tickets/` could name anyone there.
fn addressed_only_to_its_recipient(message: &OutboxMessage) -> bool {
    let Some(parsed) = mail_parser::MessageParser::default().parse(message.message.as_bytes()) else {
        return false;
    };
    let addresses = |header: Option<&mail_parser::Address<'_>>| -> Vec<String> {
        header
            .map(|address| {
                address
                    .iter()
                    .filter_map(|a| a.address())
                    .map(|a| a.to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default()
    };
    let counted = |name: &str| parsed.header_values(name).count();
    addresses(parsed.to()) == vec![message.to.to_ascii_lowercase()]
        && counted("To") == 1
        && counted("Cc") == 0
        && counted("Bcc") == 0
        && counted("Resent-To") == 0
        && counted("Resent-Cc") == 0
        && counted("Resent-Bcc") == 0
}
