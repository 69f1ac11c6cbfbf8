//! At home in the shell: completions, man page, --help exit codes, colour
//! rules and a clean exit when the reader of a pipe goes away.

use crate::support::*;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn completions_for_every_shell_name_the_commands() {
    let t = TestStore::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = t.stdout(&["completions", shell]);
        assert!(out.contains("tickets"), "{shell}");
        assert!(
            out.contains("request-info") && out.contains("from-email"),
            "{shell} completes commands and options"
        );
    }
    t.run(&["completions", "tcsh"]).code(2);
}

#[test]
fn help_and_man_page_document_the_exit_codes() {
    let t = TestStore::new();
    let help = t.stdout(&["--help"]);
    assert!(help.contains("Exit codes:"), "{help}");
    assert!(
        help.contains("3  no such ticket") && help.contains("6  store busy"),
        "{help}"
    );
    let man = t.stdout(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH tickets 1"),
        "roff: {}",
        &man[..80.min(man.len())]
    );
    assert!(man.contains(".SH \"EXIT STATUS\""));
    assert!(man.contains("\\fB4\\fR\ntransition not allowed"), "{man}");
    assert!(man.contains("\\fB6\\fR\nstore busy"), "{man}");
    assert!(man.contains("NO_COLOR"));
}

#[test]
fn man_out_dir_writes_a_page_per_command() {
    let t = TestStore::new();
    let out = tempfile::tempdir().unwrap();
    t.run(&["man", "--out-dir", out.path().to_str().unwrap()])
        .success()
        .stdout("");
    let main = std::fs::read_to_string(out.path().join("tickets.1")).unwrap();
    assert!(main.contains("EXIT STATUS"));
    let open = std::fs::read_to_string(out.path().join("tickets-open.1")).unwrap();
    assert!(open.contains("from\\-email"));
}

/// Removes SGR colour sequences (`ESC [ ... m`).
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn trimmed_lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim_end().to_string()).collect()
}

#[test]
fn color_always_only_adds_colour_codes_and_auto_in_a_pipe_adds_none() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.open(&["--customer", "Globex", "--summary", "Report"]);
    t.run(&["escalate", &id]).success();
    let plain = t.stdout(&["list", "--color", "never"]);
    let auto = t.stdout(&["list"]);
    assert_eq!(auto, plain, "auto in a pipe is plain");
    assert!(!plain.contains('\u{1b}'));
    let colored = t
        .cmd()
        .env("NO_COLOR", "1")
        .args(["list", "--color", "always"])
        .output()
        .unwrap();
    let colored = String::from_utf8(colored.stdout).unwrap();
    let colored_without_no_color = t.stdout(&["list", "--color", "always"]);
    assert!(
        colored.contains("\u{1b}[36minvest\u{1b}[0m"),
        "--color always wins over NO_COLOR: {colored:?}"
    );
    assert_eq!(
        colored, colored_without_no_color,
        "NO_COLOR changes nothing under --color always"
    );
    assert_eq!(trimmed_lines(&strip_sgr(&colored)), trimmed_lines(&plain));

    let show = t.stdout(&["show", &id, "--color", "always"]);
    assert!(show.contains("\u{1b}[36mat-investigation\u{1b}[0m"), "{show:?}");
    assert!(
        show.starts_with(&format!("\u{1b}[1m{id}  Push fails on iOS\u{1b}[0m\n")),
        "{show:?}"
    );
    assert_eq!(strip_sgr(&show), t.stdout(&["show", &id]));
}

#[test]
fn customer_escape_sequences_stay_escaped_when_we_colour() {
    let t = TestStore::new();
    let evil = "evil \u{1b}[31m red \u{1b}]0;pwned\u{7}";
    let id = t.open(&["--customer", "Acme Corp", "--summary", evil, "--description", evil]);
    for args in [
        vec!["list", "--color", "always"],
        vec!["show", &id, "--color", "always"],
    ] {
        let out = t.stdout(&args);
        assert!(!out.contains("\u{1b}[31m red"), "{args:?}: raw customer SGR");
        assert!(!out.contains("\u{1b}]"), "{args:?}: raw OSC");
        assert!(!out.contains('\u{7}'), "{args:?}: raw BEL");
        assert!(out.contains("evil \\e[31m red \\e]0;pwned\\u{7}"), "{args:?}: {out:?}");
    }
}

#[test]
fn show_escapes_a_hand_edited_follow_up_of() {
    let t = TestStore::new();
    let id = t.open_simple();
    let text = String::from_utf8(t.file(&id)).unwrap();
    // follow_up_of is free text in the file: a hand edit can put anything there.
    let edited = text.replace("customer: ", "follow_up_of: \"RC-X\\e[2J\\e]0;pwned\\a\"\ncustomer: ");
    assert_ne!(edited, text);
    std::fs::write(t.case_path(&id), edited).unwrap();
    let out = t.stdout(&["show", &id]);
    assert!(out.contains("RC-X\\e[2J\\e]0;pwned\\u{7}"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}'),
        "raw control characters: {out:?}"
    );
    assert_eq!(
        t.show(&id)["follow_up_of"],
        "RC-X\u{1b}[2J\u{1b}]0;pwned\u{7}",
        "JSON keeps the exact text"
    );
}

#[test]
fn in_a_pipe_summaries_are_printed_whole() {
    let t = TestStore::new();
    let long = format!("Push fails on iOS {}", "after the update ".repeat(8))
        .trim()
        .to_string();
    t.open(&["--customer", "Acme Corp", "--summary", &long]);
    let out = t.stdout(&["list"]);
    assert!(out.contains(&long), "{out}");
    assert!(!out.contains('…'));
}

#[test]
fn list_into_head_exits_0_without_error_output_when_the_pipe_closes() {
    let t = TestStore::new();
    // A table well over a pipe's 64 KiB buffer, so the reader really leaves first.
    let long = "x".repeat(1500);
    let id = t.open(&["--customer", "Acme Corp", "--summary", &long]);
    let text = std::fs::read_to_string(t.case_path(&id)).unwrap();
    for n in 0..200 {
        let copy = format!("RC-{n:08}");
        std::fs::write(t.case_path(&copy), text.replace(&id, &copy)).unwrap();
    }
    for format in ["table", "json"] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("tickets"))
            .args(["list", "--format", format])
            .env("TICKETS_DIR", t.path())
            .env("TICKETS_NOW", NOW)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(!first.is_empty());
        drop(stdout);
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}");
    }
}
