//! Signing in without a password: `POST /login` queues a one-time link and
//! code, `GET /login/TOKEN` shows the button whose `POST /login/TOKEN`
//! uses the link, `POST /login/code` takes the code, `POST /logout` ends
//! the session.

use crate::operations::portal::{
    redeem_sign_in, redeem_sign_in_code, request_sign_in, sign_in_possible, SignInRequested,
};
use crate::portal::client::client_of;
use crate::portal::error::{blocking, PortalError};
use crate::portal::pages::sign_in::{
    check_your_mail, code_does_not_work, confirm_sign_in, link_does_not_work, not_an_address, sign_in_unavailable,
    too_many_codes, too_many_requests,
};
use crate::portal::{
    Shared, CODE_TRIES_PER_ADDRESS, CODE_TRIES_PER_CLIENT, SESSION_LIFETIME, SIGN_IN_REQUESTS_PER_ADDRESS,
    SIGN_IN_REQUESTS_PER_CLIENT,
};
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct SignInForm {
    email: String,
}

/// `POST /login`: queues a link when the address is a customer's contact;
/// answers the same page either way. Rate-limited per address and client.
pub(crate) async fn request_link(
    State(portal): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, PortalError> {
    let Form(form) = form?;
    let Some(email) = typed_address(&form.email) else {
        return Ok(not_an_address());
    };
    let client = client_of(peer, &headers);
    if !within_limits(
        &portal,
        "",
        &client,
        &email,
        SIGN_IN_REQUESTS_PER_CLIENT,
        SIGN_IN_REQUESTS_PER_ADDRESS,
    ) {
        return Ok(too_many_requests(900));
    }
    let session = portal.session("portal");
    let base_url = portal.base_url.clone();
    let asked = email.clone();
    match blocking(move || Ok(request_sign_in(&session, &asked, &base_url))).await? {
        Ok(SignInRequested::Queued | SignInRequested::NotAContact) => {}
        Ok(SignInRequested::NoMail) => crate::core::error::diagnostic(
            "tickets serve: a contact asked for a sign-in link, but config.yaml has no `mail:`; nothing was sent",
        ),
        // The answer stays the same: it must not tell whose address this is.
        Err(e) => crate::core::error::diagnostic(&format!(
            "tickets serve: a sign-in link could not be queued: {}",
            crate::core::terminal::escape_line(&e.to_string())
        )),
    }
    Ok(check_your_mail(&email))
}

/// `GET /login/TOKEN`: the page with the one button that signs in; spends
/// nothing and sets no cookie. Only a token's shape is checked (64 hex
/// digits), so that nothing else is ever put into the page's form.
pub(crate) async fn show_link(State(portal): State<Shared>, Path(token): Path<String>) -> Response {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return link_does_not_work();
    }
    if let Some(unavailable) = unless_sign_in_possible(&portal) {
        return unavailable;
    }
    confirm_sign_in(&token)
}

/// How long a read-only store asks the browser to wait before a new try.
const READ_ONLY_RETRY_SECONDS: u32 = 300;

/// The page that says signing in is not possible, when the store cannot
/// spend a link or a code here (read-only); logged, since the operator must
/// act. `None` when signing in works.
fn unless_sign_in_possible(portal: &Shared) -> Option<Response> {
    let session = portal.session("portal");
    if sign_in_possible(&session) {
        return None;
    }
    crate::core::error::diagnostic(&format!(
        "tickets serve: a sign-in cannot be recorded: {} is not writable (a read-only store); \
         cases are still served to those signed in",
        crate::core::terminal::escape_line(&session.store.derived_dir().display().to_string())
    ));
    Some(sign_in_unavailable(READ_ONLY_RETRY_SECONDS))
}

/// `POST /login/TOKEN` (origin-checked like every POST): signs in once,
/// sets the session cookie, goes to `/`.
pub(crate) async fn use_link(State(portal): State<Shared>, Path(token): Path<String>) -> Result<Response, PortalError> {
    if let Some(unavailable) = unless_sign_in_possible(&portal) {
        return Ok(unavailable);
    }
    let session = portal.session("portal");
    let Some(contact) = blocking(move || redeem_sign_in(&session, &token)).await? else {
        return Ok(link_does_not_work());
    };
    Ok(signed_in(&portal, contact.email))
}

/// A new session for `email`: its cookie, and on to `/`.
fn signed_in(portal: &Shared, email: String) -> Response {
    let id = portal.start_session(email);
    let cookie = portal.session_cookie_header(&id, SESSION_LIFETIME.as_secs());
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

/// The code form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    email: String,
    code: String,
}

/// `POST /login/code` (origin-checked like every POST): the one-time code of
/// the mail for `email` signs in once. Wrong, used, expired and unknown
/// codes get one answer; tries are limited per address and per client, and
/// several wrong ones lock the code (the operations count them).
pub(crate) async fn use_code(
    State(portal): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Result<Response, PortalError> {
    let Form(form) = form?;
    let Some(email) = typed_address(&form.email) else {
        return Ok(not_an_address());
    };
    let client = client_of(peer, &headers);
    if !within_limits(
        &portal,
        "code ",
        &client,
        &email,
        CODE_TRIES_PER_CLIENT,
        CODE_TRIES_PER_ADDRESS,
    ) {
        return Ok(too_many_codes(900));
    }
    if let Some(unavailable) = unless_sign_in_possible(&portal) {
        return Ok(unavailable);
    }
    let session = portal.session("portal");
    let asked = email.clone();
    let Some(contact) = blocking(move || redeem_sign_in_code(&session, &asked, &form.code)).await? else {
        return Ok(code_does_not_work(&email));
    };
    Ok(signed_in(&portal, contact.email))
}

/// The address a form gives, trimmed and in lower case; `None` when empty
/// or longer than an address can be.
fn typed_address(typed: &str) -> Option<String> {
    let email = typed.trim().to_ascii_lowercase();
    (!email.is_empty() && email.len() <= 254).then_some(email)
}

/// Whether one more try (`kind`: "" for link requests, "code " for codes)
/// is within the limits per client and per address (in 15 minutes).
fn within_limits(
    portal: &Shared,
    kind: &str,
    client: &str,
    email: &str,
    per_client: usize,
    per_address: usize,
) -> bool {
    portal.allow_sign_in(format!("{kind}client {client}"), per_client)
        && portal.allow_sign_in(format!("{kind}address {email}"), per_address)
}

/// `POST /logout`: ends the session and clears the cookie.
pub(crate) async fn sign_out(State(portal): State<Shared>, headers: HeaderMap) -> Response {
    portal.end_session(&headers);
    let cookie = portal.session_cookie_header("", 0);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}
