//! The customer portal, `tickets serve` (SPEC section 8): server-rendered
//! pages over the same store and the same operations as the command line.
//!
//! Here the router and what every request shares: the state (sessions and
//! the sign-in rate limit live in memory) and the body limits. Beside it:
//! `handlers` (one module per route group, thin: extractors in, operations
//! called, a page out), `pages` (the markup; maud escapes every value unless
//! marked otherwise), `extract` (the signed-in contact), `error` (the
//! handlers' error and the page each error becomes), `uploads` (reading
//! forms and their files), `middleware` (the security headers, the origin
//! check of every POST, the one log line per request) and `digests` (the
//! case list's cache).
//!
//! The store is read on every request (the index keeps that fast), so what
//! the command line, `git pull` or another clone changes shows at once.

mod client;
mod digests;
mod error;
mod error_status;
mod extract;
mod handlers;
mod middleware;
mod pages;
mod uploads;

use crate::core::error::Error;
use crate::operations::portal::{contact_of, Contact};
use crate::operations::Session;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use handlers::{attachments, cases, open, sign_in};
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
/// One-time codes typed per address in [`SIGN_IN_WINDOW`] (each code also
/// locks itself after `operations::portal::SIGN_IN_CODE_TRIES` wrong ones).
pub const CODE_TRIES_PER_ADDRESS: usize = 10;
/// One-time codes typed per client address in [`SIGN_IN_WINDOW`].
pub const CODE_TRIES_PER_CLIENT: usize = 20;
/// The window of the sign-in rate limit.
pub const SIGN_IN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The session cookie's name when the base URL is https: the `__Host-`
/// prefix makes browsers take it only with `Secure`, `Path=/` and no
/// `Domain`, so no other site or subdomain can plant one that wins.
pub const SECURE_SESSION_COOKIE: &str = "__Host-tickets_session";

/// The session cookie's name: [`SECURE_SESSION_COOKIE`] when `base_url` is
/// https; else `tickets_session_PORT` (the base URL's port, 80 by default),
/// because cookies are shared by every port of a host and another app on
/// the same host must not set a cookie this portal takes.
pub fn session_cookie_name(base_url: &str) -> String {
    if base_url.starts_with("https://") {
        return SECURE_SESSION_COOKIE.to_string();
    }
    let rest = base_url.strip_prefix("http://").unwrap_or(base_url);
    let authority = rest.split('/').next().unwrap_or("");
    let port = authority
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse::<u16>().ok())
        .unwrap_or(80);
    format!("tickets_session_{port}")
}
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

/// A signed-in browser's session.
#[derive(Debug, Clone)]
struct SessionEntry {
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
    /// The session cookie's name ([`session_cookie_name`]).
    cookie_name: String,
    fixed_now: Option<DateTime<Utc>>,
    lock_wait: Duration,
    sessions: Mutex<HashMap<String, SessionEntry>>,
    sign_in_requests: Mutex<HashMap<String, Vec<Instant>>>,
    /// The case lists (which customer each case is of, and the cases of
    /// the customers signed in), kept between requests.
    digests: digests::DigestCache,
    /// The upload forms being received.
    uploads: uploads::Uploads,
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
        let id = session_cookie(headers, &self.cookie_name)?;
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
            SessionEntry {
                email,
                expires: now + SESSION_LIFETIME,
            },
        );
        id
    }

    fn end_session(&self, headers: &HeaderMap) {
        if let Some(id) = session_cookie(headers, &self.cookie_name) {
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
        let name = &self.cookie_name;
        format!("{name}={id}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}

/// The session ID a request's cookie `name` carries.
fn session_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        // A malformed cookie of the same name (planted by another app on the
        // host, sent first for its longer path) does not hide the real one.
        .find(|(key, value)| *key == name && value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|(_, value)| value.to_string())
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
        cookie_name: session_cookie_name(&base_url),
        store: options.store,
        base_url,
        base_given,
        fixed_now: options.fixed_now,
        lock_wait: options.lock_wait,
        sessions: Mutex::new(HashMap::new()),
        sign_in_requests: Mutex::new(HashMap::new()),
        digests: digests::DigestCache::default(),
        uploads: uploads::Uploads::default(),
    });
    crate::core::error::diagnostic(&format!(
        "tickets serve: listening on http://{local} (portal at {}, store {})",
        portal.base_url,
        portal.store.root().display()
    ));
    let app = router(portal);
    // Registered before the first request is served: a SIGTERM that comes
    // while the server task is not yet polled must still stop it cleanly.
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal(terminate))
        .await
        .map_err(|e| Error::io("<portal>", e))?;
    crate::core::error::diagnostic("tickets serve: stopped");
    Ok(())
}

async fn shutdown_signal(terminate: Option<tokio::signal::unix::Signal>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match terminate {
            Some(mut signal) => {
                signal.recv().await;
            }
            None => std::future::pending::<()>().await,
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
    let upload_limit = uploads::upload_body_limit(&limits);
    Router::new()
        .route("/", get(cases::home))
        .route("/style.css", get(pages::style::stylesheet))
        .route("/login", post(sign_in::request_link))
        .route("/login/code", post(sign_in::use_code))
        .route("/login/{token}", get(sign_in::show_link).post(sign_in::use_link))
        .route("/logout", post(sign_in::sign_out))
        .route("/cases", post(open::create).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/cases/new", get(open::new_case_form))
        .route("/cases/{id}", get(cases::show))
        .route(
            "/cases/{id}/reply",
            post(cases::reply).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/cases/{id}/attachments/{sha256}", get(attachments::download))
        .route("/cases/{id}/follow-up", post(open::follow_up))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            portal.clone(),
            middleware::check_origin,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(middleware::headers_and_log))
        .with_state(portal)
}

async fn not_found() -> Response {
    pages::not_found()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_name_is_host_prefixed_on_https_and_names_the_port_otherwise() {
        assert_eq!(session_cookie_name("https://portal.example"), "__Host-tickets_session");
        assert_eq!(
            session_cookie_name("https://portal.example:8443/x"),
            "__Host-tickets_session"
        );
        assert_eq!(session_cookie_name("http://127.0.0.1:8080"), "tickets_session_8080");
        assert_eq!(session_cookie_name("http://portal.example"), "tickets_session_80");
        assert_eq!(session_cookie_name("http://[::1]:9000/"), "tickets_session_9000");
        assert_eq!(session_cookie_name("http://[::1]"), "tickets_session_80");
    }

    #[test]
    fn only_the_portals_own_cookie_name_is_read() {
        let mut headers = HeaderMap::new();
        let id = "a".repeat(64);
        let other = "b".repeat(64);
        let value = format!("tickets_session={other}; tickets_session_9000={other}; tickets_session_8080={id}");
        headers.insert(header::COOKIE, value.parse().unwrap());
        assert_eq!(session_cookie(&headers, "tickets_session_8080"), Some(id));
        assert_eq!(session_cookie(&headers, "__Host-tickets_session"), None);
    }
}
