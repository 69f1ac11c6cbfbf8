//! The auto-commit against a damaged or hostile `.git`: whatever it finds,
//! it never hangs, and a commit it reports as not made was not made (HEAD
//! where it was), the case change itself always standing.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const NOW: &str = "2026-03-02T09:00:00Z";
const OPEN: [&str; 7] = [
    "open",
    "--customer",
    "Acme Corp",
    "--summary",
    "Disk full",
    "--description",
    "It is.",
];
/// Far beyond any real run: only a hang reaches it.
const HANG: Duration = Duration::from_secs(120);

/// A clone whose store is its top, with auto-commit on and one case committed.
struct Clone {
    tmp: TempDir,
}

impl Clone {
    fn new() -> Clone {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home");
        std::fs::create_dir_all(tmp.path().join("repo")).expect("repo");
        std::fs::write(
            tmp.path().join("gitconfig"),
            "[user]\n\tname = Alice\n\temail = alice@example.com\n[init]\n\tdefaultBranch = main\n",
        )
        .expect("gitconfig");
        let clone = Clone { tmp };
        clone.git(&["init", "-q"]);
        let init = clone.tickets(&["init"]);
        assert!(init.status.success(), "tickets init");
        let config = clone.repo().join("config.yaml");
        let text = std::fs::read_to_string(&config).expect("config");
        std::fs::write(&config, format!("{text}\ngit:\n  commit: true\n")).expect("config");
        clone.git(&["add", "-A"]);
        clone.git(&["commit", "-qm", "start"]);
        let opened = clone.tickets(&OPEN);
        assert_eq!(String::from_utf8_lossy(&opened.stderr), "", "the first auto-commit");
        clone
    }

    fn repo(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    fn command(&self, program: &std::path::Path) -> Command {
        let mut command = Command::new(program);
        command
            .env("HOME", self.tmp.path().join("home"))
            .env("GIT_CONFIG_GLOBAL", self.tmp.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .current_dir(self.repo());
        command
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self
            .command(std::path::Path::new("git"))
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `tickets ARGS`, killed (and the test failed) if it hangs.
    fn tickets(&self, args: &[&str]) -> Output {
        let mut child = self
            .command(assert_cmd::cargo::cargo_bin!("tickets"))
            .env("TICKETS_DIR", self.repo())
            .env("TICKETS_NOW", NOW)
            .env("TICKETS_ACTOR", "alice")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tickets runs");
        let start = Instant::now();
        while child.try_wait().expect("waits").is_none() {
            if start.elapsed() > HANG {
                let _ = child.kill();
                let _ = child.wait();
                panic!("tickets {args:?} hung");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().expect("output")
    }

    /// The path of the loose object `name` (a revision) is stored at.
    fn object_path(&self, name: &str) -> PathBuf {
        let hex = self.git(&["rev-parse", name]);
        let hex = hex.trim();
        self.repo().join(".git/objects").join(&hex[..2]).join(&hex[2..])
    }
}

/// Replaces `path` by a FIFO (nothing ever writes to it) for `run`, then puts it back.
fn as_fifo(path: &std::path::Path, run: impl FnOnce()) {
    let saved = std::fs::read(path).expect("saved");
    std::fs::remove_file(path).expect("removed");
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo");
    run();
    std::fs::remove_file(path).expect("FIFO removed");
    std::fs::write(path, saved).expect("put back");
}

#[test]
fn a_fifo_for_the_index_a_branch_or_an_object_is_reported_not_waited_on() {
    for target in ["index", "branch", "commit", "tree"] {
        let clone = Clone::new();
        let path = match target {
            "index" => clone.repo().join(".git/index"),
            "branch" => clone.repo().join(".git/refs/heads/main"),
            "commit" => clone.object_path("HEAD"),
            _ => clone.object_path("HEAD^{tree}"),
        };
        let head = clone.git(&["rev-parse", "HEAD"]);
        as_fifo(&path, || {
            let out = clone.tickets(&OPEN);
            assert!(out.status.success(), "{target}: the case is opened");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("not committed") && stderr.contains("not a regular file"),
                "{target}: {stderr}"
            );
        });
        assert_eq!(clone.git(&["rev-parse", "HEAD"]), head, "{target}: HEAD stays");
        assert!(!clone.repo().join(".git/index.lock").exists(), "{target}: unlocked");
        clone.git(&["fsck", "--strict", "--no-progress"]);
    }
}

#[test]
fn a_commit_reported_as_not_made_was_not_made() {
    // An index whose entry count is past its end: git's own update-index
    // refuses it, and it used to do so after HEAD had moved.
    let clone = Clone::new();
    let index = clone.repo().join(".git/index");
    let mut bytes = std::fs::read(&index).expect("index");
    bytes[11] += 5;
    std::fs::write(&index, bytes).expect("index");
    let head = clone.git(&["rev-parse", "HEAD"]);
    let out = clone.tickets(&OPEN);
    assert!(out.status.success(), "the case is opened");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not committed"), "{stderr}");
    assert_eq!(clone.git(&["rev-parse", "HEAD"]), head, "HEAD stays");
    assert!(!clone.repo().join(".git/index.lock").exists(), "unlocked");
}

#[test]
fn a_store_inside_dot_git_is_never_committed_into_a_dot_git_tree() {
    let clone = Clone::new();
    let head = clone.git(&["rev-parse", "HEAD"]);
    let store = clone.repo().join(".git/desk");
    std::fs::create_dir_all(&store).expect("store");
    let run = |args: &[&str]| {
        clone
            .command(assert_cmd::cargo::cargo_bin!("tickets"))
            .env("TICKETS_DIR", &store)
            .env("TICKETS_NOW", NOW)
            .env("TICKETS_ACTOR", "alice")
            .args(args)
            .output()
            .expect("tickets runs")
    };
    assert!(run(&["init"]).status.success(), "init");
    let config = store.join("config.yaml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}\ngit:\n  commit: true\n")).expect("config");
    let out = run(&OPEN);
    assert!(out.status.success(), "the case is opened");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not committed"), "{stderr}");
    assert_eq!(clone.git(&["rev-parse", "HEAD"]), head, "HEAD stays");
    clone.git(&["fsck", "--strict", "--no-progress"]);
}
