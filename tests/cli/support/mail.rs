//! The mail desk: a real SMTP server on 127.0.0.1, a sendmail-compatible
//! script relaying to it, `deliver` run with a script that keeps each
//! message, and a [`Desk`]: a store with `mail:` whose `deliver` reaches the
//! server, and the messages it received, parsed.

use super::process::{guarded, write_script};
use super::store::{TestStore, CONFIG, NOW};
use assert_cmd::assert::Assert;
use serde_json::Value;
use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

impl TestStore {
    /// Runs `deliver` at NOW as the mail host, with a sendmail-compatible
    /// script that keeps each message; the messages it sent, each as text
    /// with quoted-printable soft line breaks undone.
    pub fn deliver_and_capture(&self) -> Vec<String> {
        self.deliver_and_capture_at(NOW)
    }

    /// [`deliver_and_capture`](Self::deliver_and_capture) at `now`.
    pub fn deliver_and_capture_at(&self, now: &str) -> Vec<String> {
        let kept = MailServer::new();
        self.cmd()
            .env("TICKETS_NOW", now)
            .env("TICKETS_SENDMAIL", kept.command())
            .env_remove("TICKETS_SMTP_URL")
            .arg("deliver")
            .assert()
            .success();
        kept.kept("eml")
            .iter()
            .map(|message| message.replace("=\r\n", ""))
            .collect()
    }
}

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    /// Starts a server that stores what it accepts in `<dir>/maildir`.
    pub fn start(dir: &Path) -> SmtpServer {
        let maildir = dir.join("maildir");
        // A free port: bound, read, released; aiosmtpd binds it next.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd: install Debian's python3-aiosmtpd (.ci/run does)");
        let mut server = SmtpServer { child, port, maildir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("aiosmtpd exited at start ({status}): is python3-aiosmtpd installed?");
            }
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// `smtp://127.0.0.1:PORT`, for `TICKETS_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, oldest first, as raw bytes.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(self.maildir.join("new"))
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| {
                        (
                            e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH),
                            e.path(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| std::fs::read(path).expect("a message"))
            .collect()
    }

    /// Stops the server (a failing transport from now on).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A sendmail-compatible script: `-t -oi` like the real one, relaying to `port`.
pub fn fake_sendmail(dir: &Path, port: u16) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("sendmail");
    std::fs::write(
        &script,
        format!(
            r#"#!/usr/bin/python3
import email, smtplib, sys
assert sys.argv[1:] == ["-t", "-oi"], sys.argv
raw = sys.stdin.buffer.read()
message = email.message_from_bytes(raw)
to = [a for _, a in email.utils.getaddresses(message.get_all("To", []))]
sender = email.utils.parseaddr(message["From"])[1]
with smtplib.SMTP("127.0.0.1", {port}) as smtp:
    smtp.sendmail(sender, to, raw)
"#
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// The store's `mail:` settings (and reminders after 5 days of waiting).
pub const MAIL: &str = "remind_after_days: 5
mail:
  from: \"Acme Desk <support@desk.example>\"
  reply_to: \"Desk Replies <replies@desk.example>\"
  signature: \"-- \\nThe Desk team\"
";

/// The test roster and customers, with `mail:`.
pub fn mail_config() -> String {
    format!("{CONFIG}{MAIL}")
}

/// Instants after NOW (2026-11-19T10:00:00Z).
pub const HOUR_1: &str = "2026-11-19T11:00:00Z";
pub const HOUR_2: &str = "2026-11-19T12:00:00Z";
pub const HOUR_3: &str = "2026-11-19T13:00:00Z";
/// Five days after HOUR_1: a question asked at HOUR_1 is due its reminder.
pub const DAY_5: &str = "2026-11-24T11:00:00Z";
/// Eight days after HOUR_1: a question asked at HOUR_1 is due auto-close.
pub const DAY_8: &str = "2026-11-27T11:00:00Z";

/// How `deliver` reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `TICKETS_SMTP_URL`.
    Smtp,
    /// `TICKETS_SENDMAIL`: a sendmail-compatible script relaying to the server.
    Sendmail,
}

/// A store with `mail:`, a real SMTP server, and a way to reach it.
pub struct Desk {
    pub t: TestStore,
    pub mailroom: TempDir,
    pub server: SmtpServer,
    pub via: Via,
    pub sendmail: PathBuf,
}

impl Desk {
    pub fn new(via: Via) -> Desk {
        Desk::with_config(&mail_config(), via)
    }

    pub fn with_config(config: &str, via: Via) -> Desk {
        let t = TestStore::with_config(config);
        let mailroom = tempfile::tempdir().expect("temp dir");
        let server = start_server(&mailroom.path().join("first"));
        let sendmail = fake_sendmail(mailroom.path(), server.port());
        Desk {
            t,
            mailroom,
            server,
            via,
            sendmail,
        }
    }

    /// Replaces the (stopped) server by a new one; the sendmail script
    /// relays to the new one.
    pub fn restart_server(&mut self) {
        self.server.stop();
        let dir = self.mailroom.path().join(format!("server-{}", self.server.port()));
        self.server = start_server(&dir);
        self.sendmail = fake_sendmail(self.mailroom.path(), self.server.port());
    }

    /// `tickets deliver` at `now`, through `self.via`.
    pub fn deliver_at(&self, now: &str) -> Assert {
        self.deliver_cmd(now).arg("deliver").assert()
    }

    pub fn deliver_cmd(&self, now: &str) -> assert_cmd::Command {
        let mut cmd = self.t.cmd();
        cmd.env("TICKETS_NOW", now)
            .env_remove("TICKETS_SMTP_URL")
            .env_remove("TICKETS_SMTP_USER")
            .env_remove("TICKETS_SMTP_PASSWORD")
            .env_remove("TICKETS_SENDMAIL");
        match self.via {
            Via::Smtp => cmd.env("TICKETS_SMTP_URL", self.server.url()),
            Via::Sendmail => cmd.env("TICKETS_SENDMAIL", format!("{} -t -oi", self.sendmail.display())),
        };
        cmd
    }

    /// What the server received so far, parsed.
    pub fn received(&self) -> Vec<Received> {
        self.server.messages().iter().map(|raw| Received::parse(raw)).collect()
    }

    /// `outbox --format json`.
    pub fn outbox(&self) -> Vec<Value> {
        serde_json::from_str(&self.t.stdout(&["outbox", "--format", "json"])).expect("outbox json")
    }

    /// Message-ID -> the event that queued it, from the outbox.
    pub fn events_by_message_id(&self) -> HashMap<String, String> {
        self.outbox()
            .iter()
            .map(|m| {
                (
                    m["message_id"].as_str().expect("message_id").to_string(),
                    m["event"].as_str().expect("event").to_string(),
                )
            })
            .collect()
    }

    /// Pipes `message` into `args`.
    pub fn pipe_at(&self, now: &str, args: &[&str], message: &str) -> Assert {
        self.t
            .cmd()
            .env("TICKETS_NOW", now)
            .args(args)
            .write_stdin(message.as_bytes().to_vec())
            .assert()
    }
}

/// A server keeping its mail under `dir` (created).
pub fn start_server(dir: &std::path::Path) -> SmtpServer {
    std::fs::create_dir_all(dir).expect("server dir");
    SmtpServer::start(dir)
}

/// One message as the server received it, parsed.
#[derive(Debug, Clone)]
pub struct Received {
    pub message_id: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub from_name: Option<String>,
    pub from: String,
    pub reply_to: Option<String>,
    pub to: String,
    pub auto_submitted: Option<String>,
    /// The decoded text body.
    pub body: String,
    /// The message as received, for searching headers too.
    pub raw: String,
}

impl Received {
    /// The body as a reader's client flows it: the lines of a paragraph
    /// (which the desk wraps at 72 columns) joined with spaces, paragraphs
    /// apart, for looking up a sentence wherever the wrap fell.
    pub fn flowed(&self) -> String {
        self.body
            .split("\n\n")
            .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    pub fn parse(raw: &[u8]) -> Received {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .unwrap_or_else(|| panic!("not a message: {}", String::from_utf8_lossy(raw)));
        let list = |value: &mail_parser::HeaderValue<'_>| -> Vec<String> {
            value
                .as_text_list()
                .map(|items| items.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default()
        };
        let first = |address: Option<&mail_parser::Address<'_>>| {
            address
                .and_then(|a| a.first())
                .map(|a| (a.name().map(String::from), a.address().unwrap_or("").to_string()))
        };
        let (from_name, from) = first(message.from()).expect("From");
        Received {
            message_id: message.message_id().expect("Message-ID").to_string(),
            in_reply_to: list(message.in_reply_to()),
            references: list(message.references()),
            subject: message.subject().expect("Subject").to_string(),
            from_name,
            from,
            reply_to: first(message.reply_to()).map(|(_, address)| address),
            to: first(message.to()).expect("To").1,
            auto_submitted: message.header_raw("Auto-Submitted").map(|v| v.trim().to_string()),
            body: message.body_text(0).expect("a text body").replace("\r\n", "\n"),
            raw: String::from_utf8_lossy(raw).into_owned(),
        }
    }
}

/// A customer's message, as a mail server's pipe hands it to `open --from-email`.
pub fn customer_mail(from: &str, subject: &str, message_id: &str, body: &str) -> String {
    format!(
        "From: Ana Souza <{from}>\r\n\
         To: Support <support@desk.example>\r\n\
         Subject: {subject}\r\n\
         Date: Thu, 19 Nov 2026 06:55:10 -0300\r\n\
         Message-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         {body}\r\n"
    )
}

/// Opens a case from a customer's e-mail at NOW; returns its ID.
pub fn open_by_mail(desk: &Desk, subject: &str, message_id: &str) -> String {
    let raw = customer_mail(
        "ana.souza@acme.example",
        subject,
        message_id,
        "Since this morning's update no push notification reaches our iOS users.",
    );
    let out = desk.pipe_at(NOW, &["open", "--from-email"], &raw).success();
    String::from_utf8(out.get_output().stdout.clone())
        .expect("utf-8")
        .trim()
        .to_string()
}

pub fn stdout_of(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

pub fn stderr_of(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// The messages of one case (by the `[ID]` of the subject), in arrival order.
pub fn of_case<'a>(received: &'a [Received], id: &str) -> Vec<&'a Received> {
    let tag = format!("[{id}] ");
    received.iter().filter(|m| m.subject.starts_with(&tag)).collect()
}

/// Far beyond any honest run: only a hang (or a pathological slowdown) gets there.
pub const HANG: Duration = Duration::from_secs(20);

/// The tests' store with outbound mail on.
pub fn mail_store() -> TestStore {
    TestStore::with_config(&format!("{CONFIG}mail:\n  from: \"Support <support@desk.example>\"\n"))
}

/// A case for Acme Corp with a contact address; its ID.
pub fn a_case(t: &TestStore) -> String {
    t.open(&[
        "--customer",
        "Acme Corp",
        "--email",
        "ana@acme.example",
        "--summary",
        "Push fails",
        "--description",
        "No push since Monday",
    ])
}

/// A sendmail-compatible script that keeps each message (and the
/// arguments it was called with) in a folder outside the store.
pub struct MailServer {
    pub dir: TempDir,
}

impl MailServer {
    /// A new script with nothing kept.
    pub fn new() -> MailServer {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("kept")).expect("kept");
        write_script(
            &dir.path().join("sendmail"),
            &format!(
                "f=\"{kept}/$(date +%s%N).$$\"\necho \"$@\" > \"$f.args\"\ncat > \"$f.eml\"\n",
                kept = dir.path().join("kept").display()
            ),
        );
        MailServer { dir }
    }

    /// `TICKETS_SENDMAIL` for it.
    pub fn command(&self) -> String {
        format!("{} -t -oi", self.dir.path().join("sendmail").display())
    }

    /// The messages handed to it, oldest first, with line ends as `\n` and
    /// quoted-printable soft line breaks undone.
    pub fn messages(&self) -> Vec<String> {
        self.kept("eml")
            .iter()
            .map(|message| message.replace("\r\n", "\n").replace("=\n", ""))
            .collect()
    }

    /// The argument lines it was called with.
    pub fn arguments(&self) -> Vec<String> {
        self.kept("args")
            .iter()
            .map(|args| args.replace("\r\n", "\n").replace("=\n", ""))
            .collect()
    }

    /// The files it kept with this extension ("eml" or "args"), oldest
    /// first, as they were written.
    pub fn kept(&self, extension: &str) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("kept"))
            .expect("kept")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == extension))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).expect("kept file")).into_owned())
            .collect()
    }
}

/// `tickets ARGS` on `t` at `now`, as the mail host when `server` is given.
pub fn tickets(t: &TestStore, now: &str, server: Option<&MailServer>, args: &[&str]) -> (Output, Duration) {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("tickets"));
    command
        .env_remove("TICKETS_LOCK_TIMEOUT")
        .env_remove("TICKETS_SMTP_URL")
        .env_remove("TICKETS_SENDMAIL")
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", now)
        .env("TICKETS_ACTOR", "tester")
        .args(args);
    if let Some(server) = server {
        command.env("TICKETS_SENDMAIL", server.command());
    }
    guarded(command, HANG)
}

/// `deliver` on the mail host at NOW: its output.
pub fn deliver(t: &TestStore, server: &MailServer) -> Output {
    tickets(t, NOW, Some(server), &["deliver"]).0
}

/// A store with the desk's `mail:` settings, for `intake`.
pub fn intake_desk() -> TestStore {
    TestStore::with_config(&format!(
        "{}mail:\n  from: \"Acme Support <support@desk.example>\"\n",
        crate::support::CONFIG
    ))
}

/// `tickets intake` with `raw` on stdin, the clock at `now`.
pub fn intake_at(t: &TestStore, now: &str, raw: &str) -> Assert {
    t.cmd()
        .env("TICKETS_NOW", now)
        .arg("intake")
        .write_stdin(raw.to_string())
        .assert()
}

/// `tickets intake` at NOW.
pub fn intake(t: &TestStore, raw: &str) -> Assert {
    intake_at(t, crate::support::NOW, raw)
}
