//! The view of a case (`list`, `show`, `sweep` and every transition) and of
//! its history events.

use super::instant;
use crate::core::case::{Case, Event};
use crate::core::digest::Digest;
use crate::core::targets::{is_overdue, Due};
use crate::core::time::format_instant;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One case in JSON/YAML output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    /// Case ID.
    pub id: String,
    /// Status spelling.
    pub status: String,
    /// Tier.
    pub level: String,
    /// Severity.
    pub severity: String,
    /// Assignee or null.
    pub assignee: Option<String>,
    /// Impact or null.
    pub impact: Option<String>,
    /// Customer name.
    pub customer: String,
    /// Customer's plan.
    pub plan: String,
    /// Channel.
    pub channel: String,
    /// Summary, exact.
    pub summary: String,
    /// Contact e-mail or null.
    pub email: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// RFC 3339 UTC or null.
    pub waiting_since: Option<String>,
    /// RFC 3339 UTC or null.
    pub escalated_at: Option<String>,
    /// Resolution or null.
    pub resolution: Option<String>,
    /// RFC 3339 UTC.
    pub first_response_due: String,
    /// RFC 3339 UTC or null.
    pub first_response_at: Option<String>,
    /// Whether the first-response target has passed with no response.
    pub overdue: bool,
    /// Linked closed case or null.
    pub follow_up_of: Option<String>,
    /// The case this one was merged into; absent when it was not merged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The cases merged into this one (`show` only; absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<Vec<String>>,
    /// Message-ID of the opening e-mail or null.
    pub message_id: Option<String>,
    /// Tags, sorted (internal; empty when none).
    pub tags: Vec<String>,
    /// Addresses copied on the case's mail, sorted (empty when none).
    pub cc: Vec<String>,
    /// The cases that follow this one up (`show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_ups: Option<Vec<String>>,
    /// Why the assignee was chosen (`show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<String>,
    /// Description (`show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// History (`show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<EventView>>,
    /// The public conversation of the cases merged into this one (`show`
    /// only; absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_conversations: Option<Vec<MergedConversation>>,
}

/// The public side of a case merged into another, as the target shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedConversation {
    /// The merged case's ID.
    pub id: String,
    /// Its summary.
    pub summary: String,
    /// Its description (the customer's words).
    pub description: String,
    /// Its public events only.
    pub history: Vec<EventView>,
}

impl MergedConversation {
    /// The public conversation of `case`.
    pub fn of(case: &Case) -> MergedConversation {
        MergedConversation {
            id: case.id.clone(),
            summary: case.summary.clone(),
            description: case.description.clone(),
            history: case
                .history
                .iter()
                .filter(|e| e.action.visibility() == crate::core::vocabulary::Visibility::Public)
                .map(EventView::of)
                .collect(),
        }
    }
}

/// One history event in JSON/YAML output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventView {
    /// RFC 3339 UTC.
    pub at: String,
    /// Who.
    pub actor: String,
    /// Action spelling.
    pub action: String,
    /// `public` (the customer sees it) or `internal` (support only).
    pub visibility: String,
    /// Status before, or null for `open`.
    pub from: Option<String>,
    /// Status after.
    pub to: String,
    /// Message, note or resolution, or null.
    pub message: Option<String>,
    /// Tier set by the event, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Assignee set by the event, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// Severity set by the event, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Impact set by the event, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// The Message-ID of the e-mail a reply came in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The files the event carries (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::core::case::Attachment>,
    /// The writer's clock, when it was behind the case's last change (the
    /// event is dated at that change); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// The case a `merge` closed this one into; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// The case a `merged` event records as merged into this one; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_from: Option<String>,
    /// The customer a `set-customer` set; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// The tags a `tag` event added (`+name`) and removed (`-name`); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The CC addresses an event added (`+addr`) and removed (`-addr`); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
}

impl EventView {
    /// The view of an event.
    pub fn of(event: &Event) -> EventView {
        EventView {
            at: format_instant(&event.at),
            actor: event.actor.clone(),
            action: event.action.to_string(),
            visibility: event.action.visibility().to_string(),
            from: event.from.map(|s| s.to_string()),
            to: event.to.to_string(),
            message: event.message.clone(),
            level: event.level.map(|l| l.to_string()),
            assignee: event.assignee.clone(),
            severity: event.severity.map(|s| s.to_string()),
            impact: event.impact.map(|i| i.to_string()),
            message_id: event.message_id.clone(),
            attachments: event.attachments.clone(),
            clock: event.clock.as_ref().map(format_instant),
            merged_into: event.merged_into.clone(),
            merged_from: event.merged_from.clone(),
            customer: event.customer.clone(),
            tags: event.tags.iter().map(ToString::to_string).collect(),
            cc: event.cc.iter().map(ToString::to_string).collect(),
        }
    }
}

impl CaseView {
    /// The list view of a summary.
    pub fn of_digest(s: &Digest, due: &Due, now: DateTime<Utc>) -> CaseView {
        CaseView {
            id: s.id.clone(),
            status: s.status.to_string(),
            level: s.level.to_string(),
            severity: s.severity.to_string(),
            assignee: s.assignee.clone(),
            impact: s.impact.map(|i| i.to_string()),
            customer: s.customer.clone(),
            plan: due.plan.clone(),
            channel: s.channel.to_string(),
            summary: s.summary.clone(),
            email: s.email.clone(),
            created_at: format_instant(&s.created_at),
            updated_at: format_instant(&s.updated_at),
            waiting_since: instant(&s.waiting_since),
            escalated_at: instant(&s.escalated_at),
            resolution: s.resolution.clone(),
            first_response_due: format_instant(&due.first_response_due),
            first_response_at: instant(&s.first_response_at),
            overdue: is_overdue(s, &due.first_response_due, now),
            follow_up_of: s.follow_up_of.clone(),
            merged_into: s.merged_into.clone(),
            merged_from: None,
            message_id: s.message_id.clone(),
            tags: s.tags.clone(),
            cc: s.cc.clone(),
            follow_ups: None,
            routing: None,
            description: None,
            history: None,
            merged_conversations: None,
        }
    }

    /// The full view of a case (`show`).
    pub fn of_case(case: &Case, due: &Due, now: DateTime<Utc>) -> CaseView {
        let mut view = CaseView::of_digest(&Digest::of(case), due, now);
        view.routing = case.routing_reason().map(str::to_string);
        view.description = Some(case.description.clone());
        let merged_from = case.merged_from();
        view.merged_from = (!merged_from.is_empty()).then(|| merged_from.iter().map(|id| id.to_string()).collect());
        view.history = Some(case.history.iter().map(EventView::of).collect());
        view
    }
}
