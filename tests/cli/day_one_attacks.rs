//! The second attack, on the desk's day-one features seen from outside the
//! portal: CC from mail intake, canned answers planted in the store, and
//! chat notifications quoting customer text. Every finding is kept here.

use crate::support::mail::{customer_mail, mail_config};
use crate::support::TestStore;

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
