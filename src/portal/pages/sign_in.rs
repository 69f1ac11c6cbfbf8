//! The sign-in pages: the form, "check your mail", and the refusals.

use super::{layout, message, respond, with_retry_after};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

/// The sign-in form.
fn sign_in_form() -> Markup {
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

/// `/` for a browser not signed in.
pub(crate) fn sign_in_page() -> Response {
    respond(StatusCode::OK, layout("Sign in", None, sign_in_form()))
}

/// The form that takes the one-time code of the mail, for `email`.
fn code_form(email: &str) -> Markup {
    html! {
        form method="post" action="/login/code" {
            input type="hidden" name="email" value=(email);
            label for="code" { "One-time code from the mail" }
            input type="text" id="code" name="code" required autocomplete="one-time-code"
                inputmode="text" autocapitalize="characters" spellcheck="false" maxlength="20"
                placeholder="ABCD-EFGH" aria-describedby="code-help";
            p.muted id="code-help" { "Eight letters and digits, as in the mail; dashes and spaces do not matter." }
            button type="submit" { "Sign in with the code" }
        }
    }
}

/// The answer to a request for a link, whoever `email` is: check your
/// mail, or type the code here.
pub(crate) fn check_your_mail(email: &str) -> Response {
    respond(
        StatusCode::OK,
        layout(
            "Check your mail",
            None,
            html! {
                h1 { "Check your mail" }
                p { "If " strong { (crate::core::terminal::for_page(email)) } " belongs to one of our customers, a sign-in link is on its way. It works once, within 15 minutes." }
                h2 { "Reading your mail on another device?" }
                p { "The mail also has a one-time code. Type it here to sign in on this device." }
                (code_form(email))
                p { a href="/" { "Back" } }
            },
        ),
    )
}

/// 400: the code is wrong, used, locked or expired, or no code was sent to
/// `email` (the same answer for each); the form again.
pub(crate) fn code_does_not_work(email: &str) -> Response {
    respond(
        StatusCode::BAD_REQUEST,
        layout(
            "This code does not work",
            None,
            html! {
                h1 { "This code does not work" }
                p.notice role="alert" { "The code is wrong, or it was used or expired. A code works once, within 15 minutes of the mail; after several wrong tries it stops working." }
                (code_form(email))
                p { a href="/" { "Ask for a new link and code" } }
            },
        ),
    )
}

/// 400: no address, or too long a one.
pub(crate) fn not_an_address() -> Response {
    message(StatusCode::BAD_REQUEST, "Not an address", "Enter your e-mail address.")
}

/// 503: the store is read-only here, so no link or code can be spent; the
/// link stays good for when it can (within its 15 minutes).
pub(crate) fn sign_in_unavailable(seconds: u32) -> Response {
    with_retry_after(
        message(
            StatusCode::SERVICE_UNAVAILABLE,
            "Signing in is not possible right now",
            "The portal cannot record a sign-in at the moment (its store is read-only, for maintenance or a \
             restore). Nothing is wrong with your link or code: try it again later, within its 15 minutes, \
             or write to support by e-mail.",
        ),
        seconds,
    )
}

/// 429: over the sign-in rate limit, for `seconds`.
pub(crate) fn too_many_requests(seconds: u32) -> Response {
    with_retry_after(
        message(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "Too many sign-in links were asked for. Wait a few minutes and try again.",
        ),
        seconds,
    )
}

/// 429: over the limit of code tries, for `seconds`.
pub(crate) fn too_many_codes(seconds: u32) -> Response {
    with_retry_after(
        message(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many tries",
            "Too many codes were typed. Wait a few minutes, then ask for a new link and code.",
        ),
        seconds,
    )
}

/// `GET /login/TOKEN`: one button that signs in. The link itself spends
/// nothing: mail scanners open every link before the customer does, and a
/// page elsewhere must not sign a browser in as someone else.
pub(crate) fn confirm_sign_in(token: &str) -> Response {
    respond(
        StatusCode::OK,
        layout(
            "Sign in",
            None,
            html! {
                h1 { "Sign in to the support portal" }
                p { "This link signs you in once, within 15 minutes of when it was sent." }
                form method="post" action={ "/login/" (token) } {
                    button type="submit" { "Sign in" }
                }
            },
        ),
    )
}

/// 400: a link unknown, used or expired.
pub(crate) fn link_does_not_work() -> Response {
    message(
        StatusCode::BAD_REQUEST,
        "This link does not work",
        "A sign-in link works once, within 15 minutes. Ask for a new one on the portal's home page.",
    )
}
