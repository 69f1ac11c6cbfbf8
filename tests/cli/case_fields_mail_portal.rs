//! Tags, CC and the customer across the desk's edges: public mail goes To
//! the contact and Cc the case's list (RCPT TO each, one `Cc:` header);
//! intake copies the customer's people a message went to; the portal shows
//! a case to its customer's contacts (and under `portal: own` to the CC'd
//! ones), never its tags; two clones' changes merge.

use crate::support::cases::at;
use crate::support::git::{stderr, Team};
use crate::support::mail::{a_case, customer_mail, mail_config, Desk, Via};
use crate::support::portal::{open, Server, CONFIG as PORTAL_CONFIG};
use crate::support::{TestStore, CONFIG, NOW};

#[test]
fn public_mail_goes_to_the_contact_and_cc_the_list_over_smtp() {
    let desk = Desk::with_config(&format!("{}tags: [billing]\n", mail_config()), Via::Smtp);
    let t = &desk.t;
    let id = a_case(t);
    t.run(&["cc", &id, "--add", "bo@acme.example", "--add", "cy@acme.example"])
        .success();
    t.run(&["tag", &id, "+billing"]).success();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    desk.deliver_at(NOW).success();
    let received = desk.received();
    let question = received
        .iter()
        .find(|m| m.body.contains("Which version?"))
        .expect("the question was sent");
    let raw = &question.raw;
    let rcpt = raw
        .lines()
        .find_map(|l| l.strip_prefix("X-RcptTo: "))
        .expect("the server records the envelope");
    for address in ["ana@acme.example", "bo@acme.example", "cy@acme.example"] {
        assert!(rcpt.contains(address), "RCPT TO {address}: {rcpt}");
    }
    let cc = raw.lines().find(|l| l.starts_with("Cc: ")).expect("a Cc header");
    assert!(cc.contains("bo@acme.example") && cc.contains("cy@acme.example"), "{cc}");
    assert!(question.to.contains("ana@acme.example"));
    for message in &received {
        assert!(!message.raw.contains("billing"), "tags are internal: {}", message.raw);
    }
    let outbox = desk.outbox();
    let recorded = outbox
        .iter()
        .find(|m| m["event"] == "request-info")
        .expect("the outbox lists it");
    assert!(recorded.to_string().contains("bo@acme.example"), "{recorded}");
}

#[test]
fn after_set_customer_the_old_customers_people_are_not_copied() {
    let desk = Desk::new(Via::Smtp);
    let t = &desk.t;
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "s",
        "--email",
        "gil@globex.example",
    ]);
    t.run(&["cc", &id, "--add", "bo@acme.example"]).success();
    t.run(&["set-customer", &id, "Globex"]).success();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    desk.deliver_at(NOW).success();
    let received = desk.received();
    let question = received.iter().find(|m| m.body.contains("Which version?")).unwrap();
    assert!(!question.raw.contains("bo@acme.example"), "{}", question.raw);
}

#[test]
fn intake_copies_the_customers_people_from_to_and_cc_and_ignores_others() {
    let t = TestStore::with_config(&mail_config());
    let raw = customer_mail("ana@acme.example", "Push fails", "m1@acme.example", "No push.").replace(
        "To: Support <support@desk.example>\r\n",
        "To: Support <support@desk.example>, Bo <bo@acme.example>\r\nCc: eve@evil.example, Cy <CY@acme.example>\r\n",
    );
    let out = t.cmd().arg("intake").write_stdin(raw).assert().success();
    let id = String::from_utf8_lossy(&out.get_output().stdout).trim().to_string();
    let case = t.show(&id);
    assert_eq!(case["cc"], serde_json::json!(["bo@acme.example", "cy@acme.example"]));
    assert_eq!(
        case["history"][0]["cc"],
        serde_json::json!(["+bo@acme.example", "+cy@acme.example"])
    );
    // A reply copying one more of Acme's people adds them to the reply's event.
    let reply = customer_mail(
        "bo@acme.example",
        &format!("Re: [{id}] Push fails"),
        "m2@acme.example",
        "Still.",
    )
    .replace("Date:", "Cc: dee@acme.example, ana@acme.example\r\nDate:");
    t.cmd()
        .env("TICKETS_NOW", at(1))
        .arg("intake")
        .write_stdin(reply)
        .assert()
        .success();
    let case = t.show(&id);
    assert_eq!(
        case["cc"],
        serde_json::json!(["bo@acme.example", "cy@acme.example", "dee@acme.example"])
    );
    let last = case["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["cc"].clone()),
        (Some("reply"), serde_json::json!(["+dee@acme.example"]))
    );
    t.run(&["check"]).success();
}

#[test]
fn the_portal_follows_the_customer_shows_cc_contacts_under_own_and_never_tags() {
    let t = TestStore::with_config(&format!("{PORTAL_CONFIG}tags: [billing, secret-tag]\n"));
    // Globex is `portal: own`: only the contact, and now the CC'd, see a case.
    let id = open(&t, "Globex", Some("gil@globex.example"), "Login fails");
    t.run(&["tag", &id, "+secret-tag"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let hal = server.sign_in(&t, "hal@globex.example");
    assert_eq!(server.get(&format!("/cases/{id}"), Some(&hal)).status, 404);
    t.run(&["cc", &id, "--add", "hal@globex.example"]).success();
    let page = server.get(&format!("/cases/{id}"), Some(&hal));
    assert_eq!(page.status, 200, "a CC'd contact sees it");
    assert!(!page.body.contains("secret-tag"), "tags are internal");
    assert!(server.get("/", Some(&hal)).body.contains(&id), "and in their list");
    let gil = server.sign_in(&t, "gil@globex.example");
    assert!(!server
        .get(&format!("/cases/{id}"), Some(&gil))
        .body
        .contains("secret-tag"));
    // Moved to Acme: Acme's contacts see it, Globex's get 404.
    let ana = server.sign_in(&t, "ana@acme.example");
    assert_eq!(server.get(&format!("/cases/{id}"), Some(&ana)).status, 404);
    t.run(&["set-customer", &id, "Acme Corp"]).success();
    assert_eq!(server.get(&format!("/cases/{id}"), Some(&ana)).status, 200);
    assert_eq!(server.get(&format!("/cases/{id}"), Some(&gil)).status, 404);
    assert_eq!(server.get(&format!("/cases/{id}"), Some(&hal)).status, 404);
}

#[test]
fn two_clones_changing_tags_cc_and_customer_merge_keeping_both_sides() {
    let team = Team::with_config(&format!("format: 2\n{CONFIG}tags: [billing, ios, sso]\n"));
    let id = team.shared_case(NOW, &[&["tag", "+ios"]]);
    team.tickets("a", &at(1), &["tag", &id, "+billing"]).success();
    team.tickets("a", &at(1), &["cc", &id, "--add", "bo@acme.example"])
        .success();
    team.tickets("b", &at(2), &["tag", &id, "-ios", "+sso"]).success();
    team.tickets("b", &at(2), &["cc", &id, "--add", "cy@acme.example"])
        .success();
    team.tickets("b", &at(3), &["set-customer", &id, "Initech"]).success();
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "the driver merges cleanly: {}", stderr(&out));
    assert_eq!(team.unmerged("b"), "");
    let case = team.show("b", &id);
    assert_eq!(case["tags"], serde_json::json!(["billing", "sso"]));
    assert_eq!(case["cc"], serde_json::json!(["bo@acme.example", "cy@acme.example"]));
    assert_eq!(case["customer"], "Initech");
    let (code, report) = team.check("b");
    // Acme's people on an Initech case: check says so (and nothing else).
    assert_eq!(code, 5, "{report}");
    assert!(report.to_string().contains("cc-outside-domains"), "{report}");
}
