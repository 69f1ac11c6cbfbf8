//! Many processes at once: hammering one case, working many cases, opening
//! cases and sweeping, all against one store. Every command that exits 0
//! leaves exactly one history event (each carries a unique message or actor,
//! so events are counted per command), every failure is a documented exit
//! (4: closed meanwhile, 6: busy) and writes nothing, and `check` passes.
//! Bounded by count: the figures below are docs/reliability.md's.

use crate::support::*;
use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;
use std::thread;

/// Processes hammering the hot case, and `request-info`/`reply` each runs.
const HOT_WORKERS: usize = 4;
const HOT_OPERATIONS: usize = 15;
/// Processes working the other cases, and commands each runs.
const CASE_WORKERS: usize = 3;
const CASE_OPERATIONS: usize = 15;
/// Processes running `sweep`, and sweeps each runs.
const SWEEPERS: usize = 2;
const SWEEPS: usize = 8;
/// Processes running `open`, and cases each opens.
const OPENERS: usize = 2;
const OPENS: usize = 5;
/// Cases that wait for the customer long enough for a sweep to close them.
const OLD_CASES: usize = 6;

/// Seven days less a second after NOW: the old cases (waiting since a day
/// before NOW) are due, cases set waiting at NOW are not. So sweeps really
/// close cases while the others run, yet never the hot case.
const SWEEP_NOW: &str = "2026-11-26T09:59:59Z";

/// One finished command: what it was, its unique mark, how it ended.
struct Outcome {
    args: Vec<String>,
    mark: String,
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(t: &TestStore, now: &str, actor: &str, args: &[String]) -> (i32, String, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(args)
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", now)
        .env("TICKETS_ACTOR", actor)
        .env("TICKETS_LOCK_TIMEOUT", "120")
        .output()
        .expect("spawn tickets");
    (
        out.status.code().expect("not killed by a signal"),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

#[test]
fn concurrent_commands_lose_nothing_and_double_nothing() {
    let t = TestStore::new();
    let hot = t.open_simple();
    let mut worked: Vec<String> = (0..4).map(|_| t.open_simple()).collect();
    let old: Vec<String> = (0..OLD_CASES)
        .map(|_| {
            let id = t.open_at(
                "2026-11-17T10:00:00Z",
                &["--customer", "Globex", "--summary", "old", "--description", "d"],
            );
            t.run_at(
                "2026-11-18T10:00:00Z",
                &["request-info", &id, "--message", "Still there?"],
            )
            .success();
            id
        })
        .collect();
    worked.extend(old.iter().cloned());
    let events_before: HashMap<String, usize> = worked
        .iter()
        .chain([&hot])
        .map(|id| (id.clone(), t.show(id)["history"].as_array().unwrap().len()))
        .collect();

    let outcomes: Vec<Outcome> = thread::scope(|scope| {
        let mut handles = Vec::new();
        for worker in 0..HOT_WORKERS {
            let (t, hot) = (&t, &hot);
            handles.push(scope.spawn(move || {
                (0..HOT_OPERATIONS)
                    .map(|op| {
                        let mark = format!("hot-{worker}-{op}");
                        let command = if (worker + op) % 2 == 0 {
                            "request-info"
                        } else {
                            "reply"
                        };
                        let args = strings(&[command, hot, "--message", &mark]);
                        let (code, stdout, stderr) = run(t, NOW, "tester", &args);
                        Outcome {
                            args,
                            mark,
                            code,
                            stdout,
                            stderr,
                        }
                    })
                    .collect::<Vec<_>>()
            }));
        }
        for worker in 0..CASE_WORKERS {
            let (t, worked) = (&t, &worked);
            handles.push(scope.spawn(move || {
                (0..CASE_OPERATIONS)
                    .map(|op| {
                        let mark = format!("case-{worker}-{op}");
                        let id = &worked[(worker * 5 + op) % worked.len()];
                        let command = if op % 3 == 0 { "reply" } else { "request-info" };
                        let args = strings(&[command, id, "--message", &mark]);
                        let (code, stdout, stderr) = run(t, NOW, "tester", &args);
                        Outcome {
                            args,
                            mark,
                            code,
                            stdout,
                            stderr,
                        }
                    })
                    .collect::<Vec<_>>()
            }));
        }
        for sweeper in 0..SWEEPERS {
            let t = &t;
            handles.push(scope.spawn(move || {
                (0..SWEEPS)
                    .map(|op| {
                        let mark = format!("sweep-{sweeper}-{op}");
                        let args = strings(&["sweep"]);
                        let (code, stdout, stderr) = run(t, SWEEP_NOW, &mark, &args);
                        Outcome {
                            args,
                            mark,
                            code,
                            stdout,
                            stderr,
                        }
                    })
                    .collect::<Vec<_>>()
            }));
        }
        for opener in 0..OPENERS {
            let t = &t;
            handles.push(scope.spawn(move || {
                (0..OPENS)
                    .map(|op| {
                        let mark = format!("open-{opener}-{op}");
                        let args = strings(&[
                            "open",
                            "--customer",
                            "Initech",
                            "--summary",
                            &mark,
                            "--description",
                            "d",
                        ]);
                        let (code, stdout, stderr) = run(t, NOW, "tester", &args);
                        Outcome {
                            args,
                            mark,
                            code,
                            stdout,
                            stderr,
                        }
                    })
                    .collect::<Vec<_>>()
            }));
        }
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    });

    assert_eq!(
        outcomes.len(),
        HOT_WORKERS * HOT_OPERATIONS + CASE_WORKERS * CASE_OPERATIONS + SWEEPERS * SWEEPS + OPENERS * OPENS
    );
    for o in &outcomes {
        assert!(
            [0, 4, 6].contains(&o.code),
            "{:?} exited {} (undocumented for a race): {}",
            o.args,
            o.code,
            o.stderr
        );
        if o.code == 4 {
            assert!(
                o.stderr.contains("closed"),
                "exit 4 only for a case closed meanwhile: {}",
                o.stderr
            );
        }
    }

    // Every case, read back whole.
    let all: Vec<Value> = t
        .list(&["--all"])
        .iter()
        .map(|c| t.show(c["id"].as_str().unwrap()))
        .collect();
    let by_id: HashMap<&str, &Value> = all.iter().map(|c| (c["id"].as_str().unwrap(), c)).collect();
    let events_marked = |mark: &str| -> usize {
        all.iter()
            .flat_map(|c| c["history"].as_array().unwrap())
            .filter(|e| e["message"] == mark || e["actor"] == mark)
            .count()
    };

    // One event per success, none per failure.
    for o in outcomes.iter().filter(|o| o.args[0] != "sweep" && o.args[0] != "open") {
        let expected = usize::from(o.code == 0);
        assert_eq!(events_marked(&o.mark), expected, "{:?} exited {}", o.args, o.code);
    }
    let hot_successes = outcomes
        .iter()
        .filter(|o| o.mark.starts_with("hot-") && o.code == 0)
        .count();
    let hot_case = by_id[hot.as_str()];
    assert_eq!(
        hot_case["history"].as_array().unwrap().len(),
        events_before[&hot] + hot_successes
    );
    assert_ne!(
        hot_case["status"], "closed",
        "no sweep may close a case set waiting at NOW"
    );
    assert!(hot_successes > 0);

    // Each sweep closed what it printed, with one event; no case closed twice.
    let mut closed_by: HashMap<String, String> = HashMap::new();
    for o in outcomes.iter().filter(|o| o.args[0] == "sweep" && o.code == 0) {
        for id in o.stdout.lines() {
            assert!(
                closed_by.insert(id.to_string(), o.mark.clone()).is_none(),
                "{id} closed by two sweeps"
            );
        }
        // Signed by the sweep itself, whoever runs it.
        for id in o.stdout.lines() {
            let closes = by_id[id]["history"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["actor"] == "sweep" && e["action"] == "auto-close")
                .count();
            assert_eq!(closes, 1, "{} printed {id}", o.mark);
        }
    }
    for case in &all {
        let auto_closes = case["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "auto-close")
            .count();
        assert!(auto_closes <= 1, "{} auto-closed {auto_closes} times", case["id"]);
        assert_eq!(auto_closes == 1, closed_by.contains_key(case["id"].as_str().unwrap()));
    }
    // The old cases no worker reached in time were all closed by some sweep.
    for id in &old {
        let case = by_id[id.as_str()];
        let replied = case["history"].as_array().unwrap().len() > events_before[id];
        assert!(replied, "{id}: neither swept nor worked");
    }

    // Each successful open made exactly one case, with the ID it printed.
    for o in outcomes.iter().filter(|o| o.args[0] == "open" && o.code == 0) {
        let made: Vec<&Value> = all.iter().filter(|c| c["summary"] == o.mark.as_str()).collect();
        assert_eq!(made.len(), 1, "{}", o.mark);
        assert_eq!(made[0]["id"].as_str().unwrap(), o.stdout.trim());
    }

    let count = |code| outcomes.iter().filter(|o| o.code == code).count();
    eprintln!(
        "concurrency: {} commands from {} processes: {} ok, {} refused as closed (4), {} busy (6); {} cases swept",
        outcomes.len(),
        HOT_WORKERS + CASE_WORKERS + SWEEPERS + OPENERS,
        count(0),
        count(4),
        count(6),
        closed_by.len()
    );
    t.run(&["check"]).success();
    let leftovers: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_writer_that_cannot_get_the_lock_exits_6_and_writes_nothing() {
    let t = TestStore::new();
    let id = t.open_simple();
    let before = t.file(&id);
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(t.path().join(".tickets").join("lock"))
        .expect("the lock file exists once a case was opened");
    lock.lock().expect("take the store lock");
    t.cmd()
        .env("TICKETS_LOCK_TIMEOUT", "0.2")
        .args(["reply", &id, "--message", "blocked"])
        .assert()
        .code(6)
        .stderr(predicates::str::contains("store busy"));
    assert_eq!(t.file(&id), before);
    lock.unlock().expect("unlock");
    t.run(&["reply", &id, "--message", "now it works"]).success();
}
