//! The portal's markup: one layout, the shared pages (refusals and
//! errors) and the stylesheet. maud escapes every value put in a page.

use super::respond;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// The stylesheet, embedded: readable on a phone, high contrast, visible focus.
const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --accent: #0b4f9c; --line: #c8c8c8; --bg: #ffffff; --soft: #f2f4f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 52rem; margin: 0 auto; padding: 0.75rem 1rem; }
header { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between; border-bottom: 1px solid var(--line); }
header a.home { font-weight: 700; color: var(--ink); text-decoration: none; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, textarea:focus, select:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: 1rem 0 0.5rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 0.5rem; border-bottom: 1px solid var(--line); }
@media (max-width: 40rem) { thead { display: none; } tr { display: block; border-bottom: 2px solid var(--line); padding: 0.5rem 0; } td { display: block; border: 0; padding: 0.15rem 0; } }
.status { font-weight: 700; }
.explain, .muted { color: var(--muted); }
.turn-customer { font-weight: 700; color: #8a3b00; }
ol.conversation { list-style: none; padding: 0; }
ol.conversation li { background: var(--soft); border-left: 4px solid var(--line); margin: 0 0 0.75rem; padding: 0.5rem 0.75rem; }
ol.conversation li.support { border-left-color: var(--accent); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
input[type=text], input[type=email], textarea, select { width: 100%; font: inherit; padding: 0.5rem; border: 1px solid #767676; border-radius: 4px; background: #fff; color: var(--ink); }
textarea { min-height: 8rem; }
button { font: inherit; margin-top: 0.75rem; padding: 0.5rem 1rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
button.link { background: none; color: var(--accent); padding: 0; margin: 0; text-decoration: underline; }
fieldset { border: 1px solid var(--line); margin: 0.75rem 0; }
.notice { background: #fff4e5; border: 1px solid #f0a500; padding: 0.5rem 0.75rem; }
"#;

/// `GET /style.css`.
pub(super) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// The layout every page shares; `signed_in` adds the sign-out button.
pub(super) fn layout(title: &str, signed_in: Option<&str>, body: Markup) -> Markup {
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
                            span.muted { "Signed in as " (email) " " }
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
pub(super) fn message(status: StatusCode, title: &str, text: &str) -> Response {
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
pub(super) fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Not found", "There is no such page or case.")
}

/// 403: a POST from another site.
pub(super) fn forbidden() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "Refused",
        "This form was not sent from the portal's own pages, so nothing was done.",
    )
}

/// 500: something the customer cannot fix.
pub(super) fn server_error() -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The portal could not do this. Nothing you typed is lost on our side if you try again later; \
         support has the details in the portal's log.",
    )
}

/// 400, 408 or 413 for a form that could not be read.
pub(super) fn unreadable_form(status: StatusCode) -> Response {
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
pub(super) fn with_retry_after(mut response: Response, seconds: u32) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    response
}

/// The sign-in form.
pub(super) fn sign_in_form() -> Markup {
    html! {
        h1 { "Sign in" }
        p { "Enter your work e-mail address. We will send you a link that signs you in; it works once, within 15 minutes." }
        form method="post" action="/login" {
            label for="email" { "E-mail address" }
            input type="email" id="email" name="email" required autocomplete="email";
            button type="submit" { "Send me a sign-in link" }
        }
    }
}
