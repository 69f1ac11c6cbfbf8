//! What wraps every request: the security headers and one log line on
//! every response, and the origin check of every POST (CSRF).

use super::{pages, Portal, Shared, CONTENT_SECURITY_POLICY};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Every response gets the security headers; every request one log line
/// (the client as rate limiting counts it, method, path with any sign-in
/// token hidden, status, milliseconds).
pub(crate) async fn headers_and_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| super::client::client_of(info.0, request.headers()))
        .map(|client| crate::core::terminal::escape_line(&client).replace(' ', "%20"))
        .unwrap_or_else(|| "-".to_string());
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    crate::core::error::diagnostic(&format!(
        "{client} {method} {path} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    ));
    response
}

/// The path as logged: a sign-in token never reaches the log, and neither
/// does anything a client could use to forge log lines.
fn loggable_path(path: &str) -> String {
    if path.starts_with("/login/") && path != "/login/code" {
        return "/login/<token>".to_string();
    }
    let shown: String = path.chars().take(200).collect();
    crate::core::terminal::escape_line(&shown).replace(' ', "%20")
}

/// CSRF: a POST must come from the portal's own pages: its `Origin` (or,
/// without one, its `Referer`) is the base URL's origin, or with no base
/// URL given, `http://` + its Host. Anything else answers 403.
pub(crate) async fn check_origin(State(portal): State<Shared>, request: Request, next: Next) -> Response {
    if request.method() == Method::POST && !same_origin(&portal, request.headers()) {
        return pages::forbidden();
    }
    next.run(request).await
}

fn same_origin(portal: &Portal, headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    // Browsers say where a request comes from in Sec-Fetch-Site (a header
    // a page cannot forge); with `Referrer-Policy: no-referrer` a same-origin
    // form is sent with `Origin: null` and no Referer, so this comes first.
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return site == "same-origin";
    }
    let expected = if portal.base_given {
        origin_of(&portal.base_url)
    } else {
        match text(header::HOST) {
            Some(host) => format!("http://{}", host.to_ascii_lowercase()),
            None => return false,
        }
    };
    match text(header::ORIGIN).filter(|o| *o != "null") {
        Some(origin) => origin.to_ascii_lowercase() == expected,
        None => text(header::REFERER).is_some_and(|referer| {
            let referer = referer.to_ascii_lowercase();
            referer == expected || referer.starts_with(&format!("{expected}/"))
        }),
    }
}

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    format!("{scheme}://{}", rest.split('/').next().unwrap_or("")).to_ascii_lowercase()
}
