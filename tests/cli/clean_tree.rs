//! With `git: {commit: true}`, every write commits everything it wrote, in
//! one commit: the case file, the attachment files its event names, the
//! removals of `check --prune`, the `.gitattributes` of `git-setup`, the
//! sent ledger of `deliver`. After
//! each command that writes, `git status` is clean, so another clone gets
//! the whole change and the cron recipes never meet a dirty work tree.

use crate::support::git::Clone;
use crate::support::write_script;

const CONFIG: &str = r#"id_prefix: RC
auto_close_after_days: 7
remind_after_days: 5
analysts:
  - {id: alice, name: Alice Souza, level: l1, available: true, skills: [push]}
  - {id: carla, name: Carla Mendes, level: l2, available: true, skills: [database]}
  - {id: ravi, name: Ravi Costa, level: rnd, available: true, skills: [server]}
customers:
  - name: Acme Corp
    plan: plus
    domains: [acme.example]
mail:
  from: "Support <support@desk.example>"
git:
  commit: true
"#;

/// A customer's mail with a log attached.
fn mail_with_log(subject: &str, message_id: &str, in_reply_to: Option<&str>) -> String {
    let threading = in_reply_to
        .map(|id| format!("In-Reply-To: <{id}>\r\n"))
        .unwrap_or_default();
    format!(
        "From: Ana <ana@acme.example>\r\nTo: support@desk.example\r\nSubject: {subject}\r\n\
         Message-ID: <{message_id}>\r\n{threading}Date: Mon, 2 Mar 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         The log is attached ({message_id}).\r\n--b\r\nContent-Type: text/plain; name=\"server.log\"\r\n\
         Content-Disposition: attachment; filename=\"server.log\"\r\n\r\nline of {message_id}\r\n--b--\r\n"
    )
}

fn clean(clone: &Clone, after: &str) {
    let status = clone.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "", "the work tree is dirty after `{after}`");
}

/// `tickets ARGS` at `now`, with stdin from `input`; its stdout.
fn run(clone: &Clone, now: &str, args: &[&str], input: Option<&str>) -> String {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    clone.isolate(&mut command);
    let out = command
        .env("TICKETS_DIR", clone.store())
        .env("TICKETS_NOW", now)
        .env("TICKETS_ACTOR", "alice")
        .current_dir(clone.repo())
        .args(args)
        .stdin(if input.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
                use std::io::Write;
                stdin.write_all(text.as_bytes())?;
            }
            child.wait_with_output()
        })
        .expect("tickets runs");
    assert!(
        out.status.success(),
        "tickets {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn every_command_that_writes_leaves_a_clean_work_tree() {
    let clone = Clone::new("tickets");
    std::fs::write(clone.store().join("config.yaml"), CONFIG).expect("config");
    clone.git(&["add", "-A"]);
    clone.git(&["commit", "-qm", "config"]);
    let log = clone.repo().join("../first.log");
    std::fs::write(&log, "first log\n").expect("log");
    let log = log.display().to_string();
    let t0 = "2026-03-02T09:00:00Z";

    run(&clone, t0, &["git-setup"], None);
    clean(&clone, "git-setup");
    let id = run(
        &clone,
        t0,
        &[
            "open",
            "--customer",
            "Acme Corp",
            "--email",
            "ana@acme.example",
            "--summary",
            "Push fails",
            "--description",
            "No push",
            "--attach",
            &log,
        ],
        None,
    );
    clean(&clone, "open --attach");
    for args in [
        vec!["investigate", id.as_str()],
        vec!["note", id.as_str(), "--message", "looked at it"],
        vec!["reassess", id.as_str(), "--severity", "high"],
        vec!["assign", id.as_str(), "alice"],
        vec![
            "request-info",
            id.as_str(),
            "--message",
            "Which version?",
            "--attach",
            &log,
        ],
        vec!["reply", id.as_str(), "--message", "7.2", "--attach", &log],
        vec!["escalate", id.as_str()],
        vec!["close", id.as_str(), "--resolution", "Fixed", "--attach", &log],
    ] {
        run(&clone, t0, &args, None);
        clean(&clone, &args.join(" "));
    }

    // Mail intake: a new case and a reply, each with a file.
    let mailed = run(
        &clone,
        t0,
        &["open", "--from-email"],
        Some(&mail_with_log("Crash on start", "first@acme.example", None)),
    );
    clean(&clone, "open --from-email");
    run(&clone, t0, &["request-info", &mailed, "--message", "More?"], None);
    run(
        &clone,
        t0,
        &["reply", "--from-email"],
        Some(&mail_with_log(
            &format!("Re: [{mailed}] Crash on start"),
            "second@acme.example",
            None,
        )),
    );
    clean(&clone, "reply --from-email");

    // The waiting case is reminded, then swept.
    run(
        &clone,
        t0,
        &["request-info", &mailed, "--message", "Still there?"],
        None,
    );
    run(&clone, "2026-03-07T10:00:00Z", &["remind"], None);
    clean(&clone, "remind");
    let swept = run(&clone, "2026-03-09T10:00:00Z", &["sweep"], None);
    assert_eq!(swept, mailed, "the waiting case is swept");
    clean(&clone, "sweep");

    // The mail host sends every message and commits its ledger.
    let sendmail = clone.repo().join("../sendmail");
    write_script(&sendmail, "cat >/dev/null\n");
    let mut deliver = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    clone.isolate(&mut deliver);
    let out = deliver
        .env("TICKETS_DIR", clone.store())
        .env("TICKETS_NOW", "2026-03-09T11:00:00Z")
        .env("TICKETS_SENDMAIL", sendmail.canonicalize().expect("script"))
        .current_dir(clone.repo())
        .arg("deliver")
        .output()
        .expect("deliver runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).lines().count() >= 8,
        "every public event mailed"
    );
    clean(&clone, "deliver");
    assert!(clone
        .git(&["ls-files", "tickets/sent"])
        .contains("tickets/sent/2026-03.log"));

    // A committed file no event names: `check --prune` commits its removal.
    let orphan = clone.store().join("attachments/00");
    std::fs::create_dir_all(&orphan).expect("folder");
    let name = "0".repeat(62);
    std::fs::write(orphan.join(&name), "nobody's\n").expect("orphan");
    clone.git(&["add", "-A"]);
    clone.git(&["commit", "-qm", "an orphan"]);
    run(&clone, t0, &["check", "--prune"], None);
    clean(&clone, "check --prune");
    assert!(!orphan.join(&name).exists(), "the orphan is removed");

    // Everything the events name is in HEAD, byte for byte.
    let tracked = clone.git(&["ls-files", "tickets/attachments"]);
    let shown = run(&clone, t0, &["show", &id, "--format", "json"], None);
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("json");
    for event in shown["history"].as_array().expect("history") {
        for attachment in event["attachments"].as_array().into_iter().flatten() {
            let sha = attachment["sha256"].as_str().expect("sha256");
            let path = format!("tickets/attachments/{}/{}", &sha[..2], &sha[2..]);
            assert!(tracked.contains(&path), "{path} is committed");
        }
    }
}
