//! What goes wrong in a handler, and the page it becomes. Handlers return
//! `Result<Response, PortalError>` and use `?`: on the library's errors, on
//! a form that cannot be read, and on store work that panicked.
//!
//! The library's error becomes a status in one place, [`status_of`]; the
//! page follows from the status.

use super::pages;
use crate::core::error::Error;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// How long a busy store asks the browser to wait.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 5;

/// Why a handler answers with an error page.
#[derive(Debug)]
pub(crate) enum PortalError {
    /// An operation's error: its status is [`status_of`]'s.
    Library(Error),
    /// No such page or case, or one the contact may not see (404 alike).
    NotFound,
    /// A form that could not be read: 400, 408 or 413.
    UnreadableForm(StatusCode),
    /// Too many uploads being received at once (429).
    TooManyUploads,
    /// A request's store work panicked (500, logged).
    Panicked,
    /// The portal cannot take the work at all (500).
    Unavailable,
}

/// The HTTP status of a library error: 503 when the store is busy (try
/// again), 409 when the case changed meanwhile, 500 for anything else (not
/// the customer's to fix). The one mapping from the library's errors to
/// the portal's statuses.
pub(crate) fn status_of(error: &Error) -> StatusCode {
    super::error_status::status_of(error).0
}

impl PortalError {
    /// The status and the customer's sentence of an operation's refusal the
    /// customer can act on (busy, the case changed, too large, refused
    /// input...), for a page that keeps their text; `None` for a 500 (not
    /// theirs to act on) and every error of the portal's own.
    pub(crate) fn refusal(&self) -> Option<(StatusCode, &'static str)> {
        match self {
            PortalError::Library(error) => {
                Some(super::error_status::status_of(error)).filter(|(s, _)| *s != StatusCode::INTERNAL_SERVER_ERROR)
            }
            _ => None,
        }
    }
}

impl From<Error> for PortalError {
    fn from(error: Error) -> Self {
        PortalError::Library(error)
    }
}

impl From<tokio::task::JoinError> for PortalError {
    fn from(_: tokio::task::JoinError) -> Self {
        PortalError::Panicked
    }
}

impl From<FormRejection> for PortalError {
    fn from(rejection: FormRejection) -> Self {
        PortalError::UnreadableForm(rejection.status())
    }
}

impl From<MultipartRejection> for PortalError {
    fn from(rejection: MultipartRejection) -> Self {
        PortalError::UnreadableForm(rejection.status())
    }
}

impl From<MultipartError> for PortalError {
    fn from(error: MultipartError) -> Self {
        PortalError::UnreadableForm(error.status())
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        match self {
            PortalError::Library(error) => match status_of(&error) {
                StatusCode::SERVICE_UNAVAILABLE => pages::with_retry_after(pages::busy(), RETRY_AFTER_SECONDS),
                StatusCode::CONFLICT => pages::changed(),
                StatusCode::INTERNAL_SERVER_ERROR => {
                    crate::core::error::diagnostic(&format!(
                        "tickets serve: error: {}",
                        crate::core::terminal::escape_line(&error.to_string())
                    ));
                    pages::server_error()
                }
                status => pages::message(status, "Not saved", super::error_status::status_of(&error).1),
            },
            PortalError::NotFound => pages::not_found(),
            PortalError::UnreadableForm(status) => pages::unreadable_form(status),
            PortalError::TooManyUploads => pages::with_retry_after(pages::too_many_uploads(), 60),
            PortalError::Panicked => {
                crate::core::error::diagnostic("tickets serve: a request's work panicked");
                pages::server_error()
            }
            PortalError::Unavailable => pages::server_error(),
        }
    }
}

/// At most this many requests read the store at once: each holds a scan of
/// the index, so this bounds the server's memory under load.
static STORE_WORK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Runs blocking store work off the async threads, a few at a time.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::core::error::Result<T> + Send + 'static,
) -> Result<T, PortalError> {
    let _permit = STORE_WORK.acquire().await.map_err(|_| PortalError::Unavailable)?;
    Ok(tokio::task::spawn_blocking(work).await??)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn each_error_becomes_its_status_and_page() {
        let response = PortalError::NotFound.into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        for status in [
            StatusCode::BAD_REQUEST,
            StatusCode::REQUEST_TIMEOUT,
            StatusCode::PAYLOAD_TOO_LARGE,
        ] {
            assert_eq!(PortalError::UnreadableForm(status).into_response().status(), status);
        }
        let response = PortalError::TooManyUploads.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "60");
        assert_eq!(
            PortalError::Unavailable.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(PortalError::NotFound.refusal(), None);
    }
}
