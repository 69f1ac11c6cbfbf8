//! An analyst's day (issue 16), beyond the list of `analyst_day`:
//! follow-ups that keep their customer, `show`'s history with long actors,
//! the identity warnings, ambiguous prefixes, help, a missing store, the
//! streamed list and the pager on a terminal.

use crate::support::write_script;
use crate::support::{ids, TestStore, NOW};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

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
    write_script(&pager, &format!("touch '{}'\ncat\n", marker.display()));
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
