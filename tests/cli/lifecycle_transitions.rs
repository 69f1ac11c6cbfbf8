//! Every row of the transition table (SPEC section 1) through the binary:
//! the allowed ones, each with the one event it records.

use crate::support::cases::{case_in, last_event, T1, T2, T_L2};
use crate::support::*;
use predicates::str::contains;
use serde_json::Value;

/// The case `open_simple` opens is about push on iOS: routing gives it to
/// alice at L1 (skills push, ios) and to dora at L2 (skills push).
const L1_ANALYST: &str = "alice";
const L2_ANALYST: &str = "dora";

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
