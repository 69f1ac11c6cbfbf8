//! E-mail intake: `open --from-email` and `reply --from-email` fed the real
//! messages under tests/mail/, as a mail server's pipe would.

use crate::support::*;
use assert_cmd::assert::Assert;
use predicates::str::contains;
use std::path::PathBuf;

/// The tag in reply-with-tag.eml and reply-wrong-domain.eml.
const TAGGED_ID: &str = "RC-7Q2M9K4D";

fn mail(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mail").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pipe(t: &TestStore, args: &[&str], message: Vec<u8>) -> Assert {
    t.cmd().args(args).write_stdin(message).assert()
}

fn open_mail(t: &TestStore, name: &str) -> Assert {
    pipe(t, &["open", "--from-email"], mail(name))
}

fn opened(t: &TestStore, name: &str) -> String {
    let out = open_mail(t, name).success().get_output().stdout.clone();
    String::from_utf8(out).expect("utf-8").trim().to_string()
}

fn case_files(t: &TestStore) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .expect("store")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("RC-") && n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

/// Opens plain.eml and moves the case to the ID the reply fixtures tag.
fn open_tagged_case(t: &TestStore) -> String {
    let id = opened(t, "plain.eml");
    let text = std::fs::read_to_string(t.case_path(&id)).expect("case");
    std::fs::write(t.case_path(TAGGED_ID), text.replace(&id, TAGGED_ID)).expect("write");
    std::fs::remove_file(t.case_path(&id)).expect("remove");
    TAGGED_ID.to_string()
}

#[test]
fn plain_message_opens_an_email_case_for_the_customer_of_the_sender_domain() {
    let t = TestStore::new();
    let id = opened(&t, "plain.eml");
    assert!(id.starts_with("RC-"), "prints the new ID alone: {id:?}");
    let case = t.show(&id);
    assert_eq!(case["customer"], "Acme Corp");
    assert_eq!(case["summary"], "Push notifications stopped on iOS");
    assert_eq!(case["channel"], "email");
    assert_eq!(case["severity"], "medium");
    assert_eq!(case["email"], "ana.souza@acme.example");
    assert_eq!(case["message_id"], "20261119095510.4821@mx.acme.example");
    assert_eq!(
        case["description"],
        "Hello,\n\nSince this morning's update no push notification reaches our iOS users.\nAndroid is fine.\n\nRegards,\nAna"
    );
    assert_eq!(case["history"][0]["actor"], "tester", "TICKETS_ACTOR names the intake");
}

#[test]
fn without_an_actor_the_sender_is_recorded_as_the_actor() {
    let t = TestStore::new();
    let out = t
        .cmd()
        .env_remove("TICKETS_ACTOR")
        .env("USER", "postfix")
        .args(["open", "--from-email"])
        .write_stdin(mail("plain.eml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let id = String::from_utf8(out).unwrap().trim().to_string();
    assert_eq!(t.show(&id)["history"][0]["actor"], "ana.souza@acme.example");
}

#[test]
fn quoted_printable_body_and_encoded_subject_are_decoded_and_domain_matches_any_case() {
    let t = TestStore::new();
    let case = t.show(&opened(&t, "quoted-printable.eml"));
    assert_eq!(case["customer"], "Globex", "Globex.Example matches globex.example");
    assert_eq!(case["summary"], "Relatório de vendas não abre");
    let description = case["description"].as_str().unwrap();
    assert!(
        description.contains("desde a atualização; a tela fica em branco"),
        "soft line break joined, UTF-8 decoded: {description:?}"
    );
    assert!(!description.contains('='), "{description:?}");
}

#[test]
fn base64_body_is_decoded_with_unix_line_ends() {
    let t = TestStore::new();
    let case = t.show(&opened(&t, "base64.eml"));
    assert_eq!(case["customer"], "Initech");
    let description = case["description"].as_str().unwrap();
    assert!(
        description.contains("export job 42 aborted after 3600 s."),
        "{description:?}"
    );
    assert!(!description.contains('\r'));
}

#[test]
fn multipart_alternative_takes_the_text_part() {
    let t = TestStore::new();
    let case = t.show(&opened(&t, "multipart-alternative.eml"));
    assert_eq!(
        case["description"],
        "New users get \"access denied\" on their first SSO login (plain part)."
    );
}

#[test]
fn html_only_message_falls_back_to_the_html_as_text() {
    let t = TestStore::new();
    let case = t.show(&opened(&t, "html-only.eml"));
    let description = case["description"].as_str().unwrap();
    assert!(
        description.contains("The dashboard charts are empty since the update."),
        "{description:?}"
    );
    assert!(
        !description.contains('<') && !description.contains("color: red"),
        "{description:?}"
    );
}

#[test]
fn redelivered_message_does_not_open_a_second_case() {
    let t = TestStore::new();
    let first = opened(&t, "plain.eml");
    let second = opened(&t, "plain.eml");
    assert_eq!(first, second);
    assert_eq!(case_files(&t).len(), 1);
}

#[test]
fn reply_with_subject_tag_records_only_the_new_text_and_reopens() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    t.run(&["request-info", &id, "--message", "Could you reinstall the app?"])
        .success();
    pipe(&t, &["reply", "--from-email"], mail("reply-with-tag.eml")).success();
    let case = t.show(&id);
    assert_eq!(case["status"], "open");
    assert!(case["waiting_since"].is_null());
    let last = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "reply");
    assert_eq!(
        last["message"],
        "We reinstalled the app on two phones and push works there again.\nThe other phones still get nothing."
    );
}

#[test]
fn reply_without_tag_is_found_by_in_reply_to_and_drops_quote_and_signature() {
    let t = TestStore::new();
    let id = opened(&t, "plain.eml");
    t.run(&["request-info", &id, "--message", "Please send the device log."])
        .success();
    pipe(&t, &["reply", "--from-email"], mail("reply-in-reply-to.eml")).success();
    let case = t.show(&id);
    assert_eq!(case["status"], "open");
    let last = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["message"],
        "Here is the device log you asked for: token refresh fails with 410."
    );
}

#[test]
fn reply_from_another_customers_domain_is_refused_and_changes_nothing() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    let before = t.file(&id);
    pipe(&t, &["reply", "--from-email"], mail("reply-wrong-domain.eml"))
        .code(2)
        .stderr(contains("globex.example"))
        .stderr(contains("the case's customer"));
    assert_eq!(t.file(&id), before);
}

#[test]
fn reply_tagging_no_case_exits_3() {
    let t = TestStore::new();
    let other = opened(&t, "plain.eml");
    let before = t.file(&other);
    pipe(&t, &["reply", "--from-email"], mail("reply-with-tag.eml"))
        .code(3)
        .stderr(contains(TAGGED_ID));
    assert_eq!(t.file(&other), before, "no other case is touched");
}

#[test]
fn reply_to_a_closed_case_by_email_is_refused_with_exit_4() {
    let t = TestStore::new();
    let id = open_tagged_case(&t);
    t.run(&["close", &id, "--resolution", "fixed"]).success();
    let before = t.file(&id);
    pipe(&t, &["reply", "--from-email"], mail("reply-with-tag.eml"))
        .code(4)
        .stderr(contains("--follow-up-of"));
    assert_eq!(t.file(&id), before);
}

#[test]
fn senders_of_no_customer_are_refused_and_nothing_is_created() {
    for (name, domain) in [
        ("free-mail.eml", "gmail.com"),
        ("unknown-domain.eml", "unknown.example"),
    ] {
        let t = TestStore::new();
        open_mail(&t, name)
            .code(2)
            .stdout("")
            .stderr(contains(domain))
            .stderr(contains("belongs to no customer"));
        assert!(case_files(&t).is_empty(), "{name} created a case");
    }
}

#[test]
fn malformed_messages_get_a_clear_error_and_create_nothing() {
    for (name, reason) in [
        ("no-from.eml", "no sender"),
        ("no-body.eml", "no text body"),
        ("broken-mime.eml", "broken MIME"),
    ] {
        let t = TestStore::new();
        open_mail(&t, name).code(2).stdout("").stderr(contains(reason));
        assert!(case_files(&t).is_empty(), "{name} created a case");
    }
}

#[test]
fn malformed_reply_changes_nothing() {
    let t = TestStore::new();
    let id = opened(&t, "plain.eml");
    let before = t.file(&id);
    pipe(&t, &["reply", "--from-email", &id], mail("no-body.eml")).code(2);
    pipe(&t, &["reply", "--from-email", &id], mail("broken-mime.eml")).code(2);
    assert_eq!(t.file(&id), before);
}

#[test]
fn message_over_the_cap_is_refused_before_parsing() {
    // The cap: 25 MiB of attachments a message (the default), base64, and 1 MiB.
    let t = TestStore::new();
    let mut message = mail("plain.eml");
    let line = [b'A'; 76];
    message.extend_from_slice(b"\r\n");
    for _ in 0..(36 * 1024 * 1024 / 78) {
        message.extend_from_slice(&line);
        message.extend_from_slice(b"\r\n");
    }
    assert!(message.len() > 35 * 1024 * 1024);
    open_mail_bytes(&t, message)
        .code(2)
        .stderr(contains("over the 35 MiB cap"));
    assert!(case_files(&t).is_empty());
}

fn open_mail_bytes(t: &TestStore, message: Vec<u8>) -> Assert {
    pipe(t, &["open", "--from-email"], message)
}

#[test]
fn from_email_conflicts_with_typed_fields_and_without_it_they_are_required() {
    let t = TestStore::new();
    pipe(
        &t,
        &["open", "--from-email", "--customer", "Acme Corp"],
        mail("plain.eml"),
    )
    .code(2);
    t.run(&["open", "--summary", "no customer"])
        .code(2)
        .stderr(contains("--customer"));
    t.run(&["reply", "--message", "no id"]).code(2);
    assert!(case_files(&t).is_empty());
}

/// The manual's Postfix alias (docs/mail.md), pointed at `store`: the
/// command the mail server runs.
fn documented_mail_alias(store: &std::path::Path) -> String {
    let manual = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/mail.md")).unwrap();
    let line = manual
        .lines()
        .find(|line| line.starts_with("support:") && line.contains("intake"))
        .expect("the alias in docs/mail.md");
    let command = line.split_once("\"|").expect("a pipe alias").1.trim_end_matches('"');
    assert!(command.contains("--dir /srv/support/tickets"), "{command}");
    command
        .replace("/usr/local/bin/tickets", "tickets")
        .replace("/srv/support/tickets", &format!("'{}'", store.display()))
}

/// Runs the alias as a mail server would: `tickets` on PATH, no actor.
fn run_mail_alias(t: &TestStore, bin: &std::path::Path, message: Vec<u8>) -> Assert {
    assert_cmd::Command::new("sh")
        .arg("-c")
        .arg(documented_mail_alias(t.path()))
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("TICKETS_NOW", NOW)
        .env_remove("TICKETS_ACTOR")
        .env_remove("TICKETS_DIR")
        .current_dir(t.path())
        .write_stdin(message)
        .assert()
}

#[test]
fn the_documented_mail_alias_bounces_refusals_and_retries_store_errors() {
    let t = TestStore::new();
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin!("tickets"), bin.path().join("tickets")).unwrap();
    // Taken: a new case, exit 0.
    run_mail_alias(&t, bin.path(), mail("plain.eml")).code(0);
    assert_eq!(case_files(&t).len(), 1);
    // A genuine refusal bounces (67, EX_NOUSER) with its reason.
    run_mail_alias(&t, bin.path(), mail("unknown-domain.eml"))
        .code(67)
        .stderr(contains("belongs to no customer"));
    // A broken config.yaml is the store's problem: 75, so the mail server
    // keeps the message, retries, and logs the reason (no bounce).
    std::fs::write(t.path().join("config.yaml"), "analysts: [\n").unwrap();
    run_mail_alias(&t, bin.path(), mail("quoted-printable.eml"))
        .code(75)
        .stderr(contains("config.yaml"));
    assert_eq!(case_files(&t).len(), 1, "nothing created");
}
