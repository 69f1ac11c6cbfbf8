//! The new-case form, refilled with what the customer typed when refused.

use super::attachments::file_input;
use super::{layout, respond};
use crate::core::config::AttachmentLimits;
use crate::core::vocabulary::Severity;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

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

/// What a refused new-case form says when the store was busy.
pub(crate) const BUSY_NOTICE: &str =
    "Support's system is busy for a moment; nothing was saved. Send the form again in a few seconds.";

/// The new-case form's fields, as typed.
#[derive(Debug, Default)]
pub(crate) struct NewCaseForm {
    /// One line.
    pub(crate) summary: String,
    /// What is happening.
    pub(crate) description: String,
    /// The severity chosen (`low`, `medium`, `high`), or nothing.
    pub(crate) severity: String,
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
            (file_input(limits))
            button type="submit" { "Open the case" }
        }
    }
}

/// The new-case form with `status` for the signed-in `email`, refilled
/// with `typed`, `notice` said first.
pub(crate) fn new_case_page(
    status: StatusCode,
    email: &str,
    typed: &NewCaseForm,
    notice: Option<&str>,
    limits: &AttachmentLimits,
) -> Response {
    respond(
        status,
        layout("New case", Some(email), new_case_markup(typed, notice, limits)),
    )
}
