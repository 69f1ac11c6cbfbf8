//! Reading the portal's forms: plain forms, and the upload forms whose
//! files are streamed to the store's temp files while hashed, never held
//! whole in memory; how many uploads run at once, and how long they may take.

use super::pages::attachments::FILE_FIELD;
use super::{error::PortalError, Shared};
use crate::core::config::AttachmentLimits;
use crate::operations::attachments::Enclosures;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::Form;
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
pub(crate) const MAX_UPLOADS_PER_CONTACT: usize = 2;

/// The most upload forms received at once in all; more answer 429. With
/// [`MAX_UPLOADS_PER_CONTACT`] this bounds the disk staged files may take
/// (this times `attachments.max_message_bytes`) however many connections
/// are opened.
pub(crate) const MAX_UPLOADS: usize = 16;

/// How long an upload may send nothing before it is dropped (its staged
/// files removed): a client trickling a byte a minute holds no slot forever.
pub(crate) const UPLOAD_IDLE: Duration = Duration::from_secs(60);

/// How long a whole upload form may take (25 MiB at 15 KiB/s): a client
/// sending a byte every few seconds holds its slot no longer than this.
pub(crate) const UPLOAD_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The next piece of an upload, within [`UPLOAD_IDLE`] and the upload's
/// `deadline`; else `None` (the caller answers 408).
async fn within<T>(deadline: tokio::time::Instant, next: impl std::future::Future<Output = T>) -> Option<T> {
    let at = deadline.min(tokio::time::Instant::now() + UPLOAD_IDLE);
    tokio::time::timeout_at(at, next).await.ok()
}

/// The upload forms being received, by contact.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    running: Mutex<HashMap<String, usize>>,
}

/// One upload's place among [`Uploads`]; given back when dropped (the form
/// handled, or the client gone).
#[derive(Debug)]
pub(crate) struct UploadSlot {
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
fn upload_slot(portal: &Shared, contact: &str) -> Result<UploadSlot, PortalError> {
    let mut running = portal.uploads.running.lock().unwrap_or_else(|e| e.into_inner());
    let total: usize = running.values().sum();
    let mine = running.get(contact).copied().unwrap_or(0);
    if total >= MAX_UPLOADS || mine >= MAX_UPLOADS_PER_CONTACT {
        return Err(PortalError::TooManyUploads);
    }
    *running.entry(contact.to_string()).or_insert(0) += 1;
    Ok(UploadSlot {
        portal: portal.clone(),
        contact: contact.to_string(),
    })
}

/// The largest body an upload form may send: twice the message limit (so
/// that files over it are drained and named as left out, not cut off with
/// an error page) and 1 MiB of text.
pub(crate) fn upload_body_limit(limits: &AttachmentLimits) -> usize {
    let bytes = limits.max_message_bytes.saturating_mul(2).saturating_add(1024 * 1024);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// What a form sent: its text fields, and its files received.
pub(crate) struct Submitted {
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
pub(crate) async fn read_form(
    portal: &Shared,
    contact: &str,
    limits: AttachmentLimits,
    request: Request,
) -> Result<Submitted, PortalError> {
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
            .map_err(|_| PortalError::UnreadableForm(StatusCode::PAYLOAD_TOO_LARGE))?;
        let request = Request::from_parts(parts, Body::from(bytes));
        let Form(fields) = Form::<HashMap<String, String>>::from_request(request, &()).await?;
        return Ok(Submitted {
            fields,
            enclosures,
            _slot: None,
        });
    }
    let slot = upload_slot(portal, contact)?;
    let mut multipart = Multipart::from_request(request, &()).await?;
    let mut fields = HashMap::new();
    let mut text_bytes = 0usize;
    let idle = || PortalError::UnreadableForm(StatusCode::REQUEST_TIMEOUT);
    let deadline = tokio::time::Instant::now() + UPLOAD_DEADLINE;
    while let Some(mut field) = within(deadline, multipart.next_field()).await.ok_or_else(idle)?? {
        let name = field.name().unwrap_or("").to_string();
        if name == FILE_FIELD {
            let file_name = field.file_name().unwrap_or("").to_string();
            let content_type = field.content_type().map(str::to_string);
            let mut incoming = None;
            while let Some(chunk) = within(deadline, field.chunk()).await.ok_or_else(idle)?? {
                if incoming.is_none() && chunk.is_empty() {
                    continue;
                }
                if incoming.is_none() {
                    incoming = Some(on_disk(|| enclosures.begin(&file_name, content_type.as_deref()))?);
                }
                if let Some(incoming) = incoming.as_mut() {
                    // Past its limit nothing more is written; the rest is only counted.
                    on_disk(|| incoming.write(&chunk))?;
                }
            }
            // A file input left empty sends a part with no name and no bytes;
            // an empty file with a name is still a file.
            let incoming = match incoming {
                Some(incoming) => Some(incoming),
                None if !file_name.is_empty() => {
                    Some(on_disk(|| enclosures.begin(&file_name, content_type.as_deref()))?)
                }
                None => None,
            };
            if let Some(incoming) = incoming {
                on_disk(|| enclosures.finish(incoming))?;
            }
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = within(deadline, field.chunk()).await.ok_or_else(idle)?? {
            text_bytes += chunk.len();
            if text_bytes > MAX_TEXT_FIELD_BYTES {
                return Err(PortalError::UnreadableForm(StatusCode::PAYLOAD_TOO_LARGE));
            }
            text.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(text).map_err(|_| PortalError::UnreadableForm(StatusCode::BAD_REQUEST))?;
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
