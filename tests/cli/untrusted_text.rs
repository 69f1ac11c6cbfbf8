//! Text from customers (and from hand-edited files) never steers the
//! terminal: tables, `show` and error messages show control characters,
//! escape sequences and bidi overrides visibly escaped; JSON and YAML carry
//! the exact text.

use crate::support::*;
use std::fs;

/// Every kind of hostile text: CSI colour and clear-screen, an OSC title
/// with BEL, a carriage return that overwrites, bidi override and isolate,
/// zero-width space, a C1 CSI, DEL, backspace, NUL-adjacent C0.
const HOSTILE: &str =
    "ok\u{1b}[31mRED\u{1b}[0m\u{1b}[2J \u{1b}]0;pwned\u{7} \rFAKE \u{202e}txt.exe\u{2066} a\u{200b}b \u{9b}31m \u{7f}\u{8}\u{1}";

/// What must never reach a terminal raw.
const RAW: &[char] = &[
    '\u{1b}', '\u{7}', '\r', '\u{202e}', '\u{2066}', '\u{200b}', '\u{9b}', '\u{7f}', '\u{8}', '\u{1}',
];

fn assert_clean(what: &str, text: &str) {
    for c in RAW {
        assert!(!text.contains(*c), "{what} sends U+{:04X} raw: {text:?}", *c as u32);
    }
}

fn assert_escaped(what: &str, text: &str) {
    assert_clean(what, text);
    for visible in [
        "\\e[31mRED\\e[0m",
        "\\e]0;pwned\\u{7}",
        "\\rFAKE",
        "\\u{202e}txt.exe",
        "\\u{9b}31m",
    ] {
        assert!(text.contains(visible), "{what} lacks {visible:?}: {text}");
    }
}

/// A case whose every free-text field is hostile, in each status that shows it.
fn hostile_store() -> (TestStore, String) {
    let t = TestStore::new();
    let id = t.open(&[
        "--customer",
        &format!("Evil {HOSTILE}"),
        "--new-customer",
        "--summary",
        HOSTILE,
        "--description",
        &format!("line one {HOSTILE}\nline two {HOSTILE}"),
        "--email",
        &format!("x{HOSTILE}@evil.example"),
    ]);
    t.run(&["request-info", &id, "--message", HOSTILE]).success();
    t.run(&["reply", &id, "--message", &format!("multi\nline {HOSTILE}")])
        .success();
    (t, id)
}

#[test]
fn tables_and_show_escape_every_control_character() {
    let (t, id) = hostile_store();
    let list = t.stdout(&["list"]);
    assert_escaped("list", &list);
    let show = t.stdout(&["show", &id]);
    assert_escaped("show", &show);
    assert!(show.contains("line one ok\\e[31m"), "{show}");
    assert!(
        show.contains("\n    line two "),
        "newlines of a description stay: {show}"
    );
    t.run(&["escalate", &id]).success();
    t.run(&["escalate", &id, "--note", HOSTILE]).success();
    let queue = t.stdout(&["queue"]);
    assert_escaped("queue", &queue);
    let show = t.stdout(&["show", &id]);
    assert_clean("show after escalation", &show);
    t.run(&["close", &id, "--resolution", HOSTILE]).success();
    let show = t.stdout(&["show", &id]);
    assert_escaped("show of a closed case", &show);
    assert_escaped("list --all", &t.stdout(&["list", "--all"]));
}

#[test]
fn json_and_yaml_carry_the_exact_text() {
    let (t, id) = hostile_store();
    let case = t.show(&id);
    assert_eq!(case["summary"], HOSTILE);
    assert_eq!(case["customer"], format!("Evil {HOSTILE}"));
    assert_eq!(case["description"], format!("line one {HOSTILE}\nline two {HOSTILE}"));
    let history = case["history"].as_array().unwrap();
    assert_eq!(history[1]["message"], HOSTILE);
    assert_eq!(history[2]["message"], format!("multi\nline {HOSTILE}"));
    assert_eq!(t.list(&[])[0]["summary"], HOSTILE);

    // YAML escapes C0 and C1 controls itself; the rest (bidi marks) are exact.
    let yaml = t.stdout(&["show", &id, "--format", "yaml"]);
    for c in ['\u{1b}', '\u{7}', '\r', '\u{9b}'] {
        assert!(!yaml.contains(c), "YAML escapes U+{:04X}", c as u32);
    }
    let parsed: serde_json::Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(parsed["summary"], HOSTILE);
    assert_eq!(parsed["history"][1]["message"], HOSTILE);

    // The file on disk is exact too, and the JSON output is valid JSON with
    // the control characters as \u escapes, never raw.
    let raw_json = t.stdout(&["show", &id, "--format", "json"]);
    assert!(!raw_json.contains('\u{1b}'), "JSON escapes ESC as \\u001b");
    let file = String::from_utf8(t.file(&id)).unwrap();
    let stored: serde_json::Value = serde_yaml::from_str(&file).unwrap();
    assert_eq!(stored["summary"], HOSTILE);
}

#[test]
fn a_hand_edited_file_cannot_steer_the_terminal_either() {
    let t = TestStore::new();
    let id = t.open_simple();
    let text = String::from_utf8(t.file(&id)).unwrap();
    let quoted = serde_yaml::to_string(HOSTILE).unwrap().trim_end().to_string();
    let edited = text
        .replace("assignee: alice", &format!("assignee: {quoted}"))
        .replacen("actor: tester", &format!("actor: {quoted}"), 1);
    fs::write(t.case_path(&id), edited).unwrap();
    assert_clean("show", &t.stdout(&["show", &id]));
    assert_clean("list", &t.stdout(&["list"]));
    // A value the schema refuses is echoed in the error, escaped.
    let text = String::from_utf8(t.file(&id)).unwrap();
    fs::write(
        t.case_path(&id),
        text.replacen("status: open", &format!("status: {quoted}"), 1),
    )
    .unwrap();
    for args in [vec!["show", id.as_str()], vec!["list"], vec!["sweep"]] {
        let out = t.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(5), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_clean(&format!("{args:?} error"), &stderr);
        assert!(stderr.contains("unknown variant `ok\\e[31mRED"), "{stderr}");
    }
    // `check` too, in its table; its JSON keeps the message (JSON-escaped).
    let out = t.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_clean("check table", &String::from_utf8_lossy(&out.stdout));
}

#[test]
fn error_messages_that_echo_ids_names_and_file_names_escape_them() {
    let t = TestStore::new();
    let id = t.open_simple();
    let out = t.cmd().args(["show", HOSTILE]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_clean("show of a hostile id", &String::from_utf8_lossy(&out.stderr));
    let out = t.cmd().args(["assign", &id, HOSTILE]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_clean("assign to a hostile analyst", &stderr);
    assert!(stderr.contains("ok\\e[31mRED"), "{stderr}");
    let out = t
        .cmd()
        .args(["--as", HOSTILE, "reply", &id, "--message", "m"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an actor with control characters is refused"
    );
    // A file named with escapes, dropped into the store: check names it escaped.
    fs::write(t.path().join("\u{1b}[2J\u{1b}]0;x\u{7}.yaml"), "x").unwrap();
    let out = t.cmd().arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_clean("check naming a hostile file", &stdout);
    assert!(stdout.contains("\\e[2J\\e]0;x\\u{7}.yaml"), "{stdout}");
    assert_eq!(ids(&t.list(&[])), vec![id], "the stray file is not a case");
}
