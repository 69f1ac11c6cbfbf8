//! sweep: the 7-day edge, configurable days, dry-run, idempotence, JSON,
//! and running from cron with an empty environment.

use crate::support::*;
use chrono::{Duration, SecondsFormat, Utc};
use std::path::Path;

fn waiting_case(t: &TestStore) -> String {
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    id
}

/// Every file under the store, with its bytes (derived files excluded).
fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn sweep_closes_exactly_at_seven_days_not_a_second_before() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    let before = t.file(&id);
    assert_eq!(t.stdout_at("2026-11-26T09:59:59Z", &["sweep"]), "");
    assert_eq!(t.file(&id), before, "not due: not touched");
    // --dry-run decides from the index's summaries, in table and JSON: the same edge.
    for (now, expected) in [
        ("2026-11-26T09:59:59Z", vec![]),
        ("2026-11-26T10:00:00Z", vec![id.clone()]),
    ] {
        let table = t.stdout_at(now, &["sweep", "--dry-run"]);
        assert_eq!(table.lines().collect::<Vec<_>>(), expected, "dry-run at {now}");
        let json: Vec<serde_json::Value> =
            serde_json::from_str(&t.stdout_at(now, &["sweep", "--dry-run", "--format", "json"])).unwrap();
        assert_eq!(ids(&json), expected, "dry-run JSON at {now}");
    }
    assert_eq!(t.file(&id), before, "dry-runs write nothing");
    assert_eq!(t.stdout_at("2026-11-26T10:00:00Z", &["sweep"]), format!("{id}\n"));
    assert_eq!(t.status(&id), "closed");
    let closed = t.file(&id);
    assert_eq!(
        t.stdout_at("2026-11-26T10:00:00Z", &["sweep"]),
        "",
        "sweep twice closes nothing more"
    );
    assert_eq!(t.stdout_at("2026-12-30T10:00:00Z", &["sweep"]), "", "nor later");
    assert_eq!(t.file(&id), closed, "the second sweep writes nothing");
}

#[test]
fn auto_close_after_days_is_configurable() {
    let t = TestStore::with_config(&CONFIG.replace("auto_close_after_days: 7", "auto_close_after_days: 3"));
    let id = waiting_case(&t);
    assert_eq!(t.stdout_at("2026-11-22T09:59:59Z", &["sweep"]), "");
    assert_eq!(t.stdout_at("2026-11-22T10:00:00Z", &["sweep"]), format!("{id}\n"));
    let resolution = t.show(&id)["resolution"].as_str().unwrap().to_string();
    assert!(resolution.contains("for 3 days"), "{resolution}");
}

#[test]
fn the_clock_restarts_with_each_request_info_and_stops_with_a_reply() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    // Day 3: asked again while waiting; the clock restarts.
    t.run_at(
        "2026-11-22T10:00:00Z",
        &["request-info", &id, "--message", "And the logs?"],
    )
    .success();
    assert_eq!(
        t.stdout_at("2026-11-26T10:00:00Z", &["sweep"]),
        "",
        "7 days after the first ask, 4 after the second"
    );
    // Day 5: the customer replies; no clock at all.
    t.run_at("2026-11-24T10:00:00Z", &["reply", &id, "--message", "Attached"])
        .success();
    assert_eq!(
        t.stdout_at("2026-12-30T10:00:00Z", &["sweep"]),
        "",
        "an open case is never swept"
    );
    // Asked again on day 6: due 7 days later.
    t.run_at(
        "2026-11-25T10:00:00Z",
        &["request-info", &id, "--message", "Thanks, try 4.2?"],
    )
    .success();
    assert_eq!(t.stdout_at("2026-12-02T09:59:59Z", &["sweep"]), "");
    assert_eq!(t.stdout_at("2026-12-02T10:00:00Z", &["sweep"]), format!("{id}\n"));
}

#[test]
fn only_waiting_cases_are_swept_and_ids_come_oldest_clock_first() {
    let t = TestStore::new();
    let open = t.open_simple();
    let investigating = t.open_simple();
    t.run(&["investigate", &investigating]).success();
    let later = t.open_simple();
    t.run_at("2026-11-19T11:00:00Z", &["request-info", &later, "--message", "?"])
        .success();
    let earlier = t.open_simple();
    t.run_at("2026-11-19T10:30:00Z", &["request-info", &earlier, "--message", "?"])
        .success();
    assert_eq!(
        t.stdout_at("2026-12-19T00:00:00Z", &["sweep"]),
        format!("{earlier}\n{later}\n")
    );
    assert_eq!(t.status(&open), "open");
    assert_eq!(t.status(&investigating), "at-investigation");
}

#[test]
fn dry_run_prints_what_would_close_and_writes_nothing() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    let before = snapshot(t.path());
    assert_eq!(
        t.stdout_at("2026-11-27T00:00:00Z", &["sweep", "--dry-run"]),
        format!("{id}\n")
    );
    assert_eq!(snapshot(t.path()), before, "--dry-run writes nothing");
    assert_eq!(t.status(&id), "waiting-for-customer");
    // Dry-run is repeatable, and the real sweep then closes the same case.
    assert_eq!(
        t.stdout_at("2026-11-27T00:00:00Z", &["sweep", "--dry-run"]),
        format!("{id}\n")
    );
    assert_eq!(t.stdout_at("2026-11-27T00:00:00Z", &["sweep"]), format!("{id}\n"));
    assert_eq!(t.status(&id), "closed");
}

#[test]
fn nothing_due_prints_nothing_and_exits_0() {
    let t = TestStore::new();
    t.run(&["sweep"]).success().stdout("").stderr("");
    waiting_case(&t);
    t.run(&["sweep"]).success().stdout("").stderr("");
    t.run(&["sweep", "--dry-run"]).success().stdout("");
    let json: Vec<serde_json::Value> = serde_json::from_str(&t.stdout(&["sweep", "--format", "json"])).unwrap();
    assert!(json.is_empty(), "an empty JSON array when nothing is due");
}

#[test]
fn format_json_is_an_array_of_the_closed_cases() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    let out = t.stdout_at("2026-11-26T10:00:00Z", &["sweep", "--format", "json"]);
    let cases: Vec<serde_json::Value> = serde_json::from_str(&out).expect(&out);
    assert_eq!(ids(&cases), vec![id.clone()]);
    let case = &cases[0];
    assert_eq!(case["status"], "closed");
    assert!(case["waiting_since"].is_null());
    assert!(
        case["resolution"].as_str().unwrap().starts_with("Auto-closed"),
        "{case}"
    );
    assert_eq!(case["updated_at"], "2026-11-26T10:00:00Z");
    for field in [
        "level",
        "severity",
        "assignee",
        "customer",
        "created_at",
        "first_response_due",
        "follow_up_of",
    ] {
        assert!(case.get(field).is_some(), "missing {field}: {case}");
    }
    assert_eq!(t.status(&id), "closed");
}

#[test]
fn sweep_runs_from_cron_with_only_path_and_tickets_dir() {
    let t = TestStore::new();
    let real_now = Utc::now();
    let instant = |days_ago: i64| (real_now - Duration::days(days_ago)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let due = t.open_at(
        &instant(10),
        &["--customer", "Acme Corp", "--summary", "Push", "--description", ""],
    );
    t.run(&["request-info", &due, "--message", "Logs?", "--now", &instant(8)])
        .success();
    let recent = t.open_at(
        &instant(3),
        &["--customer", "Acme Corp", "--summary", "Push", "--description", ""],
    );
    t.run(&["request-info", &recent, "--message", "Logs?", "--now", &instant(2)])
        .success();

    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TICKETS_DIR", t.path())
        .current_dir("/")
        .arg("sweep")
        .output()
        .expect("run tickets");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), format!("{due}\n"));
    assert_eq!(stderr, "");
    let case = t.show(&due);
    assert_eq!(case["status"], "closed");
    let event = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(event["action"], "auto-close");
    assert_eq!(
        event["actor"], "sweep",
        "with no --as, TICKETS_ACTOR or USER the sweep signs as itself"
    );
    assert_eq!(t.status(&recent), "waiting-for-customer");
}

#[test]
fn a_bad_file_does_not_stop_the_sweep_which_exits_5_at_the_end() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    let bad = t.path().join("RC-BROKEN01.yaml");
    std::fs::write(&bad, "id: RC-BROKEN01\nstatus: [\n").unwrap();
    t.run_at("2026-11-26T10:00:00Z", &["sweep"])
        .code(5)
        .stdout(format!("{id}\n"))
        .stderr(predicates::str::contains("RC-BROKEN01.yaml:"));
    assert_eq!(t.status(&id), "closed");
    assert_eq!(
        std::fs::read(&bad).unwrap(),
        b"id: RC-BROKEN01\nstatus: [\n",
        "never rewritten"
    );
}
