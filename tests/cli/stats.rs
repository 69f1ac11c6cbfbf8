//! `tickets stats`: a small story of cases with hand-computed numbers.
//!
//! In the window 2026-11-16 .. 2026-11-19 (UTC):
//! - A  Acme (mission-critical), medium, opened 11-16 10:00, investigated 11:00
//!   (first response 1 h, target 2 h), closed 15:00 (5 h).
//! - B  Globex (plus), medium, opened 11-16 12:00, request-info 18:00 (6 h, over
//!   the 4 h target), auto-closed by the sweep 11-24 18:00 (8 d 6 h = 712800 s).
//! - C  Acme, phone so high, opened 11-17 09:00, never answered (30 min target): overdue.
//! - D  Initech (standard), low, opened 11-18 10:00, escalated to L2 12:00 (2 h).
//!
//! Outside it: E (Acme, 11-10, closed after 1 h) and F (Globex, 11-19 10:00, open).

use crate::support::*;
use serde_json::json;

const LATER: &str = "2026-11-25T00:00:00Z";

fn story() -> TestStore {
    let t = TestStore::new();
    let a = t.open_at("2026-11-16T10:00:00Z", &["--customer", "Acme Corp", "--summary", "A"]);
    t.run_at("2026-11-16T11:00:00Z", &["investigate", &a]).success();
    t.run_at("2026-11-16T15:00:00Z", &["close", &a, "--resolution", "fixed"])
        .success();
    let b = t.open_at("2026-11-16T12:00:00Z", &["--customer", "Globex", "--summary", "B"]);
    t.run_at(
        "2026-11-16T18:00:00Z",
        &["request-info", &b, "--message", "which version?"],
    )
    .success();
    t.open_at(
        "2026-11-17T09:00:00Z",
        &["--customer", "Acme Corp", "--summary", "C", "--channel", "phone"],
    );
    let d = t.open_at(
        "2026-11-18T10:00:00Z",
        &["--customer", "Initech", "--summary", "D", "--severity", "low"],
    );
    t.run_at("2026-11-18T12:00:00Z", &["escalate", &d]).success();
    let e = t.open_at("2026-11-10T00:00:00Z", &["--customer", "Acme Corp", "--summary", "E"]);
    t.run_at("2026-11-10T01:00:00Z", &["close", &e, "--resolution", "fixed"])
        .success();
    t.open_at("2026-11-19T10:00:00Z", &["--customer", "Globex", "--summary", "F"]);
    let swept = t.stdout_at("2026-11-24T18:00:00Z", &["sweep"]);
    assert_eq!(swept.trim(), b, "only B was waiting");
    t
}

fn stats(t: &TestStore, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["stats", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&t.stdout_at(LATER, &all)).expect("stats json")
}

#[test]
fn window_numbers_match_the_hand_computed_story() {
    let t = story();
    let s = stats(
        &t,
        &["--since", "2026-11-16T00:00:00Z", "--until", "2026-11-19T00:00:00Z"],
    );
    assert_eq!(s["since"], "2026-11-16T00:00:00Z");
    assert_eq!(s["until"], "2026-11-19T00:00:00Z");
    assert_eq!(s["cases"], 4);
    assert_eq!(
        s["by_status"],
        json!({"open": 1, "at-investigation": 1, "waiting-for-customer": 0, "escalated": 0, "closed": 2})
    );
    assert_eq!(s["by_level"], json!({"l1": 3, "l2": 1, "rnd": 0}));
    assert_eq!(s["by_severity"], json!({"low": 1, "medium": 2, "high": 1}));
    // First responses 3600, 7200, 21600: median 7200, p90 rank ceil(2.7) = 3.
    assert_eq!(
        s["time_to_first_response"],
        json!({"count": 3, "median_seconds": 7200, "p90_seconds": 21600})
    );
    // Closings 18000 and 712800: median (18000 + 712800) / 2, p90 rank ceil(1.8) = 2.
    assert_eq!(
        s["time_to_close"],
        json!({"count": 2, "median_seconds": 365400, "p90_seconds": 712800})
    );
    assert_eq!(s["closed"], 2);
    assert_eq!(s["auto_closed"], 1);
    assert_eq!(s["auto_closed_share"], 0.5);
    assert_eq!(s["first_response_overdue"], 1, "C");
    assert_eq!(s["first_response_late"], 1, "B");
}

#[test]
fn without_a_window_every_case_counts() {
    let t = story();
    let s = stats(&t, &[]);
    assert_eq!(s["cases"], 6);
    assert!(s["since"].is_null() && s["until"].is_null());
    assert_eq!(s["closed"], 3);
    assert_eq!(s["auto_closed"], 1);
    // F (plus, medium, 4 h) has waited since 11-19 10:00 with no answer.
    assert_eq!(s["first_response_overdue"], 2);
    // Closings 3600, 18000, 712800.
    assert_eq!(
        s["time_to_close"],
        json!({"count": 3, "median_seconds": 18000, "p90_seconds": 712800})
    );
}

#[test]
fn table_shows_the_same_numbers_for_people() {
    let t = story();
    let out = t.stdout_at(
        LATER,
        &[
            "stats",
            "--since",
            "2026-11-16T00:00:00Z",
            "--until",
            "2026-11-19T00:00:00Z",
        ],
    );
    assert!(
        out.contains("cases opened from 2026-11-16T00:00:00Z until 2026-11-19T00:00:00Z: 4"),
        "{out}"
    );
    assert!(
        out.contains("by status:    open 1, at-investigation 1, waiting-for-customer 0, escalated 0, closed 2"),
        "{out}"
    );
    let first_response = out
        .lines()
        .find(|l| l.trim_start().starts_with("first response "))
        .expect(&out);
    assert_eq!(
        first_response.split_whitespace().collect::<Vec<_>>(),
        ["first", "response", "3", "2h", "0m", "6h", "0m"]
    );
    let close = out.lines().find(|l| l.trim_start().starts_with("close ")).expect(&out);
    assert_eq!(
        close.split_whitespace().collect::<Vec<_>>(),
        ["close", "2", "4d", "5h", "8d", "6h"]
    );
    assert!(out.contains("auto-closed: 1 of 2 closed (50%)"), "{out}");
    assert!(out.contains("overdue first responses (no response yet): 1"), "{out}");
    assert!(out.contains("late first responses (after the target): 1"), "{out}");
}

#[test]
fn empty_window_has_no_durations_and_bad_bounds_are_usage_errors() {
    let t = TestStore::new();
    let s = stats(&t, &[]);
    assert_eq!(s["cases"], 0);
    assert!(s["time_to_close"]["median_seconds"].is_null());
    assert!(s["auto_closed_share"].is_null());
    t.run(&["stats", "--since", "yesterday"]).code(2);
    t.run(&[
        "stats",
        "--since",
        "2026-11-19T00:00:00Z",
        "--until",
        "2026-11-18T00:00:00Z",
    ])
    .code(2);
}
