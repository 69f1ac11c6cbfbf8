//! Attacks by someone local on the note an auto-commit leaves in `.git`
//! when it is killed half-way (`.git/tickets-commit-in-progress`): it never
//! gets files outside the work tree committed, and never hangs a writer.

use crate::support::git::{Clone, OPEN};
use crate::support::*;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

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
