//! Signing in to the portal with the one-time code of the sign-in mail (for
//! a customer who reads their mail on another device), and the sign-in mail
//! after a mail scanner opened every link in it.

use crate::support::portal::{form, session_of, sign_in_mail, Server, CONFIG};
use crate::support::{TestStore, NOW};

/// The one-time code of a sign-in mail (`ABCD-EFGH`).
fn code_in(mail: &str) -> String {
    let at = mail.find("code on the page").expect("the mail tells of the code");
    mail[at..]
        .split_whitespace()
        .find(|w| w.len() == 9 && w.as_bytes()[4] == b'-')
        .unwrap_or_else(|| panic!("no code in {mail}"))
        .to_string()
}

/// Every `http://` URL in a mail.
fn links_in(mail: &str) -> Vec<String> {
    mail.match_indices("http://")
        .map(|(at, _)| {
            mail[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '\\')
                .collect()
        })
        .collect()
}

/// Asks for a link and code for `email` as the sign-in form does; the page.
fn ask(server: &Server, email: &str) -> crate::support::portal::Reply {
    server.post("/login", None, &form(&[("email", email)]))
}

fn type_code(server: &Server, email: &str, code: &str) -> crate::support::portal::Reply {
    server.post("/login/code", None, &form(&[("email", email), ("code", code)]))
}

#[test]
fn the_code_of_the_mail_signs_in_once_on_the_page_that_asked_and_spends_the_link() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let page = ask(&server, "ana@acme.example");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("action=\"/login/code\"") && page.body.contains("name=\"code\""),
        "the answer offers a code field: {}",
        page.body
    );
    let mail = sign_in_mail(&t, "ana@acme.example");
    let code = code_in(&mail);
    assert!(
        code.chars()
            .all(|c| c == '-' || "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(c)),
        "{code}"
    );
    // Nothing of the code is kept in the clear.
    for entry in std::fs::read_dir(t.path().join(".tickets")).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("sign") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains(&code.replace('-', "")), "{path:?}: {text}");
        }
    }
    // Typed as a person types it: lower case, a space for the dash.
    let typed = code.to_lowercase().replace('-', " ");
    let signed = type_code(&server, "Ana@Acme.example", &typed);
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.header("location"), Some("/"));
    let session = session_of(&signed).expect("a session cookie");
    let home = server.get("/", Some(&session));
    assert!(home.body.contains("Signed in as ana@acme.example"), "{}", home.body);
    // Once: the code again, and the link sent with it, sign nobody in.
    let again = type_code(&server, "ana@acme.example", &code);
    assert_eq!(again.status, 400);
    assert!(session_of(&again).is_none());
    let link = links_in(&mail)
        .into_iter()
        .find(|l| l.contains("/login/"))
        .expect("a link");
    let path = link.strip_prefix(&server.base()).expect("under the base").to_string();
    assert_eq!(server.post(&path, None, "").status, 400, "the link went with the code");
    let log = server.log_with("POST /login/code 400");
    assert!(!log.contains(&code), "{log}");
}

#[test]
fn wrong_codes_lock_the_code_and_answer_like_an_address_that_got_none() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    ask(&server, "ana@acme.example");
    let code = code_in(&sign_in_mail(&t, "ana@acme.example"));
    let wrong = if code.starts_with('A') {
        "BBBB-BBBB"
    } else {
        "AAAA-AAAA"
    };
    let first = type_code(&server, "ana@acme.example", wrong);
    let stranger = type_code(&server, "eve@evil.example", wrong);
    assert_eq!((first.status, stranger.status), (400, 400));
    assert_eq!(
        first.body.replace("ana@acme.example", "X"),
        stranger.body.replace("eve@evil.example", "X"),
        "a wrong code and an address with no code answer alike"
    );
    assert!(first.body.contains("This code does not work"), "{}", first.body);
    for _ in 0..4 {
        assert_eq!(type_code(&server, "ana@acme.example", wrong).status, 400);
    }
    // Five wrong tries: the right code no longer works either.
    let locked = type_code(&server, "ana@acme.example", &code);
    assert_eq!(locked.status, 400, "{}", locked.body);
    assert!(session_of(&locked).is_none());
    // A new mail brings a new code that works.
    ask(&server, "ana@acme.example");
    let fresh = code_in(&sign_in_mail(&t, "ana@acme.example"));
    assert_eq!(type_code(&server, "ana@acme.example", &fresh).status, 303);
}

#[test]
fn code_tries_are_limited_per_client_and_an_expired_code_does_not_sign_in() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let mut limited = 0;
    for n in 0..25 {
        let email = format!("user{n}@acme.example");
        let answer = type_code(&server, &email, "AAAA-AAAA");
        if answer.status == 429 {
            assert!(answer.header("retry-after").is_some());
            limited += 1;
        }
    }
    assert_eq!(limited, 5, "20 tries a client in the window");
    // A code past its 15 minutes.
    let t = TestStore::with_config(CONFIG);
    let code = {
        let server = Server::start(&t, NOW, &[], &[]);
        ask(&server, "ana@acme.example");
        code_in(&sign_in_mail(&t, "ana@acme.example"))
    };
    let later = Server::start(&t, "2026-11-19T10:15:01Z", &[], &[]);
    assert_eq!(type_code(&later, "ana@acme.example", &code).status, 400);
}

#[test]
fn portal_link_prints_the_code_when_asked_and_the_code_signs_in() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let out = t.stdout(&[
        "portal",
        "link",
        "--email",
        "ana@acme.example",
        "--base-url",
        &server.base(),
        "--code",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with(&format!("{}/login/", server.base())), "{out}");
    let code = lines[1].strip_prefix("code: ").expect("code: line");
    assert_eq!(type_code(&server, "ana@acme.example", code).status, 303);
}

#[test]
fn a_mail_scanner_that_opens_every_link_first_leaves_the_customer_able_to_sign_in() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    ask(&server, "ana@acme.example");
    let mail = sign_in_mail(&t, "ana@acme.example");
    let links = links_in(&mail);
    assert!(!links.is_empty(), "{mail}");
    // The scanner GETs every link, twice, and even a HEAD.
    for link in &links {
        let path = link.strip_prefix(&server.base()).expect("under the base");
        for method in ["GET", "GET", "HEAD"] {
            let seen = server.send(method, path, &[], None);
            assert!(
                seen.status == 200 || seen.status == 405,
                "{method} {path}: {}",
                seen.status
            );
            assert!(session_of(&seen).is_none(), "{method} {path} set a cookie");
        }
    }
    // Then the customer opens the link and presses the button.
    let link = links.iter().find(|l| l.contains("/login/")).unwrap();
    let path = link.strip_prefix(&server.base()).unwrap();
    assert_eq!(server.get(path, None).status, 200);
    let signed = server.post(path, None, "");
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert!(session_of(&signed).is_some());
}
