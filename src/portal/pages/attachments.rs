//! Attachments on the pages: the forms' file input, the links to an
//! event's files, and what is said of files left out.

use crate::core::case::{Attachment, Case};
use crate::core::config::AttachmentLimits;
use crate::operations::attachments::{size, LeftOut};
use maud::{html, Markup};

/// The name of the forms' file input.
pub(crate) const FILE_FIELD: &str = "attachment";

/// The file input of a form, and the limits in words.
pub(crate) fn file_input(limits: &AttachmentLimits) -> Markup {
    html! {
        label for="attachment" { "Files (optional; up to " (size(limits.max_file_bytes)) " each, " (size(limits.max_message_bytes)) " in all)" }
        input type="file" id="attachment" name=(FILE_FIELD) multiple;
    }
}

/// What the portal says of files left out: the names as the event's note
/// has them, within its cap (the rest counted), however many parts came.
pub(crate) fn left_out_notice(left_out: &[LeftOut]) -> String {
    let note = crate::operations::attachments::left_out_note(left_out);
    let listed = note
        .strip_prefix(crate::operations::attachments::LEFT_OUT_HEAD)
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(&note);
    format!("Saved, but these files were not attached: {listed}.")
}

/// The links to an event's files on a case page (names escaped by maud).
pub(crate) fn links(case: &Case, attachments: &[Attachment]) -> Markup {
    html! {
        @if !attachments.is_empty() {
            ul.attachments {
                @for attachment in attachments {
                    li {
                        a href={ "/cases/" (case.id) "/attachments/" (attachment.sha256) } download {
                            (crate::core::terminal::for_page(&crate::core::terminal::attachment_name_for_display(&attachment.name)))
                        }
                        " (" (size(attachment.size)) ")"
                    }
                }
            }
        }
    }
}
