//! `tickets intake` attacked as a hostile sender (or a hostile committer)
//! would: forged tags and threading toward another customer's cases,
//! automatic mail dressed to reopen or open cases, loops, and header tricks
//! that cost time or memory. Each test names what it tried; those that
//! broke were fixed and stay as regression tests.

use crate::support::mail::{intake, intake_at, intake_desk};
use crate::support::TestStore;
use assert_cmd::assert::Assert;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::time::{Duration, Instant};

fn desk() -> TestStore {
    intake_desk()
}

/// A plain message; `extra` are more header lines, each ending in `\r\n`.
fn message(from: &str, subject: &str, message_id: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n{extra}\r\n{body}\r\n"
    )
}

fn stdout_of(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).trim().to_string()
}

/// A case of `customer` with `email` as contact, waiting for the customer.
fn waiting_case(t: &TestStore, customer: &str, email: &str) -> String {
    let id = t.open(&["--customer", customer, "--summary", "Export fails", "--email", email]);
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    id
}

#[test]
fn a_file_name_split_into_many_rfc_2231_pieces_is_refused_in_bounded_time() {
    let t = desk();
    // The parser joined each `filename*N=` piece by copying the name so
    // far: 300,000 pieces in an 8 MB header took 40 seconds.
    let pieces: Vec<String> = (0..200_000).map(|i| format!("filename*{i}=aaaaaaaaaa")).collect();
    let raw = message(
        "ana.souza@acme.example",
        "Export fails",
        "pieces@acme.example",
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
        &format!(
            "--b\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n--b\r\nContent-Disposition: attachment; {}\r\n\r\ndata\r\n--b--",
            pieces.join("; ")
        ),
    );
    let started = Instant::now();
    intake(&t, &raw).code(65).stderr(contains("pieces"));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(t.list(&["--all"]).is_empty(), "nothing opened");
    // A real client's long name in a few pieces is joined as before.
    let raw = message(
        "ana.souza@acme.example",
        "Export fails",
        "few@acme.example",
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
        "--b\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment;\r\n filename*0=\"quarterly-\";\r\n filename*1=\"export.csv\"\r\n\r\na,b\r\n--b--",
    );
    let id = stdout_of(&intake(&t, &raw).success());
    let case = t.show(&id);
    assert!(case.to_string().contains("quarterly-export.csv"), "{case}");
}

#[test]
fn a_customer_who_attaches_a_delivery_report_is_heard_and_a_real_report_is_not() {
    let t = desk();
    // "Your mails to us bounce, see the report": the report is attached to
    // the customer's own text. It used to mark the message automatic, and
    // intake dropped it with exit 0: nothing recorded.
    let report = "Reporting-MTA: dns; mx.acme.example\r\n\r\nFinal-Recipient: rfc822; x@acme.example\r\nAction: failed\r\nStatus: 5.1.1\r\n";
    let attached = message(
        "ana.souza@acme.example",
        "Your mails to us bounce",
        "attached-report@acme.example",
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
        &format!(
            "--b\r\nContent-Type: text/plain\r\n\r\nEvery mail from your app bounces, see the report.\r\n--b\r\nContent-Type: message/delivery-status\r\nContent-Disposition: attachment; filename=details.txt\r\n\r\n{report}--b--"
        ),
    );
    let id = stdout_of(&intake(&t, &attached).success());
    assert!(id.starts_with("RC-"), "a case: {id:?}");
    assert!(
        t.show(&id)["description"]
            .as_str()
            .is_some_and(|d| d.contains("Every mail from your app bounces")),
        "{}",
        t.show(&id)
    );
    // The bounce itself, a multipart/report, still opens nothing.
    let bounce = message(
        "ana.souza@acme.example",
        "Your mails to us bounce",
        "real-report@acme.example",
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n",
        &format!(
            "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n{report}--b--"
        ),
    );
    intake(&t, &bounce).success().stderr(contains("nothing recorded"));
    // Nor does a report part alone.
    let alone = message(
        "ana.souza@acme.example",
        "Delivery report",
        "alone@acme.example",
        "MIME-Version: 1.0\r\nContent-Type: message/delivery-status\r\n",
        report,
    );
    intake(&t, &alone).success().stderr(contains("nothing recorded"));
    assert_eq!(t.list(&["--all"]).len(), 1);
}

#[test]
fn tags_and_threading_toward_another_customers_case_never_write_to_it() {
    let t = desk();
    let theirs = stdout_of(
        &intake(
            &t,
            &message(
                "gil@globex.example",
                "Globex export",
                "g1@globex.example",
                "",
                "Broken.",
            ),
        )
        .success(),
    );
    t.run(&["request-info", &theirs, "-m", "Which version?"]).success();
    let before = t.file(&theirs);
    let from = "eve@acme.example";
    // Their tag, in any spelling: refused, nothing written.
    for (n, subject) in [
        format!("Re: [{theirs}] x"),
        format!("Re: [ {} ] x", theirs.to_lowercase()),
        format!("[RC-NOSUCH1] [{theirs}]"),
    ]
    .iter()
    .enumerate()
    {
        intake(
            &t,
            &message(from, subject, &format!("tag{n}@acme.example"), "", "Mine now."),
        )
        .code(67);
    }
    // Their Message-ID, or the desk's own message on their case, as the
    // message answered: not theirs, a new case of the sender's customer.
    for (n, threading) in [
        "In-Reply-To: <g1@globex.example>\r\n".to_string(),
        format!("References: <{theirs}@desk.example>\r\n"),
        format!("In-Reply-To: <{theirs}.request-info.1@desk.example>\r\n"),
    ]
    .iter()
    .enumerate()
    {
        let id = stdout_of(
            &intake(
                &t,
                &message(from, "x", &format!("thread{n}@acme.example"), threading, "Mine now."),
            )
            .success(),
        );
        assert_ne!(id, theirs);
        assert_eq!(t.show(&id)["customer"], "Acme Corp");
    }
    // Their message's own Message-ID, copied: refused without naming the case.
    intake(&t, &message(from, "x", "g1@globex.example", "", "Mine now."))
        .code(65)
        .stderr(predicates::str::contains(theirs.as_str()).not());
    assert_eq!(t.file(&theirs), before, "their case untouched");
    // Closed, it gets no follow-up from another customer either.
    t.run(&["close", &theirs, "--resolution", "Fixed"]).success();
    let closed = t.file(&theirs);
    let cases = t.list(&["--all"]).len();
    intake(
        &t,
        &message(from, &format!("Re: [{theirs}] again"), "fu@acme.example", "", "Again."),
    )
    .code(67);
    intake(
        &t,
        &message(
            from,
            "again",
            "fu2@acme.example",
            "In-Reply-To: <g1@globex.example>\r\n",
            "Again.",
        ),
    )
    .success();
    let all = t.list(&["--all"]);
    assert_eq!(all.len(), cases + 1);
    assert!(all
        .iter()
        .all(|c| c["follow_up_of"].is_null() || c["customer"] == "Globex"));
    assert_eq!(t.file(&theirs), closed);
}

#[test]
fn automatic_mail_never_reopens_restarts_opens_or_gets_answered() {
    let t = desk();
    let id = waiting_case(&t, "Acme Corp", "ana.souza@acme.example");
    let closed = waiting_case(&t, "Acme Corp", "ana.souza@acme.example");
    t.run(&["close", &closed, "--resolution", "Fixed"]).success();
    let closed_file = t.file(&closed);
    let before = t.show(&id);
    let signals = [
        ("Auto-Submitted: auto-replied\r\n", "x"),
        ("auto-submitted: AUTO-GENERATED (vacation)\r\n", "x"),
        ("Auto-Submitted: no\r\nAuto-Submitted: auto-replied\r\n", "x"),
        ("Precedence: junk\r\n", "x"),
        ("List-Id: <team.acme.example>\r\n", "x"),
        ("Return-Path: <>\r\n", "x"),
        ("", "Automatic reply: x"),
        ("", "Out of Office: x"),
    ];
    for (n, (headers, subject)) in signals.iter().enumerate() {
        // By tag, and by In-Reply-To to the desk's own message.
        for (k, (subject, threading)) in [
            (format!("{subject} [{id}]"), String::new()),
            (subject.to_string(), format!("In-Reply-To: <{id}@desk.example>\r\n")),
        ]
        .into_iter()
        .enumerate()
        {
            intake_at(
                &t,
                "2026-11-20T10:00:00Z",
                &message(
                    "ana.souza@acme.example",
                    &subject,
                    &format!("auto{n}-{k}@acme.example"),
                    &format!("{headers}{threading}"),
                    "I am away.",
                ),
            )
            .success();
        }
        // To the closed case: nothing, and no follow-up.
        intake(
            &t,
            &message(
                "ana.souza@acme.example",
                &format!("{subject} [{closed}]"),
                &format!("closed{n}@acme.example"),
                headers,
                "I am away.",
            ),
        )
        .success()
        .stderr(contains("nothing recorded"));
        // To no case: nothing.
        intake(
            &t,
            &message(
                "ana.souza@acme.example",
                subject,
                &format!("none{n}@acme.example"),
                headers,
                "I am away.",
            ),
        )
        .success()
        .stderr(contains("nothing recorded"));
    }
    let after = t.show(&id);
    assert_eq!(after["status"], "waiting-for-customer");
    assert_eq!(
        after["waiting_since"], before["waiting_since"],
        "the clock is untouched"
    );
    let history = after["history"].as_array().unwrap();
    let notes = history.iter().filter(|e| e["action"] == "note").count();
    assert_eq!(notes, signals.len() * 2, "each one a note");
    assert_eq!(t.file(&closed), closed_file);
    assert_eq!(t.list(&["--all"]).len(), 2, "no case opened");
    // Nothing answers a note: the only mail is for the events of support.
    let sent = t.deliver_and_capture_at("2026-11-20T11:00:00Z");
    assert!(sent.iter().all(|m| !m.contains("I am away")), "{sent:?}");
}

#[test]
fn an_auto_responder_that_varies_the_spelling_of_its_address_is_acknowledged_once() {
    let t = desk();
    // Each answer is bare (no Auto-Submitted, no threading, a new subject)
    // and comes from another spelling of one mailbox: a sub-address, upper
    // case, a trailing dot. Each used to open a case acknowledged anew.
    let spellings = [
        "robot@acme.example",
        "ROBOT@Acme.Example",
        "robot+1@acme.example",
        "Robot+2@acme.example",
        "robot@acme.example.",
        "robot+3@ACME.EXAMPLE.",
    ];
    let mut sent = Vec::new();
    for (round, from) in spellings.iter().enumerate() {
        let now = format!("2026-11-19T1{round}:00:00Z");
        intake_at(
            &t,
            &now,
            &format!("From: {from}\r\nTo: support@desk.example\r\nSubject: Away {round}\r\n\r\nAway.\r\n"),
        )
        .success();
        sent.push(t.deliver_and_capture_at(&now).len());
    }
    assert_eq!(sent.iter().sum::<usize>(), 1, "acknowledgements per round: {sent:?}");
    // A trailing dot is no part of the contact's address.
    assert!(t
        .list(&["--all"])
        .iter()
        .all(|c| c["email"].as_str().is_some_and(|e| !e.ends_with('.'))));
}

#[test]
#[ignore = "open: the acknowledgement limit is per mailbox; a responder that answers from a new mailbox of one domain each time (robot1@, robot2@...) opens a case and is acknowledged each time (issue 23 asks to hold a sender that opens more than N cases an hour)"]
fn an_auto_responder_that_answers_from_a_new_mailbox_each_time_is_stopped() {
    let t = desk();
    let mut sent = 0;
    for round in 0..6 {
        let now = format!("2026-11-19T1{round}:00:00Z");
        intake_at(
            &t,
            &now,
            &format!(
                "From: robot{round}@acme.example\r\nTo: support@desk.example\r\nSubject: Away {round}\r\n\r\nAway.\r\n"
            ),
        )
        .success();
        sent += t.deliver_and_capture_at(&now).len();
    }
    assert!(sent <= 3, "{sent} acknowledgements");
}

#[test]
fn an_answer_written_between_the_quoted_lines_is_recorded_not_lost() {
    let t = desk();
    let id = waiting_case(&t, "Acme Corp", "ana.souza@acme.example");
    // An inline reply: the answers sat below the attribution, and only
    // "Hi," was recorded (exit 0, the answers lost).
    let inline = "Hi,\r\n\r\nOn Thu, 19 Nov 2026, Acme Support <support@desk.example> wrote:\r\n> Which version?\r\n\r\nVersion 7.2.\r\n\r\n> Anything else?\r\n\r\nWindows 11 only.\r\n\r\n-- \r\nAna";
    intake(
        &t,
        &message(
            "ana.souza@acme.example",
            &format!("Re: [{id}] Export fails"),
            "inline@acme.example",
            "",
            inline,
        ),
    )
    .success();
    let case = t.show(&id);
    let reply = case["history"].as_array().unwrap().last().unwrap()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        reply.contains("Version 7.2.") && reply.contains("Windows 11 only."),
        "{reply:?}"
    );
    assert!(!reply.contains("Which version?") && !reply.contains("Ana"), "{reply:?}");
    // A bottom-posted answer used to be refused as quoted text only (65).
    t.run(&["request-info", &id, "-m", "And the OS build?"]).success();
    let bottom = "On Thu, 19 Nov 2026, Acme Support <support@desk.example> wrote:\r\n> And the OS build?\r\n\r\n22631.";
    intake(
        &t,
        &message(
            "ana.souza@acme.example",
            &format!("Re: [{id}] Export fails"),
            "bottom@acme.example",
            "",
            bottom,
        ),
    )
    .success();
    assert_eq!(t.status(&id), "open");
    let case = t.show(&id);
    assert_eq!(case["history"].as_array().unwrap().last().unwrap()["message"], "22631.");
}

#[test]
fn a_header_in_bare_newlines_with_a_crlf_blank_line_below_keeps_its_parts_headers() {
    let t = desk();
    // Mail servers pipe messages with `\n` line ends; a part's text may
    // still hold CRLF. The first CRLF blank line was taken for the end of
    // the message's header, so every part's Content-Type and encoding
    // counted as second copies and were dropped: Latin-1 text came out as
    // U+FFFD and a base64 file was kept undecoded.
    let raw = "From: ana.souza@acme.example\nSubject: Mixed line ends\nMessage-ID: <mixed@acme.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 export fails.\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=log.bin\nContent-Transfer-Encoding: base64\n\nYQ0KDQpi\n--b\nContent-Type: text/plain\n\nline one\r\n\r\nline two\r\n--b--\n";
    let id = stdout_of(&intake(&t, raw).success());
    let case = t.show(&id);
    let description = case["description"].as_str().unwrap_or_default();
    assert!(description.starts_with("Café export fails."), "{description:?}");
    let file = &case["history"][0]["attachments"][0];
    assert_eq!(file["name"], "log.bin");
    assert_eq!(file["size"], 6, "decoded: {file}");
}
