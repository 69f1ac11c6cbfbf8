//! `deliver` under faults: a message is marked "sending" before it is
//! handed over, so a run that cannot record what it sent (a full disk, a
//! ledger it cannot write) sends it once more at most, and a run that
//! cannot write the mark sends nothing.

use crate::support::write_script;
use crate::support::{TestStore, CONFIG, NOW};
use std::path::{Path, PathBuf};

/// A sendmail-compatible script counting what it was handed in `mbox`.
fn mail_server(dir: &Path) -> (PathBuf, PathBuf) {
    let mbox = dir.join("mbox");
    let script = dir.join("sendmail");
    write_script(&script, &format!("cat >/dev/null; echo x >> '{}'\n", mbox.display()));
    (script, mbox)
}

fn handed_over(mbox: &Path) -> usize {
    std::fs::read_to_string(mbox).unwrap_or_default().lines().count()
}

fn mail_store() -> (TestStore, String) {
    let t = TestStore::with_config(&format!("{CONFIG}mail:\n  from: \"Support <support@desk.example>\"\n"));
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--email",
        "ana@acme.example",
        "--summary",
        "Push fails",
        "--description",
        "No push",
    ]);
    (t, id)
}

fn deliver(t: &TestStore, script: &Path) -> assert_cmd::assert::Assert {
    t.cmd()
        .env("TICKETS_SENDMAIL", format!("{} -t -oi", script.display()))
        .arg("deliver")
        .assert()
}

/// `deliver` as the mail host, under a file-size limit of `limit` bytes
/// with SIGXFSZ ignored: a write past it fails (EFBIG), as on a full disk.
fn deliver_limited(t: &TestStore, script: &Path, limit: u64) -> std::process::Output {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    command
        .args(["deliver"])
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_SENDMAIL", format!("{} -t -oi", script.display()));
    crate::support::fail_writes_past(&mut command, limit);
    command.output().expect("deliver runs")
}

#[test]
fn a_ledger_that_cannot_be_written_sends_a_message_twice_at_most() {
    let (t, _id) = mail_store();
    let outside = tempfile::tempdir().expect("temp dir");
    let (script, mbox) = mail_server(outside.path());
    // The month's ledger already past the limit: its next line cannot be
    // written, while the small "sending" mark can.
    let line = r#"{"sent_at":"2026-11-01T00:00:00Z","case":"RC-OTHER","event":"open","key":"00000000000000aa","message_id":"x@y","to":"a@acme.example","subject":"s"}"#;
    let ledger = t.path().join("sent/2026-11.log");
    std::fs::write(&ledger, format!("{line}\n").repeat(40)).expect("ledger");
    let limit = std::fs::metadata(&ledger).expect("ledger").len() - 10;
    for _ in 0..5 {
        let out = deliver_limited(&t, &script, limit);
        assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(handed_over(&mbox), 2, "sent once, then once more at most");
    let outbox: Vec<serde_json::Value> =
        serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).expect("json");
    let ours: Vec<&serde_json::Value> = outbox.iter().filter(|m| m["case"] != "RC-OTHER").collect();
    assert_eq!(ours.len(), 1, "{outbox:#?}");
    assert_eq!(ours[0]["state"], "sending", "the outbox says so: {outbox:#?}");
    assert!(ours[0]["error"].as_str().unwrap_or("").contains("sent again, once"));

    // Room again: recorded as sent, never handed over a third time.
    deliver(&t, &script).success();
    assert_eq!(handed_over(&mbox), 2);
    let outbox: Vec<serde_json::Value> =
        serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).expect("json");
    let ours: Vec<&serde_json::Value> = outbox.iter().filter(|m| m["case"] != "RC-OTHER").collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["state"], "sent");
    deliver(&t, &script).success();
    assert_eq!(handed_over(&mbox), 2, "never a third time");
}

#[test]
fn a_mark_that_cannot_be_written_sends_nothing() {
    let (t, _id) = mail_store();
    let outside = tempfile::tempdir().expect("temp dir");
    let (script, mbox) = mail_server(outside.path());
    // A file-size limit below the size of the "sending" mark: the write of
    // the mark fails (as on a full disk) before anything is handed over.
    for _ in 0..3 {
        let out = deliver_limited(&t, &script, 300);
        assert!(!out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(handed_over(&mbox), 0, "a message was sent without its mark");
    // Room again: sent once.
    deliver(&t, &script).success();
    deliver(&t, &script).success();
    assert_eq!(handed_over(&mbox), 1);
}
