//! A small builder so a test reads as a story:
//! `let t = TestStore::new(); let id = t.open(&[...]); t.run(&["investigate", &id]).success();`

#![allow(dead_code)]

use assert_cmd::assert::Assert;
use std::path::{Path, PathBuf};
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

impl TestStore {
    /// Runs `deliver` at NOW as the mail host, with a sendmail-compatible
    /// script that keeps each message; the messages it sent, each as text
    /// with quoted-printable soft line breaks undone.
    pub fn deliver_and_capture(&self) -> Vec<String> {
        self.deliver_and_capture_at(NOW)
    }

    /// [`deliver_and_capture`](Self::deliver_and_capture) at `now`.
    pub fn deliver_and_capture_at(&self, now: &str) -> Vec<String> {
        use std::os::unix::fs::PermissionsExt;
        let outside = tempfile::tempdir().expect("temp dir");
        let kept = outside.path().join("kept");
        std::fs::create_dir(&kept).expect("kept");
        let script = outside.path().join("sendmail");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh
cat > \"{}/$(date +%s%N).$$.eml\"\n",
                kept.display()
            ),
        )
        .expect("script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        self.cmd()
            .env("TICKETS_NOW", now)
            .env("TICKETS_SENDMAIL", format!("{} -t -oi", script.display()))
            .env_remove("TICKETS_SMTP_URL")
            .arg("deliver")
            .assert()
            .success();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&kept)
            .expect("kept")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).expect("message")).replace("=\r\n", ""))
            .collect()
    }
}

/// The IDs in a JSON array of cases.
pub fn ids(cases: &[serde_json::Value]) -> Vec<String> {
    cases
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

/// Runs `args` at NOW as `tester` with a file-size limit of `limit` bytes:
/// the kernel stops the writer (SIGXFSZ) as soon as it writes past it,
/// partway through a file. Unlike a kill at a random instant, this lands
/// inside the write every time.
pub fn run_with_file_size_limit(t: &TestStore, limit: u64, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    command
        .args(args)
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester");
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    command.output().expect("run tickets")
}

/// Makes every write of `command` past `limit` bytes of a file fail (EFBIG,
/// SIGXFSZ ignored), as on a full disk, while the process goes on to handle
/// the error: unlike [`run_with_file_size_limit`], which stops it there.
pub fn fail_writes_past(command: &mut std::process::Command, limit: u64) {
    use std::os::unix::process::CommandExt;
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: setrlimit and signal are async-signal-safe and touch only the child.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}
