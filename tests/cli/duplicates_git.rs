//! Merged cases in git: the merge is one commit of both files, and the
//! merge driver keeps both sides when one clone merges a pair while another
//! records the customer's reply on the target.

use crate::support::cases::{at, T1};
use crate::support::git::{stderr, Team};
use crate::support::{CONFIG, NOW};

#[test]
fn one_clone_merges_a_pair_while_another_replies_on_the_target_and_git_keeps_both() {
    let team = Team::new();
    let source = team.shared_case(NOW, &[]);
    let target = team.shared_case(NOW, &[&["request-info", "-m", "Which version?"]]);
    team.tickets("a", &at(1), &["merge", &source, "--into", &target])
        .success();
    team.tickets("b", &at(2), &["reply", &target, "-m", "Version 7.2"])
        .success();
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        team.actions("b", &target),
        ["open", "request-info", "merged", "reply"],
        "both sides' events, in time order"
    );
    assert_eq!(team.show("b", &target)["status"], "open");
    assert_eq!(team.show("b", &source)["merged_into"], target.as_str());
    let (code, report) = team.check("b");
    assert_eq!(code, 0, "{report}");

    // The other way round: the reply came first by the clock.
    let team = Team::new();
    let source = team.shared_case(NOW, &[]);
    let target = team.shared_case(NOW, &[]);
    team.tickets("b", T1, &["reply", &target, "-m", "More details"])
        .success();
    team.tickets("a", &at(1), &["merge", &source, "--into", &target])
        .success();
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(team.actions("b", &target), ["open", "reply", "merged"]);
}

#[test]
fn with_auto_commit_a_merge_is_one_commit_of_both_case_files() {
    let team = Team::with_config(&format!("{CONFIG}git:\n  commit: true\n"));
    let source = team.open("a", NOW);
    let target = team.open("a", NOW);
    let repo = team.repo("a");
    let before = team.git_ok(&repo, &["rev-list", "--count", "HEAD"]);
    team.tickets("a", T1, &["merge", &source, "--into", &target]).success();
    let after = team.git_ok(&repo, &["rev-list", "--count", "HEAD"]);
    assert_eq!(
        after.trim().parse::<u32>().unwrap(),
        before.trim().parse::<u32>().unwrap() + 1
    );
    let subject = team.git_ok(&repo, &["log", "-1", "--format=%s"]);
    assert_eq!(subject.trim(), format!("{source}: merged into {target} (tester)"));
    let mut files: Vec<String> = team
        .git_ok(&repo, &["show", "--name-only", "--format=", "HEAD"])
        .lines()
        .map(str::to_string)
        .collect();
    files.sort();
    let mut expected = vec![format!("tickets/{source}.yaml"), format!("tickets/{target}.yaml")];
    expected.sort();
    assert_eq!(files, expected);
    assert!(team.git_ok(&repo, &["status", "--porcelain"]).trim().is_empty());
}
