//! Attacks on the mail host by someone who can push to the shared store:
//! the committed sent ledger (`sent/`). The mail host must never write
//! outside the store, hang, exhaust memory, crash, send to an address that
//! is not the case's contact, print raw control characters, or mass-mail.
//! Each test plants one attack and asserts the thing that would be wrong.

use crate::support::mail::{a_case, deliver, mail_store, tickets, MailServer, HANG};
use crate::support::*;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file below `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("meta");
            if meta.is_dir() {
                stack.push(path);
            } else {
                let bytes = if meta.is_file() {
                    std::fs::read(&path).expect("read")
                } else {
                    Vec::new()
                };
                all.push((path, bytes));
            }
        }
    }
    all.sort();
    all
}

fn ledger_file(t: &TestStore) -> PathBuf {
    t.path().join("sent/2026-11.log")
}

/// One ledger line.
fn ledger_line(case: &str, key: &str, to: &str, subject: &str) -> String {
    serde_json::json!({
        "sent_at": "2026-11-19T09:00:00Z",
        "case": case,
        "event": "open",
        "key": key,
        "message_id": format!("{case}@desk.example"),
        "to": to,
        "subject": subject,
    })
    .to_string()
}

fn no_raw_control_characters(what: &str, output: &str) {
    let bad: Vec<char> = output
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c))
        .collect();
    assert!(
        bad.is_empty(),
        "{what} printed raw control characters {bad:?}:\n{output}"
    );
}

#[test]
fn a_sent_folder_linked_outside_the_store_is_refused_and_never_written_through() {
    let t = mail_store();
    a_case(&t);
    let outside = tempfile::tempdir().expect("temp dir");
    let target = outside.path().join("ledger");
    std::fs::rename(t.path().join("sent"), &target).expect("move sent");
    symlink(&target, t.path().join("sent")).expect("link");
    let before = snapshot(outside.path());
    let server = MailServer::new();

    let out = deliver(&t, &server);

    assert!(!out.status.success(), "deliver went on through a linked sent/");
    assert!(
        text(&out.stderr).contains("sent"),
        "the refusal names sent/: {}",
        text(&out.stderr)
    );
    assert_eq!(snapshot(outside.path()), before, "deliver wrote outside the store");
    assert!(server.messages().is_empty(), "mail went out with the ledger refused");
    let (outbox, _) = tickets(&t, NOW, None, &["outbox"]);
    assert!(!outbox.status.success(), "outbox read a linked sent/");
}

#[test]
fn a_ledger_file_linked_outside_the_store_is_never_appended_to() {
    let t = mail_store();
    a_case(&t);
    let outside = tempfile::tempdir().expect("temp dir");
    let server = MailServer::new();

    // A link to an existing file: the month's file deliver would append to.
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "precious\n").expect("victim");
    symlink(&victim, ledger_file(&t)).expect("link");
    let out = deliver(&t, &server);
    assert!(!out.status.success(), "deliver read a linked ledger file");
    assert_eq!(
        std::fs::read(&victim).expect("victim"),
        b"precious\n",
        "appended through the link"
    );
    assert!(server.messages().is_empty(), "mail went out with the ledger refused");

    // A dangling link: appending with O_CREAT would create the target.
    std::fs::remove_file(ledger_file(&t)).expect("unlink");
    let created = outside.path().join("created");
    symlink(&created, ledger_file(&t)).expect("dangling link");
    let out = deliver(&t, &server);
    assert!(!out.status.success(), "deliver read a dangling ledger link");
    assert!(
        !created.exists(),
        "deliver created a file outside the store through a dangling link"
    );
    assert!(server.messages().is_empty());
}

#[test]
fn a_ledger_fifo_or_a_since_fifo_never_hangs_deliver_or_outbox() {
    let server = MailServer::new();
    for name in ["2026-11.log", "since"] {
        let t = mail_store();
        a_case(&t);
        let path = t.path().join("sent").join(name);
        let _ = std::fs::remove_file(&path);
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: a plain mkfifo(3) on a path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
        let (out, took) = tickets(&t, NOW, Some(&server), &["deliver"]);
        assert!(took < Duration::from_secs(2), "deliver waited on the FIFO sent/{name}");
        assert!(!out.status.success(), "deliver took the FIFO sent/{name} as a ledger");
        assert!(text(&out.stderr).contains("FIFO"), "{}", text(&out.stderr));
        let (out, took) = tickets(&t, NOW, None, &["outbox"]);
        assert!(took < Duration::from_secs(2), "outbox waited on the FIFO sent/{name}");
        assert!(!out.status.success());
    }
    assert!(server.messages().is_empty(), "mail went out with the ledger refused");
}

#[test]
fn a_ledger_file_linked_to_a_device_is_refused_unread() {
    let server = MailServer::new();
    for name in ["2026-10.log", "since"] {
        let t = mail_store();
        a_case(&t);
        let path = t.path().join("sent").join(name);
        let _ = std::fs::remove_file(&path);
        symlink("/dev/zero", &path).expect("link");
        let (out, took) = tickets(&t, NOW, Some(&server), &["deliver"]);
        assert!(
            took < Duration::from_secs(2),
            "deliver read /dev/zero through sent/{name}"
        );
        assert!(!out.status.success(), "deliver read sent/{name} -> /dev/zero");
    }
    assert!(server.messages().is_empty());
}

#[test]
fn a_ledger_line_of_200_mib_is_refused_after_its_first_kibibytes() {
    let server = MailServer::new();
    let t = mail_store();
    a_case(&t);
    // A line that opens a JSON string and never closes it: a sparse file,
    // so 200 MiB (under the file cap) cost nothing to plant (git would pack
    // it to a few KiB).
    let file = std::fs::File::create(ledger_file(&t)).expect("ledger");
    std::io::Write::write_all(
        &mut &file,
        br#"{"sent_at":"2026-11-19T09:00:00Z","case":"RC-X","key":""#,
    )
    .expect("head");
    file.set_len(200 * 1024 * 1024).expect("sparse");
    drop(file);
    let (out, took) = tickets(&t, NOW, Some(&server), &["deliver"]);
    assert!(
        took < Duration::from_secs(2),
        "deliver read the gigabyte line ({took:?})"
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("too long"), "{}", text(&out.stderr));

    // Over the file cap: refused by its size, unread.
    std::fs::OpenOptions::new()
        .write(true)
        .open(ledger_file(&t))
        .and_then(|f| f.set_len(8 * 1024 * 1024 * 1024))
        .expect("sparse 8 GiB");
    let (out, took) = tickets(&t, NOW, Some(&server), &["deliver"]);
    assert!(took < Duration::from_secs(2), "deliver read the 8 GiB file ({took:?})");
    assert!(!out.status.success());
    assert!(server.messages().is_empty());
}

#[test]
fn invalid_json_in_the_middle_of_the_ledger_stops_delivery_and_names_the_line() {
    let server = MailServer::new();
    let t = mail_store();
    let id = a_case(&t);
    std::fs::write(
        ledger_file(&t),
        format!(
            "{}\nnot json at all\n{}\n",
            ledger_line("RC-A", "0000000000000000", "x@acme.example", "s"),
            ledger_line("RC-B", "1111111111111111", "y@acme.example", "s")
        ),
    )
    .expect("ledger");
    let out = deliver(&t, &server);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("2026-11.log:2"),
        "the refusal names the line: {}",
        text(&out.stderr)
    );
    assert!(
        server.messages().is_empty(),
        "{id}'s mail went out past a broken ledger"
    );
}

#[test]
fn non_utf8_in_the_ledger_is_refused_not_a_crash() {
    let server = MailServer::new();
    let t = mail_store();
    a_case(&t);
    let mut bytes = b"{\"sent_at\":\"2026-11-19T09:00:00Z\",\"case\":\"RC-\xff\xfe\",\"event\":\"open\",\"key\":\"k\xc3\",\"message_id\":\"m\",\"to\":\"\xff@x\",\"subject\":\"\xe2\x80\"}\n".to_vec();
    bytes.extend_from_slice(b"\xff\xfe\x00\n");
    std::fs::write(ledger_file(&t), bytes).expect("ledger");
    let out = deliver(&t, &server);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let (outbox, _) = tickets(&t, NOW, None, &["outbox"]);
    assert_ne!(outbox.status.code(), Some(101), "outbox panicked");
    assert!(server.messages().is_empty());
}

#[test]
fn a_garbage_since_stops_delivery_and_names_the_file() {
    let server = MailServer::new();
    let t = mail_store();
    a_case(&t);
    std::fs::write(t.path().join("sent/since"), "next tuesday, maybe\n").expect("since");
    let out = deliver(&t, &server);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("since"), "{}", text(&out.stderr));
    assert!(server.messages().is_empty());
}

#[test]
fn planted_ledger_lines_never_choose_a_recipient() {
    let server = MailServer::new();
    let t = mail_store();
    let id = a_case(&t);
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    // Lines for this very case, under keys that are not its events' keys,
    // each naming the attacker as the recipient.
    let planted: String = [
        "0000000000000000",
        "00000000000000ff",
        "ffffffffffffffff",
        "0123456789abcdef",
    ]
    .iter()
    .map(|key| {
        format!(
            "{}\n",
            ledger_line(&id, key, "evil@evil.example", "Bcc: evil@evil.example")
        )
    })
    .collect();
    std::fs::write(ledger_file(&t), planted).expect("ledger");
    let out = deliver(&t, &server);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let messages = server.messages();
    assert_eq!(messages.len(), 2, "the acknowledgement and the question go out");
    for message in messages.iter().chain(server.arguments().iter()) {
        assert!(
            !message.contains("evil.example"),
            "a planted line chose a recipient:\n{message}"
        );
    }
    for message in &messages {
        assert!(message.lines().any(|l| l == "To: ana@acme.example"), "{message}");
    }
}

#[test]
fn control_characters_in_planted_ledger_entries_never_reach_the_terminal() {
    let t = mail_store();
    a_case(&t);
    std::fs::write(
        ledger_file(&t),
        format!(
            "{}\n",
            serde_json::json!({
                "sent_at": "2026-11-19T09:00:00Z",
                "case": "RC-X",
                "event": "open\u{1b}]0;pwned\u{7}",
                "key": "00000000000000aa",
                "message_id": "m\u{1b}[2J",
                "to": "a\u{1b}[31m@x\r\nFAKE\u{9b}2J",
                "subject": "\u{1b}]8;;http://evil.example\u{7}click\u{1b}]8;;\u{7}\u{202e}",
            })
        ),
    )
    .expect("ledger");
    let (out, _) = tickets(&t, NOW, None, &["outbox"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    no_raw_control_characters("outbox", &text(&out.stdout));
    no_raw_control_characters("outbox (stderr)", &text(&out.stderr));
}

#[test]
fn a_ledger_file_named_with_control_characters_is_escaped_in_the_error() {
    let server = MailServer::new();
    let t = mail_store();
    a_case(&t);
    let name = "x\nerror: forged line\u{1b}[31m.log";
    std::fs::write(t.path().join("sent").join(name), "garbage\n{}\n").expect("ledger");
    let out = deliver(&t, &server);
    assert!(!out.status.success());
    no_raw_control_characters("deliver's error", &text(&out.stderr));
    assert!(server.messages().is_empty());
}

/// Runs `command` to its end and returns its exit status and peak resident
/// memory in KiB: the child's own `VmHWM`, read from /proc while it runs
/// (wait4's `ru_maxrss` would count the test process's own high-water mark,
/// which a spawned child inherits at exec).
fn peak_memory_kib(command: &mut Command) -> (std::process::ExitStatus, u64) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let status_file = format!("/proc/{}/status", child.id());
    let start = Instant::now();
    let mut peak = 0;
    loop {
        // The high-water mark only grows: the last reading is the largest.
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
        }
        if let Some(status) = child.try_wait().expect("waits") {
            return (status, peak);
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} hung");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn deliver_does_not_hold_a_planted_ledger_of_oversized_keys_in_memory() {
    // A real key is 16 hex digits. Planted lines with 60 KiB keys (each
    // under the 64 KiB line cap, the file under the 1 GiB file cap, and as
    // many files as the attacker likes) are all kept in the ledger's key
    // set: the mail host's memory grows with whatever was pushed.
    let server = MailServer::new();
    let t = mail_store();
    a_case(&t);
    let mail_host = |t: &TestStore| {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
        command
            .env_remove("TICKETS_SMTP_URL")
            .env("TICKETS_DIR", t.path())
            .env("TICKETS_NOW", NOW)
            .env("TICKETS_ACTOR", "tester")
            .env("TICKETS_SENDMAIL", server.command())
            .args(["deliver", "--dry-run"]);
        command
    };
    // A reading taken while the process is still being started says a few
    // KiB: a short run may give no other, so the baseline is the largest of
    // a few runs (never a start-up reading alone).
    let baseline = (0..5).map(|_| peak_memory_kib(&mut mail_host(&t)).1).max().unwrap_or(0);
    assert!(baseline >= 1024, "deliver's baseline was not measured ({baseline} KiB)");

    let pad = "a".repeat(60 * 1024);
    let mut planted = String::with_capacity(1000 * (pad.len() + 200));
    for n in 0..1000 {
        planted.push_str(&ledger_line("RC-PLANTED", &format!("{pad}{n}"), "x@acme.example", "s"));
        planted.push('\n');
    }
    std::fs::write(t.path().join("sent/2026-10.log"), &planted).expect("ledger");
    let planted_mib = planted.len() / (1024 * 1024);
    drop(planted);

    let (status, peak) = peak_memory_kib(&mut mail_host(&t));
    assert!(peak >= 1024, "the planted run was not measured ({peak} KiB)");
    let grew_mib = peak.saturating_sub(baseline) / 1024;
    assert!(
        grew_mib < 16,
        "a {planted_mib} MiB planted ledger grew deliver's peak memory by {grew_mib} MiB \
         (from {baseline} KiB to {peak} KiB; exit status {status})"
    );
}

#[test]
fn a_since_rewritten_to_always_does_not_make_the_mail_host_mail_the_history_before_its_ledger() {
    let server = MailServer::new();
    let t = mail_store();
    // A store from before the ledger: its first deliver starts it now.
    std::fs::remove_file(t.path().join("sent/since")).expect("since");
    let old = t.open_at(
        "2026-11-02T10:00:00Z",
        &[
            "--customer",
            "Acme Corp",
            "--email",
            "ana@acme.example",
            "--summary",
            "Long gone",
            "--description",
            "Answered by phone weeks ago",
        ],
    );
    t.run_at(
        "2026-11-03T10:00:00Z",
        &["close", &old, "--resolution", "Done by phone"],
    )
    .success();
    let out = deliver(&t, &server);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        server.messages().is_empty(),
        "events before the ledger are never mailed"
    );

    // A one-line push: the whole history of the desk becomes "not yet sent".
    std::fs::write(t.path().join("sent/since"), "always\n").expect("since");
    let _ = deliver(&t, &server);
    let mailed = server.messages().iter().filter(|m| m.contains(&old)).count();
    assert_eq!(
        mailed, 0,
        "a pushed `since` made the mail host mail {mailed} message(s) of events from before its ledger started"
    );
}

#[test]
fn ledger_lines_removed_by_a_push_do_not_make_the_mail_host_send_again() {
    let server = MailServer::new();
    let t = mail_store();
    let id = a_case(&t);
    t.run(&["close", &id, "--resolution", "Fixed in 7.2.2"]).success();
    let out = deliver(&t, &server);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.messages().len(), 2);

    // The ledger is append-only by convention only: a push that empties
    // the month's file is taken as "nothing was sent".
    std::fs::write(ledger_file(&t), "").expect("truncate");
    let _ = deliver(&t, &server);
    assert_eq!(
        server.messages().len(),
        2,
        "the mail host sent the customer the same messages again after a push removed ledger lines"
    );
}
