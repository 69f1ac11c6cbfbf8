//! A support case as it is stored: one YAML file per case, fixed key order,
//! history last and append-only.

use crate::core::list_change::ListChange;
use crate::core::vocabulary::{ActionKind, Channel, Impact, Level, Severity, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One support case. Field order here is the key order in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The case ID, also the file name without `.yaml`.
    pub id: String,
    /// One line from the customer (untrusted text).
    pub summary: String,
    /// The customer's name, as in config.yaml.
    pub customer: String,
    /// The customer contact's e-mail address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// How the customer reached support.
    pub channel: Channel,
    /// Current severity.
    pub severity: Severity,
    /// Current status.
    pub status: Status,
    /// Current support tier.
    pub level: Level,
    /// The analyst working it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Customer-base impact, set when escalated to R&D.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    /// When the case was opened.
    #[serde(with = "crate::core::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    /// When the case last changed.
    #[serde(with = "crate::core::time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// When the 7-day waiting clock started; set only while waiting for the customer.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::core::time::rfc3339_option"
    )]
    pub waiting_since: Option<DateTime<Utc>>,
    /// When the case last entered R&D's resolution queue.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::core::time::rfc3339_option"
    )]
    pub escalated_at: Option<DateTime<Utc>>,
    /// The analyst's first contact after the case opened.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::core::time::rfc3339_option"
    )]
    pub first_response_at: Option<DateTime<Utc>>,
    /// How the case was resolved; set when closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// The closed case this one follows up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_of: Option<String>,
    /// The case this one was merged into (a duplicate, closed by `merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The Message-ID of the e-mail that opened the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The case's tags, from config.yaml's `tags:` (internal: never shown
    /// to the customer); sorted, absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Addresses of the customer's people copied on every public message
    /// (`Cc:`), besides the contact; sorted, absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    /// The customer's description (untrusted text).
    pub description: String,
    /// The audit trail, oldest first; only ever appended to.
    pub history: Vec<Event>,
}

/// One change to a case, as recorded in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// When it happened (UTC).
    #[serde(with = "crate::core::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: ActionKind,
    /// Status before (absent for `open`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Status>,
    /// Status after.
    pub to: Status,
    /// The message, note, resolution or routing reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The tier after the event, when the event sets it (`open`, `escalate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The assignee after the event, when the event sets it (`open`, `escalate`, `assign`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The severity after the event, when the event sets it (`open`, `reassess`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The impact, when the event sets it (`escalate` into R&D's queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    /// The Message-ID of the e-mail a `reply` came in (`reply --from-email`),
    /// so the same message delivered again is not recorded twice. Last, and
    /// absent from other events, so files without it are written as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The files that came with the event (`open`, `reply`, `request-info`,
    /// `close`), each stored once under its SHA-256 in `attachments/`.
    /// Absent when empty, so files without attachments are written as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The writer's clock, when it was behind the case's last change: the
    /// event is dated at that change (history stays in time order), and
    /// this keeps what the writer's clock said. Only where the customer
    /// speaks (a reply, a note); absent otherwise.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::core::time::rfc3339_option"
    )]
    pub clock: Option<DateTime<Utc>>,
    /// The case a `merge` event closed this one into. Absent from other
    /// events, so files without merges are written as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The case a `merged` event records as merged into this one. Absent
    /// from other events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<String>,
    /// The customer after a `set-customer` (format 3). Absent from other
    /// events, so files without it are written as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The tags a `tag` event adds (`+name`) and removes (`-name`) (format 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<ListChange>,
    /// The addresses a `cc` event (or a customer's message) adds (`+addr`)
    /// and removes (`-addr`) (format 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<ListChange>,
}

/// A file an event carries: a label and the content's address. The name is
/// the sender's (untrusted): only a label, never a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// The file name as the sender gave it (untrusted text).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 of its bytes, 64 lower-case hex digits: where it is stored.
    pub sha256: String,
    /// The MIME type the sender declared (untrusted; never used to render it).
    pub content_type: String,
}

impl Attachment {
    /// Whether `sha256` is 64 lower-case hex digits (so it can name a file).
    pub fn has_valid_hash(&self) -> bool {
        is_sha256_hex(&self.sha256)
    }
}

/// Whether `text` is 64 lower-case hex digits.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Event {
    /// A bare event; callers fill in what else it sets.
    pub fn new(at: DateTime<Utc>, actor: &str, action: ActionKind, from: Option<Status>, to: Status) -> Self {
        Event {
            at,
            actor: actor.to_string(),
            action,
            from,
            to,
            message: None,
            level: None,
            assignee: None,
            severity: None,
            impact: None,
            message_id: None,
            attachments: Vec::new(),
            clock: None,
            merged_into: None,
            merged_from: None,
            customer: None,
            tags: Vec::new(),
            cc: Vec::new(),
        }
    }
}

impl Case {
    /// Whether the case still needs work (anything but closed).
    pub fn is_active(&self) -> bool {
        self.status != Status::Closed
    }

    /// The last event that set the assignee: the opening, an escalation to
    /// L2 (both routed) or an `assign`.
    fn last_assigning(&self) -> Option<&Event> {
        self.history.iter().rev().find(|e| match e.action {
            ActionKind::Open | ActionKind::Assign => true,
            ActionKind::Escalate => e.level == Some(Level::L2),
            _ => false,
        })
    }

    /// Why the current assignee was chosen: the message of the last event that set it.
    pub fn routing_reason(&self) -> Option<&str> {
        self.last_assigning().and_then(|e| e.message.as_deref())
    }

    /// Why routing chose the analyst: the reason of the last routing (the
    /// opening, or an escalation to L2), never a note of an `assign`.
    pub fn routed_reason(&self) -> Option<&str> {
        self.history
            .iter()
            .rev()
            .find(|e| match e.action {
                ActionKind::Open => true,
                ActionKind::Escalate => e.level == Some(Level::L2),
                _ => false,
            })
            .and_then(|e| e.message.as_deref())
    }

    /// The `assign` event that set the current assignee, when the last
    /// event to set it was one (not routing).
    pub fn assigned_by_hand(&self) -> Option<&Event> {
        self.last_assigning().filter(|e| e.action == ActionKind::Assign)
    }

    /// The cases merged into this one, in the order of their `merged` events.
    pub fn merged_from(&self) -> Vec<&str> {
        self.history
            .iter()
            .filter(|e| e.action == ActionKind::Merged)
            .filter_map(|e| e.merged_from.as_deref())
            .collect()
    }

    /// Whether a reminder was already recorded in the current waiting period,
    /// which the last `request-info` started. Events are compared by order,
    /// not time, so a reminder in the same second as a new request-info
    /// belongs to the old period.
    pub fn reminded_since_waiting(&self) -> bool {
        self.waiting_since.is_some()
            && self
                .history
                .iter()
                .rev()
                .take_while(|e| e.action != ActionKind::RequestInfo)
                .any(|e| e.action == ActionKind::Remind)
    }
}

/// A size for people: bytes, KiB or MiB (`900 bytes`, `2.0 KiB`, `10 MiB`).
pub fn size_for_people(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{:.1} KiB", bytes as f64 / KIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}
