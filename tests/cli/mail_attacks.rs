//! Outbound mail attacked: what someone who pushes to the store (templates,
//! case files, config.yaml), types into a case, or sends crafted mail could
//! make the desk send, leak, or do. One test per hole found, named after
//! what broke.

use crate::support::mail::SmtpServer;
use crate::support::write_script;
use crate::support::{TestStore, CONFIG, NOW};
use std::path::Path;
use std::process::Command;

/// The test roster with outbound mail turned on.
fn mail_store() -> TestStore {
    TestStore::with_config(&format!(
        "{CONFIG}remind_after_days: 3\nmail:\n  from: \"Acme Support <support@desk.example>\"\n"
    ))
}

/// Opens a case for Acme Corp with this contact address.
fn open_with(t: &TestStore, email: &str) -> String {
    t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push fails",
        "--description",
        "No push since the update",
        "--email",
        email,
    ])
}

/// A case waiting for the customer's answer to `question`.
fn waiting(t: &TestStore, question: &str) -> String {
    let id = open_with(t, "ana@acme.example");
    t.run(&["investigate", &id]).success();
    t.run(&["request-info", &id, "--message", question]).success();
    id
}

/// Every outbox file's JSON.
fn outbox_files(t: &TestStore) -> Vec<serde_json::Value> {
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).expect("outbox json");
    listed
        .into_iter()
        .map(|mut m| {
            m["action"] = m["event"].clone();
            m
        })
        .collect()
}

/// The message of `case` for `action`, as the mail host sends it, decoded
/// (quoted-printable undone, soft line breaks joined).
fn queued_text(t: &TestStore, case: &str, action: &str) -> Option<String> {
    let queued = outbox_files(t)
        .into_iter()
        .find(|m| m["case"] == case && m["action"] == action && m["state"] == "queued")?;
    let wanted = format!("<{}>", queued["message_id"].as_str().expect("message_id"));
    let sent = t.deliver_and_capture();
    let raw = sent.into_iter().find(|m| {
        m.lines()
            .any(|l| l.to_ascii_lowercase().starts_with("message-id:") && l.contains(&wanted))
    })?;
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a message");
    Some(message.body_text(0).map(|b| b.into_owned()).unwrap_or_default())
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A message from Ana to the desk.
fn mail_from_ana(subject: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: Ana <ana@acme.example>\r\nTo: support@desk.example\r\nSubject: {subject}\r\n\
         Message-ID: <{n}.x@acme.example>\r\n{extra_headers}\r\n{body}\r\n",
        n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    )
}

/// `tickets ARGS` under `ulimit -t CPU -v 1 GiB`: the exit code and stderr.
fn bounded(t: &TestStore, cpu_seconds: u32, args: &[&str]) -> (Option<i32>, String) {
    let script = format!("ulimit -t {cpu_seconds}; ulimit -v 1048576; exec \"$0\" \"$@\"");
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(args)
        .env_remove("TICKETS_LOCK_TIMEOUT")
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .output()
        .expect("sh");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn write_template(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir.join("templates")).expect("templates/");
    std::fs::write(dir.join("templates").join(format!("{name}.txt")), text).expect("template");
}

/// `Ana Souza <ana@acme.example>` is a valid contact (lettre takes it for
/// the To header), but the outbox kept it whole as the SMTP envelope's
/// recipient, which lettre refuses: every `deliver` failed, forever.
#[test]
fn a_contact_with_a_display_name_is_delivered_by_smtp() {
    let t = mail_store();
    let id = open_with(&t, "Ana Souza <ana@acme.example>");
    let server = SmtpServer::start(t.path());
    let out = t
        .cmd()
        .env("TICKETS_SMTP_URL", server.url())
        .args(["deliver", "--format", "json"])
        .assert();
    let out = out.get_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let received = server.messages();
    assert_eq!(received.len(), 1, "{stderr}");
    let text = String::from_utf8_lossy(&received[0]);
    assert!(text.contains(&format!("[{id}]")), "{text}");
    assert!(text.contains("Ana Souza"), "the To header keeps the name: {text}");
}

/// A template that says `{message}` 100,000 times (900 KB, under the file
/// cap) with a 60 KiB question filled 6 GB: the write died, or queued a
/// message larger than `deliver` reads. Now the fill stops at 4 MiB: the
/// question is recorded, no message is queued, and a warning says why.
#[test]
fn a_template_repeating_a_placeholder_does_not_fill_gigabytes() {
    let t = mail_store();
    let id = open_with(&t, "ana@acme.example");
    t.run(&["investigate", &id]).success();
    write_template(t.path(), "request-info", &"{message}".repeat(100_000));
    let question = "x".repeat(60 * 1024);
    let (code, stderr) = bounded(&t, 30, &["request-info", &id, "--message", &question]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("no message to the customer will be sent"), "{stderr}");
    assert!(stderr.contains("template fills to over"), "{stderr}");
    assert_eq!(t.status(&id), "waiting-for-customer");
    assert!(queued_text(&t, &id, "request-info").is_none());
}

/// A template of 1,000,000 `{` was scanned once per brace to look for its
/// `}`: about 100 s of CPU per `open` (debug build), holding the store's
/// lock. The fill is now linear.
#[test]
fn a_template_of_braces_fills_in_linear_time() {
    let t = mail_store();
    write_template(t.path(), "acknowledgement", &format!("{}}}", "{".repeat(1_000_000)));
    let (code, stderr) = bounded(
        &t,
        10,
        &[
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "s",
            "--description",
            "d",
            "--email",
            "ana@acme.example",
        ],
    );
    assert_eq!(code, Some(0), "killed by the CPU limit? {stderr}");
    assert_eq!(outbox_files(&t).len(), 1);
}

/// `templates` committed as a link to a directory outside the store was
/// followed: its `acknowledgement.txt` went to the customer.
#[test]
fn a_linked_templates_directory_is_not_followed_out_of_the_store() {
    let t = mail_store();
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("acknowledgement.txt"), "SECRET from outside {id}").expect("write");
    std::os::unix::fs::symlink(outside.path(), t.path().join("templates")).expect("symlink");
    let out = t
        .cmd()
        .args([
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "s",
            "--description",
            "d",
        ])
        .args(["--email", "ana@acme.example"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("templates"), "{stderr}");
    let sent = t.deliver_and_capture();
    for message in &sent {
        assert!(!message.contains("SECRET"), "{message}");
    }
}

/// `open`'s event message is the routing reason ("routed to alice (l1):
/// skills matched ...; 0 active case(s); best of 2 available l1
/// analyst(s)") and `remind`'s the desk's own note: a store template using
/// `{message}` or `{resolution}` sent them to the customer.
#[test]
fn the_routing_reason_and_the_reminder_note_never_reach_the_customer() {
    let t = mail_store();
    write_template(t.path(), "acknowledgement", "ack [{message}] [{resolution}]");
    write_template(t.path(), "reminder", "reminder [{message}] [{resolution}]");
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push fails on iOS",
        "--description",
        "push",
        "--email",
        "ana@acme.example",
    ]);
    let reason = t.show(&id)["history"][0]["message"].as_str().unwrap_or("").to_string();
    assert!(reason.contains("routed to"), "the case has a routing reason: {reason}");
    let ack = queued_text(&t, &id, "open").expect("the acknowledgement");
    // The acknowledgement quotes the customer's own description, never the reason.
    assert_eq!(ack.trim(), "ack [push] []");

    t.run(&["investigate", &id]).success();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    t.run_at("2026-11-23T10:00:00Z", &["remind"]).success();
    let reminder = queued_text(&t, &id, "remind").expect("the reminder");
    assert_eq!(reminder.trim(), "reminder [] []");
}

/// The desk's own messages carry `<ID@domain>` or `<ID.notice.x@domain>`,
/// but `reply --from-email` matched In-Reply-To only against the customer's
/// first message: an answer whose Subject lost the `[ID]` tag was "no case"
/// (exit 3), and the wrapper in docs/mail.md opened a second case with it.
#[test]
fn an_answer_to_the_desks_own_message_without_the_tag_is_a_reply() {
    let t = mail_store();
    let id = waiting(&t, "Which version?");
    let question = outbox_files(&t)
        .into_iter()
        .find(|m| m["action"] == "request-info")
        .expect("the question");
    let message_id = question["message_id"].as_str().expect("message_id").to_string();
    let answer = mail_from_ana(
        "Re: your question",
        &format!("In-Reply-To: <{message_id}>\r\n"),
        "Version 4.2.",
    );
    t.cmd()
        .args(["reply", "--from-email"])
        .write_stdin(answer)
        .assert()
        .code(0);
    assert_eq!(t.status(&id), "open");
    assert_eq!(t.list(&[]).len(), 1, "no second case");
}

/// An out-of-office with its own Subject ("Out of office") answering the
/// reminder of a closed case was "no case" (exit 3), so the wrapper in
/// docs/mail.md opened a new case from it. Now it is found and ignored (exit 0).
#[test]
fn an_out_of_office_to_a_closed_case_without_the_tag_opens_nothing() {
    let t = mail_store();
    let id = open_with(&t, "ana@acme.example");
    t.run(&["investigate", &id]).success();
    t.run(&["close", &id, "--resolution", "Fixed in 4.3."]).success();
    let resolution = outbox_files(&t)
        .into_iter()
        .find(|m| m["action"] == "close")
        .expect("the resolution");
    let message_id = resolution["message_id"].as_str().expect("message_id").to_string();
    let ooo = mail_from_ana(
        "Out of office",
        &format!("In-Reply-To: <{message_id}>\r\nAuto-Submitted: auto-replied\r\n"),
        "I am away until Monday.",
    );
    t.cmd()
        .args(["reply", "--from-email"])
        .write_stdin(ooo)
        .assert()
        .code(0);
    assert_eq!(t.list(&["--all"]).len(), 1, "no new case");
    assert_eq!(t.status(&id), "closed");
}

/// Autoresponders that mark their answers only with `X-Autoreply`,
/// `X-Autorespond` or `Precedence: auto_reply` (and a message with a
/// second `Auto-Submitted: no` after `auto-replied`, or `Precedence: bulk
/// (comment)`) were taken for the customer's answer: the waiting case
/// reopened and its 7-day clock stopped.
#[test]
fn autoresponder_headers_besides_auto_submitted_do_not_reopen_a_case() {
    let t = mail_store();
    for headers in [
        "X-Autoreply: yes\r\n",
        "X-Autorespond: vacation\r\n",
        "Precedence: auto_reply\r\n",
        "Precedence: bulk (list)\r\n",
        "Auto-Submitted: auto-replied\r\nAuto-Submitted: no\r\n",
    ] {
        let id = waiting(&t, "Which version?");
        let ooo = mail_from_ana(&format!("Re: [{id}] Push fails"), headers, "I am away until Monday.");
        t.cmd()
            .args(["reply", "--from-email"])
            .write_stdin(ooo)
            .assert()
            .code(0);
        assert_eq!(t.status(&id), "waiting-for-customer", "{headers:?}");
    }
    // A person's answer still reopens it.
    let id = waiting(&t, "Which version?");
    let answer = mail_from_ana(&format!("Re: [{id}] Push fails"), "Auto-Submitted: no\r\n", "4.2");
    t.cmd()
        .args(["reply", "--from-email"])
        .write_stdin(answer)
        .assert()
        .code(0);
    assert_eq!(t.status(&id), "open");
}

/// An outbox file is local, but a store that is not a git repository (a
/// shared directory) lets anyone who writes to it plant one: its `case` and
/// `message_id` went to the terminal raw in `outbox`'s table and in
/// `deliver`'s "dropped" warning (a planted OSC could retitle the window or
/// write to the clipboard).
#[test]
fn a_planted_outbox_file_does_not_steer_the_terminal() {
    let t = mail_store();
    assert!(!t.path().join(".git").exists(), "a store outside git");
    std::fs::create_dir_all(t.path().join(".tickets")).expect(".tickets");
    let planted = serde_json::json!({
        "case": "RC-\u{1b}]52;c;cHduZWQ=\u{7}X",
        "action": "close",
        "event_at": NOW,
        "from": "support@desk.example",
        "to": "ana@acme.example",
        "subject": "s",
        "message_id": "m\u{1b}[31m@desk.example",
        "state": "queued",
        "queued_at": NOW,
        "message": "To: ana@acme.example\r\n\r\nhi\r\n",
    });
    let file = t.path().join(".tickets/outbox.planted.json");
    std::fs::write(&file, serde_json::to_vec(&planted).expect("json")).expect("plant");
    // Owner only, as tickets writes its own (a 0644 file is refused outright):
    // what it says still reaches the terminal escaped.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let listed = t.run(&["outbox"]).success().get_output().clone();
    let delivered = t
        .cmd()
        .env("TICKETS_SENDMAIL", "/bin/true")
        .args(["deliver"])
        .assert()
        .success()
        .get_output()
        .clone();
    for output in [&listed.stdout, &listed.stderr, &delivered.stdout, &delivered.stderr] {
        let text = String::from_utf8_lossy(output);
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }
    assert!(String::from_utf8_lossy(&delivered.stderr).contains("dropped"));
}

/// `open --email "ana@acme.example, evil@x.example"` (or CR/LF and `Bcc:`)
/// opens the case with exit 0; every public event then warns that no
/// message was queued, and the customer never hears back. Not injectable
/// (lettre refuses the address), but the mistake should stop at `open`.
#[test]
#[ignore = "design decision for the lead: refuse a contact that is not one address at open (exit 2) when mail: is on"]
fn a_contact_that_is_not_one_address_is_refused_at_open() {
    let t = mail_store();
    t.cmd()
        .args([
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "s",
            "--description",
            "d",
        ])
        .args(["--email", "ana@acme.example, evil@x.example"])
        .assert()
        .code(2);
}

/// In a store outside git nothing tells a planted outbox file from a real
/// one: one naming the case's contact and a real event is sent as it is,
/// and with `sendmail -t` the recipients are the message's own headers
/// (here a `Bcc:`), not the outbox's `to`.
#[test]
fn a_planted_outbox_message_reaches_only_the_cases_contact() {
    let t = mail_store();
    let id = open_with(&t, "ana@acme.example");
    let seen = t.path().join("sendmail.in");
    let script = t.path().join("sendmail");
    write_script(&script, &format!("cat >> '{}'\n", seen.display()));
    let planted = serde_json::json!({
        "case": id, "action": "open", "event_at": NOW, "from": "support@desk.example",
        "to": "ana@acme.example", "subject": "s", "message_id": "planted@desk.example",
        "state": "queued", "queued_at": NOW,
        "message": "To: ana@acme.example\r\nBcc: victim@elsewhere.example\r\nSubject: pay here\r\n\r\nhi\r\n",
    });
    std::fs::write(
        t.path().join(".tickets/outbox.planted.json"),
        serde_json::to_vec(&planted).expect("json"),
    )
    .expect("plant");
    let _ = t
        .cmd()
        .env("TICKETS_SENDMAIL", format!("{} -t -oi", script.display()))
        .arg("deliver")
        .assert();
    let sent = std::fs::read_to_string(&seen).unwrap_or_default();
    assert!(!sent.contains("victim@elsewhere.example"), "{sent}");
}

#[test]
fn a_linked_language_folder_or_template_is_not_followed_out_of_the_store() {
    let config = format!(
        "{}  - name: Banco Sul\n    domains: [bancosul.example]\n    language: pt-BR\nmail:\n  from: \"Suporte <suporte@desk.example>\"\n",
        crate::support::CONFIG
    );
    for link_the_folder in [true, false] {
        let t = crate::support::TestStore::with_config(&config);
        let outside = tempfile::tempdir().expect("temp dir");
        std::fs::write(outside.path().join("acknowledgement.txt"), "SECRET from outside {id}").expect("write");
        std::fs::create_dir(t.path().join("templates")).expect("templates");
        if link_the_folder {
            std::os::unix::fs::symlink(outside.path(), t.path().join("templates/pt-BR")).expect("symlink");
        } else {
            std::fs::create_dir(t.path().join("templates/pt-BR")).expect("pt-BR");
            std::os::unix::fs::symlink(
                outside.path().join("acknowledgement.txt"),
                t.path().join("templates/pt-BR/acknowledgement.txt"),
            )
            .expect("symlink");
        }
        t.run(&[
            "open",
            "--customer",
            "Banco Sul",
            "--summary",
            "s",
            "--email",
            "ana@bancosul.example",
        ])
        .success();
        for message in t.deliver_and_capture() {
            assert!(!message.contains("SECRET"), "{message}");
        }
    }
}
