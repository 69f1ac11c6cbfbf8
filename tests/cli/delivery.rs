//! Both delivery paths against a real SMTP server on 127.0.0.1: lettre's
//! SMTP client, and a sendmail-compatible command (a small script that reads
//! the message on stdin, takes the recipients from its headers as `-t` asks,
//! and relays it to the same server).

use crate::support::mail::{fake_sendmail, SmtpServer};
use tickets::mail::transport::Transport;

const MESSAGE: &str = "From: Support <support@desk.example>\r\n\
To: ana@acme.example\r\n\
Subject: [RC-7K3QX9MT] Push fails\r\n\
Message-ID: <RC-7K3QX9MT.request-info.1@desk.example>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Which version?\r\n";

#[test]
fn smtp_delivers_the_message_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(tmp.path());
    let transport = Transport::Smtp {
        url: server.url(),
        credentials: None,
    };
    transport
        .send("support@desk.example", "ana@acme.example", MESSAGE.as_bytes())
        .expect("sent");
    let received = server.messages();
    assert_eq!(received.len(), 1);
    let text = String::from_utf8_lossy(&received[0]);
    assert!(text.contains("Subject: [RC-7K3QX9MT] Push fails"), "{text}");
    assert!(text.contains("Which version?"), "{text}");
}

#[test]
fn a_sendmail_command_gets_the_message_on_stdin() {
    let tmp = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(tmp.path());
    let script = fake_sendmail(tmp.path(), server.port());
    let transport = Transport::sendmail(&format!("{} -t -oi", script.display())).unwrap();
    transport
        .send("support@desk.example", "ana@acme.example", MESSAGE.as_bytes())
        .expect("sent");
    let received = server.messages();
    assert_eq!(received.len(), 1);
    assert!(String::from_utf8_lossy(&received[0]).contains("Which version?"));
}

#[test]
fn a_stopped_server_and_a_failing_command_are_errors_with_their_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = SmtpServer::start(tmp.path());
    let url = server.url();
    server.stop();
    let transport = Transport::Smtp { url, credentials: None };
    let error = transport
        .send("support@desk.example", "ana@acme.example", MESSAGE.as_bytes())
        .unwrap_err();
    assert!(error.starts_with("SMTP smtp://127.0.0.1:"), "{error}");

    let failing = Transport::sendmail("/bin/false").unwrap();
    let error = failing
        .send("support@desk.example", "ana@acme.example", MESSAGE.as_bytes())
        .unwrap_err();
    assert!(error.contains("/bin/false exited with"), "{error}");
    assert!(Transport::sendmail("no-such-sendmail-here").is_err());
}
