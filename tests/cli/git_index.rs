//! The auto-commit writes its trees and the clone's index in process. Every
//! kind of index git makes (cache-tree filled, version 3 and 4, split,
//! without a checksum, with an untracked cache) and the store at the top of
//! the work tree or in a folder must end as git itself would leave them:
//! the user's changes exactly as they were, `git write-tree` agreeing with
//! HEAD on every case file, and `git fsck --strict` clean.

use crate::support::git::{Clone, OPEN};

/// Opens two cases and moves one on, then holds the clone to what git
/// itself would have left.
fn commits_as_git_would(clone: &Clone, staged: &[&str]) {
    let status_before = clone.git(&["status", "--porcelain"]);
    let staged_before = clone.git(&["diff", "--cached"]);
    let first = clone.tickets_ok(&OPEN);
    let second = clone.tickets_ok(&OPEN);
    clone.tickets_ok(&["investigate", &first]);

    assert_eq!(clone.git(&["status", "--porcelain"]), status_before);
    assert_eq!(clone.git(&["diff", "--cached"]), staged_before);
    assert_eq!(
        clone.git(&["log", "--format=%s", "-3"]),
        format!("{first}: open -> at-investigation (alice)\n{second}: opened (alice)\n{first}: opened (alice)\n")
    );
    for id in [&first, &second] {
        let path = clone.case(id);
        let staged_entry = clone.git(&["ls-files", "--stage", "--", &path]);
        let blob = clone.git(&["hash-object", "--", &path]);
        assert_eq!(
            staged_entry,
            format!("100644 {}\t0\t{path}\n", blob.trim()).replacen('\t', " ", 1)
        );
        assert_eq!(clone.git(&["rev-parse", &format!("HEAD:{path}")]), blob);
    }
    // The index's own tree (its cache-tree used where still valid) differs
    // from HEAD's only by what the user staged.
    let written = clone.git(&["write-tree"]);
    let differ = clone.git(&["diff-tree", "-r", "--name-only", "HEAD", written.trim()]);
    let mut expected: Vec<&str> = staged.to_vec();
    expected.sort();
    assert_eq!(differ.lines().collect::<Vec<_>>(), expected);
    clone.git(&["fsck", "--strict", "--no-progress"]);
}

fn each_layout(prepare: impl Fn(&Clone), staged: &[&str]) {
    for folder in ["", "desk"] {
        let clone = Clone::new(folder);
        prepare(&clone);
        commits_as_git_would(&clone, staged);
    }
}

#[test]
fn a_plain_index_with_its_cache_tree_filled() {
    each_layout(|c| drop(c.git(&["write-tree"])), &[]);
}

#[test]
fn the_users_staged_and_unstaged_changes_and_untracked_files_stay() {
    each_layout(
        |c| {
            std::fs::write(c.repo().join("notes.txt"), "one\ntwo\n").expect("write");
            c.git(&["add", "notes.txt"]);
            std::fs::write(c.repo().join("docs/guide.md"), "v2\n").expect("write");
            std::fs::write(c.repo().join("scratch.txt"), "mine\n").expect("write");
            c.git(&["add", "-N", "scratch.txt"]);
        },
        &["notes.txt"],
    );
}

#[test]
fn index_version_4() {
    each_layout(|c| drop(c.git(&["update-index", "--index-version", "4"])), &[]);
}

#[test]
fn a_split_index() {
    each_layout(|c| drop(c.git(&["update-index", "--split-index"])), &[]);
}

#[test]
fn an_index_without_a_checksum() {
    each_layout(
        |c| {
            c.git(&["config", "index.skipHash", "true"]);
            c.git(&["update-index", "--really-refresh"]);
        },
        &[],
    );
}

#[test]
fn an_index_with_an_untracked_cache() {
    each_layout(
        |c| {
            c.git(&["config", "core.untrackedCache", "true"]);
            c.git(&["update-index", "--untracked-cache"]);
            std::fs::write(c.repo().join("scratch.txt"), "mine\n").expect("write");
            c.git(&["status", "--porcelain"]);
        },
        &[],
    );
}

#[test]
fn a_shared_repository_leaves_the_objects_to_git() {
    each_layout(|c| drop(c.git(&["config", "core.sharedRepository", "group"])), &[]);
}

#[test]
fn a_busy_index_is_reported_and_the_change_stands() {
    let clone = Clone::new("");
    std::fs::write(clone.repo().join(".git/index.lock"), "").expect("lock");
    let out = clone.tickets(&OPEN);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("index.lock"), "{stderr}");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(clone.store().join(format!("{id}.yaml")).is_file());
    // Stopped before HEAD moved: the new case is simply not committed yet.
    assert_eq!(clone.git(&["log", "--format=%s"]), "start\n");
    std::fs::remove_file(clone.repo().join(".git/index.lock")).expect("unlock");
    assert_eq!(clone.git(&["status", "--porcelain"]), format!("?? {id}.yaml\n"));
}

/// A file changed in the same second as the index was written looks clean
/// to git by its stat data alone ("racily clean"); git checks its content
/// while the index is that old. The auto-commit's new index is newer, so,
/// as git does when it writes one, such entries are smudged (size 0):
/// otherwise the user's change vanished from `git status` and `git diff`.
#[test]
fn a_change_made_in_the_index_s_own_second_stays_visible_after_an_auto_commit() {
    let clone = Clone::new("tickets");
    let id = clone.tickets_ok(&OPEN);
    let guide = clone.repo().join("docs/guide.md");
    // All three in one second: the file, the index naming it, the change.
    let seconds = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
    };
    let mut tries = 0;
    loop {
        tries += 1;
        let started = seconds();
        if started.subsec_millis() > 500 {
            std::thread::sleep(std::time::Duration::from_millis(u64::from(
                1000 - started.subsec_millis(),
            )));
            continue;
        }
        std::fs::write(&guide, "v2\n").expect("guide");
        clone.git(&["add", "docs/guide.md"]);
        clone.git(&["commit", "-qm", "v2"]);
        std::fs::write(&guide, "v3\n").expect("guide");
        if seconds().as_secs() == started.as_secs() {
            break;
        }
        assert!(tries < 20, "never managed three writes in one second");
    }
    assert_eq!(
        clone.git(&["diff", "--name-only"]),
        "docs/guide.md\n",
        "git sees the change"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    clone.tickets_ok(&["note", &id, "--message", "after the change"]);
    assert_eq!(
        clone.git(&["diff", "--name-only"]),
        "docs/guide.md\n",
        "the change is still seen after the auto-commit"
    );
}
