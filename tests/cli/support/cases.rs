//! Cases brought to each status of the life cycle, at known instants, and
//! instants some hours after NOW.

use super::store::TestStore;
use serde_json::Value;

/// When the case reaching a status takes its second step.
pub const T1: &str = "2026-11-19T10:30:00Z";
/// When the command under test runs.
pub const T2: &str = "2026-11-19T11:00:00Z";
/// When the escalated case was first escalated (L1 -> L2): its first response.
pub const T_L2: &str = "2026-11-19T10:10:00Z";

/// Brings a fresh case to `status`. Cases reach every status but `escalated`
/// at `l1`; `escalated` is at `rnd` with impact medium.
pub fn case_in(t: &TestStore, status: &str) -> String {
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

/// The last event of a case's history.
pub fn last_event(case: &Value) -> &Value {
    case["history"].as_array().expect("history").last().expect("an event")
}

/// Hours in a day, for [`at`].
pub const DAY: i64 = 24;

/// NOW plus some hours, in RFC 3339.
pub fn at(hours: i64) -> String {
    let now = chrono::DateTime::parse_from_rfc3339(super::store::NOW).unwrap();
    (now + chrono::Duration::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
