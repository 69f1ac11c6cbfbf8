//! `tickets stats --by week|month`: the numbers per period agree with a count
//! made from `list --all --format json`, and the table fits 80 columns.

use crate::support::*;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::Value;

const LATER: &str = "2026-12-20T12:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("instant").with_timezone(&Utc)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Six weeks of cases: some answered (a few late), some closed weeks later,
/// some left waiting until the sweep auto-closes them, some never answered.
fn desk() -> TestStore {
    let t = TestStore::new();
    let start = at("2026-10-26T08:00:00Z");
    let mut waiting = Vec::new();
    for n in 0..24i64 {
        let opened = start + Duration::hours(n * 41);
        let customer = ["Acme Corp", "Globex", "Initech"][(n % 3) as usize];
        let id = t.open_at(
            &stamp(opened),
            &["--customer", customer, "--summary", &format!("case {n}")],
        );
        let answer = opened + Duration::minutes(20 + (n * 37) % 400);
        match n % 4 {
            0 => {
                t.run_at(&stamp(answer), &["investigate", &id]).success();
                let close = answer + Duration::days(n % 9);
                t.run_at(&stamp(close), &["close", &id, "--resolution", "fixed"])
                    .success();
            }
            1 => {
                t.run_at(&stamp(answer), &["request-info", &id, "--message", "which version?"])
                    .success();
                waiting.push(id);
            }
            2 => {
                t.run_at(&stamp(answer), &["investigate", &id]).success();
            }
            _ => {}
        }
    }
    assert!(!waiting.is_empty());
    t.run_at("2026-12-01T09:00:00Z", &["sweep"]).success();
    t
}

/// One week's numbers counted from the case list.
#[derive(Debug, Default, PartialEq)]
struct Week {
    opened: u64,
    closed: u64,
    auto_closed: u64,
    first_responses: u64,
    median: Option<i64>,
    missed: u64,
    backlog: u64,
}

fn monday(t: DateTime<Utc>) -> DateTime<Utc> {
    let date = t.date_naive() - Duration::days(i64::from(t.weekday().num_days_from_monday()));
    date.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

fn count_week(cases: &[Value], start: DateTime<Utc>) -> Week {
    let end = start + Duration::days(7);
    let time = |c: &Value, key: &str| c[key].as_str().map(at);
    let closed_at = |c: &Value| (c["status"] == "closed").then(|| time(c, "updated_at").expect("updated_at"));
    let mut week = Week::default();
    let mut replies = Vec::new();
    for c in cases {
        let created = time(c, "created_at").expect("created_at");
        let closed = closed_at(c);
        if created >= start && created < end {
            week.opened += 1;
            let due = time(c, "first_response_due").expect("due");
            match time(c, "first_response_at") {
                Some(reply) => {
                    replies.push((reply - created).num_seconds());
                    week.missed += u64::from(reply > due);
                }
                None => week.missed += u64::from(c["overdue"] == true),
            }
        }
        if closed.is_some_and(|at| at >= start && at < end) {
            week.closed += 1;
            let auto = c["resolution"].as_str().is_some_and(|r| r.starts_with("Auto-closed:"));
            week.auto_closed += u64::from(auto);
        }
        if created < end && closed.is_none_or(|at| at >= end) {
            week.backlog += 1;
        }
    }
    replies.sort_unstable();
    week.first_responses = replies.len() as u64;
    let n = replies.len();
    week.median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(replies[n / 2]),
        _ => Some((replies[n / 2 - 1] + replies[n / 2]).div_euclid(2)),
    };
    week
}

#[test]
fn weekly_numbers_agree_with_the_case_list() {
    let t = desk();
    let list: Value =
        serde_json::from_str(&t.stdout_at(LATER, &["list", "--all", "--format", "json"])).expect("list json");
    let cases = list.as_array().expect("an array").clone();
    assert_eq!(cases.len(), 24);
    let trend: Value =
        serde_json::from_str(&t.stdout_at(LATER, &["stats", "--by", "week", "--format", "json"])).expect("stats json");
    assert_eq!(trend["by"], "week");
    let periods = trend["periods"].as_array().expect("periods");
    // From the first case's week to the week holding *now*, none skipped.
    assert_eq!(periods.first().expect("a period")["start"], "2026-10-26T00:00:00Z");
    assert_eq!(periods.last().expect("a period")["start"], stamp(monday(at(LATER))));
    let mut auto_closed = 0;
    for p in periods {
        let start = at(p["start"].as_str().expect("start"));
        let expected = count_week(&cases, start);
        let got = Week {
            opened: p["opened"].as_u64().expect("opened"),
            closed: p["closed"].as_u64().expect("closed"),
            auto_closed: p["auto_closed"].as_u64().expect("auto_closed"),
            first_responses: p["first_responses"].as_u64().expect("first_responses"),
            median: p["first_response_median_seconds"].as_i64(),
            missed: p["first_response_missed"].as_u64().expect("missed"),
            backlog: p["backlog"].as_u64().expect("backlog"),
        };
        assert_eq!(got, expected, "week {}", p["period"]);
        assert_eq!(p["end"], stamp(start + Duration::days(7)));
        auto_closed += got.auto_closed;
    }
    assert!(auto_closed > 0, "the sweep's closings are counted");
    let total: u64 = periods.iter().map(|p| p["opened"].as_u64().expect("opened")).sum();
    assert_eq!(total, 24);
    // YAML carries the same numbers.
    let yaml: Value =
        serde_yaml::from_str(&t.stdout_at(LATER, &["stats", "--by", "week", "--format", "yaml"])).expect("stats yaml");
    assert_eq!(yaml, trend);
}

#[test]
fn the_table_draws_a_line_per_period_within_80_columns() {
    let t = desk();
    let text = t.stdout_at(LATER, &["stats", "--by", "week"]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("WEEK"), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("2026-W44")), "{text}");
    assert!(text.contains('█'), "the backlog has a bar: {text}");
    for line in &lines {
        assert!(line.chars().count() <= 80, "{line:?} is wider than 80 columns");
    }
    let months = t.stdout_at(LATER, &["stats", "--by", "month", "--since", "2026-11-01T00:00:00Z"]);
    let names: Vec<&str> = months
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["2026-11", "2026-12"], "{months}");
}

#[test]
fn by_takes_week_or_month_only() {
    let t = TestStore::new();
    t.run_at(LATER, &["stats", "--by", "day"]).failure().code(2);
}
