//! The portal's handlers, one module per route group. Each takes its
//! extractors (the signed-in contact among them), calls the operations the
//! command line calls, and answers a page from `pages`; what goes wrong is
//! a [`PortalError`] and `?`.

pub(super) mod attachments;
pub(super) mod cases;
pub(super) mod open;
pub(super) mod sign_in;

use crate::core::case::Case;
use crate::core::config::Config;
use crate::operations;
use crate::operations::portal::{visible_case, Contact};
use crate::portal::error::{blocking, PortalError, RETRY_AFTER_SECONDS};
use crate::portal::pages::attachments::left_out_notice;
use crate::portal::pages::case::{case_page, refusal_notice, Typed};
use crate::portal::pages::with_retry_after;
use crate::portal::Shared;
use axum::http::StatusCode;
use axum::response::Response;

/// A case the contact may see, with config; 404 for any other.
async fn load_visible(portal: &Shared, contact: &Contact, id: String) -> Result<(Config, Case), PortalError> {
    let session = portal.session(&contact.email);
    let contact = contact.clone();
    blocking(move || {
        let config = session.store.config()?;
        Ok(visible_case(&session, &contact, &id).map(|case| (config, case)))
    })
    .await?
    .ok_or(PortalError::NotFound)
}

/// The case page again, the form refilled with `typed`, for an operation's
/// refusal the customer can act on (the store busy, the case changed);
/// the error's own page for any other.
fn refused(
    contact: &Contact,
    config: &Config,
    case: &Case,
    typed: Typed,
    error: PortalError,
) -> Result<Response, PortalError> {
    let Some((status, words)) = error.refusal() else {
        return Err(error);
    };
    Ok(refusal_page_saying(status, words, contact, config, case, typed))
}

/// The case page with `status` (503: try again shortly; 409: the case
/// changed), the form refilled with `typed` and the refusal said first.
fn refusal_page(status: StatusCode, contact: &Contact, config: &Config, case: &Case, typed: Typed) -> Response {
    refusal_page_saying(status, refusal_notice(status), contact, config, case, typed)
}

/// [`refusal_page`] with the refusal's own sentence.
fn refusal_page_saying(
    status: StatusCode,
    words: &str,
    contact: &Contact,
    config: &Config,
    case: &Case,
    mut typed: Typed,
) -> Response {
    typed.notice = Some(words.to_string());
    let response = case_page(status, &contact.email, config, case, &typed);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        with_retry_after(response, RETRY_AFTER_SECONDS)
    } else {
        response
    }
}

/// What the portal says of files an operation left out, if any.
fn left_out_of(warnings: &[operations::Warning]) -> Option<String> {
    warnings.iter().find_map(|w| match w {
        operations::Warning::AttachmentsLeftOut { left_out, .. } => Some(left_out_notice(left_out)),
        _ => None,
    })
}
