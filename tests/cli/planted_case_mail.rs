//! Attacks on the mail host by someone who can push to the shared store:
//! the messages `deliver` composes from every committed public event of a
//! planted case file. Each test plants one attack and asserts the thing
//! that would be wrong: mail to another address, an injected header, a
//! hang, a file from outside the store, mass mail.

use crate::support::mail::{a_case, deliver, mail_store, tickets, MailServer};
use crate::support::*;
use std::os::unix::fs::symlink;
use std::time::Duration;

/// Replaces `from` by `to` in the case file (a hand edit, as pushed).
fn edit_case(t: &TestStore, id: &str, from: &str, to: &str) {
    let path = t.case_path(id);
    let text = std::fs::read_to_string(&path).expect("case");
    assert!(text.contains(from), "{from:?} not in the case file:\n{text}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("case");
}

/// Appends events to the case's history (the case file ends with it).
fn append_events(t: &TestStore, id: &str, events: &str) {
    let path = t.case_path(id);
    let mut text = std::fs::read_to_string(&path).expect("case");
    text.push_str(events);
    std::fs::write(&path, text).expect("case");
}

fn no_mail_to_the_attacker(server: &MailServer) {
    for message in server.arguments() {
        assert!(!message.contains("evil"), "sendmail was called with {message}");
    }
    for message in server.messages() {
        let head = message.split("\n\n").next().unwrap_or("");
        for line in head.lines().filter(|l| !l.starts_with([' ', '\t'])) {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            let name = name.to_ascii_lowercase();
            assert!(
                !["bcc", "cc", "resent-to", "resent-cc", "resent-bcc"].contains(&name.as_str()),
                "an injected header: {line}"
            );
            if name == "to" {
                assert!(!value.contains("evil"), "mailed to the attacker: {line}");
            }
        }
    }
}

#[test]
fn a_planted_contact_naming_several_addresses_is_never_mailed_to_the_others() {
    let server = MailServer::new();
    for email in [
        "ana@acme.example, evil@evil.example",
        "ana@acme.example>, <evil@evil.example",
        "\"x\" <ana@acme.example>, evil@evil.example",
        "Group: ana@acme.example, evil@evil.example;",
        "ana@acme.example\r\nBcc: evil@evil.example",
        "ana@acme.example\nBcc: evil@evil.example",
    ] {
        let t = mail_store();
        let id = a_case(&t);
        edit_case(
            &t,
            &id,
            "email: ana@acme.example\n",
            &format!("email: {}\n", serde_json::json!(email)),
        );
        t.run(&["request-info", &id, "--message", "Which version?"]).success();
        let out = deliver(&t, &server);
        assert_ne!(out.status.code(), Some(101), "deliver panicked on {email:?}");
    }
    no_mail_to_the_attacker(&server);
}

#[test]
fn crlf_in_a_planted_message_id_or_summary_injects_no_header() {
    let server = MailServer::new();
    let t = mail_store();
    let id = a_case(&t);
    edit_case(
        &t,
        &id,
        "summary: Push fails\n",
        "summary: \"Push fails\\r\\nBcc: evil@evil.example\\r\\nX-Injected: 1\"\n",
    );
    edit_case(
        &t,
        &id,
        "email: ana@acme.example\n",
        "email: ana@acme.example\nmessage_id: \"x@y>\\r\\nBcc: evil2@evil.example\\r\\nX-Injected: 2\"\n",
    );
    t.run(&["request-info", &id, "--message", "Q\r\nBcc: evil3@evil.example"])
        .success();
    let out = deliver(&t, &server);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!server.messages().is_empty(), "nothing was sent at all");
    for message in server.messages() {
        let head = message.split("\n\n").next().unwrap_or("");
        assert!(
            !head.lines().any(|l| l.starts_with("X-Injected")),
            "a header was injected:\n{head}"
        );
    }
    no_mail_to_the_attacker(&server);
}

#[test]
fn a_yaml_alias_bomb_in_a_planted_case_is_refused_quickly() {
    let server = MailServer::new();
    let t = mail_store();
    let id = a_case(&t);
    let mut bomb = String::from("_b0: &a0 [\"lololololololololol\", \"lololololololololol\", \"lololololol\"]\n");
    for n in 1..12 {
        let refs = vec![format!("*a{}", n - 1); 9].join(",");
        bomb.push_str(&format!("_b{n}: &a{n} [{refs}]\n"));
    }
    let path = t.case_path(&id);
    let case = std::fs::read_to_string(&path).expect("case");
    std::fs::write(
        &path,
        format!(
            "{bomb}{}",
            case.replace("description: No push since Monday", "description: *a11")
        ),
    )
    .expect("case");
    let (out, took) = tickets(&t, NOW, Some(&server), &["deliver"]);
    assert!(took < Duration::from_secs(2), "the alias bomb took {took:?}");
    assert!(
        text(&out.stderr).contains(&id),
        "the bad file is named: {}",
        text(&out.stderr)
    );
    assert!(server.messages().is_empty());
}

#[test]
fn a_planted_attachment_linked_outside_the_store_is_never_mailed() {
    let server = MailServer::new();
    let outside = tempfile::tempdir().expect("temp dir");
    let sha = format!("ab{}", "c".repeat(62));
    std::fs::create_dir(outside.path().join("ab")).expect("ab");
    std::fs::write(outside.path().join("ab").join(&sha[2..]), "TOPSECRET\n").expect("secret");
    let plant = |t: &TestStore, id: &str| {
        append_events(
            t,
            id,
            &format!(
                "- at: 2026-11-19T10:00:00Z\n  actor: alice\n  action: request-info\n  from: open\n  \
                 to: waiting-for-customer\n  message: see attached\n  attachments:\n  - name: secret.txt\n    \
                 size: 10\n    sha256: {sha}\n    content_type: text/plain\n"
            ),
        );
    };
    // attachments/ -> outside; attachments/ab -> outside/ab; the file itself linked.
    for layout in 0..3 {
        let t = mail_store();
        let id = a_case(&t);
        plant(&t, &id);
        let store = t.path().join("attachments");
        let _ = std::fs::remove_dir_all(&store);
        match layout {
            0 => symlink(outside.path(), &store).expect("link"),
            1 => {
                std::fs::create_dir(&store).expect("attachments");
                symlink(outside.path().join("ab"), store.join("ab")).expect("link");
            }
            _ => {
                std::fs::create_dir_all(store.join("ab")).expect("attachments/ab");
                symlink(
                    outside.path().join("ab").join(&sha[2..]),
                    store.join("ab").join(&sha[2..]),
                )
                .expect("link");
            }
        }
        let _ = deliver(&t, &server);
    }
    for message in server.messages() {
        assert!(
            !message.contains("TOPSECRET") && !message.contains("VE9QU0VDUkVU"),
            "a file outside the store was mailed:\n{message}"
        );
    }
}

#[test]
fn composing_a_case_of_thousands_of_public_events_is_not_quadratic() {
    // One planted case file well under the 1 MiB cap: 2000 questions and
    // answers. `as_of` replays the history up to each public event, for
    // each one: quadratic in the events, seconds per file, and the
    // attacker can push as many files as they like (every `deliver`, every
    // `outbox`, every 5 minutes from cron).
    let t = mail_store();
    let id = a_case(&t);
    let mut events = String::new();
    for n in 0..2000 {
        events.push_str(&format!(
            "- at: 2026-11-19T10:00:00Z\n  actor: alice\n  action: request-info\n  from: open\n  \
             to: waiting-for-customer\n  message: q{n}\n\
             - at: 2026-11-19T10:00:00Z\n  actor: alice\n  action: reply\n  from: waiting-for-customer\n  \
             to: open\n  message: a\n"
        ));
    }
    append_events(&t, &id, &events);
    let (out, took) = tickets(&t, NOW, None, &["deliver", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2001, "every message would be sent");
    assert!(
        took < Duration::from_secs(3),
        "composing 2001 messages of one {} KiB case file took {took:?}",
        std::fs::metadata(t.case_path(&id)).expect("case").len() / 1024
    );
}

#[test]
fn a_burst_of_cases_opened_by_one_sender_gets_at_most_one_acknowledgement_a_day() {
    // SPEC section 7: "We send at most one automatic message
    // (acknowledgement, sign-in link) per sender per period (a day by
    // default; RFC 3834 section 2), and hold a sender that opens cases in a
    // burst." The mail host now acknowledges every committed `open`.
    let server = MailServer::new();
    let t = mail_store();
    for n in 0..10 {
        let message = format!(
            "From: Ana <ana@acme.example>\r\nTo: support@desk.example\r\nSubject: Problem {n}\r\n\
             Message-ID: <burst{n}@acme.example>\r\nDate: Thu, 19 Nov 2026 09:00:00 +0000\r\n\r\nIt broke ({n}).\r\n"
        );
        t.cmd()
            .args(["open", "--from-email"])
            .write_stdin(message)
            .assert()
            .success();
    }
    let out = deliver(&t, &server);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let acknowledgements = server
        .messages()
        .iter()
        .filter(|m| m.contains("Auto-Submitted: auto-replied") && m.contains("To: ana@acme.example"))
        .count();
    assert!(
        acknowledgements <= 1,
        "one sender got {acknowledgements} automatic acknowledgements in one day"
    );
}
