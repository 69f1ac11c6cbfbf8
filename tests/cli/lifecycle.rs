//! Every row of the transition table (SPEC section 1) through the binary,
//! allowed and refused.

use crate::support::*;
use predicates::str::contains;
use serde_json::Value;

/// When the case reaching a status takes its second step.
const T1: &str = "2026-11-19T10:30:00Z";
/// When the command under test runs.
const T2: &str = "2026-11-19T11:00:00Z";
/// When the escalated case was first escalated (L1 -> L2): its first response.
const T_L2: &str = "2026-11-19T10:10:00Z";

/// The case `open_simple` opens is about push on iOS: routing gives it to
/// alice at L1 (skills push, ios) and to dora at L2 (skills push).
const L1_ANALYST: &str = "alice";
const L2_ANALYST: &str = "dora";

/// Brings a fresh case to `status`. Cases reach every status but `escalated`
/// at `l1`; `escalated` is at `rnd` with impact medium.
fn case_in(t: &TestStore, status: &str) -> String {
    let id = t.open_simple();
    match status {
        "open" => {}
        "at-investigation" => {
            t.run_at(T1, &["investigate", &id]).success();
        }
        "waiting-for-customer" => {
            t.run_at(T1, &["request-info", &id, "--message", "Which app version?"])
                .success();
        }
        "escalated" => {
            t.run_at(T_L2, &["escalate", &id]).success();
            t.run_at(T1, &["escalate", &id, "--impact", "medium"]).success();
        }
        "closed" => {
            t.run_at(T1, &["close", &id, "--resolution", "Fixed by the 4.2 update"])
                .success();
        }
        other => panic!("no recipe for {other}"),
    }
    assert_eq!(t.status(&id), status);
    id
}

/// The first response a case in `status` already had (None for a fresh open case).
fn prior_first_response(status: &str) -> Option<&'static str> {
    match status {
        "open" => None,
        "escalated" => Some(T_L2),
        _ => Some(T1),
    }
}

fn level_of(status: &str) -> &'static str {
    if status == "escalated" {
        "rnd"
    } else {
        "l1"
    }
}

fn assignee_of(status: &str) -> &'static str {
    if status == "escalated" {
        L2_ANALYST
    } else {
        L1_ANALYST
    }
}

fn last_event(case: &Value) -> &Value {
    case["history"].as_array().expect("history").last().expect("an event")
}

/// Checks the last event and that it is the only one the command added.
fn assert_event(case: &Value, events_before: usize, action: &str, from: &str, to: &str, message: Option<&str>) {
    let history = case["history"].as_array().expect("history");
    assert_eq!(history.len(), events_before + 1, "one event per command: {history:#?}");
    let event = last_event(case);
    assert_eq!(event["at"], T2);
    assert_eq!(event["actor"], "tester");
    assert_eq!(event["action"], action);
    assert_eq!(event["from"], from);
    assert_eq!(event["to"], to);
    match message {
        Some(message) => assert_eq!(event["message"], message),
        None => assert!(event["message"].is_null(), "{event}"),
    }
}

/// Runs `args` (with the case ID after the command name) on a case in `status` at T2.
fn run_on(status: &str, command: &str, rest: &[&str]) -> (TestStore, String, Value, Value) {
    let t = TestStore::new();
    let id = case_in(&t, status);
    let before = t.show(&id);
    let mut args = vec![command, id.as_str()];
    args.extend_from_slice(rest);
    t.run_at(T2, &args).success();
    let after = t.show(&id);
    (t, id, before, after)
}

fn events(case: &Value) -> usize {
    case["history"].as_array().expect("history").len()
}

#[test]
fn open_creates_an_open_l1_case_routed_with_one_open_event() {
    let t = TestStore::new();
    let id = t.open_simple();
    let case = t.show(&id);
    assert_eq!(case["status"], "open");
    assert_eq!(case["level"], "l1");
    assert_eq!(case["assignee"], L1_ANALYST);
    assert_eq!(case["created_at"], NOW);
    assert!(case["waiting_since"].is_null());
    assert!(case["first_response_at"].is_null());
    assert!(case["follow_up_of"].is_null());
    let history = case["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["action"], "open");
    assert!(history[0]["from"].is_null());
    assert_eq!(history[0]["to"], "open");
    assert_eq!(history[0]["at"], NOW);
    assert!(
        history[0]["message"].as_str().unwrap().contains("routed to alice"),
        "{}",
        history[0]
    );
}

#[test]
fn investigate_moves_open_and_escalated_to_at_investigation() {
    for status in ["open", "escalated"] {
        let (_t, _id, before, after) = run_on(status, "investigate", &["--note", "Reproducing on iOS 18"]);
        assert_eq!(after["status"], "at-investigation", "from {status}");
        assert_eq!(after["level"], level_of(status), "investigate keeps the tier");
        assert_eq!(after["assignee"], assignee_of(status));
        assert!(after["waiting_since"].is_null());
        assert_eq!(after["first_response_at"], prior_first_response(status).unwrap_or(T2));
        assert_eq!(after["impact"], before["impact"]);
        assert_event(
            &after,
            events(&before),
            "investigate",
            status,
            "at-investigation",
            Some("Reproducing on iOS 18"),
        );
    }
}

#[test]
fn request_info_moves_every_allowed_status_to_waiting_and_starts_the_clock_now() {
    for status in ["open", "at-investigation", "escalated", "waiting-for-customer"] {
        let (_t, _id, before, after) = run_on(status, "request-info", &["--message", "Please send the logs"]);
        assert_eq!(after["status"], "waiting-for-customer", "from {status}");
        assert_eq!(after["level"], level_of(status));
        assert_eq!(after["assignee"], assignee_of(status));
        assert_eq!(
            after["waiting_since"], T2,
            "the clock (re)starts at the command, from {status}"
        );
        assert_eq!(after["first_response_at"], prior_first_response(status).unwrap_or(T2));
        assert_event(
            &after,
            events(&before),
            "request-info",
            status,
            "waiting-for-customer",
            Some("Please send the logs"),
        );
    }
}

#[test]
fn reply_moves_every_status_but_closed_to_open_and_clears_the_clock() {
    for status in ["open", "at-investigation", "waiting-for-customer", "escalated"] {
        let (_t, _id, before, after) = run_on(status, "reply", &["--message", "Logs attached"]);
        assert_eq!(after["status"], "open", "from {status}");
        assert_eq!(after["level"], level_of(status), "a customer reply keeps the tier");
        assert_eq!(after["assignee"], assignee_of(status));
        assert!(
            after["waiting_since"].is_null(),
            "from {status}: {}",
            after["waiting_since"]
        );
        // The customer speaking is not the analyst's first response.
        assert_eq!(after["first_response_at"].as_str(), prior_first_response(status));
        assert_event(&after, events(&before), "reply", status, "open", Some("Logs attached"));
    }
}

#[test]
fn escalate_at_l1_goes_to_l2_at_investigation_rerouted_to_an_l2_analyst() {
    for status in ["open", "at-investigation"] {
        let (_t, _id, before, after) = run_on(status, "escalate", &[]);
        assert_eq!(after["status"], "at-investigation", "from {status}");
        assert_eq!(after["level"], "l2");
        assert_eq!(
            after["assignee"], L2_ANALYST,
            "re-routed by skills (push) among l2 analysts"
        );
        assert!(after["impact"].is_null(), "no R&D impact before R&D");
        assert!(after["escalated_at"].is_null());
        assert!(after["waiting_since"].is_null());
        assert_eq!(after["first_response_at"], prior_first_response(status).unwrap_or(T2));
        let event = last_event(&after);
        assert_eq!(event["level"], "l2");
        assert_eq!(event["assignee"], L2_ANALYST);
        let message = event["message"].as_str().expect("routing reason");
        assert!(message.contains("routed to dora (l2)"), "{message}");
        assert_event(
            &after,
            events(&before),
            "escalate",
            status,
            "at-investigation",
            Some(message),
        );
        assert!(
            after["routing"].as_str().unwrap().contains("routed to dora"),
            "show says why: {after}"
        );
    }
}

#[test]
fn escalate_at_l2_enters_the_rnd_queue_with_the_given_impact() {
    // at-investigation at l2: right after the L1 -> L2 escalation.
    let t = TestStore::new();
    let id = t.open_simple();
    t.run_at(T1, &["escalate", &id]).success();
    let before = t.show(&id);
    t.run_at(
        T2,
        &["escalate", &id, "--impact", "high", "--note", "Defect in push gateway"],
    )
    .success();
    let after = t.show(&id);
    assert_eq!(after["status"], "escalated");
    assert_eq!(after["level"], "rnd");
    assert_eq!(after["impact"], "high");
    assert_eq!(after["escalated_at"], T2);
    assert_eq!(after["assignee"], L2_ANALYST, "the L2 analyst keeps the case");
    assert_eq!(after["first_response_at"], T1);
    assert_eq!(last_event(&after)["impact"], "high");
    assert_eq!(last_event(&after)["level"], "rnd");
    assert_event(
        &after,
        events(&before),
        "escalate",
        "at-investigation",
        "escalated",
        Some("Defect in push gateway"),
    );
}

#[test]
fn escalate_at_l2_from_open_defaults_the_impact_to_low() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run_at(T_L2, &["escalate", &id]).success();
    t.run_at(T1, &["reply", &id, "--message", "Still broken"]).success();
    assert_eq!(t.show(&id)["level"], "l2");
    let before = t.show(&id);
    t.run_at(T2, &["escalate", &id]).success();
    let after = t.show(&id);
    assert_eq!(after["status"], "escalated");
    assert_eq!(after["level"], "rnd");
    assert_eq!(after["impact"], "low", "SPEC: impact default low");
    assert_event(&after, events(&before), "escalate", "open", "escalated", None);
}

#[test]
fn escalate_at_rnd_from_open_and_at_investigation_returns_to_the_queue() {
    for (step, status) in [("reply", "open"), ("investigate", "at-investigation")] {
        let t = TestStore::new();
        let id = case_in(&t, "escalated");
        let mut args = vec![step, id.as_str()];
        if step == "reply" {
            args.extend(["--message", "Any news?"]);
        }
        t.run_at("2026-11-19T10:45:00Z", &args).success();
        let before = t.show(&id);
        assert_eq!(before["status"], status);
        assert_eq!(before["level"], "rnd");
        t.run_at(T2, &["escalate", &id, "--impact", "low"]).success();
        let after = t.show(&id);
        assert_eq!(after["status"], "escalated", "from {status} at rnd");
        assert_eq!(after["level"], "rnd");
        assert_eq!(after["impact"], "low");
        assert_eq!(after["escalated_at"], T2, "re-entering the queue restarts its age");
        assert_event(&after, events(&before), "escalate", status, "escalated", None);
    }
}

#[test]
fn close_moves_every_status_but_closed_to_closed_with_the_resolution() {
    for status in ["open", "at-investigation", "waiting-for-customer", "escalated"] {
        let (_t, _id, before, after) = run_on(status, "close", &["--resolution", "Workaround given"]);
        assert_eq!(after["status"], "closed", "from {status}");
        assert_eq!(after["level"], level_of(status));
        assert_eq!(after["assignee"], assignee_of(status));
        assert_eq!(after["resolution"], "Workaround given");
        assert!(after["waiting_since"].is_null(), "from {status}");
        assert_eq!(after["first_response_at"], prior_first_response(status).unwrap_or(T2));
        assert_event(
            &after,
            events(&before),
            "close",
            status,
            "closed",
            Some("Workaround given"),
        );
    }
}

#[test]
fn sweep_auto_closes_a_waiting_case_with_an_auto_close_event() {
    let t = TestStore::new();
    let id = case_in(&t, "waiting-for-customer");
    let before = t.show(&id);
    let due = "2026-11-26T10:30:00Z";
    assert_eq!(t.stdout_at(due, &["sweep"]), format!("{id}\n"));
    let after = t.show(&id);
    assert_eq!(after["status"], "closed");
    assert!(after["waiting_since"].is_null());
    assert!(after["resolution"]
        .as_str()
        .unwrap()
        .contains("no response from the customer for 7 days"));
    let event = last_event(&after);
    assert_eq!(events(&after), events(&before) + 1);
    assert_eq!(event["action"], "auto-close");
    assert_eq!(event["from"], "waiting-for-customer");
    assert_eq!(event["to"], "closed");
    assert_eq!(event["at"], due);
    assert_eq!(event["message"], after["resolution"]);
}

#[test]
fn assign_and_reassess_keep_the_status_and_are_recorded_in_history() {
    for status in ["open", "at-investigation", "waiting-for-customer", "escalated"] {
        let (t, id, before, after) = run_on(status, "assign", &["bruno", "--note", "Bruno knows this customer"]);
        assert_eq!(after["status"], status, "assign keeps the status");
        assert_eq!(after["assignee"], "bruno");
        assert_eq!(
            after["waiting_since"], before["waiting_since"],
            "assign does not touch the clock"
        );
        assert_eq!(after["first_response_at"], before["first_response_at"]);
        assert_eq!(last_event(&after)["assignee"], "bruno");
        assert_event(
            &after,
            events(&before),
            "assign",
            status,
            status,
            Some("Bruno knows this customer"),
        );
        assert!(
            after["routing"].as_str().unwrap().contains("Bruno knows"),
            "{}",
            after["routing"]
        );

        let before = after;
        t.run_at(
            T2,
            &[
                "reassess",
                &id,
                "--severity",
                "high",
                "--note",
                "Whole sales team blocked",
            ],
        )
        .success();
        let after = t.show(&id);
        assert_eq!(after["status"], status, "reassess keeps the status");
        assert_eq!(after["severity"], "high");
        assert_eq!(after["waiting_since"], before["waiting_since"]);
        assert_eq!(last_event(&after)["severity"], "high");
        assert_event(
            &after,
            events(&before),
            "reassess",
            status,
            status,
            Some("Whole sales team blocked"),
        );
    }
}

#[test]
fn assign_without_a_note_records_who_assigned_and_the_tier() {
    let (_t, _id, _before, after) = run_on("open", "assign", &["carla"]);
    assert_eq!(after["assignee"], "carla");
    assert_eq!(last_event(&after)["message"], "assigned by hand to carla (l2)");
}

#[test]
fn assign_to_an_analyst_not_in_the_roster_is_a_usage_error_and_writes_nothing() {
    let t = TestStore::new();
    let id = t.open_simple();
    let before = t.file(&id);
    t.run(&["assign", &id, "zed"])
        .code(2)
        .stderr(contains("zed is not in the roster"))
        .stderr(contains("alice, bruno, carla, dora, ravi"));
    assert_eq!(t.file(&id), before);
}

/// What the binary lists as allowed from each status (the table's order).
fn allowed_from(status: &str) -> &'static str {
    match status {
        "at-investigation" => "request-info, reply, escalate, close, assign, reassess, note",
        "waiting-for-customer" => "request-info, reply, close, assign, reassess, note",
        "escalated" => "investigate, request-info, reply, close, assign, reassess, note",
        other => panic!("{other}"),
    }
}

#[test]
fn transitions_not_in_the_table_exit_4_name_the_status_list_what_is_allowed_and_write_nothing() {
    let refused = [
        ("at-investigation", "investigate"),
        ("waiting-for-customer", "investigate"),
        ("waiting-for-customer", "escalate"),
        ("escalated", "escalate"),
    ];
    for (status, command) in refused {
        let t = TestStore::new();
        let id = case_in(&t, status);
        let before = t.file(&id);
        t.run_at(T2, &[command, &id])
            .code(4)
            .stdout("")
            .stderr(contains(format!("`{command}` is not allowed from status {status}")))
            .stderr(contains(format!("allowed from {status}: {}", allowed_from(status))));
        assert_eq!(t.file(&id), before, "{command} from {status} must not write");
    }
}

#[test]
fn closed_refuses_every_command_with_exit_4_and_the_follow_up_hint() {
    let t = TestStore::new();
    let id = case_in(&t, "closed");
    let before = t.file(&id);
    let commands: [&[&str]; 7] = [
        &["investigate"],
        &["request-info", "--message", "Still there?"],
        &["reply", "--message", "It broke again"],
        &["escalate", "--impact", "high"],
        &["close", "--resolution", "again"],
        &["assign", "bruno"],
        &["reassess", "--severity", "low"],
    ];
    for command in commands {
        let mut args = vec![command[0], id.as_str()];
        args.extend_from_slice(&command[1..]);
        t.run_at(T2, &args)
            .code(4)
            .stdout("")
            .stderr(contains(format!("{id} is closed; closed is terminal")))
            .stderr(contains(format!("tickets open --follow-up-of {id}")));
        assert_eq!(t.file(&id), before, "{} on a closed case must not write", command[0]);
    }
}

#[test]
fn open_follow_up_of_a_closed_case_links_it_and_leaves_the_old_case_alone() {
    let t = TestStore::new();
    let old = case_in(&t, "closed");
    let old_bytes = t.file(&old);
    let new = t.open_at(
        T2,
        &[
            "--customer",
            "Acme Corp",
            "--summary",
            "Push fails again",
            "--description",
            "Same as before",
            "--follow-up-of",
            &old.to_lowercase(),
        ],
    );
    assert_ne!(new, old);
    let case = t.show(&new);
    assert_eq!(
        case["follow_up_of"],
        old.as_str(),
        "the typed ID is resolved to the stored one"
    );
    assert_eq!(case["status"], "open");
    assert_eq!(case["level"], "l1");
    assert_eq!(t.file(&old), old_bytes, "the closed case is not touched");
}

#[test]
fn open_follow_up_of_a_case_that_is_not_closed_is_refused_and_creates_nothing() {
    for status in ["open", "waiting-for-customer"] {
        let t = TestStore::new();
        let old = case_in(&t, status);
        t.run_at(
            T2,
            &[
                "open",
                "--customer",
                "Acme Corp",
                "--summary",
                "again",
                "--follow-up-of",
                &old,
            ],
        )
        .code(4)
        .stdout("")
        .stderr(contains(format!("from status {status}")))
        .stderr(contains("a follow-up is for a closed case"));
        assert_eq!(t.list(&["--all"]).len(), 1, "no new case from {status}");
    }
}

#[test]
fn open_follow_up_of_an_unknown_case_exits_3() {
    let t = TestStore::new();
    t.run(&[
        "open",
        "--customer",
        "Acme Corp",
        "--summary",
        "again",
        "--follow-up-of",
        "RC-NOSUCH00",
    ])
    .code(3)
    .stderr(contains("no such ticket: RC-NOSUCH00"));
    assert!(t.list(&["--all"]).is_empty());
}

#[test]
fn a_change_dated_before_the_last_one_is_refused_so_history_stays_replayable() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run_at("2026-11-19T12:00:00Z", &["investigate", &id]).success();
    let before = t.file(&id);
    t.run_at(
        "2026-11-19T11:00:00Z",
        &["request-info", &id, "--message", "late clock"],
    )
    .code(2)
    .stderr(contains("out of order"));
    assert_eq!(t.file(&id), before, "an out-of-order change must not write");
}

#[test]
fn escalate_with_impact_at_l1_is_refused_instead_of_silently_ignored() {
    let t = TestStore::new();
    let id = t.open_simple();
    let before = t.file(&id);
    t.run(&["escalate", &id, "--impact", "high"])
        .code(2)
        .stderr(contains("--impact is for escalating into R&D"));
    assert_eq!(t.file(&id), before);
}

#[test]
fn reassess_to_the_current_severity_recorded_a_high_to_high_event() {
    let t = TestStore::new();
    let id = t.open(&["--customer", "Acme Corp", "--summary", "Down", "--severity", "high"]);
    let before = t.file(&id);
    t.run(&["reassess", &id, "--severity", "high", "--note", "still down"])
        .success()
        .stdout("")
        .stderr(format!("{id}: severity is already high; nothing changed\n"));
    assert_eq!(t.file(&id), before, "nothing written");
    // Scripts still get the case.
    let json = t.stdout(&["reassess", &id, "--severity", "high", "--format", "json"]);
    let shown: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(shown["severity"], "high");
    assert_eq!(t.file(&id), before);
    // A real change is still an event; a closed case still refuses (exit 4).
    t.run(&["reassess", &id, "--severity", "low"]).success();
    assert_eq!(last_event(&t.show(&id))["severity"], "low");
    t.run(&["close", &id, "--resolution", "fixed"]).success();
    t.run(&["reassess", &id, "--severity", "low"]).code(4);

    // A history written before this fix, with a "high -> high" event, still
    // replays and validates.
    let old = t.open(&["--customer", "Acme Corp", "--summary", "Old", "--severity", "high"]);
    let mut text = String::from_utf8(t.file(&old)).unwrap();
    text.push_str(&format!(
        "- at: {NOW}\n  actor: tester\n  action: reassess\n  from: open\n  to: open\n  severity: high\n"
    ));
    std::fs::write(t.case_path(&old), text).unwrap();
    assert_eq!(t.show(&old)["history"].as_array().unwrap().len(), 2);
    t.run(&["check"]).success();
}

#[test]
fn assign_to_the_current_assignee_recorded_another_event() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["assign", &id, "bruno"]).success();
    let events = t.show(&id)["history"].as_array().unwrap().len();
    let before = t.file(&id);
    t.run(&["assign", &id, "bruno", "--note", "again"])
        .success()
        .stdout("")
        .stderr(format!("{id}: bruno is already the assignee; nothing changed\n"));
    assert_eq!(t.file(&id), before, "nothing written");
    assert_eq!(t.show(&id)["history"].as_array().unwrap().len(), events);
    // Another analyst is a change; an unknown one is still a usage error.
    t.run(&["assign", &id, "alice"]).success();
    assert_eq!(t.show(&id)["assignee"], "alice");
    t.run(&["assign", &id, "nobody"]).code(2);
}
