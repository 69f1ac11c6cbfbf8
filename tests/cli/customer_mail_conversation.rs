//! The customer's side of the conversation, end to end: the real binary
//! queues messages, `tickets deliver` hands them to a real SMTP server on
//! 127.0.0.1 (directly, or through a sendmail-compatible command), and each
//! message the server received is parsed back with mail-parser to check its
//! headers and its decoded body. Here: the whole conversation, threaded,
//! and a failed delivery retried.

use crate::support::mail::*;
use serde_json::Value;
use std::collections::HashSet;

// 1 to 3. The whole conversation, by SMTP and by a sendmail command.

/// Two cases opened by mail: one asked, reminded and auto-closed, the other
/// asked and resolved. Every message arrives once, threaded under the
/// customer's own message, with the headers and words its event calls for;
/// the second case of the same sender that day is not acknowledged (one
/// acknowledgement a sender a day, RFC 3834).
fn the_whole_conversation_reaches_the_customer(via: Via) {
    let desk = Desk::new(via);
    let t = &desk.t;
    let waits = open_by_mail(&desk, "Push notifications stopped on iOS", "first.a@mx.acme.example");
    let resolved = open_by_mail(&desk, "Login with SSO fails", "first.b@mx.acme.example");

    t.run_at(
        HOUR_1,
        &[
            "request-info",
            &waits,
            "--message",
            "Which iOS version do your users run?",
        ],
    )
    .success();
    t.run_at(
        HOUR_1,
        &[
            "request-info",
            &resolved,
            "--message",
            "Which identity provider do you use?",
        ],
    )
    .success();
    t.run_at(
        HOUR_2,
        &[
            "close",
            &resolved,
            "--resolution",
            "Fixed in release 4.2: update the app.",
        ],
    )
    .success();
    let queued = desk.outbox();
    assert_eq!(queued.len(), 5, "{queued:#?}");
    assert!(queued.iter().all(|m| m["state"] == "queued"), "{queued:#?}");

    let first = desk.deliver_at(HOUR_2).success();
    assert_eq!(stdout_of(&first).lines().count(), 4, "{}", stdout_of(&first));
    // Both opened at the same instant: either may be the second.
    let warned = stderr_of(&first);
    assert!(
        warned.contains("a second acknowledgement to the same sender"),
        "{warned}"
    );
    let unacknowledged = if warned.contains(&resolved) { &resolved } else { &waits };
    assert_eq!(warned.contains(&waits), unacknowledged == &waits, "{warned}");
    assert_eq!(desk.received().len(), 4);

    let reminded: Vec<Value> =
        serde_json::from_str(&t.stdout_at(DAY_5, &["remind", "--format", "json"])).expect("remind json");
    assert_eq!(reminded.len(), 1, "{reminded:#?}");
    desk.deliver_at(DAY_5).success();
    assert_eq!(desk.received().len(), 5);
    assert_eq!(t.stdout_at(DAY_8, &["sweep"]), format!("{waits}\n"));
    desk.deliver_at(DAY_8).success();
    assert_eq!(desk.received().len(), 6);

    // A second run sends nothing: every message went out exactly once.
    let again = desk.deliver_at(DAY_8).success();
    assert_eq!(stdout_of(&again), "");
    let received = desk.received();
    assert_eq!(received.len(), 6);
    let outbox = desk.outbox();
    assert!(
        outbox.iter().all(|m| m["state"] == "sent" && m["attempts"] == 1),
        "{outbox:#?}"
    );
    let unique: HashSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(unique.len(), 6, "each message has its own Message-ID");

    let events = desk.events_by_message_id();
    let event_of = |m: &Received| events.get(&m.message_id).cloned().unwrap_or_default();
    for (id, root, summary, expected) in [
        (
            &waits,
            "first.a@mx.acme.example",
            "Push notifications stopped on iOS",
            vec!["open", "request-info", "remind", "auto-close"],
        ),
        (
            &resolved,
            "first.b@mx.acme.example",
            "Login with SSO fails",
            vec!["open", "request-info", "close"],
        ),
    ] {
        let expected: Vec<&str> = expected
            .into_iter()
            .filter(|kind| *kind != "open" || id != unacknowledged)
            .collect();
        let messages = of_case(&received, id);
        let kinds: Vec<String> = messages.iter().map(|m| event_of(m)).collect();
        assert_eq!(kinds, expected, "{id}: one message per public event, in order");
        for m in &messages {
            assert_eq!(m.subject, format!("[{id}] {summary}"));
            assert_eq!(m.from, "support@desk.example");
            assert_eq!(m.from_name.as_deref(), Some("Acme Desk"));
            assert_eq!(m.reply_to.as_deref(), Some("replies@desk.example"));
            assert_eq!(m.to, "ana.souza@acme.example");
            // One thread: every message hangs from the customer's first message.
            assert_eq!(m.in_reply_to, vec![root.to_string()], "{}", m.raw);
            assert_eq!(m.references, vec![root.to_string()], "{}", m.raw);
            assert!(m.flowed().contains("The Desk team"), "the signature: {}", m.body);
            let auto = match event_of(m).as_str() {
                "open" => Some("auto-replied"),
                "remind" | "auto-close" => Some("auto-generated"),
                _ => None,
            };
            assert_eq!(m.auto_submitted.as_deref(), auto, "{}", m.raw);
        }
        let ack = messages[0];
        if id == unacknowledged {
            continue;
        }
        assert!(
            ack.flowed()
                .contains("has been received, and a Support Analyst has been assigned"),
            "{}",
            ack.body
        );
        assert!(ack.flowed().contains(id.as_str()), "{}", ack.body);
    }
    // Each case's messages from its first after the acknowledgement (when it had one).
    let after_ack = |id: &String| -> Vec<&Received> {
        let mut messages = of_case(&received, id);
        if id != unacknowledged {
            messages.remove(0);
        }
        messages
    };
    let waits_messages = after_ack(&waits);
    assert!(waits_messages[0]
        .flowed()
        .contains("Which iOS version do your users run?"));
    assert!(
        waits_messages[1].flowed().contains("still waiting for your answer")
            && waits_messages[1].flowed().contains("26 November 2026"),
        "the reminder names the closing date: {}",
        waits_messages[1].body
    );
    assert!(
        waits_messages[2]
            .flowed()
            .contains("was closed because we did not hear back"),
        "{}",
        waits_messages[2].body
    );
    let resolved_messages = after_ack(&resolved);
    assert!(resolved_messages[0]
        .flowed()
        .contains("Which identity provider do you use?"));
    assert!(resolved_messages[1]
        .flowed()
        .contains("Fixed in release 4.2: update the app."));
    assert!(resolved_messages[1].flowed().contains("follow-up"), "how to come back");
}

#[test]
fn the_whole_conversation_reaches_the_customer_by_smtp() {
    the_whole_conversation_reaches_the_customer(Via::Smtp);
}

#[test]
fn the_whole_conversation_reaches_the_customer_through_a_sendmail_command() {
    the_whole_conversation_reaches_the_customer(Via::Sendmail);
}

#[test]
fn a_case_opened_by_hand_starts_its_thread_with_the_acknowledgement() {
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push fails on iOS",
        "--description",
        "No push since update",
        "--email",
        "ana@acme.example",
    ]);
    t.run_at(HOUR_1, &["request-info", &id, "--message", "Which version?"])
        .success();
    desk.deliver_at(HOUR_1).success();
    let received = desk.received();
    assert_eq!(received.len(), 2);
    let (ack, question) = (&received[0], &received[1]);
    assert!(ack.in_reply_to.is_empty() && ack.references.is_empty(), "{}", ack.raw);
    assert_eq!(question.in_reply_to, vec![ack.message_id.clone()]);
    assert_eq!(question.references, vec![ack.message_id.clone()]);
    assert_ne!(question.message_id, ack.message_id);
}

// 4. A failing transport.

#[test]
fn a_failed_delivery_stays_queued_with_its_error_and_goes_out_once_on_the_next_run() {
    let mut desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push fails on iOS",
        "--description",
        "No push",
        "--email",
        "ana@acme.example",
    ]);
    t.run_at(HOUR_1, &["request-info", &id, "--message", "Which version?"])
        .success();
    desk.server.stop();

    // SMTP: the server is gone.
    let failed = desk.deliver_at(HOUR_1).code(1);
    assert!(
        stderr_of(&failed).contains("not sent, kept for the next run"),
        "{}",
        stderr_of(&failed)
    );
    let outbox = desk.outbox();
    assert_eq!(outbox.len(), 2);
    for message in &outbox {
        assert_eq!(message["state"], "failed", "{outbox:#?}");
        assert_eq!(message["attempts"], 1);
        let error = message["error"].as_str().expect("the error is kept");
        assert!(error.starts_with("SMTP smtp://127.0.0.1:"), "{error}");
    }
    // A sendmail command that cannot relay: failed again, tried again.
    desk.via = Via::Sendmail;
    let failed = desk.deliver_at(HOUR_2).code(1);
    assert!(stderr_of(&failed).contains("exited with"), "{}", stderr_of(&failed));
    let outbox = desk.outbox();
    assert!(
        outbox.iter().all(|m| m["state"] == "failed" && m["attempts"] == 2),
        "{outbox:#?}"
    );
    assert!(
        outbox[0]["error"].as_str().unwrap_or("").contains("sendmail"),
        "{outbox:#?}"
    );

    // The mail system is back: each message goes out once.
    desk.restart_server();
    desk.via = Via::Smtp;
    desk.deliver_at(HOUR_3).success();
    desk.deliver_at(HOUR_3).success();
    let received = desk.received();
    assert_eq!(received.len(), 2, "each failed message sent once");
    assert_ne!(received[0].message_id, received[1].message_id);
    let outbox = desk.outbox();
    for message in &outbox {
        assert_eq!(message["state"], "sent", "{outbox:#?}");
        assert_eq!(message["attempts"], 3);
        assert_eq!(message["error"], Value::Null);
    }
}
