//! Every JSON/YAML view pinned by a snapshot of its real serialized text,
//! built from fixed cases at fixed instants: a renamed, reordered, added or
//! dropped field fails here before it reaches a script. Review a deliberate
//! change with `cargo insta review` (or rerun with `INSTA_UPDATE=always`).

use crate::core::case::Case;
use crate::core::digest::Digest;
use crate::core::lifecycle::{apply, auto_close_resolution, open, Action, NewCase};
use crate::core::list_change::ListChange;
use crate::core::targets::Due;
use crate::core::targets::Policy;
use crate::core::vocabulary::{Channel, Impact, Severity};
use crate::operations::stats::{compute, trend, Period, Window};
use crate::views::*;
use chrono::{DateTime, Duration, Utc};

/// The instant every case opens at (a Thursday, 10:00 UTC).
fn t0() -> DateTime<Utc> {
    crate::core::time::parse_instant("2026-11-19T10:00:00Z").expect("fixed instant")
}

/// *Now* for views that need it: eight days later.
fn now() -> DateTime<Utc> {
    t0() + Duration::days(8)
}

fn new_case(id: &str, channel: Channel, severity: Option<Severity>, assignee: &str) -> NewCase {
    NewCase {
        summary: "Push notifications fail on iOS".into(),
        description: "Since the 7.1 upgrade.\nEvery device.".into(),
        email: Some("ana@acme.example".into()),
        channel,
        severity,
        assignee: Some(assignee.into()),
        routing_reason: Some(format!("{assignee}: skills push, ios")),
        ..NewCase::example(id)
    }
}

fn step(case: &Case, action: Action, actor: &str, after: Duration) -> Case {
    apply(case, &action, actor, t0() + after).expect("allowed by the life cycle")
}

/// Opened by e-mail, investigated, asked twice for information (the
/// customer answered between), then reminded.
fn waiting() -> Case {
    let mut new = new_case("RC-7K3QX9MT", Channel::Email, None, "alice");
    new.message_id = Some("<m1@acme.example>".into());
    let case = open(new, "ana@acme.example", t0());
    let case = step(
        &case,
        Action::Investigate {
            note: Some("Reproduced on iOS 17".into()),
        },
        "alice",
        Duration::minutes(30),
    );
    let case = step(
        &case,
        Action::RequestInfo {
            message: "Which app version?".into(),
        },
        "alice",
        Duration::hours(1),
    );
    let case = step(
        &case,
        Action::Reply {
            message: "7.1.3".into(),
            message_id: Some("<m2@acme.example>".into()),
        },
        "ana@acme.example",
        Duration::hours(2),
    );
    let case = step(
        &case,
        Action::RequestInfo {
            message: "Logs, please?".into(),
        },
        "alice",
        Duration::hours(3),
    );
    step(
        &case,
        Action::Remind {
            message: Some("reminder: waiting for the customer".into()),
        },
        "remind",
        Duration::days(5),
    )
}

/// Opened by phone, escalated to L2, then into R&D's queue.
fn escalated() -> Case {
    let case = open(
        new_case("RC-9M2PL4QA", Channel::Phone, Some(Severity::High), "bruno"),
        "bruno",
        t0(),
    );
    let case = step(
        &case,
        Action::Escalate {
            impact: None,
            assignee: Some("carla".into()),
            note: Some("Cannot reproduce".into()),
        },
        "bruno",
        Duration::hours(2),
    );
    step(
        &case,
        Action::Escalate {
            impact: Some(Impact::High),
            assignee: None,
            note: None,
        },
        "carla",
        Duration::days(1),
    )
}

/// Opened by the portal and not yet answered: overdue by *now*.
fn unanswered() -> Case {
    open(
        new_case("RC-6TQ3RM8F", Channel::Portal, None, "alice"),
        "ana@acme.example",
        t0(),
    )
}

/// A follow-up, answered and closed by an analyst.
fn closed() -> Case {
    let mut new = new_case("RC-4HX8WZ2B", Channel::Portal, Some(Severity::Low), "alice");
    new.follow_up_of = Some("RC-AAAAAAAA".into());
    let case = open(new, "alice", t0());
    let case = step(
        &case,
        Action::Tag {
            changes: vec![ListChange::parse("+ios"), ListChange::parse("+billing")],
            note: None,
        },
        "alice",
        Duration::hours(1),
    );
    let case = step(
        &case,
        Action::Cc {
            changes: vec![ListChange::parse("+bo@acme.example")],
            note: Some("Bo runs the app".into()),
        },
        "alice",
        Duration::hours(2),
    );
    step(
        &case,
        Action::Close {
            resolution: "Fixed in 7.2".into(),
        },
        "alice",
        Duration::hours(3),
    )
}

/// Asked for information, then auto-closed by the sweep a week later.
fn auto_closed() -> Case {
    let case = open(new_case("RC-2B5NC7DE", Channel::Email, None, "bruno"), "bruno", t0());
    let case = step(
        &case,
        Action::RequestInfo {
            message: "Logs, please?".into(),
        },
        "bruno",
        Duration::hours(1),
    );
    step(
        &case,
        Action::AutoClose {
            resolution: auto_close_resolution(7),
        },
        "sweep",
        Duration::hours(1) + Duration::days(7),
    )
}

fn due() -> Due {
    Due {
        plan: "mission-critical".into(),
        first_response_due: t0() + Duration::hours(4),
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serialize(Format::Json, value)
        .expect("serializes")
        .expect("json is text")
}

fn yaml(value: &impl serde::Serialize) -> String {
    serialize(Format::Yaml, value)
        .expect("serializes")
        .expect("yaml is text")
}

#[test]
fn case_view_of_show() {
    let view = CaseView::of_case(&waiting(), &due(), now());
    insta::assert_snapshot!("case_view_of_show_json", json(&view));
    insta::assert_snapshot!("case_view_of_show_yaml", yaml(&view));
    // Events that set the tier, the assignee and the impact.
    let view = CaseView::of_case(&escalated(), &due(), now());
    insta::assert_snapshot!("case_view_of_show_escalated_json", json(&view));
}

#[test]
fn case_view_of_list() {
    let views: Vec<CaseView> = [waiting(), escalated(), closed(), unanswered()]
        .iter()
        .map(|case| CaseView::of_digest(&Digest::of(case), &due(), now()))
        .collect();
    insta::assert_snapshot!("case_view_of_list_json", json(&views));
    insta::assert_snapshot!("case_view_of_list_yaml", yaml(&views));
}

#[test]
fn queue_view() {
    let views = vec![QueueView {
        position: 1,
        case: CaseView::of_digest(&Digest::of(&escalated()), &due(), now()),
    }];
    insta::assert_snapshot!("queue_view_json", json(&views));
    insta::assert_snapshot!("queue_view_yaml", yaml(&views));
}

#[test]
fn remind_view() {
    let views = vec![RemindView {
        case: CaseView::of_digest(&Digest::of(&waiting()), &due(), now()),
        auto_close_at: "2026-11-26T11:00:00Z".into(),
    }];
    insta::assert_snapshot!("remind_view_json", json(&views));
    insta::assert_snapshot!("remind_view_yaml", yaml(&views));
}

#[test]
fn check_view() {
    let problems = [
        Problem {
            path: "tickets/RC-7K3QX9MT.yaml".into(),
            line: Some(12),
            gravity: Gravity::Error,
            kind: "state-mismatch",
            message: "status is open, but replaying the history gives waiting-for-customer".into(),
        },
        Problem {
            path: "tickets/RC-9M2PL4QA.yaml".into(),
            line: Some(4),
            gravity: Gravity::Warning,
            kind: "unknown-customer",
            message: "customer Initrode is not in config.yaml".into(),
        },
        Problem {
            path: "tickets/.RC-2B5NC7DE.yaml.tmp".into(),
            line: None,
            gravity: Gravity::Note,
            kind: "temp-file",
            message: "temp file of an interrupted write".into(),
        },
    ];
    let view = CheckView {
        ok: false,
        cases: 4,
        errors: 1,
        warnings: 1,
        notes: 1,
        problems: &problems,
    };
    insta::assert_snapshot!("check_view_json", json(&view));
    insta::assert_snapshot!("check_view_yaml", yaml(&view));
}

#[test]
fn stats_view() {
    let summaries: Vec<Digest> = [waiting(), escalated(), closed(), auto_closed(), unanswered()]
        .iter()
        .map(Digest::of)
        .collect();
    let policy = Policy::new(&crate::core::config::Config::default()).expect("the default policy");
    let window = Window {
        since: Some(t0() - Duration::days(1)),
        until: None,
    };
    let stats = compute(&summaries, window, &policy, now());
    insta::assert_snapshot!("stats_view_json", json(&stats));
    insta::assert_snapshot!("stats_view_yaml", yaml(&stats));
}

#[test]
fn tag_stats_view() {
    let mut summaries: Vec<Digest> = [waiting(), escalated(), closed(), auto_closed(), unanswered()]
        .iter()
        .map(Digest::of)
        .collect();
    // A tag config.yaml no longer lists still gets its row, after the listed ones.
    summaries[1].tags = vec!["legacy".into(), "ios".into()];
    let mut accumulator = crate::operations::stats::TagAccumulator::new(
        Window::default(),
        &["sso".into(), "ios".into(), "billing".into()],
    );
    summaries.iter().for_each(|s| accumulator.add(s));
    let view = accumulator.finish();
    insta::assert_snapshot!("tag_stats_view_json", json(&view));
    insta::assert_snapshot!("tag_stats_view_yaml", yaml(&view));
}

#[test]
fn trend_view() {
    let summaries: Vec<Digest> = [waiting(), escalated(), closed(), auto_closed(), unanswered()]
        .iter()
        .map(Digest::of)
        .collect();
    let policy = Policy::new(&crate::core::config::Config::default()).expect("the default policy");
    let view = trend(&summaries, Period::Week, Window::default(), &policy, now());
    insta::assert_snapshot!("trend_view_json", json(&view));
    insta::assert_snapshot!("trend_view_yaml", yaml(&view));
}

/// A duplicate merged into the waiting case a day after it opened, and the
/// waiting case with its `merged` record.
fn merged_pair() -> (Case, Case) {
    let source = open(new_case("RC-4H2XJR7C", Channel::Portal, None, "bruno"), "portal", t0());
    let source = step(
        &source,
        Action::Merge {
            into: "RC-7K3QX9MT".into(),
            note: Some("We follow both up in RC-7K3QX9MT.".into()),
        },
        "alice",
        Duration::days(1),
    );
    let target = waiting();
    let at = target.updated_at - t0();
    let target = step(
        &target,
        Action::Merged {
            from: source.id.clone(),
            note: None,
        },
        "alice",
        at,
    );
    (source, target)
}

#[test]
fn case_view_of_a_merge() {
    let (source, target) = merged_pair();
    // `show` of the target: who was merged into it and their public conversation.
    let mut view = CaseView::of_case(&target, &due(), now());
    view.merged_conversations = Some(vec![MergedConversation::of(&source)]);
    insta::assert_snapshot!("case_view_of_a_merge_target_json", json(&view));
    // `list` of the duplicate: `merged_into`.
    let view = CaseView::of_digest(&Digest::of(&source), &due(), now());
    insta::assert_snapshot!("case_view_of_a_merge_source_list_json", json(&view));
    insta::assert_snapshot!("case_view_of_a_merge_source_list_yaml", yaml(&view));
}
