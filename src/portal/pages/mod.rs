//! The portal's markup: one layout, the pages every route may answer
//! (refusals and errors) and what several pages show (dates, whose turn
//! it is). One module per page besides; maud escapes every value put in a
//! page.

pub(crate) mod attachments;
pub(crate) mod case;
pub(crate) mod case_list;
pub(crate) mod new_case;
pub(crate) mod sign_in;
pub(crate) mod style;

use crate::core::config::Config;
use crate::core::vocabulary::Status;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};

/// A page with a status.
pub(crate) fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, axum::response::Html(markup.into_string())).into_response()
}

/// The layout every page shares; `signed_in` adds the sign-out button.
pub(crate) fn layout(title: &str, signed_in: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - Support portal" }
                link rel="stylesheet" href="/style.css";
            }
            body {
                header {
                    a.home href="/" { "Support portal" }
                    @if let Some(email) = signed_in {
                        form method="post" action="/logout" {
                            span.muted { "Signed in as " (crate::core::terminal::for_page(email)) " " }
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page that says one thing, with a way back.
pub(crate) fn message(status: StatusCode, title: &str, text: &str) -> Response {
    respond(
        status,
        layout(
            title,
            None,
            html! {
                h1 { (title) }
                p { (text) }
                p { a href="/" { "Back to the portal" } }
            },
        ),
    )
}

/// 404, alike for a missing case, another customer's and a malformed ID.
pub(crate) fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Not found", "There is no such page or case.")
}

/// 403: a POST from another site.
pub(crate) fn forbidden() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "Refused",
        "This form was not sent from the portal's own pages, so nothing was done.",
    )
}

/// 500: something the customer cannot fix.
pub(crate) fn server_error() -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The portal could not do this. Nothing you typed is lost on our side if you try again later; \
         support has the details in the portal's log.",
    )
}

/// 400, 408 or 413 for a form that could not be read.
pub(crate) fn unreadable_form(status: StatusCode) -> Response {
    if status == StatusCode::REQUEST_TIMEOUT {
        message(
            StatusCode::REQUEST_TIMEOUT,
            "Too slow",
            "The form stopped arriving. Nothing was changed; send it again.",
        )
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Too large",
            "What you sent is larger than the portal takes (64 KiB). Nothing was changed; shorten it and try again.",
        )
    } else {
        message(
            StatusCode::BAD_REQUEST,
            "Not understood",
            "The portal could not read this form. Nothing was changed.",
        )
    }
}

/// Marks a response as "try again shortly".
pub(crate) fn with_retry_after(mut response: Response, seconds: u32) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    response
}

/// 503 for a busy store, where no form is refilled.
pub(crate) fn busy() -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Busy",
        "Support's system is busy for a moment; nothing was saved. Try again in a few seconds.",
    )
}

/// 409 for a case that changed meanwhile, where no form is refilled.
pub(crate) fn changed() -> Response {
    message(
        StatusCode::CONFLICT,
        "The case changed",
        "The case changed meanwhile, so this could not be done. Nothing was saved.",
    )
}

/// 429 for an upload while others are still being received.
pub(crate) fn too_many_uploads() -> Response {
    message(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many uploads",
        "Other uploads are still being received. Nothing was changed; wait a minute and send the form again.",
    )
}

/// An instant in the time zone of `customer` (its `timezone:`, the one its
/// mail uses; UTC when none), the zone named: `2026-12-13 09:00 (Europe/Lisbon)`.
pub(crate) fn local_date(config: &Config, customer: &str, at: DateTime<Utc>) -> String {
    let zone = config
        .customer(customer)
        .and_then(|c| c.message_timezone(&config.business_hours))
        .unwrap_or(chrono_tz::UTC);
    let name = if zone == chrono_tz::UTC { "UTC" } else { zone.name() };
    format!("{} ({name})", at.with_timezone(&zone).format("%Y-%m-%d %H:%M"))
}

/// When a waiting case will be closed for no answer.
fn closes_on(config: &Config, waiting_since: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    waiting_since.map(|since| since + chrono::Duration::days(i64::from(config.auto_close_after_days)))
}

/// Whose turn it is, in the customer's words.
/// The same answer as the case page's: support's turn (R&D's once
/// escalated), the customer's while waiting, with the closing date in the
/// customer's time zone, or nobody's once closed.
pub(crate) fn turn(config: &Config, customer: &str, status: Status, waiting_since: Option<DateTime<Utc>>) -> Markup {
    html! {
        @match status {
            Status::WaitingForCustomer => {
                span.turn-customer { "Waiting for you" }
                @if let Some(at) = closes_on(config, waiting_since) {
                    br; span { "Closes on " span.nowrap { (local_date(config, customer, at)) } " without an answer" }
                }
            }
            Status::Closed => span { "Closed" },
            Status::Escalated => span { "With R&D" },
            _ => span { "With support" },
        }
    }
}
