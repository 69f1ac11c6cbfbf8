//! The portal's case list at any size (`GET /`): open cases first, in pages
//! of 25 with next and previous links, the filters, the search over ID,
//! summary and description, every link keeping them, a page under 64 KB
//! for a customer of thousands of cases, hostile query strings, and no
//! other customer's case ever listed.

use crate::support::portal::{assert_security_headers, encode, open, Server, CONFIG};
use crate::support::{TestStore, NOW};

/// Writes `count` case files of `customer` directly (a store of thousands
/// in a moment): case `i` has ID `RC-{tag}{i:05}`, summary `{summary} {i}`
/// and description `Details {tag} {i}`; `status(i)` says its status, and
/// case `i` was last changed `i` minutes after a fixed instant (the higher,
/// the more recent).
fn bulk(
    t: &TestStore,
    customer: &str,
    email: &str,
    tag: &str,
    count: usize,
    summary: &str,
    status: fn(usize) -> &'static str,
) {
    for i in 0..count {
        let id = format!("RC-{tag}{i:05}");
        let updated =
            chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap() + chrono::Duration::minutes(i as i64);
        let updated = updated.format("%Y-%m-%dT%H:%M:%SZ");
        let summary = format!("{summary} {i}").replace('\'', "''");
        let text = format!(
            "id: {id}\nsummary: '{summary}'\ncustomer: {customer}\nemail: {email}\nchannel: portal\nseverity: medium\n\
             status: {}\nlevel: l1\ncreated_at: 2026-10-01T00:00:00Z\nupdated_at: {updated}\nwaiting_since: {updated}\n\
             resolution: Done\ndescription: Details {tag} {i}\nhistory:\n- at: 2026-10-01T00:00:00Z\n  actor: {email}\n  \
             action: open\n  to: open\n  level: l1\n  severity: medium\n",
            status(i)
        );
        std::fs::write(t.case_path(&id), text).unwrap();
    }
}

fn ids_in(body: &str, tag: &str) -> Vec<String> {
    let needle = format!("href=\"/cases/RC-{tag}");
    body.match_indices(&needle)
        .map(|(at, _)| body[at + 13..at + 13 + 3 + tag.len() + 5].to_string())
        .collect()
}

fn id(tag: &str, i: usize) -> String {
    format!("RC-{tag}{i:05}")
}

/// The target of the link with `rel`, `&amp;` read as `&`.
fn rel_link(body: &str, rel: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"{rel}\" href=\""))? + rel.len() + 13;
    let end = body[at..].find('"')? + at;
    Some(body[at..end].replace("&amp;", "&"))
}

#[test]
fn open_cases_come_first_in_pages_of_25_with_next_and_previous_links() {
    let t = TestStore::with_config(CONFIG);
    // Even: open; odd: closed. Globex's cases are never listed to Acme.
    bulk(&t, "Acme Corp", "ana@acme.example", "A", 60, "Acme problem", |i| {
        if i % 2 == 0 {
            "open"
        } else {
            "closed"
        }
    });
    bulk(&t, "Globex", "gil@globex.example", "G", 30, "Globex secret", |_| "open");
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let first = server.get("/", Some(&session));
    assert_eq!(first.status, 200);
    let open_newest: Vec<String> = (0..60).rev().filter(|i| i % 2 == 0).map(|i| id("A", i)).collect();
    let closed_newest: Vec<String> = (0..60).rev().filter(|i| i % 2 == 1).map(|i| id("A", i)).collect();
    let order: Vec<String> = open_newest.iter().chain(&closed_newest).cloned().collect();
    assert_eq!(ids_in(&first.body, "A"), order[..25].to_vec());
    assert!(
        first.body.contains("Cases 1 to 25 of 60 (page 1 of 3)"),
        "{}",
        first.body
    );
    assert_eq!(rel_link(&first.body, "prev"), None);
    let next = rel_link(&first.body, "next").expect("a next link");
    assert_eq!(next, "/?page=2");
    let second = server.get(&next, Some(&session));
    assert_eq!(
        ids_in(&second.body, "A"),
        order[25..50].to_vec(),
        "5 open, then the closed ones"
    );
    assert_eq!(rel_link(&second.body, "prev").as_deref(), Some("/"));
    let third = server.get(&rel_link(&second.body, "next").unwrap(), Some(&session));
    assert_eq!(ids_in(&third.body, "A"), order[50..].to_vec());
    assert_eq!(rel_link(&third.body, "next"), None);
    assert_eq!(rel_link(&third.body, "prev").as_deref(), Some("/?page=2"));
    for body in [&first.body, &second.body, &third.body] {
        assert!(!body.contains("RC-G") && !body.contains("Globex secret"), "{body}");
    }
    // Counts of each filter, and a page past the last is the last.
    assert!(first.body.contains("All (60)") && first.body.contains("Open (30)") && first.body.contains("Closed (30)"));
    let past = server.get("/?page=999", Some(&session));
    assert_eq!(ids_in(&past.body, "A"), order[50..].to_vec());
}

#[test]
fn each_filter_shows_its_cases_only_and_every_link_keeps_it() {
    let t = TestStore::with_config(CONFIG);
    bulk(&t, "Acme Corp", "ana@acme.example", "F", 120, "Filtered", |i| {
        ["open", "waiting-for-customer", "closed", "at-investigation"][i % 4]
    });
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    for (show, wanted) in [
        ("open", vec![0, 1, 3]),
        ("waiting", vec![1]),
        ("closed", vec![2]),
        ("all", vec![0, 1, 2, 3]),
    ] {
        let mut seen = Vec::new();
        let mut path = Some(format!("/?show={show}"));
        while let Some(p) = path {
            let page = server.get(&p, Some(&session));
            assert_eq!(page.status, 200, "{p}");
            seen.extend(ids_in(&page.body, "F"));
            path = rel_link(&page.body, "next");
            if let Some(next) = &path {
                if show != "all" {
                    assert!(next.contains(&format!("show={show}")), "{next} keeps the filter");
                }
            }
            assert!(
                page.body.contains(&format!("name=\"show\" value=\"{show}\"")),
                "the search keeps the filter"
            );
        }
        let expected: Vec<String> = (0..120)
            .filter(|i| wanted.contains(&(i % 4)))
            .map(|i| id("F", i))
            .collect();
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, expected, "{show}");
        assert_eq!(seen.len(), expected.len(), "{show}: no case twice");
        if show == "waiting" {
            let first = server.get("/?show=waiting", Some(&session)).body;
            assert!(first.contains("Waiting for you") && !first.contains("waiting-for-customer"));
        }
    }
}

#[test]
fn a_search_finds_by_id_summary_and_description_combines_with_filters_and_pages() {
    let t = TestStore::with_config(CONFIG);
    bulk(&t, "Acme Corp", "ana@acme.example", "S", 80, "Printer jams", |i| {
        if i % 2 == 0 {
            "open"
        } else {
            "closed"
        }
    });
    bulk(&t, "Acme Corp", "ana@acme.example", "T", 3, "Login loop", |_| "open");
    bulk(
        &t,
        "Initech",
        "ian@initech.example",
        "I",
        5,
        "Printer jams at Initech",
        |_| "open",
    );
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    // By ID (any case), by a word of the summary, by the description.
    let by_id = server.get(&format!("/?q={}", id("S", 42).to_lowercase()), Some(&session));
    assert_eq!(ids_in(&by_id.body, "S"), vec![id("S", 42)]);
    let by_summary = server.get("/?q=LOGIN+loop", Some(&session));
    assert_eq!(ids_in(&by_summary.body, "T").len(), 3);
    assert!(ids_in(&by_summary.body, "S").is_empty());
    let by_description = server.get("/?q=details+t+1", Some(&session));
    assert_eq!(ids_in(&by_description.body, "T"), vec![id("T", 1)]);
    // 80 printer cases: 40 open; with the filter, two pages that keep both.
    let open = server.get("/?show=open&q=printer", Some(&session));
    assert!(
        open.body.contains("Cases 1 to 25 of 40 matching the search"),
        "{}",
        open.body
    );
    let next = rel_link(&open.body, "next").unwrap();
    assert_eq!(next, "/?show=open&q=printer&page=2");
    let second = server.get(&next, Some(&session));
    assert_eq!(ids_in(&second.body, "S").len(), 15);
    assert!(
        !second.body.contains("RC-I"),
        "Initech's printer cases are never listed"
    );
    assert!(second.body.contains("value=\"printer\""), "the box keeps the search");
    // Nothing matches: said so, no row.
    let none = server.get("/?q=no+such+words", Some(&session));
    assert_eq!(none.status, 200);
    assert!(
        none.body.contains("No case matches \u{201c}no such words\u{201d}."),
        "{}",
        none.body
    );
    assert!(!none.body.contains("<table"));
}

#[test]
fn a_page_stays_under_64_kb_for_a_customer_of_3000_cases() {
    let t = TestStore::with_config(CONFIG);
    // Long summaries full of markup: the worst a row can be.
    let long = "<b>\"&'</b> ".repeat(40);
    bulk(&t, "Acme Corp", "ana@acme.example", "L", 3000, &long, |i| {
        ["open", "waiting-for-customer", "closed"][i % 3]
    });
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    for path in [
        "/",
        "/?page=2",
        "/?page=120",
        "/?show=waiting",
        "/?show=closed&page=40",
        "/?q=%3Cb%3E",
    ] {
        let page = server.get(path, Some(&session));
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.len() < 64 * 1024, "{path}: {} bytes", page.body.len());
        assert_eq!(ids_in(&page.body, "L").len(), 25, "{path}");
        assert!(!page.body.contains("<b>"), "{path}: markup escaped");
    }
    assert!(server.get("/", Some(&session)).body.contains("page 1 of 120"));
}

#[test]
fn a_case_written_by_the_command_line_shows_on_the_next_request() {
    let t = TestStore::with_config(CONFIG);
    bulk(&t, "Acme Corp", "ana@acme.example", "R", 40, "Older", |_| "open");
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    assert!(server.get("/", Some(&session)).body.contains(&id("R", 39)));
    let new = open(&t, "Acme Corp", Some("ana@acme.example"), "Brand new trouble");
    let first = server.get("/", Some(&session)).body;
    assert!(first.contains(&new) && first.contains("Brand new trouble"), "{first}");
    assert!(server.get("/?q=brand+new", Some(&session)).body.contains(&new));
    t.run(&["close", &new, "--resolution", "Done"]).success();
    let closed = server.get("/?show=closed", Some(&session)).body;
    assert!(closed.contains(&new), "{closed}");
    // A case of another customer written meanwhile never shows.
    let other = open(&t, "Initech", Some("ian@initech.example"), "Initech trouble");
    let all = server.get("/?q=trouble", Some(&session)).body;
    assert!(!all.contains(&other) && all.contains(&new), "{all}");
}

#[test]
fn a_contact_of_a_portal_own_customer_lists_their_own_cases_only() {
    let t = TestStore::with_config(CONFIG);
    bulk(&t, "Globex", "gil@globex.example", "O", 30, "Gil's", |_| "open");
    bulk(&t, "Globex", "hal@globex.example", "H", 30, "Hal's", |_| "open");
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "gil@globex.example");
    let mut path = Some("/".to_string());
    let mut seen = 0;
    while let Some(p) = path {
        let page = server.get(&p, Some(&session)).body;
        assert!(
            !page.contains("RC-H") && !page.contains("Hal&#39;s") && !page.contains("Hal's"),
            "{page}"
        );
        seen += ids_in(&page, "O").len();
        path = rel_link(&page, "next");
    }
    assert_eq!(seen, 30);
    assert!(server.get("/?q=hal", Some(&session)).body.contains("No case matches"));
}

#[test]
fn hostile_page_and_search_values_are_answered_safely() {
    let t = TestStore::with_config(CONFIG);
    bulk(&t, "Acme Corp", "ana@acme.example", "X", 30, "Ordinary", |_| "open");
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let ten_kb = format!("q={}", encode(&"<script>alert(1)</script>".repeat(410)));
    for query in [
        "page=-1".to_string(),
        "page=0".to_string(),
        "page=abc".to_string(),
        "page=99999999999999999999999999".to_string(),
        "page=18446744073709551615".to_string(),
        "page=%00".to_string(),
        "page=1&page=2".to_string(),
        "show=%3Cscript%3E".to_string(),
        "q=%FF%FE".to_string(),
        "q=%E2%80%AEevil%E2%80%AC".to_string(),
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "q=%22%3E%3Cimg+src%3Dx%3E".to_string(),
        "q=%".to_string(),
        "q=%00".to_string(),
        ten_kb,
    ] {
        let path = format!("/?{query}");
        let page = server.get(&path, Some(&session));
        assert_eq!(page.status, 200, "{query}");
        assert_security_headers(&page, &query);
        assert!(page.body.len() < 64 * 1024, "{query}: {} bytes", page.body.len());
        assert!(
            !page.body.contains("<script>") && !page.body.contains("<img"),
            "{query}"
        );
        assert!(
            !page.body.contains('\u{202e}'),
            "{query}: a bidi control reached the page raw"
        );
        let links: Vec<&str> = page
            .body
            .match_indices("href=\"/?")
            .map(|(at, _)| &page.body[at..])
            .collect();
        for link in links {
            let end = link[6..].find('"').unwrap();
            assert!(link[6..6 + end].len() < 1000, "{query}: a link of {} bytes", end);
        }
    }
    let long = server.get(&format!("/?q={}", "a".repeat(10_000)), Some(&session));
    assert!(long.body.contains("Only the first 200 characters"), "{}", long.body);
    let huge = server.get("/?page=18446744073709551615", Some(&session));
    assert_eq!(ids_in(&huge.body, "X").len(), 5, "the last page");
    let negative = server.get("/?page=-1", Some(&session));
    assert_eq!(ids_in(&negative.body, "X").len(), 25, "the first page");
}

#[test]
fn a_search_link_survives_characters_that_mean_something_in_a_url() {
    let t = TestStore::with_config(CONFIG);
    bulk(
        &t,
        "Acme Corp",
        "ana@acme.example",
        "U",
        30,
        "a&b=c #1 100% ok?",
        |_| "open",
    );
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let first = server.get(&format!("/?q={}", encode("a&b=c #1 100% ok?")), Some(&session));
    assert!(first.body.contains("Cases 1 to 25 of 30"), "{}", first.body);
    let next = rel_link(&first.body, "next").unwrap();
    let second = server.get(&next, Some(&session));
    assert_eq!(ids_in(&second.body, "U").len(), 5, "{next}");
    assert!(server.get("/?q=", Some(&session)).body.contains("Cases 1 to 25 of 30"));
}

#[test]
fn an_id_and_a_date_never_break_and_the_list_is_wider_on_a_wide_screen() {
    let t = TestStore::with_config(CONFIG);
    bulk(&t, "Acme Corp", "ana@acme.example", "W", 3, "Wide", |_| {
        "waiting-for-customer"
    });
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let page = server.get("/", Some(&session)).body;
    for cell in [
        "<td class=\"id\">",
        "<td class=\"date\">",
        "<td class=\"turn\">",
        "<table class=\"cases\">",
    ] {
        assert_eq!(
            page.matches(cell).count(),
            if cell.contains("table") { 1 } else { 3 },
            "{cell}: {page}"
        );
    }
    let style = server.get("/style.css", None).body;
    for rule in [
        "table.cases td.id, table.cases td.date { white-space: nowrap; }",
        "@media (min-width: 40rem) { table.cases td.turn { min-width: 16rem; } }",
        "@media (min-width: 80rem) { main:has(table.cases) { max-width: 72rem; } }",
    ] {
        assert!(style.contains(rule), "{rule}");
    }
}
