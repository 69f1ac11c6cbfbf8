//! Severity defaults, first-response targets by plan, `list --overdue`,
//! `reassess`. NOW is Thursday 2026-11-19 10:00 UTC (07:00 in Sao Paulo).

use crate::support::*;
use predicates::prelude::*;
use predicates::str::contains;

fn open_for(t: &TestStore, customer: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--customer",
        customer,
        "--summary",
        "Login fails",
        "--description",
        "since the update",
    ];
    args.extend_from_slice(extra);
    t.open(&args)
}

fn overdue_at(t: &TestStore, now: &str) -> Vec<String> {
    let out = t.stdout_at(now, &["list", "--overdue", "--format", "json"]);
    let cases: Vec<serde_json::Value> = serde_json::from_str(&out).expect("list json");
    ids(&cases)
}

#[test]
fn severity_defaults_by_channel() {
    let t = TestStore::new();
    let email = open_for(&t, "Globex", &["--channel", "email"]);
    let phone = open_for(&t, "Globex", &["--channel", "phone"]);
    let portal = open_for(&t, "Globex", &["--channel", "portal"]);
    let default_channel = open_for(&t, "Globex", &[]);
    let portal_low = open_for(&t, "Globex", &["--channel", "portal", "--severity", "low"]);
    let email_high = open_for(&t, "Globex", &["--channel", "email", "--severity", "high"]);
    let phone_low = open_for(&t, "Globex", &["--channel", "phone", "--severity", "low"]);
    for (id, channel, severity) in [
        (&email, "email", "medium"),
        (&phone, "phone", "high"),
        (&portal, "portal", "medium"),
        (&default_channel, "phone", "medium"),
        (&portal_low, "portal", "low"),
        (&email_high, "email", "high"),
        (&phone_low, "phone", "low"),
    ] {
        let case = t.show(id);
        assert_eq!(case["channel"], channel, "{id}");
        assert_eq!(case["severity"], severity, "{id} opened by {channel}");
        assert_eq!(
            case["history"][0]["severity"], severity,
            "the open event records the severity"
        );
    }
}

#[test]
fn show_json_gives_first_response_due_and_at() {
    let t = TestStore::new();
    let id = open_for(&t, "Globex", &["--channel", "email"]);
    let case = t.show(&id);
    assert_eq!(case["plan"], "plus");
    assert_eq!(case["first_response_due"], "2026-11-19T14:00:00Z", "plus, medium: 4 h");
    assert!(case["first_response_at"].is_null());
    assert_eq!(case["overdue"], false);
    t.run_at("2026-11-19T11:15:00Z", &["investigate", &id]).success();
    let case = t.show(&id);
    assert_eq!(case["first_response_at"], "2026-11-19T11:15:00Z");
    assert_eq!(
        case["first_response_due"], "2026-11-19T14:00:00Z",
        "the target does not move"
    );
    let text = t.stdout(&["show", &id]);
    assert!(
        text.contains("first_response_due: 2026-11-19T14:00:00Z (responded)"),
        "{text}"
    );
    assert!(text.contains("first_response_at:  2026-11-19T11:15:00Z"), "{text}");
}

#[test]
fn first_response_due_for_every_plan_through_the_binary() {
    let t = TestStore::new();
    let cases = [
        ("Acme Corp", "low", "2026-11-19T14:00:00Z"),
        ("Acme Corp", "medium", "2026-11-19T12:00:00Z"),
        ("Acme Corp", "high", "2026-11-19T10:30:00Z"),
        ("Globex", "low", "2026-11-19T18:00:00Z"),
        ("Globex", "medium", "2026-11-19T14:00:00Z"),
        ("Globex", "high", "2026-11-19T12:00:00Z"),
        // 07:00 in Sao Paulo: counted from 08:00, due 20:00 local.
        ("Initech", "low", "2026-11-19T23:00:00Z"),
        ("Initech", "medium", "2026-11-19T23:00:00Z"),
        ("Initech", "high", "2026-11-19T23:00:00Z"),
    ];
    for (customer, severity, due) in cases {
        let id = open_for(&t, customer, &["--severity", severity]);
        assert_eq!(t.show(&id)["first_response_due"], due, "{customer} {severity}");
    }
}

#[test]
fn unknown_customer_is_on_the_standard_plan() {
    let t = TestStore::new();
    let id = open_for(&t, "Nobody Ltd", &["--channel", "phone", "--new-customer"]);
    let case = t.show(&id);
    assert_eq!(case["plan"], "standard");
    assert_eq!(case["first_response_due"], "2026-11-19T23:00:00Z");
    assert!(t.stdout(&["show", &id]).contains("(plan: standard)"));
}

#[test]
fn a_typo_in_the_customer_silently_put_the_case_on_the_standard_plan() {
    let t = TestStore::new();
    let assert = t
        .run(&[
            "open",
            "--customer",
            "Acme Crop",
            "--new-customer",
            "--summary",
            "Push fails",
        ])
        .success()
        .stderr(contains(
            "warning: customer \"Acme Crop\" is not in config.yaml; the case gets the standard plan",
        ));
    let id = String::from_utf8(assert.get_output().stdout.clone())
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(t.show(&id)["plan"], "standard", "still allowed (SPEC)");
    // A hostile name cannot reach the terminal raw.
    t.run(&["open", "--customer", "Evil\x1b[2J", "--new-customer", "--summary", "s"])
        .success()
        .stderr(contains("customer \"Evil\\e[2J\" is not in config.yaml"))
        .stderr(predicates::str::contains("\x1b").not());
    // A listed customer, in any case, gets no warning.
    t.run(&["open", "--customer", "acme corp", "--summary", "Push fails"])
        .success()
        .stderr(predicates::str::contains("not in config.yaml").not());
}

#[test]
fn friday_evening_standard_case_is_due_monday_evening() {
    let t = TestStore::new();
    // Friday 19:00 in Sao Paulo (UTC-3).
    let id = t.open_at(
        "2026-11-20T22:00:00Z",
        &[
            "--customer",
            "Initech",
            "--summary",
            "Export broken",
            "--description",
            "csv",
        ],
    );
    assert_eq!(t.show(&id)["first_response_due"], "2026-11-23T22:00:00Z");
    // Saturday: a full business day from Monday 08:00.
    let id = t.open_at(
        "2026-11-21T15:00:00Z",
        &[
            "--customer",
            "Initech",
            "--summary",
            "Export broken",
            "--description",
            "csv",
        ],
    );
    assert_eq!(t.show(&id)["first_response_due"], "2026-11-23T23:00:00Z");
}

#[test]
fn config_overrides_targets_and_holidays() {
    let config = format!("{CONFIG}targets:\n  plus: {{high: 1h}}\nbusiness_hours:\n  holidays: [2026-11-20]\n");
    let t = TestStore::with_config(&config);
    let high = open_for(&t, "Globex", &["--channel", "phone"]);
    let medium = open_for(&t, "Globex", &["--channel", "email"]);
    assert_eq!(
        t.show(&high)["first_response_due"],
        "2026-11-19T11:00:00Z",
        "overridden"
    );
    assert_eq!(
        t.show(&medium)["first_response_due"],
        "2026-11-19T14:00:00Z",
        "default kept"
    );
    // Thursday 19:00 local: 1 h on Thursday, Friday is a holiday, due Monday 19:00.
    let id = t.open_at(
        "2026-11-19T22:00:00Z",
        &[
            "--customer",
            "Initech",
            "--summary",
            "Export broken",
            "--description",
            "csv",
        ],
    );
    assert_eq!(t.show(&id)["first_response_due"], "2026-11-23T22:00:00Z");
}

#[test]
fn invalid_target_config_is_refused_with_exit_5_naming_the_key() {
    let t = TestStore::with_config(&format!("{CONFIG}targets:\n  plus: {{low: 6x}}\n"));
    t.run(&["list"])
        .code(5)
        .stderr(contains("config.yaml"))
        .stderr(contains("targets.plus.low"))
        .stderr(contains("unknown unit"));
    t.run(&["open", "--customer", "Globex", "--summary", "s"]).code(5);
    let t = TestStore::with_config(&format!("{CONFIG}business_hours:\n  timezone: America/Sao_Paolo\n"));
    t.run(&["list"])
        .code(5)
        .stderr(contains("America/Sao_Paolo"))
        .stderr(contains("IANA"));
    let t = TestStore::with_config(&format!("{CONFIG}business_hours:\n  start: '8am'\n"));
    t.run(&["list"])
        .code(5)
        .stderr(contains("business_hours.start"))
        .stderr(contains("HH:MM"));
}

#[test]
fn overdue_until_a_first_response_and_only_investigate_request_info_escalate_close_count() {
    let t = TestStore::new();
    // Mission-critical, high (phone): due 10:30.
    let phone = |_: usize| open_for(&t, "Acme Corp", &["--channel", "phone"]);
    let (investigated, asked, escalated, closed, replied, assigned) =
        (phone(0), phone(1), phone(2), phone(3), phone(4), phone(5));
    // Medium by e-mail (due 12:00), reassessed to high: due 10:30 as well.
    let reassessed = open_for(&t, "Acme Corp", &["--channel", "email"]);
    let not_yet = open_for(&t, "Acme Corp", &["--channel", "portal", "--severity", "low"]);

    t.run_at(
        "2026-11-19T10:10:00Z",
        &["reply", &replied, "--message", "more details"],
    )
    .success();
    t.run_at("2026-11-19T10:10:00Z", &["assign", &assigned, "bruno"])
        .success();
    t.run_at("2026-11-19T10:10:00Z", &["reassess", &reassessed, "--severity", "high"])
        .success();
    assert_eq!(
        overdue_at(&t, "2026-11-19T10:30:00Z"),
        Vec::<String>::new(),
        "due, not yet late"
    );

    let mut all_late = vec![
        investigated.clone(),
        asked.clone(),
        escalated.clone(),
        closed.clone(),
        replied.clone(),
        assigned.clone(),
        reassessed.clone(),
    ];
    all_late.sort();
    let mut late = overdue_at(&t, "2026-11-19T10:30:01Z");
    late.sort();
    assert_eq!(late, all_late, "reply, assign and reassess are not a first response");

    let at = "2026-11-19T10:40:00Z";
    t.run_at(at, &["investigate", &investigated]).success();
    t.run_at(at, &["request-info", &asked, "--message", "Which version?"])
        .success();
    t.run_at(at, &["escalate", &escalated]).success();
    t.run_at(at, &["close", &closed, "--resolution", "duplicate"]).success();
    let mut late = overdue_at(&t, "2026-11-19T10:41:00Z");
    late.sort();
    let mut expected = vec![replied.clone(), assigned.clone(), reassessed.clone()];
    expected.sort();
    assert_eq!(late, expected);
    for id in [&investigated, &asked, &escalated, &closed] {
        assert_eq!(t.show(id)["first_response_at"], at, "{id}");
    }
    for id in [&replied, &assigned, &reassessed] {
        assert!(t.show(id)["first_response_at"].is_null(), "{id}");
    }
    // A later response does not overwrite the first.
    t.run_at(
        "2026-11-19T11:00:00Z",
        &["close", &investigated, "--resolution", "fixed"],
    )
    .success();
    assert_eq!(t.show(&investigated)["first_response_at"], at);
    // The low one (4 h) turns up once its own target passes.
    assert!(!overdue_at(&t, "2026-11-19T13:59:00Z").contains(&not_yet));
    assert!(overdue_at(&t, "2026-11-19T14:01:00Z").contains(&not_yet));
}

#[test]
fn list_table_shows_time_left_or_how_late() {
    let t = TestStore::new();
    let id = open_for(&t, "Acme Corp", &["--channel", "phone"]);
    let row_of = |now: &str, args: &[&str]| {
        let out = t.stdout_at(now, args);
        let header: Vec<&str> = out.lines().next().unwrap_or("").split_whitespace().collect();
        assert_eq!(header[..2], ["ID", "STATUS"], "{out}");
        out.lines().find(|l| l.contains(&id)).expect("row").to_string()
    };
    let row = |now: &str| row_of(now, &["list"]);
    assert!(row("2026-11-19T10:10:00Z").contains("in 20m"), "time left");
    assert!(row("2026-11-19T11:05:00Z").contains("LATE 35m"), "how late");
    assert!(row("2026-11-19T12:00:00Z").contains("LATE 1h"), "how late, in one unit");
    let overdue_table = t.stdout_at("2026-11-19T12:00:00Z", &["list", "--overdue"]);
    assert!(
        overdue_table.contains(&id) && overdue_table.contains("LATE 1h"),
        "{overdue_table}"
    );
    // --wide keeps the exact FIRST RESPONSE column.
    let wide = row_of("2026-11-19T12:00:00Z", &["list", "--wide"]);
    assert!(wide.contains("LATE 1h 30m"), "{wide}");
    t.run_at("2026-11-19T12:00:00Z", &["investigate", &id]).success();
    // Once answered, the default table says nothing of the target...
    let answered = row("2026-11-19T12:05:00Z");
    assert!(
        !answered.contains("LATE") && !answered.contains("responded"),
        "{answered}"
    );
    // ...and --wide says how it went.
    assert!(row_of("2026-11-19T12:05:00Z", &["list", "--wide"]).contains("responded 1h 30m late"));
    let on_time = open_for(&t, "Acme Corp", &["--channel", "phone"]);
    t.run_at("2026-11-19T10:05:00Z", &["investigate", &on_time]).success();
    let out = t.stdout_at("2026-11-19T12:05:00Z", &["list", "--wide"]);
    let line = out.lines().find(|l| l.contains(&on_time)).expect("row");
    assert!(line.contains("responded") && !line.contains("late"), "{line}");
}

#[test]
fn reassess_moves_the_target_and_is_recorded_in_history() {
    let t = TestStore::new();
    let id = open_for(&t, "Acme Corp", &["--channel", "email"]);
    assert_eq!(t.show(&id)["first_response_due"], "2026-11-19T12:00:00Z");
    let out = t.stdout_at(
        "2026-11-19T10:05:00Z",
        &["reassess", &id, "--severity", "high", "--note", "whole site down"],
    );
    assert_eq!(
        out,
        format!("{id}: severity medium -> high; first response due 2026-11-19T10:30:00Z (in 25m)\n")
    );
    let case = t.show(&id);
    assert_eq!(case["severity"], "high");
    assert_eq!(case["first_response_due"], "2026-11-19T10:30:00Z");
    assert_eq!(case["status"], "open", "reassessing does not change the status");
    let history = case["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    let event = &history[1];
    assert_eq!(event["action"], "reassess");
    assert_eq!(event["severity"], "high");
    assert_eq!(event["message"], "whole site down");
    assert_eq!(event["at"], "2026-11-19T10:05:00Z");
    assert_eq!(event["actor"], "tester");
    assert_eq!(
        (event["from"].as_str(), event["to"].as_str()),
        (Some("open"), Some("open"))
    );

    t.run_at("2026-11-19T10:05:00Z", &["reassess", &id, "--severity", "low"])
        .success();
    assert_eq!(t.show(&id)["first_response_due"], "2026-11-19T14:00:00Z", "low: 4 h");
    let json: serde_json::Value = serde_json::from_str(&t.stdout_at(
        "2026-11-19T10:05:00Z",
        &["reassess", &id, "--severity", "medium", "--format", "json"],
    ))
    .expect("json");
    assert_eq!(json["severity"], "medium");
    assert_eq!(json["first_response_due"], "2026-11-19T12:00:00Z");
    assert_eq!(t.show(&id)["history"].as_array().map(Vec::len), Some(4));
}

#[test]
fn reassess_refuses_a_closed_case_and_a_bad_severity() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["reassess", &id, "--severity", "urgent"]).code(2);
    t.run(&["close", &id, "--resolution", "fixed"]).success();
    let before = t.file(&id);
    t.run(&["reassess", &id, "--severity", "high"])
        .code(4)
        .stderr(contains("closed"));
    assert_eq!(t.file(&id), before);
    t.run(&["reassess", "RC-NOSUCH", "--severity", "high"]).code(3);
}
