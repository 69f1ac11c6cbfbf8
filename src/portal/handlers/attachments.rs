//! `GET /cases/ID/attachments/SHA256`: a download. Which files a contact
//! may download is the operations' rule (`visible_attachment`: a public
//! event's file of a case they may see; 404 alike for anything else); the
//! file is always sent as a download: `Content-Disposition: attachment`
//! with a safe file name, `Content-Type: application/octet-stream` and
//! `nosniff`, never rendered.

use crate::operations::portal::visible_attachment;
use crate::portal::error::{blocking, PortalError};
use crate::portal::extract::SignedIn;
use crate::portal::Shared;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The file name of a download, for `Content-Disposition`: an ASCII
/// fallback (`filename=`, only letters, digits, `.`, `-`, `_`) and the
/// name percent-encoded in UTF-8 (`filename*=`, RFC 6266 and 8187), with
/// bidi overrides, invisible and control characters escaped as on the
/// page (`\u{202e}`): a browser decodes `filename*`, and must not save
/// "Invoice\u{202e}fdp.exe" under a name that reads "Invoiceexe.pdf".
pub(crate) fn content_disposition(name: &str) -> String {
    let shown = crate::core::terminal::escape_line(&crate::core::terminal::attachment_name_for_display(name));
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
pub(crate) async fn download(
    State(portal): State<Shared>,
    SignedIn(contact): SignedIn,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, PortalError> {
    let session = portal.session(&contact.email);
    let (attachment, file) = blocking(move || visible_attachment(&session, &contact, &id, &sha256))
        .await?
        .ok_or(PortalError::NotFound)?;
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
    Ok((StatusCode::OK, response).into_response())
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
            header.contains("filename*=UTF-8''a%22b%5Cr%5CnX-Evil%3A%201%C3%A7%C3%A3o.png"),
            "{header}"
        );
    }

    #[test]
    fn bidi_and_invisible_characters_are_escaped_in_filename_star() {
        let header = content_disposition("Invoice\u{202e}fdp.exe\u{200b}");
        assert_eq!(
            header,
            "attachment; filename=\"Invoice_u_202e_fdp.exe_u_200b_\"; filename*=UTF-8''Invoice%5Cu%7B202e%7Dfdp.exe%5Cu%7B200b%7D"
        );
        for raw in ["%E2%80%AE", "%E2%80%8B"] {
            assert!(!header.contains(raw), "{header}");
        }
    }
}
