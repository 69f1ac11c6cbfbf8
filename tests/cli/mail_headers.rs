//! E-mail intake against messages built to fool it: headers given twice, a
//! From naming several senders, attachment names past the text cap, a tag
//! late in a long Subject, a Message-ID copied from another customer, and
//! the same reply delivered twice.

use crate::support::*;
use assert_cmd::assert::Assert;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::PathBuf;

/// The tag in reply-with-tag.eml.
const TAGGED_ID: &str = "RC-7Q2M9K4D";

fn mail(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mail").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A message from header lines and a body, with CRLF line ends.
fn message(headers: &[&str], body: &str) -> Vec<u8> {
    let mut text = headers.join("\r\n");
    text.push_str("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    text.push_str(&body.replace('\n', "\r\n"));
    text.push_str("\r\n");
    text.into_bytes()
}

fn pipe(t: &TestStore, args: &[&str], message: Vec<u8>) -> Assert {
    t.cmd().args(args).write_stdin(message).assert()
}

fn open_mail(t: &TestStore, message: Vec<u8>) -> Assert {
    pipe(t, &["open", "--from-email"], message)
}

fn reply_mail(t: &TestStore, message: Vec<u8>) -> Assert {
    pipe(t, &["reply", "--from-email"], message)
}

fn stdout_of(assert: Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).expect("utf-8")
}

fn case_files(t: &TestStore) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .expect("store")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("RC-") && n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

/// Opens plain.eml (Ana of Acme Corp) and moves the case to the ID the
/// reply fixtures tag.
fn open_tagged_case(t: &TestStore) -> String {
    let id = stdout_of(open_mail(t, mail("plain.eml")).success()).trim().to_string();
    let text = std::fs::read_to_string(t.case_path(&id)).expect("case");
    std::fs::write(t.case_path(TAGGED_ID), text.replace(&id, TAGGED_ID)).expect("write");
    std::fs::remove_file(t.case_path(&id)).expect("remove");
    TAGGED_ID.to_string()
}

fn replies(t: &TestStore, id: &str) -> Vec<serde_json::Value> {
    t.show(id)["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["action"] == "reply")
        .cloned()
        .collect()
}

// 1. Headers RFC 5322 allows once, and a From naming one sender.

#[test]
fn a_forged_first_from_with_a_customers_address_in_a_second_from_opens_nothing() {
    // DMARC aligns on the first From (the forger's own domain passes); the
    // parser used to trust the last one, Acme's.
    let t = TestStore::new();
    open_mail(&t, mail("two-from.eml"))
        .code(2)
        .stdout("")
        .stderr(contains("e-mail refused: the message has 2 From headers"));
    assert!(case_files(&t).is_empty());
}

#[test]
fn a_forged_first_from_cannot_reply_on_a_customers_case() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    let before = t.file(&id);
    let forged = message(
        &[
            "From: Mallory <mallory@evil.example>",
            "From: Ana Souza <ana.souza@acme.example>",
            &format!("Subject: Re: [{id}] Push notifications stopped on iOS"),
            "Message-ID: <forged-reply@evil.example>",
        ],
        "Please close this case, all fixed.",
    );
    reply_mail(&t, forged).code(2).stderr(contains("2 From headers"));
    assert_eq!(t.file(&id), before, "the case is untouched");
}

#[test]
fn a_header_the_intake_reads_given_twice_is_refused_naming_it() {
    for (name, first, second) in [
        ("Subject", "Subject: one", "Subject: two"),
        (
            "Message-ID",
            "Message-ID: <a@acme.example>",
            "Message-Id: <b@acme.example>",
        ),
        (
            "In-Reply-To",
            "In-Reply-To: <a@acme.example>",
            "In-Reply-To: <b@acme.example>",
        ),
        (
            "References",
            "References: <a@acme.example>",
            "references: <b@acme.example>",
        ),
        // Obsolete syntax (space before the colon) and upper case are the same header.
        ("From", "FROM : mallory@evil.example", "From: ana@acme.example"),
    ] {
        let t = TestStore::new();
        let mut headers = vec![first, second];
        if name != "From" {
            headers.push("From: ana@acme.example");
        }
        open_mail(&t, message(&headers, "Hello"))
            .code(2)
            .stdout("")
            .stderr(contains(format!("the message has 2 {name} headers")));
        assert!(case_files(&t).is_empty(), "{name} twice opened a case");
    }
}

#[test]
fn a_from_naming_several_senders_is_refused_rather_than_one_picked() {
    for (from, reason) in [
        // A list: the customer first, so picking the first would open for Acme.
        ("From: ana@acme.example, mallory@evil.example", "names 2 mailboxes"),
        ("From: mallory@evil.example, ana@acme.example", "names 2 mailboxes"),
        // A group (RFC 6854), and a From folded over a second `From:` line,
        // which parses as a group whose one member is Acme's.
        ("From: Team: ana@acme.example, mallory@evil.example;", "is a group"),
        ("From: mallory@evil.example\r\n\tFrom: ana@acme.example", "is a group"),
        // Two addresses run together come out as `mallory@evil.exampleana@acme.example`.
        (
            "From: <mallory@evil.example> <ana@acme.example>",
            "is not an e-mail address",
        ),
    ] {
        let t = TestStore::new();
        open_mail(&t, message(&[from, "Subject: hello"], "Hello"))
            .code(2)
            .stdout("")
            .stderr(contains(reason));
        assert!(case_files(&t).is_empty(), "{from:?} opened a case");
    }
}

#[test]
fn an_oversized_sender_or_message_id_is_refused_by_the_intake() {
    let t = TestStore::new();
    let long_local = "a".repeat(300);
    let from = format!("From: {long_local}@acme.example");
    open_mail(&t, message(&[&from], "Hello"))
        .code(2)
        .stderr(contains("e-mail refused: the sender's address is 313 bytes"));
    let long_id = format!("Message-ID: <{}@acme.example>", "x".repeat(2000));
    open_mail(&t, message(&["From: ana@acme.example", &long_id], "Hello"))
        .code(2)
        .stderr(contains("e-mail refused: the Message-ID is 2013 bytes"));
    assert!(case_files(&t).is_empty());
}

// 2. Attachments, and the note of those left out, within the text cap.

/// A multipart message from Ana with `count` attachments, each with a long name.
fn with_attachments(body: &str, count: usize) -> Vec<u8> {
    let boundary = "b0undary";
    let mut text = format!(
        "From: ana@acme.example\r\nSubject: Logs\r\nMessage-ID: <many@acme.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    );
    for i in 0..count {
        text.push_str(&format!(
            "--{boundary}\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"crash-report-{i:05}-{}.log\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n",
            "device".repeat(15)
        ));
    }
    text.push_str(&format!("--{boundary}--\r\n"));
    text.into_bytes()
}

#[test]
fn nine_thousand_attachments_keep_a_hundred_and_note_the_rest_within_the_text_cap_not_refused_by_the_store() {
    // 9,000 names of 115 bytes: a 1 MiB list, which used to fail at the
    // store's case-file cap (and name a case ID that was never created).
    let t = TestStore::new();
    let id = stdout_of(open_mail(&t, with_attachments("See the logs.", 9000)).success())
        .trim()
        .to_string();
    let opened = &t.show(&id)["history"][0];
    assert_eq!(
        opened["attachments"].as_array().map(Vec::len),
        Some(100),
        "the first hundred are kept"
    );
    let description = t.show(&id)["description"].as_str().expect("description").to_string();
    assert!(description.len() <= 64 * 1024, "{} bytes", description.len());
    assert!(
        description.starts_with("See the logs.\n\n[attachments left out: crash-report-00100-device"),
        "{}",
        &description[..200]
    );
    let listed = description.matches("crash-report-").count();
    assert!(listed > 10, "{listed} names listed");
    assert!(
        description.ends_with(&format!(" and {} more]", 8900 - listed)),
        "{}",
        &description[description.len() - 80..]
    );
    assert!(t.file(&id).len() < 80 * 1024, "the case file stays small");
}

#[test]
fn the_body_is_cut_shorter_so_body_and_the_note_of_files_left_out_fit_the_text_cap() {
    let t = TestStore::with_config(&format!(
        "{}attachments: {{max_file_bytes: 1}}\n",
        crate::support::CONFIG
    ));
    let body = "word ".repeat(20_000); // 100,000 bytes
    let id = stdout_of(open_mail(&t, with_attachments(&body, 50)).success())
        .trim()
        .to_string();
    let description = t.show(&id)["description"].as_str().expect("description").to_string();
    let cut_note = description
        .find("\n[... cut: the message text was 99999 bytes;")
        .expect("cut note");
    let note = description
        .find("\n\n[attachments left out: ")
        .expect("attachment note");
    assert!(cut_note < note);
    assert!(description.ends_with(" more]"), "names past 4 KiB are counted");
    // All but the cut notice's own few bytes fit the 64 KiB cap.
    assert!(description.len() <= 64 * 1024 + 80, "{} bytes", description.len());
    assert!(
        cut_note + (description.len() - note) <= 64 * 1024,
        "kept body plus note"
    );
}

// 3. The Subject's tag, wherever it is.

#[test]
fn a_tag_after_the_first_200_characters_of_a_long_subject_is_found() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let subject = format!(
        "Subject: Re: Fwd: Re: {} [{id}]",
        "push notifications stopped on iOS after the update ".repeat(6)
    );
    assert!(subject.find('[').expect("tag") > 200);
    let reply = message(
        &[
            "From: Ana Souza <ana.souza@acme.example>",
            &subject,
            "Message-ID: <long-subject@acme.example>",
        ],
        "Version 7.2.1.",
    );
    reply_mail(&t, reply).success();
    assert_eq!(t.status(&id), "open");
    assert_eq!(replies(&t, &id)[0]["message"], "Version 7.2.1.");
}

#[test]
fn a_subject_with_more_than_20_tags_is_refused_without_looking_each_up() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    let before = t.file(&id);
    let tags: String = (0..30).map(|i| format!("[RC-{i:08}]")).collect();
    let subject = format!("Subject: Re: {tags} [{id}]");
    let reply = message(&["From: ana.souza@acme.example", &subject], "Hello");
    reply_mail(&t, reply)
        .code(2)
        .stderr(contains("the Subject carries more than 20 case tags"));
    assert_eq!(t.file(&id), before);
}

#[test]
fn a_long_subject_still_makes_a_summary_of_200_characters() {
    let t = TestStore::new();
    let subject = format!("Subject: {}", "é".repeat(300));
    let id = stdout_of(open_mail(&t, message(&["From: ana@acme.example", &subject], "Hello")).success())
        .trim()
        .to_string();
    // One word longer than the limit is cut inside, and says so.
    assert_eq!(t.show(&id)["summary"], format!("{}…", "é".repeat(199)));
}

// 4. A Message-ID copied from another sender's case.

#[test]
fn another_customers_message_id_is_refused_without_printing_their_case_id() {
    let t = TestStore::new();
    let acme = stdout_of(open_mail(&t, mail("plain.eml")).success()).trim().to_string();
    for from in [
        // Another customer.
        "From: Mallory <mallory@globex.example>",
        // Another sender of the same customer.
        "From: Bob <bob@acme.example>",
    ] {
        let copied = message(
            &[
                from,
                "Subject: Status?",
                "Message-ID: <20261119095510.4821@mx.acme.example>",
            ],
            "What is the status of this case?",
        );
        let assert = open_mail(&t, copied)
            .code(2)
            .stdout("")
            .stderr(contains("already the Message-ID of another sender's case"));
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(!stderr.contains(&acme), "{stderr}");
        assert!(!stderr.contains("Acme"), "{stderr}");
    }
    assert_eq!(case_files(&t), vec![format!("{acme}.yaml")]);
    // The same sender's redelivery is still the same case (any case of the address).
    let again = message(
        &[
            "From: Ana <ANA.SOUZA@acme.example>",
            "Subject: Push notifications stopped on iOS",
            "Message-ID: <20261119095510.4821@mx.acme.example>",
        ],
        "Hello",
    );
    assert_eq!(stdout_of(open_mail(&t, again).success()).trim(), acme);
}

// 5. The same reply delivered twice.

#[test]
fn the_same_reply_delivered_twice_is_recorded_once() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    t.run(&["request-info", &id, "--message", "Could you reinstall the app?"])
        .success();
    reply_mail(&t, mail("reply-with-tag.eml")).success();
    let after_first = t.file(&id);
    reply_mail(&t, mail("reply-with-tag.eml"))
        .code(0)
        .stdout(format!("{id}\n"))
        .stderr(contains(format!("this message was already recorded on {id}")));
    assert_eq!(t.file(&id), after_first, "nothing written");
    let recorded = replies(&t, &id);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["message_id"], "reply-0001@acme.example");
    // --format json still prints the case, as it stands.
    let out = t
        .cmd()
        .args(["--format", "json", "reply", "--from-email"])
        .write_stdin(mail("reply-with-tag.eml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let case: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(case["id"], id.as_str());
    // Closed since: still a duplicate (exit 0), not exit 4, on which the
    // wrapper in docs/mail.md would open a new case with the reply.
    t.run(&["close", &id, "--resolution", "fixed"]).success();
    reply_mail(&t, mail("reply-with-tag.eml"))
        .code(0)
        .stdout(format!("{id}\n"));
    assert_eq!(case_files(&t).len(), 1);
    assert_eq!(replies(&t, &id).len(), 1);
}

#[test]
fn a_redelivered_reply_from_another_customer_is_refused_before_the_duplicate_check() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    reply_mail(&t, mail("reply-with-tag.eml")).success();
    let before = t.file(&id);
    // Globex copying Ana's Message-ID learns nothing: the sender check comes first.
    let copied = String::from_utf8(mail("reply-with-tag.eml"))
        .expect("utf-8")
        .replace("ana.souza@acme.example", "mallory@globex.example");
    reply_mail(&t, copied.into_bytes())
        .code(2)
        .stdout("")
        .stderr(contains("not one of the domains of the case's customer"))
        .stderr(contains("Acme").not());
    assert_eq!(t.file(&id), before);
}

#[test]
fn a_different_reply_is_recorded_and_a_typed_reply_has_no_message_id() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    reply_mail(&t, mail("reply-with-tag.eml")).success();
    let other = String::from_utf8(mail("reply-with-tag.eml"))
        .expect("utf-8")
        .replace("<reply-0001@acme.example>", "<reply-0003@acme.example>");
    reply_mail(&t, other.into_bytes()).success();
    t.run(&["reply", &id, "--message", "By phone: still broken"]).success();
    let recorded = replies(&t, &id);
    assert_eq!(recorded.len(), 3);
    assert_eq!(recorded[1]["message_id"], "reply-0003@acme.example");
    assert!(recorded[2].get("message_id").is_none(), "{}", recorded[2]);
}

#[test]
fn a_reply_message_id_is_written_last_in_its_event_and_read_alike_by_every_reader() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    t.run(&["reply", &id, "--message", "typed"]).success();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let typed = String::from_utf8(t.file(&id)).expect("utf-8");
    assert!(!typed.contains("  message_id"), "no key on other events: {typed}");
    reply_mail(&t, mail("reply-with-tag.eml")).success();
    let text = String::from_utf8(t.file(&id)).expect("utf-8");
    let old_events = &typed[typed.find("\nhistory:\n").expect("history")..];
    assert!(text.contains(old_events), "the old events are written as before");
    assert!(
        text.ends_with("  message_id: reply-0001@acme.example\n"),
        "{}",
        &text[typed.len()..]
    );
    // The fast reader takes it (no fall back to the full parser) and agrees.
    let full = tickets::format::parse_case(&t.case_path(&id), &text, Some(&id)).expect("parses");
    assert_eq!(
        tickets::format::to_yaml(&full).expect("yaml"),
        text,
        "written back the same"
    );
    assert_eq!(
        tickets::format::fast_reader::read_digest(&text),
        Some(tickets::core::digest::Digest::of(&full))
    );
    t.run(&["check", "--strict"]).success();
    // On another event the life cycle does not produce it: check names the file and event.
    let edited = text.replacen(
        "  message: Which version?\n",
        "  message: Which version?\n  message_id: x@y\n",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(t.case_path(&id), edited).expect("write");
    t.run(&["check"])
        .code(5)
        .stdout(contains(format!("{id}.yaml")))
        .stdout(contains("event does not match the transition table"));
}

#[test]
fn a_merge_keeps_the_message_id_of_a_reply_from_either_side() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let ancestor = String::from_utf8(t.file(&id)).expect("utf-8");
    reply_mail(&t, mail("reply-with-tag.eml")).success();
    let replied = String::from_utf8(t.file(&id)).expect("utf-8");
    std::fs::write(t.case_path(&id), &ancestor).expect("write");
    t.run_at("2026-11-19T11:00:00Z", &["assign", &id, "bruno"]).success();
    let assigned = String::from_utf8(t.file(&id)).expect("utf-8");
    for (ours, theirs) in [(&replied, &assigned), (&assigned, &replied)] {
        match tickets::git::merge::merge_files(ancestor.as_bytes(), ours.as_bytes(), theirs.as_bytes(), 7) {
            tickets::git::merge::Merged::Clean(text) => {
                assert!(text.contains("  message_id: reply-0001@acme.example\n"), "{text}");
                assert!(text.contains("  action: assign\n"), "{text}");
            }
            tickets::git::merge::Merged::Conflict { reason, .. } => panic!("{reason}"),
        }
    }
}

#[test]
fn a_reply_citing_another_customers_message_id_learns_neither_the_case_nor_its_customer() {
    // The refusal used to say "not one of Acme Corp's domains, the customer
    // of RC-...": anyone who copied a Message-ID into In-Reply-To learned
    // the case ID and whose it was (and the mail server's bounce said so).
    let t = TestStore::new();
    let id = stdout_of(open_mail(&t, mail("plain.eml")).success()).trim().to_string();
    let before = t.file(&id);
    let citing = |from: &str, cited: &str| {
        message(
            &[
                &format!("From: {from}"),
                "Subject: hello",
                &format!("In-Reply-To: <{cited}>"),
                "Message-ID: <probe@x.example>",
            ],
            "Which case is this?",
        )
    };
    for from in ["mallory@globex.example", "mallory@nobody.example"] {
        let known = reply_mail(&t, citing(from, "20261119095510.4821@mx.acme.example")).failure();
        let stderr = String::from_utf8(known.get_output().stderr.clone()).expect("utf-8");
        assert!(!stderr.contains(&id), "{stderr}");
        assert!(!stderr.contains("Acme"), "{stderr}");
        // And nothing tells a real Message-ID from a made-up one.
        let unknown = reply_mail(&t, citing(from, "made-up@mx.acme.example")).failure();
        assert_eq!(known.get_output().status.code(), unknown.get_output().status.code());
        assert_eq!(stderr, String::from_utf8_lossy(&unknown.get_output().stderr));
    }
    assert_eq!(t.file(&id), before);
}

/// KiB of address space `open --from-email` may use on a hostile message:
/// a plain message takes a few MiB; 10 MiB of empty MIME parts took the
/// parser 420 MB.
const MAIL_MEMORY_KIB: u32 = 256 * 1024;

/// Pipes `message` to `open --from-email` under [`MAIL_MEMORY_KIB`] and 20
/// CPU seconds; (exit code, stderr).
fn open_mail_bounded(t: &TestStore, message: Vec<u8>) -> (Option<i32>, String) {
    use std::io::Write;
    let script = format!("ulimit -t 20; ulimit -v {MAIL_MEMORY_KIB}; exec \"$0\" \"$@\"");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(["open", "--from-email"])
        .env_remove("TICKETS_LOCK_TIMEOUT")
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sh");
    // The command may refuse before reading it all: a broken pipe is fine.
    let _ = child.stdin.take().expect("stdin").write_all(&message);
    let out = child.wait_with_output().expect("wait");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn ten_mib_of_empty_mime_parts_are_refused_in_bounded_memory() {
    let t = TestStore::new();
    assert_eq!(
        open_mail_bounded(&t, mail("plain.eml")).0,
        Some(0),
        "the limit fits a real message"
    );
    let mut parts = b"From: ana.souza@acme.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        .to_vec();
    while parts.len() < 10 * 1024 * 1024 - 64 {
        parts.extend_from_slice(b"--b\n\n");
    }
    parts.extend_from_slice(b"--b\n\nhello\n--b--\n");
    let (code, said) = open_mail_bounded(&t, parts);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("MIME part delimiters"), "{said}");

    let mut headers = b"From: ana.souza@acme.example\r\nSubject: headers\r\n".to_vec();
    while headers.len() < 10 * 1024 * 1024 - 64 {
        headers.extend_from_slice(b"X: y\n");
    }
    headers.extend_from_slice(b"\nhello\n");
    let (code, said) = open_mail_bounded(&t, headers);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("header has more than 10000 lines"), "{said}");
    assert!(case_files(&t).len() == 1, "only the real message opened a case");
}

#[test]
fn ten_mib_of_header_lines_inside_one_mime_part_are_refused_in_bounded_memory() {
    let t = TestStore::new();
    let mut message = b"From: ana.souza@acme.example\r\nSubject: nested\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\n"
        .to_vec();
    while message.len() < 10 * 1024 * 1024 - 64 {
        message.extend_from_slice(b"X: y\n");
    }
    message.extend_from_slice(b"\nhello\n--b--\n");
    let (code, said) = open_mail_bounded(&t, message);
    assert_eq!(code, Some(2), "{said}");
}
