//! `tickets intake`: the mail server's one command. It decides reply,
//! follow-up or new case, never opens a case for automatic mail, and
//! answers in sysexits: 0 taken, 65/67 refused (bounced), 75 retried.

use crate::support::mail::{intake, intake_at, intake_desk};
use crate::support::{TestStore, CONFIG, NOW};
use assert_cmd::assert::Assert;
use predicates::str::contains;

fn desk() -> TestStore {
    intake_desk()
}

/// Ana's case of Acme Corp, "Export fails", with her address as the contact.
fn ana_case(t: &TestStore) -> String {
    t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Export fails",
        "--email",
        "ana.souza@acme.example",
    ])
}

fn message(from: &str, subject: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{}@acme.example>\r\n{extra}\r\n{body}\r\n",
        subject.len() + body.len() + extra.len()
    )
}

fn id_of(assert: Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).trim().to_string()
}

#[test]
fn a_new_message_opens_a_case_and_a_reply_by_tag_reopens_it() {
    let t = desk();
    let id = id_of(
        intake(
            &t,
            &message("ana.souza@acme.example", "Export fails", "", "Since Monday."),
        )
        .success(),
    );
    assert!(id.starts_with("RC-"), "{id}");
    assert_eq!(t.status(&id), "open");
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    let again = id_of(
        intake(
            &t,
            &message(
                "ana.souza@acme.example",
                &format!("Re: [{id}] Export fails"),
                "",
                "Version 7.2.",
            ),
        )
        .success(),
    );
    assert!(
        again.starts_with(&format!("{id}: reply: waiting-for-customer -> open")),
        "{again}"
    );
    assert_eq!(t.status(&id), "open");
    assert_eq!(t.list(&["--all"]).len(), 1, "one case");
}

#[test]
fn an_out_of_office_without_rfc_3834_headers_is_a_note_and_never_a_case() {
    let t = desk();
    let id = ana_case(&t);
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    let before = t.show(&id);
    intake(
        &t,
        &message(
            "ana.souza@acme.example",
            &format!("Automatic reply: [{id}] Export fails"),
            "",
            "I am away until Monday.",
        ),
    )
    .success()
    .stderr(contains("automatic"));
    let after = t.show(&id);
    assert_eq!(after["status"], "waiting-for-customer");
    assert_eq!(
        after["waiting_since"], before["waiting_since"],
        "the clock is untouched"
    );
    assert_eq!(after["history"].as_array().unwrap().last().unwrap()["action"], "note");
    // One that names no case is dropped: no case, no acknowledgement.
    intake(
        &t,
        &message("ana.souza@acme.example", "Out of office", "", "I am away."),
    )
    .success()
    .stderr(contains("nothing recorded"));
    assert_eq!(t.list(&["--all"]).len(), 1, "no case opened by an out-of-office");
}

#[test]
fn a_reply_to_a_closed_case_opens_a_linked_follow_up_with_one_tag_and_no_quoted_history() {
    let t = desk();
    let old = ana_case(&t);
    t.run(&["close", &old, "--resolution", "Fixed in 7.2"]).success();
    let body = "It fails again since 7.3.\r\n\r\nFrom: Acme Support <support@desk.example>\r\nSent: Monday, 2 March 2026 09:00\r\nTo: ana.souza@acme.example\r\nSubject: [RC-X] Export fails\r\n\r\nYour case was closed.";
    let new = id_of(
        intake(
            &t,
            &message("joao@acme.example", &format!("RE: [{old}] Export fails"), "", body),
        )
        .success()
        .stderr(contains("follows it up")),
    );
    assert_ne!(new, old);
    let case = t.show(&new);
    assert_eq!(case["follow_up_of"], old.as_str());
    assert_eq!(case["customer"], "Acme Corp");
    assert_eq!(case["email"], "ana.souza@acme.example", "the contact is inherited");
    assert_eq!(
        case["summary"], "Export fails",
        "the old tag and the reply prefix are gone"
    );
    let description = case["description"].as_str().unwrap();
    assert!(description.contains("It fails again since 7.3."), "{description}");
    assert!(
        !description.contains("Sent: Monday"),
        "the quoted header stays out: {description}"
    );
}

#[test]
fn refusals_bounce_with_65_or_67_and_store_problems_ask_for_a_retry_with_75() {
    let t = desk();
    intake(&t, &message("eve@evil.example", "Hello", "", "Hi."))
        .code(67)
        .stderr(contains("belongs to no customer"));
    intake(&t, "").code(65).stderr(contains("empty"));
    intake(&t, &message("ana.souza@acme.example", "Hello", "", ""))
        .code(65)
        .stderr(contains("no text"));
    // A clone ahead of this host's clock wrote last: the reply is taken,
    // dated at the case's last change, and keeps this clock's date.
    let id = ana_case(&t);
    t.run_at("2026-11-19T12:00:00Z", &["request-info", &id, "-m", "Which version?"])
        .success();
    intake_at(
        &t,
        "2026-11-19T10:30:00Z",
        &message("ana.souza@acme.example", &format!("Re: [{id}] x"), "", "7.2"),
    )
    .success()
    .stderr(contains("clock"));
    let case = t.show(&id);
    let reply = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(reply["action"], "reply");
    assert_eq!(reply["at"], "2026-11-19T12:00:00Z");
    assert_eq!(reply["clock"], "2026-11-19T10:30:00Z");
    assert_eq!(case["status"], "open");
    t.run(&["check"]).success();
    // So does a note; an analyst's own transition still refuses, plainly.
    t.run_at("2026-11-19T10:31:00Z", &["note", &id, "-m", "called her"])
        .success();
    t.run_at("2026-11-19T10:32:00Z", &["investigate", &id])
        .code(2)
        .stderr(contains("out of order"));
    // Not a store at all (a misconfigured alias): retried once fixed.
    t.cmd()
        .env("TICKETS_DIR", t.path().join("nowhere"))
        .arg("intake")
        .write_stdin(message("ana.souza@acme.example", "Hello", "", "Hi."))
        .assert()
        .code(75);
}

#[test]
fn a_busy_store_asks_the_mail_server_to_retry() {
    let t = desk();
    t.open_simple();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(t.path().join(".tickets").join("lock"))
        .expect("the lock file exists once a case was opened");
    lock.lock().expect("take the store lock");
    t.cmd()
        .env("TICKETS_LOCK_TIMEOUT", "0")
        .arg("intake")
        .write_stdin(message("ana.souza@acme.example", "Hello", "", "Hi."))
        .assert()
        .code(75)
        .stderr(contains("busy"));
    drop(lock);
    assert_eq!(t.list(&["--all"]).len(), 1, "no second case");
}

/// The header of `message` named `name` (first copy, unfolded), if any.
fn header_of(message: &str, name: &str) -> Option<String> {
    let message = message.replace("\r\n", "\n");
    let head = message.split("\n\n").next().unwrap_or("");
    let mut value: Option<String> = None;
    for line in head.split('\n') {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push_str(line);
                continue;
            }
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_string());
            }
        }
    }
    value
}

/// What a header-stripping auto-responder at `from` answers to `message`:
/// no Auto-Submitted, no Message-ID, no threading, the subject kept.
fn stripped_answer(from: &str, message: &str) -> String {
    let subject = header_of(message, "Subject").unwrap_or_default();
    let to = header_of(message, "From").unwrap_or_default();
    format!("From: {from}\r\nTo: {to}\r\nSubject: Re: {subject}\r\n\r\nThank you for your message.\r\n")
}

fn later(minutes: i64) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(NOW).unwrap() + chrono::Duration::minutes(minutes);
    at.with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn an_auto_responder_that_strips_every_header_cannot_loop_with_the_desk() {
    let t = desk();
    // The first message: from a robot whose answers carry nothing automatic.
    let first = "From: robot@acme.example\r\nTo: support@desk.example\r\nSubject: I am away\r\n\r\nAway.\r\n";
    intake(&t, first).success();
    let mut total = 0;
    let mut round_sent = Vec::new();
    for round in 1..=6 {
        let now = later(round * 10);
        let sent = t.deliver_and_capture_at(&now);
        total += sent.len();
        round_sent.push(sent.len());
        for message in &sent {
            // The robot answers every message it gets with a new, bare one.
            let answer = stripped_answer("robot@acme.example", message).replace("Subject: Re: ", "Subject: Away: ");
            intake_at(&t, &now, &answer).success();
        }
    }
    assert_eq!(total, 1, "one acknowledgement, then nothing: {round_sent:?}");
    assert!(t.list(&["--all"]).len() <= 2, "cases: {}", t.list(&["--all"]).len());
}

#[test]
fn two_desks_mailing_each_other_stop_after_one_message() {
    let customer =
        |name: &str, domain: &str| format!("  - name: {name}\n    plan: standard\n    domains: [{domain}]\n");
    let a = TestStore::with_config(&format!(
        "{CONFIG}{}mail:\n  from: \"A Support <support@a.example>\"\n",
        customer("Desk B", "b.example")
    ));
    let b = TestStore::with_config(&format!(
        "{CONFIG}{}mail:\n  from: \"B Support <support@b.example>\"\n",
        customer("Desk A", "a.example")
    ));
    // B's desk writes to A once (as a customer of A would).
    intake(&a, "From: support@b.example\r\nTo: support@a.example\r\nSubject: Hello\r\nMessage-ID: <h1@b.example>\r\n\r\nHi.\r\n").success();
    let mut mailed = Vec::new();
    for round in 1..=4 {
        let now = later(round * 10);
        for (from, to) in [(&a, &b), (&b, &a)] {
            let sent = from.deliver_and_capture_at(&now);
            mailed.push(sent.len());
            for message in sent {
                // Delivered as sent, headers and all.
                intake_at(to, &now, &message.replace("\r\n", "\n").replace('\n', "\r\n")).success();
            }
        }
    }
    let total: usize = mailed.iter().sum();
    assert_eq!(total, 1, "A's acknowledgement, then nothing: {mailed:?}");
    assert!(
        b.list(&["--all"]).is_empty(),
        "B opened nothing for A's acknowledgement"
    );
    // And when a relay strips the headers, A and B still stop.
    let stripped_a = TestStore::with_config(&format!(
        "{CONFIG}{}mail:\n  from: \"A Support <support@a.example>\"\n",
        customer("Desk B", "b.example")
    ));
    let stripped_b = TestStore::with_config(&format!(
        "{CONFIG}{}mail:\n  from: \"B Support <support@b.example>\"\n",
        customer("Desk A", "a.example")
    ));
    intake(
        &stripped_a,
        "From: support@b.example\r\nTo: support@a.example\r\nSubject: Hello\r\n\r\nHi.\r\n",
    )
    .success();
    let mut mailed = Vec::new();
    for round in 1..=6 {
        let now = later(round * 10);
        for (from, to, address) in [
            (&stripped_a, &stripped_b, "support@a.example"),
            (&stripped_b, &stripped_a, "support@b.example"),
        ] {
            let sent = from.deliver_and_capture_at(&now);
            mailed.push(sent.len());
            for message in sent {
                let bare = stripped_answer(address, &message).replace("Subject: Re: ", "Subject: ");
                intake_at(to, &now, &bare).success();
            }
        }
    }
    let total: usize = mailed.iter().sum();
    assert!(
        (2..=4).contains(&total),
        "messages per delivery: {mailed:?}; B: {:?}",
        stripped_b.list(&["--all"])
    );
    assert_eq!(
        mailed.iter().rev().take(4).sum::<usize>(),
        0,
        "the last rounds are quiet: {mailed:?}"
    );
}

#[test]
fn a_sender_opening_cases_in_a_burst_is_held_with_a_note_and_no_acknowledgement() {
    let t = TestStore::with_config(&format!(
        "{CONFIG}mail:\n  from: \"Acme Support <support@desk.example>\"\n  hold_after_cases_an_hour: 3\n"
    ));
    let mut ids = Vec::new();
    for n in 0..5 {
        let raw = message(
            "ana.souza@acme.example",
            &format!("Problem {n}"),
            "",
            &format!("It broke{}", "!".repeat(n as usize)),
        );
        ids.push(id_of(intake_at(&t, &later(n * 5), &raw).success()));
    }
    for (n, id) in ids.iter().enumerate() {
        let case = t.show(id);
        let held = case["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "note" && e["message"].as_str().is_some_and(|m| m.starts_with("held:")));
        assert_eq!(held, n >= 3, "{id}: {case}");
    }
    t.run(&["check"]).success();
    let ledger_before = std::fs::read_dir(t.path().join("sent")).map(|d| d.count()).unwrap_or(0);
    let sent = t.deliver_and_capture_at(&later(30));
    assert_eq!(sent.len(), 1, "one acknowledgement in all: {}", sent.len());
    let ledger: String = std::fs::read_dir(t.path().join("sent"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(
        ledger.matches("held, not acknowledged").count(),
        2,
        "{ledger_before} {ledger}"
    );
}
