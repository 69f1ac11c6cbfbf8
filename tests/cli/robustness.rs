//! The process around the command: standard streams whose reader is gone,
//! environment values out of range, instants the tool cannot write back,
//! invisible characters, long histories.

use crate::support::*;
use std::process::Stdio;

/// A pipe whose read end is already closed: every write to it fails with
/// EPIPE, as when the reader of `tickets ... 2>&1 >/dev/null | true` exits.
fn reader_gone() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

/// Runs the binary with stdout and/or stderr going to a pipe nobody reads;
/// returns the exit code (None when killed by a signal).
fn run_without_reader(t: &TestStore, args: &[&str], stdout_gone: bool, stderr_gone: bool) -> Option<i32> {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    cmd.args(args)
        .env_remove("TICKETS_LOCK_TIMEOUT")
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .stdin(Stdio::null())
        .stdout(if stdout_gone { reader_gone() } else { Stdio::null() })
        .stderr(if stderr_gone { reader_gone() } else { Stdio::null() });
    cmd.status().expect("run").code()
}

#[test]
fn a_warning_to_a_closed_stderr_panicked_after_the_case_was_opened() {
    let t = TestStore::new();
    let args = [
        "open",
        "--customer",
        "Nobody Inc",
        "--new-customer",
        "--summary",
        "s",
        "--description",
        "d",
    ];
    // The warning (unknown customer) meets a stderr nobody reads.
    assert_eq!(run_without_reader(&t, &args, false, true), Some(0));
    assert_eq!(run_without_reader(&t, &args, true, true), Some(0));
    assert_eq!(t.list(&[]).len(), 2, "both cases were opened");
}

#[test]
fn errors_to_a_closed_stderr_keep_their_exit_code() {
    let t = TestStore::new();
    let id = t.open_simple();
    assert_eq!(run_without_reader(&t, &["show", "RC-NOSUCH00"], false, true), Some(3));
    t.run(&["close", &id, "--resolution", "fixed"]).success();
    assert_eq!(run_without_reader(&t, &["investigate", &id], true, true), Some(4));
    std::fs::write(t.case_path(&id), "id: [").unwrap();
    // One error per bad file, then the count: every line meets a closed stderr.
    assert_eq!(run_without_reader(&t, &["list"], true, true), Some(5));
    assert_eq!(run_without_reader(&t, &["check"], true, true), Some(5));
}

#[test]
fn output_to_a_closed_stdout_is_a_clean_exit() {
    let t = TestStore::new();
    for _ in 0..3 {
        t.open_simple();
    }
    for args in [
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["check"],
        vec!["man"],
        vec!["completions", "bash"],
        vec!["--help"],
    ] {
        assert_eq!(run_without_reader(&t, &args, true, false), Some(0), "{args:?}");
        assert_eq!(run_without_reader(&t, &args, true, true), Some(0), "{args:?}");
    }
}

#[test]
fn a_lock_timeout_too_large_for_a_duration_panicked_every_command() {
    let t = TestStore::new();
    for huge in ["1e20", "1.8446744073709552e19", "86400.001", "1e308"] {
        t.cmd()
            .env("TICKETS_LOCK_TIMEOUT", huge)
            .args(["list"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!(
                "TICKETS_LOCK_TIMEOUT \"{huge}\" must be a number of seconds from 0 to 86400"
            )));
    }
    for fine in ["0", "86400", "1e-300", "2.5"] {
        t.cmd()
            .env("TICKETS_LOCK_TIMEOUT", fine)
            .args(["list"])
            .assert()
            .success();
    }
}

/// Invisible characters the terminal draws as nothing: word joiner, soft
/// hyphen, Mongolian vowel separator, invisible times, Hangul fillers,
/// interlinear annotation, a tag character, a variation selector.
const INVISIBLE: &[char] = &[
    '\u{2060}',
    '\u{00AD}',
    '\u{180E}',
    '\u{2062}',
    '\u{3164}',
    '\u{115F}',
    '\u{FFA0}',
    '\u{FFF9}',
    '\u{E0041}',
    '\u{E0100}',
];

#[test]
fn invisible_format_characters_reached_the_terminal_raw() {
    let t = TestStore::new();
    let text: String = INVISIBLE.iter().map(|c| format!("x{c}")).collect();
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        &text,
        "--description",
        &format!("line\n{text}"),
    ]);
    t.run(&["reply", &id, "--message", &text]).success();
    for args in [vec!["list"], vec!["show", id.as_str()]] {
        let shown = t.stdout(&args);
        for c in INVISIBLE {
            assert!(!shown.contains(*c), "{args:?} sends U+{:04X} raw: {shown:?}", *c as u32);
        }
        assert!(shown.contains("x\\u{2060}x\\u{ad}x\\u{180e}"), "{args:?}: {shown}");
        assert!(shown.contains("x\\u{e0041}x\\u{e0100}"), "{args:?}: {shown}");
    }
    // JSON carries the exact text.
    assert_eq!(t.show(&id)["summary"], text);
}

/// A case whose history holds `events` events: the open event, then assigns.
fn long_history(t: &TestStore, events: usize) -> (String, String) {
    let id = t.open_simple();
    let mut text = String::from_utf8(t.file(&id)).unwrap();
    let assign =
        "- at: 2026-11-19T10:00:00Z\n  actor: tester\n  action: assign\n  from: open\n  to: open\n  assignee: bruno\n";
    text = text.replacen("assignee: alice\ncreated_at", "assignee: bruno\ncreated_at", 1);
    assert!(text.contains("assignee: bruno\ncreated_at"), "{text}");
    for _ in 1..events {
        text.push_str(assign);
    }
    assert!(text.len() < 1024 * 1024, "under the file cap: {}", text.len());
    (id, text)
}

#[test]
fn check_replays_a_history_of_ten_thousand_events() {
    // Replay copied the whole case per event: 10,000 events took seconds.
    let t = TestStore::new();
    let (id, text) = long_history(&t, 10_000);
    std::fs::write(t.case_path(&id), &text).unwrap();
    t.run(&["check"])
        .success()
        .stdout(predicates::str::contains("1 case file(s): 0 error(s), 0 warning(s)"));
    assert_eq!(t.show(&id)["history"].as_array().map(Vec::len), Some(10_000));

    // The last event made wrong is found, at its own index.
    let wrong = format!(
        "{}  to: closed\n  assignee: bruno\n",
        text.strip_suffix("  to: open\n  assignee: bruno\n").unwrap()
    );
    std::fs::write(t.case_path(&id), &wrong).unwrap();
    t.run(&["check"]).code(5).stdout(predicates::str::contains(
        "history event 9999 (0-based): event does not match the transition table",
    ));
}

/// In the year 10000 once in UTC: written `+10000-...`, never read back.
const YEAR_10000: &str = "9999-12-31T23:00:00-05:00";

#[test]
fn an_instant_past_the_year_9999_was_written_and_never_read_back() {
    let t = TestStore::new();
    let refusal = "is in the year 10000 in UTC; instants must fall in the years 0000 to 9999 in UTC";
    let open = [
        "open",
        "--customer",
        "Acme Corp",
        "--summary",
        "s",
        "--description",
        "d",
    ];
    t.run_at(YEAR_10000, &open)
        .code(2)
        .stderr(predicates::str::contains(format!(
            "--now / TICKETS_NOW: \"{YEAR_10000}\" {refusal}"
        )));
    let mut with_flag = vec!["--now", YEAR_10000];
    with_flag.extend_from_slice(&open);
    t.run(&with_flag).code(2).stderr(predicates::str::contains(refusal));
    t.run(&["stats", "--since", YEAR_10000])
        .code(2)
        .stderr(predicates::str::contains(refusal));
    assert!(t.list(&["--all"]).is_empty(), "nothing was opened");

    // In a case file: refused with the file, the line and the field, like any bad instant.
    let id = t.open_simple();
    let text = String::from_utf8(t.file(&id)).unwrap();
    let line = text.lines().position(|l| l.starts_with("updated_at:")).unwrap() + 1;
    let bad = text.replacen(
        "updated_at: 2026-11-19T10:00:00Z",
        &format!("updated_at: {YEAR_10000}"),
        1,
    );
    std::fs::write(t.case_path(&id), bad).unwrap();
    t.run(&["show", &id]).code(5).stderr(predicates::str::contains(format!(
        "{}:{line}: updated_at: \"{YEAR_10000}\" {refusal}",
        t.case_path(&id).display()
    )));
    t.run(&["list"]).code(5).stderr(predicates::str::contains(refusal));

    // The last second of 9999 still works, and reads back (without the bad
    // file, which `open`'s routing would report: exit 5).
    std::fs::remove_file(t.case_path(&id)).unwrap();
    let late = "9999-12-31T23:59:59Z";
    let id = t.open_at(late, &open[1..]);
    let shown: serde_json::Value =
        serde_json::from_str(&t.stdout_at(late, &["show", &id, "--format", "json"])).expect("json");
    assert_eq!(shown["created_at"], late);
}
