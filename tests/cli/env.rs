//! Global options and their environment defaults (SPEC section 5), and the
//! machine-readable field names.

use crate::support::*;
use predicates::str::contains;
use serde_json::Value;

/// The fields every case object carries in JSON and YAML (SPEC section 5).
const CASE_FIELDS: &[&str] = &[
    "id",
    "status",
    "level",
    "severity",
    "assignee",
    "impact",
    "customer",
    "channel",
    "summary",
    "created_at",
    "updated_at",
    "waiting_since",
    "resolution",
    "first_response_due",
    "first_response_at",
    "follow_up_of",
];

const EVENT_FIELDS: &[&str] = &["at", "actor", "action", "from", "to", "message"];

fn assert_fields(object: &Value, fields: &[&str]) {
    let object = object.as_object().unwrap_or_else(|| panic!("not an object: {object}"));
    for field in fields {
        assert!(
            object.contains_key(*field),
            "missing {field} (present even when null): {object:?}"
        );
    }
}

fn stdout_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.success().get_output().stdout.clone()).unwrap()
}

#[test]
fn tickets_dir_names_the_store_and_dir_overrides_it() {
    let t = TestStore::new();
    let id = t.open_simple();
    let other = TestStore::new();
    // TICKETS_DIR (set by cmd()) points at `t`.
    assert_eq!(ids(&t.list(&[])), vec![id.clone()]);
    // --dir wins over TICKETS_DIR, before or after the subcommand.
    for args in [
        vec!["--dir", other.path().to_str().unwrap(), "list", "--format", "json"],
        vec!["list", "--format", "json", "--dir", other.path().to_str().unwrap()],
    ] {
        let listed: Vec<Value> = serde_json::from_str(&stdout_of(t.cmd().args(&args).assert())).unwrap();
        assert!(listed.is_empty(), "{args:?} listed {listed:?}");
    }
}

#[test]
fn tickets_now_is_the_clock_and_now_overrides_it() {
    let t = TestStore::new();
    let id = t.open_simple();
    assert_eq!(t.show(&id)["created_at"], NOW, "TICKETS_NOW");
    t.run(&["investigate", &id, "--now", "2026-11-19T12:34:56+02:00"])
        .success();
    let case = t.show(&id);
    assert_eq!(
        case["updated_at"], "2026-11-19T10:34:56Z",
        "--now wins, any offset, stored in UTC"
    );
    assert_eq!(case["first_response_at"], "2026-11-19T10:34:56Z");
}

#[test]
fn tickets_actor_is_recorded_and_as_overrides_it_then_user_then_unknown() {
    let t = TestStore::new();
    let id = t.open_simple();
    let actor_of_last =
        |t: &TestStore| -> Value { t.show(&id)["history"].as_array().unwrap().last().unwrap()["actor"].clone() };
    assert_eq!(actor_of_last(&t), "tester", "TICKETS_ACTOR");
    t.run(&["investigate", &id, "--as", "bruno"]).success();
    assert_eq!(actor_of_last(&t), "bruno", "--as wins over TICKETS_ACTOR");
    t.cmd()
        .env_remove("TICKETS_ACTOR")
        .env("USER", "maria")
        .args(["request-info", &id, "--message", "?"])
        .assert()
        .success();
    assert_eq!(actor_of_last(&t), "maria", "$USER when neither is given");
    t.cmd()
        .env_remove("TICKETS_ACTOR")
        .env_remove("USER")
        .args(["reply", &id, "--message", "!"])
        .assert()
        .success();
    assert_eq!(actor_of_last(&t), "unknown");
    t.run(&["reply", &id, "--message", "!", "--as", " "])
        .code(2)
        .stderr(contains("--as / TICKETS_ACTOR"));
}

#[test]
fn global_options_go_before_or_after_the_subcommand() {
    let t = TestStore::new();
    let id = t.open_simple();
    let orders: [Vec<&str>; 3] = [
        vec!["--format", "json", "show", &id],
        vec!["show", &id, "--format", "json"],
        vec!["show", "--format", "json", &id],
    ];
    let outputs: Vec<String> = orders
        .iter()
        .map(|args| stdout_of(t.cmd().args(args).assert()))
        .collect();
    let first: Value = serde_json::from_str(&outputs[0]).unwrap();
    assert_eq!(first["id"], id.as_str());
    assert!(outputs.iter().all(|o| o == &outputs[0]), "{outputs:#?}");
    // --as and --now before the subcommand too.
    t.run(&["--as", "carla", "--now", "2026-11-20T08:00:00Z", "investigate", &id])
        .success();
    let event = t.show(&id)["history"][1].clone();
    assert_eq!(event["actor"], "carla");
    assert_eq!(event["at"], "2026-11-20T08:00:00Z");
}

#[test]
fn the_default_store_is_tickets_in_the_current_directory() {
    let work = tempfile::tempdir().unwrap();
    let bare = || {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("tickets");
        cmd.env_remove("TICKETS_DIR")
            .env("TICKETS_NOW", NOW)
            .env("TICKETS_ACTOR", "tester")
            .current_dir(work.path());
        cmd
    };
    let out = bare().arg("init").assert().success().get_output().stdout.clone();
    let store = work.path().join("tickets");
    // The absolute path, though the store was named relative to the directory.
    let absolute = std::fs::canonicalize(&store).unwrap();
    assert!(
        String::from_utf8_lossy(&out).contains(&format!("initialised a tickets store in {}\n", absolute.display())),
        "{}",
        String::from_utf8_lossy(&out)
    );
    assert!(store.join("config.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(store.join(".gitignore")).unwrap(),
        tickets::store::GITIGNORE
    );
    let out = bare()
        .args(["open", "--customer", "Acme Corp", "--summary", "Push broken"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let id = String::from_utf8(out).unwrap().trim().to_string();
    assert!(
        store.join(format!("{id}.yaml")).is_file(),
        "the case lands in ./tickets"
    );
    bare()
        .args(["show", &id])
        .assert()
        .success()
        .stdout(contains("Push broken"));
    bare().arg("init").assert().code(2).stderr(contains("already exists"));
}

#[test]
fn list_and_show_json_carry_the_spec_field_names() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    let listed = t.list(&[]);
    assert_eq!(listed.len(), 1);
    assert_fields(&listed[0], CASE_FIELDS);
    assert!(listed[0].get("history").is_none(), "list leaves the history to show");
    assert_eq!(listed[0]["status"], "waiting-for-customer");
    assert_eq!(listed[0]["waiting_since"], NOW);
    assert!(listed[0]["impact"].is_null());

    let shown = t.show(&id);
    assert_fields(&shown, CASE_FIELDS);
    assert_fields(&shown, &["description", "history"]);
    assert_eq!(shown["description"], "No push since update");
    let history = shown["history"].as_array().unwrap();
    for event in history {
        assert_fields(event, EVENT_FIELDS);
    }
    assert!(history[0]["from"].is_null());
    assert_eq!(history[1]["from"], "open");
    assert_eq!(history[1]["to"], "waiting-for-customer");
}

#[test]
fn list_and_show_yaml_carry_the_same_fields_and_values_as_json() {
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["escalate", &id]).success();
    let yaml_show: Value = serde_yaml::from_str(&t.stdout(&["show", &id, "--format", "yaml"])).unwrap();
    assert_eq!(yaml_show, t.show(&id));
    assert_fields(&yaml_show, CASE_FIELDS);
    let yaml_list: Vec<Value> = serde_yaml::from_str(&t.stdout(&["list", "--format", "yaml"])).unwrap();
    assert_eq!(yaml_list, t.list(&[]));
    assert_fields(&yaml_list[0], CASE_FIELDS);
}

#[test]
fn list_filters_and_hides_closed_cases_unless_asked() {
    let t = TestStore::new();
    let open = t.open_simple();
    let closed = t.open_simple();
    t.run(&["close", &closed, "--resolution", "done"]).success();
    let phone = t.open(&["--customer", "Globex", "--summary", "SSO down", "--channel", "phone"]);
    let mut expected = vec![open.clone(), phone.clone()];
    expected.sort();
    assert_eq!(ids(&t.list(&[])), expected, "same created_at: ID order");
    assert_eq!(ids(&t.list(&["--all"])).len(), 3);
    assert_eq!(ids(&t.list(&["--status", "closed"])), vec![closed]);
    assert_eq!(
        ids(&t.list(&["--severity", "high"])),
        vec![phone.clone()],
        "phone cases start high"
    );
    assert_eq!(ids(&t.list(&["--assignee", "bruno"])), vec![phone]);
    assert_eq!(ids(&t.list(&["--level", "l2"])), Vec::<String>::new());
}

#[test]
fn an_empty_environment_variable_counted_as_set_and_failed_the_command() {
    let t = TestStore::new();
    let id = t.open_simple();
    // A crontab line with empty variables: each takes its default.
    let work = tempfile::tempdir().unwrap();
    let shown = t
        .cmd()
        .current_dir(work.path())
        .env("TICKETS_DIR", "")
        .env("TICKETS_NOW", "")
        .env("TICKETS_ACTOR", "")
        .env("TICKETS_LOCK_TIMEOUT", "")
        .args(["list", "--dir", t.path().to_str().unwrap(), "--format", "json"])
        .assert()
        .success();
    let listed: Vec<Value> = serde_json::from_slice(&shown.get_output().stdout).unwrap();
    assert_eq!(ids(&listed), vec![id.clone()]);
    // TICKETS_DIR= means the default ./tickets, not "" (which is no store).
    t.cmd()
        .current_dir(work.path())
        .env("TICKETS_DIR", "")
        .arg("init")
        .assert()
        .success();
    assert!(work.path().join("tickets/config.yaml").is_file());
    // TICKETS_ACTOR= falls back to $USER; TICKETS_NOW= to the system clock.
    t.cmd()
        .env("TICKETS_ACTOR", "")
        .env("USER", "maria")
        .env("TICKETS_NOW", "")
        .env("TICKETS_LOCK_TIMEOUT", "")
        .args(["investigate", &id])
        .assert()
        .success();
    let event = t.show(&id)["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(event["actor"], "maria");
    assert_ne!(event["at"], NOW, "the system clock, not the pinned one");
    // An empty option is still a usage error.
    t.run(&["list", "--now", ""]).code(2);
}
