//! Writers killed with SIGKILL at random instants. Afterwards every case file
//! is whole (it parses and `check` passes), none is lost or duplicated, no
//! event is recorded twice, leftover temp files are ignored by every command,
//! and `sweep` removes them under the lock.

use crate::support::*;
use rand::Rng;
use std::collections::HashMap;
use std::fs;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Rounds, and writers spawned (then killed) each round.
const ROUNDS: usize = 20;
const WRITERS: usize = 6;
/// Cases the writers work on; large descriptions widen the write window.
const CASES: usize = 4;
const DESCRIPTION_BYTES: usize = 100 * 1024;
/// Kills land uniformly within this many milliseconds of a round's start.
const KILL_WINDOW_MS: u64 = 300;

fn spawn(t: &TestStore, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(args)
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .env("TICKETS_LOCK_TIMEOUT", "120")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tickets")
}

fn temp_files(t: &TestStore) -> Vec<String> {
    fs::read_dir(t.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn writers_killed_mid_write_lose_nothing_and_leave_nothing_half_written() {
    let t = TestStore::new();
    let long = "x".repeat(DESCRIPTION_BYTES);
    let ids: Vec<String> = (0..CASES)
        .map(|_| t.open(&["--customer", "Acme Corp", "--summary", "big", "--description", &long]))
        .collect();
    let mut rng = rand::rng();
    // mark -> (case or "open", exited 0 / killed)
    let mut outcomes: Vec<(String, String, Option<i32>)> = Vec::new();
    let mut killed = 0;
    for round in 0..ROUNDS {
        let mut children = Vec::new();
        for writer in 0..WRITERS {
            let mark = format!("r{round}-w{writer}");
            let (target, child) = if writer == 0 {
                let child = spawn(
                    &t,
                    &[
                        "open",
                        "--customer",
                        "Initech",
                        "--summary",
                        &mark,
                        "--description",
                        &long,
                    ],
                );
                ("open".to_string(), child)
            } else {
                let id = &ids[rng.random_range(0..CASES)];
                let command = if rng.random_bool(0.5) { "request-info" } else { "reply" };
                (id.clone(), spawn(&t, &[command, id, "--message", &mark]))
            };
            children.push((mark, target, child));
        }
        // Each writer dies at its own instant, spread over the time a round
        // of contending writers takes (about 25 ms each, one at a time).
        let started = Instant::now();
        let mut children: Vec<_> = children
            .into_iter()
            .map(|c| (Duration::from_millis(rng.random_range(0..KILL_WINDOW_MS)), c))
            .collect();
        children.sort_by_key(|(deadline, _)| *deadline);
        for (deadline, (mark, target, mut child)) in children {
            std::thread::sleep(deadline.saturating_sub(started.elapsed()));
            let already_done = child.try_wait().expect("try_wait").is_some();
            if !already_done {
                child.kill().expect("SIGKILL");
            }
            let output = child.wait_with_output().expect("wait");
            let code = output.status.code();
            if code.is_none() {
                killed += 1;
            } else {
                assert_eq!(code, Some(0), "{mark}: a writer that was not killed must succeed");
            }
            let printed = String::from_utf8_lossy(&output.stdout).trim().to_string();
            let target = if target == "open" && code == Some(0) {
                printed
            } else {
                target
            };
            outcomes.push((mark, target, code));
        }

        // Between rounds, as after any crash: every file whole, no case lost.
        let listed = t.list(&["--all"]);
        for id in &ids {
            assert!(
                listed.iter().any(|c| c["id"] == id.as_str()),
                "{id} lost in round {round}"
            );
        }
    }

    // Every case parses whole; each event at most once; each success exactly once.
    let all: Vec<serde_json::Value> = t
        .list(&["--all"])
        .iter()
        .map(|c| t.show(c["id"].as_str().unwrap()))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for case in &all {
        for event in case["history"].as_array().unwrap() {
            if let Some(message) = event["message"].as_str() {
                *seen.entry(message.to_string()).or_default() += 1;
            }
        }
        if case["summary"] != "big" {
            *seen.entry(case["summary"].as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    for (mark, target, code) in &outcomes {
        let times = seen.get(mark).copied().unwrap_or(0);
        match code {
            Some(0) => assert_eq!(times, 1, "{mark} on {target} succeeded"),
            _ => assert!(times <= 1, "{mark} on {target} recorded {times} times"),
        }
    }
    assert_eq!(all.len(), CASES + seen.keys().filter(|k| k.ends_with("-w0")).count());

    let left_by_kills = temp_files(&t).len();
    // Leftover temp files (a kill between create and rename) are ignored...
    let leftover = format!(".{}.yaml.999999.deadbeef.tmp", ids[0]);
    fs::write(t.path().join(&leftover), &long.as_bytes()[..1000]).unwrap();
    let temps_before_sweep = temp_files(&t);
    assert!(!temps_before_sweep.is_empty());
    t.run(&["list", "--all"]).success();
    t.run(&["show", &ids[0]]).success();
    t.run(&["check"]).success();
    // ...and sweep removes them, touching nothing else.
    let case_files_before: Vec<Vec<u8>> = ids.iter().map(|id| t.file(id)).collect();
    t.run(&["sweep"]).success();
    assert_eq!(temp_files(&t), Vec::<String>::new());
    assert_eq!(ids.iter().map(|id| t.file(id)).collect::<Vec<_>>(), case_files_before);
    t.run(&["check", "--strict"]).success();

    eprintln!(
        "crash: {} writers, {killed} killed with SIGKILL, {left_by_kills} temp file(s) left mid-write; nothing lost",
        outcomes.len()
    );
    assert!(killed > 0, "no writer was killed: the test proved nothing");
}

#[test]
fn a_half_written_temp_file_is_never_read_as_a_case() {
    let t = TestStore::new();
    let id = t.open_simple();
    let whole = t.file(&id);
    let half = &whole[..whole.len() / 2];
    // The exact name a crashed writer leaves, and one a reader could mistake.
    fs::write(t.path().join(format!(".{id}.yaml.4242.0badf00d.tmp")), half).unwrap();
    assert_eq!(ids(&t.list(&[])), vec![id.clone()]);
    assert_eq!(t.show(&id)["history"].as_array().unwrap().len(), 1);
    t.run(&["reply", &id, "--message", "still fine"]).success();
    t.run(&["sweep"]).success();
    assert_eq!(temp_files(&t), Vec::<String>::new());
    assert_eq!(t.show(&id)["history"].as_array().unwrap().len(), 2);
}

#[test]
fn a_writer_stopped_partway_through_writing_leaves_every_case_file_as_it_was() {
    use std::os::unix::process::ExitStatusExt;
    let t = TestStore::new();
    let long = "x".repeat(DESCRIPTION_BYTES);
    let id = t.open(&["--customer", "Acme Corp", "--summary", "big", "--description", &long]);
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let before = t.file(&id);
    let limit = (before.len() / 2) as u64;

    // A transition (one file) and a sweep (the batch writer).
    let later = "2026-11-27T00:00:00Z";
    for args in [
        vec!["reply", id.as_str(), "--message", "Here you are"],
        vec!["--now", later, "sweep"],
    ] {
        let out = run_with_file_size_limit(&t, limit, &args);
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGXFSZ),
            "{args:?} must die writing past the limit, or this proves nothing: {out:?}"
        );
        assert_eq!(t.file(&id), before, "{args:?}: the case file is the old version, whole");
        assert_eq!(t.status(&id), "waiting-for-customer");
    }
    // A new case: either no file at all or a whole one, never half of one.
    let out = run_with_file_size_limit(
        &t,
        limit,
        &[
            "open",
            "--customer",
            "Globex",
            "--summary",
            "new",
            "--description",
            &long,
        ],
    );
    assert_eq!(out.status.signal(), Some(libc::SIGXFSZ), "{out:?}");
    assert_eq!(ids(&t.list(&["--all"])), vec![id.clone()]);
    assert!(!temp_files(&t).is_empty(), "the cut-off writes were temp files");
    t.run(&["check"]).success();
    // The next sweep clears the debris and closes the case.
    assert_eq!(t.stdout_at(later, &["sweep"]), format!("{id}\n"));
    assert_eq!(temp_files(&t), Vec::<String>::new());
}
