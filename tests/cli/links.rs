//! Symbolic links where the store keeps derived or support files. `git add -f`
//! commits them in spite of `.gitignore`: `.tickets -> .git` used to let the
//! index rebuild replace the clone's `.git/index` (losing staged work), a
//! link to any directory let `sweep` delete its `*.tmp` files, a linked
//! `.tickets/lock` created a file wherever it pointed, and `init` read a
//! linked `.gitignore` and copied its target into the store. Derived files
//! are never reached through a link: readers skip the index, writers refuse
//! with exit 5 naming the link, and the link's target is never touched.

use crate::support::git::git_as;
use crate::support::*;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

/// Every file under `dir` (not following links) with its bytes, or `->` and
/// its target for a link.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            let name = path.strip_prefix(dir).unwrap().to_string_lossy().to_string();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                let target = fs::read_link(&path).unwrap();
                files.insert(name, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                pending.push(path);
            } else {
                files.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Runs git in `dir` with no user or system config.
fn git(dir: &Path, args: &[&str]) -> String {
    git_as(Some(("t", "t@example.com")), dir, args)
}

/// A writer refused because of the link at `link` (a path ending).
fn refused_for_link(ran: &Ran, link: &str, what: &str) {
    assert_eq!(ran.code, 5, "{what}: exit 5; stderr: {}", ran.stderr);
    assert!(
        ran.stderr.contains(link) && ran.stderr.contains("symbolic link"),
        "{what}: the link is named: {}",
        ran.stderr
    );
}

/// A waiting case due for auto-close at [`SWEEP_AT`].
fn waiting_case(t: &TestStore) -> String {
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    id
}

const SWEEP_AT: &str = "2026-11-26T10:00:00Z";

/// Every command, readers and writers, on a store whose derived files are
/// behind a link; readers succeed without the index, writers refuse.
fn run_every_command(t: &TestStore, id: &str, link: &str) {
    for args in [&["list"][..], &["queue"], &["stats"], &["show", id]] {
        let ran = run_bounded(t, NOW, args);
        assert_eq!(ran.code, 0, "{args:?} reads without the index: {}", ran.stderr);
    }
    let ran = run_bounded(t, SWEEP_AT, &["sweep", "--dry-run"]);
    assert_eq!((ran.code, ran.stdout), (0, format!("{id}\n")), "{}", ran.stderr);
    for args in [
        &["sweep"][..],
        &["open", "--customer", "Acme Corp", "--summary", "s"],
        &["reply", id, "--message", "Version 7"],
        &["escalate", id],
    ] {
        refused_for_link(&run_bounded(t, SWEEP_AT, args), link, &format!("{args:?}"));
    }
    assert_eq!(t.status(id), "waiting-for-customer", "no writer changed the case");
    let ran = run_bounded(t, NOW, &["check"]);
    assert_eq!(ran.code, 5, "check fails on the link");
    assert!(ran.stdout.contains(link), "check names it: {}", ran.stdout);
}

#[test]
fn a_tickets_link_to_dot_git_leaves_the_clones_git_index_byte_identical() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    git(t.path(), &["init", "--quiet"]);
    git(t.path(), &["add", "."]);
    git(t.path(), &["commit", "--quiet", "-m", "store"]);
    // Staged work the user must not lose.
    fs::write(t.path().join("notes.txt"), "draft\n").unwrap();
    git(t.path(), &["add", "notes.txt"]);
    fs::remove_dir_all(t.path().join(".tickets")).unwrap();
    symlink(".git", t.path().join(".tickets")).unwrap();
    let before = snapshot(&t.path().join(".git"));

    run_every_command(&t, &id, ".tickets");

    assert_eq!(
        snapshot(&t.path().join(".git")),
        before,
        ".git is untouched: no index replaced, no lock or temp file created"
    );
    assert_eq!(git(t.path(), &["diff", "--cached", "--name-only"]), "notes.txt\n");
}

#[test]
fn a_tickets_link_to_another_directory_leaves_its_tmp_files_and_index_untouched() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    let elsewhere = tempfile::tempdir().unwrap();
    // A valid index header, so that appending through the link would be tried.
    fs::write(elsewhere.path().join("index"), "tickets-index 2\n").unwrap();
    let stale = elsewhere.path().join("work.tmp");
    fs::write(&stale, "someone's work").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    fs::remove_dir_all(t.path().join(".tickets")).unwrap();
    symlink(elsewhere.path(), t.path().join(".tickets")).unwrap();
    let before = snapshot(elsewhere.path());

    run_every_command(&t, &id, ".tickets");

    assert_eq!(
        snapshot(elsewhere.path()),
        before,
        "nothing there was read into, removed or created"
    );
    // Removing the link makes the store whole again.
    fs::remove_file(t.path().join(".tickets")).unwrap();
    assert_eq!(t.stdout_at(SWEEP_AT, &["sweep"]), format!("{id}\n"));
    assert!(fs::symlink_metadata(t.path().join(".tickets")).unwrap().is_dir());
}

#[test]
fn a_symlinked_lock_creates_nothing_at_its_target() {
    let t = TestStore::new();
    let id = waiting_case(&t);
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("created-by-lock");
    let lock = t.path().join(".tickets").join("lock");
    fs::remove_file(&lock).unwrap();
    symlink(&target, &lock).unwrap();
    let before = t.file(&id);
    for args in [
        &["investigate", id.as_str()][..],
        &["open", "--customer", "Acme Corp", "--summary", "s"],
        &["sweep"],
    ] {
        refused_for_link(&run_bounded(&t, SWEEP_AT, args), ".tickets/lock", &format!("{args:?}"));
    }
    assert!(
        fs::symlink_metadata(&target).is_err(),
        "no file was created where the link points"
    );
    assert_eq!(t.file(&id), before);
    assert!(
        fs::symlink_metadata(&lock).unwrap().file_type().is_symlink(),
        "the link is left for a person"
    );
    let ran = run_bounded(&t, NOW, &["check"]);
    assert_eq!(ran.code, 5);
    assert!(ran.stdout.contains(".tickets/lock"), "check names it: {}", ran.stdout);
}

#[test]
fn a_symlinked_index_is_replaced_never_appended_through() {
    let t = TestStore::new();
    let id = t.open_simple();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("index");
    fs::write(&target, "tickets-index 2\n").unwrap();
    let index = t.path().join(".tickets").join("index");
    let _ = fs::remove_file(&index);
    symlink(&target, &index).unwrap();
    // Past the index's two-second racy window, so that the reader caches
    // the case: appending through the link would be tried.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(ids(&t.list(&[])), vec![id.clone()]);
    t.run(&["investigate", &id]).success();
    assert_eq!(
        fs::read(&target).unwrap(),
        b"tickets-index 2\n",
        "the target is untouched"
    );
    let rebuilt = fs::symlink_metadata(&index).unwrap();
    assert!(rebuilt.is_file(), "the link was replaced by a real index");
    assert!(fs::read_to_string(&index).unwrap().contains(&id));
}

#[test]
fn init_never_reads_a_symlinked_gitignore() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret");
    fs::write(&secret, "SECRET-TOKEN\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gitignore = dir.path().join(".gitignore");
    symlink(&secret, &gitignore).unwrap();
    let ran = run_bounded_in(dir.path(), NOW, &["init"]);
    refused_for_link(&ran, ".gitignore", "init");
    assert_eq!(fs::read(&secret).unwrap(), b"SECRET-TOKEN\n");
    assert!(fs::symlink_metadata(&gitignore).unwrap().file_type().is_symlink());
    assert!(
        !dir.path().join("config.yaml").exists(),
        "a refused init leaves no half store"
    );

    // A FIFO would have blocked init forever.
    fs::remove_file(&gitignore).unwrap();
    mkfifo(&gitignore);
    let ran = run_bounded_in(dir.path(), NOW, &["init"]);
    assert_eq!(ran.code, 5, "{}", ran.stderr);
    assert!(
        ran.stderr.contains(".gitignore") && ran.stderr.contains("FIFO"),
        "{}",
        ran.stderr
    );

    // A regular .gitignore is still kept and extended.
    fs::remove_file(&gitignore).unwrap();
    fs::write(&gitignore, "target/\n").unwrap();
    let ran = run_bounded_in(dir.path(), NOW, &["init"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let text = fs::read_to_string(&gitignore).unwrap();
    assert!(text.starts_with("target/\n") && text.contains("/.tickets/"), "{text}");
}

#[test]
fn git_setup_never_writes_through_a_symlinked_gitattributes() {
    let t = TestStore::new();
    git(t.path(), &["init", "--quiet"]);
    let outside = tempfile::tempdir().unwrap();
    let attributes = t.path().join(".gitattributes");
    // A dangling link: once replaced by a file of ours without a word.
    let target = outside.path().join("attributes");
    symlink(&target, &attributes).unwrap();
    let ran = run_bounded(&t, NOW, &["git-setup"]);
    refused_for_link(&ran, ".gitattributes", "git-setup, dangling link");
    assert!(fs::symlink_metadata(&target).is_err(), "nothing created at the target");
    assert!(fs::symlink_metadata(&attributes).unwrap().file_type().is_symlink());
    fs::write(&target, "*.txt text\n").unwrap();
    let ran = run_bounded(&t, NOW, &["git-setup"]);
    refused_for_link(&ran, ".gitattributes", "git-setup, link to a file");
    assert_eq!(fs::read(&target).unwrap(), b"*.txt text\n");
}
