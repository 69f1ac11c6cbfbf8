//! The portal host as deployed: `tickets serve` writing (and auto-committing)
//! customers' replies while its cron line pulls other clones' work, pushes,
//! and delivers, every minute. git pull used to run beside the portal's
//! writes: work trees left dirty, portal writes never committed, conflict
//! markers written by a merge that met a half-done commit. The recipe
//! (examples/cron-mail-host.sh) runs git under the store's own lock.

use crate::support::git::git_as;
use crate::support::portal::{Server, CONFIG};
use crate::support::write_script;
use crate::support::{TestStore, NOW};
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` as the team, with no user or system config.
fn git(dir: &Path, args: &[&str]) -> String {
    git_as(Some(("team", "team@desk.example")), dir, args)
}

fn tickets(dir: &Path, now: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tickets"))
        .args(args)
        .env("TICKETS_DIR", dir)
        .env("TICKETS_NOW", now)
        .env("TICKETS_ACTOR", "alice")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "team")
        .env("GIT_AUTHOR_EMAIL", "team@desk.example")
        .env("GIT_COMMITTER_NAME", "team")
        .env("GIT_COMMITTER_EMAIL", "team@desk.example")
        .env_remove("TICKETS_SMTP_URL")
        .env_remove("TICKETS_SENDMAIL")
        .output()
        .expect("tickets runs")
}

#[test]
fn the_portal_hosts_cron_line_never_meets_the_portals_own_writes() {
    let t = TestStore::with_config(&format!("{CONFIG}git:\n  commit: true\n"));
    let host = t.path().to_path_buf();
    let outside = tempfile::tempdir().expect("temp dir");
    git(&host, &["init", "-q", "-b", "main"]);
    let setup = tickets(&host, NOW, &["git-setup"]);
    assert!(setup.status.success(), "{}", String::from_utf8_lossy(&setup.stderr));
    let id = crate::support::portal::open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    // The other clone works another case: every pull merges the repository
    // (same-second events of one case on two clones are the merge driver's
    // own business, tested in `merges`).
    let other = crate::support::portal::open(&t, "Globex", None, "Login slow");
    git(&host, &["add", "-A"]);
    git(&host, &["commit", "-qm", "the store"]);
    let origin = outside.path().join("origin.git");
    git(
        outside.path(),
        &["clone", "-q", "--bare", &host.display().to_string(), "origin.git"],
    );
    git(&host, &["remote", "add", "origin", &origin.display().to_string()]);
    git(&host, &["fetch", "-q", "origin"]);
    git(&host, &["branch", "-q", "--set-upstream-to=origin/main"]);
    let laptop = outside.path().join("laptop");
    git(
        outside.path(),
        &["clone", "-q", &origin.display().to_string(), "laptop"],
    );
    let setup = tickets(&laptop, NOW, &["git-setup"]);
    assert!(setup.status.success());
    let sendmail = outside.path().join("sendmail");
    write_script(&sendmail, "cat >/dev/null\n");

    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    const REPLIES: usize = 30;
    let writes = std::thread::scope(|scope| {
        let portal = scope.spawn(|| {
            (0..REPLIES)
                .map(|n| {
                    server
                        .post(
                            &format!("/cases/{id}/reply"),
                            Some(&session),
                            &format!("message=portal+reply+{n}"),
                        )
                        .status
                })
                .collect::<Vec<u16>>()
        });
        let recipe = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cron-mail-host.sh");
        let bin = Path::new(env!("CARGO_BIN_EXE_tickets"));
        let mut lines = Vec::new();
        for n in 0..12 {
            // Another clone's work, pushed meanwhile: every pull merges.
            let noted = tickets(
                &laptop,
                NOW,
                &["note", &other, "--message", &format!("laptop note {n}")],
            );
            assert!(noted.status.success(), "{}", String::from_utf8_lossy(&noted.stderr));
            let _ = Command::new("git")
                .args(["pull", "-q", "--no-rebase"])
                .current_dir(&laptop)
                .output();
            let _ = Command::new("git")
                .args(["push", "-q", "origin", "HEAD:main"])
                .current_dir(&laptop)
                .output();
            let out = Command::new("bash")
                .arg(&recipe)
                .arg(&host)
                .arg(".")
                .env("TICKETS", bin)
                .env("TICKETS_NOW", NOW)
                .env("TICKETS_SENDMAIL", &sendmail)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "team")
                .env("GIT_AUTHOR_EMAIL", "team@desk.example")
                .env("GIT_COMMITTER_NAME", "team")
                .env("GIT_COMMITTER_EMAIL", "team@desk.example")
                .output()
                .expect("the recipe runs");
            lines.push((out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned()));
        }
        let statuses = portal.join().expect("the portal thread");
        (statuses, lines)
    });
    let (statuses, lines) = writes;
    assert!(statuses.iter().all(|s| *s == 303), "every reply recorded: {statuses:?}");
    for (code, stderr) in &lines {
        assert_eq!(*code, Some(0), "the cron line stopped: {stderr}");
    }
    assert_eq!(
        git(&host, &["status", "--porcelain"]),
        "",
        "the portal host's work tree is clean"
    );
    let check = tickets(&host, NOW, &["check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let committed = git(&host, &["show", &format!("HEAD:{id}.yaml")]);
    for n in 0..REPLIES {
        assert!(
            committed.contains(&format!("portal reply {n}")),
            "reply {n} is committed"
        );
    }
    let merged = git(&host, &["show", &format!("HEAD:{other}.yaml")]);
    for n in 0..12 {
        assert!(merged.contains(&format!("laptop note {n}")), "note {n} is merged");
    }
}

#[test]
fn a_tickets_folder_planted_as_a_link_is_never_locked_through() {
    let outside = tempfile::tempdir().expect("temp dir");
    let repo = outside.path().join("clone");
    std::fs::create_dir_all(repo.join("tickets")).expect("store");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("tickets/config.yaml"), "analysts: []\n").expect("config");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "store"]);
    let elsewhere = outside.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, repo.join("tickets/.tickets")).expect("link");
    for recipe in ["examples/cron-mail-host.sh", "examples/cron-sweep.sh"] {
        let out = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(recipe))
            .arg(&repo)
            .arg("tickets")
            .env("TICKETS", env!("CARGO_BIN_EXE_tickets"))
            .output()
            .expect("the recipe runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{recipe}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to lock through it"));
        assert!(
            !elsewhere.join("lock").exists(),
            "{recipe} created a file outside the store"
        );
    }
}
