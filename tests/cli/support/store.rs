//! The store builder: a temp store with the test config and the pinned
//! clock, and the `run`/command helpers, so a test reads as a story:
//! `let t = TestStore::new(); let id = t.open(&[...]); t.run(&["investigate", &id]).success();`

use assert_cmd::assert::Assert;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::TempDir;

/// The pinned clock every test starts from (a Thursday, 10:00 UTC).
pub const NOW: &str = "2026-11-19T10:00:00Z";

/// A roster and customers for tests.
pub const CONFIG: &str = r#"id_prefix: RC
auto_close_after_days: 7
analysts:
  - id: alice
    name: Alice Souza
    level: l1
    available: true
    skills: [mobile, push, ios, android]
  - id: bruno
    name: Bruno Lima
    level: l1
    available: true
    skills: [ldap, sso, login]
  - id: carla
    name: Carla Mendes
    level: l2
    available: true
    skills: [database, performance]
  - id: dora
    name: Dora Reis
    level: l2
    available: true
    skills: [push, mobile]
  - id: ravi
    name: Ravi Costa
    level: rnd
    available: true
    skills: [server]
  # The tests' acting analyst (TICKETS_ACTOR=tester): on the roster, so
  # that analyst commands do not warn; never routed to.
  - id: tester
    name: Test Runner
    level: l1
    available: false
customers:
  - name: Acme Corp
    plan: mission-critical
    domains: [acme.example]
  - name: Globex
    plan: plus
    domains: [globex.example]
  - name: Initech
    plan: standard
    domains: [initech.example]
"#;

/// A store in a temp dir.
pub struct TestStore {
    pub dir: TempDir,
}

impl TestStore {
    /// A store with the test config.
    pub fn new() -> TestStore {
        TestStore::with_config(CONFIG)
    }

    /// A store with this config.yaml.
    pub fn with_config(config: &str) -> TestStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = TestStore { dir };
        t.run(&["init"]).success();
        std::fs::write(t.path().join("config.yaml"), config).expect("write config");
        t
    }

    /// The store directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The path of a case file.
    pub fn case_path(&self, id: &str) -> PathBuf {
        self.path().join(format!("{id}.yaml"))
    }

    /// The binary with a clean environment pointing at this store, clock pinned to NOW.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("tickets");
        cmd.env_remove("TICKETS_NOW")
            .env_remove("TICKETS_ACTOR")
            .env_remove("TICKETS_LOCK_TIMEOUT")
            .env_remove("TICKETS_WEBHOOK_URL")
            .env("TICKETS_DIR", self.path())
            .env("TICKETS_NOW", NOW)
            .env("TICKETS_ACTOR", "tester");
        cmd
    }

    /// Runs the binary with these arguments at NOW.
    pub fn run(&self, args: &[&str]) -> Assert {
        self.cmd().args(args).assert()
    }

    /// Runs the binary with these arguments at `now`.
    pub fn run_at(&self, now: &str, args: &[&str]) -> Assert {
        self.cmd().env("TICKETS_NOW", now).args(args).assert()
    }

    /// Opens a case at NOW and returns its ID.
    pub fn open(&self, args: &[&str]) -> String {
        self.open_at(NOW, args)
    }

    /// Opens a case at `now` and returns its ID.
    pub fn open_at(&self, now: &str, args: &[&str]) -> String {
        let mut all = vec!["open"];
        all.extend_from_slice(args);
        let out = self.run_at(now, &all).success().get_output().stdout.clone();
        String::from_utf8(out).expect("utf-8").trim().to_string()
    }

    /// Opens a plain case for Acme Corp.
    pub fn open_simple(&self) -> String {
        self.open(&[
            "--customer",
            "Acme Corp",
            "--summary",
            "Push fails on iOS",
            "--description",
            "No push since update",
        ])
    }

    /// `show --format json` of a case.
    pub fn show(&self, id: &str) -> serde_json::Value {
        let out = self
            .run(&["show", id, "--format", "json"])
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("show json")
    }

    /// The status of a case.
    pub fn status(&self, id: &str) -> String {
        self.show(id)["status"].as_str().expect("status").to_string()
    }

    /// The raw bytes of a case file.
    pub fn file(&self, id: &str) -> Vec<u8> {
        std::fs::read(self.case_path(id)).expect("case file")
    }

    /// stdout of a successful run, as a string.
    pub fn stdout(&self, args: &[&str]) -> String {
        String::from_utf8(self.run(args).success().get_output().stdout.clone()).expect("utf-8")
    }

    /// stdout of a successful run at `now`.
    pub fn stdout_at(&self, now: &str, args: &[&str]) -> String {
        String::from_utf8(self.run_at(now, args).success().get_output().stdout.clone()).expect("utf-8")
    }

    /// `list --format json` with extra arguments.
    pub fn list(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let mut all = vec!["list", "--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.stdout(&all)).expect("list json")
    }
}

/// The IDs in a JSON array of cases.
pub fn ids(cases: &[serde_json::Value]) -> Vec<String> {
    cases
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

/// Ages every case file by an hour, then lets their change time (which
/// setting the mtime updates) fall out of the two-second window in which the
/// index deliberately caches nothing.
pub fn age_case_files(t: &TestStore) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in fs::read_dir(t.path()).expect("store") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.ends_with(".yaml") && name != "config.yaml" {
            let file = fs::File::options().write(true).open(&path).expect("open");
            file.set_modified(old).expect("set mtime");
        }
    }
    std::thread::sleep(Duration::from_millis(2100));
}

/// The derived index of the store.
pub fn index_path(t: &TestStore) -> std::path::PathBuf {
    t.path().join(".tickets").join("index")
}

/// A store with cases in several statuses.
pub fn busy_store() -> (TestStore, Vec<String>) {
    let t = TestStore::new();
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(t.open(&[
            "--customer",
            ["Acme Corp", "Globex", "Initech"][i % 3],
            "--summary",
            &format!("Push notifications fail on iOS, case {i}"),
            "--description",
            "Line one\nLine two with: a colon and 'quotes' and \"double quotes\"\n",
        ]));
    }
    t.run_at("2026-11-19T11:00:00Z", &["investigate", &ids[1]]).success();
    t.run_at(
        "2026-11-19T11:00:00Z",
        &["request-info", &ids[2], "--message", "Which version?"],
    )
    .success();
    t.run_at("2026-11-19T11:00:00Z", &["escalate", &ids[3]]).success();
    t.run_at("2026-11-19T12:00:00Z", &["escalate", &ids[3], "--impact", "high"])
        .success();
    t.run_at(
        "2026-11-19T11:00:00Z",
        &["close", &ids[4], "--resolution", "Fixed in 6.5"],
    )
    .success();
    (t, ids)
}
