//! Property tests on the pure life-cycle core, called as a library: random
//! action sequences at non-decreasing times.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use tickets::core::lifecycle::{
    allowed_from, apply, auto_close_resolution, due_for_auto_close, open, replay, Action, NewCase,
};
use tickets::core::list_change::ListChange;
use tickets::{ActionKind, Case, Channel, Error, Impact, Severity, Status};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 19, 10, 0, 0).unwrap()
}

fn impact() -> impl Strategy<Value = Option<Impact>> {
    prop::option::of(prop::sample::select(Impact::ALL.to_vec()))
}

fn severity() -> impl Strategy<Value = Severity> {
    prop::sample::select(Severity::ALL.to_vec())
}

fn analyst() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["alice", "bruno", "carla", "dora"]).prop_map(str::to_string)
}

fn note() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[a-z ]{1,12}")
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        note().prop_map(|note| Action::Investigate { note }),
        "[a-z ?]{1,12}".prop_map(|message| Action::RequestInfo { message }),
        ("[a-z !]{1,12}", prop::option::of("[a-z0-9.@]{1,12}"))
            .prop_map(|(message, message_id)| Action::Reply { message, message_id }),
        (impact(), prop::option::of(analyst()), note()).prop_map(|(impact, assignee, note)| Action::Escalate {
            impact,
            assignee,
            note
        }),
        "[a-z ]{1,12}".prop_map(|resolution| Action::Close { resolution }),
        Just(Action::AutoClose {
            resolution: auto_close_resolution(7)
        }),
        (analyst(), note()).prop_map(|(analyst, note)| Action::Assign { analyst, note }),
        (severity(), note()).prop_map(|(severity, note)| Action::Reassess { severity, note }),
        prop::option::of("[a-z ]{1,12}").prop_map(|message| Action::Remind { message }),
        "[a-z ]{1,12}".prop_map(|message| Action::Note { message }),
        note().prop_map(|note| Action::Merge {
            into: "RC-PROP0002".into(),
            note
        }),
        note().prop_map(|note| Action::Merged {
            from: "RC-PROP0003".into(),
            note
        }),
        (prop::sample::select(vec!["Acme Corp", "Globex"]), note()).prop_map(|(customer, note)| {
            Action::SetCustomer {
                customer: customer.to_string(),
                note,
            }
        }),
        (list_changes(), note()).prop_map(|(changes, note)| Action::Tag { changes, note }),
        (list_changes(), note()).prop_map(|(changes, note)| Action::Cc { changes, note }),
    ]
}

/// A few `+item` / `-item` changes to a case's tags or CC list.
fn list_changes() -> impl Strategy<Value = Vec<ListChange>> {
    prop::collection::vec(
        (any::<bool>(), prop::sample::select(vec!["a", "b", "c"])).prop_map(|(add, item)| {
            if add {
                ListChange::Add(item.to_string())
            } else {
                ListChange::Remove(item.to_string())
            }
        }),
        1..4,
    )
}

/// A step: seconds after the previous step (0 allowed: same instant), an action, an actor.
fn steps() -> impl Strategy<Value = Vec<(i64, Action, String)>> {
    prop::collection::vec((0i64..4 * 86_400, action(), analyst()), 0..24)
}

fn new_case() -> impl Strategy<Value = NewCase> {
    (
        prop::sample::select(Channel::ALL.to_vec()),
        prop::option::of(severity()),
        prop::option::of(analyst()),
        prop::option::of("RC-[0-9A-Z]{8}"),
    )
        .prop_map(|(channel, severity, assignee, follow_up_of)| NewCase {
            id: "RC-PROP0001".into(),
            customer: "Acme Corp".into(),
            summary: "Push fails".into(),
            description: "Since the update\nno push at all".into(),
            email: Some("ana@acme.example".into()),
            channel,
            severity,
            follow_up_of,
            message_id: None,
            routing_reason: assignee.as_ref().map(|a| format!("routed to {a}")),
            assignee,
        })
}

/// `sweep` on one case: auto-close it if it is due.
fn sweep(case: &Case, now: DateTime<Utc>) -> Case {
    if due_for_auto_close(case, now, Duration::days(7)) {
        apply(
            case,
            &Action::AutoClose {
                resolution: auto_close_resolution(7),
            },
            "sweep",
            now,
        )
        .expect("a due case closes")
    } else {
        case.clone()
    }
}

/// SPEC section 1's table, written out here rather than read from the
/// library's `TRANSITIONS`, so a wrong table fails this test.
fn spec_allows(status: Status, action: ActionKind) -> bool {
    use ActionKind as A;
    use Status::*;
    match action {
        A::Investigate => matches!(status, Open | Escalated),
        A::Escalate => matches!(status, Open | AtInvestigation),
        A::AutoClose | A::Remind => status == WaitingForCustomer,
        A::RequestInfo | A::Reply | A::Close | A::Assign | A::Reassess | A::Note | A::SetCustomer | A::Tag | A::Cc => {
            status != Closed
        }
        // SPEC section 10: a duplicate merges, and a case takes one, from any status but closed.
        A::Merge | A::Merged => status != Closed,
        A::Open => false,
    }
}

/// Checks the invariants every reachable case satisfies.
fn check_reachable(case: &Case) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        replay(case),
        Ok(case.clone()),
        "the stored state is the replay of the history"
    );
    prop_assert_eq!(
        case.waiting_since.is_some(),
        case.status == Status::WaitingForCustomer,
        "waiting_since is set iff waiting: {:?}",
        case
    );
    prop_assert_eq!(case.updated_at, case.history.last().unwrap().at);
    prop_assert_eq!(case.resolution.is_some(), case.status == Status::Closed);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn history_only_grows_refusals_follow_the_spec_table_closed_stays_closed_and_replay_matches(
        new in new_case(),
        steps in steps(),
    ) {
        let mut now = start();
        let mut case = open(new, "tester", now);
        check_reachable(&case)?;
        for (seconds, action, actor) in steps {
            now += Duration::seconds(seconds);
            let before = case.clone();
            let allowed = spec_allows(before.status, action.kind());
            prop_assert_eq!(
                allowed_from(before.status).contains(&action.kind()),
                allowed,
                "allowed_from({}) disagrees with the SPEC about {:?}",
                before.status,
                action.kind()
            );
            match apply(&case, &action, &actor, now) {
                Ok(next) => {
                    prop_assert!(allowed, "{:?} applied from {}", action, before.status);
                    prop_assert_eq!(next.history.len(), before.history.len() + 1, "one event per apply");
                    prop_assert_eq!(&next.history[..before.history.len()], &before.history[..], "earlier events untouched");
                    let event = next.history.last().unwrap();
                    prop_assert_eq!(event.action, action.kind());
                    prop_assert_eq!(event.from, Some(before.status));
                    prop_assert_eq!(event.to, next.status);
                    prop_assert_eq!(event.at, now);
                    prop_assert_eq!(&event.actor, &actor);
                    prop_assert_eq!(next.created_at, before.created_at);
                    prop_assert_eq!(&next.id, &before.id);
                    check_reachable(&next)?;
                    case = next;
                }
                Err(error) => {
                    prop_assert!(!allowed, "{:?} refused from {}: {}", action, before.status, error);
                    prop_assert_eq!(tickets::ExitCode::of(&error), 4);
                    if before.status == Status::Closed {
                        prop_assert!(matches!(error, Error::Closed { .. }), "closed stays closed: {}", error);
                    } else {
                        prop_assert!(matches!(error, Error::TransitionNotAllowed { .. }), "{}", error);
                    }
                }
            }
            if before.status == Status::Closed {
                prop_assert_eq!(&case, &before, "closed stays closed");
            }
        }
    }

    #[test]
    fn sweeping_twice_equals_sweeping_once(
        new in new_case(),
        steps in steps(),
        later in 0i64..20 * 86_400,
    ) {
        let mut now = start();
        let mut case = open(new, "tester", now);
        for (seconds, action, actor) in steps {
            now += Duration::seconds(seconds);
            if let Ok(next) = apply(&case, &action, &actor, now) {
                case = next;
            }
        }
        let sweep_at = now + Duration::seconds(later);
        let once = sweep(&case, sweep_at);
        let twice = sweep(&once, sweep_at);
        prop_assert_eq!(&twice, &once);
        prop_assert!(!due_for_auto_close(&once, sweep_at, Duration::days(7)), "nothing left due at that instant");
        let waited = case.waiting_since.map(|since| sweep_at - since);
        let expect_closed = case.status == Status::WaitingForCustomer && waited.is_some_and(|w| w >= Duration::days(7));
        prop_assert_eq!(once.status == Status::Closed && case.status != Status::Closed, expect_closed);
        check_reachable(&once)?;
    }
}
