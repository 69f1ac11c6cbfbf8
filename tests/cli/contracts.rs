//! The command line's contracts with its surroundings: commands that need no
//! store and no clock run whatever the environment says about them.

use crate::support::*;
use predicates::str::contains;

/// The environment of a shell with stale or broken tickets variables.
fn broken_environment(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.env("TICKETS_NOW", "garbage")
        .env("TICKETS_LOCK_TIMEOUT", "garbage")
        .env("TICKETS_DIR", "/nonexistent/tickets-store")
}

#[test]
fn completions_failed_on_a_stale_tickets_now() {
    let t = TestStore::new();
    broken_environment(&mut t.cmd())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(contains("_tickets()"));
}

#[test]
fn man_failed_on_a_stale_tickets_now() {
    let t = TestStore::new();
    broken_environment(&mut t.cmd())
        .arg("man")
        .assert()
        .success()
        .stdout(contains(".SH \"EXIT STATUS\""));
}

#[test]
fn git_merge_failed_through_the_merge_driver_on_a_stale_tickets_now() {
    let t = TestStore::new();
    let id = t.open_simple();
    let ancestor = t.file(&id);
    t.run(&["investigate", &id]).success();
    let ours = t.file(&id);
    let dir = tempfile::tempdir().expect("temp dir");
    let [o, a, b] = ["O", "A", "B"].map(|name| dir.path().join(name));
    for (path, bytes) in [(&o, &ancestor), (&a, &ours), (&b, &ancestor)] {
        std::fs::write(path, bytes).expect("write version");
    }
    broken_environment(&mut t.cmd())
        .arg("merge-driver")
        .args([&o, &a, &b])
        .assert()
        .success();
    assert_eq!(std::fs::read(&a).expect("merged"), ours, "their side changed nothing");
}

#[test]
fn the_merge_driver_still_reads_the_store_rule_beside_the_case_under_a_stale_tickets_now() {
    // Under the store's 10-day rule, their sweep of the first wait lands 8
    // days into our second wait: too early. Under the default 7 days it
    // would merge cleanly, so a conflict shows config.yaml (found from %P)
    // was read.
    let t = TestStore::with_config(&CONFIG.replace("auto_close_after_days: 7", "auto_close_after_days: 10"));
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let ancestor = t.file(&id);
    t.run_at("2026-11-29T10:00:00Z", &["sweep"]).success();
    let theirs = t.file(&id);
    std::fs::write(t.case_path(&id), &ancestor).expect("back to the ancestor");
    t.run_at("2026-11-20T10:00:00Z", &["reply", &id, "--message", "7.2"])
        .success();
    t.run_at("2026-11-21T10:00:00Z", &["request-info", &id, "--message", "Logs?"])
        .success();
    let ours = t.file(&id);
    let dir = tempfile::tempdir().expect("temp dir");
    let [o, a, b] = ["O", "A", "B"].map(|name| dir.path().join(name));
    for (path, bytes) in [(&o, &ancestor), (&a, &ours), (&b, &theirs)] {
        std::fs::write(path, bytes).expect("write version");
    }
    broken_environment(&mut t.cmd())
        .arg("merge-driver")
        .args([&o, &a, &b, &t.case_path(&id)])
        .assert()
        .code(1)
        .stderr(contains("the auto-close rule is 10 day(s)"));
}

#[test]
fn a_command_with_a_store_still_refuses_a_bad_tickets_now() {
    let t = TestStore::new();
    t.cmd()
        .env("TICKETS_NOW", "garbage")
        .arg("list")
        .assert()
        .code(2)
        .stderr(contains("TICKETS_NOW"));
}

#[test]
fn check_headed_a_findings_gravity_level_the_word_for_the_support_tier() {
    let t = TestStore::new();
    std::fs::write(t.path().join(".RC-12345678.yaml.tmp"), "left over").expect("temp file");
    let out = t.stdout(&["check"]);
    let header = out.lines().next().expect("a header line");
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["GRAVITY", "WHERE", "KIND", "MESSAGE"],
        "{out}"
    );
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|row| row.trim_start().starts_with("note")),
        "{out}"
    );
}
