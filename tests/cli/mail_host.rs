//! Mail goes out from the mail host: an answer typed on an analyst's clone
//! with no mail set-up reaches the customer once, from the clone whose
//! environment names a transport, after it pulls; the sent ledger it
//! commits keeps every other clone, and a restore, from sending it again.

use crate::support::git::Sandbox;
use crate::support::write_script;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-19T10:00:00Z";

const CONFIG: &str = r#"id_prefix: RC
auto_close_after_days: 7
analysts:
  - {id: alice, name: Alice Souza, level: l1, available: true, skills: [push]}
customers:
  - name: Acme Corp
    plan: plus
    domains: [acme.example]
mail:
  from: "Support <support@desk.example>"
git:
  commit: true
"#;

/// An origin, and clones of it by name, each with `tickets git-setup` run.
struct Deployment {
    sandbox: Sandbox,
}

impl Deployment {
    fn new(config: &str) -> Deployment {
        let d = Deployment {
            sandbox: Sandbox::new(
                "[user]\n\tname = Team\n\temail = team@desk.example\n[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n",
            ),
        };
        let seed = d.sandbox.root().join("seed");
        std::fs::create_dir(&seed).expect("seed");
        d.git(&seed, &["init", "-q"]);
        d.tickets(&seed, NOW, &["init"], None);
        std::fs::write(seed.join("tickets/config.yaml"), config).expect("config");
        d.git(&seed, &["add", "-A"]);
        d.git(&seed, &["commit", "-qm", "store"]);
        d.git(d.sandbox.root(), &["clone", "-q", "--bare", "seed", "origin.git"]);
        d
    }

    /// A new clone of the origin.
    fn clone(&self, name: &str) -> PathBuf {
        self.git(self.sandbox.root(), &["clone", "-q", "origin.git", name]);
        let repo = self.sandbox.root().join(name);
        self.tickets(&repo, NOW, &["git-setup"], None);
        repo
    }

    fn isolate(&self, command: &mut Command) {
        self.sandbox.isolate(command);
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        self.sandbox.git_ok(dir, args)
    }

    /// `tickets ARGS` in `repo`'s store; `sendmail` makes it the mail host.
    fn run(&self, repo: &Path, now: &str, args: &[&str], sendmail: Option<&Path>) -> Output {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
        self.isolate(&mut command);
        command
            .env("TICKETS_DIR", repo.join("tickets"))
            .env("TICKETS_NOW", now)
            .env("TICKETS_ACTOR", "alice")
            .current_dir(repo)
            .args(args);
        if let Some(script) = sendmail {
            command.env("TICKETS_SENDMAIL", format!("{} -t -oi", script.display()));
        }
        command.output().expect("tickets runs")
    }

    fn tickets(&self, repo: &Path, now: &str, args: &[&str], sendmail: Option<&Path>) -> String {
        let out = self.run(repo, now, args, sendmail);
        assert!(
            out.status.success(),
            "tickets {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A sendmail-compatible script appending each message to `mbox`.
    fn mail_server(&self) -> (PathBuf, PathBuf) {
        let mbox = self.sandbox.root().join("mbox");
        let script = self.sandbox.root().join("sendmail");
        write_script(
            &script,
            &format!("{{ cat; echo; echo '=====END====='; }} >> '{}'\n", mbox.display()),
        );
        (script, mbox)
    }

    fn sync(&self, repo: &Path) {
        self.git(repo, &["pull", "-q", "--no-edit", "origin", "main"]);
        self.git(repo, &["push", "-q", "origin", "HEAD:main"]);
    }
}

/// The messages of an mbox written by [`Deployment::mail_server`].
fn messages(mbox: &Path) -> Vec<String> {
    std::fs::read_to_string(mbox)
        .unwrap_or_default()
        .split("=====END=====")
        .filter(|m| !m.trim().is_empty())
        .map(|m| m.replace("=\r\n", ""))
        .collect()
}

fn clean(d: &Deployment, repo: &Path) {
    assert_eq!(
        d.git(repo, &["status", "--porcelain"]),
        "",
        "{} is dirty",
        repo.display()
    );
}

#[test]
fn an_answer_typed_on_an_analysts_clone_is_mailed_once_by_the_mail_host() {
    let d = Deployment::new(CONFIG);
    let laptop = d.clone("laptop");
    let host = d.clone("host");
    let (sendmail, mbox) = d.mail_server();

    let id = d.tickets(
        &laptop,
        NOW,
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
        ],
        None,
    );
    d.tickets(
        &laptop,
        NOW,
        &["request-info", &id, "--message", "Which version, please?"],
        None,
    );
    d.tickets(
        &laptop,
        NOW,
        &["note", &id, "--message", "INTERNAL: customer is grumpy"],
        None,
    );
    clean(&d, &laptop);
    // The laptop has no transport: it refuses, and sends nothing.
    let refused = d.run(&laptop, NOW, &["deliver"], None);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not the mail host"), "{stderr}");
    assert!(messages(&mbox).is_empty());
    // It can still see what waits for the mail host.
    let waiting = d.tickets(&laptop, NOW, &["deliver", "--dry-run"], None);
    assert_eq!(waiting.lines().count(), 2, "{waiting}");
    d.sync(&laptop);

    // The mail host pulls and sends both messages, once.
    d.sync(&host);
    let sent = d.tickets(&host, "2026-11-19T10:05:00Z", &["deliver"], Some(&sendmail));
    assert_eq!(sent.lines().count(), 2, "{sent}");
    clean(&d, &host);
    let mail = messages(&mbox);
    assert_eq!(mail.len(), 2);
    assert!(mail.iter().any(|m| m.contains("Which version, please?")));
    assert!(
        mail.iter().all(|m| !m.contains("INTERNAL")),
        "an internal note was mailed"
    );
    assert_eq!(
        d.tickets(&host, NOW, &["deliver"], Some(&sendmail)),
        "",
        "nothing twice"
    );
    d.sync(&host);

    // Every clone gets the ledger; a restore sends nothing again.
    d.sync(&laptop);
    assert!(laptop.join("tickets/sent/2026-11.log").is_file());
    let restore = d.clone("restore");
    assert_eq!(d.tickets(&restore, NOW, &["deliver"], Some(&sendmail)), "");
    assert_eq!(messages(&mbox).len(), 2, "a restore sends nothing twice");
    let outbox: Vec<serde_json::Value> =
        serde_json::from_str(&d.tickets(&restore, NOW, &["outbox", "--format", "json"], None)).expect("json");
    assert_eq!(outbox.len(), 2);
    assert!(outbox.iter().all(|m| m["state"] == "sent"), "{outbox:#?}");

    // The same case answered on two clones at once: each answer once.
    d.tickets(
        &laptop,
        "2026-11-19T11:00:00Z",
        &["request-info", &id, "--message", "From the laptop"],
        None,
    );
    d.tickets(
        &restore,
        "2026-11-19T11:00:01Z",
        &["request-info", &id, "--message", "From the other clone"],
        None,
    );
    d.sync(&laptop);
    d.sync(&restore);
    d.sync(&host);
    let sent = d.tickets(&host, "2026-11-19T11:05:00Z", &["deliver"], Some(&sendmail));
    assert_eq!(sent.lines().count(), 2, "{sent}");
    let mail = messages(&mbox);
    assert_eq!(mail.len(), 4);
    assert_eq!(mail.iter().filter(|m| m.contains("From the laptop")).count(), 1);
    assert_eq!(mail.iter().filter(|m| m.contains("From the other clone")).count(), 1);
    assert_eq!(
        d.tickets(&restore, NOW, &["check"], None)
            .lines()
            .last()
            .map(|l| l.contains("0 error")),
        Some(true)
    );
}

#[test]
fn events_from_before_the_ledger_are_never_mailed() {
    let d = Deployment::new(CONFIG);
    let host = d.clone("host");
    let (sendmail, mbox) = d.mail_server();
    let old = d.tickets(
        &host,
        NOW,
        &[
            "open",
            "--customer",
            "Acme Corp",
            "--email",
            "ana@acme.example",
            "--summary",
            "Old",
            "--description",
            "x",
        ],
        None,
    );
    // A store from before the ledger: no sent/ at all.
    d.git(&host, &["rm", "-q", "-r", "tickets/sent"]);
    d.git(&host, &["commit", "-qm", "a store from before the ledger"]);
    let first = d.run(&host, "2026-11-20T10:00:00Z", &["deliver"], Some(&sendmail));
    assert!(first.status.success());
    assert!(String::from_utf8_lossy(&first.stderr).contains("started the sent ledger"));
    assert!(messages(&mbox).is_empty(), "an event from before the ledger was mailed");
    clean(&d, &host);
    d.tickets(
        &host,
        "2026-11-20T11:00:00Z",
        &["request-info", &old, "--message", "New question"],
        None,
    );
    d.tickets(&host, "2026-11-20T11:05:00Z", &["deliver"], Some(&sendmail));
    let mail = messages(&mbox);
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains("New question"));
}

#[test]
fn a_case_opened_by_an_automatic_message_is_never_acknowledged_by_the_mail_host() {
    let d = Deployment::new(CONFIG);
    let host = d.clone("host");
    let (sendmail, mbox) = d.mail_server();
    let message = "From: Ana <ana@acme.example>\r\nTo: support@desk.example\r\nSubject: Out of office\r\n\
                   Message-ID: <ooo-1@acme.example>\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n";
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    d.isolate(&mut command);
    let mut child = command
        .env("TICKETS_DIR", host.join("tickets"))
        .env("TICKETS_NOW", NOW)
        .args(["open", "--from-email"])
        .current_dir(&host)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("tickets runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(message.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("output");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(id.starts_with("RC-"), "an out-of-office opens a case here: {id}");
    clean(&d, &host);
    d.tickets(&host, NOW, &["deliver"], Some(&sendmail));
    assert!(messages(&mbox).is_empty(), "an automatic message was acknowledged");
    let ledger = std::fs::read_to_string(host.join("tickets/sent/2026-11.log")).expect("ledger");
    assert!(ledger.contains(&id) && ledger.contains("withheld"), "{ledger}");
}

#[test]
fn git_setup_adds_the_ledgers_merge_line_to_a_store_set_up_before_it() {
    let d = Deployment::new(CONFIG);
    let repo = d.clone("older");
    let attributes = repo.join("tickets/.gitattributes");
    let text = std::fs::read_to_string(&attributes).expect(".gitattributes");
    let older: String = text
        .lines()
        .filter(|l| !l.contains("sent/"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&attributes, &older).expect("older .gitattributes");
    d.git(&repo, &["commit", "-qam", "a store set up before the ledger"]);
    d.tickets(&repo, NOW, &["git-setup"], None);
    let now = std::fs::read_to_string(&attributes).expect(".gitattributes");
    assert!(now.starts_with(&older), "the rest is kept");
    assert_eq!(now.matches("sent/*.log merge=union").count(), 1);
    clean(&d, &repo);
    d.tickets(&repo, NOW, &["git-setup"], None);
    assert_eq!(
        std::fs::read_to_string(&attributes).expect(".gitattributes"),
        now,
        "added once"
    );
}

#[test]
fn check_reports_a_ledger_the_mail_host_would_refuse() {
    let d = Deployment::new(CONFIG);
    let repo = d.clone("ci");
    std::fs::write(repo.join("tickets/sent/2026-11.log"), "not a ledger line\n").expect("ledger");
    let out = d.run(&repo, NOW, &["check"], None);
    assert_eq!(out.status.code(), Some(5));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2026-11.log:1") && stdout.contains("sent-ledger"),
        "{stdout}"
    );
}

#[test]
fn a_contact_whose_address_needs_smtputf8_is_refused_at_open_and_one_on_file_is_withheld_once() {
    let d = Deployment::new(CONFIG);
    let host = d.clone("host");
    let (sendmail, mbox) = d.mail_server();
    let open = |email: &str| {
        d.run(
            &host,
            NOW,
            &[
                "open",
                "--customer",
                "Acme Corp",
                "--summary",
                "Export fails",
                "--email",
                email,
            ],
            None,
        )
    };
    // Given, it is refused at once: exit 2, the reason, no case.
    let refused = open("joão@acme.example");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("SMTPUTF8"));
    assert!(refused.stdout.is_empty());
    // One already on file (an older case, a hand edit) is withheld once by
    // the mail host, never failed on every run.
    let out = open("joao@acme.example");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let file = host.join("tickets").join(format!("{id}.yaml"));
    let text = std::fs::read_to_string(&file).expect("case");
    std::fs::write(&file, text.replace("joao@acme.example", "joão@acme.example")).expect("edit");
    d.git(&host, &["commit", "-qam", "the contact's address by hand"]);
    clean(&d, &host);
    for _ in 0..2 {
        let sent = d.run(&host, NOW, &["deliver"], Some(&sendmail));
        assert!(
            sent.status.success(),
            "deliver never fails on it: {}",
            String::from_utf8_lossy(&sent.stderr)
        );
    }
    assert!(messages(&mbox).is_empty());
    let ledger = std::fs::read_to_string(host.join("tickets/sent/2026-11.log")).expect("ledger");
    assert_eq!(ledger.matches(&id).count(), 1, "withheld once: {ledger}");
    assert!(ledger.contains("withheld"), "{ledger}");
}

/// A mail host restored from a clone that lacks the ledger's start (a
/// store made before `init` wrote `sent/since`, or one whose `since` was
/// lost): `outbox` warns that the first `deliver` would leave the public
/// events so far unmailed; once the ledger has started, it says nothing.
#[test]
fn outbox_warns_while_no_delivery_started_the_ledger() {
    use crate::support::mail::{a_case, mail_store, tickets, MailServer};
    let t = mail_store();
    std::fs::remove_file(t.path().join("sent/since")).expect("init writes sent/since");
    let (quiet, _) = tickets(&t, NOW, None, &["outbox"]);
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty(), "no case, nothing to warn about");
    let id = a_case(&t);
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let (warned, _) = tickets(&t, NOW, None, &["outbox"]);
    assert!(warned.status.success());
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(stderr.contains("sent/since is missing"), "{stderr}");
    assert!(stderr.contains("1 case(s) with a contact"), "{stderr}");
    let server = MailServer::new();
    let (delivered, _) = tickets(&t, NOW, Some(&server), &["deliver"]);
    assert!(delivered.status.success());
    t.run(&["request-info", &id, "--message", "And the log?"]).success();
    let (after, _) = tickets(&t, NOW, None, &["outbox"]);
    assert!(after.stderr.is_empty(), "{}", String::from_utf8_lossy(&after.stderr));
}
