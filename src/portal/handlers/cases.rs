//! What a signed-in contact reads and answers: the case list, a case with
//! its public conversation, and a reply (signed with their address).

use super::{left_out_of, load_visible, refused};
use crate::operations;
use crate::operations::portal::{merged_destination, visible_cases, visible_follow_ups, visible_merged_cases};
use crate::portal::error::{blocking, PortalError};
use crate::portal::extract::SignedIn;
use crate::portal::pages::case::{case_page, case_page_around, Around, Done, Typed};
use crate::portal::pages::case_list::case_list;
use crate::portal::pages::sign_in::sign_in_page;
use crate::portal::uploads::read_form;
use crate::portal::Shared;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// `GET /`: the contact's cases, or the sign-in form.
pub(crate) async fn home(State(portal): State<Shared>, signed_in: Option<SignedIn>) -> Result<Response, PortalError> {
    let Some(SignedIn(contact)) = signed_in else {
        return Ok(sign_in_page());
    };
    let session = portal.session(&contact.email);
    let shared = portal.clone();
    let (config, contact, rows) = blocking(move || {
        let config = session.store.config()?;
        // The contact's cases of every case's digest, kept between requests
        // (see `digests`): nothing is computed for the rest of the store.
        let digests = shared.digests.get(&session)?;
        let rows = visible_cases(&contact, &digests);
        Ok((config, contact, rows))
    })
    .await?;
    Ok(case_list(&contact.email, &config, &rows))
}

/// The query of a case page: the write that led to it, if any.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

/// Where a case is shown after the write `done`: its page, which confirms it.
pub(crate) fn to_case_after(id: &str, done: Done) -> Response {
    Redirect::to(&format!("/cases/{id}?done={}", done.as_query())).into_response()
}

/// `GET /cases/ID[?done=reply|opened|follow-up]`: the case, its follow-ups
/// the contact may see, and the confirmation of the write that led here.
pub(crate) async fn show(
    State(portal): State<Shared>,
    SignedIn(contact): SignedIn,
    Path(id): Path<String>,
    query: Result<Query<ShowQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PortalError> {
    let signed_in_email = contact.email.clone();
    let (config, case) = load_visible(&portal, &contact, id).await?;
    // A merged case sends the contact on to the case that carries on; a
    // case others were merged into shows their public conversation too.
    let session = portal.session(&contact.email);
    let who = contact.clone();
    let (merged_into, merged, case) = blocking(move || {
        let destination = merged_destination(&session, &who, &case);
        let merged = visible_merged_cases(&session, &who, &case);
        Ok((destination, merged, case))
    })
    .await?;
    if let Some(target) = merged_into {
        return Ok(Redirect::to(&format!("/cases/{target}")).into_response());
    }
    let done = query
        .ok()
        .and_then(|Query(q)| q.done)
        .as_deref()
        .and_then(Done::from_query);
    let follow_ups = if case.status == crate::core::vocabulary::Status::Closed {
        let session = portal.session(&contact.email);
        let shared = portal.clone();
        let (who, of) = (contact.clone(), case.id.clone());
        blocking(move || {
            let digests = shared.digests.get(&session)?;
            Ok(visible_follow_ups(&who, &digests, &of))
        })
        .await?
        .into_iter()
        .map(|d| (d.id, d.summary))
        .collect()
    } else {
        Vec::new()
    };
    let around = Around {
        follow_ups,
        done,
        merged,
    };
    Ok(case_page_around(
        StatusCode::OK,
        &signed_in_email,
        &config,
        &case,
        &Typed::default(),
        &around,
    ))
}

/// `POST /cases/ID/reply`: the customer's reply, back to Open, with any
/// files uploaded (multipart) or none (a plain form).
pub(crate) async fn reply(
    State(portal): State<Shared>,
    SignedIn(contact): SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, PortalError> {
    // Visibility first: another's case answers 404 whatever the form holds.
    let (config, case) = load_visible(&portal, &contact, id).await?;
    let submitted = read_form(&portal, &contact.email, config.attachments, request).await?;
    let mut message = submitted.field("message").trim().to_string();
    if message.is_empty() && submitted.enclosures.is_empty() {
        let typed = Typed::notice("Write a message first.");
        return Ok(case_page(
            StatusCode::BAD_REQUEST,
            &contact.email,
            &config,
            &case,
            &typed,
        ));
    }
    if message.is_empty() {
        message = crate::core::vocabulary::ATTACHMENTS_ONLY.to_string();
    }
    let session = portal.session(&contact.email);
    let case_id = case.id.clone();
    let text = message.clone();
    let enclosures = submitted.enclosures;
    let done = match blocking(move || operations::reply(&session, &case_id, text, enclosures)).await {
        Ok(done) => done,
        Err(error) => {
            let typed = Typed {
                reply: message,
                ..Typed::default()
            };
            return refused(&contact, &config, &case, typed, error);
        }
    };
    Ok(match left_out_of(&done.warnings) {
        // Saved; the page says at once which files were not attached.
        Some(notice) => case_page(
            StatusCode::OK,
            &contact.email,
            &config,
            &done.case,
            &Typed::notice(notice),
        ),
        None => to_case_after(&case.id, Done::Reply),
    })
}
