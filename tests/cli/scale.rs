//! What makes `check`, `stats` and auto-commit fast at scale must not change
//! what they say: findings planted across many files, streamed statistics,
//! and commits built by editing trees directly. Correctness only; the
//! timings are in `scripts/bench.sh`.

use crate::support::git::git_as;
use crate::support::{TestStore, CONFIG};
use std::path::Path;
use std::process::Command;

/// A store with `count` cases in several states.
fn busy_store(count: usize) -> (TestStore, Vec<String>) {
    let t = TestStore::new();
    let mut ids = Vec::new();
    for i in 0..count {
        let id = t.open_simple();
        match i % 4 {
            1 => {
                t.run(&["investigate", &id]).success();
            }
            2 => {
                t.run(&["request-info", &id, "--message", "Which version?"]).success();
            }
            3 => {
                t.run(&["close", &id, "--resolution", "Fixed in 4.2"]).success();
            }
            _ => {}
        }
        ids.push(id);
    }
    (t, ids)
}

fn findings(t: &TestStore) -> Vec<(String, String, String)> {
    let out = t.cmd().args(["--format", "json", "check"]).output().expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            let path = p["path"].as_str().unwrap_or_default();
            let name = Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned());
            (
                name.unwrap_or_default(),
                p["kind"].as_str().unwrap_or_default().to_string(),
                p["gravity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn edit(t: &TestStore, id: &str, from: &str, to: &str) {
    let path = t.case_path(id);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{from:?} in {text}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn check_finds_problems_planted_across_many_files_and_a_file_changed_after_the_index_was_built() {
    let (t, ids) = busy_store(24);
    // The index exists and is warm: check must not believe it.
    t.run(&["list", "--all"]).success();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    t.run(&["list", "--all"]).success();

    // A copy under another name: the same ID twice (and an ID its name does not give).
    let copy = "RC-ZZZZZZZZ";
    std::fs::copy(t.case_path(&ids[0]), t.case_path(copy)).expect("copy");
    // Follow-ups: one of a case that exists (in other letter case), one of a case that does not.
    edit(
        &t,
        &ids[5],
        "\ndescription:",
        &format!("\nfollow_up_of: {}\ndescription:", ids[3].to_lowercase()),
    );
    edit(
        &t,
        &ids[6],
        "\ndescription:",
        "\nfollow_up_of: RC-NOSUCH00\ndescription:",
    );
    // One e-mail that opened two cases.
    for id in [&ids[8], &ids[12]] {
        edit(
            &t,
            id,
            "\ndescription:",
            "\nmessage_id: <same@mail.example>\ndescription:",
        );
    }
    edit(
        &t,
        &ids[9],
        "\ndescription:",
        "\nmessage_id: <other@mail.example>\ndescription:",
    );
    // Changed after the index was built: a status its history does not give.
    edit(&t, &ids[1], "status: at-investigation", "status: closed");

    let mut found = findings(&t);
    found.sort();
    let mut expected = vec![
        (format!("{copy}.yaml"), "id-mismatch".to_string(), "error".to_string()),
        (format!("{copy}.yaml"), "duplicate-id".into(), "error".into()),
        (format!("{}.yaml", ids[6]), "unknown-case".into(), "warning".into()),
        (
            format!("{}.yaml", ids[8]),
            "duplicate-message-id".into(),
            "warning".into(),
        ),
        (
            format!("{}.yaml", ids[12]),
            "duplicate-message-id".into(),
            "warning".into(),
        ),
        (format!("{}.yaml", ids[1]), "state-mismatch".into(), "error".into()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    t.run(&["check"]).code(5);
}

#[test]
fn check_finds_an_id_held_twice_by_files_not_named_after_it_and_follow_ups_of_it() {
    let (t, ids) = busy_store(8);
    // Two copies under other names, neither named after the ID they hold,
    // and no file named after it: both are duplicates. A third copy holds
    // the ID of a case named after it, the original, which is not flagged.
    for copy in ["RC-COPYAAAA", "RC-COPYBBBB"] {
        std::fs::copy(t.case_path(&ids[0]), t.case_path(copy)).expect("copy");
        edit(&t, copy, &format!("id: {}", ids[0]), "id: RC-ELSEWHERE");
    }
    std::fs::copy(t.case_path(&ids[1]), t.case_path("RC-COPYCCCC")).expect("copy");
    // Follow-ups of the ID only the copies hold (in lower case), of a case
    // named after its ID (in lower case), and of a file name that holds
    // another ID: only the last is unknown.
    edit(
        &t,
        &ids[2],
        "\ndescription:",
        "\nfollow_up_of: rc-elsewhere\ndescription:",
    );
    edit(
        &t,
        &ids[3],
        "\ndescription:",
        &format!("\nfollow_up_of: {}\ndescription:", ids[4].to_lowercase()),
    );
    edit(
        &t,
        &ids[5],
        "\ndescription:",
        "\nfollow_up_of: RC-COPYAAAA\ndescription:",
    );
    let mut found = findings(&t);
    found.sort();
    let mut expected = vec![
        (
            "RC-COPYAAAA.yaml".to_string(),
            "id-mismatch".to_string(),
            "error".to_string(),
        ),
        ("RC-COPYAAAA.yaml".into(), "duplicate-id".into(), "error".into()),
        ("RC-COPYBBBB.yaml".into(), "id-mismatch".into(), "error".into()),
        ("RC-COPYBBBB.yaml".into(), "duplicate-id".into(), "error".into()),
        ("RC-COPYCCCC.yaml".into(), "id-mismatch".into(), "error".into()),
        ("RC-COPYCCCC.yaml".into(), "duplicate-id".into(), "error".into()),
        (format!("{}.yaml", ids[5]), "unknown-case".into(), "warning".into()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    let out = t.cmd().arg("check").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("duplicate-id  id RC-ELSEWHERE is also the id of ")
            && text.contains(&format!("duplicate-id  id {} is also the id of ", ids[1])),
        "{text}"
    );
}

#[test]
fn check_reports_the_same_findings_in_the_same_order_every_run() {
    // Files are checked on several threads; the report must not depend on
    // which finished first.
    let (t, ids) = busy_store(16);
    for id in ids.iter().step_by(3) {
        edit(&t, id, "\ndescription:", "\nfollow_up_of: RC-NOSUCH00\ndescription:");
    }
    let first = t.cmd().arg("check").output().expect("runs");
    for _ in 0..3 {
        let again = t.cmd().arg("check").output().expect("runs");
        assert_eq!(again.stdout, first.stdout);
    }
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).matches("unknown-case").count(),
        6
    );
}

#[test]
fn streamed_stats_equal_stats_from_the_case_files_and_from_a_damaged_index() {
    let (t, ids) = busy_store(20);
    let stats = |t: &TestStore| t.stdout(&["--format", "json", "stats"]);
    let cold = stats(&t);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let _ = stats(&t);
    let warm = stats(&t);
    assert_eq!(warm, cold, "served from the index");
    // A line of the index damaged: that case is read from its file instead.
    let index = t.path().join(".tickets/index");
    let text = std::fs::read_to_string(&index).expect("index");
    let damaged = text.replacen("Push fails on iOS", "Push fails on iOX", 1);
    assert_ne!(damaged, text);
    std::fs::write(&index, damaged).expect("write");
    assert_eq!(stats(&t), cold);

    // And the counts are those of the cases themselves.
    let value: serde_json::Value = serde_json::from_str(&cold).expect("json");
    assert_eq!(value["cases"], ids.len());
    let all = t.list(&["--all"]);
    let closed = all.iter().filter(|c| c["status"] == "closed").count();
    assert_eq!(value["closed"], closed);
    assert_eq!(value["by_status"]["closed"], closed);
}

/// Runs git in `dir` with no user or system config.
fn git(dir: &Path, args: &[&str]) -> String {
    git_as(None, dir, args)
}

#[test]
fn auto_commit_makes_the_tree_git_would_make_and_leaves_other_changes_alone() {
    // The store at the top of the work tree, beside a folder and a file of the user's.
    let t = TestStore::with_config(&format!("{CONFIG}git:\n  commit: true\n"));
    let repo = t.path();
    git(repo, &["init", "-q"]);
    git(repo, &["config", "user.name", "a"]);
    git(repo, &["config", "user.email", "a@example.com"]);
    std::fs::create_dir_all(repo.join("docs")).expect("docs");
    std::fs::write(repo.join("docs/guide.md"), "v1\n").expect("write");
    std::fs::write(repo.join("a.txt"), "one\n").expect("write");
    git(repo, &["add", "-A", "."]);
    git(repo, &["commit", "-qm", "start"]);
    // The user's own changes: one staged, one not.
    std::fs::write(repo.join("a.txt"), "one\ntwo\n").expect("write");
    git(repo, &["add", "a.txt"]);
    std::fs::write(repo.join("docs/guide.md"), "v2\n").expect("write");
    let status_before = git(repo, &["status", "--porcelain"]);
    let staged_before = git(repo, &["diff", "--cached"]);

    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(t.open_simple());
    }
    for id in &ids {
        t.run(&["request-info", id, "--message", "Which version?"]).success();
    }
    t.run_at("2026-12-19T10:00:00Z", &["sweep"]).success();

    assert_eq!(git(repo, &["status", "--porcelain"]), status_before);
    assert_eq!(git(repo, &["diff", "--cached"]), staged_before);
    assert_eq!(
        git(repo, &["show", "--name-only", "--format=%an <%ae>%n%s", "HEAD~5"]),
        format!(
            "a <a@example.com>\n{}: open -> waiting-for-customer (tester)\n\n{}.yaml\n",
            ids[0], ids[0]
        ),
    );
    // HEAD's tree is the one git makes from the work tree's store files.
    let index = repo.join(".git/check-index");
    let with_index = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(repo)
            .env("GIT_INDEX_FILE", &index)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    with_index(&["read-tree", "HEAD~11"]);
    let cases: Vec<String> = ids.iter().map(|id| format!("{id}.yaml")).collect();
    let mut add = vec!["add", "--"];
    add.extend(cases.iter().map(String::as_str));
    with_index(&add);
    let expected_tree = with_index(&["write-tree"]);
    let head_tree = git(repo, &["rev-parse", "HEAD^{tree}"]);
    let head_paths = git(repo, &["ls-tree", "-r", "--name-only", "HEAD"]);
    assert_eq!(head_tree.trim(), expected_tree, "{head_paths}");
    git(repo, &["fsck", "--strict", "--no-progress"]);
}
