//! The customer portal, `tickets serve` (SPEC section 8): server-rendered
//! pages over the same store and the same operations as the command line.
//!
//! One module per route group (`sign_in`, `cases`), the pages' markup in
//! `pages` (maud: every value is escaped unless marked otherwise), and here
//! what every request shares: the state (sessions and the sign-in rate limit
//! live in memory), the security headers, the origin check of every POST,
//! the body limit and the one log line per request.
//!
//! The store is read on every request (the index keeps that fast), so what
//! the command line, `git pull` or another clone changes shows at once.

mod attachments;
mod cases;
mod digests;
mod error_status;
mod pages;
mod sign_in;

use crate::core::error::Error;
use crate::operations::portal::{contact_of, Contact};
use crate::operations::Session;
use crate::store::Store;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use maud::Markup;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The largest request body taken (a form): 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
/// Sign-in requests allowed per address, and per client, in [`SIGN_IN_WINDOW`].
pub const SIGN_IN_REQUESTS_PER_ADDRESS: usize = 5;
/// Sign-in requests allowed per client address in [`SIGN_IN_WINDOW`].
pub const SIGN_IN_REQUESTS_PER_CLIENT: usize = 20;
/// The window of the sign-in rate limit.
pub const SIGN_IN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tickets_session";
/// What every response carries.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; frame-ancestors 'none'";

/// How the portal is set up.
#[derive(Debug, Clone)]
pub struct PortalOptions {
    /// The store served.
    pub store: Store,
    /// The address listened on.
    pub listen: String,
    /// The portal's public URL (links in mail, the origin POSTs must come
    /// from, `Secure` cookies when https); default `http://` + the listen address.
    pub base_url: Option<String>,
    /// A pinned clock (`TICKETS_NOW`), for tests; else the system clock per request.
    pub fixed_now: Option<DateTime<Utc>>,
    /// How long a write waits for the store lock before answering 503.
    pub lock_wait: Duration,
}

/// A signed-in browser.
#[derive(Debug, Clone)]
struct SignedIn {
    email: String,
    expires: Instant,
}

/// What every handler shares.
#[derive(Debug)]
struct Portal {
    store: Store,
    base_url: String,
    /// Whether `base_url` was given (else POSTs are checked against Host).
    base_given: bool,
    secure: bool,
    fixed_now: Option<DateTime<Utc>>,
    lock_wait: Duration,
    sessions: Mutex<HashMap<String, SignedIn>>,
    sign_in_requests: Mutex<HashMap<String, Vec<Instant>>>,
    /// Every case's digest, kept between requests.
    digests: digests::DigestCache,
    /// The upload forms being received.
    uploads: attachments::Uploads,
}

type Shared = Arc<Portal>;

impl Portal {
    fn now(&self) -> DateTime<Utc> {
        self.fixed_now
            .unwrap_or_else(|| crate::core::time::truncate(Utc::now()))
    }

    fn session(&self, actor: &str) -> Session {
        Session {
            store: self.store.clone(),
            actor: actor.to_string(),
            now: self.now(),
            lock_wait: self.lock_wait,
        }
    }

    /// The signed-in contact of this request, asked of config afresh.
    fn contact(&self, headers: &HeaderMap) -> Option<Contact> {
        let id = session_cookie(headers)?;
        let email = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            match sessions.get(&id) {
                Some(s) if s.expires > Instant::now() => s.email.clone(),
                Some(_) => {
                    sessions.remove(&id);
                    return None;
                }
                None => return None,
            }
        };
        let config = self.store.config().ok()?;
        contact_of(&config, &email)
    }

    /// Starts a session for `email`; its cookie value.
    fn start_session(&self, email: String) -> String {
        use rand::Rng;
        let mut secret = [0u8; 32];
        rand::rng().fill(&mut secret);
        let id: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let now = Instant::now();
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(
            id.clone(),
            SignedIn {
                email,
                expires: now + SESSION_LIFETIME,
            },
        );
        id
    }

    fn end_session(&self, headers: &HeaderMap) {
        if let Some(id) = session_cookie(headers) {
            self.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        }
    }

    /// Counts a sign-in request against `key`; false when over `limit`.
    fn allow_sign_in(&self, key: String, limit: usize) -> bool {
        let now = Instant::now();
        let mut requests = self.sign_in_requests.lock().unwrap_or_else(|e| e.into_inner());
        requests.retain(|_, times| times.last().is_some_and(|t| now.duration_since(*t) < SIGN_IN_WINDOW));
        let times = requests.entry(key).or_default();
        times.retain(|t| now.duration_since(*t) < SIGN_IN_WINDOW);
        if times.len() >= limit {
            return false;
        }
        times.push(now);
        true
    }

    /// The cookie that carries session `id`.
    fn session_cookie_header(&self, id: &str, max_age: u64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{SESSION_COOKIE}={id}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}

/// The session ID a request's cookie carries.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Checks a base URL: `http://` or `https://`, a host, no query or
/// fragment; returns it without a trailing slash.
pub fn parse_base_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| format!("--base-url {text:?} must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#', ' ']) || rest.chars().any(char::is_control) {
        return Err(format!(
            "--base-url {text:?} must be a URL with a host and no query or fragment"
        ));
    }
    Ok(trimmed.to_string())
}

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    format!("{scheme}://{}", rest.split('/').next().unwrap_or("")).to_ascii_lowercase()
}

/// Serves the portal until SIGTERM or ctrl-c; prints the address it listens
/// on to stderr first.
pub async fn serve(options: PortalOptions) -> crate::core::error::Result<()> {
    let listener = tokio::net::TcpListener::bind(&options.listen)
        .await
        .map_err(|source| Error::CannotListen {
            address: options.listen.clone(),
            source,
        })?;
    let local = listener.local_addr().map_err(|e| Error::io(&options.listen, e))?;
    let base_given = options.base_url.is_some();
    let base_url = options.base_url.unwrap_or_else(|| format!("http://{local}"));
    let portal = Arc::new(Portal {
        secure: base_url.starts_with("https://"),
        store: options.store,
        base_url,
        base_given,
        fixed_now: options.fixed_now,
        lock_wait: options.lock_wait,
        sessions: Mutex::new(HashMap::new()),
        sign_in_requests: Mutex::new(HashMap::new()),
        digests: digests::DigestCache::default(),
        uploads: attachments::Uploads::default(),
    });
    crate::core::error::diagnostic(&format!(
        "tickets serve: listening on http://{local} (portal at {}, store {})",
        portal.base_url,
        portal.store.root().display()
    ));
    let app = router(portal);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| Error::io("<portal>", e))?;
    crate::core::error::diagnostic("tickets serve: stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn router(portal: Shared) -> Router {
    // The forms that upload files take up to twice the message limit (read
    // at start); every other route keeps the small limit.
    let limits = portal.store.config().map(|c| c.attachments).unwrap_or_default();
    let upload_limit = attachments::upload_body_limit(&limits);
    Router::new()
        .route("/", get(cases::home))
        .route("/style.css", get(pages::stylesheet))
        .route("/login", post(sign_in::request_link))
        .route("/login/{token}", get(sign_in::use_link))
        .route("/logout", post(sign_in::sign_out))
        .route("/cases", post(cases::create).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/cases/new", get(cases::new_case_form))
        .route("/cases/{id}", get(cases::case_page))
        .route(
            "/cases/{id}/reply",
            post(cases::reply).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/cases/{id}/attachments/{sha256}", get(attachments::download))
        .route("/cases/{id}/follow-up", post(cases::follow_up))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(portal.clone(), check_origin))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(headers_and_log))
        .with_state(portal)
}

async fn not_found() -> Response {
    pages::not_found()
}

/// Every response gets the security headers; every request one log line
/// (method, path with any sign-in token hidden, status, milliseconds).
async fn headers_and_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
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
        "{method} {path} {} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    ));
    response
}

/// The path as logged: a sign-in token never reaches the log, and neither
/// does anything a client could use to forge log lines.
fn loggable_path(path: &str) -> String {
    if path.starts_with("/login/") {
        return "/login/<token>".to_string();
    }
    let shown: String = path.chars().take(200).collect();
    crate::core::terminal::escape_line(&shown).replace(' ', "%20")
}

/// CSRF: a POST must come from the portal's own pages: its `Origin` (or,
/// without one, its `Referer`) is the base URL's origin, or with no base
/// URL given, `http://` + its Host. Anything else answers 403.
async fn check_origin(State(portal): State<Shared>, request: Request, next: Next) -> Response {
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

/// At most this many requests read the store at once: each holds a scan of
/// the index, so this bounds the server's memory under load.
static STORE_WORK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Runs blocking store work off the async threads, a few at a time.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Response> {
    let _permit = STORE_WORK.acquire().await.map_err(|_| pages::server_error())?;
    tokio::task::spawn_blocking(work).await.map_err(|_| {
        crate::core::error::diagnostic("tickets serve: a request's work panicked");
        pages::server_error()
    })
}

/// The page for an operation's error that is not the customer's to fix.
fn failure(error: &Error) -> Response {
    crate::core::error::diagnostic(&format!(
        "tickets serve: error: {}",
        crate::core::terminal::escape_line(&error.to_string())
    ));
    pages::server_error()
}

/// A page with a status.
fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, axum::response::Html(markup.into_string())).into_response()
}

// A handler's early answer is the response itself: boxing would buy nothing.
#[allow(clippy::result_large_err)]
fn signed_in(portal: &Portal, headers: &HeaderMap) -> Result<Contact, Response> {
    portal.contact(headers).ok_or_else(|| Redirect::to("/").into_response())
}
