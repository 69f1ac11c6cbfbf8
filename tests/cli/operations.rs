//! The application layer used as a library, as a web handler would: no
//! process, no environment, no stdin; every result and warning is data.

use crate::support::*;
use std::path::PathBuf;
use std::time::Duration;
use tickets::core::time::parse_instant;
use tickets::operations::{
    self, Enclosures, ListFilter, Mode, OpenRequest, Opened, Opening, Outcome, Replied, Report, Session, Warning,
};
use tickets::store::Store;
use tickets::{ActionKind, Channel, Severity, Status};

fn session(t: &TestStore, actor: &str, now: &str) -> Session {
    Session {
        store: Store::new(t.path()),
        actor: actor.into(),
        now: parse_instant(now).expect("a valid instant"),
        lock_wait: Duration::from_secs(5),
    }
}

fn opened(opening: Opening) -> Opened {
    match opening {
        Opening::Opened(opened) => opened,
        Opening::AlreadyOpened { id } => panic!("expected a new case, got the redelivery of {id}"),
    }
}

/// No files with the event.
fn none(s: &Session) -> Enclosures {
    Enclosures::none(&s.store)
}

fn mail(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mail").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn open_investigate_request_info_reply_close_through_the_library() {
    let t = TestStore::new();
    let s = session(&t, "alice", NOW);
    let mut request = OpenRequest::new("Acme Corp", "Push notifications fail on iOS");
    request.channel = Channel::Phone;
    let opened = opened(operations::open(&s, request, none(&s)).expect("open"));
    assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
    assert!(opened.errors.is_empty());
    let id = opened.case.id.clone();
    // Routed by skills, saved, and readable by the binary.
    assert_eq!(opened.case.assignee.as_deref(), Some("alice"));
    assert_eq!(opened.case.severity, Severity::High);
    assert_eq!(t.show(&id)["status"], "open");

    let prefix = &id[..6];
    let investigated = operations::investigate(&s, prefix, Some("looking".into())).expect("investigate");
    assert_eq!(
        (investigated.before, investigated.case.status),
        (Status::Open, Status::AtInvestigation)
    );
    let asked = operations::request_info(&s, &id, "Which version?".into(), none(&s)).expect("request-info");
    assert_eq!(asked.before, Status::AtInvestigation);
    assert_eq!(asked.case.waiting_since, Some(s.now));
    let replied = operations::reply(&s, &id, "7.2".into(), none(&s)).expect("reply");
    assert_eq!(
        (replied.before, replied.case.status),
        (Status::WaitingForCustomer, Status::Open)
    );
    let closed = operations::close(&s, &id, "Fixed in 7.3".into(), none(&s)).expect("close");
    assert_eq!(closed.case.status, Status::Closed);

    // What the operations returned is what they saved.
    let shown = operations::show(&s, &id).expect("show");
    assert_eq!(shown.case, closed.case);
    let actions: Vec<ActionKind> = shown.case.history.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            ActionKind::Open,
            ActionKind::Investigate,
            ActionKind::RequestInfo,
            ActionKind::Reply,
            ActionKind::Close
        ]
    );
    // A refusal is a typed error, with the documented exit code, and writes nothing.
    let before = std::fs::read(t.case_path(&id)).expect("case file");
    let refused = operations::investigate(&s, &id, None).expect_err("closed is terminal");
    assert_eq!(tickets::ExitCode::of(&refused), 4);
    assert_eq!(std::fs::read(t.case_path(&id)).expect("case file"), before);
}

#[test]
fn warnings_come_back_as_data_not_on_stderr() {
    // Nobody at L1 is available, the customer is not in config.yaml, and
    // git commits are asked for in a store that is no git clone.
    let t =
        TestStore::with_config("analysts: [{id: ana, name: Ana, level: l1, available: false}]\ngit: {commit: true}\n");
    let s = session(&t, "ana", NOW);
    let opened = opened(operations::open(&s, OpenRequest::new("Acme Typo", "Login fails"), none(&s)).expect("open"));
    let id = opened.case.id.clone();
    assert_eq!(opened.case.assignee, None);
    match opened.warnings.as_slice() {
        [Warning::NotCommitted { files, .. }, Warning::UnknownCustomer { customer }, Warning::Unassigned { id: unassigned, .. }] =>
        {
            assert_eq!(files, &[t.case_path(&id)]);
            assert_eq!(customer, "Acme Typo");
            assert_eq!(unassigned, &id);
        }
        other => panic!("unexpected warnings: {other:?}"),
    }
    // The case is saved all the same.
    assert_eq!(t.show(&id)["status"], "open");
}

#[test]
fn assign_and_reassess_to_what_the_case_already_is_write_nothing() {
    let t = TestStore::new();
    let s = session(&t, "alice", NOW);
    let id = opened(operations::open(&s, OpenRequest::new("Acme Corp", "Push fails on ios"), none(&s)).expect("open"))
        .case
        .id;
    let before = std::fs::read(t.case_path(&id)).expect("case file");
    match operations::assign(&s, &id, "alice", None).expect("assign") {
        Outcome::Unchanged(case) => assert_eq!(case.assignee.as_deref(), Some("alice")),
        Outcome::Changed(_) => panic!("alice already had the case"),
    }
    match operations::reassess(&s, &id, Severity::Medium, None).expect("reassess") {
        Outcome::Unchanged(case) => assert_eq!(case.severity, Severity::Medium),
        Outcome::Changed(_) => panic!("the case already was medium"),
    }
    assert_eq!(std::fs::read(t.case_path(&id)).expect("case file"), before);
    match operations::reassess(&s, &id, Severity::High, Some("hotline".into())).expect("reassess") {
        Outcome::Changed(reassessed) => {
            assert_eq!(reassessed.before, Severity::Medium);
            assert_eq!(reassessed.transitioned.case.severity, Severity::High);
        }
        Outcome::Unchanged(_) => panic!("medium -> high is a change"),
    }
    let unknown = operations::assign(&s, &id, "zed", None).expect_err("zed is not in the roster");
    assert_eq!(tickets::ExitCode::of(&unknown), 2);
}

#[test]
fn mail_from_a_byte_slice_opens_once_and_replies_once() {
    let t = TestStore::new();
    let s = session(&t, "mailer", NOW);
    let raw = mail("plain.eml");
    let first = opened(operations::open_from_email(&s, raw.as_slice(), None).expect("open"));
    // The sender acts, not the session's actor.
    assert_eq!(first.case.history[0].actor, "ana.souza@acme.example");
    assert_eq!(first.case.channel, Channel::Email);
    match operations::open_from_email(&s, raw.as_slice(), None).expect("redelivery") {
        Opening::AlreadyOpened { id } => assert_eq!(id, first.case.id),
        Opening::Opened(opened) => panic!("a redelivery opened {}", opened.case.id),
    }

    let reply = format!(
        "From: Ana Souza <ana.souza@acme.example>\r\nSubject: Re: [{}] Push\r\nMessage-ID: <r1@acme.example>\r\n\r\nStill broken.\r\n",
        first.case.id
    );
    match operations::reply_from_email(&s, reply.as_bytes(), None, Some("desk")).expect("reply") {
        Replied::Recorded(transitioned) => {
            assert_eq!(transitioned.case.history.last().map(|e| e.actor.as_str()), Some("desk"));
        }
        other => panic!("the first delivery was not recorded: {other:?}"),
    }
    match operations::reply_from_email(&s, reply.as_bytes(), None, None).expect("redelivery") {
        Replied::AlreadyRecorded(case) => assert_eq!(case.history.len(), 2),
        other => panic!("a redelivery was recorded twice: {other:?}"),
    }
}

#[test]
fn sweep_returns_what_it_closed_and_a_second_sweep_closes_nothing() {
    let t = TestStore::new();
    let s = session(&t, "alice", NOW);
    let id = opened(operations::open(&s, OpenRequest::new("Globex", "Slow login"), none(&s)).expect("open"))
        .case
        .id;
    operations::request_info(&s, &id, "Which browser?".into(), none(&s)).expect("request-info");
    let later = session(&t, "sweep", "2026-11-26T10:00:00Z");
    assert_eq!(operations::due_for_sweep(&later).expect("due").due.len(), 1);

    let dry = operations::sweep(&later, Mode::Preview, Report::Summaries).expect("dry run");
    assert_eq!(dry.closed, std::slice::from_ref(&id));
    assert_eq!(
        dry.summaries
            .iter()
            .map(|c| (c.id.as_str(), c.status))
            .collect::<Vec<_>>(),
        [(id.as_str(), tickets::core::vocabulary::Status::Closed)],
        "the summaries say what the sweep would make of the case"
    );
    assert_eq!(
        t.show(&id)["status"],
        "waiting-for-customer",
        "a dry run writes nothing"
    );

    let swept = operations::sweep(&later, Mode::Apply, Report::Ids).expect("sweep");
    assert_eq!(swept.closed.len(), 1);
    assert!(swept.summaries.is_empty(), "summaries only when asked for");
    assert!(swept.errors.is_empty() && swept.warnings.is_empty() && swept.failed.is_none());
    assert_eq!(t.show(&id)["status"], "closed");
    assert!(operations::sweep(&later, Mode::Apply, Report::Ids)
        .expect("again")
        .closed
        .is_empty());

    let listed = operations::list(&later, &ListFilter::default()).expect("list");
    assert!(listed.rows.is_empty(), "closed cases are not listed by default");
    let all = ListFilter {
        all: true,
        ..ListFilter::default()
    };
    assert_eq!(operations::list(&later, &all).expect("list --all").rows.len(), 1);
}

/// The layer's promise, held at the source: it never prints and never reads
/// the environment or stdin (the front ends do).
#[test]
fn the_operations_layer_never_prints_nor_reads_the_environment() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/operations");
    let forbidden = [
        "print!",
        "println!",
        "eprint!",
        "eprintln!",
        "diagnostic(",
        "std::env",
        "stdin(",
        "stdout(",
        "stderr(",
    ];
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("src/operations") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("source");
        files += 1;
        for word in forbidden {
            assert!(!text.contains(word), "{} uses {word}", path.display());
        }
    }
    assert!(files >= 2, "{files} files in {}", dir.display());
}
