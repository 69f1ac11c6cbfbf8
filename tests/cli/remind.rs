//! `remind`: reminders before auto-close. Off without `remind_after_days`;
//! one `remind` event per waiting period; the auto-close clock untouched.

use crate::support::*;
use predicates::str::contains;

fn store_reminding_after(days: u32) -> TestStore {
    TestStore::with_config(&format!("{CONFIG}remind_after_days: {days}\n"))
}

/// A waiting case: opened at NOW with an e-mail address, asked for information at NOW.
fn waiting(t: &TestStore) -> String {
    let id = t.open(&[
        "--customer",
        "Globex",
        "--summary",
        "Push fails on iOS",
        "--description",
        "No push since update",
        "--email",
        "ana@globex.example",
    ]);
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    id
}

fn reminds(t: &TestStore, id: &str) -> usize {
    t.show(id)["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["action"] == "remind")
        .count()
}

fn remind_json(t: &TestStore, now: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["remind", "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&t.stdout_at(now, &args)).expect("remind json")
}

const FIVE_DAYS: &str = "2026-11-24T10:00:00Z";

#[test]
fn remind_is_off_without_remind_after_days() {
    let t = TestStore::new();
    let id = waiting(&t);
    let before = t.file(&id);
    t.run_at("2026-11-25T10:00:00Z", &["remind"])
        .success()
        .stdout("")
        .stderr(contains("reminders are off"))
        .stderr(contains("remind_after_days"));
    t.run_at("2026-11-25T10:00:00Z", &["remind", "--format", "json"])
        .success()
        .stdout("[]\n");
    assert_eq!(t.file(&id), before, "nothing recorded");
}

#[test]
fn remind_lists_due_cases_and_records_one_event_per_waiting_period() {
    let t = store_reminding_after(5);
    let id = waiting(&t);
    assert_eq!(t.stdout_at("2026-11-24T09:59:59Z", &["remind"]), "", "a second early");
    assert_eq!(reminds(&t, &id), 0);

    let out = t.stdout_at(FIVE_DAYS, &["remind"]);
    let row = out.lines().find(|l| l.contains(&id)).expect("listed");
    for expected in [
        "Globex",
        "ana@globex.example",
        "2026-11-19T10:00:00Z",
        "2026-11-26T10:00:00Z",
    ] {
        assert!(row.contains(expected), "{expected} missing: {out}");
    }
    assert_eq!(reminds(&t, &id), 1);
    let case = t.show(&id);
    let event = case["history"]
        .as_array()
        .and_then(|h| h.last())
        .expect("event")
        .clone();
    assert_eq!(event["action"], "remind");
    assert_eq!(event["at"], FIVE_DAYS);
    assert_eq!(
        (event["from"].as_str(), event["to"].as_str()),
        (Some("waiting-for-customer"), Some("waiting-for-customer"))
    );
    assert!(event["message"]
        .as_str()
        .is_some_and(|m| m.contains("2026-11-26T10:00:00Z")));
    assert_eq!(
        case["waiting_since"], "2026-11-19T10:00:00Z",
        "the clock is not restarted"
    );
    assert_eq!(case["status"], "waiting-for-customer");

    // A second run in the same waiting period records and lists nothing.
    let before = t.file(&id);
    assert_eq!(t.stdout_at("2026-11-25T10:00:00Z", &["remind"]), "");
    assert_eq!(
        remind_json(&t, "2026-11-25T11:00:00Z", &[]),
        Vec::<serde_json::Value>::new()
    );
    assert_eq!(t.file(&id), before);

    // The sweep still closes at 7 days from the request-info, not from the reminder.
    assert_eq!(t.stdout_at("2026-11-26T09:59:59Z", &["sweep"]), "");
    assert_eq!(t.stdout_at("2026-11-26T10:00:00Z", &["sweep"]), format!("{id}\n"));
}

#[test]
fn a_new_request_info_starts_a_new_waiting_period() {
    let t = store_reminding_after(5);
    let id = waiting(&t);
    assert_eq!(ids(&remind_json(&t, FIVE_DAYS, &[])), vec![id.clone()]);
    // Asked again on day 6 (still waiting): the clock restarts, a new period begins.
    t.run_at("2026-11-25T10:00:00Z", &["request-info", &id, "--message", "Any news?"])
        .success();
    assert_eq!(remind_json(&t, "2026-11-30T09:59:59Z", &[]).len(), 0);
    assert_eq!(ids(&remind_json(&t, "2026-11-30T10:00:00Z", &[])), vec![id.clone()]);
    assert_eq!(reminds(&t, &id), 2);
    // After the customer's reply and another question: a third period.
    t.run_at("2026-12-01T10:00:00Z", &["reply", &id, "--message", "still broken"])
        .success();
    t.run_at(
        "2026-12-01T11:00:00Z",
        &["request-info", &id, "--message", "Logs please"],
    )
    .success();
    assert_eq!(ids(&remind_json(&t, "2026-12-06T11:00:00Z", &[])), vec![id.clone()]);
    assert_eq!(remind_json(&t, "2026-12-07T11:00:00Z", &[]).len(), 0);
    assert_eq!(reminds(&t, &id), 3);
}

#[test]
fn a_request_info_in_the_same_second_as_a_reminder_still_starts_a_new_period() {
    let t = store_reminding_after(5);
    let id = waiting(&t);
    assert_eq!(remind_json(&t, FIVE_DAYS, &[]).len(), 1);
    t.run_at(FIVE_DAYS, &["request-info", &id, "--message", "Any news?"])
        .success();
    assert_eq!(ids(&remind_json(&t, "2026-11-29T10:00:00Z", &[])), vec![id.clone()]);
    assert_eq!(reminds(&t, &id), 2);
}

#[test]
fn dry_run_lists_and_records_nothing() {
    let t = store_reminding_after(5);
    let id = waiting(&t);
    let before = t.file(&id);
    assert_eq!(ids(&remind_json(&t, FIVE_DAYS, &["--dry-run"])), vec![id.clone()]);
    assert_eq!(
        ids(&remind_json(&t, FIVE_DAYS, &["--dry-run"])),
        vec![id.clone()],
        "still due"
    );
    assert_eq!(t.file(&id), before);
    assert_eq!(ids(&remind_json(&t, FIVE_DAYS, &[])), vec![id.clone()]);
    assert_eq!(reminds(&t, &id), 1);
}

#[test]
fn json_for_a_mail_script() {
    let t = store_reminding_after(5);
    let id = waiting(&t);
    let list = remind_json(&t, "2026-11-24T12:00:00Z", &[]);
    assert_eq!(list.len(), 1);
    let case = &list[0];
    assert_eq!(case["id"], id.as_str());
    assert_eq!(case["customer"], "Globex");
    assert_eq!(case["email"], "ana@globex.example");
    assert_eq!(case["summary"], "Push fails on iOS");
    assert_eq!(case["status"], "waiting-for-customer");
    assert_eq!(case["waiting_since"], "2026-11-19T10:00:00Z");
    assert_eq!(case["auto_close_at"], "2026-11-26T10:00:00Z");
}

#[test]
fn only_waiting_cases_in_the_reminder_window_are_listed_oldest_first() {
    let t = store_reminding_after(3);
    let older = waiting(&t);
    let newer = t.open_simple();
    t.run_at("2026-11-20T10:00:00Z", &["request-info", &newer, "--message", "Logs?"])
        .success();
    let too_recent = t.open_simple();
    t.run_at(
        "2026-11-22T10:00:00Z",
        &["request-info", &too_recent, "--message", "Logs?"],
    )
    .success();
    // Waiting for 8 days: due for auto-close, so `sweep` closes it instead.
    let overdue_for_close = t.open_at("2026-11-10T10:00:00Z", &["--customer", "Globex", "--summary", "old"]);
    t.run_at(
        "2026-11-10T10:00:00Z",
        &["request-info", &overdue_for_close, "--message", "?"],
    )
    .success();
    let open = t.open_simple();
    let answered = waiting(&t);
    t.run_at("2026-11-21T10:00:00Z", &["reply", &answered, "--message", "here"])
        .success();
    let closed = waiting(&t);
    t.run(&["close", &closed, "--resolution", "fixed"]).success();

    let listed = ids(&remind_json(&t, "2026-11-23T10:00:00Z", &[]));
    assert_eq!(listed, [older.clone(), newer.clone()]);
    for id in [&too_recent, &overdue_for_close, &open, &answered, &closed] {
        assert_eq!(reminds(&t, id), 0, "{id}");
    }
}

#[test]
fn remind_after_days_must_be_less_than_auto_close_after_days() {
    let t = store_reminding_after(7);
    t.run(&["remind"])
        .code(5)
        .stderr(contains("remind_after_days"))
        .stderr(contains("auto_close_after_days"));
    let t = store_reminding_after(0);
    t.run(&["remind"]).code(5).stderr(contains("remind_after_days"));
}

#[test]
fn a_huge_auto_close_after_days_is_a_config_error_not_a_panic() {
    // remind computes "waiting since + auto_close_after_days", which overflowed.
    let config = CONFIG.replace("auto_close_after_days: 7", "auto_close_after_days: 4294967295");
    let t = TestStore::new();
    let id = waiting(&t);
    std::fs::write(t.path().join("config.yaml"), format!("{config}remind_after_days: 1\n")).unwrap();
    let before = t.file(&id);
    t.run_at("2026-11-21T10:00:00Z", &["remind"])
        .code(5)
        .stderr(contains("config.yaml"))
        .stderr(contains(
            "auto_close_after_days (4294967295) must be at least 1 and at most 3650",
        ));
    assert_eq!(t.file(&id), before, "nothing written");
    let t = TestStore::with_config(&format!(
        "{}remind_after_days: 1\n",
        CONFIG.replace("auto_close_after_days: 7", "auto_close_after_days: 3650")
    ));
    let id = waiting(&t);
    assert_eq!(ids(&remind_json(&t, "2026-11-20T10:00:00Z", &["--dry-run"])), [id]);
}

/// At 60, 80 and 132 columns the table keeps one case a line: its IDs,
/// instants and addresses are never broken over two lines (the summary is
/// cut with `…`); the fixed columns take about 100, so only 132 fits whole.
#[test]
fn the_table_keeps_one_case_a_line_at_any_width_and_never_breaks_a_word() {
    let t = store_reminding_after(2);
    let id = waiting(&t);
    let later = "2026-11-22T10:00:00Z";
    for width in [60, 80, 132] {
        let out = t
            .cmd()
            .env("TICKETS_NOW", later)
            .env("COLUMNS", width.to_string())
            .args(["remind", "--dry-run"])
            .output()
            .unwrap();
        let out = String::from_utf8(out.stdout).unwrap();
        // One case a line; on a narrow terminal its summary goes under it.
        let items: Vec<&str> = out.lines().filter(|l| !l.starts_with("    ")).collect();
        assert_eq!(items.len(), 2, "{width}:\n{out}");
        assert!(out.lines().all(|l| l.chars().count() <= width), "{width}:\n{out}");
        let row = items[1];
        assert!(
            row.contains(&id) && row.contains("ana@globex.example"),
            "{width}:\n{out}"
        );
        assert!(row.contains("2026-11-19T10:00:00Z"), "{width}:\n{out}");
        if width == 132 {
            assert!(row.contains("Push fails on iOS"), "{out}");
        }
    }
}
