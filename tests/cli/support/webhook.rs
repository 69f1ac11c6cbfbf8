//! A chat webhook on 127.0.0.1 for `deliver`'s notifications: a tiny HTTP
//! server that records each POST (path, content type, JSON body) and
//! answers with the statuses a test queues (200 when none).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One POST received.
#[derive(Debug, Clone)]
pub struct Post {
    /// The request line's method and path.
    pub request_line: String,
    /// The `Content-Type` header's value.
    pub content_type: String,
    /// The body, parsed as JSON.
    pub body: serde_json::Value,
}

/// The running webhook; stopped when dropped.
pub struct WebhookServer {
    port: u16,
    posts: Arc<Mutex<Vec<Post>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    stop: Arc<AtomicBool>,
}

impl WebhookServer {
    /// Listens on a free port of 127.0.0.1.
    pub fn start() -> WebhookServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let posts = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(VecDeque::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, a, s) = (posts.clone(), answers.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = serve(stream, &p, &a);
                }
            }
        });
        WebhookServer {
            port,
            posts,
            answers,
            stop,
        }
    }

    /// The webhook's URL, with a secret token in its path.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/SECRETTOKEN", self.port)
    }

    /// The next request is answered with `status`.
    pub fn answer_next(&self, status: u16) {
        self.answers.lock().unwrap().push_back(status);
    }

    /// Every POST so far.
    pub fn posts(&self) -> Vec<Post> {
        self.posts.lock().unwrap().clone()
    }

    /// The `text` of every POST so far.
    pub fn texts(&self) -> Vec<String> {
        self.posts()
            .iter()
            .map(|p| p.body["text"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(stream: TcpStream, posts: &Mutex<Vec<Post>>, answers: &Mutex<VecDeque<u16>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    let mut content_type = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((&line, ""));
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap_or(0),
            "content-type" => content_type = value.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body)?;
    posts.lock().unwrap().push(Post {
        request_line: request_line.trim().to_string(),
        content_type,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    });
    let status = answers.lock().unwrap().pop_front().unwrap_or(200);
    let mut stream = stream;
    let extra = if status == 302 { "Location: /elsewhere\r\n" } else { "" };
    write!(
        stream,
        "HTTP/1.1 {status} Status\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\nok"
    )?;
    stream.flush()
}
