//! What a signed-in contact sees and does: the case list, a case with its
//! public conversation, a reply, a new case and a follow-up. Each write is
//! the command line's operation, signed with the contact's address.

// A handler's early answer is the response itself, once per request: boxing would buy nothing.
#![allow(clippy::result_large_err)]

use super::{attachments, blocking, failure, pages, respond, signed_in, Portal, Shared};
use crate::core::case::Case;
use crate::core::config::{AttachmentLimits, Config};
use crate::core::digest::Digest;
use crate::core::error::Error;
use crate::core::vocabulary::status_for_customer;
use crate::core::vocabulary::{ActionKind, Channel, Severity, Status, Visibility};
use crate::operations::portal::{may_see, visible_case, Contact};
use crate::operations::{self, OpenRequest, Opening};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use maud::{html, Markup};
use serde::Deserialize;

/// How long a busy store asks the browser to wait.
const RETRY_AFTER_SECONDS: u32 = 5;
/// The longest summary taken.
const MAX_SUMMARY_CHARS: usize = 200;

/// The seed's severity definitions, shown beside the choice.
const SEVERITIES: [(Severity, &str); 3] = [
    (
        Severity::Low,
        "Low: minor bugs, questions, non-production systems, feature requests.",
    ),
    (
        Severity::Medium,
        "Medium: essential functions impaired, a few users affected.",
    ),
    (
        Severity::High,
        "High: system down, main functions broken, many users blocked, or data loss.",
    ),
];

fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// When a waiting case will be closed for no answer.
fn closes_on(config: &Config, waiting_since: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    waiting_since.map(|since| since + chrono::Duration::days(i64::from(config.auto_close_after_days)))
}

/// Whose turn it is, in the customer's words.
fn turn(config: &Config, status: Status, waiting_since: Option<DateTime<Utc>>) -> Markup {
    html! {
        @match status {
            Status::WaitingForCustomer => {
                span.turn-customer { "Waiting for you" }
                @if let Some(at) = closes_on(config, waiting_since) {
                    br; span { "Closes on " (date(at)) " without an answer" }
                }
            }
            Status::Closed => span { "Closed" },
            Status::Escalated => { span { "With support" } br; span { "In R&D's resolution queue" } }
            _ => span { "With support" },
        }
    }
}

/// `GET /`: the contact's cases, or the sign-in form.
pub(super) async fn home(State(portal): State<Shared>, headers: HeaderMap) -> Response {
    let Some(contact) = portal.contact(&headers) else {
        return respond(StatusCode::OK, pages::layout("Sign in", None, pages::sign_in_form()));
    };
    let session = portal.session(&contact.email);
    let shared = portal.clone();
    let listed = blocking(move || -> crate::core::error::Result<_> {
        let config = session.store.config()?;
        // The contact's cases of every case's digest, kept between requests
        // (see `digests`): nothing is computed for the rest of the store.
        let digests = shared.digests.get(&session)?;
        let mut rows: Vec<Digest> = digests
            .iter()
            .filter(|d| may_see(&contact, &d.customer, d.email.as_deref()))
            .cloned()
            .collect();
        // Open cases first, the latest change first.
        rows.sort_by_key(|d| (d.status == Status::Closed, std::cmp::Reverse(d.updated_at)));
        Ok((config, contact, rows))
    })
    .await;
    let (config, contact, rows) = match listed {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => return failure(&e),
        Err(response) => return response,
    };
    respond(
        StatusCode::OK,
        pages::layout(
            "Your cases",
            Some(&contact.email),
            html! {
                h1 { "Your cases" }
                p { a href="/cases/new" { "Open a new case" } }
                @if rows.is_empty() {
                    p { "No cases yet." }
                } @else {
                    table {
                        thead { tr { th { "Case" } th { "Summary" } th { "Status" } th { "Last update" } th { "Whose turn" } } }
                        tbody {
                            @for row in &rows {
                                tr {
                                    td { a href={ "/cases/" (row.id) } { (row.id) } }
                                    td { (row.summary) }
                                    td { span.status { (row.status) } br; span.explain { (status_for_customer(row.status)) } }
                                    td { (date(row.updated_at)) }
                                    td { (turn(&config, row.status, row.waiting_since)) }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}

/// What the customer typed into a case page's forms, shown again on a refusal.
#[derive(Debug, Default)]
struct Typed {
    reply: String,
    summary: String,
    description: String,
    notice: Option<String>,
}

fn case_page_markup(config: &Config, case: &Case, typed: &Typed) -> Markup {
    html! {
        h1 { (case.id) ": " (case.summary) }
        @if let Some(notice) = &typed.notice { p.notice role="alert" { (notice) } }
        p { span.status { "Status: " (case.status) } }
        p.explain { (status_for_customer(case.status)) }
        p { (turn(config, case.status, case.waiting_since)) }
        @if let Some(previous) = &case.follow_up_of { p { "Follows up " (previous) "." } }
        h2 { "Conversation" }
        ol.conversation {
            @for event in case.history.iter().filter(|e| e.action.visibility() == Visibility::Public) {
                @match event.action {
                    ActionKind::Open => li { p.muted { (date(event.at)) ": you opened the case" } div.text { (case.description) } (attachments::links(case, &event.attachments)) },
                    ActionKind::RequestInfo => li.support { p.muted { (date(event.at)) ": support wrote" } div.text { (event.message.as_deref().unwrap_or("")) } (attachments::links(case, &event.attachments)) },
                    ActionKind::Reply => li { p.muted { (date(event.at)) ": you wrote" } div.text { (event.message.as_deref().unwrap_or("")) } (attachments::links(case, &event.attachments)) },
                    ActionKind::Close => li.support { p.muted { (date(event.at)) ": support resolved the case" } div.text { (event.message.as_deref().unwrap_or("")) } (attachments::links(case, &event.attachments)) },
                    ActionKind::AutoClose => li.support { p.muted { (date(event.at)) ": closed" } div.text { (event.message.as_deref().unwrap_or("")) } },
                    ActionKind::Remind => li.support { p.muted { (date(event.at)) ": support reminded you that this case waits for your answer" } },
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
                (attachments::file_input(&config.attachments))
                button type="submit" { "Send reply" }
            }
        }
    }
}

/// Loads a visible case with config, or the response to give instead.
async fn load_visible(portal: &Shared, contact: &Contact, id: String) -> Result<(Config, Case), Response> {
    let session = portal.session(&contact.email);
    let contact = contact.clone();
    match blocking(move || -> crate::core::error::Result<Option<(Config, Case)>> {
        let config = session.store.config()?;
        Ok(visible_case(&session, &contact, &id).map(|case| (config, case)))
    })
    .await?
    {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(pages::not_found()),
        Err(e) => Err(failure(&e)),
    }
}

fn render_case(status: StatusCode, contact: &Contact, config: &Config, case: &Case, typed: &Typed) -> Response {
    respond(
        status,
        pages::layout(&case.id, Some(&contact.email), case_page_markup(config, case, typed)),
    )
}

/// `GET /cases/ID`.
pub(super) async fn case_page(State(portal): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let contact = match signed_in(&portal, &headers) {
        Ok(contact) => contact,
        Err(response) => return response,
    };
    match load_visible(&portal, &contact, id).await {
        Ok((config, case)) => render_case(StatusCode::OK, &contact, &config, &case, &Typed::default()),
        Err(response) => response,
    }
}

/// The answer to an operation's refusal on a case page, the form refilled.
fn refused(contact: &Contact, config: &Config, case: &Case, mut typed: Typed, error: &Error) -> Response {
    let (status, notice) = super::error_status::status_of(error);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        return failure(error);
    }
    typed.notice = Some(notice.to_string());
    let response = render_case(status, contact, config, case, &typed);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        pages::with_retry_after(response, RETRY_AFTER_SECONDS)
    } else {
        response
    }
}

/// `POST /cases/ID/reply`: the customer's reply, back to Open, with any
/// files uploaded (multipart) or none (a plain form).
pub(super) async fn reply(
    State(portal): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let contact = match signed_in(&portal, &headers) {
        Ok(contact) => contact,
        Err(response) => return response,
    };
    // Visibility first: another's case answers 404 whatever the form holds.
    let (config, case) = match load_visible(&portal, &contact, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let submitted = match attachments::read_form(&portal, &contact.email, config.attachments, request).await {
        Ok(submitted) => submitted,
        Err(response) => return response,
    };
    let mut message = submitted.field("message").trim().to_string();
    if message.is_empty() && submitted.enclosures.is_empty() {
        let typed = Typed {
            notice: Some("Write a message first.".into()),
            ..Typed::default()
        };
        return render_case(StatusCode::BAD_REQUEST, &contact, &config, &case, &typed);
    }
    if message.is_empty() {
        message = crate::core::vocabulary::ATTACHMENTS_ONLY.to_string();
    }
    let session = portal.session(&contact.email);
    let case_id = case.id.clone();
    let text = message.clone();
    let enclosures = submitted.enclosures;
    match blocking(move || operations::reply_with(&session, &case_id, text, enclosures)).await {
        Ok(Ok(done)) => match left_out_of(&done.warnings) {
            // Saved; the page says at once which files were not attached.
            Some(notice) => {
                let typed = Typed {
                    notice: Some(notice),
                    ..Typed::default()
                };
                render_case(StatusCode::OK, &contact, &config, &done.case, &typed)
            }
            None => Redirect::to(&format!("/cases/{}", case.id)).into_response(),
        },
        Ok(Err(e)) => refused(
            &contact,
            &config,
            &case,
            Typed {
                reply: message,
                ..Typed::default()
            },
            &e,
        ),
        Err(response) => response,
    }
}

/// What the portal says of files an operation left out, if any.
fn left_out_of(warnings: &[operations::Warning]) -> Option<String> {
    warnings.iter().find_map(|w| match w {
        operations::Warning::AttachmentsLeftOut { left_out, .. } => Some(attachments::left_out_notice(left_out)),
        _ => None,
    })
}

/// The new-case form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct NewCaseForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    severity: String,
}

fn new_case_markup(typed: &NewCaseForm, notice: Option<&str>, limits: &AttachmentLimits) -> Markup {
    html! {
        h1 { "Open a new case" }
        @if let Some(notice) = notice { p.notice role="alert" { (notice) } }
        form method="post" action="/cases" enctype="multipart/form-data" {
            label for="summary" { "Summary (one line)" }
            input type="text" id="summary" name="summary" required maxlength="200" value=(typed.summary);
            label for="description" { "What is happening" }
            textarea id="description" name="description" required { (typed.description) }
            fieldset {
                legend { "Severity" }
                @for (severity, definition) in SEVERITIES {
                    label for={ "severity-" (severity) } {
                        input type="radio" id={ "severity-" (severity) } name="severity" value=(severity)
                            checked[typed.severity == severity.as_str() || (typed.severity.is_empty() && severity == Severity::Medium)];
                        " " (definition)
                    }
                }
            }
            (attachments::file_input(limits))
            button type="submit" { "Open the case" }
        }
    }
}

/// The store's attachment limits (the defaults when config.yaml cannot be read).
fn limits_of(portal: &Portal) -> AttachmentLimits {
    portal.store.config().map(|c| c.attachments).unwrap_or_default()
}

/// `GET /cases/new`.
pub(super) async fn new_case_form(State(portal): State<Shared>, headers: HeaderMap) -> Response {
    match signed_in(&portal, &headers) {
        Ok(contact) => respond(
            StatusCode::OK,
            pages::layout(
                "New case",
                Some(&contact.email),
                new_case_markup(&NewCaseForm::default(), None, &limits_of(&portal)),
            ),
        ),
        Err(response) => response,
    }
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

/// `POST /cases`: a new case of the contact's customer, channel portal,
/// with any files uploaded (multipart) or none (a plain form).
pub(super) async fn create(State(portal): State<Shared>, headers: HeaderMap, request: Request) -> Response {
    let contact = match signed_in(&portal, &headers) {
        Ok(contact) => contact,
        Err(response) => return response,
    };
    let limits = limits_of(&portal);
    let submitted = match attachments::read_form(&portal, &contact.email, limits, request).await {
        Ok(submitted) => submitted,
        Err(response) => return response,
    };
    let form = NewCaseForm {
        summary: submitted.field("summary"),
        description: submitted.field("description"),
        severity: submitted.field("severity"),
    };
    let enclosures = submitted.enclosures;
    let again = |status: StatusCode, form: &NewCaseForm, notice: &str| {
        respond(
            status,
            pages::layout(
                "New case",
                Some(&contact.email),
                new_case_markup(form, Some(notice), &limits),
            ),
        )
    };
    let (summary, description) = match checked_text(&form.summary, &form.description) {
        Ok(text) => text,
        Err(notice) => return again(StatusCode::BAD_REQUEST, &form, notice),
    };
    let Ok(severity) = form.severity.parse::<Severity>() else {
        return again(StatusCode::BAD_REQUEST, &form, "Choose a severity.");
    };
    let request = OpenRequest {
        customer: contact.customer.clone(),
        summary,
        description,
        email: Some(contact.email.clone()),
        channel: Channel::Portal,
        severity: Some(severity),
        follow_up_of: None,
        message_id: None,
        automatic: false,
    };
    let session = portal.session(&contact.email);
    match blocking(move || operations::open_with(&session, request, enclosures)).await {
        Ok(Ok(Opening::Opened(opened))) => match left_out_of(&opened.warnings) {
            Some(notice) => match blocking(move || portal.store.config()).await {
                Ok(Ok(config)) => {
                    let typed = Typed {
                        notice: Some(notice),
                        ..Typed::default()
                    };
                    render_case(StatusCode::OK, &contact, &config, &opened.case, &typed)
                }
                _ => Redirect::to(&format!("/cases/{}", opened.case.id)).into_response(),
            },
            None => Redirect::to(&format!("/cases/{}", opened.case.id)).into_response(),
        },
        Ok(Ok(Opening::AlreadyOpened { id })) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Ok(Err(Error::Busy { .. })) => pages::with_retry_after(
            again(
                StatusCode::SERVICE_UNAVAILABLE,
                &form,
                "Support's system is busy for a moment; nothing was saved. Send the form again in a few seconds.",
            ),
            RETRY_AFTER_SECONDS,
        ),
        Ok(Err(e)) => failure(&e),
        Err(response) => response,
    }
}

/// The follow-up form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct FollowUpForm {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
}

/// `POST /cases/ID/follow-up`: a new case following a closed one.
pub(super) async fn follow_up(
    State(portal): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<FollowUpForm>, FormRejection>,
) -> Response {
    let contact = match signed_in(&portal, &headers) {
        Ok(contact) => contact,
        Err(response) => return response,
    };
    let (config, case) = match load_visible(&portal, &contact, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return pages::unreadable_form(rejection.status()),
    };
    let typed = Typed {
        summary: form.summary.clone(),
        description: form.description.clone(),
        ..Typed::default()
    };
    if case.status != Status::Closed {
        return refused(
            &contact,
            &config,
            &case,
            typed,
            &Error::TransitionNotAllowed {
                id: case.id.clone(),
                action: "follow-up".into(),
                status: case.status.to_string(),
                allowed: "reply".into(),
            },
        );
    }
    let (summary, description) = match checked_text(&form.summary, &form.description) {
        Ok(text) => text,
        Err(notice) => {
            let typed = Typed {
                notice: Some(notice.to_string()),
                ..typed
            };
            return render_case(StatusCode::BAD_REQUEST, &contact, &config, &case, &typed);
        }
    };
    let request = OpenRequest {
        customer: contact.customer.clone(),
        summary,
        description,
        email: Some(contact.email.clone()),
        channel: Channel::Portal,
        severity: None,
        follow_up_of: Some(case.id.clone()),
        message_id: None,
        automatic: false,
    };
    let session = portal.session(&contact.email);
    match blocking(move || operations::open(&session, request)).await {
        Ok(Ok(Opening::Opened(opened))) => Redirect::to(&format!("/cases/{}", opened.case.id)).into_response(),
        Ok(Ok(Opening::AlreadyOpened { id })) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Ok(Err(e)) => refused(&contact, &config, &case, typed, &e),
        Err(response) => response,
    }
}
