//! A case's page: its status (a short label and the seed's sentence), the
//! confirmation of the write that led here, its follow-ups both ways, its
//! public conversation told as what happened (times in the customer's
//! zone), and the reply form (or, once closed, the follow-up form),
//! refilled with what the customer typed when something was refused.

use super::attachments::{file_input, links};
use super::{layout, local_date, respond};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::terminal::for_page;
use crate::core::vocabulary::label_for_customer;
use crate::core::vocabulary::status_for_customer;
use crate::core::vocabulary::{ActionKind, Channel, Status};
use crate::operations::portal::public_events;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

/// What the customer typed into a case page's forms, shown again on a refusal.
#[derive(Debug, Default)]
pub(crate) struct Typed {
    /// The reply's text.
    pub(crate) reply: String,
    /// The follow-up's summary.
    pub(crate) summary: String,
    /// The follow-up's description.
    pub(crate) description: String,
    /// What the page says first, if anything.
    pub(crate) notice: Option<String>,
}

impl Typed {
    /// Nothing typed, and `notice` said.
    pub(crate) fn notice(notice: impl Into<String>) -> Typed {
        Typed {
            notice: Some(notice.into()),
            ..Typed::default()
        }
    }
}

/// What a case page says of a refusal with `status` the customer can act on
/// (503: the store was busy; 409: the case changed meanwhile).
pub(crate) fn refusal_notice(status: StatusCode) -> &'static str {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        "Support's system is busy for a moment; nothing was saved. Your text is below: send it again in a few seconds."
    } else {
        "The case changed meanwhile, so this could not be done. Your text is below."
    }
}

/// An instant in the customer's zone, never broken across lines, with its
/// machine-readable UTC value (`<time datetime=...>`).
fn time_of(config: &Config, customer: &str, at: chrono::DateTime<chrono::Utc>) -> Markup {
    html! { time.nowrap datetime=(at.format("%Y-%m-%dT%H:%MZ")) { (local_date(config, customer, at)) } }
}

/// What a case page says after a write, on the page the write leads to
/// (`?done=...` of the redirect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Done {
    /// A reply was recorded.
    Reply,
    /// This case was opened on the portal.
    Opened,
    /// This case was opened as a follow-up.
    FollowUp,
}

impl Done {
    /// The `done=` value of a redirect's query.
    pub(crate) fn as_query(self) -> &'static str {
        match self {
            Done::Reply => "reply",
            Done::Opened => "opened",
            Done::FollowUp => "follow-up",
        }
    }

    /// The `done=` value read back; `None` for anything else.
    pub(crate) fn from_query(text: &str) -> Option<Done> {
        [Done::Reply, Done::Opened, Done::FollowUp]
            .into_iter()
            .find(|d| d.as_query() == text)
    }
}

/// What a case page shows besides the case: the cases that follow it up
/// (those the contact may see) and the confirmation of a write.
#[derive(Debug, Default)]
pub(crate) struct Around {
    /// The follow-ups the contact may see: ID and summary.
    pub(crate) follow_ups: Vec<(String, String)>,
    /// The write that led here, if any.
    pub(crate) done: Option<Done>,
    /// The cases merged into this one that the contact may see: their
    /// public conversation follows this case's, each marked as coming
    /// from its case (its files downloaded through this one).
    pub(crate) merged: Vec<Case>,
}

/// Whether a closed case was closed for want of an answer (its last
/// closing event is the automatic one), not resolved.
fn closed_for_no_answer(case: &Case) -> bool {
    case.status == Status::Closed
        && case
            .history
            .iter()
            .rev()
            .find(|e| e.to == Status::Closed && e.from != Some(Status::Closed))
            .is_some_and(|e| e.action == ActionKind::AutoClose)
}

/// The short label and the seed's sentence of a case's status, as the case
/// page shows them.
fn status_words(config: &Config, case: &Case) -> (&'static str, String) {
    if closed_for_no_answer(case) {
        return (
            "Closed: no answer",
            format!(
                "We closed this case because we had no answer from you for {} days. If you still need help, open a follow-up case below.",
                config.auto_close_after_days
            ),
        );
    }
    (
        label_for_customer(case.status),
        status_for_customer(case.status).to_string(),
    )
}

/// Whose turn it is on a case page, when the label does not say it already.
fn case_turn(config: &Config, case: &Case) -> Markup {
    html! {
        @match case.status {
            Status::WaitingForCustomer => {
                p {
                    span.turn-customer { "Your answer is awaited" }
                    @if let Some(since) = case.waiting_since {
                        ". Closes on " (time_of(config, &case.customer, since + chrono::Duration::days(i64::from(config.auto_close_after_days)))) " without an answer."
                    }
                }
            }
            Status::Open | Status::AtInvestigation => p { "With support: nothing is needed from you now." },
            Status::Escalated | Status::Closed => {}
        }
    }
}

/// The confirmation of `done` on `case`'s page (an ID and a date never
/// broken across lines).
fn confirmation(config: &Config, case: &Case, done: Done) -> Markup {
    let due = crate::core::targets::Policy::new(config)
        .ok()
        .map(|policy| policy.first_response_due(&case.customer, case.severity, case.created_at))
        .map(|due| time_of(config, &case.customer, due));
    html! {
        @match done {
            Done::Reply => "Reply sent; the case is back with support.",
            Done::Opened | Done::FollowUp => {
                "New case " span.case-id { (case.id) } " opened"
                @if let (Done::FollowUp, Some(previous)) = (done, &case.follow_up_of) {
                    "; it follows up " span.case-id { (previous) }
                }
                "."
                @if let Some(due) = due { " First response expected by " (due) "." }
            }
        }
    }
}

/// Whether an actor is a contact's address (else an analyst's ID, whose
/// name the customer never sees).
fn is_address(actor: &str) -> bool {
    actor.contains('@')
}

/// Who opened the case and how, in the customer's words, for `me`.
fn opened_by(case: &Case, actor: &str, me: &str) -> String {
    match case.channel {
        Channel::Phone => "Opened by phone: support's note of your call".to_string(),
        Channel::Email if actor.eq_ignore_ascii_case(me) || !is_address(actor) => "Opened by e-mail".to_string(),
        Channel::Email => format!("Opened by e-mail from {}", for_page(actor)),
        Channel::Portal if actor.eq_ignore_ascii_case(me) => "You opened the case on the portal".to_string(),
        Channel::Portal if is_address(actor) => format!("Opened on the portal by {}", for_page(actor)),
        Channel::Portal => "Opened on the portal".to_string(),
    }
}

/// Who replied, for `me`: the customer's side, written by them, a
/// colleague, or recorded by support (an analyst, never named).
fn replied_by(actor: &str, me: &str) -> String {
    if actor.eq_ignore_ascii_case(me) {
        "You wrote".to_string()
    } else if is_address(actor) {
        format!("{} wrote", for_page(actor))
    } else {
        "Your answer, as support recorded it".to_string()
    }
}

fn case_markup(config: &Config, me: &str, case: &Case, typed: &Typed, around: &Around) -> Markup {
    let (label, sentence) = status_words(config, case);
    let when = |at| time_of(config, &case.customer, at);
    html! {
        @if let Some(done) = around.done { p.confirmation role="status" { (confirmation(config, case, done)) } }
        h1 { span.case-id { (case.id) } ": " (for_page(&case.summary)) }
        @if let Some(notice) = &typed.notice { p.notice role="alert" { (notice) } }
        p { "Status: " span.status { (label) } }
        p.explain { (sentence) }
        (case_turn(config, case))
        @if let Some(previous) = &case.follow_up_of {
            p { "Follows up " a.case-id href={ "/cases/" (previous) } { (previous) } "." }
        }
        @if !around.follow_ups.is_empty() {
            h2 { "Follow-up cases" }
            ul.follow-ups {
                @for (id, summary) in &around.follow_ups {
                    li { a.case-id href={ "/cases/" (id) } { (id) } ": " (for_page(summary)) }
                }
            }
        }
        h2 { "Conversation" }
        ol.conversation {
            @for event in public_events(case) {
                @match event.action {
                    ActionKind::Open => li.(if case.channel == Channel::Phone { "support" } else { "" }) {
                        p.muted { (when(event.at)) ": " (opened_by(case, &event.actor, me)) }
                        div.text { (for_page(&case.description)) } (links(case, &event.attachments))
                    },
                    ActionKind::RequestInfo => li.support { p.muted { (when(event.at)) ": Support wrote" } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } (links(case, &event.attachments)) },
                    ActionKind::Reply => li { p.muted { (when(event.at)) ": " (replied_by(&event.actor, me)) } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } (links(case, &event.attachments)) },
                    ActionKind::Close => li.support { p.muted { (when(event.at)) ": Support closed the case" } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } (links(case, &event.attachments)) },
                    ActionKind::AutoClose => li.support { p.muted { (when(event.at)) ": Closed: no answer for " (config.auto_close_after_days) " days" } },
                    ActionKind::Remind => li.support { p.muted { (when(event.at)) ": Support reminded you that this case waits for your answer" } },
                    ActionKind::Merge => li.support { p.muted { (when(event.at)) ": Support merged this case into " span.case-id { (for_page(event.merged_into.as_deref().unwrap_or("another case"))) } } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } },
                    _ => {}
                }
            }
        }
        (merged_markup(config, case, &around.merged))
        @if case.status == Status::Closed {
            h2 { "Need more help?" }
            p { "This case is closed. Open a follow-up case that links it." }
            form method="post" action={ "/cases/" (case.id) "/follow-up" } {
                label for="summary" { "Summary (one line)" }
                input type="text" id="summary" name="summary" required maxlength="200" value=(typed.summary);
                label for="description" { "What is happening" }
                // A reply refused because the case closed meanwhile is kept here.
                textarea id="description" name="description" required {
                    @if typed.description.is_empty() { (typed.reply) } @else { (typed.description) }
                }
                button type="submit" { "Open a follow-up case" }
            }
        } @else {
            h2 { "Reply" }
            form method="post" action={ "/cases/" (case.id) "/reply" } enctype="multipart/form-data" {
                label for="message" { "Your message to support" }
                textarea id="message" name="message" { (typed.reply) }
                (file_input(&config.attachments))
                button type="submit" { "Send reply" }
            }
        }
    }
}

/// The case page with `status`, for the signed-in `email`.
pub(crate) fn case_page(status: StatusCode, email: &str, config: &Config, case: &Case, typed: &Typed) -> Response {
    case_page_around(status, email, config, case, typed, &Around::default())
}

/// The case page with its follow-ups and the confirmation of a write.
pub(crate) fn case_page_around(
    status: StatusCode,
    email: &str,
    config: &Config,
    case: &Case,
    typed: &Typed,
    around: &Around,
) -> Response {
    respond(
        status,
        layout(&case.id, Some(email), case_markup(config, email, case, typed, around)),
    )
}

/// The public conversation of the cases merged into `case`.
fn merged_markup(config: &Config, case: &Case, merged: &[Case]) -> Markup {
    let when = |at| time_of(config, &case.customer, at);
    html! {
        @for source in merged {
            section.merged {
                h2 { "From case " (source.id) " (merged into this case)" }
                p { (for_page(&source.summary)) }
                ol.conversation {
                    @for event in public_events(source) {
                        li.support[event.action != ActionKind::Open && event.action != ActionKind::Reply] {
                            p.muted { (when(event.at)) ": " (merged_event_words(event.action)) }
                            @if event.action == ActionKind::Open {
                                div.text { (for_page(&source.description)) }
                            } @else if let Some(message) = &event.message {
                                div.text { (for_page(message)) }
                            }
                            (links(case, &event.attachments))
                        }
                    }
                }
            }
        }
    }
}

/// What a merged case's public event says, in the customer's words.
fn merged_event_words(action: ActionKind) -> &'static str {
    match action {
        ActionKind::Open => "The case was opened",
        ActionKind::Reply => "You wrote",
        ActionKind::RequestInfo => "Support wrote",
        ActionKind::Close => "Support closed the case",
        ActionKind::AutoClose => "Closed: no answer",
        ActionKind::Remind => "Support reminded you that the case waited for your answer",
        ActionKind::Merge => "Support merged it into this case",
        _ => "Support",
    }
}
