//! Isolated git: every git and `tickets` command runs with a private HOME
//! and global config, no system config, no prompt, none of the caller's
//! `GIT_*` or `TICKETS_*` variables, and the test binary's directory first
//! on PATH so that git finds `tickets` (the merge driver).
//!
//! - [`Sandbox`]: the isolated temp directory the others live in;
//! - [`Clone`]: one clone holding a store with auto-commit on;
//! - [`Team`]: a bare `origin` and two clones `a` and `b` of a store at
//!   `<clone>/tickets`, with the merge driver set up.

use super::store::CONFIG;
use assert_cmd::assert::Assert;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

/// The pinned clock of a [`Clone::new`] clone (a Monday, 09:00 UTC).
pub const CLONE_NOW: &str = "2026-03-02T09:00:00Z";

/// The `open` command the git tests run, as arguments.
pub const OPEN: [&str; 7] = [
    "open",
    "--customer",
    "Acme Corp",
    "--summary",
    "Disk full",
    "--description",
    "It is.",
];

/// Far beyond any real run: only a hang reaches it.
const HANG: std::time::Duration = std::time::Duration::from_secs(120);

/// The lossy text of a run's stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `git ARGS` in `dir`, which must succeed (its stdout), away from the
/// user's and the system's config: HOME is `/nonexistent`, the global
/// config `/dev/null`. Commits are by `who` (name, e-mail) if given, else by
/// whom the repository's own config names.
pub fn git_as(who: Option<(&str, &str)>, dir: &Path, args: &[&str]) -> String {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(args)
        .env("HOME", "/nonexistent")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    if let Some((name, email)) = who {
        command
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_COMMITTER_NAME", name)
            .env("GIT_COMMITTER_EMAIL", email);
    }
    let out = command.output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The test binary's directory, then the caller's PATH.
fn path_with_tickets_first() -> OsString {
    let bin_dir = assert_cmd::cargo::cargo_bin!("tickets").parent().unwrap().to_path_buf();
    let mut dirs = vec![bin_dir];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).unwrap()
}

/// A temp directory with a private `home/` and a global git config file.
pub struct Sandbox {
    tmp: TempDir,
    global_config: PathBuf,
    path: OsString,
}

impl Sandbox {
    /// A sandbox whose user's `~/.gitconfig` holds `global`.
    pub fn new(global: &str) -> Sandbox {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(tmp.path().join("home")).expect("home");
        let global_config = tmp.path().join("home/.gitconfig");
        std::fs::write(&global_config, global).expect("gitconfig");
        Sandbox {
            tmp,
            global_config,
            path: path_with_tickets_first(),
        }
    }

    /// The temp directory.
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// The user's global git config file.
    pub fn global_config(&self) -> &Path {
        &self.global_config
    }

    /// Isolates `command` (git or tickets) from the caller's environment.
    pub fn isolate<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        command
            .env("PATH", &self.path)
            .env("HOME", self.root().join("home"))
            .env("GIT_CONFIG_GLOBAL", &self.global_config)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_CEILING_DIRECTORIES")
            .env_remove("TICKETS_DIR")
            .env_remove("TICKETS_NOW")
            .env_remove("TICKETS_ACTOR")
            .env_remove("TICKETS_LOCK_TIMEOUT")
            .env_remove("TICKETS_SMTP_URL")
            .env_remove("TICKETS_SENDMAIL")
    }

    /// `git ARGS` in `dir`.
    pub fn git(&self, dir: &Path, args: &[&str]) -> Output {
        let mut command = Command::new("git");
        self.isolate(command.current_dir(dir).args(args));
        command.output().expect("git runs")
    }

    /// `git ARGS` in `dir`, which must succeed; its stdout.
    pub fn git_ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git(dir, args);
        assert!(out.status.success(), "git {args:?} failed: {}", stderr(&out));
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// The binary, isolated, on the store `store` from `cwd`, with no clock
    /// or actor set.
    pub fn tickets_command(&self, cwd: &Path, store: &Path) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
        self.isolate(&mut command).current_dir(cwd).env("TICKETS_DIR", store);
        command
    }

    /// `tickets ARGS` on `store` from `cwd` at `now` as `actor`.
    pub fn tickets(&self, cwd: &Path, store: &Path, now: &str, actor: &str, args: &[&str]) -> Assert {
        let mut command = self.tickets_command(cwd, store);
        command.env("TICKETS_NOW", now).env("TICKETS_ACTOR", actor).args(args);
        assert_cmd::Command::from_std(command).assert()
    }
}

/// A git clone at `<tmp>/repo` holding a store in one of its folders, with
/// auto-commit on, beside the user's own committed files (`docs/guide.md`,
/// `notes.txt`).
pub struct Clone {
    sandbox: Sandbox,
    /// The store's folder inside the work tree ("" for the top).
    folder: &'static str,
    now: &'static str,
    actor: &'static str,
}

impl Clone {
    /// A clone of Alice's at [`CLONE_NOW`], with the store `tickets init`
    /// makes in `folder` ("" for the top of the work tree).
    pub fn new(folder: &'static str) -> Clone {
        Clone::build(
            Sandbox::new("[user]\n\tname = Alice\n\temail = alice@example.com\n[init]\n\tdefaultBranch = main\n"),
            folder,
            None,
            ("Alice", "alice@example.com", "alice"),
            (CLONE_NOW, "start"),
        )
    }

    /// A clone of the tester's at the tests' NOW, the store at `tickets/`
    /// with the test config, and `global` as the user's `~/.gitconfig`.
    pub fn with_global_config(global: &str) -> Clone {
        Clone::build(
            Sandbox::new(global),
            "tickets",
            Some(CONFIG),
            ("Tester", "tester@example.com", "tester"),
            (super::store::NOW, "store"),
        )
    }

    /// Inits the repository as the user `name <email>`, and the store (with
    /// `config`, or the one `tickets init` wrote); turns auto-commit on and
    /// commits it all with the message `first`. `tickets` runs as `actor`
    /// at `now`.
    fn build(
        sandbox: Sandbox,
        folder: &'static str,
        config: Option<&str>,
        (name, email, actor): (&str, &str, &'static str),
        (now, first): (&'static str, &str),
    ) -> Clone {
        sandbox.git_ok(sandbox.root(), &["init", "--quiet", "-b", "main", "repo"]);
        let clone = Clone {
            sandbox,
            folder,
            now,
            actor,
        };
        clone.git(&["config", "user.name", name]);
        clone.git(&["config", "user.email", email]);
        std::fs::create_dir_all(clone.store()).expect("store folder");
        clone
            .tickets(&["init"])
            .status
            .success()
            .then_some(())
            .expect("tickets init");
        let path = clone.store().join("config.yaml");
        let text = match config {
            Some(config) => config.to_string(),
            None => std::fs::read_to_string(&path).expect("config") + "\n",
        };
        std::fs::write(&path, format!("{text}git:\n  commit: true\n")).expect("config");
        // The user's own files beside the store, committed.
        std::fs::create_dir_all(clone.repo().join("docs")).expect("docs");
        std::fs::write(clone.repo().join("docs/guide.md"), "v1\n").expect("guide");
        std::fs::write(clone.repo().join("notes.txt"), "one\n").expect("notes");
        clone.git(&["add", "-A"]);
        clone.git(&["commit", "--quiet", "-m", first]);
        clone
    }

    /// The sandbox the clone lives in.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The temp directory the clone lives in.
    pub fn root(&self) -> &Path {
        self.sandbox.root()
    }

    /// The user's global git config file.
    pub fn global_config(&self) -> &Path {
        self.sandbox.global_config()
    }

    /// The work tree.
    pub fn repo(&self) -> PathBuf {
        self.root().join("repo")
    }

    /// The store.
    pub fn store(&self) -> PathBuf {
        self.repo().join(self.folder)
    }

    /// Isolates `command` as the sandbox does.
    pub fn isolate<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        self.sandbox.isolate(command)
    }

    /// `git ARGS` in the work tree, which must succeed; its stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.repo(), args)
    }

    /// `git ARGS` in `dir`, which must succeed; its stdout.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        self.sandbox.git_ok(dir, args)
    }

    /// `tickets ARGS` from the work tree at the clone's clock and actor,
    /// killed (and the test failed) if it hangs.
    pub fn tickets(&self, args: &[&str]) -> Output {
        let mut child = self
            .sandbox
            .tickets_command(&self.repo(), &self.store())
            .env("TICKETS_NOW", self.now)
            .env("TICKETS_ACTOR", self.actor)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tickets runs");
        let start = std::time::Instant::now();
        while child.try_wait().expect("waits").is_none() {
            if start.elapsed() > HANG {
                let _ = child.kill();
                let _ = child.wait();
                panic!("tickets {args:?} hung");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        child.wait_with_output().expect("output")
    }

    /// `tickets ARGS` from the work tree at the clone's clock and actor, to
    /// assert on.
    pub fn run(&self, args: &[&str]) -> Assert {
        self.sandbox
            .tickets(&self.repo(), &self.store(), self.now, self.actor, args)
    }

    /// `tickets ARGS`, which must succeed without a warning; its stdout.
    pub fn tickets_ok(&self, args: &[&str]) -> String {
        let out = self.tickets(args);
        assert!(out.status.success(), "tickets {args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "tickets {args:?} warned");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The path of the loose object `name` (a revision) is stored at.
    pub fn object_path(&self, name: &str) -> PathBuf {
        let hex = self.git(&["rev-parse", name]);
        let hex = hex.trim();
        self.repo().join(".git/objects").join(&hex[..2]).join(&hex[2..])
    }

    /// The path of a case file from the top of the work tree.
    pub fn case(&self, id: &str) -> String {
        Path::new(self.folder).join(format!("{id}.yaml")).display().to_string()
    }

    /// The subjects of the repository's commits, newest first.
    pub fn log(&self) -> Vec<String> {
        self.git(&["log", "--format=%s"]).lines().map(String::from).collect()
    }
}

/// A bare `origin` and two clones `a` and `b` of a store at
/// `<clone>/tickets`: the seed repository holds the store (with its
/// .gitattributes from git-setup); origin is a bare copy; `a` and `b` clone
/// it and run git-setup.
pub struct Team {
    sandbox: Sandbox,
}

impl Team {
    /// A team on the test config.
    pub fn new() -> Team {
        Team::with_config(CONFIG)
    }

    /// A team on this config.yaml.
    pub fn with_config(config: &str) -> Team {
        let team = Team {
            sandbox: Sandbox::new(""),
        };
        let root = team.root();
        let seed = root.join("seed");
        team.git_ok(root, &["init", "--quiet", "-b", "main", "seed"]);
        team.identify(&seed, "seed");
        team.tickets_in(&seed, super::store::NOW, &["init"]).success();
        std::fs::write(seed.join("tickets/config.yaml"), config).unwrap();
        team.tickets_in(&seed, super::store::NOW, &["git-setup"]).success();
        team.git_ok(&seed, &["add", "-A"]);
        team.git_ok(&seed, &["commit", "--quiet", "-m", "store"]);
        team.git_ok(root, &["clone", "--quiet", "--bare", "seed", "origin.git"]);
        for name in ["a", "b"] {
            team.git_ok(root, &["clone", "--quiet", "origin.git", name]);
            let clone = root.join(name);
            team.identify(&clone, name);
            team.tickets_in(&clone, super::store::NOW, &["git-setup"]).success();
        }
        team
    }

    /// The temp directory the team lives in.
    pub fn root(&self) -> &Path {
        self.sandbox.root()
    }

    /// Gives `repo` the identity `name` and merging pulls.
    pub fn identify(&self, repo: &Path, name: &str) {
        self.git_ok(repo, &["config", "user.name", name]);
        self.git_ok(repo, &["config", "user.email", &format!("{name}@example.com")]);
        self.git_ok(repo, &["config", "pull.rebase", "false"]);
    }

    /// The work tree of the clone `name` ("a" or "b").
    pub fn repo(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// The store of the clone `name`.
    pub fn store(&self, name: &str) -> PathBuf {
        self.repo(name).join("tickets")
    }

    /// The path of a case file in the clone `name`.
    pub fn case_path(&self, name: &str, id: &str) -> PathBuf {
        self.store(name).join(format!("{id}.yaml"))
    }

    /// Isolates `command` as the sandbox does.
    pub fn isolate<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        self.sandbox.isolate(command)
    }

    /// `git ARGS` in `dir`.
    pub fn git(&self, dir: &Path, args: &[&str]) -> Output {
        self.sandbox.git(dir, args)
    }

    /// `git ARGS` in `dir`, which must succeed; its stdout.
    pub fn git_ok(&self, dir: &Path, args: &[&str]) -> String {
        self.sandbox.git_ok(dir, args)
    }

    /// `tickets ARGS` on `<repo>/tickets` from `repo` at `now`.
    pub fn tickets_in(&self, repo: &Path, now: &str, args: &[&str]) -> Assert {
        self.sandbox.tickets(repo, &repo.join("tickets"), now, "tester", args)
    }

    /// `tickets ARGS` in the clone `name` at `now`.
    pub fn tickets(&self, name: &str, now: &str, args: &[&str]) -> Assert {
        self.tickets_in(&self.repo(name), now, args)
    }

    /// `tickets ARGS` in the clone `name` at `now`, which must succeed; its stdout.
    pub fn tickets_ok(&self, name: &str, now: &str, args: &[&str]) -> String {
        let out = self.tickets(name, now, args).get_output().clone();
        assert!(out.status.success(), "tickets {args:?} failed: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    /// A command expected to fail, at NOW with no actor: its exit code and stderr.
    pub fn tickets_fails(&self, name: &str, args: &[&str]) -> (i32, String) {
        let repo = self.repo(name);
        let out = self
            .sandbox
            .tickets_command(&repo, &repo.join("tickets"))
            .env("TICKETS_NOW", super::store::NOW)
            .args(args)
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), stderr(&out))
    }

    /// `check --format json` in the clone `name`, with no clock or actor:
    /// exit code and report.
    pub fn check(&self, name: &str) -> (i32, serde_json::Value) {
        let repo = self.repo(name);
        let out = self
            .sandbox
            .tickets_command(&repo, &repo.join("tickets"))
            .args(["check", "--format", "json"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    }

    /// Opens an Acme case in the clone `name` at `now`; its ID.
    pub fn open(&self, name: &str, now: &str) -> String {
        self.open_with(
            name,
            now,
            &[
                "open",
                "--customer",
                "Acme Corp",
                "--summary",
                "Push fails",
                "--description",
                "No push",
            ],
        )
    }

    /// Runs this `open` command in the clone `name` at `now`; the ID.
    pub fn open_with(&self, name: &str, now: &str, open: &[&str]) -> String {
        self.tickets_ok(name, now, open).trim().to_string()
    }

    /// `git add -A` and a commit in the clone `name`.
    pub fn commit_all(&self, name: &str, message: &str) {
        self.git_ok(&self.repo(name), &["add", "-A"]);
        self.git_ok(&self.repo(name), &["commit", "--quiet", "-m", message]);
    }

    /// Pushes the clone `name`'s main to origin.
    pub fn push(&self, name: &str) {
        self.git_ok(&self.repo(name), &["push", "--quiet", "origin", "main"]);
    }

    /// Pulls origin's main into the clone `name`, merging.
    pub fn pull(&self, name: &str) -> Output {
        self.git(
            &self.repo(name),
            &["pull", "--no-rebase", "--no-edit", "origin", "main"],
        )
    }

    /// `a` commits and pushes first; `b` commits and pulls, merging a's
    /// work: a's version is theirs.
    pub fn merge_a_into_b(&self) -> Output {
        self.commit_all("a", "a's work");
        self.push("a");
        self.commit_all("b", "b's work");
        self.pull("b")
    }

    /// Opens a case in `a` at `now`, runs `then` on it there (the ID goes
    /// after each command's name), and shares it with `b`.
    pub fn shared_case(&self, now: &str, then: &[&[&str]]) -> String {
        let id = self.open("a", now);
        self.share(id, now, then)
    }

    /// [`shared_case`](Self::shared_case), opened with this `open` command.
    pub fn shared_case_opened_with(&self, open: &[&str], now: &str, then: &[&[&str]]) -> String {
        let id = self.open_with("a", now, open);
        self.share(id, now, then)
    }

    fn share(&self, id: String, now: &str, then: &[&[&str]]) -> String {
        for args in then {
            let mut all = args.to_vec();
            all.insert(1, id.as_str());
            self.tickets("a", now, &all).success();
        }
        self.commit_all("a", "shared case");
        self.push("a");
        assert!(self.pull("b").status.success());
        id
    }

    /// `show --format json` of a case in the clone `name`.
    pub fn show(&self, name: &str, id: &str) -> serde_json::Value {
        let out = self.tickets_ok(name, super::store::NOW, &["show", id, "--format", "json"]);
        serde_json::from_str(&out).unwrap()
    }

    /// The actions of a case's history in the clone `name`.
    pub fn actions(&self, name: &str, id: &str) -> Vec<String> {
        self.show(name, id)["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    }

    /// The files git left unmerged in the clone `name`.
    pub fn unmerged(&self, name: &str) -> String {
        self.git_ok(&self.repo(name), &["diff", "--name-only", "--diff-filter=U"])
    }

    /// The text of a case file in the clone `name`.
    pub fn case_text(&self, name: &str, id: &str) -> String {
        std::fs::read_to_string(self.case_path(name, id)).unwrap()
    }

    /// The version of a case the clone `name` committed, straight from git.
    pub fn committed(&self, name: &str, id: &str) -> Vec<u8> {
        self.git(&self.repo(name), &["show", &format!("HEAD:tickets/{id}.yaml")])
            .stdout
    }

    /// The IDs of every case in the clone `name`.
    pub fn all_ids(&self, name: &str) -> Vec<String> {
        let out = self.tickets_ok(name, super::store::NOW, &["list", "--all", "--format", "json"]);
        let cases: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        cases.iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
    }
}
