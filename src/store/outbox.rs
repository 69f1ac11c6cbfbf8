//! This clone's outbox, one file a message in `.tickets/`
//! (`outbox.<Message-ID>.json`), derived and gitignored: the portal host's
//! sign-in links, and the mail host's records of attempts at a public
//! event's message (failed, or marked "sending" before it was handed over).
//! The messages of events themselves are not queued here: each public event
//! is its own queue entry, and the sent ledger (`sent_ledger`) says which
//! were sent.

use super::atomic_write::Durability;
use super::derived_dir::DerivedDir;
use super::{Store, StoreLock};
use crate::core::error::{Error, Result};
use crate::core::vocabulary::ActionKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// What the file names of queued messages start with.
const PREFIX: &str = "outbox.";

/// The largest outbox file read (a message with its attachments).
const MAX_OUTBOX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting for `deliver`.
    Queued,
    /// Handed to the mail system; never sent again.
    Sent,
    /// The last attempt failed; the next `deliver` tries again.
    Failed,
    /// Marked before it was handed to the mail system, and not yet known
    /// sent: a `deliver` stopped in between (a crash, a full disk). The next
    /// run sends it once more, at most.
    Sending,
}

impl DeliveryState {
    /// The stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Sending => "sending",
        }
    }
}

/// What a message is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    /// The message of a public event of its case (files written before
    /// kinds existed are these).
    #[default]
    CaseEvent,
    /// A portal sign-in link: no case and no event; `deliver` sends it
    /// without looking for one, and forgets the link once it is sent.
    SignIn,
    /// A chat notification whose last attempt failed: kept with its error
    /// and attempts until the next `deliver` sends it (the sent ledger
    /// records it then).
    Chat,
}

impl MessageKind {
    /// Whether this is the default (left out of the file when written).
    pub fn is_case_event(&self) -> bool {
        *self == MessageKind::CaseEvent
    }
}

/// One message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxMessage {
    /// What the message is for.
    #[serde(default, skip_serializing_if = "MessageKind::is_case_event")]
    pub kind: MessageKind,
    /// The case it is about (empty for a sign-in link).
    pub case: String,
    /// The event that queued it: its action and instant (how `deliver`
    /// knows the event was written).
    pub action: ActionKind,
    /// When the event happened.
    #[serde(with = "crate::core::time::rfc3339")]
    pub event_at: DateTime<Utc>,
    /// The event's position in the case's history (0 for `open`): messages
    /// of one instant go out in the order their events happened.
    #[serde(default)]
    pub event_index: usize,
    /// Who acted in the event. With the action, the instant and the event's
    /// text, how `deliver` tells the event from another of the same second
    /// (a writer that died after queueing, then one that saved). `None` in
    /// messages queued before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_actor: Option<String>,
    /// The event's message, note or resolution, as recorded in the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_message: Option<String>,
    /// The envelope sender (the store's `mail.from` address).
    pub from: String,
    /// The recipient.
    pub to: String,
    /// The addresses copied (`Cc:`), sent to as well; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    /// The subject, `[ID] summary`.
    pub subject: String,
    /// The message's `Message-ID`, without angle brackets.
    pub message_id: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// When it was queued.
    #[serde(with = "crate::core::time::rfc3339")]
    pub queued_at: DateTime<Utc>,
    /// When it was sent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::core::time::rfc3339_option"
    )]
    pub sent_at: Option<DateTime<Utc>>,
    /// How many times sending was tried.
    #[serde(default)]
    pub attempts: u32,
    /// The last failure, in the transport's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Sent once more after a `deliver` stopped between handing it over and
    /// recording it: never sent a third time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resent: bool,
    /// The whole message, headers and body.
    pub message: String,
    /// The files of the event, attached at delivery from the store
    /// (references only: the outbox stays small). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::core::case::Attachment>,
}

impl OutboxMessage {
    /// Whether `event` is the one this message was queued for, as far as the
    /// case can tell: the same action, instant, actor and text. (Not its
    /// position: a merge may interleave another clone's events before it.)
    pub fn is_for(&self, event: &crate::core::case::Event) -> bool {
        event.action == self.action
            && event.at == self.event_at
            && self
                .event_actor
                .as_deref()
                .is_none_or(|actor| actor == event.actor && event.message == self.event_message)
    }

    /// The file that holds it: `outbox.<Message-ID>.json`, with anything but
    /// letters, digits, `.`, `-`, `_` and `@` replaced.
    pub fn file_name(&self) -> String {
        let safe: String = self
            .message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-@".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{PREFIX}{safe}.json")
    }
}

impl Store {
    /// Queues `messages`, synced, under the store's write lock: call it before
    /// saving the case that records their events.
    pub fn queue_messages(&self, lock: &StoreLock, messages: &[OutboxMessage]) -> Result<()> {
        let files = messages
            .iter()
            .map(|message| Ok((message.file_name(), encode(message)?)))
            .collect::<Result<Vec<_>>>()?;
        lock.derived.write_files(&files)
    }

    /// Every message of the outbox, oldest first, and the files that could
    /// not be read (named).
    pub fn outbox(&self) -> Result<(Vec<OutboxMessage>, Vec<Error>)> {
        let Some(derived) = DerivedDir::open(&self.root)? else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut messages = Vec::new();
        let mut errors = Vec::new();
        for name in derived.names_starting_with(PREFIX) {
            match read(&derived, &name) {
                Ok(message) => messages.push(message),
                Err(e) => errors.push(e),
            }
        }
        messages.sort_by(|a, b| {
            (a.queued_at, &a.case, a.event_index, &a.message_id).cmp(&(
                b.queued_at,
                &b.case,
                b.event_index,
                &b.message_id,
            ))
        });
        Ok((messages, errors))
    }

    /// Records a message's new state (after a delivery attempt), synced.
    pub fn update_message(&self, lock: &StoreLock, message: &OutboxMessage) -> Result<()> {
        write(&lock.derived, message)
    }

    /// Removes a message from the outbox (pruned, or its event was never written).
    pub fn remove_message(&self, lock: &StoreLock, message: &OutboxMessage) -> Result<()> {
        let name = message.file_name();
        match lock.derived.remove(&name) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(lock.derived.path().join(name), e)),
        }
    }
}

fn encode(message: &OutboxMessage) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(message).map_err(|e| Error::Serialize {
        what: message.file_name().to_string(),
        detail: e.to_string(),
    })
}

fn write(derived: &DerivedDir, message: &OutboxMessage) -> Result<()> {
    // Owner only: the messages carry customers' words, and sign-in links.
    derived.write_private_file(&message.file_name(), &encode(message)?, Durability::Synced)
}

fn read(derived: &DerivedDir, name: &str) -> Result<OutboxMessage> {
    let path = derived.path().join(name);
    let file = derived.open_private_file(name)?;
    let mut bytes = Vec::new();
    file.take(MAX_OUTBOX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&path, e))?;
    if bytes.len() as u64 > MAX_OUTBOX_FILE_BYTES {
        return Err(Error::invalid(
            &path,
            None,
            "is larger than an outbox message can be; refused",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::invalid(&path, Some(e.line()), e.to_string()))
}
