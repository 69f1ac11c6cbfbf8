//! The portal client: `tickets serve` started on 127.0.0.1:0 and stopped
//! when dropped, plain HTTP/1.1 requests to it (forms, multipart uploads,
//! raw bytes back), and sign-in through `tickets portal link`.

use super::store::TestStore;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A desk with three customers, Globex on a portal of its own, and a
/// sender for mail.
pub const CONFIG: &str = r#"id_prefix: RC
analysts:
  - {id: alice, name: Alice Souza, level: l1, skills: [push]}
  - {id: carla, name: Carla Mendes, level: l2}
  - {id: ravi, name: Ravi Costa, level: rnd}
customers:
  - {name: Acme Corp, plan: plus, domains: [acme.example]}
  - {name: Globex, domains: [globex.example], portal: own}
  - {name: Initech, domains: [initech.example]}
mail:
  from: "Support <support@desk.example>"
"#;

/// A running `tickets serve`, stopped when dropped.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The session cookie's name: `__Host-tickets_session` under an https
    /// base URL, else `tickets_session_PORT` (the base URL's port).
    pub cookie_name: String,
    log: Arc<Mutex<String>>,
}

/// An answer: status, headers and the body as text.
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body (lossy UTF-8).
    pub body: String,
}

impl Reply {
    /// The value of the header `name`, in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    /// Starts `tickets serve ARGS` on the store at `now`, with `env` added.
    pub fn start(t: &TestStore, now: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tickets"));
        command
            .env_remove("TICKETS_PORTAL_URL")
            .env_remove("TICKETS_LOCK_TIMEOUT")
            .env("TICKETS_DIR", t.path())
            .env("TICKETS_NOW", now)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start tickets serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (sender, receiver) = std::sync::mpsc::channel();
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = sender.send(rest.split(' ').next().unwrap_or("").to_string());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("the server says where it listens");
        let base = args
            .iter()
            .position(|a| *a == "--base-url")
            .and_then(|i| args.get(i + 1))
            .map_or_else(|| format!("http://{addr}"), |b| b.to_string());
        let cookie_name = if base.starts_with("https://") {
            "__Host-tickets_session".to_string()
        } else {
            let port = base.trim_end_matches('/').rsplit(':').next().unwrap_or("80");
            format!("tickets_session_{port}")
        };
        Server {
            child,
            addr,
            cookie_name,
            log,
        }
    }

    /// `http://127.0.0.1:PORT`: the base URL, and the Origin of its pages.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log once it holds `needle` (lines reach it through a pipe), or after 10 s.
    pub fn log_with(&self, needle: &str) -> String {
        for _ in 0..100 {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.log()
    }

    /// The `Cookie` header's value that carries session `value`.
    pub fn cookie(&self, value: &str) -> String {
        format!("{}={value}", self.cookie_name)
    }

    /// One request; `extra` headers as given (Origin, Cookie, ...).
    pub fn send(&self, method: &str, path: &str, extra: &[(&str, &str)], body: Option<&[u8]>) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        if let Some(body) = body {
            // The server may answer (413) before reading it all.
            let _ = stream.write_all(body);
        }
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {text:?}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// A GET, signed in with the session `cookie` if any.
    pub fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let cookie = cookie.map(|c| self.cookie(c));
        let extra: Vec<(&str, &str)> = cookie.iter().map(|c| ("Cookie", c.as_str())).collect();
        self.send("GET", path, &extra, None)
    }

    /// A POST from the portal's own page (its Origin).
    pub fn post(&self, path: &str, cookie: Option<&str>, form: &str) -> Reply {
        self.post_with(path, cookie, &[], form)
    }

    /// A POST from the portal's own page (its Origin), with `extra` headers
    /// after the Origin and the cookie.
    pub fn post_with(&self, path: &str, cookie: Option<&str>, extra: &[(&str, &str)], form: &str) -> Reply {
        let origin = self.base();
        let cookie = cookie.map(|c| self.cookie(c));
        let mut headers = vec![("Origin", origin.as_str())];
        headers.extend(cookie.iter().map(|c| ("Cookie", c.as_str())));
        headers.extend_from_slice(extra);
        self.send("POST", path, &headers, Some(form.as_bytes()))
    }

    /// Signs `email` in through a link from `portal link`; the session cookie.
    pub fn sign_in(&self, t: &TestStore, email: &str) -> String {
        let path = link_path(t, email, &self.base());
        assert_eq!(self.get(&path, None).status, 200, "the link's page");
        let reply = self.post(&path, None, "");
        assert_eq!(reply.status, 303, "{}", reply.body);
        session_of(&reply).expect("a session cookie")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tickets portal link`'s URL for `email`, as a path on the server.
pub fn link_path(t: &TestStore, email: &str, base: &str) -> String {
    let url = t.stdout(&["portal", "link", "--email", email, "--base-url", base]);
    url.trim()
        .strip_prefix(base)
        .expect("the URL is under the base")
        .to_string()
}

/// The session cookie a reply sets (whatever its name: `__Host-tickets_session`
/// or `tickets_session_PORT`).
pub fn session_of(reply: &Reply) -> Option<String> {
    let cookie = reply.header("set-cookie")?;
    let (name, rest) = cookie.split_once('=')?;
    if !name.starts_with("tickets_session_") && name != "__Host-tickets_session" {
        return None;
    }
    let value = rest.split(';').next()?;
    (!value.is_empty()).then(|| value.to_string())
}

/// An urlencoded form.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes all but unreserved characters.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Opens a case for `customer`, with a contact `email` if any.
pub fn open(t: &TestStore, customer: &str, email: Option<&str>, summary: &str) -> String {
    let mut args = vec![
        "--customer",
        customer,
        "--summary",
        summary,
        "--description",
        "It broke.",
    ];
    if let Some(email) = email {
        args.extend(["--email", email]);
    }
    t.open(&args)
}

/// A raw answer: status, headers and the body's bytes.
pub struct Raw {
    /// The status code.
    pub status: u16,
    headers: Vec<(String, String)>,
    /// The body, unchunked.
    pub body: Vec<u8>,
}

impl Raw {
    /// The value of the header `name`, in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request signed in with `cookie`, from the portal's Origin, with a
/// body of its content type if any; the raw answer.
pub fn request(server: &Server, method: &str, path: &str, cookie: &str, body: Option<(&str, &[u8])>) -> Raw {
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: {}\r\nOrigin: {}\r\n",
        server.addr,
        server.cookie(cookie),
        server.base()
    );
    if let Some((content_type, body)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    if let Some((_, body)) = body {
        let _ = stream.write_all(body);
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = unchunk(&body);
    }
    Raw { status, headers, body }
}

/// A chunked body, unchunked.
pub fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 2 + size + 2..];
    }
}

/// A multipart body: text fields, then files (name, bytes).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----tickets-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The security headers every response carries.
pub fn assert_security_headers(reply: &Reply, what: &str) {
    assert_eq!(
        reply.header("content-security-policy"),
        Some("default-src 'self'; frame-ancestors 'none'"),
        "{what}"
    );
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{what}");
}

/// The text of the newest queued sign-in mail to `email` (JSON and
/// quoted-printable escapes undone as far as links and codes need).
pub fn sign_in_mail(t: &TestStore, email: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(t.path().join(".tickets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("outbox."))
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    files
        .iter()
        .rev()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .map(|text| text.replace("=\\r\\n", "").replace("\\r\\n", "\n").replace("=3D", "="))
        .find(|text| text.contains(&format!("To: {email}")) && text.contains("/login/"))
        .unwrap_or_else(|| panic!("no sign-in mail to {email} in the outbox"))
}
