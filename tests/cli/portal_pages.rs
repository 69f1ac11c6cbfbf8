//! The portal's pages as a customer reads them: a status as a short label
//! with the seed's sentence, a confirmation after every write, follow-ups
//! linked both ways, events told as what happened, and times in the
//! customer's own zone.

use crate::support::portal::{form, Server};
use crate::support::{TestStore, NOW};

const CONFIG: &str = r#"id_prefix: RC
analysts:
  - {id: alice, name: Alice Souza, level: l1}
  - {id: ravi, name: Ravi Costa, level: rnd}
customers:
  - {name: Acme Corp, plan: plus, domains: [acme.example], timezone: Asia/Tokyo}
  - {name: Globex, domains: [globex.example], portal: own, timezone: UTC}
"#;

/// Opens a case by `channel` for `customer` with contact `email`.
fn open_by(t: &TestStore, channel: &str, customer: &str, email: &str, summary: &str) -> String {
    t.open(&[
        "--customer",
        customer,
        "--email",
        email,
        "--channel",
        channel,
        "--summary",
        summary,
        "--description",
        "Analyst's note: customer called, push is down.",
    ])
}

/// A page's text without its tags.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The path a redirect leads to.
fn location(reply: &crate::support::portal::Reply) -> String {
    reply.header("location").expect("a redirect").to_string()
}

#[test]
fn a_status_is_a_short_label_with_the_seeds_sentence_never_the_yaml_spelling() {
    let t = TestStore::with_config(CONFIG);
    let waiting = open_by(&t, "email", "Acme Corp", "ana@acme.example", "Waiting one");
    t.run(&["request-info", &waiting, "-m", "Which version?"]).success();
    let escalated = open_by(&t, "email", "Acme Corp", "ana@acme.example", "Escalated one");
    t.run(&["escalate", &escalated]).success();
    t.run(&["escalate", &escalated, "--impact", "high"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let page = server.get(&format!("/cases/{waiting}"), Some(&ana)).body;
    assert!(page.contains("<span class=\"status\">Waiting for you</span>"), "{page}");
    assert!(page.contains("needs more information from you"), "{page}");
    assert!(!page.contains("waiting-for-customer"), "{page}");
    // Closes 7 days after the question, in Tokyo's time (UTC+9), the zone named.
    assert!(page.contains("2026-11-26 19:00 (Asia/Tokyo)"), "{page}");
    let page = server.get(&format!("/cases/{escalated}"), Some(&ana)).body;
    assert!(page.contains("<span class=\"status\">With R&amp;D</span>"), "{page}");
    assert!(page.contains("resolution queue"), "{page}");
    assert!(
        !page.contains("With support"),
        "an escalated case is not 'with support': {page}"
    );
}

#[test]
fn an_auto_closed_case_reads_closed_no_answer_never_resolved() {
    let t = TestStore::with_config(CONFIG);
    let id = open_by(&t, "email", "Acme Corp", "ana@acme.example", "Silent one");
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    t.run_at("2026-11-26T10:00:00Z", &["sweep"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let page = server.get(&format!("/cases/{id}"), Some(&ana)).body;
    assert!(page.contains("Closed: no answer"), "{page}");
    assert!(page.contains("Closed: no answer for 7 days"), "the event: {page}");
    assert!(!page.contains("was resolved"), "{page}");
    // A resolved case says so.
    let resolved = open_by(&t, "email", "Acme Corp", "ana@acme.example", "Fixed one");
    t.run(&["close", &resolved, "--resolution", "Fixed in 7.3"]).success();
    let page = server.get(&format!("/cases/{resolved}"), Some(&ana)).body;
    assert!(
        page.contains("was resolved") && page.contains("Support closed the case"),
        "{page}"
    );
}

#[test]
fn events_say_what_happened_and_a_phone_case_is_not_the_customers_own_words() {
    let t = TestStore::with_config(CONFIG);
    let phone = open_by(&t, "phone", "Acme Corp", "ana@acme.example", "Called in");
    let mail = open_by(&t, "email", "Acme Corp", "ana@acme.example", "Mailed in");
    t.run(&["request-info", &mail, "-m", "Logs, please."]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let page = server.get(&format!("/cases/{phone}"), Some(&ana)).body;
    assert!(page.contains("Opened by phone"), "{page}");
    assert!(!page.contains("You opened") && !page.contains("you opened"), "{page}");
    // 10:00 UTC is 19:00 in Tokyo.
    assert!(page.contains("2026-11-19 19:00 (Asia/Tokyo)"), "{page}");
    assert!(!page.contains(" UTC"), "{page}");
    let page = server.get(&format!("/cases/{mail}"), Some(&ana)).body;
    assert!(page.contains("Opened by e-mail"), "{page}");
    assert!(page.contains("Support wrote"), "{page}");
    let sent = server.post(
        &format!("/cases/{mail}/reply"),
        Some(&ana),
        &form(&[("message", "Here they are")]),
    );
    assert_eq!(sent.status, 303);
    let page = server.get(&location(&sent), Some(&ana)).body;
    assert!(page.contains("You wrote"), "{page}");
}

#[test]
fn every_write_is_confirmed_on_the_next_page() {
    let t = TestStore::with_config(CONFIG);
    let id = open_by(&t, "email", "Acme Corp", "ana@acme.example", "Push fails");
    t.run(&["request-info", &id, "-m", "Which version?"]).success();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let sent = server.post(
        &format!("/cases/{id}/reply"),
        Some(&ana),
        &form(&[("message", "Version 7.2")]),
    );
    assert_eq!(location(&sent), format!("/cases/{id}?done=reply"));
    let page = server.get(&location(&sent), Some(&ana)).body;
    assert!(page.contains("Reply sent; the case is back with support."), "{page}");
    // Without the query, no confirmation; a made-up one says nothing.
    let plain = server.get(&format!("/cases/{id}"), Some(&ana)).body;
    assert!(!plain.contains("Reply sent"), "{plain}");
    let odd = server.get(&format!("/cases/{id}?done=%3Cscript%3E"), Some(&ana));
    assert_eq!(odd.status, 200);
    assert!(!odd.body.contains("<script>") && !odd.body.contains("class=\"confirmation\""));
    let created = server.post(
        "/cases",
        Some(&ana),
        &form(&[
            ("summary", "Login slow"),
            ("description", "Since Monday"),
            ("severity", "high"),
        ]),
    );
    let to = location(&created);
    let new_id = to
        .strip_prefix("/cases/")
        .and_then(|rest| rest.strip_suffix("?done=opened"))
        .unwrap_or_else(|| panic!("{to}"))
        .to_string();
    let page = text_of(&server.get(&to, Some(&ana)).body);
    assert!(
        page.contains(&format!(
            "New case {new_id} opened. First response expected by 2026-11-"
        )),
        "{page}"
    );
    assert!(page.contains("(Asia/Tokyo)."), "{page}");
}

#[test]
fn follow_ups_link_both_ways_and_list_only_what_the_contact_may_see() {
    let t = TestStore::with_config(CONFIG);
    let id = open_by(&t, "email", "Globex", "gil@globex.example", "Ledger export");
    t.run(&["close", &id, "--resolution", "Fixed"]).success();
    // Another Globex contact's follow-up: under `portal: own`, Gil cannot see it.
    let hidden = t.open(&[
        "--customer",
        "Globex",
        "--email",
        "hana@globex.example",
        "--follow-up-of",
        &id,
        "--summary",
        "Hana's follow-up",
        "--description",
        "x",
    ]);
    let server = Server::start(&t, NOW, &[], &[]);
    let gil = server.sign_in(&t, "gil@globex.example");
    let followed = server.post(
        &format!("/cases/{id}/follow-up"),
        Some(&gil),
        &form(&[("summary", "Back again"), ("description", "It returned")]),
    );
    let to = location(&followed);
    let new_id = to
        .strip_prefix("/cases/")
        .and_then(|rest| rest.strip_suffix("?done=follow-up"))
        .unwrap_or_else(|| panic!("{to}"))
        .to_string();
    let page = server.get(&to, Some(&gil)).body;
    assert!(
        text_of(&page).contains(&format!("New case {new_id} opened; it follows up {id}.")),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "Follows up <a class=\"case-id\" href=\"/cases/{id}\">{id}</a>"
        )),
        "{page}"
    );
    let closed = server.get(&format!("/cases/{id}"), Some(&gil)).body;
    assert!(closed.contains("Follow-up cases"), "{closed}");
    assert!(closed.contains(&format!("href=\"/cases/{new_id}\"")), "{closed}");
    assert!(closed.contains("Back again"), "{closed}");
    assert!(
        !closed.contains(&hidden) && !closed.contains("Hana's follow-up"),
        "another contact's follow-up under portal: own: {closed}"
    );
}
