//! Every row of the transition table through the binary, allowed and refused.

use crate::support::*;
use predicates::str::contains;

#[test]
fn investigate_moves_open_to_at_investigation_and_records_one_event() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["investigate", &id]).success();
    let case = t.show(&id);
    assert_eq!(case["status"], "at-investigation");
    let history = case["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["action"], "investigate");
    assert_eq!(history[1]["from"], "open");
    assert_eq!(history[1]["to"], "at-investigation");
    assert_eq!(history[1]["actor"], "tester");
}

#[test]
fn closed_case_refuses_every_command_with_exit_4_and_a_follow_up_hint() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["close", &id, "--resolution", "fixed"]).success();
    let before = t.file(&id);
    t.run(&["investigate", &id])
        .code(4)
        .stderr(contains("closed"))
        .stderr(contains("--follow-up-of"));
    t.run(&["reply", &id, "--message", "hi"]).code(4);
    assert_eq!(t.file(&id), before, "a refused command must not write");
}
