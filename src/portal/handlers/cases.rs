//! What a signed-in contact reads and answers: the case list, a case with
//! its public conversation, and a reply (signed with their address).

use super::{left_out_of, load_visible, refused};
use crate::operations;
use crate::operations::portal::{
    merged_destination, visible_cases, visible_follow_ups, visible_merged_cases, ListQuery,
};
use crate::portal::error::{blocking, PortalError};
use crate::portal::extract::SignedIn;
use crate::portal::pages::case::{case_page, case_page_around, Around, Done, Typed};
use crate::portal::pages::case_list::case_list;
use crate::portal::pages::sign_in::sign_in_page;
use crate::portal::uploads::read_form;
use crate::portal::Shared;
use axum::extract::{Path, Query, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// `GET /`: the contact's cases, a page of them (`?show=&q=&page=`), or
/// the sign-in form.
pub(crate) async fn home(
    State(portal): State<Shared>,
    signed_in: Option<SignedIn>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PortalError> {
    let Some(SignedIn(contact)) = signed_in else {
        return Ok(sign_in_page());
    };
    let query = list_query(raw.as_deref().unwrap_or(""));
    let session = portal.session(&contact.email);
    let shared = portal.clone();
    let (config, contact, query, page) = blocking(move || {
        let config = session.store.config()?;
        // The contact's customer's cases only, kept between requests (see
        // `digests`): nothing is read for the rest of the store.
        let list = shared.digests.list(&session, &contact.customer)?;
        let page = visible_cases(&contact, &list, &query);
        Ok((config, contact, query, page))
    })
    .await?;
    Ok(case_list(&contact.email, &contact.customer, &config, &query, &page))
}

/// The list's `show`, `q` and `page` of a query string (the first of each;
/// any bytes, decoded leniently).
fn list_query(raw: &str) -> ListQuery {
    let (mut show, mut q, mut page) = (None, None, None);
    for pair in raw.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            "show" => &mut show,
            "q" => &mut q,
            "page" => &mut page,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(decode(value));
        }
    }
    ListQuery::parse(show.as_deref(), q.as_deref(), page.as_deref())
}

/// A form value: `+` is a space, `%XX` a byte; invalid UTF-8 becomes U+FFFD.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
            let list = shared.digests.list(&session, &who.customer)?;
            Ok(visible_follow_ups(&who, &list, &of))
        })
        .await?
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::portal::Show;

    #[test]
    fn a_query_string_is_read_leniently_and_the_first_value_counts() {
        let query = list_query("show=waiting&q=push+fails%21&page=3&page=9&x=1");
        assert_eq!(query.show, Show::Waiting);
        assert_eq!(query.search, "push fails!");
        assert_eq!(query.page, 3);
        for raw in [
            "page=-2",
            "page=abc",
            "page=",
            "page=0",
            "",
            "page=%FF",
            "show=nonsense",
        ] {
            let query = list_query(raw);
            assert_eq!((query.page, query.show), (1, Show::All), "{raw}");
        }
        assert_eq!(list_query("page=99999999999999999999999").page, 1);
        assert_eq!(list_query("page=4000000000").page, 4_000_000_000);
        assert_eq!(decode("%E2%9C%93%ZZ%"), "\u{2713}%ZZ%");
        assert_eq!(decode("%FF"), "\u{fffd}");
        let long = list_query(&format!("q={}", "a".repeat(10_000)));
        assert_eq!(long.search.len(), 200);
        assert!(long.search_cut);
    }
}
