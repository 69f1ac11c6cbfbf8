//! What reaches the customer by mail, and what never does: internal text,
//! replies to automatic mail, messages for a case without a contact, and
//! placeholders in the customer's own words; an outbox tracked by git sends
//! nothing. Through a real SMTP server on 127.0.0.1, as in
//! `customer_mail_conversation`.

use crate::support::mail::*;
use serde_json::Value;
use std::process::Command;

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
        ack.body.starts_with("acknowledgement: ") && ack.flowed().contains("No push since the iOS update"),
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
                !message.flowed().contains(word) && !message.raw.contains(word) && !message.subject.contains(word),
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
        ack.flowed().contains("has been received"),
        "the built-in acknowledgement: {}",
        ack.body
    );
    assert!(
        ack.flowed().contains("Summary: Sync {message} breaks {id}"),
        "{}",
        ack.body
    );
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

#[test]
fn a_customer_reads_their_messages_in_their_language_and_time_zone() {
    let config = format!(
        "{}  - name: Banco Sul\n    plan: plus\n    domains: [bancosul.example]\n    timezone: America/Sao_Paulo\n    language: pt-BR\nmail:\n  from: \"Suporte <suporte@desk.example>\"\n",
        crate::support::CONFIG
    );
    let t = crate::support::TestStore::with_config(&config);
    let id = t.open(&[
        "--customer",
        "Banco Sul",
        "--summary",
        "Pix fora do ar",
        "--email",
        "ana@bancosul.example",
    ]);
    t.run(&["request-info", &id, "-m", "Qual a versão do app?"]).success();
    let sent = t.deliver_and_capture();
    assert_eq!(sent.len(), 2, "{sent:?}");
    let question = sent.iter().find(|m| m.contains("Qual a vers")).expect("the question");
    let flowed = question.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flowed.contains("Seu chamado"), "{question}");
    assert!(
        flowed.contains("quinta-feira, 26 de novembro de 2026, 07:00 (America/Sao_Paulo)"),
        "the closing date in São Paulo, in Portuguese: {question}"
    );
    // A template of the store in the customer's language comes first.
    std::fs::create_dir_all(t.path().join("templates/pt-BR")).unwrap();
    std::fs::write(
        t.path().join("templates/pt-BR/resolution.txt"),
        "Resolvido: {resolution}\n{signature}\n",
    )
    .unwrap();
    std::fs::write(
        t.path().join("templates/resolution.txt"),
        "Resolved: {resolution}\n{signature}\n",
    )
    .unwrap();
    t.run(&["close", &id, "--resolution", "Corrigido na 4.2"]).success();
    let sent = t.deliver_and_capture();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("Resolvido: Corrigido na 4.2"), "{}", sent[0]);
    // Another customer, with no language, keeps English and UTC.
    let other = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push",
        "--email",
        "joe@acme.example",
    ]);
    t.run(&["request-info", &other, "-m", "Which version?"]).success();
    let sent = t.deliver_and_capture();
    let english = sent
        .iter()
        .find(|m| m.contains("Which version?"))
        .expect("the question");
    let flowed = english.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flowed.contains("Thursday 26 November 2026, 10:00 UTC"), "{english}");
}

#[test]
fn a_bad_timezone_or_language_in_config_is_refused_naming_the_customer() {
    for (key, value, said) in [
        ("timezone", "Mars/Olympus", "is not an IANA time zone"),
        ("language", "../etc", "is not a language tag"),
    ] {
        let config = format!(
            "{}  - name: Banco Sul\n    domains: [bancosul.example]\n    {key}: {value}\n",
            crate::support::CONFIG
        );
        let t = crate::support::TestStore::with_config(&config);
        t.run(&["list"])
            .code(5)
            .stderr(predicates::str::contains("Banco Sul"))
            .stderr(predicates::str::contains(said));
    }
}
