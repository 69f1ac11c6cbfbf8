//! The customer portal, `tickets serve`, over plain HTTP: the real binary on
//! a port of its own. Here: every route a signed-in contact uses, every
//! refusal, the headers of every response, and who may see which case.

use crate::support::portal::{assert_security_headers, form, open, Server, CONFIG};
use crate::support::write_script;
use crate::support::{TestStore, NOW};

#[test]
fn a_post_from_another_origin_or_none_is_refused_and_changes_nothing() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let cookie = server.cookie(&session);
    let body = form(&[("message", "hi")]);
    let path = format!("/cases/{id}/reply");
    for headers in [
        vec![("Cookie", cookie.as_str())],
        vec![("Cookie", cookie.as_str()), ("Origin", "http://evil.example")],
        vec![("Cookie", cookie.as_str()), ("Origin", "null")],
        vec![("Cookie", cookie.as_str()), ("Referer", "http://evil.example/page")],
        // A browser's own word on where the form came from wins over the rest.
        vec![
            ("Cookie", cookie.as_str()),
            ("Sec-Fetch-Site", "cross-site"),
            ("Origin", "null"),
        ],
        vec![
            ("Cookie", cookie.as_str()),
            ("Sec-Fetch-Site", "same-site"),
            ("Referer", "http://evil.example/page"),
        ],
    ] {
        let reply = server.send("POST", &path, &headers, Some(body.as_bytes()));
        assert_eq!(reply.status, 403, "{headers:?}");
        assert_security_headers(&reply, "403");
    }
    assert_eq!(t.status(&id), "waiting-for-customer");
    let referer = format!("{}/cases/{id}", server.base());
    let ok = server.send(
        "POST",
        &path,
        &[("Cookie", &cookie), ("Referer", &referer)],
        Some(body.as_bytes()),
    );
    assert_eq!(ok.status, 303, "the portal's own page, by its Referer");
    assert_eq!(t.status(&id), "open");
    // What Chromium really sends under `Referrer-Policy: no-referrer`: no
    // Referer, `Origin: null`, and Sec-Fetch-Site (every browser form was refused).
    t.run(&["request-info", &id, "--message", "And the build?"]).success();
    let browser = server.send(
        "POST",
        &path,
        &[
            ("Cookie", &cookie),
            ("Origin", "null"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        Some(body.as_bytes()),
    );
    assert_eq!(browser.status, 303, "a same-origin form in a real browser");
    assert_eq!(t.status(&id), "open");
}

#[test]
fn oversized_and_malformed_forms_get_a_clear_page_and_change_nothing() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let before = t.file(&id);
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let big = form(&[("message", &"x".repeat(70 * 1024))]);
    let reply = server.post(&format!("/cases/{id}/reply"), Some(&session), &big);
    assert_eq!(reply.status, 413);
    assert!(reply.body.contains("Too large"));
    assert_security_headers(&reply, "413");
    let reply = server.post(&format!("/cases/{id}/reply"), Some(&session), "nothing=here");
    assert_eq!(reply.status, 400);
    let reply = server.post(
        "/cases",
        Some(&session),
        &form(&[("summary", "x"), ("description", "y"), ("severity", "urgent")]),
    );
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("value=\"x\""), "the form keeps what was typed");
    let reply = server.post(
        "/cases",
        Some(&session),
        &form(&[("summary", "a\u{7}b"), ("description", "y"), ("severity", "low")]),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(t.file(&id), before);
    assert_eq!(t.list(&["--all"]).len(), 1);
}

#[test]
fn a_missing_case_another_customers_case_and_a_malformed_id_answer_404_alike() {
    let t = TestStore::with_config(CONFIG);
    let own = open(&t, "Acme Corp", Some("ana@acme.example"), "Ours");
    let foreign = open(&t, "Globex", Some("gil@globex.example"), "Theirs");
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let prefix = &own[..own.len() - 2];
    let mut bodies = Vec::new();
    for path in [
        format!("/cases/{foreign}"),
        "/cases/RC-ZZZZZZZZ".to_string(),
        "/cases/..%2Fconfig.yaml".to_string(),
        "/cases/not-an-id".to_string(),
        format!("/cases/{prefix}"),
        format!("/cases/{}", own.to_lowercase()),
        "/no/such/page".to_string(),
    ] {
        let reply = server.get(&path, Some(&session));
        assert_eq!(reply.status, 404, "{path}");
        assert_security_headers(&reply, &path);
        bodies.push(reply.body);
        let reply = server.post(&format!("{path}/reply"), Some(&session), &form(&[("message", "hi")]));
        assert_eq!(reply.status, 404, "{path}/reply");
        bodies.push(reply.body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "one 404 page for all");
    assert_eq!(server.get(&format!("/cases/{own}"), Some(&session)).status, 200);
}

#[test]
fn a_case_page_shows_the_public_conversation_and_nothing_internal() {
    let t = TestStore::with_config(CONFIG);
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push <script>alert(1)</script>",
        "--description",
        "No push since <b>Monday</b>",
        "--email",
        "ana@acme.example",
    ]);
    t.run(&["note", &id, "--message", "INTERNAL-NOTE customer is difficult"])
        .success();
    t.run(&["investigate", &id, "--note", "INTERNAL-INVESTIGATE looking at logs"])
        .success();
    t.run(&["request-info", &id, "--message", "PUBLIC-QUESTION which version?"])
        .success();
    t.run(&["reply", &id, "--message", "PUBLIC-ANSWER 7.2"]).success();
    t.run(&["reassess", &id, "--severity", "high"]).success();
    t.run(&["escalate", &id, "--note", "INTERNAL-ESCALATE to L2"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let page = server.get(&format!("/cases/{id}"), Some(&session));
    assert_eq!(page.status, 200);
    for shown in [
        "PUBLIC-QUESTION which version?",
        "PUBLIC-ANSWER 7.2",
        "No push since &lt;b&gt;Monday&lt;/b&gt;",
        "&lt;script&gt;",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    let list = server.get("/", Some(&session));
    for body in [&page.body, &list.body] {
        for hidden in [
            "INTERNAL",
            "alice",
            "Alice",
            "carla",
            "Carla",
            "routed",
            "<script>alert",
            "tester",
        ] {
            assert!(!body.contains(hidden), "{hidden} shown: {body}");
        }
    }
    assert!(list.body.contains("Received") || list.body.contains("Being investigated"));
}

#[test]
fn a_list_shows_status_in_the_seeds_words_whose_turn_it_is_and_the_close_date() {
    let t = TestStore::with_config(CONFIG);
    let waiting = open(&t, "Acme Corp", Some("ana@acme.example"), "Waiting one");
    t.run(&["request-info", &waiting, "--message", "Which version?"])
        .success();
    let escalated = open(&t, "Acme Corp", Some("bo@acme.example"), "Escalated one");
    t.run(&["escalate", &escalated]).success();
    t.run(&["escalate", &escalated, "--impact", "high"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let list = server.get("/", Some(&session));
    assert!(list.body.contains("Waiting for you"), "{}", list.body);
    assert!(
        list.body
            .contains("Closes on <span class=\"nowrap\">2026-11-26 10:00 (UTC)</span>"),
        "{}",
        list.body
    );
    // One answer to "whose turn": an escalated case is with R&D, never
    // "with support" beside it; the seed's sentences are on the case page.
    assert!(
        list.body.contains("<td class=\"turn\"><span>With R&amp;D</span></td>"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("With support"), "{}", list.body);
    assert!(
        !list.body.contains("waiting-for-customer"),
        "never the YAML spelling: {}",
        list.body
    );
    assert!(list.body.contains(&escalated) && list.body.contains(&waiting));
}

#[test]
fn a_contact_replies_opens_a_case_and_follows_up_a_closed_one() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let reply = server.post(
        &format!("/cases/{id}/reply"),
        Some(&session),
        &form(&[("message", "Version 7.2")]),
    );
    assert_eq!(reply.status, 303);
    let case = t.show(&id);
    assert_eq!(case["status"], "open");
    assert!(case["waiting_since"].is_null());
    let last = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["actor"].as_str()),
        (Some("reply"), Some("ana@acme.example"))
    );
    // The new-case form shows the severity definitions beside the choice.
    let new = server.get("/cases/new", Some(&session));
    assert!(new.body.contains("system down") && new.body.contains("feature requests"));
    assert!(new.body.contains("<label for=\"summary\">"));
    let created = server.post(
        "/cases",
        Some(&session),
        &form(&[
            ("summary", "Login slow"),
            ("description", "Since Monday"),
            ("severity", "high"),
        ]),
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let new_id = created
        .header("location")
        .unwrap()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let case = t.show(&new_id);
    assert_eq!(case["customer"], "Acme Corp");
    assert_eq!(case["email"], "ana@acme.example");
    assert_eq!(case["channel"], "portal");
    assert_eq!(case["severity"], "high");
    assert_eq!(case["assignee"], "alice", "routed like any other case");
    // A closed case: no reply, a follow-up.
    t.run(&["close", &id, "--resolution", "Fixed in 7.3"]).success();
    let refused = server.post(
        &format!("/cases/{id}/reply"),
        Some(&session),
        &form(&[("message", "again")]),
    );
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("again"), "what was typed is kept");
    let page = server.get(&format!("/cases/{id}"), Some(&session));
    assert!(page.body.contains("Fixed in 7.3") && page.body.contains("follow-up"));
    let followed = server.post(
        &format!("/cases/{id}/follow-up"),
        Some(&session),
        &form(&[("summary", "Back again"), ("description", "It returned")]),
    );
    assert_eq!(followed.status, 303, "{}", followed.body);
    let follow_id = followed
        .header("location")
        .unwrap()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(t.show(&follow_id)["follow_up_of"], id.as_str());
    let not_closed = server.post(
        &format!("/cases/{new_id}/follow-up"),
        Some(&session),
        &form(&[("summary", "x"), ("description", "y")]),
    );
    assert_eq!(not_closed.status, 409);
}

#[test]
fn a_busy_store_answers_503_with_retry_after_and_keeps_what_was_typed() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let server = Server::start(&t, NOW, &[], &[("TICKETS_LOCK_TIMEOUT", "0.2")]);
    let session = server.sign_in(&t, "ana@acme.example");
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(t.path().join(".tickets/lock"))
        .unwrap();
    lock.lock().unwrap();
    let reply = server.post(
        &format!("/cases/{id}/reply"),
        Some(&session),
        &form(&[("message", "Typed <text>")]),
    );
    assert_eq!(reply.status, 503);
    assert!(reply.header("retry-after").is_some());
    assert!(reply.body.contains("Typed &lt;text&gt;"), "{}", reply.body);
    let created = server.post(
        "/cases",
        Some(&session),
        &form(&[("summary", "Kept"), ("description", "d"), ("severity", "low")]),
    );
    assert_eq!(created.status, 503);
    assert!(created.body.contains("value=\"Kept\""));
    drop(lock);
    assert_eq!(t.status(&id), "waiting-for-customer");
    assert_eq!(
        server
            .post(
                &format!("/cases/{id}/reply"),
                Some(&session),
                &form(&[("message", "now")])
            )
            .status,
        303
    );
}

#[test]
fn every_response_carries_the_security_headers() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let css = server.get("/style.css", None);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let replies = [
        ("GET / signed out", server.get("/", None)),
        ("GET / signed in", server.get("/", Some(&session))),
        ("GET /style.css", css),
        ("GET /cases/ID", server.get(&format!("/cases/{id}"), Some(&session))),
        ("GET /cases/ID signed out", server.get(&format!("/cases/{id}"), None)),
        ("GET /cases/new", server.get("/cases/new", Some(&session))),
        ("GET /login/bad", server.get("/login/bad", None)),
        ("POST /login", server.post("/login", None, "email=a%40b.example")),
        ("POST /logout", server.post("/logout", None, "")),
        ("404", server.get("/nope", None)),
    ];
    for (what, reply) in &replies {
        assert_security_headers(reply, what);
    }
    assert_eq!(replies[4].1.status, 303, "signed out: to the sign-in form");
}

#[test]
fn the_server_stops_cleanly_on_sigterm() {
    let t = TestStore::with_config(CONFIG);
    let mut server = Server::start(&t, NOW, &[], &[]);
    assert_eq!(server.get("/", None).status, 200);
    let pid = server.child.id() as i32;
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(server.log_with("stopped").contains("stopped"));
}

/// Every (contact, case) pair, for reading and replying, against the rule:
/// a case of the contact's customer, and under `portal: own` only one with
/// the contact's own address.
#[test]
fn every_contact_sees_and_answers_exactly_the_cases_the_rule_allows() {
    let t = TestStore::with_config(CONFIG);
    let contacts = [
        ("ana@acme.example", "Acme Corp", false),
        ("bo@acme.example", "Acme Corp", false),
        ("gil@globex.example", "Globex", true),
        ("hal@globex.example", "Globex", true),
        ("ian@initech.example", "Initech", false),
    ];
    let mut cases = Vec::new();
    for (customer, email) in [
        ("Acme Corp", Some("ana@acme.example")),
        ("Acme Corp", Some("bo@acme.example")),
        ("Acme Corp", None),
        ("Globex", Some("gil@globex.example")),
        ("Globex", Some("GIL@globex.example")),
        ("Globex", Some("hal@globex.example")),
        ("Globex", None),
        ("Initech", Some("ian@initech.example")),
        ("Initech", Some("ana@acme.example")),
    ] {
        let id = open(&t, customer, email, &format!("{customer} case"));
        t.run(&["request-info", &id, "--message", "Which version?"]).success();
        cases.push((id, customer, email));
    }
    let closed = open(&t, "Initech", Some("ian@initech.example"), "Initech closed");
    t.run(&["close", &closed, "--resolution", "Done"]).success();
    cases.push((closed.clone(), "Initech", Some("ian@initech.example")));
    let server = Server::start(&t, NOW, &[], &[]);
    let mut checked = 0;
    for (contact, customer_of_contact, own_only) in contacts {
        let session = server.sign_in(&t, contact);
        let list = server.get("/", Some(&session)).body;
        for (id, customer, email) in &cases {
            let allowed = *customer == customer_of_contact
                && (!own_only || email.is_some_and(|e| e.eq_ignore_ascii_case(contact)));
            let page = server.get(&format!("/cases/{id}"), Some(&session));
            assert_eq!(page.status, if allowed { 200 } else { 404 }, "{contact} GET {id}");
            assert_eq!(list.contains(id.as_str()), allowed, "{contact} list {id}");
            let reply = server.post(
                &format!("/cases/{id}/reply"),
                Some(&session),
                &form(&[("message", &format!("probe from {contact}"))]),
            );
            let expected = match (allowed, id == &closed) {
                (false, _) => 404,
                (true, true) => 409,
                (true, false) => 303,
            };
            assert_eq!(reply.status, expected, "{contact} POST {id}/reply");
            let follow = server.post(
                &format!("/cases/{id}/follow-up"),
                Some(&session),
                &form(&[("summary", "probe"), ("description", "probe")]),
            );
            let expected = match (allowed, id == &closed) {
                (false, _) => 404,
                (true, true) => 303,
                (true, false) => 409,
            };
            assert_eq!(follow.status, expected, "{contact} POST {id}/follow-up");
            checked += 1;
        }
    }
    assert_eq!(checked, 50);
    // What the store holds agrees: replies only from contacts allowed.
    for (id, customer, email) in &cases {
        let history = t.show(id)["history"].as_array().unwrap().clone();
        for event in history.iter().filter(|e| e["action"] == "reply") {
            let actor = event["actor"].as_str().unwrap();
            let (_, customer_of_actor, own_only) = contacts.iter().find(|c| c.0 == actor).expect("a contact");
            assert_eq!(customer_of_actor, customer, "{actor} replied on {id}");
            assert!(
                !own_only || email.is_some_and(|e| e.eq_ignore_ascii_case(actor)),
                "{actor} on {id}"
            );
        }
    }
}

#[test]
fn deliver_sends_a_sign_in_link_without_a_case_and_forgets_it_once_sent() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    assert_eq!(
        server
            .post("/login", None, &form(&[("email", "ana@acme.example")]))
            .status,
        200
    );
    let tmp = tempfile::tempdir().unwrap();
    let sent = tmp.path().join("sent.txt");
    let script = tmp.path().join("sendmail");
    write_script(&script, &format!("cat >> '{}'\n", sent.display()));
    t.cmd()
        .env_remove("TICKETS_SMTP_URL")
        .env("TICKETS_SENDMAIL", format!("{} -t -oi", script.display()))
        .args(["deliver"])
        .assert()
        .success();
    let mail = std::fs::read_to_string(&sent).expect("the message was handed to sendmail");
    assert!(mail.contains("/login/") && mail.contains("ana@acme.example"), "{mail}");
    let outbox = t.stdout(&["outbox", "--format", "json"]);
    assert!(outbox.contains("\"sent\""), "{outbox}");
    for entry in std::fs::read_dir(t.path().join(".tickets")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        assert!(!text.contains("/login/"), "the link is not kept once sent: {text}");
    }
}

#[test]
fn the_case_list_shows_what_the_command_line_and_a_hand_edit_changed_without_a_restart() {
    // The list keeps every case's digest between requests; a write through
    // the command line (a rename into the store) and an edit in place (no
    // rename at all) both show without restarting the server.
    let t = TestStore::with_config(CONFIG);
    let first = open(&t, "Acme Corp", Some("ana@acme.example"), "First problem");
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let list = |server: &Server| server.get("/", Some(&session)).body;
    assert!(list(&server).contains("First problem"));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(list(&server).contains("First problem"), "read again, now settled");

    let second = open(&t, "Acme Corp", Some("ana@acme.example"), "Second problem");
    assert!(list(&server).contains("Second problem"), "a new case shows at once");

    let text = String::from_utf8(t.file(&first)).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(t.case_path(&first))
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.replace("First problem", "Edited by hand").as_bytes()))
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !list(&server).contains("Edited by hand") {
        assert!(
            std::time::Instant::now() < deadline,
            "an edit in place shows within seconds"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert!(list(&server).contains(&second));
}

#[test]
fn a_status_reads_as_a_short_label_in_the_customers_words_never_the_yaml_spelling() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    for path in ["/".to_string(), format!("/cases/{id}")] {
        let page = server.get(&path, Some(&ana));
        assert!(page.body.contains("Waiting for you"), "{path}: {}", page.body);
        assert!(!page.body.contains("waiting-for-customer"), "{path}: {}", page.body);
    }
}
