//! Forgiving input (issue 25): what people type is taken when it can mean
//! one thing only, and refused with a hint at what was meant otherwise.

use crate::support::cases::case_in;
use crate::support::*;

/// An ID without its prefix, in lower case, or cut short, finds the case.
#[test]
fn an_id_without_its_prefix_or_in_lower_case_is_taken() {
    let t = TestStore::new();
    let id = t.open_simple();
    let body = id.strip_prefix("RC-").expect("RC- prefix");
    for typed in [
        body.to_string(),
        body.to_lowercase(),
        id.to_lowercase(),
        body[..4].to_string(),
    ] {
        let case = serde_json::from_str::<serde_json::Value>(&t.stdout(&["show", &typed, "--format", "json"]))
            .expect("show json");
        assert_eq!(case["id"], id.as_str(), "typed {typed}");
    }
}

/// An ID a typo away is refused (exit 3) with the case it may mean.
#[test]
fn an_unknown_id_hints_at_the_nearest_one() {
    let t = TestStore::new();
    let id = t.open_simple();
    let body = id.strip_prefix("RC-").expect("RC- prefix");
    let wrong = if body.as_bytes()[6] == b'Z' { "Y" } else { "Z" };
    let typo = format!("{}{wrong}", &body[..6]);
    let out = t.run(&["show", &typo]).code(3).get_output().stderr.clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains(&format!("did you mean {id}?")), "{err}");
    let out = t.run(&["show", "RC-ZZZZZZZZ"]).code(3).get_output().stderr.clone();
    assert!(!String::from_utf8_lossy(&out).contains("did you mean"));
}

/// Every status spelling `list` prints is taken by `--status`.
#[test]
fn list_takes_the_status_spellings_it_prints() {
    let t = TestStore::new();
    let open = case_in(&t, "open");
    let invest = case_in(&t, "at-investigation");
    let waiting = case_in(&t, "waiting-for-customer");
    let escalated = case_in(&t, "escalated");
    let closed = case_in(&t, "closed");
    for (typed, id) in [
        ("new", &open),
        ("open", &open),
        ("invest", &invest),
        ("at-investigation", &invest),
        ("waiting", &waiting),
        ("escal", &escalated),
        ("closed", &closed),
    ] {
        assert_eq!(ids(&t.list(&["--status", typed])), vec![id.clone()], "--status {typed}");
    }
    t.run(&["list", "--status", "bogus"]).code(2);
}

/// A text given without `-m` is refused (exit 2) with a hint at `-m`.
#[test]
fn a_text_without_its_option_hints_at_it() {
    let t = TestStore::new();
    let id = t.open_simple();
    for (command, option) in [
        ("reply", "-m/--message"),
        ("request-info", "-m/--message"),
        ("note", "-m/--message"),
        ("close", "-r/--resolution"),
    ] {
        let out = t
            .run(&[command, &id, "Row count is 2040"])
            .code(2)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8_lossy(&out);
        assert!(err.contains("unexpected argument 'Row count is 2040'"), "{err}");
        assert!(
            err.contains(&format!("tip: {command}'s text goes after {option}")),
            "{err}"
        );
    }
    assert_eq!(t.status(&id), "open");
}

/// A usage line names what is missing, never a global option that was given.
#[test]
fn a_usage_line_does_not_show_a_given_as_as_required() {
    let t = TestStore::new();
    let id = t.open_simple();
    let out = t
        .run(&["close", &id, "--as", "tester"])
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("Usage: tickets close --resolution <RESOLUTION> <ID>"),
        "{err}"
    );
    assert!(!err.contains("--as"), "{err}");
}

/// `stats --since/--until` take a date (the start of that day in the store's
/// time zone, America/Sao_Paulo by default) and a time before now.
#[test]
fn stats_takes_dates_and_times_before_now() {
    let t = TestStore::new();
    t.open_simple();
    let stats = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["stats", "--format", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&t.stdout(&all)).expect("stats json")
    };
    let day = stats(&["--since", "2026-11-19"]);
    assert_eq!(day["since"], "2026-11-19T03:00:00Z");
    assert_eq!(day["cases"], 1);
    assert_eq!(stats(&["--since", "2026-11-20"])["cases"], 0);
    let ago = stats(&["--since", "3d", "--until", "2026-11-20"]);
    assert_eq!(ago["since"], "2026-11-16T10:00:00Z");
    assert_eq!(ago["until"], "2026-11-20T03:00:00Z");
    assert_eq!(ago["cases"], 1);
    assert_eq!(stats(&["--since", "2w"])["since"], "2026-11-05T10:00:00Z");
    assert_eq!(stats(&["--until", "1d"])["cases"], 0);
    t.run(&["stats", "--since", "yesterday"]).code(2);
    // --now stays RFC 3339: it is for scripts and replays.
    t.run(&["stats", "--now", "2026-11-19"]).code(2);
}

/// A case opened in the shell without `--channel` does not claim the portal:
/// it is recorded as phone, at medium unless `--severity` says otherwise.
#[test]
fn open_without_a_channel_records_phone_at_medium() {
    let t = TestStore::new();
    let plain = t.open(&["--customer", "Globex", "--summary", "Call about SSO"]);
    let case = t.show(&plain);
    assert_eq!(case["channel"], "phone");
    assert_eq!(case["severity"], "medium");
    let high = t.open(&["--customer", "Globex", "--summary", "Down", "--severity", "high"]);
    assert_eq!(t.show(&high)["severity"], "high");
    let help = t.stdout(&["open", "--help"]);
    assert!(help.contains("default: phone"), "{help}");
}

/// `init` prints the store's absolute path.
#[test]
fn init_prints_the_absolute_path() {
    let work = tempfile::tempdir().unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("tickets")
        .env_remove("TICKETS_DIR")
        .env("TICKETS_ACTOR", "tester")
        .current_dir(work.path())
        .args(["init", "--dir", "desk"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let absolute = std::fs::canonicalize(work.path().join("desk")).unwrap();
    let out = String::from_utf8_lossy(&out);
    assert!(
        out.starts_with(&format!("initialised a tickets store in {}\n", absolute.display())),
        "{out}"
    );
    assert!(absolute.is_absolute());
}

/// With `--email`, a missing `--customer` is the one whose `domains` hold
/// the address's domain; a domain nobody has is refused (exit 2).
#[test]
fn the_customer_comes_from_the_address() {
    let t = TestStore::new();
    let id = t.open(&["--email", "lisa@globex.example", "--summary", "SSO loop"]);
    let case = t.show(&id);
    assert_eq!(case["customer"], "Globex");
    assert_eq!(case["plan"], "plus");
    t.run(&["open", "--email", "lisa@nowhere.example", "--summary", "s"])
        .code(2)
        .stderr(predicates::str::contains("no customer in config.yaml has the domain"));
    t.run(&["open", "--summary", "s"]).code(2);
}

/// A `--customer` not in config.yaml is refused (exit 2) with the nearest
/// name, the address's customer first; `--new-customer` takes it.
#[test]
fn an_unknown_customer_is_refused_with_the_nearest_name_unless_new() {
    let t = TestStore::new();
    let refused = |args: &[&str]| {
        let mut all = vec!["open", "--summary", "s"];
        all.extend_from_slice(args);
        let out = t.run(&all).code(2).get_output().stderr.clone();
        String::from_utf8_lossy(&out).into_owned()
    };
    let err = refused(&["--customer", "Northwind", "--email", "lisa@globex.example"]);
    assert!(
        err.contains("customer \"Northwind\" is not in config.yaml; did you mean \"Globex\" (the domain of"),
        "{err}"
    );
    assert!(err.contains("--new-customer"), "{err}");
    assert!(refused(&["--customer", "Acme Crop"]).contains("did you mean \"Acme Corp\"?"));
    assert!(refused(&["--customer", "acme"]).contains("did you mean \"Acme Corp\"?"));
    assert!(!refused(&["--customer", "Zebra Labs"]).contains("did you mean"));
    assert!(t.list(&[]).is_empty(), "nothing was opened");
    let id = t.open(&["--customer", "Zebra Labs", "--new-customer", "--summary", "s"]);
    assert_eq!(t.show(&id)["customer"], "Zebra Labs");
    // A listed customer, in any case, needs nothing more.
    t.open(&["--customer", "acme corp", "--summary", "s"]);
}
