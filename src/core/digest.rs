//! A case's digest: the fields that listing, routing, sweeping and statistics need,
//! without its description and history. The index caches these.

use crate::core::case::Case;
use crate::core::vocabulary::{ActionKind, Channel, Impact, Level, Severity, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A case without its description and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// The case ID.
    pub id: String,
    /// One line from the customer.
    pub summary: String,
    /// The customer's name.
    pub customer: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// How the customer reached support.
    pub channel: Channel,
    /// Current severity.
    pub severity: Severity,
    /// Current status.
    pub status: Status,
    /// Current tier.
    pub level: Level,
    /// The analyst working it.
    pub assignee: Option<String>,
    /// Customer-base impact (R&D).
    pub impact: Option<Impact>,
    /// Opened.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Waiting clock start.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Entered R&D's queue.
    pub escalated_at: Option<DateTime<Utc>>,
    /// First response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// Resolution when closed.
    pub resolution: Option<String>,
    /// The case this follows up.
    pub follow_up_of: Option<String>,
    /// The case this one was merged into.
    pub merged_into: Option<String>,
    /// The Message-ID of the e-mail that opened it.
    pub message_id: Option<String>,
    /// The action of the last history event.
    pub last_action: ActionKind,
    /// Whether a reminder was recorded in the current waiting period.
    pub reminded: bool,
    /// The case's tags (`list --tag`, `stats --by tag`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The addresses copied on the case (the portal's visibility).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
}

impl Digest {
    /// Summarises a case.
    pub fn of(case: &Case) -> Digest {
        Digest {
            id: case.id.clone(),
            summary: case.summary.clone(),
            customer: case.customer.clone(),
            email: case.email.clone(),
            channel: case.channel,
            severity: case.severity,
            status: case.status,
            level: case.level,
            assignee: case.assignee.clone(),
            impact: case.impact,
            created_at: case.created_at,
            updated_at: case.updated_at,
            waiting_since: case.waiting_since,
            escalated_at: case.escalated_at,
            first_response_at: case.first_response_at,
            resolution: case.resolution.clone(),
            follow_up_of: case.follow_up_of.clone(),
            merged_into: case.merged_into.clone(),
            message_id: case.message_id.clone(),
            last_action: case.history.last().map(|e| e.action).unwrap_or(ActionKind::Open),
            reminded: case.reminded_since_waiting(),
            tags: case.tags.clone(),
            cc: case.cc.clone(),
        }
    }
}
