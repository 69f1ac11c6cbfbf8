//! Opening cases from the portal: the new-case form, a new case, and a
//! follow-up of a closed one; each is the command line's `open`, signed
//! with the contact's address, channel portal.

use super::{left_out_of, load_visible, refusal_page, refused};
use crate::core::config::AttachmentLimits;
use crate::core::vocabulary::{Severity, Status};
use crate::operations::{self, OpenRequest, Opening};
use crate::portal::error::{blocking, PortalError, RETRY_AFTER_SECONDS};
use crate::portal::extract::SignedIn;
use crate::portal::handlers::cases::to_case_after;
use crate::portal::pages::case::{case_page, Done, Typed};
use crate::portal::pages::new_case::{new_case_page, NewCaseForm, BUSY_NOTICE};
use crate::portal::pages::with_retry_after;
use crate::portal::uploads::read_form;
use crate::portal::{Portal, Shared};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

/// The longest summary taken.
const MAX_SUMMARY_CHARS: usize = 200;

/// The store's attachment limits (the defaults when config.yaml cannot be read).
fn limits_of(portal: &Portal) -> AttachmentLimits {
    portal.store.config().map(|c| c.attachments).unwrap_or_default()
}

/// The summary and description as the operations take them, or why not.
fn checked_text(summary: &str, description: &str) -> Result<(String, String), &'static str> {
    let summary = summary.trim();
    if summary.is_empty() || description.trim().is_empty() {
        return Err("A summary and a description are both needed.");
    }
    if summary.chars().count() > MAX_SUMMARY_CHARS || summary.chars().any(char::is_control) {
        return Err("The summary must be one line of at most 200 characters.");
    }
    Ok((summary.to_string(), description.trim().to_string()))
}

/// Where a new case is shown.
fn to_case(id: &str) -> Response {
    Redirect::to(&format!("/cases/{id}")).into_response()
}

/// `GET /cases/new`.
pub(crate) async fn new_case_form(State(portal): State<Shared>, SignedIn(contact): SignedIn) -> Response {
    new_case_page(
        StatusCode::OK,
        &contact.email,
        &NewCaseForm::default(),
        None,
        &limits_of(&portal),
    )
}

/// `POST /cases`: a new case of the contact's customer, channel portal,
/// with any files uploaded (multipart) or none (a plain form).
pub(crate) async fn create(
    State(portal): State<Shared>,
    SignedIn(contact): SignedIn,
    request: Request,
) -> Result<Response, PortalError> {
    let limits = limits_of(&portal);
    let submitted = read_form(&portal, &contact.email, limits, request).await?;
    let form = NewCaseForm {
        summary: submitted.field("summary"),
        description: submitted.field("description"),
        severity: submitted.field("severity"),
    };
    let enclosures = submitted.enclosures;
    let again = |status: StatusCode, form: &NewCaseForm, notice: &str| {
        new_case_page(status, &contact.email, form, Some(notice), &limits)
    };
    let (summary, description) = match checked_text(&form.summary, &form.description) {
        Ok(text) => text,
        Err(notice) => return Ok(again(StatusCode::BAD_REQUEST, &form, notice)),
    };
    let Ok(severity) = form.severity.parse::<Severity>() else {
        return Ok(again(StatusCode::BAD_REQUEST, &form, "Choose a severity."));
    };
    let request = OpenRequest {
        severity: Some(severity),
        ..OpenRequest::by_contact(&contact.customer, &contact.email, summary, description)
    };
    let session = portal.session(&contact.email);
    let opened = match blocking(move || operations::open(&session, request, enclosures)).await {
        Ok(Opening::Opened(opened)) => opened,
        Ok(Opening::AlreadyOpened { id }) => return Ok(to_case(&id)),
        Err(error)
            if error
                .refusal()
                .is_some_and(|(status, _)| status == StatusCode::SERVICE_UNAVAILABLE) =>
        {
            let page = again(StatusCode::SERVICE_UNAVAILABLE, &form, BUSY_NOTICE);
            return Ok(with_retry_after(page, RETRY_AFTER_SECONDS));
        }
        Err(error) => return Err(error),
    };
    let Some(notice) = left_out_of(&opened.warnings) else {
        return Ok(to_case_after(&opened.case.id, Done::Opened));
    };
    // Saved; the page says at once which files were not attached.
    Ok(match blocking(move || portal.store.config()).await {
        Ok(config) => case_page(
            StatusCode::OK,
            &contact.email,
            &config,
            &opened.case,
            &Typed::notice(notice),
        ),
        Err(_) => to_case(&opened.case.id),
    })
}

/// The follow-up form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct FollowUpForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
}

/// `POST /cases/ID/follow-up`: a new case following a closed one.
pub(crate) async fn follow_up(
    State(portal): State<Shared>,
    SignedIn(contact): SignedIn,
    Path(id): Path<String>,
    form: Result<Form<FollowUpForm>, FormRejection>,
) -> Result<Response, PortalError> {
    let (config, case) = load_visible(&portal, &contact, id).await?;
    let Form(form) = form?;
    let typed = Typed {
        summary: form.summary.clone(),
        description: form.description.clone(),
        ..Typed::default()
    };
    if case.status != Status::Closed {
        // Reopened meanwhile: the answer `open` would give, before the text is checked.
        return Ok(refusal_page(StatusCode::CONFLICT, &contact, &config, &case, typed));
    }
    let (summary, description) = match checked_text(&form.summary, &form.description) {
        Ok(text) => text,
        Err(notice) => {
            let typed = Typed {
                notice: Some(notice.to_string()),
                ..typed
            };
            return Ok(case_page(
                StatusCode::BAD_REQUEST,
                &contact.email,
                &config,
                &case,
                &typed,
            ));
        }
    };
    let request = OpenRequest {
        follow_up_of: Some(case.id.clone()),
        ..OpenRequest::by_contact(&contact.customer, &contact.email, summary, description)
    };
    let session = portal.session(&contact.email);
    let none = operations::Enclosures::none(&session.store);
    match blocking(move || operations::open(&session, request, none)).await {
        Ok(Opening::Opened(opened)) => Ok(to_case_after(&opened.case.id, Done::FollowUp)),
        Ok(Opening::AlreadyOpened { id }) => Ok(to_case(&id)),
        Err(error) => refused(&contact, &config, &case, typed, error),
    }
}
