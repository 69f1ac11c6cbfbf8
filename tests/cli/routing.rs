//! Routing through the binary (SPEC section 3): skills, ties to the fewest
//! active cases then roster order, unavailable analysts, nobody available.

use crate::support::*;
use predicates::str::contains;

/// Two L1 analysts with the same skills, a third who is away, and L2s.
const TWINS: &str = r#"id_prefix: RC
analysts:
  - id: ana
    level: l1
    skills: [email, smtp]
  - id: ben
    level: l1
    skills: [email, smtp]
  - id: cris
    level: l1
    available: false
    skills: [email, smtp, imap, outlook]
  - id: lia
    level: l2
    skills: [smtp]
  - id: max
    level: l2
    available: false
    skills: [smtp, imap]
customers:
  - name: Initech
    plan: standard
"#;

fn open_mail_case(t: &TestStore) -> String {
    t.open(&[
        "--customer",
        "Initech",
        "--summary",
        "SMTP relay refuses mail",
        "--description",
        "Outlook and IMAP fine",
    ])
}

#[test]
fn open_routes_by_skills_and_show_says_why() {
    let t = TestStore::new();
    let id = t.open(&[
        "--customer",
        "Globex",
        "--summary",
        "SSO login loop",
        "--description",
        "LDAP users cannot log in",
    ]);
    let case = t.show(&id);
    assert_eq!(case["assignee"], "bruno");
    let routing = case["routing"].as_str().unwrap();
    assert!(routing.contains("skills matched: ldap, sso, login"), "{routing}");
    let text = t.stdout(&["show", &id]);
    assert!(
        text.contains("routing:") && text.contains("routed to bruno (l1)"),
        "{text}"
    );
}

#[test]
fn the_analyst_matching_more_skills_wins_over_roster_order() {
    let t = TestStore::new();
    // alice: push, android (2); bruno: login (1).
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Login push on Android",
        "--description",
        "",
    ]);
    assert_eq!(t.show(&id)["assignee"], "alice");
    // bruno: sso, login (2); alice: push (1). Roster order alone would pick alice.
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "SSO login",
        "--description",
        "after a push",
    ]);
    assert_eq!(t.show(&id)["assignee"], "bruno");
}

#[test]
fn skills_match_whole_words_of_summary_and_description_case_insensitively() {
    let t = TestStore::new();
    // "pushed" and "IOSX" are not the words push / ios; "LDAP" in the description is.
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Pushed IOSX",
        "--description",
        "Our LDAP server",
    ]);
    assert_eq!(t.show(&id)["assignee"], "bruno");
}

#[test]
fn ties_go_to_the_fewest_active_cases_then_roster_order() {
    let t = TestStore::with_config(TWINS);
    let first = open_mail_case(&t);
    assert_eq!(t.show(&first)["assignee"], "ana", "0 vs 0 active: roster order");
    let second = open_mail_case(&t);
    assert_eq!(t.show(&second)["assignee"], "ben", "ana has 1 active, ben 0");
    assert!(t.show(&second)["routing"]
        .as_str()
        .unwrap()
        .contains("0 active case(s)"));
    let third = open_mail_case(&t);
    assert_eq!(t.show(&third)["assignee"], "ana", "1 vs 1 active: roster order");
    // Closed cases are not active: ana drops to 1, ben has 1, so roster order again...
    t.run(&["close", &first, "--resolution", "done"]).success();
    let fourth = open_mail_case(&t);
    assert_eq!(t.show(&fourth)["assignee"], "ana");
    // ...and now ana has 2 active against ben's 1.
    let fifth = open_mail_case(&t);
    assert_eq!(t.show(&fifth)["assignee"], "ben");
}

#[test]
fn unavailable_analysts_are_skipped_even_when_they_match_best() {
    let t = TestStore::with_config(TWINS);
    let id = open_mail_case(&t);
    let case = t.show(&id);
    assert_ne!(case["assignee"], "cris", "cris matches 4 skills but is away");
    assert_eq!(case["assignee"], "ana");
    assert!(
        case["routing"].as_str().unwrap().contains("best of 2 available l1"),
        "{}",
        case["routing"]
    );
}

#[test]
fn nobody_available_creates_the_case_unassigned_with_a_warning_and_show_says_why() {
    let config = TWINS.replace(
        "    skills: [email, smtp]\n",
        "    available: false\n    skills: [email, smtp]\n",
    );
    let t = TestStore::with_config(&config);
    let out = t
        .run(&["open", "--customer", "Initech", "--summary", "SMTP down"])
        .success()
        .stderr(contains("warning: no available l1 analyst"))
        .stderr(contains("is unassigned (tickets assign"))
        .get_output()
        .stdout
        .clone();
    let id = String::from_utf8(out).unwrap().trim().to_string();
    assert!(id.starts_with("RC-"), "the ID alone on stdout: {id:?}");
    let case = t.show(&id);
    assert_eq!(case["status"], "open");
    assert!(case["assignee"].is_null());
    assert!(
        case["routing"].as_str().unwrap().contains("no available l1 analyst"),
        "{}",
        case["routing"]
    );
    let text = t.stdout(&["show", &id]);
    assert!(text.contains("(unassigned)"), "{text}");
    assert!(
        text.contains("no available l1 analyst in the roster; left unassigned"),
        "{text}"
    );
    // Assigning by hand fixes it.
    t.run(&["assign", &id, "ana"]).success();
    assert_eq!(t.show(&id)["assignee"], "ana");
}

#[test]
fn escalate_from_l1_reroutes_among_available_l2_analysts_by_skills() {
    let t = TestStore::new();
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Slow database",
        "--description",
        "Performance is bad",
    ]);
    t.run(&["escalate", &id]).success();
    let case = t.show(&id);
    assert_eq!(case["assignee"], "carla", "carla: database, performance");
    assert!(case["routing"].as_str().unwrap().contains("routed to carla (l2)"));

    let t = TestStore::with_config(TWINS);
    let id = open_mail_case(&t);
    t.run(&["escalate", &id]).success();
    assert_eq!(t.show(&id)["assignee"], "lia", "max matches more but is away");
}

#[test]
fn escalate_with_no_l2_available_leaves_the_case_unassigned_with_a_warning() {
    let config = TWINS.replace(
        "  - id: lia\n    level: l2\n",
        "  - id: lia\n    level: l2\n    available: false\n",
    );
    let t = TestStore::with_config(&config);
    let id = open_mail_case(&t);
    // Regression: the warning named the ID as typed (a lower-case prefix here), not the case's ID.
    let typed = id[..6].to_lowercase();
    t.run(&["escalate", &typed])
        .success()
        .stderr(contains("warning: no available l2 analyst"))
        .stderr(contains(format!("{id} is unassigned (tickets assign {id} ANALYST)")));
    let case = t.show(&id);
    assert_eq!(case["status"], "at-investigation");
    assert_eq!(case["level"], "l2");
    assert!(case["assignee"].is_null(), "the L1 analyst no longer holds an L2 case");
    assert!(case["routing"].as_str().unwrap().contains("no available l2 analyst"));
}
