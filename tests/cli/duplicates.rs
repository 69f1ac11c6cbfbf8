//! `tickets merge SRC --into TARGET` (SPEC section 10): the duplicate closes
//! with `merged_into`, the target records it and shows the duplicate's
//! public conversation; every refusal writes nothing; a chain of merges is
//! followed by later merges, follow-ups, mail replies and `show`; the
//! customer gets one message; a store of the previous format merges too.

use crate::support::cases::{case_in, last_event, T1, T2};
use crate::support::mail::{intake_at, mail_config};
use crate::support::*;
use predicates::str::contains;

/// A case of `customer` opened at NOW, with Ana as the contact for Acme.
fn open_for(t: &TestStore, customer: &str, summary: &str) -> String {
    let mut args = vec![
        "--customer",
        customer,
        "--summary",
        summary,
        "--description",
        "It fails",
    ];
    if customer == "Acme Corp" {
        args.extend(["--email", "ana@acme.example"]);
    }
    t.open(&args)
}

/// Every case file's bytes, to prove that nothing was written.
fn files(t: &TestStore, ids: &[&str]) -> Vec<Vec<u8>> {
    ids.iter().map(|id| t.file(id)).collect()
}

#[test]
fn a_merge_closes_the_duplicate_into_the_target_which_records_it_and_shows_its_conversation() {
    let t = TestStore::new();
    let source = open_for(&t, "Acme Corp", "Push fails again");
    let target = open_for(&t, "Acme Corp", "Push fails");
    t.run_at(
        T1,
        &["investigate", &source, "--note", "internal: looks like the APNs key"],
    )
    .success();
    t.run_at(
        T2,
        &[
            "merge",
            &source,
            "--into",
            &target,
            "-m",
            "Same outage as your other case.",
        ],
    )
    .success()
    .stdout(contains(format!("{source}: merge: at-investigation -> closed")))
    .stdout(contains(format!("{source}: merged into {target}")));

    let merged = t.show(&source);
    assert_eq!(merged["status"], "closed");
    assert_eq!(merged["merged_into"], target.as_str());
    let event = last_event(&merged);
    assert_eq!(
        (&event["action"], &event["visibility"], &event["merged_into"]),
        (&"merge".into(), &"public".into(), &target.as_str().into())
    );
    assert_eq!(event["message"], "Same outage as your other case.");

    let carried = t.show(&target);
    assert_eq!(carried["status"], "open", "the target keeps its status");
    let record = last_event(&carried);
    assert_eq!(
        (&record["action"], &record["visibility"], &record["merged_from"]),
        (&"merged".into(), &"internal".into(), &source.as_str().into())
    );
    assert_eq!(carried["merged_from"], serde_json::json!([source]));
    let conversation = &carried["merged_conversations"][0];
    assert_eq!(conversation["id"], source.as_str());
    let actions: Vec<&str> = conversation["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["open", "merge"],
        "public events only, never the internal note"
    );

    let text = t.stdout(&["show", &target]);
    assert!(
        text.contains(&format!("from {source} (merged into this case)")),
        "{text}"
    );
    assert!(!text.contains("APNs key"), "{text}");
    let text = t.stdout(&["show", &source]);
    assert!(text.contains(&format!("merged_into:        {target}")), "{text}");

    let listed = t.list(&["--all"]);
    let row = listed.iter().find(|c| c["id"] == source.as_str()).unwrap();
    assert_eq!(row["merged_into"], target.as_str());
    let row = listed.iter().find(|c| c["id"] == target.as_str()).unwrap();
    assert!(row.get("merged_into").is_none(), "absent when not merged: {row}");
    t.run(&["check"]).success();
}

#[test]
fn every_refused_merge_names_the_reason_exits_as_documented_and_writes_nothing() {
    let t = TestStore::new();
    let source = open_for(&t, "Acme Corp", "Push fails again");
    let target = open_for(&t, "Acme Corp", "Push fails");
    let other = open_for(&t, "Globex", "Login loop");
    let closed = case_in(&t, "closed");
    let all = [source.as_str(), target.as_str(), other.as_str(), closed.as_str()];
    let before = files(&t, &all);

    t.run_at(T2, &["merge", &source, "--into", &other])
        .code(2)
        .stderr(contains(format!("{source} is Acme Corp's and {other} is Globex's")));
    t.run_at(T2, &["merge", &source, "--into", &source])
        .code(2)
        .stderr(contains("a case cannot be merged into itself"));
    t.run_at(T2, &["merge", &source, "--into", &closed])
        .code(4)
        .stderr(contains(format!("{closed} is closed")));
    t.run_at(T2, &["merge", &closed, "--into", &target])
        .code(4)
        .stderr(contains(format!("{closed} is closed")));
    t.run_at(T2, &["merge", &source, "--into", "RC-NOSUCH00"]).code(3);
    t.run_at(T2, &["merge", &source]).code(2).stderr(contains("--into"));
    assert_eq!(files(&t, &all), before, "nothing written");

    t.run_at(T2, &["merge", &source, "--into", &target]).success();
    let after = files(&t, &all);
    t.run_at(T2, &["merge", &source, "--into", &target])
        .code(4)
        .stderr(contains(format!("{source} was already merged into {target}")));
    assert_eq!(files(&t, &all), after, "nothing written");
}

#[test]
fn a_merge_into_a_merged_case_goes_to_the_end_of_its_chain_and_never_back_to_itself() {
    let t = TestStore::new();
    let first = open_for(&t, "Acme Corp", "One");
    let second = open_for(&t, "Acme Corp", "Two");
    let third = open_for(&t, "Acme Corp", "Three");
    t.run_at(T1, &["merge", &first, "--into", &second]).success();
    t.run_at(T2, &["merge", &third, "--into", &first])
        .success()
        .stderr(contains(format!("{first} was merged into {second}")))
        .stdout(contains(format!("{third}: merged into {second}")));
    assert_eq!(t.show(&third)["merged_into"], second.as_str());
    let before = t.file(&second);
    t.run_at(T2, &["merge", &second, "--into", &first])
        .code(2)
        .stderr(contains(format!(
            "{first} was merged into {second}, which is {second} itself"
        )));
    assert_eq!(t.file(&second), before);
    // The target shows both, the one merged through another too.
    let ids: Vec<String> = t.show(&second)["merged_conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, [first.clone(), third.clone()]);
}

#[test]
fn a_follow_up_of_a_merged_case_follows_up_the_case_it_was_merged_into() {
    let t = TestStore::new();
    let source = open_for(&t, "Acme Corp", "Duplicate");
    let target = open_for(&t, "Acme Corp", "Original");
    t.run_at(T1, &["merge", &source, "--into", &target]).success();
    // The target still open: it takes the customer's words itself.
    t.run_at(T2, &["open", "--follow-up-of", &source, "--summary", "Back again"])
        .code(4)
        .stderr(contains(format!(
            "{target}: `open --follow-up-of` is not allowed from status open"
        )));
    t.run_at(T2, &["close", &target, "--resolution", "Fixed"]).success();
    let follow_up = t.open_at(T2, &["--follow-up-of", &source, "--summary", "Back again"]);
    assert_eq!(t.show(&follow_up)["follow_up_of"], target.as_str());
}

#[test]
fn a_mail_reply_to_the_merged_case_by_tag_or_thread_lands_on_the_target_and_one_message_says_so() {
    let t = TestStore::with_config(&mail_config());
    let source = open_for(&t, "Acme Corp", "Duplicate");
    let target = open_for(&t, "Acme Corp", "Original");
    t.deliver_and_capture();
    t.run_at(T1, &["request-info", &target, "-m", "Which version?"])
        .success();
    t.deliver_and_capture_at(T1);
    t.run_at(
        T1,
        &["merge", &source, "--into", &target, "-m", "We track both in one case."],
    )
    .success();
    let sent = t.deliver_and_capture_at(T1);
    assert_eq!(sent.len(), 1, "one message, not two: {sent:#?}");
    let notice = &sent[0];
    assert!(notice.contains(&format!("Subject: [{source}]")), "{notice}");
    assert!(
        notice.contains(&format!("was merged into {target}")) && notice.contains("Please reply there"),
        "{notice}"
    );
    assert!(notice.contains("We track both in one case."), "{notice}");

    let by_tag = format!(
        "From: ana@acme.example\r\nTo: support@desk.example\r\nSubject: Re: [{source}] Duplicate\r\n\
         Message-ID: <tag-reply@acme.example>\r\n\r\nVersion 7.2, by tag.\r\n"
    );
    intake_at(&t, T2, &by_tag).success().stdout(contains(target.as_str()));
    let reply = last_event(&t.show(&target)).clone();
    assert_eq!(
        (reply["action"].as_str(), reply["message"].as_str()),
        (Some("reply"), Some("Version 7.2, by tag."))
    );
    assert_eq!(t.status(&target), "open");

    // Threaded on the notice the duplicate sent, with no tag.
    let notice_id = notice
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .expect("the notice's Message-ID")
        .trim()
        .to_string();
    let by_thread = format!(
        "From: ana@acme.example\r\nTo: support@desk.example\r\nSubject: Re: your case\r\n\
         In-Reply-To: {notice_id}\r\nMessage-ID: <thread-reply@acme.example>\r\n\r\nAnd by thread.\r\n"
    );
    intake_at(&t, T2, &by_thread).success();
    assert_eq!(last_event(&t.show(&target))["message"], "And by thread.");
    assert_eq!(
        t.show(&source)["history"].as_array().unwrap().len(),
        2,
        "the duplicate is untouched"
    );
}

#[test]
fn a_store_of_the_previous_format_merges_and_checks_with_this_build() {
    // Format 2, as `tickets init` wrote it before merges existed.
    let t = TestStore::with_config(&format!("format: 2\n{CONFIG}"));
    let source = open_for(&t, "Acme Corp", "Duplicate");
    let target = open_for(&t, "Acme Corp", "Original");
    let untouched = t.file(&target);
    t.run_at(T1, &["request-info", &source, "-m", "Which version?"])
        .success();
    t.run_at(T2, &["merge", &source, "--into", &target]).success();
    assert_eq!(t.show(&source)["merged_into"], target.as_str());
    t.run(&["check"]).success();
    // A case that took no part in a merge is written byte for byte as before.
    let plain = open_for(&t, "Acme Corp", "Unrelated");
    t.run_at(T1, &["investigate", &plain]).success();
    let text = String::from_utf8(t.file(&plain)).unwrap();
    assert!(!text.contains("merged"), "{text}");
    // The target, written by this build, keeps every line it had.
    let before = String::from_utf8(untouched).unwrap();
    let after = String::from_utf8(t.file(&target)).unwrap();
    let history = before.find("history:").unwrap();
    assert!(after.contains(&before[history..]), "{after}");
}

#[test]
fn a_mail_reply_to_a_merged_case_whose_target_closed_opens_a_follow_up_of_the_target() {
    let t = TestStore::with_config(&mail_config());
    let source = open_for(&t, "Acme Corp", "Duplicate");
    let target = open_for(&t, "Acme Corp", "Original");
    t.run_at(T1, &["merge", &source, "--into", &target]).success();
    t.run_at(T1, &["close", &target, "--resolution", "Fixed in 7.3"])
        .success();
    let raw = format!(
        "From: ana@acme.example\r\nTo: support@desk.example\r\nSubject: Re: [{source}] Duplicate\r\n\
         Message-ID: <back-again@acme.example>\r\n\r\nIt is back.\r\n"
    );
    let out = intake_at(&t, T2, &raw).success().get_output().stdout.clone();
    let follow_up = String::from_utf8(out).unwrap().trim().to_string();
    assert!(follow_up != source && follow_up != target, "{follow_up}");
    let opened = t.show(&follow_up);
    assert_eq!(opened["follow_up_of"], target.as_str());
    let summary = opened["summary"].as_str().unwrap();
    assert!(
        !summary.contains(&source),
        "the old tag is out of the new subject: {summary}"
    );
    assert_eq!(
        t.show(&source)["history"].as_array().unwrap().len(),
        2,
        "the duplicate is untouched"
    );
}
