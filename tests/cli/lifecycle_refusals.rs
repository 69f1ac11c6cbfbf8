//! The transition table (SPEC section 1) through the binary: what it
//! refuses (and writes nothing for), follow-ups of closed cases, and
//! history kept replayable.

use crate::support::cases::{case_in, last_event, T2};
use crate::support::*;
use predicates::str::contains;
use serde_json::Value;

/// What the binary lists as allowed from each status (the table's order).
fn allowed_from(status: &str) -> &'static str {
    match status {
        "at-investigation" => "request-info, reply, escalate, close, assign, reassess, note, merge",
        "waiting-for-customer" => "request-info, reply, close, assign, reassess, note, merge",
        "escalated" => "investigate, request-info, reply, close, assign, reassess, note, merge",
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
