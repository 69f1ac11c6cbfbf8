//! An analyst's day at 80 columns (issue 16): `list` one line a case in
//! triage order at any width from 60, its filters and pager, `show`'s
//! auto-close date and follow-ups, follow-ups that keep their customer, and
//! the identity warnings.

use crate::support::{ids, TestStore, NOW};
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
        row(&d.waiting).contains(" waiting ") && row(&d.waiting).contains("closes 6d"),
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
    t.run(&["open", "--customer", "Nobody Inc", "--summary", "x"]).success();
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
    std::fs::write(&script, format!("#!/bin/sh\ntouch '{}'\ncat\n", marker.display())).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
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

#[test]
fn a_follow_up_takes_the_customer_contact_and_channel_and_both_cases_name_each_other() {
    let t = TestStore::new();
    let first = t.open(&[
        "--customer",
        "Globex",
        "--channel",
        "email",
        "--email",
        "ana@globex.example",
        "--summary",
        "SSO login loop",
    ]);
    t.run(&["close", &first, "-r", "Fixed in 7.2.2\n\nUpgrade the server."])
        .success();
    let follow_up = t.open(&["--follow-up-of", &first[..6], "--summary", "Login loop is back"]);
    let case = t.show(&follow_up);
    assert_eq!(case["customer"], "Globex");
    assert_eq!(case["email"], "ana@globex.example");
    assert_eq!(case["channel"], "email");
    assert_eq!(case["follow_up_of"], first.as_str());
    // Given options win.
    let by_phone = t.open(&["--follow-up-of", &first, "--summary", "Again", "--channel", "phone"]);
    assert_eq!(t.show(&by_phone)["channel"], "phone");
    // Another customer's case is refused, and nothing is opened.
    let before = t.list(&["--all"]).len();
    t.run(&[
        "open",
        "--follow-up-of",
        &first,
        "--customer",
        "Acme Corp",
        "--summary",
        "x",
    ])
    .code(2)
    .stderr(contains(format!("{first} is a case of Globex, not of Acme Corp")));
    assert_eq!(t.list(&["--all"]).len(), before);
    // The closed case lists its follow-ups; the follow-up names what it follows.
    let mut expected = vec![follow_up.clone(), by_phone.clone()];
    expected.sort();
    assert_eq!(t.show(&first)["follow_ups"], serde_json::json!(expected));
    let text = t.stdout(&["show", &first]);
    assert!(
        text.contains(&format!("follow_ups:         {}", expected.join(", "))),
        "{text}"
    );
    assert!(
        text.contains("resolution:         Fixed in 7.2.2\n\n                    Upgrade the server.\n"),
        "a resolution of several lines prints as lines: {text}"
    );
    assert!(t
        .stdout(&["show", &follow_up])
        .contains(&format!("follow_up_of:       {first}")));
}

#[test]
fn show_keeps_the_history_aligned_with_a_long_actor_and_routing_is_not_an_assign_note() {
    let t = TestStore::new();
    let id = t.open(&[
        "--customer",
        "Globex",
        "--email",
        "ana.lima@globex.example",
        "--summary",
        "Push fails on iOS",
    ]);
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    t.run(&["--as", "ana.lima@globex.example", "reply", &id, "-m", "7.2"])
        .success();
    t.run(&["assign", &id, "bruno", "--note", "bruno knows this customer"])
        .success();
    let out = t.stdout(&["show", &id]);
    let routing = out.lines().find(|l| l.starts_with("routing:")).unwrap();
    assert!(routing.contains("routed to alice"), "{routing}");
    assert!(out.contains("assigned:           by hand by tester at"), "{out}");
    assert!(out.contains("bruno knows this customer"), "{out}");
    let columns: Vec<usize> = out
        .lines()
        .filter(|l| l.starts_with("  2026-"))
        .map(|l| l.find(" -> ").unwrap() - l[..l.find(" -> ").unwrap()].rfind(' ').unwrap())
        .collect();
    let actions: Vec<usize> = out
        .lines()
        .filter(|l| l.starts_with("  2026-"))
        .map(|l| {
            ["open ", "request-info", "reply ", "assign "]
                .iter()
                .filter_map(|a| l.find(a))
                .min()
                .unwrap()
        })
        .collect();
    assert!(actions.windows(2).all(|w| w[0] == w[1]), "actions aligned: {out}");
    assert!(!columns.is_empty());
}

#[test]
fn an_actor_not_on_the_roster_warns_for_analyst_commands_only() {
    let t = TestStore::new();
    let id = t.open(&["--customer", "Globex", "--summary", "x"]);
    t.run(&["--as", "alcie", "investigate", &id])
        .success()
        .stderr(contains("alcie").and(contains("is not in the roster")));
    t.run(&["--as", "alice", "note", &id, "-m", "fine"])
        .success()
        .stderr("");
    // Readers, the cron jobs and the mail pipe are not analysts at work.
    t.run(&["--as", "alcie", "list"]).success().stderr("");
    t.run(&["--as", "alcie", "show", &id]).success().stderr("");
    t.cmd()
        .env_remove("TICKETS_ACTOR")
        .args(["sweep"])
        .assert()
        .success()
        .stderr("");
    t.cmd()
        .env_remove("TICKETS_ACTOR")
        .args(["remind"])
        .assert()
        .success()
        .stderr(contains("roster").not().and(contains("unknown").not()));
    // No name at all: a warning, not a silent `unknown`.
    t.cmd()
        .env_remove("TICKETS_ACTOR")
        .env_remove("USER")
        .args(["note", &id, "-m", "who?"])
        .assert()
        .success()
        .stderr(contains("history is signed \"unknown\""));
    let history = t.show(&id)["history"].as_array().unwrap().clone();
    assert_eq!(history.last().unwrap()["actor"], "unknown");
}

#[test]
fn an_ambiguous_prefix_says_how_many_more_it_matches() {
    let t = TestStore::new();
    for _ in 0..7 {
        t.open(&["--customer", "Globex", "--summary", "x"]);
    }
    t.run(&["show", "RC-"]).code(3).stderr(contains("and 2 more"));
}

#[test]
fn help_names_the_required_options_and_no_empty_environment_values() {
    let t = TestStore::new();
    let help = t.stdout(&["open", "--help"]);
    assert!(
        help.contains("Usage: tickets open --customer <NAME> --summary <SUMMARY> [OPTIONS]"),
        "{help}"
    );
    assert!(
        help.contains("tickets open --follow-up-of <ID> --summary <SUMMARY>"),
        "{help}"
    );
    let help = t.cmd().env_remove("TICKETS_DIR").args(["--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(!help.contains("=]"), "{help}");
    assert!(help.contains("[env: TICKETS_DIR]"), "{help}");
}

#[test]
fn not_a_store_quotes_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("tickets");
    std::fs::create_dir(&store).unwrap();
    let t = TestStore::new();
    t.cmd()
        .env("TICKETS_DIR", &store)
        .args(["list"])
        .assert()
        .code(2)
        .stderr(contains(format!("\"{}\" is not a tickets store", store.display())));
}

/// At thousands of cases (past the index's chunk, so that its rewrite path
/// runs) the streamed list equals what holding every case gives: the same
/// cases in the same order, fresh clone or warm index.
#[test]
fn streamed_list_equals_the_buffered_order_on_a_generated_store() {
    use tickets::core::lifecycle::{apply, open, Action, NewCase};
    use tickets::core::vocabulary::Channel;
    let t = TestStore::new();
    let store = tickets::store::Store::new(t.path());
    let start = tickets::core::time::parse_instant("2026-10-01T00:00:00Z").unwrap();
    let customers = ["Acme Corp", "Globex", "Initech"];
    let count = 5000;
    for i in 0..count {
        let at = start + chrono::Duration::minutes((i * 7919 % 50000) as i64);
        let mut case = open(
            NewCase {
                id: format!("RC-{:08}", (i * 104729) % 100_000_000),
                customer: customers[i % 3].into(),
                summary: format!("case {i} — ação 日本"),
                description: String::new(),
                email: None,
                channel: Channel::Email,
                severity: None,
                follow_up_of: None,
                message_id: None,
                assignee: Some("alice".into()),
                routing_reason: None,
            },
            "gen",
            at,
        );
        let later = at + chrono::Duration::minutes(5);
        match i % 4 {
            1 => case = apply(&case, &Action::RequestInfo { message: "?".into() }, "gen", later).unwrap(),
            2 => {
                case = apply(
                    &case,
                    &Action::Close {
                        resolution: "done".into(),
                    },
                    "gen",
                    later,
                )
                .unwrap()
            }
            _ => {}
        }
        store.save_unsynced(&case).unwrap();
    }
    let json = |args: &[&str]| -> Vec<serde_json::Value> { serde_json::from_str(&t.stdout(args)).unwrap() };
    let fresh = json(&["list", "--all", "--format", "json"]);
    assert!(
        t.path().join(".tickets/index").exists(),
        "the first run wrote the index"
    );
    let warm = json(&["list", "--all", "--format", "json"]);
    assert_eq!(fresh.len(), count);
    assert_eq!(fresh, warm, "fresh clone and warm index agree");
    let mut expected = fresh.clone();
    expected.sort_by(|a, b| {
        (a["created_at"].as_str(), a["id"].as_str()).cmp(&(b["created_at"].as_str(), b["id"].as_str()))
    });
    assert_eq!(ids(&fresh), ids(&expected), "oldest first, then by ID");
    let yaml: Vec<serde_json::Value> = serde_yaml::from_str(&t.stdout(&["list", "--all", "--format", "yaml"])).unwrap();
    assert_eq!(yaml, warm, "YAML says what JSON says");
    let table = t.stdout(&["list", "--all"]);
    assert_eq!(table.lines().count(), count + 1);
    let waiting = json(&[
        "list",
        "--status",
        "waiting-for-customer",
        "--format",
        "json",
        "--sort",
        "triage",
    ]);
    assert_eq!(waiting.len(), count / 4);
    let closes: Vec<&str> = waiting.iter().map(|c| c["waiting_since"].as_str().unwrap()).collect();
    assert!(closes.windows(2).all(|w| w[0] <= w[1]), "the nearest auto-close first");
    // Holding every digest or none (reading each kept case again, from the
    // index or its file) lists the same cases in the same order.
    let session = tickets::operations::Session {
        store: tickets::store::Store::new(t.path()),
        actor: "tester".into(),
        now: tickets::core::time::parse_instant(NOW).unwrap(),
        lock_wait: std::time::Duration::from_secs(1),
    };
    let all = tickets::operations::ListFilter {
        all: true,
        ..Default::default()
    };
    for order in [
        tickets::operations::ListOrder::Triage,
        tickets::operations::ListOrder::Created,
        tickets::operations::ListOrder::Id,
    ] {
        let rows = |hold: usize| -> Vec<tickets::core::digest::Digest> {
            let listing = tickets::operations::list_holding(&session, &all, order, hold, &mut |_, _| {}).unwrap();
            assert!(listing.errors.is_empty());
            listing.rows().map(|r| r.unwrap().0).collect()
        };
        let streamed = rows(0);
        assert_eq!(streamed.len(), count);
        assert_eq!(streamed, rows(usize::MAX), "{order:?}");
    }
    // And on a fresh clone, where every digest comes from its file.
    std::fs::remove_dir_all(t.path().join(".tickets")).unwrap();
    let listing = tickets::operations::list_holding(
        &session,
        &all,
        tickets::operations::ListOrder::Created,
        0,
        &mut |_, _| {},
    )
    .unwrap();
    let fresh_rows: Vec<String> = listing.rows().map(|r| r.unwrap().0.id).collect();
    assert_eq!(fresh_rows, ids(&fresh));
}

/// On a terminal (util-linux `script` gives one) the pager runs; one that
/// cannot be started loses nothing; `--no-pager` prints directly.
#[test]
fn on_a_terminal_the_pager_runs_and_a_missing_one_loses_no_output() {
    let Some(script_tool) = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())
    else {
        eprintln!("skipped: no util-linux `script` to give the command a terminal");
        return;
    };
    let t = TestStore::new();
    let id = t.open(&["--customer", "Globex", "--summary", "Paged summary"]);
    let marker = t.path().join("pager-ran");
    let pager = t.path().join("pager.sh");
    std::fs::write(&pager, format!("#!/bin/sh\ntouch '{}'\ncat\n", marker.display())).unwrap();
    std::fs::set_permissions(&pager, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let exe = assert_cmd::cargo::cargo_bin!("tickets");
    let on_terminal = |pager_value: &str, extra: &str| {
        let out = std::process::Command::new(script_tool)
            .args(["-qec", &format!("'{}' list {extra}", exe.display()), "/dev/null"])
            .env("TICKETS_DIR", t.path())
            .env("TICKETS_NOW", NOW)
            .env("TICKETS_ACTOR", "tester")
            .env("PAGER", pager_value)
            .env_remove("TICKETS_PAGER")
            .env("COLUMNS", "80")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let paged = on_terminal(&pager.display().to_string(), "");
    assert!(marker.exists(), "the pager ran on a terminal");
    assert!(paged.contains(&id) && paged.contains("Paged summary"), "{paged}");
    std::fs::remove_file(&marker).unwrap();
    let direct = on_terminal(&pager.display().to_string(), "--no-pager");
    assert!(!marker.exists(), "--no-pager");
    assert!(direct.contains(&id), "{direct}");
    let missing = on_terminal("/nonexistent/pager", "");
    assert!(
        missing.contains(&id),
        "a pager that cannot start loses nothing: {missing}"
    );
    assert!(missing.contains("cannot run the pager"), "{missing}");
}
