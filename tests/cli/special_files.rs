//! Files of the store that are not regular files: a FIFO, a directory, a
//! socket or a link to a device named like a case file, config.yaml, the
//! index or the lock. None may hang a command (a FIFO used to block its
//! reader forever, with the store lock held by `sweep`, `open` and
//! `escalate`), and none is read past the 1 MiB cap. Every run here is
//! bounded: a command still running after 10 s is killed and the test fails.

use crate::support::*;
use std::fs;

/// The name of the planted special file, like a case file's.
const PLANTED: &str = "RC-FIFO0000.yaml";

/// Plants a FIFO named like a case file.
fn plant_fifo(t: &TestStore) {
    mkfifo(&t.path().join(PLANTED));
}

/// A store with a FIFO named like a case file.
fn store_with_fifo() -> TestStore {
    let t = TestStore::new();
    plant_fifo(&t);
    t
}

/// The planted file is named on stderr as a FIFO, and the run ended with 5.
fn refused_fifo(ran: &Ran, what: &str) {
    assert_eq!(ran.code, 5, "{what}: exit 5 for the bad file; stderr: {}", ran.stderr);
    assert!(
        ran.stderr.contains(PLANTED) && ran.stderr.contains("FIFO"),
        "{what}: the FIFO is named on stderr: {}",
        ran.stderr
    );
}

#[test]
fn a_fifo_named_like_a_case_file_no_longer_hangs_list() {
    let t = TestStore::new();
    let id = t.open_simple();
    plant_fifo(&t);
    let ran = run_bounded(&t, NOW, &["list", "--format", "json"]);
    refused_fifo(&ran, "list");
    let listed: Vec<serde_json::Value> = serde_json::from_str(&ran.stdout).expect("list json");
    assert_eq!(ids(&listed), vec![id], "the good case is still listed");
}

#[test]
fn a_fifo_named_like_a_case_file_no_longer_hangs_queue() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["escalate", &id]).success();
    t.run(&["escalate", &id, "--impact", "high"]).success();
    plant_fifo(&t);
    let ran = run_bounded(&t, NOW, &["queue", "--format", "json"]);
    refused_fifo(&ran, "queue");
    let queue: Vec<serde_json::Value> = serde_json::from_str(&ran.stdout).expect("queue json");
    assert_eq!(ids(&queue), vec![id], "the escalated case is still queued");
}

#[test]
fn a_fifo_named_like_a_case_file_no_longer_hangs_stats() {
    let t = TestStore::new();
    t.open_simple();
    t.open_simple();
    plant_fifo(&t);
    let ran = run_bounded(&t, NOW, &["stats", "--format", "json"]);
    refused_fifo(&ran, "stats");
    let stats: serde_json::Value = serde_json::from_str(&ran.stdout).expect("stats json");
    assert_eq!(stats["cases"], 2, "the two good cases counted: {stats}");
}

#[test]
fn a_fifo_named_like_a_case_file_no_longer_hangs_sweep_under_the_lock() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let other = t.open_simple();
    plant_fifo(&t);
    let ran = run_bounded(&t, "2026-11-26T10:00:00Z", &["sweep"]);
    refused_fifo(&ran, "sweep");
    assert_eq!(ran.stdout, format!("{id}\n"), "the due case is still closed");
    assert_eq!(t.status(&id), "closed");
    // The lock was released: a writer gets it at once.
    t.run(&["investigate", &other]).success();
}

#[test]
fn a_fifo_named_like_a_case_file_no_longer_hangs_open_under_the_lock() {
    let t = store_with_fifo();
    let ran = run_bounded(
        &t,
        NOW,
        &["open", "--customer", "Acme Corp", "--summary", "Push fails on iOS"],
    );
    refused_fifo(&ran, "open");
    let id = ran.stdout.trim();
    assert!(id.starts_with("RC-"), "the new ID is printed: {:?}", ran.stdout);
    assert_eq!(t.status(id), "open", "and the case was created");
    assert_eq!(t.show(id)["assignee"], "alice", "and routed");
}

#[test]
fn a_fifo_named_like_a_case_file_no_longer_hangs_escalate_under_the_lock() {
    let t = TestStore::new();
    let id = t.open_simple();
    plant_fifo(&t);
    let ran = run_bounded(&t, NOW, &["escalate", &id]);
    refused_fifo(&ran, "escalate");
    assert!(
        ran.stdout.contains("escalate"),
        "the transition is printed: {}",
        ran.stdout
    );
    let case = t.show(&id);
    assert_eq!(case["level"], "l2", "the case was escalated");
    assert_eq!(
        case["assignee"], "dora",
        "and routed to the L2 analyst with push skills"
    );
}

#[test]
fn show_and_check_refuse_every_kind_of_special_file_without_blocking() {
    let t = TestStore::new();
    let good = t.open_simple();
    let fifo = "RC-FIFO0000";
    let directory = "RC-DIRE0000";
    let socket = "RC-SOCK0000";
    let device = "RC-ZERO0000";
    mkfifo(&t.case_path(fifo));
    fs::create_dir(t.case_path(directory)).unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(t.case_path(socket)).unwrap();
    // A link to an endless device: never followed, never read.
    std::os::unix::fs::symlink("/dev/zero", t.case_path(device)).unwrap();
    for (id, kind) in [
        (fifo, "FIFO"),
        (directory, "a directory"),
        (socket, "a socket"),
        (device, "symbolic link"),
    ] {
        let ran = run_bounded(&t, NOW, &["show", id]);
        assert_eq!(ran.code, 5, "show {id}: {}", ran.stderr);
        assert!(
            ran.stderr.contains(id) && ran.stderr.contains(kind),
            "show {id}: {}",
            ran.stderr
        );
    }
    let ran = run_bounded(&t, NOW, &["list", "--format", "json"]);
    assert_eq!(ran.code, 5, "{}", ran.stderr);
    assert_eq!(
        ran.stderr.matches("error: ").count(),
        5,
        "four files named, one summary: {}",
        ran.stderr
    );
    let listed: Vec<serde_json::Value> = serde_json::from_str(&ran.stdout).expect("list json");
    assert_eq!(ids(&listed), vec![good.clone()]);
    let ran = run_bounded(&t, NOW, &["check"]);
    assert_eq!(ran.code, 5);
    for id in [fifo, directory, socket, device] {
        assert!(ran.stdout.contains(id), "check names {id}: {}", ran.stdout);
    }
    // Writers that read every case for routing finish too.
    let ran = run_bounded(&t, NOW, &["escalate", &good]);
    assert_eq!(ran.code, 5, "{}", ran.stderr);
    assert_eq!(t.show(&good)["level"], "l2");
}

#[test]
fn a_fifo_config_yaml_is_refused_naming_it_not_taken_for_a_missing_store() {
    let t = TestStore::new();
    let config = t.path().join("config.yaml");
    fs::remove_file(&config).unwrap();
    mkfifo(&config);
    for args in [
        &["list"][..],
        &["open", "--customer", "Acme Corp", "--summary", "s"],
        &["check"],
    ] {
        let ran = run_bounded(&t, NOW, args);
        assert_eq!(ran.code, 5, "{args:?}: {}{}", ran.stdout, ran.stderr);
        let said = format!("{}{}", ran.stdout, ran.stderr);
        assert!(
            said.contains("config.yaml") && said.contains("FIFO"),
            "{args:?}: {said}"
        );
    }
}

#[test]
fn a_fifo_in_place_of_the_index_no_longer_hangs_readers_and_is_replaced() {
    let t = TestStore::new();
    let id = t.open_simple();
    let index = t.path().join(".tickets").join("index");
    let _ = fs::remove_file(&index);
    mkfifo(&index);
    let ran = run_bounded(&t, NOW, &["list", "--format", "json"]);
    assert_eq!(ran.code, 0, "the index is derived: not a bad file; {}", ran.stderr);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&ran.stdout).expect("list json");
    assert_eq!(ids(&listed), vec![id.clone()]);
    // A writer that appends to the index finishes too.
    let ran = run_bounded(&t, NOW, &["investigate", &id]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    // Once the case files are older than the index's two-second racy window,
    // the next reader rebuilds the index over the FIFO.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let ran = run_bounded(&t, NOW, &["list"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        fs::symlink_metadata(&index).unwrap().is_file(),
        "the FIFO was replaced by a rebuilt index"
    );
}

#[test]
fn a_fifo_in_place_of_the_lock_is_refused_naming_it_instead_of_hanging_every_writer() {
    let t = TestStore::new();
    let id = t.open_simple();
    let before = t.file(&id);
    let lock = t.path().join(".tickets").join("lock");
    fs::remove_file(&lock).unwrap();
    mkfifo(&lock);
    for args in [
        &["investigate", id.as_str()][..],
        &["open", "--customer", "Acme Corp", "--summary", "s"],
        &["sweep"],
    ] {
        let ran = run_bounded(&t, NOW, args);
        assert_eq!(ran.code, 5, "{args:?}: {}", ran.stderr);
        assert!(
            ran.stderr.contains(".tickets/lock") && ran.stderr.contains("FIFO"),
            "{args:?}: {}",
            ran.stderr
        );
    }
    assert_eq!(t.file(&id), before, "nothing was written");
    assert_eq!(t.list(&["--all"]).len(), 1, "nothing was created");
    let ran = run_bounded(&t, NOW, &["check"]);
    assert_eq!(ran.code, 5);
    assert!(ran.stdout.contains(".tickets/lock"), "check names it: {}", ran.stdout);
    fs::remove_file(&lock).unwrap();
    t.run(&["investigate", &id]).success();
}
