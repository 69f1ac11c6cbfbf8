//! Planted git state: anyone who can push to a store can commit files that
//! look like git's own (a bare repository's `HEAD`, `objects/`, `refs/` and
//! `config`, hooks). None of them may make `tickets` run a command or send
//! its commits anywhere but the clone's real repository, whatever the
//! user's global git config says.

use crate::support::git::Clone;
use crate::support::write_script;
use crate::support::NOW;
use std::path::{Path, PathBuf};

/// What an attacker plants in the store of a [`Clone`], and what the
/// tests then do and check there.
trait Planting {
    /// The file a hijacked git would create.
    fn marker(&self) -> PathBuf;

    /// Plants a bare repository's layout in `dir`, with `config` as its
    /// config file, committed like any other file of the store.
    fn plant_bare_repository(&self, dir: &Path, config: &str);

    /// A config whose fsmonitor command creates the marker.
    fn fsmonitor_config(&self) -> String;

    /// A config whose hooks live in the store, with a pre-commit hook that
    /// creates the marker.
    fn plant_hooks(&self, dir: &Path) -> String;

    /// Commits what was planted.
    fn commit_planted(&self);

    /// Opens an Acme case; its ID.
    fn open(&self) -> String;

    /// Fails the test if a planted command ran.
    fn assert_nothing_ran(&self);

    /// Opens, investigates, asks and sweeps: every kind of writer commits.
    fn work_a_case(&self) -> String;
}

impl Planting for Clone {
    fn marker(&self) -> PathBuf {
        self.root().join("pwned")
    }

    fn plant_bare_repository(&self, dir: &Path, config: &str) {
        std::fs::create_dir_all(dir.join("objects/info")).unwrap();
        std::fs::create_dir_all(dir.join("refs/heads")).unwrap();
        std::fs::write(dir.join("objects/info/keep"), "").unwrap();
        std::fs::write(dir.join("refs/heads/keep"), "").unwrap();
        std::fs::write(dir.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(dir.join("config"), config).unwrap();
    }

    fn fsmonitor_config(&self) -> String {
        format!(
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n\tfsmonitor = \"echo fsmonitor >> '{}'\"\n",
            self.marker().display()
        )
    }

    fn plant_hooks(&self, dir: &Path) -> String {
        let hooks = dir.join("hooks");
        std::fs::create_dir_all(&hooks).unwrap();
        for hook in ["pre-commit", "commit-msg", "post-commit", "post-index-change"] {
            write_script(
                &hooks.join(hook),
                &format!("echo {hook} >> '{}'\n", self.marker().display()),
            );
        }
        format!(
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n\thooksPath = {}\n",
            hooks.display()
        )
    }

    fn commit_planted(&self) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", "planted"]);
    }

    fn open(&self) -> String {
        let out = self
            .run(&[
                "open",
                "--customer",
                "Acme Corp",
                "--summary",
                "Push fails",
                "--description",
                "No push",
            ])
            .success();
        String::from_utf8(out.get_output().stdout.clone())
            .unwrap()
            .trim()
            .to_string()
    }

    fn assert_nothing_ran(&self) {
        assert!(
            !self.marker().exists(),
            "a command planted in the store ran: {}",
            std::fs::read_to_string(self.marker()).unwrap_or_default()
        );
    }

    fn work_a_case(&self) -> String {
        let id = self.open();
        self.run(&["investigate", &id]).success();
        self.run(&["request-info", &id, "--message", "Which version?"])
            .success();
        self.run(&["--now", "2026-11-27T10:00:00Z", "sweep"]).success();
        id
    }
}

#[test]
fn planted_bare_repository_fsmonitor_never_runs_and_commits_go_to_the_real_repository() {
    let clone = Clone::with_global_config("");
    let store = clone.store();
    clone.plant_bare_repository(&store, &clone.fsmonitor_config());
    clone.commit_planted();

    let id = clone.work_a_case();

    clone.assert_nothing_ran();
    let log = clone.log();
    assert_eq!(
        log[..4],
        [
            "sweep: auto-closed 1 case(s)".to_string(),
            format!("{id}: at-investigation -> waiting-for-customer (tester)"),
            format!("{id}: open -> at-investigation (tester)"),
            format!("{id}: opened (tester)"),
        ],
        "every change is committed in the clone's own repository"
    );
    // The real repository's work tree is clean: nothing went elsewhere.
    assert_eq!(clone.git(&["status", "--porcelain"]), "");
}

#[test]
fn planted_hooks_path_never_runs_a_hook() {
    let clone = Clone::with_global_config("");
    let store = clone.store();
    let config = clone.plant_hooks(&store);
    clone.plant_bare_repository(&store, &config);
    clone.commit_planted();

    clone.work_a_case();

    clone.assert_nothing_ran();
    assert_eq!(clone.log().len(), 6, "store, planted and four changes");
}

#[test]
fn user_config_allowing_bare_repositories_does_not_reopen_the_hole() {
    let clone = Clone::with_global_config("[safe]\n\tbareRepository = all\n");
    clone.plant_bare_repository(&clone.store(), &clone.fsmonitor_config());
    clone.commit_planted();

    let id = clone.open();

    clone.assert_nothing_ran();
    assert_eq!(clone.log()[0], format!("{id}: opened (tester)"));
}

#[test]
fn user_relative_hooks_path_never_reaches_hooks_committed_to_the_store() {
    // A team convention like `core.hooksPath = .githooks` resolves against
    // the work tree's top, where a store at the top of its repository could
    // carry a committed `.githooks/`: auto-commits run no hooks at all.
    let clone = Clone::with_global_config("[core]\n\thooksPath = tickets/hooks\n");
    clone.plant_hooks(&clone.store());
    clone.commit_planted();
    // The test's own commit ran the hooks, as the user asked for.
    std::fs::remove_file(clone.marker()).unwrap();

    clone.work_a_case();

    clone.assert_nothing_ran();
}

#[test]
fn planted_bare_repository_outside_any_clone_runs_nothing_and_the_change_stands() {
    // The store is not in a git clone at all: git's discovery would take the
    // planted layout as the repository.
    let clone = Clone::with_global_config("");
    let loose = clone.root().join("loose");
    std::fs::create_dir(&loose).unwrap();
    let store = loose.join("tickets");
    std::fs::rename(clone.store(), &store).unwrap();
    clone.plant_bare_repository(&store, &clone.fsmonitor_config());

    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("tickets");
    let out = cmd
        .env("TICKETS_DIR", &store)
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .env("HOME", clone.root().join("home"))
        .env("GIT_CONFIG_GLOBAL", clone.global_config())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .current_dir(&loose)
        .args([
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "S",
            "--description",
            "D",
        ])
        .assert()
        .success()
        .stderr(predicates::str::contains("not committed"));
    let id = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(store.join(format!("{}.yaml", id.trim())).is_file());
    clone.assert_nothing_ran();
}

#[test]
fn git_setup_with_a_planted_repository_configures_the_real_one() {
    let clone = Clone::with_global_config("");
    let planted_config = clone.fsmonitor_config();
    clone.plant_bare_repository(&clone.store(), &planted_config);
    clone.commit_planted();

    clone.run(&["git-setup"]).success();

    clone.assert_nothing_ran();
    let real = std::fs::read_to_string(clone.repo().join(".git/config")).unwrap();
    assert!(real.contains("[merge \"tickets\"]"), "{real}");
    assert_eq!(
        std::fs::read_to_string(clone.store().join("config")).unwrap(),
        planted_config,
        "the planted config is left as it was"
    );
}

#[test]
fn linked_work_tree_is_found_through_its_gitdir_file() {
    // `git worktree add` leaves a `.git` file, not a directory: auto-commit
    // still finds and commits to the right branch.
    let clone = Clone::with_global_config("");
    clone.git(&["worktree", "add", "--quiet", "-b", "side", "../side"]);
    let side_store = clone.root().join("side/tickets");
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("tickets");
    let out = cmd
        .env("TICKETS_DIR", &side_store)
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .env("HOME", clone.root().join("home"))
        .env("GIT_CONFIG_GLOBAL", clone.global_config())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args([
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "S",
            "--description",
            "D",
        ])
        .assert()
        .success();
    let id = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let log = clone.git(&["log", "--format=%s", "side"]);
    assert!(log.starts_with(&format!("{}: opened (tester)", id.trim())), "{log}");
    assert!(clone.log()[0] == "store", "main is untouched");
}

#[test]
fn git_object_directory_from_the_environment_never_receives_the_stores_objects() {
    // Run from another repository's hook (a pre-receive quarantine sets
    // GIT_OBJECT_DIRECTORY), `git add` used to write the case's blob there:
    // the store's index then named an object its repository lacked.
    let clone = Clone::with_global_config("");
    let elsewhere = clone.root().join("elsewhere.git");
    clone.git_in(clone.root(), &["init", "--quiet", "--bare", "elsewhere.git"]);
    let objects = elsewhere.join("objects");
    let before = std::fs::read_dir(&objects).unwrap().count();

    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("tickets");
    let out = cmd
        .env("TICKETS_DIR", clone.store())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .env("HOME", clone.root().join("home"))
        .env("GIT_CONFIG_GLOBAL", clone.global_config())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_OBJECT_DIRECTORY", &objects)
        .env("GIT_ALTERNATE_OBJECT_DIRECTORIES", &objects)
        .env("GIT_QUARANTINE_PATH", &objects)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .current_dir(clone.repo())
        .args([
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "S",
            "--description",
            "D",
        ])
        .assert()
        .success()
        .stderr("");
    let id = String::from_utf8(out.get_output().stdout.clone()).unwrap();

    assert_eq!(clone.log()[0], format!("{}: opened (tester)", id.trim()));
    assert_eq!(
        std::fs::read_dir(&objects).unwrap().count(),
        before,
        "nothing was written to the other repository"
    );
    clone.git(&["fsck", "--no-progress"]);
    assert_eq!(clone.git(&["status", "--porcelain"]), "");
}

#[test]
fn store_under_a_directory_name_that_is_not_utf8_is_committed() {
    // `--git-dir=` was built with display(), which turns the byte 0xE9 into
    // U+FFFD: git was pointed at a directory that does not exist.
    use std::os::unix::ffi::OsStrExt;
    let clone = Clone::with_global_config("");
    let odd = clone.root().join(std::ffi::OsStr::from_bytes(b"r\xe9po"));
    std::fs::rename(clone.repo(), &odd).unwrap();

    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("tickets");
    let out = cmd
        .env("TICKETS_DIR", odd.join("tickets"))
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .env("HOME", clone.root().join("home"))
        .env("GIT_CONFIG_GLOBAL", clone.global_config())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .current_dir(&odd)
        .args([
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "S",
            "--description",
            "D",
        ])
        .assert()
        .success()
        .stderr("");
    let id = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let log = clone.git_in(&odd, &["log", "--format=%s"]);
    assert!(log.starts_with(&format!("{}: opened (tester)", id.trim())), "{log}");
}
