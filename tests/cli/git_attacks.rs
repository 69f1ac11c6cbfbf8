//! The auto-commit against a damaged or hostile `.git`: whatever it finds,
//! it never hangs, and a commit it reports as not made was not made (HEAD
//! where it was), the case change itself always standing.

use crate::support::git::{Clone, CLONE_NOW as NOW, OPEN};
use std::process::Command;

/// A clone whose store is its top, with auto-commit on and one case
/// committed (the user's own files beside it).
fn clone() -> Clone {
    let clone = Clone::new("");
    clone.tickets_ok(&OPEN);
    clone
}

/// Replaces `path` by a FIFO (nothing ever writes to it) for `run`, then puts it back.
fn as_fifo(path: &std::path::Path, run: impl FnOnce()) {
    let saved = std::fs::read(path).expect("saved");
    std::fs::remove_file(path).expect("removed");
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo");
    run();
    std::fs::remove_file(path).expect("FIFO removed");
    std::fs::write(path, saved).expect("put back");
}

#[test]
fn a_fifo_for_the_index_a_branch_or_an_object_is_reported_not_waited_on() {
    for target in ["index", "branch", "commit", "tree"] {
        let clone = clone();
        let path = match target {
            "index" => clone.repo().join(".git/index"),
            "branch" => clone.repo().join(".git/refs/heads/main"),
            "commit" => clone.object_path("HEAD"),
            _ => clone.object_path("HEAD^{tree}"),
        };
        let head = clone.git(&["rev-parse", "HEAD"]);
        as_fifo(&path, || {
            let out = clone.tickets(&OPEN);
            assert!(out.status.success(), "{target}: the case is opened");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("not committed") && stderr.contains("not a regular file"),
                "{target}: {stderr}"
            );
        });
        assert_eq!(clone.git(&["rev-parse", "HEAD"]), head, "{target}: HEAD stays");
        assert!(!clone.repo().join(".git/index.lock").exists(), "{target}: unlocked");
        clone.git(&["fsck", "--strict", "--no-progress"]);
    }
}

#[test]
fn a_commit_reported_as_not_made_was_not_made() {
    // An index whose entry count is past its end: git's own update-index
    // refuses it, and it used to do so after HEAD had moved.
    let clone = clone();
    let index = clone.repo().join(".git/index");
    let mut bytes = std::fs::read(&index).expect("index");
    bytes[11] += 5;
    std::fs::write(&index, bytes).expect("index");
    let head = clone.git(&["rev-parse", "HEAD"]);
    let out = clone.tickets(&OPEN);
    assert!(out.status.success(), "the case is opened");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not committed"), "{stderr}");
    assert_eq!(clone.git(&["rev-parse", "HEAD"]), head, "HEAD stays");
    assert!(!clone.repo().join(".git/index.lock").exists(), "unlocked");
}

#[test]
fn a_store_inside_dot_git_is_never_committed_into_a_dot_git_tree() {
    let clone = clone();
    let head = clone.git(&["rev-parse", "HEAD"]);
    let store = clone.repo().join(".git/desk");
    std::fs::create_dir_all(&store).expect("store");
    let run = |args: &[&str]| {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
        clone.isolate(&mut command);
        command
            .current_dir(clone.repo())
            .env("TICKETS_DIR", &store)
            .env("TICKETS_NOW", NOW)
            .env("TICKETS_ACTOR", "alice")
            .args(args)
            .output()
            .expect("tickets runs")
    };
    assert!(run(&["init"]).status.success(), "init");
    let config = store.join("config.yaml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}\ngit:\n  commit: true\n")).expect("config");
    let out = run(&OPEN);
    assert!(out.status.success(), "the case is opened");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not committed"), "{stderr}");
    assert_eq!(clone.git(&["rev-parse", "HEAD"]), head, "HEAD stays");
    clone.git(&["fsck", "--strict", "--no-progress"]);
}
