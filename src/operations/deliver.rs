//! Delivering the outbox: each queued (or failed) message handed once to the
//! mail system, its state recorded after each attempt.

use super::outgoing::{message_of_event, notice_of, NotComposed};
use super::Session;
use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::vocabulary::ActionKind;
use crate::mail::transport::Transport;
use crate::store::outbox::{DeliveryState, MessageKind, OutboxMessage};
use crate::store::sent_ledger::{entry_hash, recipient_key, SentEntry, SentLedger};
use std::path::PathBuf;

/// How long `outbox` lists a sent message (the ledger keeps it for good).
const SENT_LISTED_FOR: Duration = Duration::days(30);

/// What a sent sign-in message keeps of its text.
const SIGN_IN_SENT: &str = "(a portal sign-in link, removed once sent)";

use chrono::Duration;
use std::collections::HashMap;

/// What `deliver` did.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Handed to the mail system (with a dry run: would be).
    pub sent: Vec<OutboxMessage>,
    /// Refused or not reached: still queued, with their error.
    pub failed: Vec<OutboxMessage>,
    /// Messages an older version queued in this clone's outbox, before
    /// events became their own queue: their events are before the ledger's
    /// start, so they are dropped unsent.
    pub dropped: Vec<OutboxMessage>,
    /// Sent sign-in messages older than the pruning age, removed.
    pub pruned: usize,
    /// Files that could not be read (case files, outbox files).
    pub errors: Vec<Error>,
    /// What a person should hear about (a ledger left uncommitted).
    pub warnings: Vec<super::Warning>,
    /// The ledger started with this run: events from before it are never mailed.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Every message: this clone's own outbox (sign-in links, failed attempts),
/// the public events no message was sent for yet (queued), and the sent
/// ledger; oldest first. With the files that could not be read.
pub fn outbox(session: &Session) -> Result<(Vec<OutboxMessage>, Vec<Error>)> {
    let store = &session.store;
    let config = store.config()?;
    let (local, mut errors) = store.outbox()?;
    let mut ledger = store.sent_ledger()?;
    let record = store.mail_host_record()?;
    if let Some(since) = record.since {
        ledger.started = true;
        ledger.since = since;
    }
    let failures = failure_records(&local);
    let pending = pending_messages(session, &config, &ledger, &record.sent, &failures)?;
    errors.extend(pending.errors);
    // This clone's attempts at events' messages show on those messages;
    // what an older version queued here is never sent (before the ledger).
    let mut messages: Vec<OutboxMessage> = local.into_iter().filter(|m| m.kind != MessageKind::CaseEvent).collect();
    messages.extend(pending.messages.into_iter().map(|(_, message, _)| message));
    // Sent messages of the last 30 days, as `deliver` used to keep them.
    let recent = session.now - SENT_LISTED_FOR;
    store.visit_sent(&mut |entry| {
        if entry.withheld.is_none() && entry.sent_at >= recent {
            messages.push(sent_message(&entry));
        }
    })?;
    messages.sort_by(|a, b| (a.queued_at, &a.case, a.event_index).cmp(&(b.queued_at, &b.case, b.event_index)));
    Ok((messages, errors))
}

/// `since` for people.
fn describe_since(since: Option<chrono::DateTime<chrono::Utc>>) -> String {
    since.map_or("always".to_string(), |at| crate::core::time::format_instant(&at))
}

/// A ledger entry as a sent message.
fn sent_message(entry: &SentEntry) -> OutboxMessage {
    OutboxMessage {
        kind: MessageKind::CaseEvent,
        case: entry.case.clone(),
        action: entry.event.parse().unwrap_or(ActionKind::Open),
        event_at: entry.sent_at,
        event_index: 0,
        event_actor: None,
        event_message: None,
        from: String::new(),
        to: entry.to.clone(),
        cc: entry.cc.clone(),
        subject: entry.subject.clone(),
        message_id: entry.message_id.clone(),
        state: DeliveryState::Sent,
        queued_at: entry.sent_at,
        sent_at: Some(entry.sent_at),
        attempts: entry.attempts,
        error: None,
        resent: false,
        message: String::new(),
        attachments: Vec::new(),
    }
}

/// This clone's records of earlier attempts (failed, or stopped while
/// sending), by Message-ID.
fn failure_records(local: &[OutboxMessage]) -> HashMap<String, OutboxMessage> {
    local
        .iter()
        .filter(|m| {
            m.kind == MessageKind::CaseEvent && matches!(m.state, DeliveryState::Failed | DeliveryState::Sending)
        })
        .map(|m| (m.message_id.clone(), m.clone()))
        .collect()
}

/// The message of every public event written by support, from the ledger's
/// start on, that the ledger has no line for: composed now, each with its
/// earlier failed attempts, each with its event's ledger key. Events of
/// cases not changed since the start are not looked at. Nothing before the
/// ledger started. The events whose message cannot be composed come
/// apart, as the ledger entries that withhold them.
fn pending_messages(
    session: &Session,
    config: &Config,
    ledger: &SentLedger,
    local_sent: &std::collections::HashSet<u64>,
    failures: &HashMap<String, OutboxMessage>,
) -> Result<Pending> {
    let mut refused = Vec::new();
    if config.mail.is_none() || !ledger.started {
        return Ok(Pending::default());
    }
    let store = &session.store;
    let policy = super::policy(store, config)?;
    let since = ledger.since;
    let withheld = |case: &str, event: &crate::core::case::Event, key: &str, reason: String| {
        withheld_entry(session.now, case, event, key, reason)
    };
    let (summaries, mut errors) = store.scan(&|_| true)?;
    let known = store.mail_settled();
    let mut settled = HashMap::new();
    let mut pending = Vec::new();
    for summary in summaries
        .iter()
        .filter(|s| s.email.is_some() && since.is_none_or(|at| s.updated_at >= at))
    {
        // Taken before the file is read: a write meanwhile changes it.
        let stamp = store.case_file_stamp(&summary.id);
        if let Some(stamp) = stamp.filter(|stamp| known.get(&summary.id) == Some(stamp)) {
            settled.insert(summary.id.clone(), stamp);
            continue;
        }
        let waiting = pending.len() + refused.len();
        let mut case = match store.load(&summary.id) {
            Ok(case) => case,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let moments = super::outgoing::moments(&case);
        let history = std::mem::take(&mut case.history);
        for ((index, event), moment) in history.iter().enumerate().zip(&moments) {
            if notice_of(event.action).is_none() || since.is_some_and(|at| event.at < at) {
                continue;
            }
            if ledger.has(&case.id, &moment.key) || local_sent.contains(&entry_hash(&case.id, &moment.key)) {
                continue;
            }
            match message_of_event(store, config, &policy, &case, event, index, moment, session.now) {
                Ok(mut message) => {
                    if let Some(earlier) = failures.get(&message.message_id) {
                        message.state = earlier.state;
                        message.attempts = earlier.attempts;
                        message.error = earlier.error.clone();
                        message.resent = earlier.resent;
                    }
                    let by_mail = case.channel == crate::core::vocabulary::Channel::Email;
                    pending.push((moment.key.clone(), message, by_mail));
                }
                Err(NotComposed::Nothing) => {}
                // Never sendable as it stands (a template that fills to
                // gigabytes, an address no transport carries): the write
                // warned; the ledger records it as withheld, once.
                Err(NotComposed::Refused(reason)) => refused.push(withheld(
                    &case.id,
                    event,
                    &moment.key,
                    format!("cannot be composed: {reason}"),
                )),
            }
        }
        if let Some(stamp) = stamp.filter(|_| pending.len() + refused.len() == waiting) {
            settled.insert(case.id.clone(), stamp);
        }
    }
    pending.sort_by(|(_, a, _), (_, b, _)| {
        (a.event_at, &a.case, a.event_index).cmp(&(b.event_at, &b.case, b.event_index))
    });
    Ok(Pending {
        messages: pending,
        refused,
        errors,
        settled,
    })
}

/// When the recipient of `message`, an acknowledgement, was last
/// acknowledged within `period` before `now`; `None` for any other message.
/// Only cases that came by mail are held to it (the caller checks): an
/// auto-responder can loop only through mail, and who acted is no proof of
/// who wrote (`--as`, a mail pipe's actor).
fn acknowledged_lately(
    ledger: &SentLedger,
    message: &OutboxMessage,
    now: chrono::DateTime<chrono::Utc>,
    period: Duration,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if message.action != ActionKind::Open {
        return None;
    }
    ledger
        .acknowledged
        .get(&recipient_key(&message.to))
        .copied()
        .filter(|last| now - *last < period)
}

/// The ledger entry that withholds an event's message for good, at `now`.
fn withheld_entry(
    now: chrono::DateTime<chrono::Utc>,
    case: &str,
    event: &crate::core::case::Event,
    key: &str,
    reason: String,
) -> SentEntry {
    SentEntry {
        sent_at: now,
        case: case.to_string(),
        event: event.action.to_string(),
        key: key.to_string(),
        message_id: String::new(),
        to: String::new(),
        subject: String::new(),
        attempts: 0,
        withheld: Some(reason),
        cc: Vec::new(),
    }
}

/// What waits for the mail host.
#[derive(Default)]
struct Pending {
    /// Each message with its event's ledger key and whether its case came by
    /// mail, oldest event first.
    messages: Vec<(String, OutboxMessage, bool)>,
    /// Events whose message cannot be composed, as the entries withholding them.
    refused: Vec<SentEntry>,
    /// Case files that could not be read.
    errors: Vec<Error>,
    /// The cases with nothing left to send, each with its file's stamp (see
    /// `store::mail_settled`).
    settled: HashMap<String, crate::store::mail_settled::FileStamp>,
}

/// The bytes to send: the message, with the event's files attached.
fn with_files(store: &crate::store::Store, message: &OutboxMessage) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read;
    if message.attachments.is_empty() {
        return Ok(message.message.as_bytes().to_vec());
    }
    let mut files = Vec::with_capacity(message.attachments.len());
    for attachment in &message.attachments {
        let name = &attachment.name;
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
    crate::mail::compose::with_attachments(message.message.as_bytes(), &files).map_err(|e| e.to_string())
}

/// Sends, one at a time under the delivery lock (other commands go on
/// meanwhile): this clone's sign-in links, then the message of every public
/// event not yet in the sent ledger, whichever clone wrote it. Each message
/// sent gets its ledger line at once (under the store's lock), and the
/// ledger is committed at the end, so no clone sends it again; a failed one
/// is kept in this clone's outbox with its error and tried again by the next
/// run. The first run starts the ledger: events from before it are never
/// mailed. Sent sign-in messages older than `prune_after` are removed. With
/// `dry_run`, says what would be sent and changes nothing.
/// `transport` is needed unless `dry_run`: without one nothing is sent.
pub fn deliver(
    session: &Session,
    transport: Option<&Transport>,
    dry_run: bool,
    prune_after: Duration,
) -> Result<Delivered> {
    let store = &session.store;
    // Not a store at all (run from the wrong folder): said first, plainly.
    store.ensure_exists()?;
    let transport = match (transport, dry_run) {
        (Some(transport), _) => Some(transport),
        (None, true) => None,
        (None, false) => {
            return Err(Error::Internal {
                what: "deliver needs a transport to send",
            })
        }
    };
    refuse_a_versioned_outbox(session)?;
    crate::git::recover_interrupted_commit(store.root())?;
    let delivery_lock = store.lock_delivery(session.lock_wait)?;
    let config = store.config()?;
    let mut delivered = Delivered::default();
    let mut written: Vec<PathBuf> = Vec::new();
    let mut ledger = store.sent_ledger()?;
    let mut record = store.mail_host_record()?;
    match record.since {
        // What this host started from stands, whatever a push wrote since.
        Some(since) => {
            if ledger.started && ledger.since != since {
                delivered.warnings.push(super::Warning::LedgerRewritten {
                    reason: format!(
                        "sent/since says {}, but this mail host mails events from {}, and keeps to it",
                        describe_since(ledger.since),
                        describe_since(since)
                    ),
                });
            }
            ledger.started = true;
            ledger.since = since;
        }
        None if ledger.started => record.since = Some(ledger.since),
        None if config.mail.is_some() && !dry_run => {
            let lock = store.lock(session.lock_wait)?;
            written.push(store.start_sent_ledger(&lock, Some(session.now))?);
            ledger.started = true;
            ledger.since = Some(session.now);
            record.since = Some(ledger.since);
            delivered.started_at = Some(session.now);
        }
        None => {}
    }
    let missing = record.sent.iter().filter(|hash| !ledger.keys.contains(hash)).count();
    if missing > 0 {
        delivered.warnings.push(super::Warning::LedgerRewritten {
            reason: format!(
                "{missing} message(s) this mail host sent are missing from the committed ledger (sent/): \
                 not sent again; restore sent/ from git's history"
            ),
        });
    }
    let (local, errors) = store.outbox()?;
    delivered.errors = errors;
    let failures = failure_records(&local);
    let pending = pending_messages(session, &config, &ledger, &record.sent, &failures)?;
    delivered.errors.extend(pending.errors);
    let settled = pending.settled;
    if !dry_run && !pending.refused.is_empty() {
        let lock = store.lock(session.lock_wait)?;
        for entry in &pending.refused {
            written.push(store.record_sent(&lock, entry)?);
            record.sent.insert(entry_hash(&entry.case, &entry.key));
        }
    }
    for entry in pending.refused {
        delivered.warnings.push(super::Warning::MailNotQueued {
            id: entry.case,
            reason: entry.withheld.unwrap_or_default(),
        });
    }

    for message in local {
        match (message.kind, message.state) {
            (MessageKind::SignIn, DeliveryState::Sent) => {
                if !dry_run && message.sent_at.is_some_and(|at| session.now - at >= prune_after) {
                    store.remove_message(&delivery_lock, &message)?;
                    delivered.pruned += 1;
                }
            }
            (MessageKind::SignIn, _) => {
                send_sign_in(session, transport, &delivery_lock, message, dry_run, &mut delivered)?;
            }
            // Queued by an older version, before the ledger: never sent.
            (MessageKind::CaseEvent, DeliveryState::Queued) | (MessageKind::CaseEvent, DeliveryState::Sent) => {
                if !dry_run {
                    store.remove_message(&delivery_lock, &message)?;
                }
                if message.state == DeliveryState::Queued {
                    delivered.dropped.push(message);
                }
            }
            // A chat notification's failed attempt: `chat::notify` retries it.
            (MessageKind::Chat, _) => {}
            // An earlier attempt: kept while its event is pending (below).
            (MessageKind::CaseEvent, DeliveryState::Failed | DeliveryState::Sending) => {}
        }
    }

    let acknowledge_period = config.mail.as_ref().map_or(Duration::hours(24), |mail| {
        Duration::hours(i64::from(mail.acknowledge_once_in_hours))
    });
    let underway =
        crate::core::progress::Underway::start(store.progress(), "sending messages", pending.messages.len() as u64);
    for (key, mut message, by_mail) in pending.messages {
        underway.advance(1);
        let last = acknowledged_lately(&ledger, &message, session.now, acknowledge_period).filter(|_| by_mail);
        if let Some(last) = last {
            let reason = format!(
                "a second acknowledgement to the same sender within {} hours (the last at {}): \
                 not sent, so that no auto-responder can loop with the desk (RFC 3834)",
                acknowledge_period.num_hours(),
                crate::core::time::format_instant(&last)
            );
            if !dry_run {
                let lock = store.lock(session.lock_wait)?;
                let entry = SentEntry {
                    sent_at: session.now,
                    case: message.case.clone(),
                    event: message.action.to_string(),
                    key,
                    message_id: String::new(),
                    to: String::new(),
                    subject: String::new(),
                    attempts: 0,
                    withheld: Some(reason.clone()),
                    cc: Vec::new(),
                };
                written.push(store.record_sent(&lock, &entry)?);
                record.sent.insert(entry_hash(&entry.case, &entry.key));
                if message.state != DeliveryState::Queued {
                    store.remove_message(&delivery_lock, &message)?;
                }
            }
            delivered.warnings.push(super::Warning::MailNotQueued {
                id: message.case.clone(),
                reason,
            });
            continue;
        }
        if message.action == ActionKind::Open && by_mail {
            ledger.acknowledged.insert(recipient_key(&message.to), session.now);
        }
        if dry_run {
            delivered.sent.push(message);
            continue;
        }
        let Some(transport) = transport else {
            continue;
        };
        let mut entry = SentEntry {
            sent_at: session.now,
            case: message.case.clone(),
            event: message.action.to_string(),
            key,
            message_id: message.message_id.clone(),
            to: message.to.clone(),
            subject: message.subject.clone(),
            attempts: message.attempts,
            withheld: None,
            cc: message.cc.clone(),
        };
        match hand_over(store, transport, &delivery_lock, &mut message, |m| with_files(store, m))? {
            HandOver::Sent => {
                entry.attempts = message.attempts;
                {
                    let lock = store.lock(session.lock_wait)?;
                    // Failing here leaves the message marked "sending": the
                    // next run sends it once more, at most.
                    written.push(store.record_sent(&lock, &entry)?);
                }
                record.sent.insert(entry_hash(&entry.case, &entry.key));
                store.remove_message(&delivery_lock, &message)?;
                message.state = DeliveryState::Sent;
                message.sent_at = Some(session.now);
                message.error = None;
                delivered.sent.push(message);
            }
            HandOver::Failed => delivered.failed.push(message),
        }
    }
    drop(underway);
    if !dry_run {
        // Only a shortcut for the next run: a failure to keep it costs time, not mail.
        let _ = store.write_mail_settled(&delivery_lock, &settled);
        if record.since.is_some() {
            store.write_mail_host_record(&delivery_lock, &record)?;
        }
    }
    // Failure records whose event is no longer pending (sent by then, or gone).
    if !dry_run {
        for (_, record) in failures {
            let still = delivered.failed.iter().any(|m| m.message_id == record.message_id);
            if !still && !delivered.sent.iter().any(|m| m.message_id == record.message_id) {
                store.remove_message(&delivery_lock, &record)?;
            }
        }
    }
    if !written.is_empty() {
        written.sort();
        written.dedup();
        let lock = store.lock(session.lock_wait)?;
        let message = format!("deliver: sent {} message(s)", delivered.sent.len());
        super::commit(&config, store, &written, &message, &mut delivered.warnings);
        drop(lock);
        if !config.git.commit && crate::git::Repository::find(store.root()).is_some() {
            // Pushed without its ledger, a restore would mail these again.
            delivered.warnings.push(super::Warning::NotCommitted {
                files: written,
                error: Error::AutoCommitOff { what: "sent/" },
            });
        }
    }
    Ok(delivered)
}

/// Sends one sign-in link and records the outcome in this clone's outbox.
fn send_sign_in(
    session: &Session,
    transport: Option<&Transport>,
    delivery_lock: &crate::store::StoreLock,
    mut message: OutboxMessage,
    dry_run: bool,
    delivered: &mut Delivered,
) -> Result<()> {
    let store = &session.store;
    if !addressed_only_to_its_recipient(&message) {
        if !dry_run {
            store.remove_message(delivery_lock, &message)?;
        }
        delivered.dropped.push(message);
        return Ok(());
    }
    let Some(transport) = transport.filter(|_| !dry_run) else {
        delivered.sent.push(message);
        return Ok(());
    };
    let bytes = message.message.clone().into_bytes();
    match hand_over(store, transport, delivery_lock, &mut message, |_| Ok(bytes))? {
        HandOver::Sent => {
            message.state = DeliveryState::Sent;
            message.sent_at = Some(session.now);
            message.error = None;
            // Sent: the link need not be kept, so it is not.
            message.message = SIGN_IN_SENT.to_string();
            store.update_message(delivery_lock, &message)?;
            delivered.sent.push(message);
        }
        HandOver::Failed => delivered.failed.push(message),
    }
    Ok(())
}

/// How one hand-over ended.
enum HandOver {
    /// The mail system took it (or took it before, in a run that stopped
    /// before recording it, and it was already sent once more).
    Sent,
    /// The mail system refused it, or it could not be made: recorded as
    /// failed, with the reason, for the next run.
    Failed,
}

/// Hands `message` to the mail system, marked "sending" in this clone's
/// outbox first, synced: a mark that cannot be written (a full disk) stops
/// `deliver` with nothing sent. A message found marked "sending" (a run
/// stopped between hand-over and record) is sent once more, at most: once
/// resent, it is taken as sent. A refusal is recorded as failed.
fn hand_over(
    store: &crate::store::Store,
    transport: &Transport,
    delivery_lock: &crate::store::StoreLock,
    message: &mut OutboxMessage,
    bytes: impl FnOnce(&OutboxMessage) -> std::result::Result<Vec<u8>, String>,
) -> Result<HandOver> {
    if message.state == DeliveryState::Sending {
        if message.resent {
            return Ok(HandOver::Sent);
        }
        message.resent = true;
        message.error =
            Some("a delivery stopped after handing it over and before recording it: sent again, once".into());
    }
    message.attempts += 1;
    message.state = DeliveryState::Sending;
    store.update_message(delivery_lock, message)?;
    let outcome = bytes(message).and_then(|bytes| {
        if addressed_only_to_its_recipient(message) {
            transport.send_copied(&message.from, &message.to, &message.cc, &bytes)
        } else {
            Err("the message's own headers name another recipient".into())
        }
    });
    match outcome {
        Ok(()) => Ok(HandOver::Sent),
        Err(reason) => {
            message.state = DeliveryState::Failed;
            message.error = Some(reason);
            store.update_message(delivery_lock, message)?;
            Ok(HandOver::Failed)
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

/// Whether the message's own headers send it to its recipients alone (its
/// `to`, and its `cc` in one `Cc:` header): with `sendmail -t` the headers,
/// not the outbox's `to`, choose the recipients, and a message planted in
/// `.tickets/` could name anyone there.
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
    let copied: Vec<String> = message.cc.iter().map(|a| a.to_ascii_lowercase()).collect();
    addresses(parsed.to()) == vec![message.to.to_ascii_lowercase()]
        && counted("To") == 1
        && addresses(parsed.cc()) == copied
        && counted("Cc") == usize::from(!copied.is_empty())
        && counted("Bcc") == 0
        && counted("Resent-To") == 0
        && counted("Resent-Cc") == 0
        && counted("Resent-Bcc") == 0
}

/// What `outbox` should warn about before anyone runs `deliver`: the store
/// sends mail, but neither the committed ledger (`sent/since`) nor this
/// clone (`.tickets/mail-host-*`) says where mailing started, while cases
/// with a contact exist. The first `deliver` would start the ledger at its
/// own time, and those cases' public events so far would never be mailed:
/// on a restored mail host, that is the ledger's start lost.
pub fn unstarted_mail(session: &Session) -> Result<Option<super::Warning>> {
    let store = &session.store;
    if store.config()?.mail.is_none() || store.sent_ledger()?.started {
        return Ok(None);
    }
    let record = store.mail_host_record()?;
    if record.since.is_some() {
        return Ok(None);
    }
    let (summaries, _errors) = store.scan(&|_| true)?;
    let cases = summaries.iter().filter(|s| s.email.is_some()).count();
    Ok((cases > 0).then_some(super::Warning::MailNotStarted { cases }))
}
