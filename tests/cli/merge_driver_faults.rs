//! The merge driver on a full disk: git's `%A` is replaced whole or left
//! as it was, never cut part-way (a cut case file still parses, so `check`
//! would accept a silently shortened message).

use crate::support::{TestStore, NOW};

/// `tickets merge-driver O A B` in `dir`, under a file-size limit of
/// `limit` bytes with SIGXFSZ ignored: a write past it fails, as on a full disk.
fn driver_limited(t: &TestStore, dir: &std::path::Path, limit: u64) -> std::process::Output {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    command
        .args(["merge-driver", "O", "A", "B"])
        .current_dir(dir)
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW);
    crate::support::fail_writes_past(&mut command, limit);
    command.output().expect("merge-driver runs")
}

#[test]
fn the_merge_driver_on_a_full_disk_leaves_ours_whole() {
    let t = TestStore::new();
    let id = t.open_simple();
    let ancestor = t.file(&id);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("O"), &ancestor).expect("O");
    let words = "w".repeat(20_000);
    t.run_at("2026-11-19T11:00:00Z", &["reply", &id, "--message", &words])
        .success();
    let ours = t.file(&id);
    std::fs::write(dir.path().join("A"), &ours).expect("A");
    std::fs::write(t.case_path(&id), &ancestor).expect("back to the ancestor");
    t.run_at("2026-11-19T12:00:00Z", &["request-info", &id, "--message", &words])
        .success();
    std::fs::write(dir.path().join("B"), t.file(&id)).expect("B");
    // Room for either side, not for both.
    let limit = ours.len() as u64 + 4096;
    let out = driver_limited(&t, dir.path(), limit);
    assert!(!out.status.success(), "the merge cannot be written, so it fails");
    assert_eq!(
        std::fs::read(dir.path().join("A")).expect("A"),
        ours,
        "ours is whole, as it was"
    );
    // With room, the same merge holds both events.
    let out = driver_limited(&t, dir.path(), 16 * 1024 * 1024);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let merged = String::from_utf8(std::fs::read(dir.path().join("A")).expect("A")).expect("utf-8");
    assert_eq!(merged.matches(&words).count(), 2);
}
