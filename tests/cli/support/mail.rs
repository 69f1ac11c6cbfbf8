//! The mail desk: a real SMTP server on 127.0.0.1, a sendmail-compatible
//! script relaying to it, and `deliver` run with a script that keeps each
//! message.

use super::store::{TestStore, NOW};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
