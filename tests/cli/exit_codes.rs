//! Every exit code of SPEC section 5, each with its message.

use crate::support::*;
use predicates::prelude::*;
use predicates::str::contains;

/// A valid case file with `status: open` replaced, and the line it sits on.
fn with_bad_status(t: &TestStore, id: &str) -> (String, usize) {
    let text = String::from_utf8(t.file(id)).unwrap();
    let line = text.lines().position(|l| l == "status: open").expect("status line") + 1;
    (text.replace("status: open\n", "status: pending\n"), line)
}

#[test]
fn exit_0_on_success_with_the_result_on_stdout() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["investigate", &id])
        .code(0)
        .stdout(format!("{id}: investigate: open -> at-investigation (l1)\n"))
        .stderr("");
    t.run(&["--help"])
        .code(0)
        .stdout(contains("Exit codes:"))
        .stdout(contains("6  store busy"));
    t.run(&["--version"]).code(0).stdout(contains("tickets 0.1.0 (commit "));
}

#[test]
fn exit_1_when_the_store_cannot_be_written_and_nothing_changes() {
    let t = TestStore::new();
    let id = t.open_simple();
    let before = t.file(&id);
    // The lock lives in .tickets/; a regular file in its place makes the lock impossible.
    let derived = t.path().join(".tickets");
    let _ = std::fs::remove_dir_all(&derived);
    std::fs::write(&derived, "not a directory").unwrap();
    t.run(&["investigate", &id])
        .code(1)
        .stdout("")
        .stderr(contains(".tickets"));
    assert_eq!(t.file(&id), before);
    t.run(&["open", "--customer", "Acme Corp", "--summary", "x"])
        .code(1)
        .stdout("");
    t.run(&["sweep"]).code(1);
    assert_eq!(t.list(&["--all"]).len(), 1, "no case was created");
}

#[test]
fn exit_2_for_usage_errors_clap_finds() {
    let t = TestStore::new();
    let id = t.open_simple();
    let cases: [&[&str]; 7] = [
        &["frobnicate"],
        &["open", "--summary", "no customer"],
        &["request-info", &id],
        &["request-info", &id, "--message", ""],
        &["list", "--status", "pending"],
        &["list", "--format", "xml"],
        &["reassess", &id, "--severity", "urgent"],
    ];
    for args in cases {
        t.run(args).code(2).stdout("").stderr(contains("error:"));
    }
    t.run(&["list", "--status", "pending"])
        .code(2)
        .stderr(contains("possible values: open, at-investigation"));
    assert_eq!(t.status(&id), "open");
}

#[test]
fn exit_2_for_a_bad_clock_from_the_flag_or_the_environment() {
    let t = TestStore::new();
    let id = t.open_simple();
    let before = t.file(&id);
    t.run(&["investigate", &id, "--now", "yesterday"])
        .code(2)
        .stderr(contains("--now / TICKETS_NOW"))
        .stderr(contains("\"yesterday\" is not an RFC 3339 instant"));
    t.cmd()
        .env("TICKETS_NOW", "2026-13-01T00:00:00Z")
        .args(["investigate", &id])
        .assert()
        .code(2)
        .stderr(contains("not an RFC 3339 instant"));
    assert_eq!(t.file(&id), before);
}

#[test]
fn exit_2_outside_a_store_with_a_hint_to_init() {
    let t = TestStore::new();
    let elsewhere = t.path().join("nowhere");
    t.cmd()
        .env("TICKETS_DIR", &elsewhere)
        .args(["list"])
        .assert()
        .code(2)
        .stderr(contains("is not a tickets store"))
        .stderr(contains("tickets init"));
}

#[test]
fn exit_3_for_an_unknown_id() {
    let t = TestStore::new();
    t.open_simple();
    for command in [
        &["show", "RC-NOSUCH00"][..],
        &["investigate", "RC-NOSUCH00"],
        &["assign", "RC-NOSUCH00", "alice"],
    ] {
        t.run(command)
            .code(3)
            .stdout("")
            .stderr(contains("no such ticket: RC-NOSUCH00"));
    }
}

#[test]
fn exit_3_for_an_ambiguous_prefix_naming_the_candidates() {
    let t = TestStore::new();
    let a = t.open_simple();
    let b = t.open_simple();
    t.run(&["show", "RC-"])
        .code(3)
        .stderr(contains("ambiguous"))
        .stderr(contains(a))
        .stderr(contains(b));
}

#[test]
fn exit_3_for_path_like_ids_which_never_reach_outside_the_store() {
    let t = TestStore::new();
    let id = t.open_simple();
    // A real case file one directory down: reachable only through a path.
    let sub = t.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(t.case_path(&id), sub.join(format!("{id}.yaml"))).unwrap();
    let config_before = std::fs::read(t.path().join("config.yaml")).unwrap();
    let sub_id = format!("sub/{id}");
    let absolute = t.case_path(&id).with_extension("").display().to_string();
    for bad in [
        "../config",
        "../../etc/passwd",
        "..",
        sub_id.as_str(),
        "sub\\x",
        absolute.as_str(),
    ] {
        t.run(&["show", bad])
            .code(3)
            .stdout("")
            .stderr(contains("is not a valid ticket ID"));
        t.run(&["close", bad, "--resolution", "x"]).code(3);
    }
    assert_eq!(std::fs::read(t.path().join("config.yaml")).unwrap(), config_before);
    assert_eq!(t.status(&id), "open");
}

#[test]
fn exit_4_for_a_transition_not_in_the_table() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "?"]).success();
    t.run(&["escalate", &id])
        .code(4)
        .stderr(contains("`escalate` is not allowed from status waiting-for-customer"))
        .stderr(contains(
            "allowed from waiting-for-customer: request-info, reply, close",
        ));
}

#[test]
fn exit_5_for_a_case_file_that_does_not_parse_naming_path_and_line() {
    let t = TestStore::new();
    let id = t.open_simple();
    let (bad, line) = with_bad_status(&t, &id);
    std::fs::write(t.case_path(&id), &bad).unwrap();
    let location = format!("{}:{line}:", t.case_path(&id).display());
    t.run(&["show", &id])
        .code(5)
        .stdout("")
        .stderr(contains(location.clone()))
        .stderr(contains("pending"));
    t.run(&["investigate", &id]).code(5).stderr(contains(location));
    assert_eq!(
        std::fs::read(t.case_path(&id)).unwrap(),
        bad.as_bytes(),
        "never rewritten"
    );
}

#[test]
fn exit_5_for_broken_yaml_syntax_with_the_line() {
    let t = TestStore::new();
    let path = t.path().join("RC-BROKEN01.yaml");
    std::fs::write(
        &path,
        "id: RC-BROKEN01\nsummary: fine\ncustomer: [unclosed\nchannel: email\n",
    )
    .unwrap();
    let out = t.run(&["show", "RC-BROKEN01"]).code(5).get_output().stderr.clone();
    let stderr = String::from_utf8(out).unwrap();
    let prefix = format!("error: {}:", path.display());
    let line: usize = stderr
        .strip_prefix(&prefix)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no path:line in {stderr:?}"));
    assert!(
        (3..=5).contains(&line),
        "the error is at or just after line 3: {stderr}"
    );
}

#[test]
fn exit_5_at_the_end_of_a_list_that_still_lists_the_good_cases() {
    let t = TestStore::new();
    let good = t.open_simple();
    let bad = t.open_simple();
    let (text, line) = with_bad_status(&t, &bad);
    std::fs::write(t.case_path(&bad), &text).unwrap();
    let assert = t.run(&["list", "--format", "json"]).code(5);
    let output = assert.get_output();
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(ids(&listed), vec![good.clone()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:{line}:", t.case_path(&bad).display())),
        "{stderr}"
    );
    assert!(stderr.contains("1 file(s) in the store could not be read"), "{stderr}");
    t.run(&["list"])
        .code(5)
        .stdout(contains(good.as_str()))
        .stdout(contains(bad.as_str()).not());
    assert_eq!(t.file(&bad), text.as_bytes());
}

#[test]
fn exit_5_for_a_config_that_does_not_parse() {
    let t = TestStore::new();
    let id = t.open_simple();
    std::fs::write(t.path().join("config.yaml"), "id_prefix: RC\nanalysts: 12\n").unwrap();
    t.run(&["show", &id]).code(5).stderr(contains("config.yaml:2:"));
    t.run(&["sweep"]).code(5);
}

#[test]
fn exit_6_when_the_lock_is_held_and_nothing_is_written() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "?"]).success();
    let before = t.file(&id);
    let derived = t.path().join(".tickets");
    std::fs::create_dir_all(&derived).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(derived.join("lock"))
        .unwrap();
    lock.lock().unwrap();
    let busy = |args: &[&str]| {
        t.cmd()
            .env("TICKETS_LOCK_TIMEOUT", "0.3")
            .args(args)
            .assert()
            .code(6)
            .stdout("")
            .stderr(contains("store busy"))
            .stderr(contains("lock"));
    };
    busy(&["reply", &id, "--message", "here"]);
    busy(&["open", "--customer", "Acme Corp", "--summary", "x"]);
    busy(&["--now", "2026-12-30T00:00:00Z", "sweep"]);
    assert_eq!(t.file(&id), before);
    assert_eq!(t.list(&["--all"]).len(), 1, "no case was created");
    // Readers do not need the lock.
    t.run(&["show", &id]).success();
    drop(lock);
    t.cmd()
        .env("TICKETS_LOCK_TIMEOUT", "0.3")
        .args(["reply", &id, "--message", "here"])
        .assert()
        .success();
}

#[test]
fn a_bad_lock_timeout_is_a_usage_error() {
    let t = TestStore::new();
    t.cmd()
        .env("TICKETS_LOCK_TIMEOUT", "soon")
        .args(["list"])
        .assert()
        .code(2)
        .stderr(contains("TICKETS_LOCK_TIMEOUT"));
}
