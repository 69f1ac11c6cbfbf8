//! Attachments in the portal: the forms that upload them (multipart,
//! streamed to the store's temp files while hashed, never held whole in
//! memory), the download of one, and their links on a case page.
//!
//! A download is served only to a contact who may see the case, and only
//! for a public event's file (404 alike for anything else); always as a
//! download: `Content-Disposition: attachment` with a safe file name,
//! `Content-Type: application/octet-stream` and `nosniff`, never rendered.

// A handler's early answer is the response itself, once per request: boxing would buy nothing.
#![allow(clippy::result_large_err)]

use super::{blocking, failure, pages, Shared};
use crate::core::case::{Attachment, Case};
use crate::core::config::AttachmentLimits;
use crate::core::vocabulary::Visibility;
use crate::operations::attachments::{size, Enclosures, LeftOut};
use crate::operations::portal::Contact;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The most bytes of the text fields of a form read, all fields together:
/// what a plain form may send in all ([`super::MAX_BODY_BYTES`], 64 KiB),
/// so that sending the same words as multipart does not get past the cap
/// of a message, nor many fields of other names fill memory up to the body
/// limit.
const MAX_TEXT_FIELD_BYTES: usize = super::MAX_BODY_BYTES;

/// The most upload forms one contact may send at once; more answer 429.
pub(super) const MAX_UPLOADS_PER_CONTACT: usize = 2;

/// The most upload forms received at once in all; more answer 429. With
/// [`MAX_UPLOADS_PER_CONTACT`] this bounds the disk staged files may take
/// (this times `attachments.max_message_bytes`) however many connections
/// are opened.
pub(super) const MAX_UPLOADS: usize = 16;

/// How long an upload may send nothing before it is dropped (its staged
/// files removed): a client trickling a byte a minute holds no slot forever.
pub(super) const UPLOAD_IDLE: Duration = Duration::from_secs(60);

/// How long a whole upload form may take (25 MiB at 15 KiB/s): a client
/// sending a byte every few seconds holds its slot no longer than this.
pub(super) const UPLOAD_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The next piece of an upload, within [`UPLOAD_IDLE`] and the upload's
/// `deadline`; else `None` (the caller answers 408).
async fn within<T>(deadline: tokio::time::Instant, next: impl std::future::Future<Output = T>) -> Option<T> {
    let at = deadline.min(tokio::time::Instant::now() + UPLOAD_IDLE);
    tokio::time::timeout_at(at, next).await.ok()
}

/// The upload forms being received, by contact.
#[derive(Debug, Default)]
pub(super) struct Uploads {
    running: Mutex<HashMap<String, usize>>,
}

/// One upload's place among [`Uploads`]; given back when dropped (the form
/// handled, or the client gone).
#[derive(Debug)]
pub(super) struct UploadSlot {
    portal: Shared,
    contact: String,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        let mut running = self.portal.uploads.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = running.get_mut(&self.contact) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                running.remove(&self.contact);
            }
        }
    }
}

/// A place for one more upload of `contact`, or the 429 page.
fn upload_slot(portal: &Shared, contact: &str) -> Result<UploadSlot, Response> {
    let mut running = portal.uploads.running.lock().unwrap_or_else(|e| e.into_inner());
    let total: usize = running.values().sum();
    let mine = running.get(contact).copied().unwrap_or(0);
    if total >= MAX_UPLOADS || mine >= MAX_UPLOADS_PER_CONTACT {
        return Err(pages::with_retry_after(
            pages::message(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many uploads",
                "Other uploads are still being received. Nothing was changed; wait a minute and send the form again.",
            ),
            60,
        ));
    }
    *running.entry(contact.to_string()).or_insert(0) += 1;
    Ok(UploadSlot {
        portal: portal.clone(),
        contact: contact.to_string(),
    })
}

/// The name of the forms' file input.
pub(super) const FILE_FIELD: &str = "attachment";

/// The largest body an upload form may send: twice the message limit (so
/// that files over it are drained and named as left out, not cut off with
/// an error page) and 1 MiB of text.
pub(super) fn upload_body_limit(limits: &AttachmentLimits) -> usize {
    let bytes = limits.max_message_bytes.saturating_mul(2).saturating_add(1024 * 1024);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// What a form sent: its text fields, and its files received.
pub(super) struct Submitted {
    /// The text fields by name (the last of a name wins).
    pub fields: HashMap<String, String>,
    /// The files, staged in the store.
    pub enclosures: Enclosures,
    /// The upload's place, held while its staged files exist.
    pub _slot: Option<UploadSlot>,
}

impl Submitted {
    /// A text field, or the empty string.
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// Reads a form sent either way: `application/x-www-form-urlencoded` (no
/// files), or `multipart/form-data` whose file parts are streamed into the
/// store chunk by chunk, each counted against the limits as it comes.
pub(super) async fn read_form(
    portal: &Shared,
    contact: &str,
    limits: AttachmentLimits,
    request: Request,
) -> Result<Submitted, Response> {
    let store = portal.store.clone();
    let mut enclosures = Enclosures::new(&store, limits);
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        // A plain form carries no files: the small limit of every other form.
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, super::MAX_BODY_BYTES)
            .await
            .map_err(|_| pages::unreadable_form(StatusCode::PAYLOAD_TOO_LARGE))?;
        let request = Request::from_parts(parts, Body::from(bytes));
        let Form(fields) = Form::<HashMap<String, String>>::from_request(request, &())
            .await
            .map_err(|rejection| pages::unreadable_form(rejection.status()))?;
        return Ok(Submitted {
            fields,
            enclosures,
            _slot: None,
        });
    }
    let slot = upload_slot(portal, contact)?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| pages::unreadable_form(rejection.status()))?;
    let mut fields = HashMap::new();
    let mut text_bytes = 0usize;
    let unreadable = |e: axum::extract::multipart::MultipartError| pages::unreadable_form(e.status());
    let idle = || pages::unreadable_form(StatusCode::REQUEST_TIMEOUT);
    let deadline = tokio::time::Instant::now() + UPLOAD_DEADLINE;
    while let Some(mut field) = within(deadline, multipart.next_field())
        .await
        .ok_or_else(idle)?
        .map_err(unreadable)?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == FILE_FIELD {
            let file_name = field.file_name().unwrap_or("").to_string();
            let content_type = field.content_type().map(str::to_string);
            let mut incoming = None;
            while let Some(chunk) = within(deadline, field.chunk())
                .await
                .ok_or_else(idle)?
                .map_err(unreadable)?
            {
                if incoming.is_none() && chunk.is_empty() {
                    continue;
                }
                if incoming.is_none() {
                    incoming = Some(
                        on_disk(|| enclosures.begin(&file_name, content_type.as_deref())).map_err(|e| failure(&e))?,
                    );
                }
                if let Some(incoming) = incoming.as_mut() {
                    // Past its limit nothing more is written; the rest is only counted.
                    on_disk(|| incoming.write(&chunk)).map_err(|e| failure(&e))?;
                }
            }
            // A file input left empty sends a part with no name and no bytes;
            // an empty file with a name is still a file.
            let incoming = match incoming {
                Some(incoming) => Some(incoming),
                None if !file_name.is_empty() => {
                    Some(on_disk(|| enclosures.begin(&file_name, content_type.as_deref())).map_err(|e| failure(&e))?)
                }
                None => None,
            };
            if let Some(incoming) = incoming {
                on_disk(|| enclosures.finish(incoming)).map_err(|e| failure(&e))?;
            }
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = within(deadline, field.chunk())
            .await
            .ok_or_else(idle)?
            .map_err(unreadable)?
        {
            text_bytes += chunk.len();
            if text_bytes > MAX_TEXT_FIELD_BYTES {
                return Err(pages::unreadable_form(StatusCode::PAYLOAD_TOO_LARGE));
            }
            text.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(text).map_err(|_| pages::unreadable_form(StatusCode::BAD_REQUEST))?;
        fields.insert(name, text);
    }
    Ok(Submitted {
        fields,
        enclosures,
        _slot: Some(slot),
    })
}

/// Runs file work of an upload (writes, and the fsync that stages a file)
/// where the runtime expects blocking: a slow disk holds up this upload,
/// not every other request served by the same worker thread.
fn on_disk<T>(work: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(work)
}

/// The file input of a form, and the limits in words.
pub(super) fn file_input(limits: &AttachmentLimits) -> Markup {
    html! {
        label for="attachment" { "Files (optional; up to " (size(limits.max_file_bytes)) " each, " (size(limits.max_message_bytes)) " in all)" }
        input type="file" id="attachment" name=(FILE_FIELD) multiple;
    }
}

/// What the portal says of files left out: the names as the event's note
/// has them, within its cap (the rest counted), however many parts came.
pub(super) fn left_out_notice(left_out: &[LeftOut]) -> String {
    let note = crate::operations::attachments::left_out_note(left_out);
    let listed = note
        .strip_prefix(crate::operations::attachments::LEFT_OUT_HEAD)
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(&note);
    format!("Saved, but these files were not attached: {listed}.")
}

/// The links to an event's files on a case page (names escaped by maud).
pub(super) fn links(case: &Case, attachments: &[Attachment]) -> Markup {
    html! {
        @if !attachments.is_empty() {
            ul.attachments {
                @for attachment in attachments {
                    li {
                        a href={ "/cases/" (case.id) "/attachments/" (attachment.sha256) } download {
                            (crate::core::terminal::attachment_name_for_display(&attachment.name))
                        }
                        " (" (size(attachment.size)) ")"
                    }
                }
            }
        }
    }
}

/// The file name of a download, for `Content-Disposition`: an ASCII
/// fallback (`filename=`, only letters, digits, `.`, `-`, `_`) and the
/// name itself percent-encoded in UTF-8 (`filename*=`, RFC 6266 and 8187).
pub fn content_disposition(name: &str) -> String {
    let shown = crate::core::terminal::attachment_name_for_display(name);
    let mut fallback: String = shown
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if fallback.starts_with('.') || fallback.is_empty() {
        fallback.insert(0, '_');
    }
    let encoded: String = shown
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// `GET /cases/ID/attachments/SHA256`: one file of a public event of a case
/// the contact may see, streamed after its hash is checked.
pub(super) async fn download(
    State(portal): State<Shared>,
    headers: HeaderMap,
    Path((id, sha256)): Path<(String, String)>,
) -> Response {
    let contact: Contact = match super::signed_in(&portal, &headers) {
        Ok(contact) => contact,
        Err(response) => return response,
    };
    if !crate::core::case::is_sha256_hex(&sha256) {
        return pages::not_found();
    }
    let session = portal.session(&contact.email);
    let found = blocking(
        move || -> crate::core::error::Result<Option<(Attachment, std::fs::File)>> {
            let Some(case) = crate::operations::portal::visible_case(&session, &contact, &id) else {
                return Ok(None);
            };
            let attachment = case
                .history
                .iter()
                .filter(|e| e.action.visibility() == Visibility::Public)
                .flat_map(|e| &e.attachments)
                .find(|a| a.sha256 == sha256)
                .cloned();
            let Some(attachment) = attachment else {
                return Ok(None);
            };
            let file = session.store.open_attachment(&attachment)?;
            Ok(Some((attachment, file)))
        },
    )
    .await;
    let (attachment, file) = match found {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None)) => return pages::not_found(),
        Ok(Err(e)) => return failure(&e),
        Err(response) => return response,
    };
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(attachment.size));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&attachment.name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    } else {
        headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    }
    (StatusCode::OK, response).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_name_makes_a_safe_content_disposition() {
        assert_eq!(
            content_disposition("../../etc/passwd"),
            "attachment; filename=\"_.._.._etc_passwd\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"
        );
        let header = content_disposition("a\"b\r\nX-Evil: 1ção.png");
        assert!(HeaderValue::from_str(&header).is_ok(), "{header}");
        assert!(!header.contains(['\r', '\n']), "{header}");
        assert!(
            header.contains("filename*=UTF-8''a%22b%0D%0AX-Evil%3A%201%C3%A7%C3%A3o.png"),
            "{header}"
        );
    }
}
