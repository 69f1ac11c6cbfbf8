//! Git-native stores with real git: clones that open and change cases
//! independently, then merge through `tickets merge-driver`; auto-commit.
//!
//! Every git command runs with a private HOME, no global or system config,
//! and the test binary's directory first on PATH so git finds `tickets`.

use crate::support::cases::{at, DAY};
use crate::support::git::{stderr, Team};
use crate::support::{CONFIG, NOW};
use predicates::str::contains;
use std::process::Command;

#[test]
fn git_setup_registers_the_driver_by_name_and_writes_gitattributes_once() {
    let team = Team::new();
    let repo = team.repo("a");
    assert_eq!(
        team.git_ok(&repo, &["config", "merge.tickets.driver"]).trim(),
        "tickets merge-driver %O %A %B %P"
    );
    let attributes = std::fs::read_to_string(team.store("a").join(".gitattributes")).unwrap();
    assert!(
        attributes.contains("\n*.yaml merge=tickets\nconfig.yaml merge=text\n"),
        "{attributes}"
    );
    team.tickets("a", NOW, &["git-setup"])
        .success()
        .stdout(contains("already routes"));
    assert_eq!(
        std::fs::read_to_string(team.store("a").join(".gitattributes")).unwrap(),
        attributes
    );
    let check = team.git_ok(
        &team.store("a"),
        &["check-attr", "merge", "--", "RC-X.yaml", "config.yaml"],
    );
    assert_eq!(check, "RC-X.yaml: merge: tickets\nconfig.yaml: merge: text\n");
}

/// Since git 2.27 a plain `git pull` between diverged clones stops with
/// "Need to specify how to reconcile divergent branches"; git-setup chooses
/// merging, so that the driver reconciles both clones' work on one case.
#[test]
fn after_git_setup_a_plain_git_pull_merges_diverged_clones_through_the_driver() {
    let team = Team::new();
    for clone in ["a", "b"] {
        // As a clone is before git-setup: no pull strategy chosen anywhere.
        team.git_ok(&team.repo(clone), &["config", "--local", "--unset", "pull.rebase"]);
        team.tickets(clone, NOW, &["git-setup"])
            .success()
            .stdout(contains("set pull.rebase = false"));
        assert_eq!(
            team.git_ok(&team.repo(clone), &["config", "pull.rebase"]).trim(),
            "false"
        );
    }
    let id = team.shared_case(NOW, &[]);
    team.tickets("a", "2026-11-19T10:05:00Z", &["investigate", &id])
        .success();
    team.tickets("b", "2026-11-19T10:06:00Z", &["note", &id, "-m", "called the customer"])
        .success();
    team.commit_all("a", "a's work");
    team.push("a");
    team.commit_all("b", "b's work");
    let pulled = team.git(&team.repo("b"), &["pull", "--no-edit"]);
    assert!(pulled.status.success(), "plain git pull: {}", stderr(&pulled));
    assert_eq!(team.unmerged("b"), "");
    assert_eq!(team.actions("b", &id), ["open", "investigate", "note"]);
    // A second run leaves a chosen strategy alone.
    team.git_ok(&team.repo("a"), &["config", "--local", "pull.rebase", "true"]);
    team.tickets("a", NOW, &["git-setup"])
        .success()
        .stdout(contains("pull.rebase is already set"));
    assert_eq!(team.git_ok(&team.repo("a"), &["config", "pull.rebase"]).trim(), "true");
}

#[test]
fn git_setup_uses_the_absolute_path_when_tickets_is_not_on_path() {
    let team = Team::new();
    let git_dir = std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .find(|d| d.join("git").is_file())
        .unwrap();
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("tickets");
    cmd.env("PATH", &git_dir)
        .env("HOME", team.root().join("home"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TICKETS_DIR", team.store("b"))
        .arg("git-setup")
        .assert()
        .success();
    let driver = team.git_ok(&team.repo("b"), &["config", "merge.tickets.driver"]);
    let exe = assert_cmd::cargo::cargo_bin!("tickets");
    assert_eq!(driver.trim(), format!("'{}' merge-driver %O %A %B %P", exe.display()));
}

#[test]
fn git_setup_outside_a_clone_is_a_usage_error() {
    let store = crate::support::TestStore::new();
    store
        .run(&["git-setup"])
        .code(2)
        .stderr(contains("not inside a git clone"));
}

#[test]
fn two_clones_opening_a_hundred_cases_each_with_the_same_clock_merge_without_collision() {
    let team = Team::new();
    let mut opened = Vec::new();
    for clone in ["a", "b"] {
        for _ in 0..100 {
            let id = team.open(clone, NOW);
            assert!(id.len() <= 11, "IDs stay short enough to type: {id}");
            opened.push(id);
        }
    }
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(team.unmerged("b"), "");
    let mut expected = opened.clone();
    expected.sort();
    expected.dedup();
    assert_eq!(expected.len(), 200, "no two IDs are the same");
    let mut listed = team.all_ids("b");
    listed.sort();
    assert_eq!(listed, expected);
}

#[test]
fn clones_changing_different_cases_merge_with_every_event() {
    let team = Team::new();
    let first = team.shared_case(NOW, &[]);
    let second = team.shared_case(NOW, &[]);
    team.tickets("a", &at(1), &["investigate", &first]).success();
    team.tickets("b", &at(2), &["request-info", &second, "--message", "Which version?"])
        .success();
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(team.show("b", &first)["status"], "at-investigation");
    assert_eq!(team.show("b", &second)["status"], "waiting-for-customer");
    assert_eq!(team.actions("b", &first), ["open", "investigate"]);
    assert_eq!(team.actions("b", &second), ["open", "request-info"]);
}

#[test]
fn the_same_case_changed_on_both_sides_merges_both_events_in_time_order() {
    let team = Team::new();
    let id = team.shared_case(NOW, &[]);
    team.tickets("a", &at(2), &["request-info", &id, "--message", "Which version?"])
        .success();
    team.tickets(
        "b",
        &at(1),
        &["reassess", &id, "--severity", "high", "--note", "prod down"],
    )
    .success();
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "the driver merges cleanly: {}", stderr(&out));
    assert_eq!(team.unmerged("b"), "");
    let case = team.show("b", &id);
    assert_eq!(team.actions("b", &id), ["open", "reassess", "request-info"]);
    assert_eq!(case["status"], "waiting-for-customer");
    assert_eq!(case["severity"], "high");
    assert_eq!(case["waiting_since"], at(2));
    assert_eq!(case["updated_at"], at(2));

    // B shares the merge; A fast-forwards to the same bytes and nothing is lost.
    team.push("b");
    assert!(team.pull("a").status.success());
    assert_eq!(team.case_text("a", &id), team.case_text("b", &id));
    assert_eq!(team.actions("a", &id).len(), 3);
}

#[test]
fn a_customer_reply_and_the_sweep_in_two_clones_conflict_with_an_explanation() {
    let team = Team::new();
    let ask: &[&str] = &["request-info", "--message", "Which version?"];
    let late = team.shared_case(NOW, &[ask]);
    let early = team.shared_case(NOW, &[ask]);
    // A's cron sweep auto-closes both after 7 days; in B the customer had
    // replied to one after the auto-close and to the other before it.
    team.tickets("a", &at(7 * DAY), &["sweep"]).success();
    team.tickets("b", &at(8 * DAY), &["reply", &late, "--message", "Still broken"])
        .success();
    team.tickets("b", &at(3 * DAY), &["reply", &early, "--message", "Version 7.2"])
        .success();
    let out = team.merge_a_into_b();
    assert!(!out.status.success(), "git reports the conflicts");
    let unmerged = team.unmerged("b");
    assert!(
        unmerged.contains(&format!("{late}.yaml")) && unmerged.contains(&format!("{early}.yaml")),
        "{unmerged}"
    );

    let late_text = team.case_text("b", &late);
    assert!(
        late_text.starts_with("<<<<<<< ours\n# tickets merge-driver: cannot replay"),
        "{late_text}"
    );
    assert!(
        late_text.contains(&format!("tickets open --follow-up-of {late}")),
        "{late_text}"
    );
    assert!(
        late_text.contains("Still broken"),
        "the reply is kept in the file: {late_text}"
    );
    let early_text = team.case_text("b", &early);
    assert!(
        early_text.contains("the customer replied before the auto-close"),
        "{early_text}"
    );

    team.tickets("b", NOW, &["list"])
        .code(5)
        .stderr(contains(format!("{late}.yaml:1: contains a git conflict marker")))
        .stderr(contains("tickets merge-driver: cannot replay"));

    // The person resolves: the late reply becomes a follow-up of the closed
    // case; the early reply wins over the stale auto-close.
    let repo = team.repo("b");
    team.git_ok(&repo, &["checkout", "--theirs", "--", &format!("tickets/{late}.yaml")]);
    team.git_ok(&repo, &["checkout", "--ours", "--", &format!("tickets/{early}.yaml")]);
    team.tickets(
        "b",
        &at(8 * DAY),
        &[
            "open",
            "--follow-up-of",
            &late,
            "--customer",
            "Acme Corp",
            "--summary",
            "Follow-up",
            "--description",
            "Still broken",
        ],
    )
    .success();
    team.git_ok(&repo, &["add", "-A"]);
    team.git_ok(&repo, &["commit", "--quiet", "--no-edit"]);
    assert_eq!(team.all_ids("b").len(), 3);
    assert_eq!(team.show("b", &late)["status"], "closed");
    assert_eq!(team.show("b", &early)["status"], "open");
}

#[test]
fn both_clones_closing_a_case_differently_leave_a_conflict_that_list_reports() {
    let team = Team::new();
    let id = team.shared_case(NOW, &[]);
    team.tickets("a", &at(1), &["close", &id, "--resolution", "Fixed in 7.3"])
        .success();
    team.tickets("b", &at(2), &["close", &id, "--resolution", "Duplicate"])
        .success();
    let out = team.merge_a_into_b();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!("tickets merge-driver: tickets/{id}.yaml: cannot replay")),
        "{}",
        stderr(&out)
    );
    assert_eq!(team.unmerged("b").trim(), format!("tickets/{id}.yaml"));
    let text = team.case_text("b", &id);
    assert!(
        text.contains("Fixed in 7.3") && text.contains("Duplicate"),
        "both versions stay: {text}"
    );
    team.tickets("b", NOW, &["list", "--all"])
        .code(5)
        .stderr(contains("conflict marker"))
        .stderr(contains("the case was closed on both sides"));
}

#[test]
fn the_same_sweep_in_both_clones_closes_the_case_once() {
    let team = Team::new();
    let id = team.shared_case(NOW, &[&["request-info", "--message", "Which version?"]]);
    team.tickets("a", &at(7 * DAY), &["sweep"]).success();
    team.tickets("b", &at(7 * DAY + 1), &["sweep"]).success();
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(team.actions("b", &id), ["open", "request-info", "auto-close"]);
    assert_eq!(team.show("b", &id)["updated_at"], at(7 * DAY));
}

const AUTO_COMMIT: &str = "git:\n  commit: true\n";

#[test]
fn auto_commit_commits_exactly_the_changed_files_with_a_readable_message() {
    let team = Team::with_config(&format!("{CONFIG}{AUTO_COMMIT}"));
    let repo = team.repo("a");
    std::fs::write(repo.join("notes.txt"), "not tickets' business\n").unwrap();
    team.git_ok(&repo, &["add", "notes.txt"]);
    let last = |team: &Team| team.git_ok(&repo, &["log", "-1", "--format=%s"]).trim().to_string();
    let files = |team: &Team| team.git_ok(&repo, &["show", "--name-only", "--format=", "HEAD"]);

    let first = team.open("a", NOW);
    assert_eq!(last(&team), format!("{first}: opened (tester)"));
    assert_eq!(files(&team), format!("tickets/{first}.yaml\n"));
    team.tickets("a", NOW, &["investigate", &first]).success();
    assert_eq!(last(&team), format!("{first}: open -> at-investigation (tester)"));
    team.tickets("a", NOW, &["reassess", &first, "--severity", "low"])
        .success();
    assert_eq!(last(&team), format!("{first}: reassess (tester)"));

    let second = team.open("a", NOW);
    for id in [&first, &second] {
        team.tickets("a", NOW, &["request-info", id, "--message", "Which version?"])
            .success();
    }
    let count = |team: &Team| {
        team.git_ok(&repo, &["rev-list", "--count", "HEAD"])
            .trim()
            .parse::<u32>()
            .unwrap()
    };
    let before = count(&team);
    team.tickets("a", &at(7 * DAY), &["sweep"]).success();
    assert_eq!(count(&team), before + 1, "sweep commits once per run");
    assert_eq!(last(&team), "sweep: auto-closed 2 case(s)");
    let mut expected = [format!("tickets/{first}.yaml"), format!("tickets/{second}.yaml")];
    expected.sort();
    assert_eq!(files(&team), format!("{}\n", expected.join("\n")));
    team.tickets("a", &at(7 * DAY), &["sweep"]).success();
    assert_eq!(count(&team), before + 1, "a sweep that closes nothing commits nothing");

    let status = team.git_ok(&repo, &["status", "--porcelain"]);
    assert_eq!(
        status, "A  notes.txt\n",
        "the unrelated staged file stays out of every commit"
    );
}

#[test]
fn auto_commit_leaves_a_partly_staged_file_exactly_as_it_was() {
    // The commit is built with plumbing, not `git commit`: the user's index
    // and work tree keep their own changes, staged and unstaged alike.
    let team = Team::with_config(&format!("{CONFIG}{AUTO_COMMIT}"));
    let repo = team.repo("a");
    std::fs::write(repo.join("notes.txt"), "one\n").unwrap();
    team.git_ok(&repo, &["add", "notes.txt"]);
    team.git_ok(&repo, &["commit", "--quiet", "-m", "notes"]);
    std::fs::write(repo.join("notes.txt"), "one\ntwo\n").unwrap();
    team.git_ok(&repo, &["add", "notes.txt"]);
    std::fs::write(repo.join("notes.txt"), "one\ntwo\nthree\n").unwrap();
    let staged_before = team.git_ok(&repo, &["diff", "--cached"]);

    let id = team.open("a", NOW);
    team.tickets("a", NOW, &["investigate", &id]).success();

    assert_eq!(team.git_ok(&repo, &["status", "--porcelain"]), "MM notes.txt\n");
    assert_eq!(team.git_ok(&repo, &["diff", "--cached"]), staged_before);
    assert_eq!(
        std::fs::read_to_string(repo.join("notes.txt")).unwrap(),
        "one\ntwo\nthree\n"
    );
    assert_eq!(
        team.git_ok(&repo, &["show", "--name-only", "--format=%an <%ae>", "HEAD"]),
        format!("a <a@example.com>\n\ntickets/{id}.yaml\n"),
        "one file, by the clone's own identity"
    );
    assert_eq!(
        team.git_ok(&repo, &["fsck", "--no-progress"]).trim(),
        "",
        "a sound repository"
    );
}

#[test]
fn auto_commit_is_off_by_default() {
    let team = Team::new();
    let repo = team.repo("a");
    let head = team.git_ok(&repo, &["rev-parse", "HEAD"]);
    let id = team.open("a", NOW);
    assert_eq!(team.git_ok(&repo, &["rev-parse", "HEAD"]), head);
    assert!(team
        .git_ok(&repo, &["status", "--porcelain"])
        .contains(&format!("{id}.yaml")));
}

#[test]
fn a_failed_auto_commit_warns_and_keeps_the_change() {
    let store = crate::support::TestStore::with_config(&format!("{CONFIG}{AUTO_COMMIT}"));
    let out = store
        .cmd()
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", store.path().parent().unwrap())
        .args(["open", "--customer", "Acme Corp", "--summary", "Push fails"])
        .assert()
        .success()
        .stderr(contains("warning: the change is saved but not committed"))
        .get_output()
        .stdout
        .clone();
    let id = String::from_utf8(out).unwrap().trim().to_string();
    assert_eq!(store.status(&id), "open");
}

#[test]
fn a_no_op_assign_or_reassess_made_a_commit() {
    let team = Team::with_config(&format!("{CONFIG}{AUTO_COMMIT}"));
    let repo = team.repo("a");
    let id = team.open("a", NOW);
    team.tickets("a", NOW, &["assign", &id, "bruno"]).success();
    team.tickets("a", NOW, &["reassess", &id, "--severity", "high"])
        .success();
    let head = team.git_ok(&repo, &["rev-parse", "HEAD"]);
    team.tickets("a", NOW, &["assign", &id, "bruno"])
        .success()
        .stderr(contains("nothing changed"));
    team.tickets("a", NOW, &["reassess", &id, "--severity", "high"])
        .success()
        .stderr(contains("nothing changed"));
    assert_eq!(team.git_ok(&repo, &["rev-parse", "HEAD"]), head, "no commit");
    assert_eq!(team.git_ok(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn a_newline_in_a_merge_explanation_broke_out_of_its_comment_line() {
    let t = crate::support::TestStore::new();
    let id = t.open_simple();
    let ancestor = String::from_utf8(t.file(&id)).unwrap();
    t.run(&["investigate", &id]).success();
    let ours = String::from_utf8(t.file(&id)).unwrap();
    // A hostile value in their version: its parse error echoes the value,
    // newlines and a fake conflict marker included.
    let hostile = "status: \"bogus\\n=======\\n>>>>>>> theirs\\r\\u2028status: closed\"";
    let theirs = ancestor.replace("status: open", hostile);
    assert_ne!(theirs, ancestor);
    let dir = tempfile::tempdir().unwrap();
    let [o, a, b] = ["O", "A", "B"].map(|name| dir.path().join(name));
    for (path, text) in [(&o, &ancestor), (&a, &ours), (&b, &theirs)] {
        std::fs::write(path, text).unwrap();
    }
    t.cmd()
        .arg("merge-driver")
        .args([&o, &a, &b])
        .assert()
        .code(1)
        .stderr(contains("theirs is not a valid case file"));
    let merged = std::fs::read_to_string(&a).unwrap();
    let lines: Vec<&str> = merged
        .split_inclusive(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
        .collect();
    assert_eq!(lines[0], "<<<<<<< ours\n");
    let explanation: Vec<&str> = lines[1..]
        .iter()
        .copied()
        .take_while(|line| !line.starts_with(&ours[..3]))
        .collect();
    assert_eq!(explanation.len(), 3, "one comment line each: {explanation:#?}");
    for line in &explanation {
        assert!(line.starts_with(tickets::format::EXPLANATION_PREFIX), "{line:?}");
        assert!(
            line.ends_with('\n') && !line[..line.len() - 1].contains(['\r', '\u{2028}']),
            "{line:?}"
        );
    }
    assert!(
        explanation[0].contains("bogus\\n=======\\n>>>>>>> theirs"),
        "{}",
        explanation[0]
    );
    // Keeping our version, comments included, leaves a valid case file.
    let kept = merged[..merged.find("=======\n").unwrap()].trim_start_matches("<<<<<<< ours\n");
    std::fs::write(t.case_path(&id), kept).unwrap();
    assert_eq!(t.status(&id), "at-investigation");
}

#[test]
fn git_setup_wrote_gitattributes_without_the_store_lock() {
    let team = Team::new();
    let repo = team.repo("a");
    let store = team.store("a");
    let attributes = store.join(".gitattributes");
    std::fs::remove_file(&attributes).unwrap();
    team.git_ok(&repo, &["config", "--unset", "merge.tickets.driver"]);
    std::fs::create_dir_all(store.join(".tickets")).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(store.join(".tickets/lock"))
        .unwrap();
    lock.lock().unwrap();
    let setup = || {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
        team.isolate(&mut command);
        command
            .current_dir(&repo)
            .env("TICKETS_DIR", &store)
            .env("TICKETS_LOCK_TIMEOUT", "0.3")
            .arg("git-setup")
            .output()
            .unwrap()
    };
    let busy = setup();
    assert_eq!(busy.status.code(), Some(6), "{}", stderr(&busy));
    assert!(stderr(&busy).contains("store busy"));
    assert!(
        !attributes.exists(),
        "nothing written while another command holds the lock"
    );
    assert!(
        team.git(&repo, &["config", "merge.tickets.driver"]).stdout.is_empty(),
        "the driver is not registered either: a refused command changes nothing"
    );
    drop(lock);
    let done = setup();
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(std::fs::read_to_string(&attributes)
        .unwrap()
        .contains("*.yaml merge=tickets"));
}
