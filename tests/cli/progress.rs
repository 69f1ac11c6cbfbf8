//! Progress of long work: drawn on stderr when it is a terminal (util-linux
//! `script` gives the command a pseudo-terminal), cleared at the end, and
//! never in a pipe or with `--format json|yaml`.

use crate::support::*;

fn has_script() -> bool {
    let found = std::process::Command::new("script").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: no `script` command to run tickets on a terminal");
    }
    found
}

/// A store of a few cases, one due for the sweep.
fn desk() -> TestStore {
    let t = TestStore::new();
    for n in 0..5 {
        t.open(&["--customer", "Acme Corp", "--summary", &format!("case {n}")]);
    }
    t
}

/// What `tickets ARGS` writes on a terminal (stdout and stderr together),
/// with the environment `env` added.
fn on_terminal(t: &TestStore, args: &str, env: &[(&str, &str)]) -> String {
    let command = format!(
        "{} {args} >/dev/null; echo \"exit=$?\"",
        assert_cmd::cargo::cargo_bin!("tickets").display()
    );
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    for (key, value) in env {
        script.env(key, value);
    }
    let out = script.output().expect("script runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_is_drawn_on_a_terminal_then_cleared() {
    if !has_script() {
        return;
    }
    let t = desk();
    for (args, what) in [
        ("check", "checking cases"),
        ("list --all", "reading cases"),
        ("stats --by week", "reading cases"),
        ("sweep", "reading cases"),
    ] {
        let text = on_terminal(&t, args, &[]);
        assert!(text.contains("exit=0"), "{args}: {text:?}");
        assert!(text.contains(what), "{args} shows its progress: {text:?}");
        // Cleared: the last thing before the exit status erases the line.
        let before_exit = text.split("exit=").next().unwrap_or_default();
        assert!(before_exit.ends_with("\x1b[2K"), "{args} clears it: {text:?}");
    }
    // The index build on a fresh clone reads every case with progress.
    std::fs::remove_dir_all(t.path().join(".tickets")).ok();
    assert!(on_terminal(&t, "list", &[]).contains("reading cases"));
}

#[test]
fn no_color_draws_the_progress_without_colour() {
    if !has_script() {
        return;
    }
    let t = desk();
    let text = on_terminal(&t, "check", &[("NO_COLOR", "1")]);
    assert!(text.contains("checking cases"), "{text:?}");
    assert!(!text.contains("\x1b[3"), "no colour: {text:?}");
}

#[test]
fn no_progress_for_scripts_or_pipes() {
    let t = desk();
    if has_script() {
        for args in ["check --format json", "list --all --format yaml", "stats --format json"] {
            let text = on_terminal(&t, args, &[]);
            assert!(text.contains("exit=0"), "{args}: {text:?}");
            assert!(!text.contains("cases"), "{args} draws nothing: {text:?}");
        }
    }
    for args in [
        &["check"][..],
        &["list", "--all"],
        &["stats", "--by", "week"],
        &["sweep"],
    ] {
        let out = t.run(args).success();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(stderr, "", "{args:?} in a pipe says nothing on stderr");
    }
}
