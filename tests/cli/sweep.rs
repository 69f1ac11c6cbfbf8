//! sweep: the 7-day edge, dry-run, idempotence.

use crate::support::*;

#[test]
fn sweep_closes_exactly_at_seven_days_not_a_second_before() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    assert_eq!(t.stdout_at("2026-11-26T09:59:59Z", &["sweep"]), "");
    assert_eq!(t.stdout_at("2026-11-26T10:00:00Z", &["sweep"]), format!("{id}\n"));
    assert_eq!(t.status(&id), "closed");
    assert_eq!(
        t.stdout_at("2026-11-26T10:00:00Z", &["sweep"]),
        "",
        "sweep twice closes nothing more"
    );
}
