//! Mail as real clients write it: a small corpus of our own, one message a
//! client's habit (tests/mail/clients/), each decoded by `tickets` and by
//! Python's email package (tests/mail/clients/read.py), which must agree on
//! the subject, the text and the attachments' names.

use std::path::{Path, PathBuf};
use std::process::Command;
use tickets::mail::intake::parse;

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/clients");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

/// Python's reading of `path`: (subject, body, attachment names).
fn python_reads(path: &Path) -> (String, String, Vec<String>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/clients/read.py");
    let out = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names = json["attachments"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| n.as_str().expect("a name").to_string())
        .collect();
    (
        json["subject"].as_str().expect("subject").to_string(),
        json["body"].as_str().expect("body").to_string(),
        names,
    )
}

#[test]
fn every_message_of_the_corpus_reads_as_pythons_email_package_reads_it() {
    let files = corpus();
    assert!(files.len() >= 9, "the corpus is there: {files:?}");
    let mut differ = Vec::new();
    for path in &files {
        let raw = std::fs::read(path).expect("read");
        let mail = match parse(&raw) {
            Ok(mail) => mail,
            Err(e) => {
                differ.push(format!("{}: refused: {e}", path.display()));
                continue;
            }
        };
        let (subject, body, names) = python_reads(path);
        let ours: Vec<String> = mail.attachments.iter().map(|a| a.name.clone()).collect();
        if mail.subject != subject {
            differ.push(format!(
                "{}: subject {:?}, Python {:?}",
                path.display(),
                mail.subject,
                subject
            ));
        }
        if mail.body.trim() != body.replace("\r\n", "\n").trim() {
            differ.push(format!("{}: body {:?}, Python {:?}", path.display(), mail.body, body));
        }
        if ours != names {
            differ.push(format!("{}: attachments {ours:?}, Python {names:?}", path.display()));
        }
    }
    assert!(differ.is_empty(), "\n{}", differ.join("\n"));
}

#[test]
fn a_mail_whose_text_is_readable_is_taken_in_and_a_broken_attachment_is_left_out_and_noted() {
    let t = crate::support::TestStore::new();
    let raw = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/clients/outlook-express-corrupt-base64.eml"),
    )
    .expect("read");
    let raw = String::from_utf8(raw)
        .expect("ASCII")
        .replace("old@acme.example", "ana.souza@acme.example");
    let out = t
        .cmd()
        .args(["open", "--from-email"])
        .write_stdin(raw)
        .assert()
        .success();
    let id = String::from_utf8_lossy(&out.get_output().stdout).trim().to_string();
    let case = t.show(&id);
    let opened = &case["history"][0];
    assert_eq!(opened["attachments"].as_array().map_or(0, Vec::len), 0, "{case}");
    let text = serde_json::to_string(&case).expect("JSON");
    assert!(text.contains("The logs are attached."), "{text}");
    assert!(
        text.contains("app.log") && text.contains("could not be read"),
        "the left-out file is noted: {text}"
    );
}

#[test]
fn every_message_the_desk_sends_passes_a_strict_rfc_5322_and_2045_parse() {
    let config = format!(
        "{}  - name: Banco Sul\n    domains: [bancosul.example]\n    language: pt-BR\nmail:\n  from: \"Suporte Ação <suporte@desk.example>\"\n  reply_to: \"replies@desk.example\"\n",
        crate::support::CONFIG
    );
    let t = crate::support::TestStore::with_config(&config);
    let dir = tempfile::tempdir().expect("temp dir");
    let attachment = dir.path().join("relatório de exportação.log");
    std::fs::write(&attachment, "línea 1\nline 2\n").expect("write");
    let long_summary = format!("Exportação falha {}", "muito ".repeat(60));
    let id = t.open(&[
        "--customer",
        "Banco Sul",
        "--summary",
        &long_summary,
        "--email",
        "Ana Souza <ana@bancosul.example>",
    ]);
    t.run(&[
        "request-info",
        &id,
        "-m",
        "Qual versão? ☃ ação",
        "--attach",
        attachment.to_str().expect("path"),
    ])
    .success();
    t.run(&["close", &id, "--resolution", &"Corrigido. ".repeat(200)])
        .success();
    let other = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Push\tfails",
        "--email",
        "joe@acme.example",
    ]);
    t.run(&["request-info", &other, "-m", "Which version?"]).success();
    // As handed to the mail system, byte for byte.
    let server = crate::support::mail::MailServer::new();
    t.cmd()
        .env("TICKETS_SENDMAIL", server.command())
        .env_remove("TICKETS_SMTP_URL")
        .arg("deliver")
        .assert()
        .success();
    let sent = server.kept("eml");
    assert!(sent.len() >= 5, "{}", sent.len());
    let mut files = Vec::new();
    for (n, message) in sent.iter().enumerate() {
        let path = dir.path().join(format!("{n}.eml"));
        std::fs::write(&path, message).expect("write");
        files.push(path);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/clients/strict.py");
    let out = Command::new("/usr/bin/python3")
        .arg(script)
        .args(&files)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let problems = String::from_utf8_lossy(&out.stdout);
    assert!(problems.trim().is_empty(), "{problems}");
}
