//! Bad input beyond the case files: a broken config, a read-only store, a
//! full disk, and a store that tries to make the program run a command.

use crate::support::*;
use predicates::str::contains;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_broken_config_names_its_line() {
    let t = TestStore::new();
    let config = t.path().join("config.yaml");
    fs::write(&config, CONFIG.replacen("    level: l2", "    level: l9", 1)).unwrap();
    let line = CONFIG.lines().position(|l| l == "    level: l2").unwrap() + 1;
    t.run(&["list"]).code(5).stderr(contains(format!(
        "{}:{line}: analysts[2].level: unknown variant `l9`",
        config.display()
    )));
    t.run(&["open", "--customer", "Acme Corp", "--summary", "s"]).code(5);
    assert_eq!(files(&t, ""), Vec::<String>::new(), "nothing opened on a broken config");
}

#[test]
fn a_domain_listed_by_two_customers_was_a_config_error_only_for_open_from_email() {
    let t = TestStore::new();
    let id = t.open_simple();
    let config = t.path().join("config.yaml");
    // Globex also claims Acme's domain, in another spelling.
    fs::write(
        &config,
        CONFIG.replace(
            "domains: [globex.example]",
            "domains: [globex.example, ' ACME.example']",
        ),
    )
    .unwrap();
    for args in [
        vec!["list"],
        vec!["show", id.as_str()],
        vec!["investigate", id.as_str()],
        vec!["open", "--customer", "Initech", "--summary", "s"],
    ] {
        t.run(&args)
            .code(5)
            .stderr(contains(config.display().to_string()))
            .stderr(contains(
                "\"ACME.example\" is listed by more than one customer: Acme Corp, Globex",
            ));
    }
    t.run(&["check"])
        .code(5)
        .stdout(contains("config.yaml"))
        .stdout(contains("is listed by more than one customer: Acme Corp, Globex"));
    assert_eq!(files(&t, ""), vec![format!("{id}.yaml")], "nothing opened");
    assert_eq!(
        t.run(&["--format", "json", "list"]).code(5).get_output().stdout.len(),
        0
    );
}

#[test]
fn two_customers_with_the_same_name_were_not_a_config_error() {
    let t = TestStore::new();
    let config = t.path().join("config.yaml");
    let twin = CONFIG.replace("  - name: Globex\n", "  - name: ACME corp\n");
    assert_ne!(twin, CONFIG);
    fs::write(&config, twin).unwrap();
    t.run(&["open", "--customer", "Acme Corp", "--summary", "s"])
        .code(5)
        .stderr(contains(config.display().to_string()))
        .stderr(contains("customer \"ACME corp\" appears twice in customers"));
    t.run(&["check"]).code(5);
    assert_eq!(files(&t, ""), Vec::<String>::new(), "nothing opened");
}

/// A small tmpfs mounted over a store's temp dir, unmounted when dropped
/// (declare it after the store, so it drops first).
struct Mount {
    path: PathBuf,
}

impl Mount {
    /// A store on a fresh tmpfs of `size` (e.g. "256k"), or None when
    /// mounting is not possible here (not root, no mount(8)).
    fn store(size: &str) -> Option<(TestStore, Mount)> {
        let dir = tempfile::tempdir().ok()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        let mount = Mount {
            path: dir.path().to_path_buf(),
        };
        let t = TestStore { dir };
        t.run(&["init"]).success();
        fs::write(t.path().join("config.yaml"), CONFIG).unwrap();
        Some((t, mount))
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .status()
            .unwrap();
        assert!(status.success(), "remount {options}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// The files in a store besides config, .gitignore, derived files and `keep`.
fn files(t: &TestStore, keep: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| ![keep, "config.yaml", ".gitignore", ".tickets", "sent"].contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[test]
fn a_read_only_store_refuses_writes_clearly_and_still_reads() {
    let Some((t, mount)) = Mount::store("4m") else {
        eprintln!("note: skipped: cannot mount a tmpfs here (needs root and mount(8))");
        return;
    };
    let id = t.open_simple();
    let before = t.file(&id);
    mount.remount("ro");
    t.run(&["reply", &id, "--message", "m"])
        .code(1)
        .stderr(contains("Read-only file system"));
    t.run(&["open", "--customer", "Acme Corp", "--summary", "s"]).code(1);
    t.run(&["sweep"]).code(1).stderr(contains("Read-only file system"));
    assert_eq!(t.file(&id), before);
    assert_eq!(t.show(&id)["status"], "open");
    assert_eq!(ids(&t.list(&[])), vec![id.clone()]);
    t.run(&["check"]).success();
    mount.remount("rw");
    t.run(&["reply", &id, "--message", "m"]).success();
}

#[test]
fn a_full_disk_fails_clearly_and_leaves_every_case_whole() {
    let Some((t, _mount)) = Mount::store("256k") else {
        eprintln!("note: skipped: cannot mount a tmpfs here (needs root and mount(8))");
        return;
    };
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "which version?"]).success();
    let before = t.file(&id);
    // Fill the disk: a filler file grows until the file system says no.
    let filler = t.path().join("filler.bin");
    {
        use std::io::Write;
        let mut file = fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).and_then(|_| file.sync_all()).is_ok() {}
    }
    let long = "z".repeat(64 * 1024);
    t.run(&["reply", &id, "--message", &long])
        .code(1)
        .stderr(contains(format!(
            "{}: No space left on device",
            t.case_path(&id).display()
        )));
    t.run(&[
        "open",
        "--customer",
        "Acme Corp",
        "--summary",
        "s",
        "--description",
        &long,
    ])
    .code(1)
    .stderr(contains("No space left on device"));
    assert_eq!(t.file(&id), before, "the existing case is whole");
    assert_eq!(
        files(&t, "filler.bin"),
        vec![format!("{id}.yaml")],
        "no half-written case, no temp file"
    );
    t.run(&["check"]).success();
    fs::remove_file(&filler).unwrap();
    t.run(&["reply", &id, "--message", &long]).success();
}

/// Source files allowed to start another program, each with what it runs and
/// where that comes from. A program run must never be named by the store
/// (config.yaml, case files): they travel through git from anyone.
const MAY_RUN_PROGRAMS: &[&str] = &[
    // `git`, found in an absolute directory of PATH (the environment, not the
    // store); config.yaml's `git.commit` only switches the commit on.
    "src/git/mod.rs",
    // The sendmail command of `deliver`: TICKETS_SENDMAIL, from the
    // environment, never from the store.
    "src/mail/transport.rs",
    // The pager of `list` and `show` on a terminal: TICKETS_PAGER, PAGER or
    // `less`, from the environment, never from the store.
    "src/cli/render/pager.rs",
];

#[test]
fn nothing_in_the_store_can_make_the_program_run_a_command() {
    // No config key names a program: unknown keys are refused, not ignored.
    let t = TestStore::new();
    let marker = t.path().join("ran");
    for key in ["hooks", "editor", "pager", "command", "on_open", "notify"] {
        let config = format!("{CONFIG}{key}: touch {}\n", marker.display());
        fs::write(t.path().join("config.yaml"), config).unwrap();
        t.run(&["open", "--customer", "Acme Corp", "--summary", "s"])
            .code(5)
            .stderr(contains(format!("unknown field `{key}`")));
    }
    assert!(!marker.exists());
    // And no source file starts a process, except those listed above.
    let mut offenders = Vec::new();
    let mut dirs = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            let relative = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .display()
                .to_string();
            let runs = [
                "process::Command",
                "Command::new(",
                "CommandExt",
                "libc::exec",
                "posix_spawn",
            ]
            .iter()
            .any(|needle| text.contains(needle));
            if runs && !MAY_RUN_PROGRAMS.contains(&relative.as_str()) {
                offenders.push(relative);
            }
        }
    }
    assert_eq!(
        offenders,
        Vec::<String>::new(),
        "list them in MAY_RUN_PROGRAMS with what they run"
    );
}

/// The portal of a read-only store: it keeps serving the cases to those
/// signed in; with `.tickets/` writable (its own mount here) links are still
/// spent there; once that is read-only too, a link's page and its button say
/// that signing in is not possible (503, Retry-After), never "this link does
/// not work", and the log says why; `POST /login` answers as for anyone.
#[test]
fn a_read_only_store_serves_its_portal_and_says_when_nobody_can_sign_in() {
    use crate::support::portal::{form, link_path, Server};
    let Some((t, mount)) = Mount::store("4m") else {
        eprintln!("note: skipped: cannot mount a tmpfs here (needs root and mount(8))");
        return;
    };
    fs::write(
        t.path().join("config.yaml"),
        format!("{CONFIG}mail:\n  from: \"Support <support@desk.example>\"\n"),
    )
    .unwrap();
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--email",
        "ana@acme.example",
        "--summary",
        "Crash",
    ]);
    let derived = t.path().join(".tickets");
    fs::create_dir_all(&derived).unwrap();
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&derived)
        .status()
        .unwrap();
    assert!(status.success());
    let _derived_mount = Mount { path: derived.clone() };
    mount.remount("ro");
    let server = Server::start(&t, NOW, &[], &[]);

    // .tickets/ writable: a sign-in is spent there; reads work, writes wait.
    let ana = server.sign_in(&t, "ana@acme.example");
    assert_eq!(server.get("/", Some(&ana)).status, 200);
    assert_eq!(server.get(&format!("/cases/{id}"), Some(&ana)).status, 200);
    let reply = server.post(
        &format!("/cases/{id}/reply"),
        Some(&ana),
        &form(&[("message", "kept text")]),
    );
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.header("retry-after").is_some());
    assert!(reply.body.contains("kept text"), "the form keeps the text");

    // .tickets/ read-only too: nobody can sign in, and the pages say so.
    let link = link_path(&t, "ana@acme.example", &server.base());
    let status = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&derived)
        .status()
        .unwrap();
    assert!(status.success());
    for reply in [server.get(&link, None), server.post(&link, None, "")] {
        assert_eq!(reply.status, 503, "{}", reply.body);
        assert!(reply.header("retry-after").is_some());
        assert!(
            reply.body.contains("Signing in is not possible right now"),
            "{}",
            reply.body
        );
        assert!(!reply.body.contains("does not work"), "{}", reply.body);
    }
    assert!(
        server.log().contains("a sign-in cannot be recorded"),
        "{}",
        server.log()
    );
    let asked = server.post("/login", None, &form(&[("email", "bo@acme.example")]));
    assert_eq!(asked.status, 200, "answered as for anyone: {}", asked.body);
    assert_eq!(server.get("/", Some(&ana)).status, 200, "signed in, still reading");
    drop(server);
    let status = Command::new("mount")
        .args(["-o", "remount,rw"])
        .arg(&derived)
        .status()
        .unwrap();
    assert!(status.success());
}
