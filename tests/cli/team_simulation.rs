//! A week of a support team's deployment, simulated end to end by
//! `scripts/simulate-team.sh`: a bare origin, three analysts' clones, the
//! portal host (the mail host, with a real SMTP server), a cron clone,
//! customers mailing in and using the portal, on a simulated clock; with the
//! day-one features in use (tags from several clones on one case, CC by
//! command and by intake's `Cc:`, canned answers, merged duplicates and mail
//! replies to them, chat notifications to a webhook the script serves).
//! Every invariant the script checks (one store everywhere, `check` passes,
//! attachments read back, each support event mailed exactly once and nothing
//! internal, no customer sees another's case, no dirty tree, no cron job
//! stopped, no command failed; tags and CC as a replay of every clone's
//! commands gives, each message To the contact and Cc the case's CC of the
//! moment, no tag in a mail or a page, merged cases closed into their
//! customer's case with replies landing there, each chat notification
//! posted once and nothing private in it) must hold.

use std::process::Command;

#[test]
fn a_simulated_week_of_a_support_team_keeps_every_invariant() {
    // Skip nothing silently: the SMTP server is part of the deployment.
    let aiosmtpd = Command::new("/usr/bin/python3")
        .args(["-c", "import aiosmtpd"])
        .output();
    assert!(
        aiosmtpd.is_ok_and(|o| o.status.success()),
        "the team simulation needs /usr/bin/python3 with aiosmtpd: install Debian's python3-aiosmtpd (.ci/run does)"
    );
    let root = env!("CARGO_MANIFEST_DIR");
    // A hang (a server that never answers) fails the test after 10 minutes
    // instead of holding CI; the script's own trap stops what it started.
    let output = Command::new("timeout")
        .args(["--kill-after=20", "600", "bash"])
        .arg(format!("{root}/scripts/simulate-team.sh"))
        .args([
            "--days",
            "7",
            "--cases",
            "100",
            "--seed",
            "3",
            "--bin",
            env!("CARGO_BIN_EXE_tickets"),
        ])
        .current_dir(root)
        .output()
        .expect("bash and coreutils' timeout run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = format!("{stdout}\n--- stderr ---\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.code() != Some(124),
        "the simulation did not finish in 10 minutes:\n{report}"
    );
    assert!(
        output.status.success(),
        "simulate-team.sh exited with {}:\n{report}",
        output.status
    );
    for n in 1..=13 {
        assert!(
            stdout.lines().any(|line| line.starts_with(&format!("ok: {n} "))),
            "invariant {n} is not reported ok:\n{report}"
        );
    }
    assert!(!stdout.contains("BROKEN"), "an invariant broke:\n{report}");
    println!("{stdout}");
}
