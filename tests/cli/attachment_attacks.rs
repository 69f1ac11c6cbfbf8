//! Attacks on attachments (SPEC section 9), each test named after what
//! broke before its fix: a hostile customer (mail, portal), a hostile
//! committer of the store, a careless analyst.

use crate::support::portal::Server;
use crate::support::portal::{multipart, request};
use crate::support::{TestStore, NOW};
use predicates::str::contains;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

/// A case opened with one attached file `log.txt` holding `bytes`; its ID
/// and the path of the content in the store.
fn case_with_file(t: &TestStore, bytes: &[u8]) -> (String, std::path::PathBuf) {
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("log.txt");
    std::fs::write(&file, bytes).unwrap();
    let id = t.open(&[
        "--customer",
        "acme",
        "--new-customer",
        "--summary",
        "s",
        "--attach",
        file.to_str().unwrap(),
    ]);
    let sha = t.show(&id)["history"][0]["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let stored = t.path().join("attachments").join(&sha[..2]).join(&sha[2..]);
    (id, stored)
}

#[test]
fn a_planted_huge_size_overflowed_the_case_total_and_crashed_a_reply() {
    let t = TestStore::new();
    let (id, _) = case_with_file(&t, b"hello");
    let path = t.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    let planted = text.replace("size: 5", &format!("size: {}", u64::MAX));
    assert_ne!(planted, text, "the size is in the file:\n{text}");
    std::fs::write(&path, planted).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let more = outside.path().join("more.txt");
    std::fs::write(&more, b"more").unwrap();
    // Over the case limit whatever the sum: left out, never a panic or a wrap to a small total.
    t.run(&["reply", &id, "--message", "m", "--attach", more.to_str().unwrap()])
        .success()
        .stderr(contains("over the limit"));
}

#[test]
fn attachment_output_onto_its_own_stored_file_destroyed_it() {
    let t = TestStore::new();
    let (id, stored) = case_with_file(&t, b"precious bytes");
    t.run(&["attachment", &id, "log.txt", "--output", stored.to_str().unwrap()])
        .failure();
    assert_eq!(std::fs::read(&stored).unwrap(), b"precious bytes");
    t.run(&["check"]).success();
}

/// Starts an upload to `path` that sends its head and the first bytes of a
/// file, then stalls (the connection is kept open by the stream returned).
fn stalled_upload(server: &Server, path: &str, cookie: &str) -> TcpStream {
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    let boundary = "----stall";
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nOrigin: {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 10000000\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        server.addr,
        server.cookie(cookie),
        server.base()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&[b'x'; 70_000]).unwrap();
    stream.flush().unwrap();
    stream
}

/// The temp files of uploads under way in the store's `attachments/`.
fn staged_files(t: &TestStore) -> usize {
    std::fs::read_dir(t.path().join("attachments"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn stalled_uploads_without_end_filled_the_disk_with_staged_files() {
    let t = TestStore::with_config(crate::support::portal::CONFIG);
    let id = crate::support::portal::open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let reply = format!("/cases/{id}/reply");
    // Two uploads of one contact under way (each staging a temp file)...
    let _held: Vec<TcpStream> = (0..2).map(|_| stalled_upload(&server, &reply, &ana)).collect();
    for _ in 0..600 {
        if staged_files(&t) >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(staged_files(&t), 2, "both stalled uploads are being received");
    // ... and a third is turned away before anything is staged, not received
    // alongside them (a thousand connections would stage a thousand files).
    let (content_type, body) = multipart(&[("message", "Here.")], &[("more.log", b"more")]);
    let third = request(&server, "POST", &reply, &ana, Some((&content_type, &body)));
    assert_eq!(third.status, 429, "{}", String::from_utf8_lossy(&third.body));
    assert_eq!(staged_files(&t), 2);
    // Another contact of the organisation is not held up by Ana's uploads.
    let bea = server.sign_in(&t, "bea@acme.example");
    let theirs = request(&server, "POST", &reply, &bea, Some((&content_type, &body)));
    assert_eq!(theirs.status, 303, "{}", String::from_utf8_lossy(&theirs.body));
}

#[test]
fn many_text_fields_of_other_names_were_all_held_in_memory() {
    let t = TestStore::with_config(crate::support::portal::CONFIG);
    let id = crate::support::portal::open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    // Each field under the cap of one field, together four times over it.
    let filler = "y".repeat(1000 * 1000);
    let names: Vec<String> = (0..4).map(|i| format!("junk{i}")).collect();
    let mut fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), filler.as_str())).collect();
    fields.push(("message", "Here it is."));
    let (content_type, body) = multipart(&fields, &[("console.log", b"log")]);
    let answer = request(
        &server,
        "POST",
        &format!("/cases/{id}/reply"),
        &ana,
        Some((&content_type, &body)),
    );
    assert_eq!(answer.status, 413, "{}", String::from_utf8_lossy(&answer.body));
    assert_eq!(
        t.show(&id)["history"].as_array().unwrap().len(),
        1,
        "nothing was recorded"
    );
}

#[test]
fn a_planted_multipart_content_type_went_out_as_a_part_of_its_own_structure() {
    let message = b"From: desk@desk.example\r\nTo: ana@acme.example\r\nSubject: s\r\n\
                    Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n";
    for planted in [
        "multipart/mixed; boundary=\"zz\"",
        "message/rfc822",
        "text/plain; charset=\"utf-8\"; name=\"evil.exe\"",
    ] {
        let attachment = tickets::core::case::Attachment {
            name: "notes.txt".into(),
            size: 3,
            sha256: "0".repeat(64),
            content_type: planted.into(),
        };
        let out = tickets::mail::compose::with_attachments(message, &[(attachment, b"--zz".to_vec())]).unwrap();
        let out = String::from_utf8_lossy(&out);
        let part = out.split("filename=\"notes.txt\"").nth(1).unwrap();
        let declared = part.lines().find_map(|l| l.strip_prefix("Content-Type: ")).unwrap();
        // A file is a leaf of the message: only `type/subtype`, never a structure.
        assert!(
            declared == "application/octet-stream" || declared == "text/plain",
            "{planted} went out as {declared}"
        );
    }
}

#[test]
fn files_past_the_count_limit_were_each_still_written_and_synced_to_disk() {
    use tickets::operations::attachments::MAX_ATTACHMENTS_PER_MESSAGE;
    let dir = tempfile::tempdir().unwrap();
    let store = tickets::store::Store::new(dir.path());
    store.init("analysts: []\n").unwrap();
    let mut enclosures = tickets::operations::Enclosures::new(&store, Default::default());
    for i in 0..MAX_ATTACHMENTS_PER_MESSAGE {
        enclosures.add_bytes(&format!("f{i}"), None, b"x").unwrap();
    }
    // A mail of 100,000 parts, or a form of as many: past the count, a file
    // is only counted (a temp file and an fsync each would be a disk storm).
    let mut incoming = enclosures.begin("one too many", None).unwrap();
    let staged = store.attachment_files().unwrap().len();
    assert_eq!(
        staged, MAX_ATTACHMENTS_PER_MESSAGE,
        "no temp file for a file past the count"
    );
    incoming.write(b"bytes").unwrap();
    enclosures.finish(incoming).unwrap();
    let left_out = enclosures.left_out();
    assert_eq!(left_out.len(), 1);
    assert_eq!(
        left_out[0].limit,
        tickets::operations::attachments::Limit::Count(MAX_ATTACHMENTS_PER_MESSAGE)
    );
    assert_eq!((left_out[0].name.as_str(), left_out[0].size), ("one too many", 5));
}

#[test]
fn the_portal_notice_of_files_left_out_named_every_one_of_thousands() {
    let t = TestStore::with_config(crate::support::portal::CONFIG);
    let id = crate::support::portal::open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let names: Vec<String> = (0..400).map(|i| format!("{i:04}-{}.log", "n".repeat(90))).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let (content_type, body) = multipart(&[("message", "Logs.")], &files);
    let answer = request(
        &server,
        "POST",
        &format!("/cases/{id}/reply"),
        &ana,
        Some((&content_type, &body)),
    );
    let page = String::from_utf8_lossy(&answer.body);
    assert!(page.contains("not attached"), "{page}");
    assert!(
        !page.contains(names[399].as_str()),
        "the last of 300 files left out is counted, not named"
    );
    assert!(page.contains("more"), "{page}");
}

#[test]
fn attach_of_a_fifo_hung_in_open_before_it_was_refused() {
    let t = TestStore::new();
    let outside = tempfile::tempdir().unwrap();
    let fifo = outside.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // The guard only stops a hang; the answer is what is checked.
    t.cmd()
        .args([
            "open",
            "--customer",
            "acme",
            "--new-customer",
            "--summary",
            "s",
            "--attach",
            fifo.to_str().unwrap(),
        ])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(contains("not a regular file"));
}

#[test]
fn a_planted_file_in_place_of_the_attachments_directory_was_an_io_error_not_invalid_data() {
    let t = TestStore::new();
    std::fs::write(t.path().join("attachments"), b"not a directory").unwrap();
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("log.txt");
    std::fs::write(&file, b"hello").unwrap();
    t.run(&[
        "open",
        "--customer",
        "acme",
        "--new-customer",
        "--summary",
        "s",
        "--attach",
        file.to_str().unwrap(),
    ])
    .code(5)
    .stderr(contains("not a directory"));
    t.run(&["check"]).code(5).stderr(contains("not a directory"));
    // A folder `ab` that is a file: the same.
    std::fs::remove_file(t.path().join("attachments")).unwrap();
    std::fs::create_dir(t.path().join("attachments")).unwrap();
    let sha = tickets::store::attachments::sha256_hex(b"hello");
    std::fs::write(t.path().join("attachments").join(&sha[..2]), b"x").unwrap();
    t.run(&[
        "open",
        "--customer",
        "acme",
        "--new-customer",
        "--summary",
        "s",
        "--attach",
        file.to_str().unwrap(),
    ])
    .code(5)
    .stderr(contains("not a directory"));
}

#[test]
fn attachment_output_into_the_store_overwrote_its_config_with_a_customers_file() {
    let t = TestStore::new();
    // A customer's file named like the store's own: `--output config.yaml`
    // typed in the store's directory replaced the config, outside the lock.
    let (id, _) = case_with_file(&t, b"analysts: []\n");
    let config = t.path().join("config.yaml");
    let before = std::fs::read(&config).unwrap();
    t.run(&["attachment", &id, "log.txt", "--output", config.to_str().unwrap()])
        .code(2)
        .stderr(contains("inside the store"));
    let sub = t.path().join("attachments").join("new.txt");
    t.run(&["attachment", &id, "log.txt", "--output", sub.to_str().unwrap()])
        .code(2);
    assert!(!sub.exists());
    assert_eq!(std::fs::read(&config).unwrap(), before);
    // Anywhere else is fine.
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("log.txt");
    t.run(&["attachment", &id, "log.txt", "--output", out.to_str().unwrap()])
        .success();
    assert_eq!(std::fs::read(&out).unwrap(), b"analysts: []\n");
}

#[test]
fn attachment_output_dev_stdout_wrote_raw_bytes_to_the_terminal() {
    // util-linux `script` gives the command a pseudo-terminal as stdout.
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` command to run tickets on a terminal");
        return;
    }
    let t = TestStore::new();
    let (id, _) = case_with_file(&t, b"\x1b]0;owned\x07\x1b[2J");
    let command = format!(
        "{} attachment {id} log.txt --output /dev/stdout; echo \"exit=$?\"",
        assert_cmd::cargo::cargo_bin!("tickets").display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("exit=2"), "{text}");
    assert!(!text.contains("\x1b]0;owned"), "{text:?}");
}

#[test]
fn an_upload_form_carried_a_message_sixteen_times_the_text_cap() {
    let t = TestStore::with_config(crate::support::portal::CONFIG);
    let id = crate::support::portal::open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    // A plain form is cut off at 64 KiB; the same words sent as multipart were kept whole.
    let long = "z".repeat(900 * 1024);
    let (content_type, body) = multipart(&[("message", long.as_str())], &[]);
    let answer = request(
        &server,
        "POST",
        &format!("/cases/{id}/reply"),
        &ana,
        Some((&content_type, &body)),
    );
    assert_eq!(answer.status, 413, "{}", String::from_utf8_lossy(&answer.body));
    let history = t.show(&id)["history"].as_array().unwrap().len();
    assert_eq!(history, 1, "nothing was recorded");
}
