//! An outsider attacking `tickets serve`: a contact of one customer reaching
//! for another's cases, forged origins, markup in every field, and ways
//! around the sign-in rate limit. Each test is named after what broke or
//! what it holds.

use crate::support::portal::{form, link_path, open, Server};
use crate::support::{TestStore, NOW};
use std::time::{Duration, Instant};

const CONFIG: &str = r#"id_prefix: RC
analysts:
  - {id: alice, name: Alice Souza, level: l1}
customers:
  - {name: Acme Corp, domains: [acme.example]}
  - {name: Globex, domains: [globex.example], portal: own}
mail:
  from: "Support <support@desk.example>"
"#;

/// The addresses of the queued sign-in messages.
fn sign_in_recipients(t: &TestStore) -> Vec<String> {
    let outbox: Vec<serde_json::Value> =
        serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).expect("outbox json");
    outbox
        .iter()
        .filter_map(|m| m["to"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn another_customers_case_answers_404_through_every_route_and_id_spelling() {
    let t = TestStore::with_config(CONFIG);
    let acme = open(&t, "Acme Corp", Some("ana@acme.example"), "Acme secret");
    t.run(&["close", &acme, "--resolution", "Done."]).success();
    let own = open(&t, "Globex", Some("gus@globex.example"), "Gus's own");
    let colleague = open(&t, "Globex", Some("gina@globex.example"), "Gina's case");
    let server = Server::start(&t, NOW, &[], &[]);
    let gus = server.sign_in(&t, "gus@globex.example");
    assert_eq!(server.get(&format!("/cases/{own}"), Some(&gus)).status, 200);
    let lower = acme.to_ascii_lowercase();
    let prefix = &acme[..acme.len() - 1];
    let bare = acme.trim_start_matches("RC-");
    let encoded = format!("%52{}", &acme[1..]);
    for id in [
        acme.as_str(),
        &lower,
        prefix,
        bare,
        &encoded,
        &colleague,
        &format!("{acme}%00"),
    ] {
        let page = server.get(&format!("/cases/{id}"), Some(&gus));
        assert_eq!(page.status, 404, "GET {id}");
        assert!(!page.body.contains("secret") && !page.body.contains("Gina"), "{id}");
        for (route, body) in [("reply", "message=x"), ("follow-up", "summary=s&description=d")] {
            let answer = server.post_with(&format!("/cases/{id}/{route}"), Some(&gus), &[], body);
            assert_eq!(answer.status, 404, "POST {id}/{route}");
        }
    }
    let home = server.get("/", Some(&gus));
    assert!(home.body.contains(&own) && !home.body.contains(&acme) && !home.body.contains(&colleague));
    assert_eq!(t.stdout(&["list", "--all"]).lines().count(), 4, "nothing was opened");
    assert_eq!(t.status(&acme), "closed");
}

#[test]
fn forged_null_and_lookalike_origins_and_referers_are_refused() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let ours = server.base();
    let lookalike = format!("{ours}.evil.example");
    let userinfo = format!("{ours}@evil.example/");
    let body = form(&[("summary", "CSRF"), ("description", "d"), ("severity", "low")]);
    let cookie = server.cookie(&ana);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("Origin", "null")],
        vec![("Origin", "null"), ("Referer", &lookalike)],
        vec![("Origin", &lookalike)],
        vec![("Referer", &userinfo)],
        vec![("Origin", "http://localhost")],
        vec![],
    ];
    for headers in cases {
        let mut all = vec![("Cookie", cookie.as_str())];
        all.extend(headers.iter().copied());
        let answer = server.send("POST", "/cases", &all, Some(body.as_bytes()));
        assert_eq!(answer.status, 403, "{headers:?}");
    }
    assert_eq!(t.stdout(&["list", "--all"]).lines().count(), 1, "no case was opened");
}

#[test]
fn markup_in_summaries_descriptions_and_analyst_messages_is_escaped_in_text_and_attributes() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "<script>s()</script>");
    t.run(&["request-info", &id, "--message", "</div><img src=x onerror=m()>"])
        .success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let evil = "\"><img src=x onerror=a()></textarea><script>b()</script>";
    let refused = server.post_with(
        "/cases",
        Some(&ana),
        &[],
        &form(&[("summary", evil), ("description", evil), ("severity", "\"><x>")]),
    );
    assert_eq!(refused.status, 400, "no such severity");
    let page = server.get(&format!("/cases/{id}"), Some(&ana));
    for reply in [&refused, &page] {
        for raw in ["<script", "<img", "\"><img", "</textarea><script"] {
            assert!(!reply.body.contains(raw), "{raw} in {}", reply.body);
        }
    }
    assert!(refused.body.contains("value=\"&quot;&gt;&lt;img"), "{}", refused.body);
}

#[test]
fn a_quoted_local_part_does_not_dodge_the_per_address_sign_in_limit() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    for _ in 0..5 {
        let answer = server.post_with("/login", None, &[], &form(&[("email", "ana@acme.example")]));
        assert_eq!(answer.status, 200);
    }
    // The same mailbox spelt otherwise: each once counted as a new address.
    for spelling in ["\"ana\"@acme.example", "\"an\\a\"@acme.example", "\"ana\"@ACME.example"] {
        let answer = server.post_with("/login", None, &[], &form(&[("email", spelling)]));
        assert!(matches!(answer.status, 200 | 429), "{spelling}: {}", answer.status);
    }
    let queued = sign_in_recipients(&t);
    assert_eq!(queued.len(), 5, "at most 5 links reach one mailbox: {queued:?}");
    assert!(queued.iter().all(|to| to == "ana@acme.example"), "{queued:?}");
}

#[test]
fn ipv6_addresses_of_one_network_share_the_sign_in_limit() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    // A reverse proxy on this host forwards a client that rotates through
    // its /64: 2001:db8:1:2::1, ::2, ... each once counted as a new client.
    let mut limited = 0;
    for n in 1..=25 {
        let client = format!("2001:db8:1:2::{n:x}");
        let email = format!("user{n}@acme.example");
        let answer = server.post_with(
            "/login",
            None,
            &[("X-Forwarded-For", &client)],
            &form(&[("email", &email)]),
        );
        if answer.status == 429 {
            limited += 1;
        }
    }
    assert_eq!(limited, 5, "20 requests a client network in the window");
    assert_eq!(sign_in_recipients(&t).len(), 20);
    // Another network is another client.
    let other = server.post_with(
        "/login",
        None,
        &[("X-Forwarded-For", "2001:db8:1:3::1")],
        &form(&[("email", "zed@acme.example")]),
    );
    assert_eq!(other.status, 200);
}

#[test]
#[ignore = "not fixed: POST /login awaits the queueing (lock, two synced files) only for a customer's \
            address, so its answer time tells which domains are customers' (1 ms against 10-30 ms, \
            or the whole lock wait on a busy store); the fix is to queue in the background and \
            answer at once, which needs the portal tests that read the outbox right after to wait"]
fn post_login_answers_as_fast_for_a_customers_address_as_for_a_stranger() {
    let t = TestStore::with_config(CONFIG);
    open(&t, "Acme Corp", Some("ana@acme.example"), "A case makes .tickets/");
    let server = Server::start(&t, NOW, &[], &[("TICKETS_LOCK_TIMEOUT", "3")]);
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(t.path().join(".tickets/lock"))
        .unwrap();
    lock.lock().unwrap();
    let time = |email: &str| {
        let started = Instant::now();
        let answer = server.post_with("/login", None, &[], &form(&[("email", email)]));
        assert_eq!(answer.status, 200);
        started.elapsed()
    };
    let stranger = time("eve@evil.example");
    let contact = time("ana@acme.example");
    assert!(stranger < Duration::from_secs(1));
    assert!(
        contact < Duration::from_secs(1),
        "a customer's address took {contact:?}, a stranger's {stranger:?}"
    );
}

#[test]
fn fetching_a_sign_in_link_without_a_click_from_the_portal_does_not_spend_it() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let url = t.stdout(&[
        "portal",
        "link",
        "--email",
        "ana@acme.example",
        "--base-url",
        &server.base(),
    ]);
    let path = url.trim().strip_prefix(&server.base()).unwrap().to_string();
    // The scanner's (or a forged page's cross-site) GET.
    let scanned = server.send("GET", &path, &[], None);
    assert_ne!(scanned.status, 303, "a bare GET signed in");
    // The customer's click afterwards still works.
    let clicked = server.post_with(&path, None, &[], "");
    assert_eq!(clicked.status, 303);
    // A POST from another site (login CSRF) is refused and spends nothing.
    let path = link_path(&t, "ana@acme.example", &server.base());
    let forged = server.send(
        "POST",
        &path,
        &[
            ("Origin", "https://evil.example"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(b""),
    );
    assert_eq!(forged.status, 403);
    assert_eq!(server.post(&path, None, "").status, 303, "still unspent");
}

/// `.tickets/` is gitignored, but `git add -f` can commit anything: a
/// sign-in link planted there (the hash of a token the attacker knows)
/// signed the attacker in as any customer's contact on every clone.
#[test]
fn a_sign_in_link_planted_in_the_store_signs_nobody_in() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestStore::with_config(CONFIG);
    open(&t, "Acme Corp", Some("ana@acme.example"), "Acme's secret case");
    let server = Server::start(&t, NOW, &[], &[]);
    let plant = |token: &str, mode: u32| {
        let file = t.path().join(format!(
            ".tickets/signin.{}.json",
            tickets::operations::portal::token_hash(token)
        ));
        std::fs::write(
            &file,
            r#"{"email":"ana@acme.example","expires_at":"2099-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // As a git checkout writes it: readable by others.
    let planted = "a".repeat(64);
    plant(&planted, 0o644);
    let reply = server.post(&format!("/login/{planted}"), None, "");
    assert_eq!(
        reply.status, 400,
        "a planted link signs nobody in, and says the link does not work: {}",
        reply.body
    );
    assert!(!reply.body.contains("secret case"));
    // The same file as tickets writes it works: the refusal is the mode's.
    let written = "b".repeat(64);
    plant(&written, 0o600);
    assert_eq!(server.post(&format!("/login/{written}"), None, "").status, 303);
}

#[test]
fn a_second_x_forwarded_for_line_does_not_dodge_the_sign_in_limit_and_the_log_names_the_client() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    // A client writes its own X-Forwarded-For line each time; the proxy
    // appends the line with the address it saw (198.51.100.7).
    let mut limited = 0;
    for n in 1..=25 {
        let forged = format!("203.0.113.{n}");
        let email = format!("user{n}@acme.example");
        let answer = server.post_with(
            "/login",
            None,
            &[("X-Forwarded-For", &forged), ("X-Forwarded-For", "198.51.100.7")],
            &form(&[("email", &email)]),
        );
        if answer.status == 429 {
            limited += 1;
        }
    }
    assert_eq!(limited, 5, "one client, whatever its own line says");
    let log = server.log_with("198.51.100.7 POST /login 429");
    assert!(log.contains("198.51.100.7 POST /login 429"), "{log}");
}

#[test]
fn bidi_and_invisible_characters_never_reach_a_page_raw() {
    let t = TestStore::with_config(CONFIG);
    let id = open(
        &t,
        "Acme Corp",
        Some("ana@acme.example"),
        "Invoice\u{202e}fdp.exe\u{200b}",
    );
    t.run(&["request-info", &id, "-m", "See\u{2066}hidden\u{2069} this"])
        .success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    for path in ["/".to_string(), format!("/cases/{id}")] {
        let page = server.get(&path, Some(&ana));
        assert_eq!(page.status, 200);
        for c in ['\u{202e}', '\u{200b}', '\u{2066}', '\u{2069}'] {
            assert!(!page.body.contains(c), "{path} carries U+{:04X} raw", c as u32);
        }
        assert!(page.body.contains("Invoice\\u{202e}fdp.exe"), "{path}: {}", page.body);
    }
}
