//! Handing a composed message to the mail system: a sendmail-compatible
//! command or an SMTP server (lettre). Configured from the environment by
//! the command line, never from the store: this module reads no variable.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The default sendmail command: read recipients from the headers (`-t`),
/// and a lone `.` line does not end the message (`-oi`).
pub const DEFAULT_SENDMAIL: &str = "/usr/sbin/sendmail -t -oi";

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// A sendmail-compatible program and its arguments; the message goes to
    /// its standard input.
    Sendmail {
        /// The program, absolute.
        program: PathBuf,
        /// Its arguments.
        args: Vec<String>,
    },
    /// An SMTP server.
    Smtp {
        /// `smtp://host:port` (with lettre's `?tls=required` or
        /// `?tls=opportunistic` for STARTTLS) or `smtps://host:port`.
        url: String,
        /// User name and password, when the server wants them.
        credentials: Option<(String, String)>,
    },
}

impl Transport {
    /// A sendmail transport from a command line such as
    /// `/usr/sbin/sendmail -t -oi`, split on white space. A program named
    /// without a `/` is looked up in the absolute directories of PATH.
    pub fn sendmail(command: &str) -> Result<Transport, String> {
        let mut words = command.split_whitespace();
        let program = words
            .next()
            .ok_or_else(|| "the sendmail command is empty".to_string())?;
        let program = if program.contains('/') {
            PathBuf::from(program)
        } else {
            crate::core::program::find_on_path(program)
                .ok_or_else(|| format!("{program} not found in an absolute directory of PATH"))?
        };
        if !program.is_absolute() {
            return Err(format!(
                "{}: the sendmail program must be an absolute path",
                program.display()
            ));
        }
        Ok(Transport::Sendmail {
            program,
            args: words.map(String::from).collect(),
        })
    }

    /// Sends one message: `from` and `to` are the envelope's addresses.
    /// The error is the transport's own words, for the outbox.
    pub fn send(&self, from: &str, to: &str, bytes: &[u8]) -> Result<(), String> {
        self.send_copied(from, to, &[], bytes)
    }

    /// [`Transport::send`] to `to` and the addresses `cc` (the envelope's
    /// recipients over SMTP; `sendmail -t` reads them from the headers).
    pub fn send_copied(&self, from: &str, to: &str, cc: &[String], bytes: &[u8]) -> Result<(), String> {
        match self {
            Transport::Sendmail { program, args } => send_with_program(program, args, bytes),
            Transport::Smtp { url, credentials } => send_by_smtp(url, credentials.as_ref(), from, to, cc, bytes),
        }
    }

    /// How the transport is described in messages (no password).
    pub fn describe(&self) -> String {
        match self {
            Transport::Sendmail { program, args } => {
                let mut words = vec![program.display().to_string()];
                words.extend(args.iter().cloned());
                words.join(" ")
            }
            Transport::Smtp { url, .. } => url.clone(),
        }
    }
}

/// The longest error text kept from a failing program.
const MAX_ERROR_CHARS: usize = 500;

fn send_with_program(program: &PathBuf, args: &[String], bytes: &[u8]) -> Result<(), String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    // Sendmail takes LF line ends from a pipe; it writes CRLF on the wire.
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(text.as_bytes()))
        .unwrap_or(Ok(()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if output.status.success() {
        if let Err(e) = written {
            return Err(format!("{}: message not fully written: {e}", program.display()));
        }
        return Ok(());
    }
    let stderr: String = String::from_utf8_lossy(&output.stderr)
        .trim()
        .chars()
        .take(MAX_ERROR_CHARS)
        .collect();
    Err(format!("{} exited with {}: {stderr}", program.display(), output.status))
}

fn send_by_smtp(
    url: &str,
    credentials: Option<&(String, String)>,
    from: &str,
    to: &str,
    cc: &[String],
    bytes: &[u8],
) -> Result<(), String> {
    use lettre::address::{Address, Envelope};
    use lettre::Transport as _;
    let from: Address = from.parse().map_err(|e| format!("envelope sender {from:?}: {e}"))?;
    let mut recipients: Vec<Address> = vec![to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?];
    for copied in cc {
        recipients.push(copied.parse().map_err(|e| format!("recipient {copied:?}: {e}"))?);
    }
    let envelope = Envelope::new(Some(from), recipients).map_err(|e| e.to_string())?;
    let mut builder = lettre::SmtpTransport::from_url(url)
        .map_err(|e| format!("TICKETS_SMTP_URL {url:?}: {e}"))?
        .timeout(Some(std::time::Duration::from_secs(30)));
    if let Some((user, password)) = credentials {
        builder = builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
            user.clone(),
            password.clone(),
        ));
    }
    builder
        .build()
        .send_raw(&envelope, bytes)
        .map(|_| ())
        .map_err(|e| format!("SMTP {url}: {e}"))
}
