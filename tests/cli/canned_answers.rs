//! Canned answers: `templates/answers/NAME.md` used by `request-info` and
//! `close --template NAME`, listed by `templates`, validated by `check`.

use crate::support::*;
use predicates::str::contains;
use std::fs;

fn answer(t: &TestStore, name: &str, text: &str) {
    let dir = t.path().join("templates/answers");
    fs::create_dir_all(&dir).expect("answers dir");
    fs::write(dir.join(format!("{name}.md")), text).expect("write answer");
}

fn last_message(t: &TestStore, id: &str) -> String {
    let shown = t.show(id);
    let history = shown["history"].as_array().expect("history");
    history.last().expect("an event")["message"]
        .as_str()
        .expect("message")
        .to_string()
}

#[test]
fn request_info_fills_the_answer_and_adds_the_message_after_a_blank_line() {
    let t = TestStore::new();
    answer(
        &t,
        "logs-please",
        "Could you send the logs of {customer} for {id} ({summary})?\nThe case closes on {closes_on}.\n",
    );
    let id = t.open_simple();
    t.run(&["request-info", &id, "--template", "logs-please", "-m", "Thanks!"])
        .success();
    let message = last_message(&t, &id);
    let summary = t.show(&id)["summary"].as_str().expect("summary").to_string();
    assert!(
        message.starts_with(&format!(
            "Could you send the logs of Acme Corp for {id} ({summary})?\nThe case closes on "
        )),
        "{message}"
    );
    assert!(
        message.contains("26 November 2026"),
        "closes 7 days after NOW: {message}"
    );
    assert!(message.ends_with(".\n\nThanks!"), "{message}");
    assert_eq!(t.status(&id), "waiting-for-customer");
}

#[test]
fn close_takes_the_answer_as_its_resolution() {
    let t = TestStore::new();
    answer(&t, "fixed", "Fixed in 7.2 for {customer}.\n");
    let id = t.open_simple();
    t.run(&["close", &id, "--template", "fixed"]).success();
    assert_eq!(t.show(&id)["resolution"], "Fixed in 7.2 for Acme Corp.");
    let id = t.open_simple();
    t.run(&["close", &id, "--template", "fixed", "--resolution", "Upgrade tonight."])
        .success();
    assert_eq!(
        t.show(&id)["resolution"],
        "Fixed in 7.2 for Acme Corp.\n\nUpgrade tonight."
    );
}

#[test]
fn an_unknown_placeholder_is_refused_before_anything_is_written() {
    let t = TestStore::new();
    answer(&t, "bad", "Hello {contact_name},\n\nsee {id}.\n");
    let id = t.open_simple();
    let before = t.file(&id);
    t.run(&["request-info", &id, "--template", "bad"])
        .code(5)
        .stderr(contains("bad.md:1"))
        .stderr(contains("unknown placeholder {contact_name}"));
    assert_eq!(t.file(&id), before, "nothing written");
    t.run(&["check"])
        .code(5)
        .stdout(contains("bad.md"))
        .stdout(contains("{contact_name}"));
}

#[test]
fn a_missing_answer_names_the_nearest_ones() {
    let t = TestStore::new();
    answer(&t, "password-reset", "Reset it at the login page.\n");
    let id = t.open_simple();
    t.run(&["close", &id, "--template", "pasword-reset"])
        .code(2)
        .stderr(contains("no canned answer named pasword-reset"))
        .stderr(contains("did you mean password-reset?"));
    assert_eq!(t.status(&id), "open");
}

#[test]
fn a_name_is_a_plain_file_name_and_a_link_out_of_the_store_is_refused() {
    let t = TestStore::new();
    let id = t.open_simple();
    for name in ["../config", "a/b", "..", ".hidden"] {
        t.run(&["request-info", &id, "--template", name])
            .code(2)
            .stderr(contains("is not a canned answer's name"));
    }
    let outside = tempfile::tempdir().expect("temp dir");
    fs::write(outside.path().join("secret.md"), "top secret {id}\n").expect("write");
    fs::create_dir_all(t.path().join("templates/answers")).expect("dir");
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        t.path().join("templates/answers/leak.md"),
    )
    .expect("symlink");
    t.run(&["request-info", &id, "--template", "leak"])
        .code(5)
        .stderr(contains("leak.md"))
        .stderr(contains("symbolic link"));
    assert_eq!(t.status(&id), "open");
}

#[test]
fn an_answer_over_the_size_cap_is_refused() {
    let t = TestStore::new();
    answer(&t, "huge", &"x".repeat(70 * 1024));
    let id = t.open_simple();
    t.run(&["request-info", &id, "--template", "huge"])
        .code(5)
        .stderr(contains("huge.md"))
        .stderr(contains("cap of a canned answer"));
}

#[test]
fn templates_lists_names_and_first_lines() {
    let t = TestStore::new();
    answer(&t, "logs-please", "\nCould you send the logs?\nMore.\n");
    answer(&t, "fixed", "Fixed in 7.2.\n");
    let json: serde_json::Value = serde_json::from_str(&t.stdout(&["templates", "--format", "json"])).expect("json");
    assert_eq!(
        json,
        serde_json::json!([
            {"name": "fixed", "first_line": "Fixed in 7.2.", "file": "templates/answers/fixed.md"},
            {"name": "logs-please", "first_line": "Could you send the logs?", "file": "templates/answers/logs-please.md"},
        ])
    );
    let table = t.stdout(&["templates"]);
    assert!(
        table.contains("logs-please") && table.contains("Could you send the logs?"),
        "{table}"
    );
    let yaml = t.stdout(&["templates", "--format", "yaml"]);
    assert!(yaml.contains("name: fixed"), "{yaml}");
}

#[test]
fn a_hostile_first_line_never_reaches_the_terminal_raw() {
    let t = TestStore::new();
    answer(&t, "evil", "Hi \u{1b}]0;pwned\u{7} there\n");
    let table = t.stdout(&["templates"]);
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert!(table.contains("evil"), "{table}");
}
