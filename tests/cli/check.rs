//! `tickets check`: every problem named with path, line and kind; exit 5 on
//! errors, 0 otherwise; read-only.

use crate::support::*;
use predicates::str::contains;
use serde_json::Value;
use std::fs;

/// `check --format json` with extra arguments: (exit code, report).
pub fn check_json(t: &TestStore, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = t.cmd().args(&all).output().expect("run check");
    let report = serde_json::from_slice(&out.stdout).expect("check json");
    (out.status.code().expect("exit code"), report)
}

/// The problems of a report as (file name, line, gravity, kind).
pub fn findings(report: &Value) -> Vec<(String, Option<u64>, String, String)> {
    report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            let path = p["path"].as_str().expect("path");
            let name = std::path::Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (
                name,
                p["line"].as_u64(),
                p["gravity"].as_str().unwrap().to_string(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn edit(t: &TestStore, id: &str, from: &str, to: &str) {
    let text = String::from_utf8(t.file(id)).unwrap();
    assert!(text.contains(from), "{from:?} not in {text}");
    fs::write(t.case_path(id), text.replacen(from, to, 1)).unwrap();
}

fn line_of(t: &TestStore, id: &str, start: &str) -> u64 {
    let text = String::from_utf8(t.file(id)).unwrap();
    text.lines().position(|l| l.starts_with(start)).expect(start) as u64 + 1
}

#[test]
fn a_healthy_store_passes_with_exit_0() {
    let t = TestStore::new();
    let a = t.open_simple();
    let b = t.open_simple();
    t.run(&["request-info", &a, "--message", "Which version?"]).success();
    t.run(&["escalate", &b]).success();
    t.run(&["escalate", &b, "--impact", "high"]).success();
    let (code, report) = check_json(&t, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["cases"], 2);
    assert_eq!(report["problems"], Value::Array(vec![]));
    t.run(&["check"])
        .success()
        .stdout(contains("2 case file(s): 0 error(s), 0 warning(s), 0 note(s)"));
}

#[test]
fn every_problem_is_named_not_just_the_first() {
    let t = TestStore::new();
    let mismatch = t.open_simple();
    let conflict = t.open_simple();
    let renamed = t.open_simple();
    let bad_event = t.open_simple();
    let gone_analyst = t.open_simple();
    t.run(&["request-info", &mismatch, "--message", "Which version?"])
        .success();
    t.run(&["investigate", &bad_event]).success();

    // Stored state that the history does not give.
    edit(&t, &mismatch, "status: waiting-for-customer", "status: open");
    // A merge left markers.
    edit(
        &t,
        &conflict,
        "summary: Push",
        "<<<<<<< HEAD\nsummary: Push\n=======\nsummary: Pull\n>>>>>>> theirs\nx: Push",
    );
    // A file copied under another name: id mismatch, and a duplicate id.
    fs::copy(t.case_path(&renamed), t.path().join("RC-COPY0000.yaml")).unwrap();
    // An event the table would not record.
    edit(&t, &bad_event, "to: at-investigation", "to: escalated");
    // An active case assigned to someone not on the roster.
    let text = String::from_utf8(t.file(&gone_analyst)).unwrap();
    fs::write(t.case_path(&gone_analyst), text.replace("alice", "zoe")).unwrap();
    // A symlink pointing out of the store.
    std::os::unix::fs::symlink("/etc/hostname", t.path().join("RC-LINK0000.yaml")).unwrap();
    // Leftover of a crashed writer.
    fs::write(t.path().join(format!(".{renamed}.yaml.123.abcdef01.tmp")), "id: half").unwrap();

    let (code, report) = check_json(&t, &[]);
    assert_eq!(code, 5, "{report}");
    assert_eq!(report["ok"], false);
    let found = findings(&report);
    let has = |name: &str, line: Option<u64>, gravity: &str, kind: &str| {
        assert!(
            found.contains(&(name.to_string(), line, gravity.to_string(), kind.to_string())),
            "missing {name}:{line:?} {gravity} {kind} in {found:#?}"
        );
    };
    let mismatch_status_line = line_of(&t, &mismatch, "status:");
    has(
        &format!("{mismatch}.yaml"),
        Some(mismatch_status_line),
        "error",
        "state-mismatch",
    );
    has(&format!("{conflict}.yaml"), Some(2), "error", "conflict-marker");
    has("RC-COPY0000.yaml", Some(1), "error", "id-mismatch");
    has("RC-COPY0000.yaml", Some(1), "error", "duplicate-id");
    let second_event_line = {
        let text = String::from_utf8(t.file(&bad_event)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with("- at:"))
            .nth(1)
            .unwrap()
            .0 as u64
            + 1
    };
    has(
        &format!("{bad_event}.yaml"),
        Some(second_event_line),
        "error",
        "history",
    );
    has(
        &format!("{gone_analyst}.yaml"),
        Some(line_of(&t, &gone_analyst, "assignee:")),
        "error",
        "unknown-analyst",
    );
    has("RC-LINK0000.yaml", None, "error", "symlink");
    has(&format!(".{renamed}.yaml.123.abcdef01.tmp"), None, "note", "temp-file");
    assert_eq!(report["errors"], 7, "{found:#?}");
    assert_eq!(report["notes"], 1);

    let message = |kind: &str| {
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        message("state-mismatch"),
        "status is open, but replaying the history gives waiting-for-customer"
    );
    assert!(
        message("history").starts_with("history event 1 (0-based): "),
        "{}",
        message("history")
    );

    // The table names every file too, and says why on stderr.
    let assert = t.run(&["check"]).code(5).stderr(contains("7 error(s)"));
    let table = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for name in [&mismatch, &conflict, &bad_event, &gone_analyst] {
        assert!(table.contains(&format!("{name}.yaml:")), "{name} not in {table}");
    }
    assert!(table.contains("RC-LINK0000.yaml"), "{table}");
}

#[test]
fn check_writes_nothing_and_leaves_temp_files_alone() {
    let t = TestStore::new();
    let id = t.open_simple();
    edit(&t, &id, "status: open", "status: closed");
    let temp = t.path().join(format!(".{id}.yaml.1.00000000.tmp"));
    fs::write(&temp, "partial").unwrap();
    let before = t.file(&id);
    t.run(&["check"]).code(5);
    assert_eq!(t.file(&id), before);
    assert_eq!(fs::read(&temp).unwrap(), b"partial");
}

#[test]
fn warnings_pass_unless_strict() {
    let t = TestStore::new();
    let id = t.open(&[
        "--customer",
        "Nobody Inc",
        "--new-customer",
        "--summary",
        "s",
        "--description",
        "d",
    ]);
    let (code, report) = check_json(&t, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        findings(&report),
        vec![(
            format!("{id}.yaml"),
            Some(line_of(&t, &id, "customer:")),
            "warning".to_string(),
            "unknown-customer".to_string()
        )]
    );
    let (code, report) = check_json(&t, &["--strict"]);
    assert_eq!(code, 5, "{report}");
    assert_eq!(report["ok"], false);
}

#[test]
fn a_broken_config_is_reported_and_the_cases_still_checked() {
    let t = TestStore::new();
    let id = t.open_simple();
    edit(&t, &id, "severity: medium\nstatus", "severity: urgent\nstatus");
    fs::write(t.path().join("config.yaml"), "id_prefix: RC\nanalysts: 12\n").unwrap();
    let (code, report) = check_json(&t, &[]);
    assert_eq!(code, 5);
    let kinds: Vec<(String, String)> = findings(&report).into_iter().map(|f| (f.0, f.3)).collect();
    assert!(kinds.contains(&("config.yaml".into(), "config".into())), "{kinds:?}");
    assert!(kinds.contains(&(format!("{id}.yaml"), "parse".into())), "{kinds:?}");
}

#[test]
fn a_lower_case_or_odd_yaml_name_is_flagged_as_ignored() {
    let t = TestStore::new();
    let id = t.open_simple();
    fs::rename(t.case_path(&id), t.path().join(format!("{}.yaml", id.to_lowercase()))).unwrap();
    let (code, report) = check_json(&t, &[]);
    assert_eq!(code, 0, "a warning: {report}");
    assert_eq!(findings(&report)[0].3, "file-name");
    assert_eq!(report["cases"], 0);
}

#[test]
fn a_missing_store_is_a_usage_error_with_a_hint() {
    let t = TestStore::new();
    t.cmd()
        .env("TICKETS_DIR", t.path().join("nope"))
        .arg("check")
        .assert()
        .code(2)
        .stderr(contains("tickets init"));
}

#[test]
fn help_said_check_fails_on_any_problem_though_warnings_pass() {
    let t = TestStore::new();
    t.run(&["--help"])
        .success()
        .stdout(contains("exit 5 on errors, or warnings with --strict"));
}
