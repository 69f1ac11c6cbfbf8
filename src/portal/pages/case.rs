//! A case's page: its status, its public conversation with the files, and
//! the reply form (or, once closed, the follow-up form), refilled with what
//! the customer typed when something was refused.

use super::attachments::{file_input, links};
use super::{date, layout, respond, turn};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::terminal::for_page;
use crate::core::vocabulary::label_for_customer;
use crate::core::vocabulary::status_for_customer;
use crate::core::vocabulary::{ActionKind, Status};
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

fn case_markup(config: &Config, case: &Case, typed: &Typed) -> Markup {
    html! {
        h1 { (case.id) ": " (for_page(&case.summary)) }
        @if let Some(notice) = &typed.notice { p.notice role="alert" { (notice) } }
        p { span.status { "Status: " (label_for_customer(case.status)) } }
        p.explain { (status_for_customer(case.status)) }
        p { (turn(config, case.status, case.waiting_since)) }
        @if let Some(previous) = &case.follow_up_of { p { "Follows up " (previous) "." } }
        h2 { "Conversation" }
        ol.conversation {
            @for event in public_events(case) {
                @match event.action {
                    ActionKind::Open => li { p.muted { (date(event.at)) ": you opened the case" } div.text { (for_page(&case.description)) } (links(case, &event.attachments)) },
                    ActionKind::RequestInfo => li.support { p.muted { (date(event.at)) ": support wrote" } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } (links(case, &event.attachments)) },
                    ActionKind::Reply => li { p.muted { (date(event.at)) ": you wrote" } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } (links(case, &event.attachments)) },
                    ActionKind::Close => li.support { p.muted { (date(event.at)) ": support resolved the case" } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } (links(case, &event.attachments)) },
                    ActionKind::AutoClose => li.support { p.muted { (date(event.at)) ": closed" } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } },
                    ActionKind::Remind => li.support { p.muted { (date(event.at)) ": support reminded you that this case waits for your answer" } },
                    ActionKind::Merge => li.support { p.muted { (date(event.at)) ": support merged this case into " (for_page(event.merged_into.as_deref().unwrap_or("another case"))) } div.text { (for_page(event.message.as_deref().unwrap_or(""))) } },
                    _ => {}
                }
            }
        }
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
    respond(status, layout(&case.id, Some(email), case_markup(config, case, typed)))
}

/// The case page of a case others were merged into: its own page, then the
/// public conversation of each merged case, marked as coming from it (its
/// files downloaded through this case).
pub(crate) fn case_page_with_merged(
    status: StatusCode,
    email: &str,
    config: &Config,
    case: &Case,
    merged: &[Case],
) -> Response {
    let markup = html! {
        (case_markup(config, case, &Typed::default()))
        (merged_markup(case, merged))
    };
    respond(status, layout(&case.id, Some(email), markup))
}

/// The public conversation of the cases merged into `case`.
fn merged_markup(case: &Case, merged: &[Case]) -> Markup {
    html! {
        @for source in merged {
            section.merged {
                h2 { "From case " (source.id) " (merged into this case)" }
                p { (for_page(&source.summary)) }
                ol.conversation {
                    @for event in public_events(source) {
                        li.support[event.action != ActionKind::Open && event.action != ActionKind::Reply] {
                            p.muted { (date(event.at)) ": " (merged_event_words(event.action)) }
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
        ActionKind::Open => "you opened the case",
        ActionKind::Reply => "you wrote",
        ActionKind::RequestInfo => "support wrote",
        ActionKind::Close => "support resolved the case",
        ActionKind::AutoClose => "closed",
        ActionKind::Remind => "support reminded you that the case waited for your answer",
        ActionKind::Merge => "support merged it into this case",
        _ => "support",
    }
}
