//! Writers killed between queueing a message and saving its case, and
//! merges that move an event: a message goes out once per event that was
//! saved, and never for one that was not. Through a real SMTP server on
//! 127.0.0.1, as in `customer_mail_conversation`.

use crate::support::mail::*;
use crate::support::*;
use rand::Rng;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
    if message.flowed().contains("has been received, and a Support Analyst") {
        return "ack".to_string();
    }
    marks
        .iter()
        .find(|mark| message.flowed().contains(mark.as_str()))
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
            !message.flowed().contains("lost."),
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
    assert!(received[1].flowed().contains("Question one, written."));
    assert!(received[2].flowed().contains(same));
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
    assert!(received[1].flowed().contains("Which version?"));
}
