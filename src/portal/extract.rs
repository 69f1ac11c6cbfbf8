//! The portal's extractors: who is signed in.

use super::Shared;
use crate::operations::portal::Contact;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::Redirect;
use std::convert::Infallible;

/// The signed-in contact of a request (asked of config afresh each time).
/// A handler that takes it answers a browser that is not signed in with a
/// redirect to `/`, the sign-in form; `Option<SignedIn>` takes either.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn(pub(crate) Contact);

impl FromRequestParts<Shared> for SignedIn {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, portal: &Shared) -> Result<Self, Self::Rejection> {
        portal
            .contact(&parts.headers)
            .map(SignedIn)
            .ok_or_else(|| Redirect::to("/"))
    }
}

impl OptionalFromRequestParts<Shared> for SignedIn {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, portal: &Shared) -> Result<Option<Self>, Self::Rejection> {
        Ok(portal.contact(&parts.headers).map(SignedIn))
    }
}
