//! An analyst's day at 80 columns (issue 16): `list` one line a case in
//! triage order at any width from 60, its columns, sort keys and filters,
//! `show`'s routing and auto-close date, and no pager in a pipe.

use crate::support::write_script;
use crate::support::{ids, TestStore};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use unicode_width::UnicodeWidthStr;

const WIDTHS: [usize; 3] = [60, 80, 132];

/// A day's queue: one case in each situation the list must tell apart.
/// Returns the IDs by name.
struct Day {
    t: TestStore,
    overdue: String,
    new: String,
    replied: String,
    waiting: String,
    escalated: String,
    working: String,
}

fn day() -> Day {
    let t = TestStore::new();
    let at = |now: &str, args: &[&str]| {
        String::from_utf8(t.run_at(now, args).success().get_output().stdout.clone())
            .unwrap()
            .trim()
            .to_string()
    };
    // Mission-critical high: due 30 min after opening, so late by 12:00.
    let overdue = at(
        "2026-11-19T09:00:00Z",
        &[
            "open",
            "--customer",
            "Acme Corp",
            "--channel",
            "phone",
            "--summary",
            "Push notifications stopped on every iOS device after the update of the app to 7.2",
        ],
    );
    let working = at(
        "2026-11-19T09:10:00Z",
        &["open", "--customer", "Initech", "--summary", "SSO login loop with Okta"],
    );
    let waiting = at(
        "2026-11-19T09:20:00Z",
        &[
            "open",
            "--customer",
            "Globex",
            "--email",
            "ana@globex.example",
            "--channel",
            "portal",
            "--summary",
            "Ação: relatório mensal 日本語のテキスト does not export to PDF when the month has 31 days",
        ],
    );
    let replied = at(
        "2026-11-19T09:30:00Z",
        &["open", "--customer", "Globex", "--summary", "Read receipts missing"],
    );
    let escalated = at(
        "2026-11-19T09:40:00Z",
        &["open", "--customer", "Initech", "--summary", "Database slow under load"],
    );
    at("2026-11-19T09:45:00Z", &["investigate", &working]);
    at(
        "2026-11-19T09:50:00Z",
        &["request-info", &waiting, "-m", "Which version?"],
    );
    at(
        "2026-11-19T09:51:00Z",
        &["request-info", &replied, "-m", "Which browser?"],
    );
    at("2026-11-19T09:55:00Z", &["reply", &replied, "-m", "Firefox"]);
    at("2026-11-19T09:56:00Z", &["escalate", &escalated]);
    at(
        "2026-11-19T09:57:00Z",
        &["--as", "carla", "escalate", &escalated, "--impact", "high"],
    );
    let new = at(
        "2026-11-19T09:58:00Z",
        &[
            "open",
            "--customer",
            "Globex",
            "--summary",
            "Video calls drop after 10 minutes",
        ],
    );
    Day {
        t,
        overdue,
        new,
        replied,
        waiting,
        escalated,
        working,
    }
}

impl Day {
    fn ids(&self) -> [&str; 6] {
        [
            &self.overdue,
            &self.new,
            &self.replied,
            &self.working,
            &self.escalated,
            &self.waiting,
        ]
    }

    /// Output with the random IDs replaced by names of the same width, so
    /// that a snapshot keeps its alignment.
    fn named(&self, text: &str) -> String {
        let names = [
            "RC-OVERDUE",
            "RC-NEWCASE",
            "RC-REPLIED",
            "RC-WORKING",
            "RC-ESCALTD",
            "RC-WAITING",
        ];
        let mut out = text.to_string();
        for (id, name) in self.ids().iter().zip(names) {
            assert_eq!(id.len(), name.len() + 1);
            out = out.replace(id, &format!("{name}_"));
        }
        out
    }

    fn at_width(&self, width: usize, args: &[&str]) -> String {
        let out = self
            .t
            .cmd()
            .env("TICKETS_NOW", "2026-11-19T12:00:00Z")
            .env("COLUMNS", width.to_string())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn widest(text: &str) -> usize {
    text.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

#[test]
fn list_is_one_line_a_case_within_the_width_in_triage_order() {
    let d = day();
    for width in WIDTHS {
        let out = d.at_width(width, &["list"]);
        assert!(widest(&out) <= width, "{width}: a line is wider:\n{out}");
        assert_eq!(
            out.lines().count(),
            7,
            "a header and one line a case at {width}:\n{out}"
        );
        assert!(out.contains('…'), "the long summaries are cut at {width}:\n{out}");
        insta::assert_snapshot!(format!("list_at_{width}"), d.named(&out));
    }
    // Triage: overdue, then the nearest first-response target, then the
    // longest-waiting on support, then R&D, then waiting on the customer.
    let out = d.at_width(80, &["list"]);
    let order: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        order,
        [&d.overdue, &d.new, &d.working, &d.replied, &d.escalated, &d.waiting]
    );
}

#[test]
fn list_columns_tell_whose_turn_and_what_is_due() {
    let d = day();
    let out = d.at_width(132, &["list"]);
    let row = |id: &str| out.lines().find(|l| l.starts_with(id)).unwrap().to_string();
    assert!(
        row(&d.overdue).contains(" new ") && row(&d.overdue).contains("LATE 2h"),
        "{out}"
    );
    assert!(row(&d.new).contains(" new ") && row(&d.new).contains("in 1h"), "{out}");
    assert!(
        row(&d.replied).contains(" replied "),
        "the customer's answer stands out: {out}"
    );
    assert!(
        row(&d.waiting).contains(" waiting ") && row(&d.waiting).contains("closes 7d"),
        "{out}"
    );
    assert!(row(&d.working).contains(" invest "), "{out}");
    assert!(
        !out.contains("responded"),
        "no FIRST RESPONSE column saying `responded`: {out}"
    );
    let wide = d.at_width(80, &["list", "--wide"]);
    assert!(wide.lines().next().unwrap().contains("FIRST RESPONSE"), "{wide}");
    assert!(
        wide.contains("waiting-for-customer") && wide.contains("support (replied)"),
        "{wide}"
    );
    assert!(!wide.contains('…'), "--wide cuts nothing: {wide}");
}

#[test]
fn list_in_a_pipe_without_columns_keeps_every_line_whole() {
    let d = day();
    let out = d.t.stdout_at("2026-11-19T12:00:00Z", &["list"]);
    assert!(!out.contains('…'), "{out}");
    assert!(
        out.contains("does not export to PDF when the month has 31 days"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 7);
}

#[test]
fn show_fits_its_routing_to_the_width_and_tells_when_a_waiting_case_closes() {
    let d = day();
    for width in WIDTHS {
        let out = d.at_width(width, &["show", &d.waiting]);
        for line in out
            .lines()
            .filter(|l| l.starts_with("routing:") || l.starts_with("                    "))
        {
            assert!(line.width() <= width.max(60), "{width}: {line}");
        }
        insta::assert_snapshot!(format!("show_waiting_at_{width}"), d.named(&out));
    }
    let out = d.t.stdout_at("2026-11-19T12:00:00Z", &["show", &d.waiting]);
    assert!(
        out.contains("auto_closes_at:     2026-11-26T09:50:00Z (in 6d 21h, unless the customer answers)"),
        "{out}"
    );
}

#[test]
fn queue_stats_and_check_stay_within_the_width() {
    let d = day();
    for width in WIDTHS {
        // One case a line, the summary cut with `…`, never a word (an ID, a
        // date, an address) broken over two lines.
        let out = d.at_width(width, &["queue"]);
        assert!(widest(&out) <= width, "queue at {width}:\n{out}");
        let rows = out.lines().filter(|l| l.contains("RC-")).count();
        assert_eq!(out.lines().count(), rows + 1, "queue at {width}:\n{out}");
        // `stats` and `check` fit their tables; their summary lines are
        // fixed sentences, which the width does not promise to fit.
        for args in [&["stats"][..], &["check"]] {
            let out = d.at_width(width, args);
            let table: Vec<&str> = out
                .lines()
                .filter(|l| l.starts_with(' ') && !l.starts_with("  "))
                .collect();
            assert!(widest(&table.join("\n")) <= width, "{args:?} at {width}:\n{out}");
        }
    }
}

#[test]
fn sort_keys_order_the_list_and_scripts_keep_the_creation_order() {
    let d = day();
    let t = &d.t;
    let json = |args: &[&str]| {
        ids(&serde_json::from_str::<Vec<serde_json::Value>>(&t.stdout_at("2026-11-19T12:00:00Z", args)).unwrap())
    };
    let created: Vec<String> = [&d.overdue, &d.working, &d.waiting, &d.replied, &d.escalated, &d.new]
        .map(|s| s.to_string())
        .to_vec();
    assert_eq!(
        json(&["list", "--format", "json"]),
        created,
        "json keeps the creation order"
    );
    let mut by_id: Vec<String> = created.iter().map(|s| s.to_string()).collect();
    by_id.sort();
    assert_eq!(json(&["list", "--format", "json", "--sort", "id"]), by_id);
    assert_eq!(
        json(&["list", "--format", "json", "--sort", "triage"]),
        [&d.overdue, &d.new, &d.working, &d.replied, &d.escalated, &d.waiting].map(|s| s.to_string())
    );
    let severity = json(&["list", "--format", "json", "--sort", "severity"]);
    assert_eq!(severity[0], d.overdue, "the only high one first");
    // Least recently updated first: the overdue case has not moved since 09:00.
    let updated = json(&["list", "--format", "json", "--sort", "updated"]);
    assert_eq!(updated.first(), Some(&d.overdue));
    assert_eq!(updated.last(), Some(&d.new));
    t.run(&["list", "--sort", "random"]).code(2);
}

#[test]
fn filters_by_customer_assignee_mine_unassigned_and_text() {
    let d = day();
    let t = &d.t;
    let list = |args: &[&str]| {
        let mut all = vec!["list", "--format", "json", "--sort", "id"];
        all.extend_from_slice(args);
        let mut found = ids(&serde_json::from_str::<Vec<serde_json::Value>>(&t.stdout(&all)).unwrap());
        found.sort();
        found
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<String>>()
    };
    assert_eq!(
        list(&["--customer", "globex"]),
        sorted(vec![&d.waiting, &d.replied, &d.new]),
        "case-insensitive, as config.yaml matches names"
    );
    let alice: Vec<String> = t
        .list(&["--assignee", "alice"])
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!alice.is_empty());
    let mine = t
        .cmd()
        .env("TICKETS_ACTOR", "alice")
        .args(["list", "--mine", "--format", "json"])
        .output()
        .unwrap();
    let mine: Vec<serde_json::Value> = serde_json::from_slice(&mine.stdout).unwrap();
    assert_eq!(ids(&mine), alice, "--mine is --assignee of the acting analyst");
    assert!(list(&["--unassigned"]).is_empty());
    t.run(&["open", "--customer", "Nobody Inc", "--new-customer", "--summary", "x"])
        .success();
    assert_eq!(list(&["--unassigned"]).len(), 0, "routing assigned it");
    // Text search: the summary, and the description that is not in the index.
    let described = t.open(&[
        "--customer",
        "Initech",
        "--summary",
        "Export fails",
        "--description",
        "The PDF exporter throws ERR_QUOTA_42 at night",
    ]);
    assert_eq!(list(&["--grep", "err_quota_42"]), vec![described]);
    assert_eq!(list(&["--grep", "READ RECEIPTS"]), vec![d.replied.clone()]);
    t.run(&["list", "--grep", ""]).code(2);
    // Unknown names warn, as `assign` refuses them, and list nothing.
    t.run(&["list", "--assignee", "zed"])
        .success()
        .stderr(contains("zed is not in the roster").and(contains("alice, bruno, carla, dora, ravi")));
    t.run(&["list", "--customer", "Acme Crop"])
        .success()
        .stderr(contains("customer \"Acme Crop\" is not in config.yaml").and(contains("Acme Corp, Globex, Initech")));
    t.run(&["list", "--customer", "Acme Corp"]).success().stderr("");
}

#[test]
fn the_pager_never_runs_in_a_pipe() {
    let d = day();
    let marker = d.t.path().join("pager-ran");
    let script = d.t.path().join("pager.sh");
    write_script(&script, &format!("touch '{}'\ncat\n", marker.display()));
    for pager in ["PAGER", "TICKETS_PAGER"] {
        for args in [&["list"][..], &["show", &d.new]] {
            let out = d.t.cmd().env(pager, &script).args(args).output().unwrap();
            assert!(out.status.success());
            assert!(!out.stdout.is_empty(), "the output still comes, on stdout");
            assert!(!marker.exists(), "{pager} ran for {args:?} in a pipe");
        }
    }
    d.t.run(&["list", "--no-pager"]).success();
    d.t.run(&["show", &d.new, "--no-pager"]).success();
}
