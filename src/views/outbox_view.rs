//! The view of a message in the outbox (`tickets outbox`, `tickets deliver`).

use crate::core::time::format_instant;
use crate::store::outbox::OutboxMessage;

/// One message to a customer, for scripts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutboxView {
    /// The case it is about.
    pub case: String,
    /// The recipient.
    pub to: String,
    /// The addresses copied (`Cc:`); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    /// The subject, `[ID] summary`.
    pub subject: String,
    /// Its `Message-ID`, without angle brackets.
    pub message_id: String,
    /// `queued`, `sent` or `failed`.
    pub state: String,
    /// The event that queued it (`open`, `request-info`, `close`, `remind`, `auto-close`).
    pub event: String,
    /// RFC 3339 UTC.
    pub queued_at: String,
    /// RFC 3339 UTC, or null.
    pub sent_at: Option<String>,
    /// How many times sending was tried.
    pub attempts: u32,
    /// The last failure, or null.
    pub error: Option<String>,
}

impl OutboxView {
    /// The view of a message.
    pub fn of(message: &OutboxMessage) -> OutboxView {
        OutboxView {
            case: message.case.clone(),
            to: message.to.clone(),
            cc: message.cc.clone(),
            subject: message.subject.clone(),
            message_id: message.message_id.clone(),
            state: message.state.as_str().to_string(),
            event: message.action.to_string(),
            queued_at: format_instant(&message.queued_at),
            sent_at: message.sent_at.as_ref().map(format_instant),
            attempts: message.attempts,
            error: message.error.clone(),
        }
    }
}
