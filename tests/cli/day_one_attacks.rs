//! The second attack, on the desk's day-one features seen from outside the
//! portal: CC from mail intake, canned answers planted in the store, and
//! chat notifications quoting customer text. Every finding is kept here.

use crate::support::mail::{a_case, customer_mail, mail_config, Desk, Via};
use crate::support::{TestStore, NOW};

/// `tickets intake` of `raw`: the case ID it printed.
fn intake(t: &TestStore, raw: String) -> String {
    let out = t.cmd().arg("intake").write_stdin(raw).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).trim().to_string()
}

#[test]
fn intake_copies_only_plain_addresses_of_the_customers_own_domains() {
    let t = TestStore::with_config(&mail_config());
    let hostile = [
        "eve@acme.example.evil.example",
        "eve@evil-acme.example",
        "eve@sub.acme.example",
        "eve@acme.example.",
        "eve@xn--acme-9ra.example",
        "\"eve@evil.example\"@acme.example",
        "\"eve\\\"x\"@acme.example",
        "\"Acme, Support\" <\"spoof\"@acme.example>",
        "eve@ACME.EXAMPLE.evil.example",
    ];
    let cc = hostile.join(", ");
    let raw = customer_mail("ana@acme.example", "Push fails", "m1@acme.example", "No push.").replace(
        "To: Support <support@desk.example>\r\n",
        &format!("To: Support <support@desk.example>, Bo <BO@ACME.EXAMPLE>\r\nCc: {cc}\r\n"),
    );
    let id = intake(&t, raw);
    let case = t.show(&id);
    assert_eq!(
        case["cc"],
        serde_json::json!(["bo@acme.example"]),
        "only Bo, lower case, is Acme's: {}",
        case["cc"]
    );
}

#[test]
fn cc_refuses_a_quoted_spelling_of_an_address_and_writes_nothing() {
    let t = TestStore::with_config(&mail_config());
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "s",
        "--email",
        "ana@acme.example",
    ]);
    let before = t.file(&id);
    for spelling in ["\"bo\"@acme.example", "b\\o@acme.example"] {
        let out = t.run(&["cc", &id, "--add", spelling]).code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains("only the customer's people"), "{stderr}");
        assert_eq!(t.file(&id), before, "nothing written for {spelling}");
    }
}

fn answers_dir(t: &TestStore) -> std::path::PathBuf {
    let dir = t.path().join("templates/answers");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_fifo_or_a_folder_planted_as_an_answer_is_refused_without_hanging_and_writes_nothing() {
    let t = TestStore::new();
    let id = t.open_simple();
    let dir = answers_dir(&t);
    crate::support::mkfifo(&dir.join("pipe.md"));
    std::fs::create_dir(dir.join("folder.md")).unwrap();
    std::fs::write(dir.join("fine.md"), "Fine.\n").unwrap();
    let before = t.file(&id);
    for name in ["pipe", "folder"] {
        let ran = crate::support::run_bounded(&t, crate::support::NOW, &["request-info", &id, "--template", name]);
        assert_eq!(ran.code, 5, "{name}: {}", ran.stderr);
        assert!(ran.stderr.contains(&format!("{name}.md")), "{name}: {}", ran.stderr);
        assert_eq!(t.file(&id), before, "nothing written for {name}");
    }
    // Listing and checking the folder do not block on the pipe either.
    let listed = crate::support::run_bounded(&t, crate::support::NOW, &["templates"]);
    assert!(listed.stdout.contains("fine"), "{} {}", listed.stdout, listed.stderr);
    let checked = crate::support::run_bounded(&t, crate::support::NOW, &["check"]);
    assert!(
        checked.stdout.contains("pipe.md") || checked.stderr.contains("pipe.md"),
        "{} {}",
        checked.stdout,
        checked.stderr
    );
}

#[test]
fn a_customers_summary_naming_placeholders_is_quoted_never_filled_again() {
    let desk = Desk::with_config(&mail_config(), Via::Smtp);
    let t = &desk.t;
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--email",
        "ana@acme.example",
        "--summary",
        "{signature} {id} {closes_on} {message} {contact}",
    ]);
    std::fs::write(answers_dir(t).join("ask.md"), "About \"{summary}\" ({id}):\n").unwrap();
    t.run(&["request-info", &id, "--template", "ask", "-m", "Which version?"])
        .success();
    let shown = t.show(&id);
    let message = shown["history"].as_array().unwrap().last().unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    let quoted = "{signature} {id} {closes_on} {message} {contact}";
    assert_eq!(message, format!("About \"{quoted}\" ({id}):\n\nWhich version?"));
    // The mail quotes it as written too: nothing in it is filled again.
    desk.deliver_at(NOW).success();
    let received = desk.received();
    let asked = received
        .iter()
        .find(|m| m.body.contains("Which version?"))
        .expect("the question was sent");
    let flowed = asked.flowed();
    assert!(flowed.contains(&format!("About \"{quoted}\" ({id}):")), "{flowed}");
}

/// A webhook that takes connections and never answers; counts them.
struct SilentWebhook {
    port: u16,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SilentWebhook {
    fn start() -> SilentWebhook {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Held open, never answered, until the test ends.
                held.push(stream);
            }
        });
        SilentWebhook { port, connections }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/SECRETTOKEN", self.port)
    }
}

#[test]
fn a_webhook_that_never_answers_is_tried_once_a_run_not_once_a_notification() {
    let t = TestStore::new();
    for _ in 0..3 {
        t.open_simple();
    }
    let hook = SilentWebhook::start();
    let out = t
        .cmd()
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_SENDMAIL", "/bin/true")
        .env("TICKETS_WEBHOOK_URL", hook.url())
        .arg("deliver")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!stderr.contains("SECRETTOKEN"), "{stderr}");
    assert_eq!(
        hook.connections.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one POST waited out its timeout, the others were kept: {stderr}"
    );
    // All three wait for the next run, and a working webhook takes them.
    let working = crate::support::webhook::WebhookServer::start();
    t.cmd()
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_SENDMAIL", "/bin/true")
        .env("TICKETS_WEBHOOK_URL", working.url())
        .arg("deliver")
        .assert()
        .success();
    assert_eq!(working.texts().len(), 3, "{:#?}", working.texts());
}

#[test]
fn a_quoted_address_planted_in_a_cases_cc_gets_no_mail_and_check_names_it() {
    let desk = Desk::with_config(&mail_config(), Via::Smtp);
    let t = &desk.t;
    let id = a_case(t);
    t.run(&["cc", &id, "--add", "bo@acme.example"]).success();
    let text = String::from_utf8(t.file(&id)).unwrap();
    let planted = text.replacen(
        "- bo@acme.example",
        "- bo@acme.example\n- '\"eve@evil.example\"@acme.example'",
        1,
    );
    assert_ne!(planted, text, "the cc list is in the file: {text}");
    std::fs::write(t.case_path(&id), planted).unwrap();
    let shown = t.show(&id);
    assert_eq!(shown["cc"].as_array().map(Vec::len), Some(2), "{}", shown["cc"]);
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    desk.deliver_at(NOW).success();
    let received = desk.received();
    let question = received
        .iter()
        .find(|m| m.body.contains("Which version?"))
        .expect("the question was sent");
    let rcpt = question
        .raw
        .lines()
        .find_map(|l| l.strip_prefix("X-RcptTo: "))
        .expect("the server records the envelope");
    assert!(rcpt.contains("bo@acme.example"), "{rcpt}");
    assert!(
        !rcpt.contains("evil") && !question.raw.contains("eve@evil.example"),
        "{}",
        question.raw
    );
    let out = t.run(&["check", "--format", "json"]).code(5);
    let report = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        report.contains("cc-outside-domains") && report.contains("eve@evil.example"),
        "{report}"
    );
}

#[test]
fn a_message_to_a_crowd_copies_at_most_the_first_few_and_display_names_with_commas_fool_nobody() {
    let t = TestStore::with_config(&mail_config());
    let crowd: Vec<String> = (0..10_000).map(|n| format!("p{n}@acme.example")).collect();
    let cc = format!(
        "\"Acme, Support <ceo@acme.example>\" <eve@evil.example>, =?utf-8?q?Bo=2C_<cy@acme.example>?= <eve2@evil.example>, {}",
        crowd.join(", ")
    );
    let raw = customer_mail("ana@acme.example", "Push fails", "m1@acme.example", "No push.")
        .replace("Date:", &format!("Cc: {cc}\r\nDate:"));
    let out = t
        .cmd()
        .timeout(crate::support::mail::HANG)
        .arg("intake")
        .write_stdin(raw)
        .assert();
    let output = out.get_output();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let cc = t.show(&id)["cc"].clone();
    let copied = cc.as_array().cloned().unwrap_or_default();
    assert!(!copied.is_empty() && copied.len() <= 50, "{}", copied.len());
    for address in &copied {
        let address = address.as_str().unwrap();
        assert!(
            address.ends_with("@acme.example") && address.starts_with('p'),
            "{address}"
        );
    }
}

fn chat_store() -> TestStore {
    TestStore::with_config(&crate::support::CONFIG.replace(
        "    skills: [mobile, push, ios, android]\n",
        "    skills: [mobile, push, ios, android]\n    chat: alice.souza\n",
    ))
}

fn deliver_with_hook(t: &TestStore, url: Option<&str>) -> assert_cmd::assert::Assert {
    let mut cmd = t.cmd();
    cmd.env("TICKETS_NOW", NOW).env("TICKETS_SENDMAIL", "/bin/true");
    if let Some(url) = url {
        cmd.env("TICKETS_WEBHOOK_URL", url);
    }
    cmd.arg("deliver").assert()
}

#[test]
fn a_summary_with_links_mass_mentions_and_markup_reaches_the_chat_unlinked() {
    let t = chat_store();
    let hook = crate::support::webhook::WebhookServer::start();
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--email",
        "ana@acme.example",
        "--summary",
        "see https://evil.example/track?u=1 <https://evil.example|click> <!channel> @here ![x](http://img.example/p.png) *bold* ~s~",
        "--description",
        "x",
    ]);
    t.run(&["note", &id, "-m", "internal: the customer's VPN password is hunter2"])
        .success();
    deliver_with_hook(&t, Some(&hook.url())).success();
    let texts = hook.texts();
    assert!(!texts.is_empty());
    for text in &texts {
        assert!(!text.contains("://"), "a link the chat would follow: {text}");
        assert!(
            !text.contains("<!") && !text.contains("<http") && !text.contains("]("),
            "{text}"
        );
        assert_eq!(text.matches('@').count(), 1, "only the analyst: {text}");
        for private in [
            "ana@acme.example",
            "hunter2",
            "/login/",
            &t.path().display().to_string(),
        ] {
            assert!(!text.contains(private), "{private}: {text}");
        }
    }
}

#[test]
fn a_webhook_url_written_into_the_store_is_never_used() {
    let hook = crate::support::webhook::WebhookServer::start();
    let t = chat_store();
    t.open_simple();
    // Planted where a careless reader might look: config.yaml, a dotfile
    // of the store and one of `.tickets/`.
    let config = std::fs::read_to_string(t.path().join("config.yaml")).unwrap();
    std::fs::write(
        t.path().join("config.yaml"),
        format!("{config}# TICKETS_WEBHOOK_URL={}\n", hook.url()),
    )
    .unwrap();
    std::fs::write(t.path().join(".env"), format!("TICKETS_WEBHOOK_URL={}\n", hook.url())).unwrap();
    std::fs::write(t.path().join(".tickets/webhook"), hook.url()).unwrap();
    deliver_with_hook(&t, None).success();
    assert!(hook.posts().is_empty(), "{:#?}", hook.posts());
    // A key for it in config.yaml is refused, not taken.
    std::fs::write(
        t.path().join("config.yaml"),
        format!("{config}webhook_url: {}\n", hook.url()),
    )
    .unwrap();
    let out = deliver_with_hook(&t, None).get_output().clone();
    assert_ne!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(hook.posts().is_empty(), "{:#?}", hook.posts());
}

#[test]
fn under_portal_own_a_colleague_replying_to_anothers_case_cannot_copy_herself_onto_it() {
    let t = TestStore::with_config(crate::support::portal::CONFIG);
    let id = t.open(&[
        "--customer",
        "Globex",
        "--summary",
        "Gil's login loop",
        "--email",
        "gil@globex.example",
    ]);
    // Eve of Globex learned the case's tag and answers it, copying another
    // of her own mailboxes, so that the portal would show her the case.
    let raw = customer_mail(
        "eve@globex.example",
        &format!("Re: [{id}] Gil's login loop"),
        "e1@globex.example",
        "Me too.",
    )
    .replace(
        "Date:",
        "Cc: eve+portal@globex.example, Eve <EVE.ALT@globex.example>\r\nDate:",
    );
    t.cmd().arg("intake").write_stdin(raw).assert().success();
    let case = t.show(&id);
    let copied: Vec<String> = case["cc"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|a| a.as_str().unwrap_or("").to_string())
        .collect();
    assert!(copied.is_empty(), "Eve copied herself onto Gil's case: {copied:?}");
    // Gil, the contact, still copies a colleague the same way.
    let raw = customer_mail(
        "gil@globex.example",
        &format!("Re: [{id}] Gil's login loop"),
        "g1@globex.example",
        "Bo too.",
    )
    .replace("Date:", "Cc: bo@globex.example\r\nDate:");
    t.cmd()
        .env("TICKETS_NOW", "2026-11-19T11:00:00Z")
        .arg("intake")
        .write_stdin(raw)
        .assert()
        .success();
    assert_eq!(t.show(&id)["cc"], serde_json::json!(["bo@globex.example"]));
}
