//! The customer's side of the conversation, end to end: the real binary
//! queues messages, `tickets deliver` hands them to a real SMTP server on
//! 127.0.0.1 (directly, or through a sendmail-compatible command), and each
//! message the server received is parsed back with mail-parser to check its
//! headers and its decoded body.

use crate::support::mail::fake_sendmail;
use crate::support::mail::SmtpServer;
use crate::support::*;
use assert_cmd::assert::Assert;
use rand::Rng;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The store's `mail:` settings (and reminders after 5 days of waiting).
const MAIL: &str = "remind_after_days: 5
mail:
  from: \"Acme Desk <support@desk.example>\"
  reply_to: \"Desk Replies <replies@desk.example>\"
  signature: \"-- \\nThe Desk team\"
";

/// The test roster and customers, with `mail:`.
fn mail_config() -> String {
    format!("{CONFIG}{MAIL}")
}

/// Instants after NOW (2026-11-19T10:00:00Z).
const HOUR_1: &str = "2026-11-19T11:00:00Z";
const HOUR_2: &str = "2026-11-19T12:00:00Z";
const HOUR_3: &str = "2026-11-19T13:00:00Z";
/// Five days after HOUR_1: a question asked at HOUR_1 is due its reminder.
const DAY_5: &str = "2026-11-24T11:00:00Z";
/// Eight days after HOUR_1: a question asked at HOUR_1 is due auto-close.
const DAY_8: &str = "2026-11-27T11:00:00Z";

/// How `deliver` reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// `TICKETS_SMTP_URL`.
    Smtp,
    /// `TICKETS_SENDMAIL`: a sendmail-compatible script relaying to the server.
    Sendmail,
}

/// A store with `mail:`, a real SMTP server, and a way to reach it.
struct Desk {
    t: TestStore,
    mailroom: TempDir,
    server: SmtpServer,
    via: Via,
    sendmail: PathBuf,
}

impl Desk {
    fn new(via: Via) -> Desk {
        Desk::with_config(&mail_config(), via)
    }

    fn with_config(config: &str, via: Via) -> Desk {
        let t = TestStore::with_config(config);
        let mailroom = tempfile::tempdir().expect("temp dir");
        let server = start_server(&mailroom.path().join("first"));
        let sendmail = fake_sendmail(mailroom.path(), server.port());
        Desk {
            t,
            mailroom,
            server,
            via,
            sendmail,
        }
    }

    /// Replaces the (stopped) server by a new one; the sendmail script
    /// relays to the new one.
    fn restart_server(&mut self) {
        self.server.stop();
        let dir = self.mailroom.path().join(format!("server-{}", self.server.port()));
        self.server = start_server(&dir);
        self.sendmail = fake_sendmail(self.mailroom.path(), self.server.port());
    }

    /// `tickets deliver` at `now`, through `self.via`.
    fn deliver_at(&self, now: &str) -> Assert {
        self.deliver_cmd(now).arg("deliver").assert()
    }

    fn deliver_cmd(&self, now: &str) -> assert_cmd::Command {
        let mut cmd = self.t.cmd();
        cmd.env("TICKETS_NOW", now)
            .env_remove("TICKETS_SMTP_URL")
            .env_remove("TICKETS_SMTP_USER")
            .env_remove("TICKETS_SMTP_PASSWORD")
            .env_remove("TICKETS_SENDMAIL");
        match self.via {
            Via::Smtp => cmd.env("TICKETS_SMTP_URL", self.server.url()),
            Via::Sendmail => cmd.env("TICKETS_SENDMAIL", format!("{} -t -oi", self.sendmail.display())),
        };
        cmd
    }

    /// What the server received so far, parsed.
    fn received(&self) -> Vec<Received> {
        self.server.messages().iter().map(|raw| Received::parse(raw)).collect()
    }

    /// `outbox --format json`.
    fn outbox(&self) -> Vec<Value> {
        serde_json::from_str(&self.t.stdout(&["outbox", "--format", "json"])).expect("outbox json")
    }

    /// Message-ID -> the event that queued it, from the outbox.
    fn events_by_message_id(&self) -> HashMap<String, String> {
        self.outbox()
            .iter()
            .map(|m| {
                (
                    m["message_id"].as_str().expect("message_id").to_string(),
                    m["event"].as_str().expect("event").to_string(),
                )
            })
            .collect()
    }

    /// Pipes `message` into `args`.
    fn pipe_at(&self, now: &str, args: &[&str], message: &str) -> Assert {
        self.t
            .cmd()
            .env("TICKETS_NOW", now)
            .args(args)
            .write_stdin(message.as_bytes().to_vec())
            .assert()
    }
}

/// A server keeping its mail under `dir` (created).
fn start_server(dir: &std::path::Path) -> SmtpServer {
    std::fs::create_dir_all(dir).expect("server dir");
    SmtpServer::start(dir)
}

/// One message as the server received it, parsed.
#[derive(Debug, Clone)]
struct Received {
    message_id: String,
    in_reply_to: Vec<String>,
    references: Vec<String>,
    subject: String,
    from_name: Option<String>,
    from: String,
    reply_to: Option<String>,
    to: String,
    auto_submitted: Option<String>,
    /// The decoded text body.
    body: String,
    /// The message as received, for searching headers too.
    raw: String,
}

impl Received {
    fn parse(raw: &[u8]) -> Received {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .unwrap_or_else(|| panic!("not a message: {}", String::from_utf8_lossy(raw)));
        let list = |value: &mail_parser::HeaderValue<'_>| -> Vec<String> {
            value
                .as_text_list()
                .map(|items| items.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        };
        let first = |address: Option<&mail_parser::Address<'_>>| {
            address
                .and_then(|a| a.first())
                .map(|a| (a.name().map(String::from), a.address().unwrap_or("").to_string()))
        };
        let (from_name, from) = first(message.from()).expect("From");
        Received {
            message_id: message.message_id().expect("Message-ID").to_string(),
            in_reply_to: list(message.in_reply_to()),
            references: list(message.references()),
            subject: message.subject().expect("Subject").to_string(),
            from_name,
            from,
            reply_to: first(message.reply_to()).map(|(_, address)| address),
            to: first(message.to()).expect("To").1,
            auto_submitted: message.header_raw("Auto-Submitted").map(|v| v.trim().to_string()),
            body: message.body_text(0).expect("a text body").replace("\r\n", "\n"),
            raw: String::from_utf8_lossy(raw).into_owned(),
        }
    }
}

/// A customer's message, as a mail server's pipe hands it to `open --from-email`.
fn customer_mail(from: &str, subject: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: Ana Souza <{from}>\r\n\
         To: Support <support@desk.example>\r\n\
         Subject: {subject}\r\n\
         Date: Thu, 19 Nov 2026 06:55:10 -0300\r\n\
         Message-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         {body}\r\n"
    )
}

/// Opens a case from a customer's e-mail at NOW; returns its ID.
fn open_by_mail(desk: &Desk, subject: &str, message_id: &str) -> String {
    let raw = customer_mail(
        "ana.souza@acme.example",
        subject,
        message_id,
        "Since this morning's update no push notification reaches our iOS users.",
    );
    let out = desk.pipe_at(NOW, &["open", "--from-email"], &raw).success();
    String::from_utf8(out.get_output().stdout.clone())
        .expect("utf-8")
        .trim()
        .to_string()
}

fn stdout_of(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr_of(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The messages of one case (by the `[ID]` of the subject), in arrival order.
fn of_case<'a>(received: &'a [Received], id: &str) -> Vec<&'a Received> {
    let tag = format!("[{id}] ");
    received.iter().filter(|m| m.subject.starts_with(&tag)).collect()
}

// 1 to 3. The whole conversation, by SMTP and by a sendmail command.

/// Two cases opened by mail: one asked, reminded and auto-closed, the other
/// asked and resolved. Every message arrives once, threaded under the
/// customer's own message, with the headers and words its event calls for.
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
    assert_eq!(stdout_of(&first).lines().count(), 5, "{}", stdout_of(&first));
    assert_eq!(desk.received().len(), 5);

    let reminded: Vec<Value> =
        serde_json::from_str(&t.stdout_at(DAY_5, &["remind", "--format", "json"])).expect("remind json");
    assert_eq!(reminded.len(), 1, "{reminded:#?}");
    desk.deliver_at(DAY_5).success();
    assert_eq!(desk.received().len(), 6);
    assert_eq!(t.stdout_at(DAY_8, &["sweep"]), format!("{waits}\n"));
    desk.deliver_at(DAY_8).success();
    assert_eq!(desk.received().len(), 7);

    // A second run sends nothing: every message went out exactly once.
    let again = desk.deliver_at(DAY_8).success();
    assert_eq!(stdout_of(&again), "");
    let received = desk.received();
    assert_eq!(received.len(), 7);
    let outbox = desk.outbox();
    assert!(
        outbox.iter().all(|m| m["state"] == "sent" && m["attempts"] == 1),
        "{outbox:#?}"
    );
    let unique: HashSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(unique.len(), 7, "each message has its own Message-ID");

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
            assert!(m.body.contains("The Desk team"), "the signature: {}", m.body);
            let auto = match event_of(m).as_str() {
                "open" => Some("auto-replied"),
                "remind" | "auto-close" => Some("auto-generated"),
                _ => None,
            };
            assert_eq!(m.auto_submitted.as_deref(), auto, "{}", m.raw);
        }
        let ack = messages[0];
        assert!(
            ack.body
                .contains("has been received, and a Support Analyst has been assigned"),
            "{}",
            ack.body
        );
        assert!(ack.body.contains(id.as_str()), "{}", ack.body);
    }
    let waits_messages = of_case(&received, &waits);
    assert!(waits_messages[1].body.contains("Which iOS version do your users run?"));
    assert!(
        waits_messages[2].body.contains("still waiting for your answer")
            && waits_messages[2].body.contains("26 November 2026"),
        "the reminder names the closing date: {}",
        waits_messages[2].body
    );
    assert!(
        waits_messages[3]
            .body
            .contains("was closed because we did not hear back"),
        "{}",
        waits_messages[3].body
    );
    let resolved_messages = of_case(&received, &resolved);
    assert!(resolved_messages[1]
        .body
        .contains("Which identity provider do you use?"));
    assert!(resolved_messages[2]
        .body
        .contains("Fixed in release 4.2: update the app."));
    assert!(resolved_messages[2].body.contains("follow-up"), "how to come back");
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

// 5. Internal text never leaves.

/// A roster whose ids and full names are found nowhere else.
const SECRET_ROSTER: &str = "id_prefix: RC
auto_close_after_days: 7
remind_after_days: 5
analysts:
  - id: zelda-l1
    name: Zelda Quixotemarlowe
    level: l1
    available: true
    skills: [push, ios]
  - id: yorick-l1
    name: Yorick Vanterpool
    level: l1
    available: true
    skills: [ldap]
  - id: xavier-l2
    name: Xavier Ombrecourt
    level: l2
    available: true
    skills: [push, ios]
customers:
  - name: Acme Corp
    plan: mission-critical
    domains: [acme.example]
mail:
  from: \"Acme Desk <support@desk.example>\"
";

#[test]
fn no_internal_text_ever_reaches_the_customer() {
    let desk = Desk::with_config(SECRET_ROSTER, Via::Smtp);
    let t = &desk.t;
    // A store's own templates, each with every placeholder there is.
    let every = "{id} {summary} {customer} {severity} {status} {message} {resolution} \
                 {closes_on} {first_response_due} {auto_close_after_days} {signature}\n";
    std::fs::create_dir(t.path().join("templates")).expect("templates dir");
    for name in [
        "acknowledgement",
        "request-info",
        "resolution",
        "reminder",
        "auto-close",
    ] {
        std::fs::write(
            t.path().join(format!("templates/{name}.txt")),
            format!("{name}: {every}"),
        )
        .expect("template");
    }
    let open = |summary: &str| {
        t.open(&[
            "--customer",
            "Acme Corp",
            "--summary",
            summary,
            "--description",
            "No push since the iOS update",
            "--email",
            "ana.souza@acme.example",
        ])
    };
    // One case through every internal event, then resolved.
    let id = open("Push fails on iOS");
    let case = t.show(&id);
    assert_eq!(case["assignee"], "zelda-l1");
    assert!(
        case["history"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("routed to zelda-l1"),
        "the routing reason is recorded: {case:#?}"
    );
    t.run(&["assign", &id, "yorick-l1", "--note", "SECRET-ASSIGN-7731"])
        .success();
    t.run(&["reassess", &id, "--severity", "high", "--note", "SECRET-REASSESS-7732"])
        .success();
    t.run(&["investigate", &id, "--note", "SECRET-INVESTIGATE-7733"])
        .success();
    t.run(&["note", &id, "--message", "SECRET-NOTE-7734"]).success();
    t.run(&["escalate", &id, "--note", "SECRET-ESCALATE-7735"]).success();
    assert_eq!(t.show(&id)["assignee"], "xavier-l2");
    t.run_at(
        HOUR_1,
        &["request-info", &id, "--message", "Could you send the device logs?"],
    )
    .success();
    let ooo = format!(
        "From: Ana Souza <ana.souza@acme.example>\r\n\
         Subject: Automatic reply: [{id}] Push fails on iOS\r\n\
         Message-ID: <ooo.1@mx.acme.example>\r\n\
         Auto-Submitted: auto-replied\r\n\
         \r\n\
         SECRET-OUT-OF-OFFICE-7736: I am away.\r\n"
    );
    desk.pipe_at(HOUR_1, &["reply", "--from-email"], &ooo).success();
    t.run_at(HOUR_2, &["note", &id, "--message", "SECRET-NOTE-7737"])
        .success();
    t.run_at(HOUR_2, &["close", &id, "--resolution", "Fixed in release 4.2."])
        .success();
    // Another through its reminder and its auto-close, with notes between.
    let other = open("Push fails on iPad");
    t.run_at(HOUR_1, &["request-info", &other, "--message", "Which iPad model?"])
        .success();
    t.run_at(HOUR_2, &["note", &other, "--message", "SECRET-NOTE-7738"])
        .success();
    t.stdout_at(DAY_5, &["remind"]);
    t.run_at(DAY_5, &["note", &other, "--message", "SECRET-NOTE-7739"])
        .success();
    t.stdout_at(DAY_8, &["sweep"]);
    desk.deliver_at(DAY_8).success();

    let received = desk.received();
    assert_eq!(
        received.len(),
        7,
        "ack, question, resolution; ack, question, reminder, auto-close"
    );
    let ack = &of_case(&received, &id)[0];
    assert!(
        ack.body.starts_with("acknowledgement: ") && ack.body.contains("No push since the iOS update"),
        "an acknowledgement's {{message}} is the customer's description: {}",
        ack.body
    );
    // Recorded, and marked internal, in the store...
    let history = t.show(&id)["history"].as_array().expect("history").clone();
    for marker in [
        "SECRET-ASSIGN",
        "SECRET-REASSESS",
        "SECRET-INVESTIGATE",
        "SECRET-NOTE",
        "SECRET-ESCALATE",
    ] {
        let event = history
            .iter()
            .find(|e| e["message"].as_str().unwrap_or("").contains(marker))
            .unwrap_or_else(|| panic!("{marker} recorded"));
        assert_eq!(event["visibility"], "internal", "{event:#?}");
    }
    assert!(t.stdout(&["show", &id]).contains("[internal]"));
    // ...and in no message.
    let forbidden = [
        "SECRET-",
        "routed to",
        "skills matched",
        "zelda",
        "Zelda",
        "Quixotemarlowe",
        "yorick",
        "Yorick",
        "Vanterpool",
        "xavier",
        "Xavier",
        "Ombrecourt",
        "I am away",
        "automatic message",
    ];
    for message in &received {
        for word in forbidden {
            assert!(
                !message.body.contains(word) && !message.raw.contains(word) && !message.subject.contains(word),
                "{word:?} reached the customer in {}:\n{}",
                message.subject,
                message.body
            );
        }
    }
}

// 6. Automatic mail is noted, never answered, and reopens nothing.

fn automatic_reply(id: &str, n: usize, extra_headers: &str, from: &str) -> String {
    format!(
        "From: {from}\r\n\
         To: Support <support@desk.example>\r\n\
         Subject: Automatic reply: [{id}] Push notifications stopped on iOS\r\n\
         Message-ID: <auto.{n}@mx.acme.example>\r\n\
         {extra_headers}\
         \r\n\
         I am out of the office until Monday.\r\n"
    )
}

#[test]
fn an_out_of_office_changes_nothing_queues_nothing_and_a_closed_case_ignores_it() {
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let id = open_by_mail(&desk, "Push notifications stopped on iOS", "first.c@mx.acme.example");
    t.run_at(HOUR_1, &["request-info", &id, "--message", "Which version?"])
        .success();
    let before = t.show(&id);
    assert_eq!(before["status"], "waiting-for-customer");
    assert_eq!(before["waiting_since"], HOUR_1);
    let queued: Vec<Value> = desk.outbox();
    assert_eq!(queued.len(), 2);

    let automatic = [
        ("Auto-Submitted: auto-replied\r\n", "Ana Souza <ana.souza@acme.example>"),
        ("Precedence: bulk\r\n", "Ana Souza <ana.souza@acme.example>"),
        ("Return-Path: <>\r\n", "Ana Souza <ana.souza@acme.example>"),
        ("", "Mail Delivery System <MAILER-DAEMON@acme.example>"),
    ];
    for (n, (headers, from)) in automatic.iter().enumerate() {
        let length = t.show(&id)["history"].as_array().expect("history").len();
        desk.pipe_at(
            HOUR_2,
            &["reply", "--from-email"],
            &automatic_reply(&id, n, headers, from),
        )
        .success();
        let after = t.show(&id);
        assert_eq!(
            after["status"], "waiting-for-customer",
            "{headers}{from}: no status change"
        );
        assert_eq!(after["waiting_since"], HOUR_1, "{headers}{from}: the clock is kept");
        let history = after["history"].as_array().expect("history");
        assert_eq!(history.len(), length + 1, "{headers}{from}: one event");
        let last = &history[length];
        assert_eq!(last["action"], "note");
        assert_eq!(last["visibility"], "internal");
        assert_eq!(last["from"], "waiting-for-customer");
        assert_eq!(last["to"], "waiting-for-customer");
    }
    assert_eq!(
        desk.outbox(),
        queued,
        "nothing queued in answer to an automatic message"
    );

    // The 7-day clock ran from the question, not from the out-of-office.
    assert_eq!(t.stdout_at(DAY_8, &["sweep"]), format!("{id}\n"));
    let closed = t.file(&id);
    let outbox = desk.outbox();
    assert_eq!(outbox.len(), 3, "the auto-close notice");
    let ooo = automatic_reply(&id, 99, "Auto-Submitted: auto-replied\r\n", "ana.souza@acme.example");
    desk.pipe_at(DAY_8, &["reply", "--from-email"], &ooo).success();
    assert_eq!(t.file(&id), closed, "an auto-reply to a closed case records nothing");
    assert_eq!(desk.outbox(), outbox);
    assert_eq!(t.list(&["--all"]).len(), 1, "and opens no follow-up");

    desk.deliver_at(DAY_8).success();
    let received = desk.received();
    let events = desk.events_by_message_id();
    let kinds: Vec<&str> = received
        .iter()
        .map(|m| events.get(&m.message_id).map(String::as_str).unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["open", "request-info", "auto-close"]);
}

// 7. A case without a contact address.

#[test]
fn a_case_without_a_contact_address_queues_nothing_and_open_says_so() {
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let opened = t
        .run(&[
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "Push fails",
            "--description",
            "by phone",
            "--channel",
            "phone",
        ])
        .success();
    let id = stdout_of(&opened).trim().to_string();
    let stderr = stderr_of(&opened);
    assert!(
        stderr.contains(&format!("{id} has no contact address")) && stderr.contains("no message"),
        "{stderr}"
    );
    t.run_at(HOUR_1, &["request-info", &id, "--message", "Which version?"])
        .success();
    t.run_at(HOUR_2, &["close", &id, "--resolution", "Fixed."]).success();
    assert_eq!(desk.outbox(), Vec::<Value>::new());
    let delivered = desk.deliver_at(HOUR_2).success();
    assert_eq!(stdout_of(&delivered), "");
    assert!(desk.received().is_empty());
}

// 8. A crash between queueing a message and saving its event.

/// Writers per round, rounds, and the window their kills land in.
const CRASH_ROUNDS: usize = 10;
const CRASH_WRITERS: usize = 6;
const CRASH_CASES: usize = 3;
const KILL_WINDOW_MS: u64 = 250;
/// Large descriptions widen the window between queueing and saving.
const DESCRIPTION_BYTES: usize = 100 * 1024;

fn spawn(t: &TestStore, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(args)
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .env("TICKETS_LOCK_TIMEOUT", "120")
        .env_remove("TICKETS_SMTP_URL")
        .env_remove("TICKETS_SENDMAIL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tickets")
}

/// The mark a message carries: "ack" for an acknowledgement (an `open`
/// writer's mark is its summary), else the `request-info` message or the
/// resolution it was queued for.
fn mark_of(message: &Received, marks: &[String]) -> String {
    if message.body.contains("has been received, and a Support Analyst") {
        return "ack".to_string();
    }
    marks
        .iter()
        .find(|mark| message.body.contains(mark.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("a message of no event: {}", message.body))
}

/// Every public support event of every case has exactly one message sent,
/// and every message sent has its event.
fn assert_one_message_per_event(desk: &Desk, marks: &[String]) {
    let received = desk.received();
    let unique: HashSet<&str> = received.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(unique.len(), received.len(), "a Message-ID sent twice");
    // (case, mark) -> times sent.
    let mut sent: HashMap<(String, String), usize> = HashMap::new();
    for message in &received {
        let id = message.subject[1..]
            .split(']')
            .next()
            .expect("[ID] in the subject")
            .to_string();
        *sent.entry((id, mark_of(message, marks))).or_default() += 1;
    }
    let mut expected: HashMap<(String, String), usize> = HashMap::new();
    for case in t_cases(&desk.t) {
        let id = case["id"].as_str().expect("id").to_string();
        for event in case["history"].as_array().expect("history") {
            let key = match event["action"].as_str() {
                Some("open") => "ack".to_string(),
                Some("request-info" | "close") => event["message"].as_str().expect("message").to_string(),
                _ => continue,
            };
            *expected.entry((id.clone(), key)).or_default() += 1;
        }
    }
    for (key, times) in &sent {
        assert_eq!(
            expected.get(key),
            Some(&1),
            "{key:?} sent {times} time(s), but its case has no such event (or has it twice)"
        );
    }
    for (key, times) in &expected {
        assert_eq!(*times, 1, "{key:?}: an event recorded twice");
        assert_eq!(
            sent.get(key),
            Some(&1),
            "{key:?}: an event whose message was not sent exactly once"
        );
    }
}

fn t_cases(t: &TestStore) -> Vec<Value> {
    t.list(&["--all"])
        .iter()
        .map(|c| t.show(c["id"].as_str().expect("id")))
        .collect()
}

#[test]
fn writers_killed_between_queueing_and_saving_never_send_a_message_without_its_event() {
    let started_at = Instant::now();
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let long = "x".repeat(DESCRIPTION_BYTES);
    let open = |summary: &str| {
        t.open(&[
            "--customer",
            "Acme Corp",
            "--summary",
            summary,
            "--description",
            &long,
            "--email",
            "ana@acme.example",
        ])
    };
    let mut marks: Vec<String> = Vec::new();
    let ids: Vec<String> = (0..CRASH_CASES).map(|n| open(&format!("busy {n}"))).collect();
    // A question already at NOW on each case: a killed writer's message has
    // the same action and instant as an event that was written.
    for (n, id) in ids.iter().enumerate() {
        let mark = format!("setup-question-{n}.");
        t.run(&["request-info", id, "--message", &mark]).success();
        marks.push(mark);
    }
    let mut rng = rand::rng();
    let mut killed = 0;
    for round in 0..CRASH_ROUNDS {
        // A case for this round's `close` writer.
        let closing = open(&format!("to close {round}"));
        let mut children = Vec::new();
        for writer in 0..CRASH_WRITERS {
            let mark = format!("mark-r{round}-w{writer}.");
            marks.push(mark.clone());
            let child = match writer {
                0 => spawn(t, &["close", &closing, "--resolution", &mark]),
                1 => spawn(
                    t,
                    &[
                        "open",
                        "--customer",
                        "Acme Corp",
                        "--summary",
                        &mark,
                        "--description",
                        &long,
                        "--email",
                        "ana@acme.example",
                    ],
                ),
                _ => {
                    let id = &ids[rng.random_range(0..CRASH_CASES)];
                    spawn(t, &["request-info", id, "--message", &mark])
                }
            };
            children.push((mark, child));
        }
        let started = Instant::now();
        let mut children: Vec<_> = children
            .into_iter()
            .map(|c| (Duration::from_millis(rng.random_range(0..KILL_WINDOW_MS)), c))
            .collect();
        children.sort_by_key(|(deadline, _)| *deadline);
        for (deadline, (mark, mut child)) in children {
            std::thread::sleep(deadline.saturating_sub(started.elapsed()));
            if child.try_wait().expect("try_wait").is_none() {
                child.kill().expect("SIGKILL");
            }
            let status = child.wait().expect("wait");
            match status.code() {
                None => killed += 1,
                Some(code) => assert_eq!(code, 0, "{mark}: a writer that was not killed must succeed"),
            }
        }
    }
    assert!(killed > 0, "no writer was killed: the test proved nothing");

    let orphans = desk.outbox().len();
    let first = desk.deliver_at(NOW).success();
    let dropped = stderr_of(&first).matches("dropped").count();
    let sent = desk.received().len();
    desk.deliver_at(NOW).success();
    assert_eq!(desk.received().len(), sent, "the second run sends nothing");
    assert_one_message_per_event(&desk, &marks);
    let outbox = desk.outbox();
    assert!(outbox.iter().all(|m| m["state"] == "sent"), "{outbox:#?}");
    eprintln!(
        "crash: {} writers, {killed} killed; {orphans} message(s) queued, {dropped} dropped as orphans, {sent} sent, in {:?}",
        CRASH_ROUNDS * CRASH_WRITERS,
        started_at.elapsed()
    );
}

#[test]
fn a_message_queued_by_a_writer_that_died_before_saving_its_case_is_never_sent() {
    use std::os::unix::process::ExitStatusExt;
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let long = "x".repeat(DESCRIPTION_BYTES);
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "big",
        "--description",
        &long,
        "--email",
        "ana@acme.example",
    ]);
    // The same action at the same instant as the writer that dies below.
    t.run(&["request-info", &id, "--message", "Question one, written."])
        .success();
    let before = t.file(&id);
    let limit = (before.len() / 2) as u64;
    let same = "Same question, asked twice.";
    for args in [
        vec!["request-info", id.as_str(), "--message", "Question two, lost."],
        vec!["close", id.as_str(), "--resolution", "Resolution, lost."],
        vec!["request-info", id.as_str(), "--message", same],
    ] {
        let out = run_with_file_size_limit(t, limit, &args);
        assert_eq!(out.status.signal(), Some(libc::SIGXFSZ), "{args:?}: {out:?}");
        assert_eq!(t.file(&id), before, "the case is as it was");
        // The event is its own queue entry: no event, no message.
        let queued: Vec<Value> = desk.outbox();
        assert!(
            !queued
                .iter()
                .any(|m| m["event"] == args[0] && m["state"] == "queued" && args[0] == "close"),
            "{args:?}: a message of an event never written waits: {queued:#?}"
        );
        assert_eq!(queued.len(), 2, "the acknowledgement and question one: {queued:#?}");
    }
    // The next writer asks the very same question at the same instant: its
    // event looks exactly like the lost one's, and gets one message.
    t.run(&["request-info", &id, "--message", same]).success();
    desk.deliver_at(NOW).success();
    let received = desk.received();
    for message in &received {
        assert!(
            !message.body.contains("lost."),
            "a message of no event was sent:\n{}",
            message.body
        );
    }
    let bodies: Vec<&str> = received.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        received.len(),
        3,
        "the acknowledgement, question one, the same question once: {bodies:#?}"
    );
    assert!(received[1].body.contains("Question one, written."));
    assert!(received[2].body.contains(same));
}

#[test]
fn a_message_whose_event_a_merge_moved_down_the_history_is_still_sent() {
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push fails",
        "--description",
        "No push",
        "--email",
        "ana@acme.example",
    ]);
    t.run_at(HOUR_1, &["request-info", &id, "--message", "Which version?"])
        .success();
    // A pull merges another clone's earlier note in before the question.
    let text = std::fs::read_to_string(t.case_path(&id)).expect("case");
    let question = format!("- at: {HOUR_1}\n  actor: tester\n  action: request-info\n");
    assert!(text.contains(&question), "{text}");
    let merged = text.replace(
        &question,
        &format!(
            "- at: 2026-11-19T10:30:00Z\n  actor: other-clone\n  action: note\n  from: open\n  to: open\n  message: from the other clone\n{question}"
        ),
    );
    std::fs::write(t.case_path(&id), merged).expect("write");
    t.run(&["check"]).success();
    let delivered = desk.deliver_at(HOUR_1).success();
    assert!(!stderr_of(&delivered).contains("dropped"), "{}", stderr_of(&delivered));
    let received = desk.received();
    assert_eq!(received.len(), 2);
    assert!(received[1].body.contains("Which version?"));
}

// 9. A store's own template.

#[test]
fn a_store_template_is_used_and_customer_text_never_expands_a_placeholder() {
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    std::fs::create_dir(t.path().join("templates")).expect("templates dir");
    std::fs::write(
        t.path().join("templates/request-info.txt"),
        "Custom question on {id}.\nAbout: {summary}\nQuestion: {message}\nUnknown stays: {nothing}\n{signature}\n",
    )
    .expect("template");
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Sync {message} breaks {id}",
        "--description",
        "It breaks {signature}",
        "--email",
        "ana@acme.example",
    ]);
    t.run_at(
        HOUR_1,
        &[
            "request-info",
            &id,
            "--message",
            "Please run {summary} with {id} and send {closes_on}",
        ],
    )
    .success();
    desk.deliver_at(HOUR_1).success();
    let received = desk.received();
    assert_eq!(received.len(), 2);
    let (ack, question) = (&received[0], &received[1]);
    assert!(
        ack.body.contains("has been received"),
        "the built-in acknowledgement: {}",
        ack.body
    );
    assert!(ack.body.contains("Summary: Sync {message} breaks {id}"), "{}", ack.body);
    assert_eq!(question.subject, format!("[{id}] Sync {{message}} breaks {{id}}"));
    assert_eq!(
        question.body.trim_end(),
        format!(
            "Custom question on {id}.\nAbout: Sync {{message}} breaks {{id}}\n\
             Question: Please run {{summary}} with {{id}} and send {{closes_on}}\n\
             Unknown stays: {{nothing}}\n-- \nThe Desk team"
        )
    );
}

// 10. A planted outbox.

#[test]
fn an_outbox_tracked_by_git_is_refused_and_nothing_is_sent() {
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=Tester", "-c", "user.email=tester@example.com"])
            .args(args)
            .current_dir(t.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "--quiet", "-b", "main"]);
    t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push fails",
        "--description",
        "No push",
        "--email",
        "ana@acme.example",
    ]);
    assert_eq!(desk.outbox().len(), 1);
    git(&["add", "-A"]);
    git(&["add", "-f", ".tickets"]);
    git(&["commit", "--quiet", "-m", "planted"]);

    let refused = desk.deliver_at(HOUR_1).code(5);
    assert!(
        stderr_of(&refused).contains("tracked by git"),
        "{}",
        stderr_of(&refused)
    );
    assert_eq!(stdout_of(&refused), "");
    assert!(desk.received().is_empty(), "nothing sent");
    assert!(desk.outbox().iter().all(|m| m["state"] == "queued"));
    desk.deliver_cmd(HOUR_1).args(["deliver", "--dry-run"]).assert().code(5);

    // Untracked again: the outbox goes out.
    git(&["rm", "-r", "--cached", "--quiet", ".tickets"]);
    desk.deliver_at(HOUR_1).success();
    assert_eq!(desk.received().len(), 1);
}
