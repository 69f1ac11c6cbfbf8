//! Merged cases in the portal: a merged case sends its contact on to the
//! case it was merged into, which shows the merged case's public
//! conversation (marked as coming from it) and serves its files; nothing
//! of it reaches a contact who may not see it.

use crate::support::portal::{form, open, Server, CONFIG};
use crate::support::{TestStore, NOW};

#[test]
fn a_merged_case_redirects_to_its_target_which_shows_its_public_conversation_and_files() {
    let t = TestStore::with_config(CONFIG);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("console.log");
    std::fs::write(&log, b"error at line 1\n").unwrap();
    let source = t
        .stdout(&[
            "open",
            "--customer",
            "Acme Corp",
            "--email",
            "ana@acme.example",
            "--summary",
            "Push broken on Android",
            "--description",
            "Words only the duplicate has.",
            "--attach",
            log.to_str().unwrap(),
        ])
        .trim()
        .to_string();
    let target = open(&t, "Acme Corp", Some("ana@acme.example"), "Push broken");
    t.run(&["note", &source, "-m", "internal: suspect the FCM key"])
        .success();
    t.run(&["merge", &source, "--into", &target, "-m", "One case for both."])
        .success();
    let sha = t.show(&source)["history"][0]["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();

    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let moved = server.get(&format!("/cases/{source}"), Some(&ana));
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert_eq!(moved.header("location"), Some(format!("/cases/{target}").as_str()));

    let page = server.get(&format!("/cases/{target}"), Some(&ana));
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("From case {source} (merged into this case)")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Words only the duplicate has."), "{}", page.body);
    assert!(page.body.contains("One case for both."), "{}", page.body);
    assert!(!page.body.contains("FCM key"), "never an internal note: {}", page.body);
    let link = format!("/cases/{target}/attachments/{sha}");
    assert!(page.body.contains(&link), "{}", page.body);
    let download = server.get(&link, Some(&ana));
    assert_eq!(download.status, 200);
    assert_eq!(download.body, "error at line 1\n");

    // Another customer's contact learns nothing, through either case.
    let gil = server.sign_in(&t, "gil@globex.example");
    assert_eq!(server.get(&format!("/cases/{source}"), Some(&gil)).status, 404);
    assert_eq!(server.get(&link, Some(&gil)).status, 404);
}

#[test]
fn under_portal_own_a_merged_case_of_another_contact_is_neither_followed_nor_shown() {
    let t = TestStore::with_config(CONFIG);
    // Globex lets each contact see only their own cases.
    let gils = open(&t, "Globex", Some("gil@globex.example"), "Login loop reported by Gil");
    let bos = open(&t, "Globex", Some("bo@globex.example"), "Login loop");
    t.run(&["merge", &gils, "--into", &bos]).success();
    let server = Server::start(&t, NOW, &[], &[]);

    let gil = server.sign_in(&t, "gil@globex.example");
    let own = server.get(&format!("/cases/{gils}"), Some(&gil));
    assert_eq!(own.status, 200, "not sent to a case Gil may not see");
    assert!(
        own.body.contains(&format!(
            "Support merged this case into <span class=\"case-id\">{bos}</span>"
        )),
        "{}",
        own.body
    );

    let bo = server.sign_in(&t, "bo@globex.example");
    let page = server.get(&format!("/cases/{bos}"), Some(&bo));
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("reported by Gil"), "{}", page.body);
    assert!(!page.body.contains(&format!("From case {gils}")), "{}", page.body);
}

#[test]
fn a_portal_follow_up_of_a_merged_case_follows_up_the_case_it_was_merged_into() {
    let t = TestStore::with_config(CONFIG);
    let source = open(&t, "Acme Corp", Some("ana@acme.example"), "Push broken again");
    let target = open(&t, "Acme Corp", Some("ana@acme.example"), "Push broken");
    t.run(&["merge", &source, "--into", &target]).success();
    t.run(&["close", &target, "--resolution", "Fixed in 7.3"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    // Still sent on to the target, closed as it is.
    let moved = server.get(&format!("/cases/{source}"), Some(&ana));
    assert_eq!(moved.header("location"), Some(format!("/cases/{target}").as_str()));
    let reply = server.post(
        &format!("/cases/{source}/follow-up"),
        Some(&ana),
        &form(&[("summary", "Back again"), ("description", "Push fails once more")]),
    );
    assert_eq!(reply.status, 303, "{}", reply.body);
    let new_id = reply
        .header("location")
        .unwrap()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(t.show(&new_id)["follow_up_of"], target.as_str());
}
