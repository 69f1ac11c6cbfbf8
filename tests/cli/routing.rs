//! Routing through the binary: skills, ties, nobody available.

use crate::support::*;

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
    assert!(
        case["routing"].as_str().unwrap().contains("ldap"),
        "{}",
        case["routing"]
    );
}
