//! The customer portal, `tickets serve`, over plain HTTP: the real binary on
//! a port of its own. Here: signing in by link, its cookie, and the limits
//! on asking for links.

use crate::support::portal::{assert_security_headers, form, link_path, open, session_of, Server, CONFIG};
use crate::support::{TestStore, NOW};

#[test]
fn a_sign_in_link_works_once_and_sets_a_strict_cookie_and_the_log_keeps_no_secret() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let path = link_path(&t, "Ana@Acme.example", &server.base());
    // Opening the link shows a button and spends nothing (mail scanners
    // open every link first); the button's POST signs in.
    let page = server.get(&path, None);
    assert_eq!(page.status, 200);
    assert!(session_of(&page).is_none(), "a GET sets no cookie");
    assert!(page.body.contains(&format!("action=\"{path}\"")), "{}", page.body);
    let first = server.post(&path, None, "");
    assert_eq!(first.status, 303);
    assert_eq!(first.header("location"), Some("/"));
    let cookie = first.header("set-cookie").expect("cookie").to_string();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    // Plain http: the name carries the port, so an app on another port of
    // this host cannot set a cookie this portal takes.
    let port = server.addr.rsplit(':').next().unwrap();
    assert!(cookie.starts_with(&format!("tickets_session_{port}=")), "{cookie}");
    let session = session_of(&first).unwrap();
    assert_eq!(session.len(), 64, "256 random bits");
    let again = server.post(&path, None, "");
    assert_eq!(again.status, 400, "a link works once");
    assert!(session_of(&again).is_none());
    let home = server.get("/", Some(&session));
    assert!(home.body.contains("Signed in as ana@acme.example"), "{}", home.body);
    // Stored hashed and private; the log names neither the token nor the cookie.
    let token = path.trim_start_matches("/login/");
    let derived = t.path().join(".tickets");
    for entry in std::fs::read_dir(&derived).unwrap() {
        let entry = entry.unwrap();
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(token), "{:?}", entry.path());
    }
    let log = server.log_with("GET / 200");
    assert!(
        log.contains("GET /login/<token> 200") && log.contains("POST /login/<token> 303"),
        "{log}"
    );
    assert!(!log.contains(token) && !log.contains(&session), "{log}");
    // Signing out ends the session on the server, not only in the browser.
    let out = server.post("/logout", Some(&session), "");
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert!(server.get("/", Some(&session)).body.contains("Send me a sign-in link"));
}

#[test]
fn an_expired_link_does_not_sign_in() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, "2026-11-19T10:15:01Z", &[], &[]);
    let path = link_path(&t, "ana@acme.example", &server.base());
    let reply = server.post(&path, None, "");
    assert_eq!(reply.status, 400);
    assert!(session_of(&reply).is_none());
    let server = Server::start(&t, "2026-11-19T10:14:59Z", &[], &[]);
    let path = link_path(&t, "ana@acme.example", &server.base());
    assert_eq!(server.post(&path, None, "").status, 303, "still within 15 minutes");
}

#[test]
fn portal_link_refuses_an_address_of_no_customer() {
    let t = TestStore::with_config(CONFIG);
    t.run(&["portal", "link", "--email", "eve@evil.example"])
        .code(2)
        .stdout("");
    t.run(&["portal", "link", "--email", "not an address"]).code(2);
}

#[test]
fn an_https_base_url_makes_the_cookie_secure_and_is_the_only_origin_taken() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &["--base-url", "https://portal.example/"], &[]);
    let url = t.stdout(&[
        "portal",
        "link",
        "--email",
        "ana@acme.example",
        "--base-url",
        "https://portal.example",
    ]);
    let path = url.trim().strip_prefix("https://portal.example").unwrap().to_string();
    let reply = server.send(
        "POST",
        &path,
        &[
            ("Origin", "https://portal.example"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(b""),
    );
    let set = reply.header("set-cookie").unwrap();
    assert!(set.starts_with("__Host-tickets_session="), "{set}");
    assert!(set.contains("; Secure") && set.contains("; Path=/"), "{set}");
    assert!(!set.contains("Domain"), "{set}");
    let session = session_of(&reply).unwrap();
    // A cookie under another name (set by another app on this host) is not
    // a session here, even with the right value.
    let planted = server.send("GET", "/", &[("Cookie", &format!("tickets_session={session}"))], None);
    assert!(planted.body.contains("Send me a sign-in link"), "{}", planted.body);
    let signed_in = server.send("GET", "/", &[("Cookie", &server.cookie(&session))], None);
    assert!(
        signed_in.body.contains("Signed in as ana@acme.example"),
        "{}",
        signed_in.body
    );
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    let cookie = server.cookie(&session);
    let body = form(&[("message", "hi")]);
    let local = server.base();
    let from_host = server.send(
        "POST",
        &format!("/cases/{id}/reply"),
        &[("Origin", &local), ("Cookie", &cookie)],
        Some(body.as_bytes()),
    );
    assert_eq!(from_host.status, 403, "only the base URL's origin");
    let ok = server.send(
        "POST",
        &format!("/cases/{id}/reply"),
        &[("Origin", "https://portal.example"), ("Cookie", &cookie)],
        Some(body.as_bytes()),
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
}

#[test]
fn post_login_answers_alike_and_queues_a_working_link_only_for_a_contact() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let contact = server.post("/login", None, &form(&[("email", "ana@acme.example")]));
    let stranger = server.post("/login", None, &form(&[("email", "eve@evil.example")]));
    assert_eq!((contact.status, stranger.status), (200, 200));
    assert_eq!(
        contact.body.replace("ana@acme.example", "X"),
        stranger.body.replace("eve@evil.example", "X")
    );
    let outbox: Vec<serde_json::Value> =
        serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).expect("outbox json");
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0]["to"], "ana@acme.example");
    // The link travels in the queued message, in a file only the owner reads.
    let file = std::fs::read_dir(t.path().join(".tickets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("outbox."))
        .expect("an outbox file");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("=\\r\\n", "")
        .replace("=3D", "=");
    let start = text.find("/login/").expect("a link in the message");
    let token: String = text[start + 7..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64);
    let reply = server.post(&format!("/login/{token}"), None, "");
    assert_eq!(reply.status, 303);
    assert!(session_of(&reply).is_some());
}

#[test]
fn sign_in_requests_are_rate_limited_per_address_and_per_client() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    for _ in 0..5 {
        assert_eq!(
            server
                .post("/login", None, &form(&[("email", "ana@acme.example")]))
                .status,
            200
        );
    }
    let limited = server.post("/login", None, &form(&[("email", "ana@acme.example")]));
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
    assert_security_headers(&limited, "429");
    // 5 to ana were counted for the client too: 15 more addresses, then refused.
    for n in 0..14 {
        let email = format!("user{n}@acme.example");
        assert_eq!(
            server.post("/login", None, &form(&[("email", &email)])).status,
            200,
            "{n}"
        );
    }
    assert_eq!(
        server
            .post("/login", None, &form(&[("email", "last@acme.example")]))
            .status,
        429
    );
}
