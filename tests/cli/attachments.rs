//! Attachments (SPEC section 9): in by mail and `--attach`, stored once
//! under their SHA-256, out with `tickets attachment`, `show` and outbound
//! mail; limits, hostile names, a crash between the file and its event,
//! and `check`.

use crate::support::mail::SmtpServer;
use crate::support::{run_with_file_size_limit, TestStore, CONFIG, NOW};
use predicates::str::contains;
use std::path::{Path, PathBuf};

/// A PNG header and every byte value, twice: nothing survives a text-mode mangling.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend((0..=255u8).chain((0..=255u8).rev()));
    bytes
}

/// A console log with CRLF and LF line ends, a long line and no final newline.
fn log() -> Vec<u8> {
    let mut text = b"2026-11-19 10:00:01 ERROR push failed\r\nstack:\n  at main\r\n".to_vec();
    text.extend(std::iter::repeat_n(b'x', 1500));
    text.extend_from_slice(b"\nlast line, no newline");
    text
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A real multipart message from Ana: a text body, `parts` as
/// (Content-Disposition line, content type, bytes).
fn message(subject: &str, body: &str, parts: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let boundary = "=_b0undary";
    let mut text = format!(
        "From: Ana <ana@acme.example>\r\nTo: support@desk.example\r\nSubject: {subject}\r\n\
         Message-ID: <{}@acme.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        subject.len() * 7 + body.len()
    );
    for (disposition, content_type, bytes) in parts {
        text.push_str(&format!(
            "--{boundary}\r\nContent-Type: {content_type}\r\n{disposition}\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64(bytes)
        ));
    }
    text.push_str(&format!("--{boundary}--\r\n"));
    text.into_bytes()
}

fn open_mail(t: &TestStore, raw: Vec<u8>) -> String {
    let out = t
        .cmd()
        .args(["open", "--from-email"])
        .write_stdin(raw)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap().trim().to_string()
}

/// `tickets attachment ID NAME` on stdout (a pipe).
fn fetch(t: &TestStore, id: &str, name: &str) -> Vec<u8> {
    t.run(&["attachment", id, name]).success().get_output().stdout.clone()
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                found.push(entry.path().strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

fn attachments_of(t: &TestStore, id: &str, event: usize) -> Vec<serde_json::Value> {
    t.show(id)["history"][event]["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_multipart_message_with_a_png_and_a_log_keeps_both_byte_for_byte() {
    let t = TestStore::new();
    let (png, log) = (png(), log());
    let id = open_mail(
        &t,
        message(
            "Push fails",
            "Screenshot and console log attached.",
            &[
                // An inline image counts as an attachment too.
                (
                    "Content-Disposition: inline; filename=\"screen.png\"",
                    "image/png",
                    &png,
                ),
                (
                    "Content-Disposition: attachment; filename=\"console.log\"",
                    "text/plain",
                    &log,
                ),
            ],
        ),
    );
    let listed = attachments_of(&t, &id, 0);
    let names: Vec<&str> = listed.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["screen.png", "console.log"]);
    assert_eq!(listed[0]["size"], png.len());
    assert_eq!(listed[0]["content_type"], "image/png");
    assert_eq!(fetch(&t, &id, "screen.png"), png);
    assert_eq!(fetch(&t, &id, "console.log"), log);
    let out = t.path().join("../fetched.log");
    t.run(&["attachment", &id, "console.log", "--output", out.to_str().unwrap()])
        .success();
    assert_eq!(std::fs::read(&out).unwrap(), log);
    // Stored once each, under its hash, and not mentioned as "not kept".
    let sha = listed[1]["sha256"].as_str().unwrap();
    assert_eq!(
        std::fs::read(t.path().join("attachments").join(&sha[..2]).join(&sha[2..])).unwrap(),
        log
    );
    assert!(!t.show(&id)["description"].as_str().unwrap().contains("not kept"));
    let shown = t.stdout(&["show", &id]);
    assert!(
        shown.contains("attachment: screen.png (528 bytes, image/png, sha256"),
        "{shown}"
    );

    // The customer's answer by mail keeps its log too.
    let answer = message(
        &format!("Re: [{id}] Push fails"),
        "Here is the log you asked for.",
        &[(
            "Content-Disposition: attachment; filename=\"second.log\"",
            "text/plain",
            b"second\n",
        )],
    );
    t.cmd()
        .args(["reply", "--from-email"])
        .write_stdin(answer)
        .assert()
        .success();
    assert_eq!(fetch(&t, &id, "second.log"), b"second\n");
    t.run(&["check"]).success();
}

#[test]
fn attach_on_the_command_line_names_two_files_of_one_name_by_hash_prefix() {
    let t = TestStore::new();
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a/log.txt"), dir.path().join("b/log.txt"));
    for (path, text) in [(&first, "first\n"), (&second, "second\n")] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "x",
        "--attach",
        first.to_str().unwrap(),
    ]);
    t.run(&[
        "request-info",
        &id,
        "-m",
        "Try this",
        "--attach",
        second.to_str().unwrap(),
    ])
    .success();
    t.run(&[
        "reply",
        &id,
        "-m",
        "Same file again",
        "--attach",
        first.to_str().unwrap(),
    ])
    .success();
    t.run(&["close", &id, "-r", "Fixed", "--attach", second.to_str().unwrap()])
        .success();
    // Two contents, one name: ambiguous, with the hashes to choose from.
    let refused = t.run(&["attachment", &id, "log.txt"]).code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    let second_sha = attachments_of(&t, &id, 1)[0]["sha256"].as_str().unwrap().to_string();
    assert!(stderr.contains(&second_sha[..12]), "{stderr}");
    assert_eq!(fetch(&t, &id, &second_sha[..8]), b"second\n");
    t.run(&["attachment", &id, "nothing.txt"])
        .code(2)
        .stderr(contains("no attachment named"));
    // Only the events that carry files may: a note refuses them (clap has no --attach there).
    t.run(&["note", &id, "-m", "x", "--attach", first.to_str().unwrap()])
        .code(2);
    assert_eq!(files_under(&t.path().join("attachments")).len(), 2, "each content once");
}

#[test]
fn a_file_over_a_limit_is_left_out_and_the_event_and_sender_are_told() {
    let config = format!("{CONFIG}attachments: {{max_file_bytes: 1000, max_message_bytes: 1500, max_case_bytes: 2500}}\nmail:\n  from: \"Support <support@desk.example>\"\n");
    let t = TestStore::with_config(&config);
    let big = vec![b'x'; 2000];
    let fits = vec![b'y'; 900];
    let id = open_mail(
        &t,
        message(
            "Logs",
            "Two logs.",
            &[
                (
                    "Content-Disposition: attachment; filename=\"huge.log\"",
                    "text/plain",
                    &big,
                ),
                (
                    "Content-Disposition: attachment; filename=\"small.log\"",
                    "text/plain",
                    &fits,
                ),
                // Within the file limit, but past what the message has left.
                (
                    "Content-Disposition: attachment; filename=\"more.log\"",
                    "text/plain",
                    &fits,
                ),
            ],
        ),
    );
    let names: Vec<String> = attachments_of(&t, &id, 0)
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["small.log"]);
    let description = t.show(&id)["description"].as_str().unwrap().to_string();
    assert!(
        description.ends_with(
            "[attachments left out: huge.log (2.0 KiB, over the limit of 1000 bytes a file); \
             more.log (900 bytes, over the limit of 1.5 KiB a message)]"
        ),
        "{description}"
    );
    // The acknowledgement quotes the description: the sender is told.
    let queued = t.deliver_and_capture();
    assert_eq!(queued.len(), 1);
    assert!(queued[0].contains("attachments left out: huge.log"), "{}", queued[0]);
    // The case limit: 900 kept of 2500; 1000 more fits, then 1000 does not.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k.bin");
    for (round, expected_left_out) in [(0, false), (1, true)] {
        std::fs::write(&file, vec![round as u8; 1000]).unwrap();
        let out = t
            .run(&["reply", &id, "-m", "more", "--attach", file.to_str().unwrap()])
            .success();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(
            stderr.contains("over the limit of 2.4 KiB a case"),
            expected_left_out,
            "{stderr}"
        );
    }
    let last = t.show(&id)["history"].as_array().unwrap().last().cloned().unwrap();
    assert!(last["attachments"].is_null(), "{last}");
    assert!(last["message"]
        .as_str()
        .unwrap()
        .starts_with("more\n\n[attachments left out: k.bin"));
    t.run(&["check"]).success();
}

#[test]
fn hostile_file_names_stay_labels() {
    let t = TestStore::new();
    let long = "n".repeat(10_000);
    let names = [
        "filename=\"../../etc/passwd\"".to_string(),
        // RFC 2231: a NUL byte and a terminal escape, percent-encoded.
        "filename*=UTF-8''nul%00byte%1B%5D0%3Bpwned%07.txt".to_string(),
        format!("filename=\"{long}.txt\""),
        "filename=\"/tmp/absolute\"".to_string(),
    ];
    let dispositions: Vec<String> = names
        .iter()
        .map(|n| format!("Content-Disposition: attachment; {n}"))
        .collect();
    let contents: Vec<Vec<u8>> = (0..names.len())
        .map(|i| format!("content {i}\n").into_bytes())
        .collect();
    let parts: Vec<(&str, &str, &[u8])> = dispositions
        .iter()
        .zip(&contents)
        .map(|(d, c)| (d.as_str(), "text/plain", c.as_slice()))
        .collect();
    let id = open_mail(&t, message("Names", "Look at these names.", &parts));
    let listed = attachments_of(&t, &id, 0);
    assert_eq!(listed.len(), 4);
    let stored: Vec<String> = listed.iter().map(|a| a["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(stored[0], "../../etc/passwd", "a label, kept as given");
    assert!(!stored[1].chars().any(char::is_control), "{:?}", stored[1]);
    assert!(stored[1].starts_with("nul"), "{:?}", stored[1]);
    assert_eq!(stored[2].chars().count(), 255);
    // Nothing was written anywhere but the case file and attachments/.
    let inside: Vec<PathBuf> = files_under(t.path())
        .into_iter()
        .filter(|p| !p.starts_with(".tickets"))
        .collect();
    assert!(
        inside.iter().all(|p| p.starts_with("attachments")
            || p.extension().is_some_and(|e| e == "yaml")
            || p.ends_with(".gitignore")
            || p == std::path::Path::new("sent/since")),
        "{inside:?}"
    );
    assert_eq!(inside.iter().filter(|p| p.starts_with("attachments")).count(), 4);
    assert!(!t.path().join("../etc").exists() && !t.path().join("../../etc/passwd.tickets").exists());
    // Shown escaped and cut, and fetched by its label.
    let shown = t.stdout(&["show", &id]);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}') && !shown.contains('\0'),
        "{shown:?}"
    );
    assert!(!shown.contains(&"n".repeat(101)), "a long name is cut for display");
    assert_eq!(fetch(&t, &id, "../../etc/passwd"), b"content 0\n");
}

#[test]
fn a_crash_between_the_file_and_its_event_leaves_at_most_an_orphan() {
    use std::os::unix::process::ExitStatusExt;
    let t = TestStore::new();
    // A case file larger than the limit set below, a file smaller than it.
    let description = "d".repeat(20_000);
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "x",
        "--description",
        &description,
    ]);
    let before = t.file(&id);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crash.log");
    std::fs::write(&file, b"written before the event\n").unwrap();
    let limit = (before.len() / 2) as u64;
    let out = run_with_file_size_limit(
        &t,
        limit,
        &["reply", &id, "-m", "with a file", "--attach", file.to_str().unwrap()],
    );
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGXFSZ),
        "died writing the case file: {out:?}"
    );
    assert_eq!(t.file(&id), before, "no event names the file");
    let stored = files_under(&t.path().join("attachments"));
    assert_eq!(stored.len(), 1, "the file was written first: {stored:?}");
    // An orphan: a note, not an error; --prune removes it.
    let report: serde_json::Value =
        serde_json::from_slice(&t.run(&["check", "--format", "json"]).success().get_output().stdout).unwrap();
    let kinds: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"attachment-orphan"), "{report}");
    t.run(&["check", "--prune"]).success().stderr(contains("pruned 1"));
    assert!(files_under(&t.path().join("attachments")).is_empty());
    // The same reply again works, and check is clean.
    t.run(&["reply", &id, "-m", "with a file", "--attach", file.to_str().unwrap()])
        .success();
    t.run(&["check", "--strict"]).success();
}

#[test]
fn check_reports_a_missing_or_changed_attachment_with_its_case_and_event() {
    let t = TestStore::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.txt");
    std::fs::write(&file, b"original\n").unwrap();
    let id = t.open(&["--customer", "Acme Corp", "--summary", "x"]);
    t.run(&["reply", &id, "-m", "log", "--attach", file.to_str().unwrap()])
        .success();
    let sha = attachments_of(&t, &id, 1)[0]["sha256"].as_str().unwrap().to_string();
    let stored = t.path().join("attachments").join(&sha[..2]).join(&sha[2..]);
    std::fs::write(&stored, b"changed!\n").unwrap();
    let out = t.run(&["check"]).code(5);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains(&format!("{id}.yaml")) && text.contains("event 2 (reply)"),
        "{text}"
    );
    assert!(text.contains("does not match its SHA-256"), "{text}");
    t.run(&["attachment", &id, "log.txt"]).code(5);
    std::fs::remove_file(&stored).unwrap();
    t.run(&["check"]).code(5).stdout(contains("is missing"));
    // A link in its place is refused, never followed.
    std::os::unix::fs::symlink(&file, &stored).unwrap();
    t.run(&["attachment", &id, "log.txt"])
        .code(5)
        .stderr(contains("symbolic link"));
    // Pruning is refused while the store has errors.
    t.run(&["check", "--prune"]).code(5).stderr(contains("removed nothing"));
}

#[test]
fn outbound_mail_carries_the_attachment_byte_for_byte_and_a_missing_one_keeps_it_queued() {
    let config = format!("{CONFIG}mail:\n  from: \"Support <support@desk.example>\"\n");
    let t = TestStore::with_config(&config);
    let mailroom = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(mailroom.path());
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "x",
        "--email",
        "ana@acme.example",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let patch = dir.path().join("fix.png");
    std::fs::write(&patch, png()).unwrap();
    let log_file = dir.path().join("steps.log");
    std::fs::write(&log_file, log()).unwrap();
    t.run(&[
        "request-info",
        &id,
        "-m",
        "Apply this and send the log",
        "--attach",
        patch.to_str().unwrap(),
        "--attach",
        log_file.to_str().unwrap(),
    ])
    .success();
    // The outbox keeps references, not bytes.
    let outbox = t.stdout(&["outbox", "--format", "json"]);
    assert!(outbox.len() < 10_000, "{} bytes", outbox.len());
    let deliver = |t: &TestStore| {
        t.cmd()
            .env_remove("TICKETS_SENDMAIL")
            .env("TICKETS_SMTP_URL", server.url())
            .args(["deliver"])
            .assert()
    };
    // A file gone from the store: the message stays queued with the reason.
    let sha = attachments_of(&t, &id, 1)[0]["sha256"].as_str().unwrap().to_string();
    let stored = t.path().join("attachments").join(&sha[..2]).join(&sha[2..]);
    let kept = std::fs::read(&stored).unwrap();
    std::fs::remove_file(&stored).unwrap();
    deliver(&t);
    let outbox: serde_json::Value = serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).unwrap();
    let failed: Vec<&serde_json::Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["state"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{outbox}");
    assert!(failed[0]["error"].as_str().unwrap().contains("fix.png"), "{outbox}");
    std::fs::write(&stored, kept).unwrap();
    deliver(&t).success();
    let received = server.messages();
    let with_files = received
        .iter()
        .map(|raw| mail_parser::MessageParser::default().parse(raw).unwrap())
        .find(|m| m.attachment_count() > 0)
        .expect("the request-info message with its files");
    use mail_parser::MimeHeaders;
    let files: Vec<(String, Vec<u8>)> = with_files
        .attachments()
        .map(|a| (a.attachment_name().unwrap().to_string(), a.contents().to_vec()))
        .collect();
    assert_eq!(
        files,
        vec![("fix.png".to_string(), png()), ("steps.log".to_string(), log())]
    );
    assert!(with_files.body_text(0).unwrap().contains("Apply this and send the log"));
}

#[test]
fn attachment_refuses_to_write_bytes_to_a_terminal() {
    // util-linux `script` gives the command a pseudo-terminal as stdout.
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` command to run tickets on a terminal");
        return;
    }
    let t = TestStore::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("screen.png");
    std::fs::write(&file, png()).unwrap();
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "x",
        "--attach",
        file.to_str().unwrap(),
    ]);
    let command = format!(
        "{} attachment {id} screen.png; echo \"exit=$?\"",
        assert_cmd::cargo::cargo_bin!("tickets").display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("exit=2"), "{text}");
    assert!(text.contains("use --output FILE or a pipe"), "{text}");
    assert!(!text.contains("PNG"), "no bytes reached the terminal: {text}");
}

#[test]
fn git_setup_lfs_writes_the_lfs_line_once() {
    let t = TestStore::new();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(t.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "--quiet"]);
    let line = "attachments/** filter=lfs diff=lfs merge=lfs -text";
    t.run(&["git-setup"]).success();
    let attributes = || std::fs::read_to_string(t.path().join(".gitattributes")).unwrap();
    assert!(!attributes().contains(line), "only with --lfs");
    t.run(&["git-setup", "--lfs"])
        .success()
        .stdout(contains("wrote `attachments/**"));
    t.run(&["git-setup", "--lfs"])
        .success()
        .stdout(contains("already keeps attachments in git LFS"));
    assert_eq!(
        attributes().lines().filter(|l| *l == line).count(),
        1,
        "{}",
        attributes()
    );
    assert_eq!(attributes().lines().filter(|l| *l == "*.yaml merge=tickets").count(), 1);
}

#[test]
fn the_customers_own_files_are_never_mailed_back_in_the_acknowledgement() {
    let t = TestStore::with_config(&format!("{CONFIG}mail:\n  from: \"Support <support@desk.example>\"\n"));
    let raw = message(
        "Crash log",
        "The log is attached.",
        &[(
            "Content-Disposition: attachment; filename=\"crash.log\"",
            "text/plain",
            &log(),
        )],
    );
    let id = open_mail(&t, raw);
    assert_eq!(attachments_of(&t, &id, 0).len(), 1, "the case keeps the file");
    let sent = t.deliver_and_capture();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains(&format!("[{id}]")), "{}", sent[0]);
    assert!(
        !sent[0].contains("crash.log") && !sent[0].contains("multipart/mixed"),
        "{}",
        sent[0]
    );
}
