//! Arbitrary action sequences through the life cycle: `apply` never panics,
//! history only grows by one event per success, closed stays closed, and
//! replaying the history gives the stored state.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Duration, Utc};
use libfuzzer_sys::fuzz_target;
use tickets::lifecycle::{self, Action, NewCase};
use tickets::{Channel, Impact, Severity, Status};

#[derive(Debug, Arbitrary)]
enum Step {
    Investigate(Option<String>),
    RequestInfo(String),
    Reply(String),
    Escalate(Option<u8>, Option<String>, Option<String>),
    Close(String),
    AutoClose(String),
    Assign(String, Option<String>),
    Reassess(u8, Option<String>),
    Remind(Option<String>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    summary: String,
    description: String,
    channel: u8,
    steps: Vec<(u32, Step)>,
}

fn pick<T: Copy>(all: &[T], n: u8) -> T {
    all[usize::from(n) % all.len()]
}

fn action(step: Step) -> Action {
    match step {
        Step::Investigate(note) => Action::Investigate { note },
        Step::RequestInfo(message) => Action::RequestInfo { message },
        Step::Reply(message) => Action::Reply {
            message,
            message_id: None,
        },
        Step::Escalate(impact, assignee, note) => Action::Escalate {
            impact: impact.map(|i| pick(Impact::ALL, i)),
            assignee,
            note,
        },
        Step::Close(resolution) => Action::Close { resolution },
        Step::AutoClose(resolution) => Action::AutoClose { resolution },
        Step::Assign(analyst, note) => Action::Assign { analyst, note },
        Step::Reassess(severity, note) => Action::Reassess {
            severity: pick(Severity::ALL, severity),
            note,
        },
        Step::Remind(message) => Action::Remind { message },
    }
}

fuzz_target!(|input: Input| {
    let start: DateTime<Utc> = DateTime::from_timestamp(1_795_000_000, 0).expect("valid instant");
    let mut case = lifecycle::open(
        NewCase {
            id: "RC-FUZZ0000".into(),
            customer: "Acme Corp".into(),
            summary: input.summary,
            description: input.description,
            email: None,
            channel: pick(Channel::ALL, input.channel),
            severity: None,
            follow_up_of: None,
            message_id: None,
            assignee: Some("alice".into()),
            routing_reason: None,
        },
        "fuzz",
        start,
    );
    let mut now = start;
    for (seconds, step) in input.steps {
        now += Duration::seconds(i64::from(seconds % 1_000_000));
        let was_closed = case.status == Status::Closed;
        if let Ok(next) = lifecycle::apply(&case, &action(step), "fuzz", now) {
            assert!(!was_closed, "closed is terminal");
            assert_eq!(next.history.len(), case.history.len() + 1);
            assert_eq!(next.history[..case.history.len()], case.history[..]);
            case = next;
        }
        let replayed = lifecycle::replay(&case).expect("a history built by apply replays");
        assert_eq!(replayed, case);
    }
    // Whatever text went in, the file the store writes reads back the same.
    let path = std::path::Path::new("RC-FUZZ0000.yaml");
    let written = tickets::store::to_yaml(&case).expect("serialize");
    let read = tickets::store::parse_case(path, &written, Some("RC-FUZZ0000")).expect("parse what was written");
    assert_eq!(read, case);
});
