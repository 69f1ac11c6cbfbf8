//! Versions: a store records its format; a build meeting a newer one says
//! to upgrade (exit 5) and never advises editing the data; a case file with
//! a field this build does not know is taken for a newer one, in commands
//! and in the merge driver; a store of the previous format (no `format:`)
//! is read, written and merged by this build.

use crate::support::{TestStore, CONFIG};
use predicates::str::contains;

#[test]
fn a_store_of_a_newer_format_is_refused_with_upgrade_and_nothing_written() {
    let t = TestStore::with_config(&format!("format: 99\n{CONFIG}new_key_of_format_99: true\n"));
    t.run(&["list"])
        .code(5)
        .stderr(contains("format 99 by a newer tickets"))
        .stderr(contains("upgrade tickets"))
        .stderr(contains("do not edit"));
    t.run(&["open", "--customer", "Acme Corp", "--summary", "s"]).code(5);
    let cases = std::fs::read_dir(t.path())
        .unwrap()
        .filter(|e| {
            e.as_ref().unwrap().path().extension().is_some_and(|x| x == "yaml")
                && e.as_ref().unwrap().file_name() != "config.yaml"
        })
        .count();
    assert_eq!(cases, 0, "nothing written");
}

#[test]
fn a_case_file_with_a_field_of_a_newer_build_says_upgrade_not_edit() {
    let t = TestStore::new();
    let id = t.open_simple();
    let path = t.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("history:\n", "reopened_count: 2\nhistory:\n", 1)).unwrap();
    t.run(&["show", &id])
        .code(5)
        .stderr(contains("unknown field `reopened_count`"))
        .stderr(contains("upgrade tickets"));
}

#[test]
fn a_store_of_the_previous_format_is_read_written_and_checked() {
    // Format 1: no `format:` line, no clock, no timezone or language.
    let t = TestStore::with_config(CONFIG);
    assert!(!std::fs::read_to_string(t.path().join("config.yaml"))
        .unwrap()
        .contains("format:"));
    let id = t.open_simple();
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    t.run(&["reply", &id, "-m", "7.2"]).success();
    t.run(&["check"]).success();
    assert_eq!(t.status(&id), "open");
}

#[test]
fn the_merge_driver_keeps_both_sides_of_a_newer_file_and_says_upgrade() {
    let t = TestStore::new();
    let id = t.open_simple();
    let base = std::fs::read_to_string(t.case_path(&id)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (o, a, b) = (dir.path().join("o"), dir.path().join("a"), dir.path().join("b"));
    std::fs::write(&o, &base).unwrap();
    std::fs::write(&a, &base).unwrap();
    let newer = base.replacen("history:\n", "reopened_count: 2\nhistory:\n", 1);
    std::fs::write(&b, &newer).unwrap();
    let out = t
        .cmd()
        .args(["merge-driver"])
        .arg(&o)
        .arg(&a)
        .arg(&b)
        .arg(format!("{id}.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a conflict");
    let merged = std::fs::read_to_string(&a).unwrap();
    assert!(
        merged.contains("<<<<<<<") && merged.contains("reopened_count: 2"),
        "{merged}"
    );
    assert!(merged.contains("upgrade tickets"), "{merged}");
}
