//! The case's internal data (format 3): `set-customer` corrects the
//! customer, `tag` curates config.yaml's tags, `cc` the customer's people
//! copied on the case. Each is an internal event with no status change; a
//! refusal exits 2 and writes nothing; `list --tag`, `stats --by tag`,
//! `check`, completions; a store of the previous format keeps working.

use crate::support::{TestStore, CONFIG};
use predicates::str::contains;

/// The test config with allowed tags.
fn tagged_config() -> String {
    format!("{CONFIG}tags: [billing, ios, sso]\n")
}

fn store() -> TestStore {
    TestStore::with_config(&tagged_config())
}

fn actions(t: &TestStore, id: &str) -> Vec<String> {
    t.show(id)["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tag_adds_and_removes_several_at_once_as_one_internal_event() {
    let t = store();
    let id = t.open_simple();
    t.run(&["tag", &id, "+billing", "ios", "--as", "alice"])
        .success()
        .stdout(contains(format!("{id}: tag: open -> open")));
    t.run(&["tag", &id, "-ios", "+sso", "--message", "triage"]).success();
    let case = t.show(&id);
    assert_eq!(case["tags"], serde_json::json!(["billing", "sso"]));
    assert_eq!(case["status"], "open", "no status change");
    let events = case["history"].as_array().unwrap();
    let first_tag = &events[1];
    assert_eq!(first_tag["action"], "tag");
    assert_eq!(first_tag["actor"], "alice", "--as after the tags is the actor");
    assert_eq!(first_tag["visibility"], "internal");
    assert_eq!(first_tag["tags"], serde_json::json!(["+billing", "+ios"]));
    assert_eq!(events[2]["tags"], serde_json::json!(["-ios", "+sso"]));
    assert_eq!(events[2]["message"], "triage");
    let text = String::from_utf8(t.file(&id)).unwrap();
    assert!(text.contains("tags:\n- billing\n- sso\n"), "{text}");
    let shown = t.stdout(&["show", &id, "--no-pager"]);
    assert!(shown.contains("billing, sso"), "{shown}");
    assert!(
        shown.contains("open -> open  tags=+billing,+ios  [internal]"),
        "{shown}"
    );
    t.run(&["check"]).success();
}

#[test]
fn an_unknown_tag_is_refused_with_the_nearest_and_nothing_is_written() {
    let t = store();
    let id = t.open_simple();
    let before = t.file(&id);
    t.run(&["tag", &id, "+billing", "+bilings"])
        .code(2)
        .stderr(contains("tag \"bilings\" is not in the tags of"))
        .stderr(contains("did you mean \"billing\"?"));
    assert_eq!(t.file(&id), before, "nothing written, not even the known tag");
    t.run(&["tag", &id, "+billing", "--dir-typo"])
        .code(2)
        .stderr(contains("before the tags"));
    assert_eq!(t.file(&id), before);
}

#[test]
fn a_tag_already_there_or_one_absent_changes_nothing() {
    let t = store();
    let id = t.open_simple();
    t.run(&["tag", &id, "+ios"]).success();
    let before = t.file(&id);
    t.run(&["tag", &id, "+ios", "-sso"])
        .success()
        .stderr(contains("already are as asked"))
        .stderr(contains("nothing changed"));
    assert_eq!(t.file(&id), before);
    // Partly new: only the change that changes something is recorded.
    t.run(&["tag", &id, "+ios", "+sso"]).success();
    assert_eq!(t.show(&id)["history"][2]["tags"], serde_json::json!(["+sso"]));
}

#[test]
fn a_closed_case_refuses_tags_cc_and_customer_with_exit_4() {
    let t = store();
    let id = t.open_simple();
    t.run(&["close", &id, "--resolution", "done"]).success();
    let before = t.file(&id);
    t.run(&["tag", &id, "+ios"]).code(4);
    t.run(&["cc", &id, "--add", "bo@acme.example"]).code(4);
    t.run(&["set-customer", &id, "Globex"]).code(4);
    assert_eq!(t.file(&id), before);
}

#[test]
fn list_tag_keeps_the_cases_with_every_tag_asked() {
    let t = store();
    let both = t.open_simple();
    let billing = t.open_simple();
    let none = t.open_simple();
    t.run(&["tag", &both, "+billing", "+ios"]).success();
    t.run(&["tag", &billing, "+billing"]).success();
    let ids = |args: &[&str]| -> Vec<String> {
        t.list(args)
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let mut expected = vec![both.clone(), billing.clone()];
    expected.sort();
    let mut got = ids(&["--tag", "billing"]);
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(ids(&["--tag", "billing", "--tag", "ios"]), vec![both.to_string()]);
    assert!(ids(&["--tag", "sso"]).is_empty());
    assert_eq!(ids(&[]).len(), 3, "{none} too without --tag");
    t.run(&["list", "--tag", "bilings"])
        .success()
        .stderr(contains("tag \"bilings\" is not in the tags of config.yaml"));
    // From the index too (a second listing reads the cached digests).
    assert_eq!(ids(&["--tag", "billing", "--tag", "ios"]), [both]);
}

#[test]
fn stats_by_tag_counts_each_tag_and_the_untagged() {
    let t = store();
    let a = t.open_simple();
    let b = t.open_simple();
    t.open_simple();
    t.run(&["tag", &a, "+billing", "+ios"]).success();
    t.run(&["tag", &b, "+ios"]).success();
    t.run(&["close", &b, "--resolution", "fixed"]).success();
    let json: serde_json::Value =
        serde_json::from_str(&t.stdout(&["stats", "--by", "tag", "--format", "json"])).unwrap();
    assert_eq!(json["by"], "tag");
    assert_eq!(json["cases"], 3);
    assert_eq!(json["untagged"], 1);
    let rows = json["tags"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["tag"].as_str().unwrap()).collect();
    assert_eq!(names, ["billing", "ios", "sso"], "config.yaml's order, zeros included");
    assert_eq!(
        (rows[1]["cases"].as_u64(), rows[1]["closed"].as_u64()),
        (Some(2), Some(1))
    );
    t.run(&["stats", "--by", "tag"])
        .success()
        .stdout(contains("TAG"))
        .stdout(contains("3 case(s), 1 untagged"));
    t.run(&["stats", "--by", "year"])
        .code(2)
        .stderr(contains("week, month or tag"));
}

#[test]
fn set_customer_moves_the_case_and_refuses_a_name_not_in_config() {
    let t = store();
    let id = t.open_simple();
    let before = t.file(&id);
    t.run(&["set-customer", &id, "Globx"])
        .code(2)
        .stderr(contains("customer \"Globx\" is not in"))
        .stderr(contains("did you mean \"Globex\"?"));
    assert_eq!(t.file(&id), before, "nothing written");
    t.run(&["set-customer", &id, "globex", "-m", "wrong account"])
        .success()
        .stdout(contains("set-customer: open -> open"));
    let case = t.show(&id);
    assert_eq!(case["customer"], "Globex", "as config.yaml spells it");
    assert_eq!(case["plan"], "plus", "the new customer's plan");
    let event = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (event["customer"].as_str(), event["visibility"].as_str()),
        (Some("Globex"), Some("internal"))
    );
    let unchanged = t.file(&id);
    t.run(&["set-customer", &id, "Globex"])
        .success()
        .stderr(contains("already is Globex"));
    assert_eq!(t.file(&id), unchanged);
    t.run(&["check"]).success();
}

#[test]
fn cc_adds_and_removes_the_customers_people_and_refuses_anyone_else() {
    let t = store();
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "s",
        "--email",
        "ana@acme.example",
    ]);
    let before = t.file(&id);
    t.run(&["cc", &id, "--add", "bo@acme.example", "--add", "eve@evil.example"])
        .code(2)
        .stderr(contains(
            "eve@evil.example is not an address of Acme Corp's domains (acme.example)",
        ));
    t.run(&["cc", &id, "--add", "not an address"]).code(2);
    t.run(&["cc", &id]).code(2);
    assert_eq!(t.file(&id), before, "nothing written");
    t.run(&["cc", &id, "--add", "Bo@Acme.example", "--add", "cy@acme.example"])
        .success();
    assert_eq!(
        t.show(&id)["cc"],
        serde_json::json!(["bo@acme.example", "cy@acme.example"])
    );
    let added = t.file(&id);
    t.run(&[
        "cc",
        &id,
        "--add",
        "bo@acme.example",
        "--add",
        "ana@acme.example",
        "--remove",
        "zed@acme.example",
    ])
    .success()
    .stderr(contains("nothing changed"));
    assert_eq!(
        t.file(&id),
        added,
        "the contact, one already there, one absent: no change"
    );
    t.run(&["cc", &id, "--remove", "cy@acme.example"]).success();
    assert_eq!(t.show(&id)["cc"], serde_json::json!(["bo@acme.example"]));
    assert_eq!(actions(&t, &id), ["open", "cc", "cc"]);
}

#[test]
fn check_names_unknown_tags_and_cc_outside_the_customers_domains() {
    let t = store();
    let id = t.open_simple();
    t.run(&["tag", &id, "+sso"]).success();
    t.run(&["cc", &id, "--add", "bo@acme.example"]).success();
    t.run(&["set-customer", &id, "Globex"]).success();
    // The tag leaves config.yaml; the CC'd address is Acme's, the case Globex's.
    std::fs::write(t.path().join("config.yaml"), format!("{CONFIG}tags: [billing]\n")).unwrap();
    let out = t.run(&["check", "--format", "json"]).code(5);
    let report = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(report.contains("unknown-tag") && report.contains("tag sso"), "{report}");
    assert!(
        report.contains("cc-outside-domains") && report.contains("bo@acme.example"),
        "{report}"
    );
    // A hand edit of the tags without an event is a state mismatch.
    let t = store();
    let id = t.open_simple();
    let text = String::from_utf8(t.file(&id)).unwrap();
    std::fs::write(
        t.case_path(&id),
        text.replacen("description:", "tags:\n- ios\ndescription:", 1),
    )
    .unwrap();
    t.run(&["check"]).code(5).stdout(contains("tags"));
}

#[test]
fn completions_know_the_new_commands() {
    let t = TestStore::new();
    let script = t.stdout(&["completions", "bash"]);
    for command in ["set-customer", "tag", "cc"] {
        assert!(script.contains(command), "{command}");
    }
}

#[test]
fn a_store_of_format_2_is_read_written_and_checked_and_init_writes_3() {
    let t = TestStore::with_config(&format!("format: 2\n{}", tagged_config()));
    let id = t.open_simple();
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    t.run(&["tag", &id, "+ios"]).success();
    t.run(&["reply", &id, "-m", "7.2"]).success();
    t.run(&["check"]).success();
    assert_eq!(t.show(&id)["tags"], serde_json::json!(["ios"]));
    let fresh = TestStore::new();
    let _ = fresh;
    let dir = tempfile::tempdir().unwrap();
    assert_cmd::cargo::cargo_bin_cmd!("tickets")
        .env("TICKETS_DIR", dir.path().join("s"))
        .arg("init")
        .assert()
        .success();
    let config = std::fs::read_to_string(dir.path().join("s/config.yaml")).unwrap();
    assert!(config.contains("\nformat: 3\n"), "{config}");
    // A build of format 2 meeting this store is told to upgrade (as any
    // newer format): this build on a format-4 store is the same code path.
    let newer = TestStore::with_config(&format!("format: 4\n{CONFIG}"));
    newer.run(&["list"]).code(5).stderr(contains("upgrade tickets"));
}

#[test]
fn the_fast_reader_reads_tags_cc_and_corrections_as_the_full_parser_does() {
    let t = store();
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "s",
        "--email",
        "ana@acme.example",
    ]);
    t.run(&["tag", &id, "+billing", "+ios"]).success();
    t.run(&["cc", &id, "--add", "bo@acme.example"]).success();
    t.run(&["set-customer", &id, "Globex", "-m", "moved"]).success();
    let text = String::from_utf8(t.file(&id)).unwrap();
    let full = tickets::format::parse_case(&t.case_path(&id), &text, Some(&id)).unwrap();
    let fast = tickets::format::fast_reader::read_case(&text);
    assert_eq!(fast.as_ref(), Some(&full), "{text}");
    let digest = tickets::format::fast_reader::read_digest(&text).expect("the fast path");
    assert_eq!(digest, tickets::core::digest::Digest::of(&full));
    assert_eq!(digest.tags, ["billing", "ios"]);
    // A removal (`-ios`) and odd items are left to the full parser, which is right.
    t.run(&["tag", &id, "-ios"]).success();
    let text = String::from_utf8(t.file(&id)).unwrap();
    if let Some(fast) = tickets::format::fast_reader::read_case(&text) {
        assert_eq!(
            fast,
            tickets::format::parse_case(&t.case_path(&id), &text, Some(&id)).unwrap()
        );
    }
    for odd in [
        "tags:\n- null\n",
        "tags:\n- a: b\n",
        "tags:\n",
        "tags:\n- x\ntags:\n- y\n",
        "tags:\n- [x]\n",
    ] {
        let edited = text.replacen("tags:\n- billing\n", odd, 1);
        if let Some(fast) = tickets::format::fast_reader::read_case(&edited) {
            let full = tickets::format::parse_case(&t.case_path(&id), &edited, Some(&id));
            assert_eq!(Some(fast), full.ok(), "{edited}");
        }
    }
}
