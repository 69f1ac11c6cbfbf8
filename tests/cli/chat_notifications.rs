//! Chat notifications: `deliver` posts `{"text": ...}` to the webhook
//! TICKETS_WEBHOOK_URL names, once per event (the sent ledger), retried
//! after a failure, mentioning the analyst's `chat:` handle, quoting the
//! customer's summary inert, and nothing at all without the variable.

use crate::support::webhook::WebhookServer;
use crate::support::*;
use assert_cmd::assert::Assert;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

const LATER: &str = "2026-11-19T10:10:00Z";

fn chat_store() -> TestStore {
    TestStore::with_config(&CONFIG.replace(
        "    skills: [mobile, push, ios, android]\n",
        "    skills: [mobile, push, ios, android]\n    chat: alice.souza\n",
    ))
}

fn deliver(t: &TestStore, now: &str, webhook: Option<&WebhookServer>) -> Assert {
    let mut cmd = t.cmd();
    cmd.env("TICKETS_NOW", now).env("TICKETS_SENDMAIL", "/bin/true");
    if let Some(webhook) = webhook {
        cmd.env("TICKETS_WEBHOOK_URL", webhook.url());
    }
    cmd.arg("deliver").assert()
}

#[test]
fn routing_and_a_reply_are_posted_once_across_two_runs() {
    let t = chat_store();
    let hook = WebhookServer::start();
    let id = t.open_simple();
    t.run(&["reply", &id, "--message", "Any news?"]).success();
    deliver(&t, NOW, Some(&hook)).success().stdout(contains(&id));
    deliver(&t, LATER, Some(&hook)).success();
    let texts = hook.texts();
    assert_eq!(
        texts,
        vec![
            format!("@alice.souza new case {id} (medium) routed to you: Push fails on iOS"),
            format!("@alice.souza the customer replied on {id} (medium): Push fails on iOS"),
        ]
    );
    for post in hook.posts() {
        assert_eq!(post.content_type, "application/json");
        assert!(
            post.request_line.starts_with("POST /hooks/SECRETTOKEN "),
            "{}",
            post.request_line
        );
    }
    for text in &texts {
        assert!(
            !text.contains("http") && !text.contains(&t.path().display().to_string()),
            "{text}"
        );
    }
    // The ledger says so, and `outbox` lists them as sent to the chat.
    let outbox: serde_json::Value = serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).unwrap();
    assert_eq!(
        outbox.as_array().unwrap().iter().filter(|m| m["to"] == "chat").count(),
        2
    );
}

#[test]
fn assignment_and_escalations_mention_whom_they_reach() {
    let t = chat_store();
    let hook = WebhookServer::start();
    let id = t.open_simple();
    t.run(&["escalate", &id]).success();
    t.run(&["escalate", &id, "--impact", "high"]).success();
    let other = t.open_simple();
    t.run(&["assign", &other, "bruno"]).success();
    deliver(&t, NOW, Some(&hook)).success();
    let texts = hook.texts();
    assert!(
        texts.contains(&format!(
            "@dora {id} (medium) escalated to L2 and routed to you: Push fails on iOS"
        )),
        "{texts:#?}"
    );
    assert!(
        texts.contains(&format!(
            "@dora {id} (medium) escalated to R&D, impact high: Push fails on iOS"
        )),
        "{texts:#?}"
    );
    assert!(
        texts.contains(&format!("@bruno {other} (medium) assigned to you: Push fails on iOS")),
        "{texts:#?}"
    );
    assert_eq!(
        texts.len(),
        5,
        "two routings, two escalations, one assignment: {texts:#?}"
    );
}

#[test]
fn a_failed_post_is_retried_by_the_next_run_and_then_never_again() {
    let t = chat_store();
    let hook = WebhookServer::start();
    let id = t.open_simple();
    hook.answer_next(500);
    deliver(&t, NOW, Some(&hook))
        .code(1)
        .stderr(contains("not posted, kept for the next run"))
        .stderr(contains("500"))
        .stderr(contains("SECRETTOKEN").not());
    let outbox: serde_json::Value = serde_json::from_str(&t.stdout(&["outbox", "--format", "json"])).unwrap();
    let failed: Vec<_> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == "chat")
        .collect();
    assert_eq!(failed.len(), 1, "{outbox:#}");
    assert_eq!(failed[0]["state"], "failed");
    assert_eq!(failed[0]["attempts"], 1);
    deliver(&t, LATER, Some(&hook)).success();
    deliver(&t, LATER, Some(&hook)).success();
    let texts = hook.texts();
    assert_eq!(texts.len(), 2, "one refused, one taken: {texts:#?}");
    assert_eq!(texts[0], texts[1]);
    assert!(texts[1].contains(&id));
}

#[test]
fn a_redirect_is_not_followed_and_counts_as_a_failure() {
    let t = chat_store();
    let hook = WebhookServer::start();
    t.open_simple();
    hook.answer_next(302);
    deliver(&t, NOW, Some(&hook)).code(1).stderr(contains("302"));
    assert_eq!(hook.posts().len(), 1, "the redirect was not followed");
}

#[test]
fn nothing_is_posted_or_queued_without_the_variable_and_old_news_is_never_posted() {
    let t = chat_store();
    let hook = WebhookServer::start();
    t.open_simple();
    deliver(&t, NOW, None).success();
    assert!(hook.posts().is_empty());
    // Set up two days later: the routing of two days ago is old news; the
    // missed first-response target of two days ago too.
    deliver(&t, "2026-11-21T10:00:00Z", Some(&hook)).success();
    assert!(hook.texts().is_empty(), "{:#?}", hook.texts());
}

#[test]
fn a_first_response_target_is_posted_when_near_then_when_missed_once_each() {
    let t = chat_store();
    let hook = WebhookServer::start();
    // Acme is mission-critical: a high case must be answered within 30 minutes.
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "Login down",
        "--description",
        "Nobody can sign in",
        "--severity",
        "high",
    ]);
    deliver(&t, LATER, Some(&hook)).success();
    deliver(&t, "2026-11-19T10:20:00Z", Some(&hook)).success();
    deliver(&t, "2026-11-19T10:45:00Z", Some(&hook)).success();
    deliver(&t, "2026-11-19T11:00:00Z", Some(&hook)).success();
    let texts = hook.texts();
    assert_eq!(texts.len(), 3, "{texts:#?}");
    assert!(texts[0].contains("routed to you"), "{texts:#?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&format!("first response on {id} (high) due at 2026-11-19 10:30 UTC"))),
        "{texts:#?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&format!("first response on {id} (high) missed its target"))),
        "{texts:#?}"
    );
}

#[test]
fn a_hostile_summary_reaches_the_chat_inert_on_one_line() {
    let t = chat_store();
    let hook = WebhookServer::start();
    t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "push @all <!here> [click](http://evil.example)",
        "--description",
        "x",
    ]);
    deliver(&t, NOW, Some(&hook)).success();
    let texts = hook.texts();
    assert_eq!(texts.len(), 1, "{texts:#?}");
    let text = &texts[0];
    assert!(text.starts_with("@alice.souza "), "{text}");
    assert_eq!(text.matches('@').count(), 1, "only the analyst is mentioned: {text}");
    assert!(
        !text.contains("<!") && !text.contains("](") && !text.contains('\n'),
        "{text}"
    );
}

#[test]
fn a_webhook_url_that_is_not_http_is_a_usage_error() {
    let t = chat_store();
    t.cmd()
        .env("TICKETS_SENDMAIL", "/bin/true")
        .env("TICKETS_WEBHOOK_URL", "file:///etc/passwd")
        .arg("deliver")
        .assert()
        .code(2)
        .stderr(contains("TICKETS_WEBHOOK_URL must start with http:// or https://"));
}
