//! Attacks on the mail host's newest surfaces by someone who can push to
//! the shared store (and, for the interrupted-commit note, someone local):
//! the committed sent ledger (`sent/`), the messages `deliver` composes
//! from every committed public event, and the note an auto-commit leaves in
//! `.git` when it is killed half-way.
//!
//! The mail host must never write outside the store, hang, exhaust memory,
//! crash, send to an address that is not the case's contact, print raw
//! control characters, or mass-mail. Each test plants one attack and
//! asserts the thing that would be wrong.

use crate::support::{TestStore, CONFIG, NOW};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Far beyond any honest run: only a hang (or a pathological slowdown) gets there.
const HANG: Duration = Duration::from_secs(20);

/// The tests' store with outbound mail on.
fn mail_store() -> TestStore {
    TestStore::with_config(&format!("{CONFIG}mail:\n  from: \"Support <support@desk.example>\"\n"))
}

/// A case for Acme Corp with a contact address; its ID.
fn a_case(t: &TestStore) -> String {
    t.open(&[
        "--customer",
        "Acme Corp",
        "--email",
        "ana@acme.example",
        "--summary",
        "Push fails",
        "--description",
        "No push since Monday",
    ])
}

/// A sendmail-compatible script that keeps each message (and the
/// arguments it was called with) in a folder outside the store.
struct MailServer {
    dir: TempDir,
}

impl MailServer {
    fn new() -> MailServer {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("kept")).expect("kept");
        let script = dir.path().join("sendmail");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nf=\"{kept}/$(date +%s%N).$$\"\necho \"$@\" > \"$f.args\"\ncat > \"$f.eml\"\n",
                kept = dir.path().join("kept").display()
            ),
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        MailServer { dir }
    }

    fn command(&self) -> String {
        format!("{} -t -oi", self.dir.path().join("sendmail").display())
    }

    /// The messages handed to it, oldest first, with line ends as `\n` and
    /// quoted-printable soft line breaks undone.
    fn messages(&self) -> Vec<String> {
        self.kept("eml")
    }

    /// The argument lines it was called with.
    fn arguments(&self) -> Vec<String> {
        self.kept("args")
    }

    fn kept(&self, extension: &str) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("kept"))
            .expect("kept")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == extension))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                String::from_utf8_lossy(&std::fs::read(f).expect("kept file"))
                    .replace("\r\n", "\n")
                    .replace("=\n", "")
            })
            .collect()
    }
}

/// Runs `command`, killed (and the test failed) if it runs past `limit`;
/// its output and how long it took.
fn guarded(mut command: Command, limit: Duration) -> (Output, Duration) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // Drain both pipes meanwhile, so a chatty child never blocks on them.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).ok();
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut bytes).ok();
        bytes
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} ran past {limit:?} (hung)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    let output = Output {
        status,
        stdout: out.join().expect("stdout thread"),
        stderr: err.join().expect("stderr thread"),
    };
    (output, took)
}

/// `tickets ARGS` on `t` at `now`, as the mail host when `server` is given.
fn tickets(t: &TestStore, now: &str, server: Option<&MailServer>, args: &[&str]) -> (Output, Duration) {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    command
        .env_remove("TICKETS_LOCK_TIMEOUT")
        .env_remove("TICKETS_SMTP_URL")
        .env_remove("TICKETS_SENDMAIL")
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", now)
        .env("TICKETS_ACTOR", "tester")
        .args(args);
    if let Some(server) = server {
        command.env("TICKETS_SENDMAIL", server.command());
    }
    guarded(command, HANG)
}

/// `deliver` on the mail host at NOW: its output.
fn deliver(t: &TestStore, server: &MailServer) -> Output {
    tickets(t, NOW, Some(server), &["deliver"]).0
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

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

// ---------------------------------------------------------------------------
// 1. The sent ledger, planted by a push.
// ---------------------------------------------------------------------------

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
    let (_, baseline) = peak_memory_kib(&mut mail_host(&t));

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

// ---------------------------------------------------------------------------
// 2. Messages composed from planted case files.
// ---------------------------------------------------------------------------

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
#[ignore = "open: issue 23 (one automatic message per sender per period) is not done yet"]
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

// ---------------------------------------------------------------------------
// 3. The note of an interrupted auto-commit (.git/tickets-commit-in-progress).
// ---------------------------------------------------------------------------

use crate::support::git::{Clone, OPEN};

/// The pid of a process that has ended.
fn a_dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("true runs");
    let pid = child.id();
    child.wait().expect("true ends");
    pid
}

fn note_path(clone: &Clone) -> PathBuf {
    clone.repo().join(".git/tickets-commit-in-progress")
}

#[test]
fn an_interrupted_commit_note_naming_files_outside_the_work_tree_never_gets_them_committed() {
    let clone = Clone::new("tickets");
    let id = clone.tickets_ok(&OPEN);
    let beside = clone.repo().parent().expect("parent").join("beside-secret");
    std::fs::write(&beside, "SECRET BESIDE THE REPOSITORY\n").expect("secret");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let absolute = elsewhere.path().join("absolute-secret");
    std::fs::write(&absolute, "SECRET ELSEWHERE\n").expect("secret");
    let head = clone.git(&["rev-parse", "HEAD"]).trim().to_string();
    let note = serde_json::json!({
        "pid": a_dead_pid(),
        "head": head,
        "message": "interrupted",
        "paths": ["../beside-secret", "tickets/../../beside-secret", absolute.display().to_string()],
    });
    std::fs::write(note_path(&clone), note.to_string()).expect("note");

    // Any auto-commit finds the note and commits its paths with its own.
    let _ = clone.tickets(&["note", &id, "--message", "hello"]);

    let tree = clone.git(&["ls-tree", "-r", "--name-only", "HEAD"]);
    assert!(
        !tree.contains("secret"),
        "files outside the work tree were committed from the note:\n{tree}"
    );
    let mut fsck = Command::new("git");
    clone.isolate(&mut fsck);
    let fsck = fsck
        .args(["fsck", "--strict", "--no-dangling"])
        .current_dir(clone.repo())
        .output()
        .expect("fsck");
    assert!(
        fsck.status.success() && !text(&fsck.stderr).contains("hasDotdot"),
        "the commit holds a tree git itself refuses: {}",
        text(&fsck.stderr)
    );
}

#[test]
fn an_interrupted_commit_note_that_is_a_fifo_or_a_link_is_left_alone_without_hanging() {
    let clone = Clone::new("tickets");
    let id = clone.tickets_ok(&OPEN);
    let note = note_path(&clone);
    let c = std::ffi::CString::new(note.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a plain mkfifo(3) on a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    let start = Instant::now();
    let out = clone.tickets(&["check"]);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "check waited on the FIFO note"
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(start.elapsed() < Duration::from_secs(2));

    // A link to a note elsewhere: never followed, never removed through.
    std::fs::remove_file(&note).expect("rm fifo");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let target = elsewhere.path().join("note");
    let planted = serde_json::json!({
        "pid": a_dead_pid(), "head": null, "message": "x", "paths": [clone.case(&id)],
    })
    .to_string();
    std::fs::write(&target, &planted).expect("note");
    symlink(&target, &note).expect("link");
    let start = Instant::now();
    let out = clone.tickets(&["note", &id, "--message", "still works"]);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&target).expect("target"),
        planted,
        "the link's target changed"
    );
    let message = clone.git(&["log", "-1", "--format=%B"]);
    assert!(
        !message.contains("interrupted command"),
        "a linked note was acted on: {message}"
    );
}

#[test]
fn an_interrupted_commit_note_of_a_dead_writer_with_100k_paths_is_handled_quickly() {
    let clone = Clone::new("tickets");
    let id = clone.tickets_ok(&OPEN);
    let head = clone.git(&["rev-parse", "HEAD"]).trim().to_string();
    let paths: Vec<String> = (0..100_000).map(|n| format!("x{n}")).collect();
    let note = serde_json::json!({"pid": a_dead_pid(), "head": head, "message": "m", "paths": paths});
    let bytes = note.to_string();
    assert!(bytes.len() < 1024 * 1024, "under the note cap, so it is read");
    std::fs::write(note_path(&clone), bytes).expect("note");
    let start = Instant::now();
    let out = clone.tickets(&["note", &id, "--message", "after"]);
    let took = start.elapsed();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(took < Duration::from_secs(2), "the 100k-path note took {took:?}");
    assert!(!note_path(&clone).exists(), "the note was not cleared");
}
