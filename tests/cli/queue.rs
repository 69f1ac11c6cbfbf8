//! `queue`: R&D's resolution queue. Escalated cases only, ordered by
//! customer-base impact, then severity, then the oldest escalation, then ID.

use crate::support::*;

/// Opens a case at NOW, escalates it L1 -> L2 at NOW and into R&D's queue at `at`.
fn to_queue(t: &TestStore, customer: &str, severity: &str, impact: Option<&str>, at: &str) -> String {
    let id = t.open(&[
        "--customer",
        customer,
        "--summary",
        &format!("{severity} defect for {customer}"),
        "--severity",
        severity,
    ]);
    t.run(&["escalate", &id]).success();
    let mut args = vec!["escalate", id.as_str()];
    if let Some(impact) = impact {
        args.extend(["--impact", impact]);
    }
    t.run_at(at, &args).success();
    id
}

fn queue_json(t: &TestStore, now: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(&t.stdout_at(now, &["queue", "--format", "json"])).expect("queue json")
}

struct Queue {
    t: TestStore,
    expected: Vec<String>,
}

/// A queue exercising every ordering rule, and cases that must stay out of it.
fn mixed_queue() -> Queue {
    let t = TestStore::new();
    let low_impact_high = to_queue(&t, "Acme Corp", "high", None, "2026-11-19T11:00:00Z");
    let high_impact_low = to_queue(&t, "Globex", "low", Some("high"), "2026-11-19T13:00:00Z");
    let high_high_newer = to_queue(&t, "Initech", "high", Some("high"), "2026-11-19T14:00:00Z");
    let medium_medium = to_queue(&t, "Globex", "medium", Some("medium"), "2026-11-19T11:00:00Z");
    let tie_one = to_queue(&t, "Acme Corp", "high", Some("high"), "2026-11-19T12:00:00Z");
    let tie_two = to_queue(&t, "Globex", "high", Some("high"), "2026-11-19T12:00:00Z");
    let high_impact_medium = to_queue(&t, "Initech", "medium", Some("high"), "2026-11-19T11:00:00Z");
    // Re-entering the queue counts from the new escalation.
    let requeued = to_queue(&t, "Acme Corp", "high", Some("low"), "2026-11-19T10:30:00Z");
    t.run_at("2026-11-19T15:00:00Z", &["investigate", &requeued]).success();
    t.run_at("2026-11-19T15:30:00Z", &["escalate", &requeued]).success();

    // Not in the queue: at L2 only, taken back for investigation, closed, plain open.
    let at_l2 = t.open_simple();
    t.run(&["escalate", &at_l2]).success();
    let investigated = to_queue(&t, "Globex", "high", Some("high"), "2026-11-19T10:30:00Z");
    t.run_at("2026-11-19T15:00:00Z", &["investigate", &investigated])
        .success();
    let closed = to_queue(&t, "Globex", "high", Some("high"), "2026-11-19T10:30:00Z");
    t.run_at(
        "2026-11-19T15:00:00Z",
        &["close", &closed, "--resolution", "fixed in 7.1"],
    )
    .success();
    t.open_simple();

    let mut ties = vec![tie_one, tie_two];
    ties.sort();
    let mut expected = ties;
    expected.extend([
        high_high_newer,
        high_impact_medium,
        high_impact_low,
        medium_medium,
        low_impact_high,
        requeued,
    ]);
    Queue { t, expected }
}

#[test]
fn queue_orders_by_impact_then_severity_then_oldest_escalation_then_id() {
    let Queue { t, expected } = mixed_queue();
    let queue = queue_json(&t, "2026-11-19T16:00:00Z");
    assert_eq!(ids(&queue), expected);
    let positions: Vec<u64> = queue
        .iter()
        .map(|c| c["position"].as_u64().expect("position"))
        .collect();
    assert_eq!(positions, (1..=expected.len() as u64).collect::<Vec<_>>());
    for case in &queue {
        assert_eq!(case["status"], "escalated");
        assert_eq!(case["level"], "rnd");
    }
    let impacts: Vec<&str> = queue.iter().map(|c| c["impact"].as_str().expect("impact")).collect();
    assert_eq!(
        impacts,
        ["high", "high", "high", "high", "high", "medium", "low", "low"]
    );
    let severities: Vec<&str> = queue
        .iter()
        .map(|c| c["severity"].as_str().expect("severity"))
        .collect();
    assert_eq!(
        severities,
        ["high", "high", "high", "medium", "low", "medium", "high", "high"]
    );
    assert_eq!(queue[0]["escalated_at"], "2026-11-19T12:00:00Z");
    assert_eq!(
        queue[7]["escalated_at"], "2026-11-19T15:30:00Z",
        "the latest entry into the queue counts"
    );
}

#[test]
fn queue_table_shows_position_id_impact_severity_age_customer_summary() {
    let Queue { t, expected } = mixed_queue();
    let out = t.stdout_at("2026-11-19T16:00:00Z", &["queue"]);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().expect("header").split_whitespace().collect();
    assert_eq!(header, ["#", "ID", "IMPACT", "SEVERITY", "AGE", "CUSTOMER", "SUMMARY"]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), expected.len(), "{out}");
    for (index, row) in rows.iter().enumerate() {
        assert_eq!(row[0], (index + 1).to_string(), "{out}");
        assert_eq!(row[1], expected[index], "{out}");
    }
    // Position 3: Initech, high impact, high severity, escalated at 14:00.
    assert_eq!(
        rows[2][2..],
        ["high", "high", "2h", "0m", "Initech", "high", "defect", "for", "Initech"]
    );
    // Last: Acme, low impact, high severity, back in the queue at 15:30.
    assert_eq!(
        rows[7][2..],
        ["low", "high", "30m", "Acme", "Corp", "high", "defect", "for", "Acme", "Corp"]
    );
}

#[test]
fn impact_defaults_to_low_and_an_empty_queue_is_an_empty_array() {
    let t = TestStore::new();
    assert_eq!(queue_json(&t, NOW), Vec::<serde_json::Value>::new());
    let header_only = t.stdout(&["queue"]);
    assert_eq!(header_only.lines().count(), 1, "{header_only}");
    let id = to_queue(&t, "Globex", "medium", None, NOW);
    let queue = queue_json(&t, NOW);
    assert_eq!(ids(&queue), vec![id.clone()]);
    assert_eq!(queue[0]["impact"], "low");
    let event = &t.show(&id)["history"][2];
    assert_eq!(event["action"], "escalate");
    assert_eq!(event["impact"], "low");
}

#[test]
fn queue_table_escapes_control_characters_in_summaries() {
    let t = TestStore::new();
    let id = t.open(&[
        "--customer",
        "Globex",
        "--summary",
        "Crash \u{1b}[31mred\u{7}",
        "--severity",
        "high",
    ]);
    t.run(&["escalate", &id]).success();
    t.run(&["escalate", &id, "--impact", "medium"]).success();
    let out = t.stdout(&["queue"]);
    assert!(out.contains(&id));
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert_eq!(
        queue_json(&t, NOW)[0]["summary"],
        "Crash \u{1b}[31mred\u{7}",
        "JSON keeps the exact text"
    );
}
