//! An auto-commit killed at any instant: the next command finishes it (or
//! makes it again), the index ends in step with HEAD for the store's files,
//! the user's own staged and unstaged changes stay, and no later
//! `git commit` can undo an event.

use crate::support::git::{Clone, OPEN};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A clone with auto-commit on, one case, and the user's own changes: one
/// staged, one not.
fn clone_with_a_case() -> (Clone, String) {
    let clone = Clone::new("tickets");
    let id = clone.tickets_ok(&OPEN);
    std::fs::write(clone.repo().join("notes.txt"), "two\n").expect("notes");
    clone.git(&["add", "notes.txt"]);
    std::fs::write(clone.repo().join("docs/guide.md"), "v2\n").expect("guide");
    (clone, id)
}

/// What must hold once a command ran after the kill.
fn in_step(clone: &Clone, id: &str, after: &str) {
    let git_dir = clone.repo().join(".git");
    assert!(!git_dir.join("index.lock").exists(), "{after}: index.lock is left");
    assert_eq!(
        clone.git(&["diff", "--cached", "--name-only"]),
        "notes.txt\n",
        "{after}: only the user's own staged change is staged"
    );
    assert_eq!(
        clone.git(&["diff", "--name-only"]),
        "docs/guide.md\n",
        "{after}: only the user's own unstaged change is unstaged"
    );
    let committed = clone.git(&["show", &format!("HEAD:{}", clone.case(id))]);
    let on_disk = std::fs::read_to_string(clone.store().join(format!("{id}.yaml"))).expect("case");
    assert_eq!(committed, on_disk, "{after}: HEAD has every event of the case file");
    let check = clone.tickets(&["check"]);
    assert!(
        check.status.success(),
        "{after}: check fails: {}",
        String::from_utf8_lossy(&check.stdout)
    );
}

/// The pid of a process that has ended.
fn a_dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("true runs");
    let pid = child.id();
    child.wait().expect("true ends");
    pid
}

#[test]
fn a_kill_between_moving_head_and_renaming_the_index_is_finished_by_the_next_command() {
    let (clone, id) = clone_with_a_case();
    let git_dir = clone.repo().join(".git");
    let old_index = std::fs::read(git_dir.join("index")).expect("index");
    let head_before = clone.git(&["rev-parse", "HEAD"]).trim().to_string();
    clone.tickets_ok(&["note", &id, "--message", "the event a kill must not lose"]);
    // The state a kill leaves after `update-ref`, before the rename: HEAD on
    // the new commit, the new index still in the lock, the old one in place.
    let message = clone.git(&["log", "-1", "--format=%B"]);
    std::fs::rename(git_dir.join("index"), git_dir.join("index.lock")).expect("lock");
    std::fs::write(git_dir.join("index"), &old_index).expect("old index");
    // The killed process's own name for its lock, as it left it.
    let dead = a_dead_pid();
    std::fs::hard_link(
        git_dir.join("index.lock"),
        git_dir.join(format!("tickets-index-lock.{dead}")),
    )
    .expect("link");
    let note = serde_json::json!({
        "pid": dead,
        "head": head_before,
        "message": message.trim_end(),
        "paths": [clone.case(&id)],
    });
    std::fs::write(git_dir.join("tickets-commit-in-progress"), note.to_string()).expect("note");
    // Unrecovered, the index names the event's removal.
    let staged = clone.git(&["diff", "--cached", "--name-only"]);
    assert!(
        staged.contains(&clone.case(&id)),
        "the planted state stages the removal: {staged}"
    );

    // `check` (like any write) finishes the commit.
    let check = clone.tickets(&["check"]);
    assert!(check.status.success());
    in_step(&clone, &id, "check after the kill");
    assert!(!git_dir.join("tickets-commit-in-progress").exists());
    assert!(!git_dir.join(format!("tickets-index-lock.{dead}")).exists());
    // A later commit of the user's own change keeps the event.
    clone.git(&["commit", "-qm", "the user's own"]);
    let committed = clone.git(&["show", &format!("HEAD:{}", clone.case(&id))]);
    assert!(committed.contains("the event a kill must not lose"));
}

#[test]
fn a_kill_before_head_moved_is_committed_again_by_the_next_write() {
    let (clone, id) = clone_with_a_case();
    let git_dir = clone.repo().join(".git");
    // The state a kill leaves after the case file was saved, with the
    // index locked and HEAD not yet moved.
    let path = clone.store().join(format!("{id}.yaml"));
    let text = std::fs::read_to_string(&path).expect("case");
    let head = clone.git(&["rev-parse", "HEAD"]).trim().to_string();
    clone.tickets_ok(&["note", &id, "--message", "saved, never committed"]);
    let saved = std::fs::read_to_string(&path).expect("case");
    clone.git(&["reset", "-q", "--soft", "HEAD~1"]);
    clone.git(&["reset", "-q", "--", &clone.case(&id)]);
    assert_ne!(text, saved);
    std::fs::write(git_dir.join("index.lock"), b"half-written").expect("lock");
    let dead = a_dead_pid();
    std::fs::hard_link(
        git_dir.join("index.lock"),
        git_dir.join(format!("tickets-index-lock.{dead}")),
    )
    .expect("link");
    let note = serde_json::json!({
        "pid": dead,
        "head": head,
        "message": format!("{id}: note (alice)"),
        "paths": [clone.case(&id)],
    });
    std::fs::write(git_dir.join("tickets-commit-in-progress"), note.to_string()).expect("note");

    clone.tickets_ok(&["note", &id, "--message", "the next write"]);
    in_step(&clone, &id, "the next write");
    let committed = clone.git(&["show", &format!("HEAD:{}", clone.case(&id))]);
    assert!(committed.contains("saved, never committed") && committed.contains("the next write"));
}

#[test]
fn a_note_of_a_commit_whose_writer_still_runs_is_left_alone() {
    let (clone, _id) = clone_with_a_case();
    let git_dir = clone.repo().join(".git");
    let head = clone.git(&["rev-parse", "HEAD"]).trim().to_string();
    std::fs::write(git_dir.join("index.lock"), b"another writer's").expect("lock");
    let note = serde_json::json!({
        "pid": std::process::id(),
        "head": head,
        "message": "in progress",
        "paths": [],
    });
    std::fs::write(git_dir.join("tickets-commit-in-progress"), note.to_string()).expect("note");
    let _ = clone.tickets(&["check"]);
    assert_eq!(
        std::fs::read(git_dir.join("index.lock")).expect("lock stays"),
        b"another writer's"
    );
}

/// Random SIGKILLs through whole auto-committing writes, each followed by
/// another write and the checks of [`in_step`].
#[test]
fn random_kills_inside_auto_commits_never_lose_an_event() {
    let (clone, id) = clone_with_a_case();
    // How long one write takes here, so the kills land all through it.
    let start = Instant::now();
    clone.tickets_ok(&["note", &id, "--message", "timing"]);
    let span = start.elapsed().as_micros().max(2_000) as u64;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..40 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % (span + span / 4));
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
        clone.isolate(&mut command);
        let mut child = command
            .env("TICKETS_DIR", clone.store())
            .env("TICKETS_NOW", crate::support::git::CLONE_NOW)
            .env("TICKETS_ACTOR", "alice")
            .current_dir(clone.repo())
            .args(["note", &id, "--message", &format!("killed {round}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tickets runs");
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        // The next write recovers whatever the kill left.
        clone.tickets_ok(&["note", &id, "--message", &format!("after {round}")]);
        in_step(&clone, &id, &format!("round {round} (killed after {delay:?})"));
    }
}

#[test]
fn another_gits_index_lock_is_never_removed_by_a_recovery() {
    let (clone, id) = clone_with_a_case();
    let git_dir = clone.repo().join(".git");
    // A `tickets` that died before it took the lock, and another git that
    // holds it now.
    let dead = a_dead_pid();
    let head = clone.git(&["rev-parse", "HEAD"]).trim().to_string();
    let note = serde_json::json!({
        "pid": dead,
        "head": head,
        "message": format!("{id}: note (alice)"),
        "paths": [clone.case(&id)],
    });
    std::fs::write(git_dir.join("tickets-commit-in-progress"), note.to_string()).expect("note");
    std::fs::write(git_dir.join("index.lock"), b"another git's").expect("lock");
    let _ = clone.tickets(&["check"]);
    assert_eq!(
        std::fs::read(git_dir.join("index.lock")).expect("the lock stays"),
        b"another git's"
    );
}
