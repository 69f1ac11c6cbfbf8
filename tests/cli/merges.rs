//! The merge driver never lets one side's events be lost: whatever it cannot
//! merge (a version that is not UTF-8 or is over the size cap, a merged case
//! over the cap, an auto-close that the interleaved history makes too early)
//! is a conflict holding both versions byte for byte, which `check` and every
//! command refuse until a person resolves it. Real git merges between two
//! clones, and direct `tickets merge-driver` runs.

use crate::support::cases::{at, DAY};
use crate::support::git::{stderr, Team};
use crate::support::{TestStore, CONFIG, NOW};
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The `open` command of a shared case: no description.
const OPEN_BRIEF: [&str; 5] = ["open", "--customer", "Acme Corp", "--summary", "Push fails"];

/// The kinds of the errors `check` reported.
fn error_kinds(report: &serde_json::Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["gravity"] == "error")
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect()
}

/// After a conflicted merge in `b`: git reports it, the file holds both
/// committed versions exactly, stderr names the case (not git's temp file),
/// `check` fails with a conflict-marker error and `list` exits 5 saying so.
fn assert_conflict_keeps_both(team: &Team, id: &str, out: &Output, why: &str) -> Vec<u8> {
    assert!(!out.status.success(), "git reports the conflict");
    assert_eq!(team.unmerged("b").trim(), format!("tickets/{id}.yaml"));
    let err = stderr(out);
    assert!(
        err.contains(&format!("tickets merge-driver: tickets/{id}.yaml: ")) && err.contains(why),
        "{err}"
    );
    assert!(
        !err.contains(".merge_file"),
        "names the case, not git's temp file: {err}"
    );
    let merged = std::fs::read(team.case_path("b", id)).unwrap();
    assert!(merged.starts_with(b"<<<<<<< ours\n# tickets merge-driver: "));
    let ours = team.committed("b", id);
    let theirs = team.committed("a", id);
    assert_ne!(ours, theirs);
    assert!(holds(&merged, &ours), "our version is kept byte for byte");
    assert!(holds(&merged, &theirs), "their version is kept byte for byte");
    let (code, report) = team.check("b");
    assert_eq!(code, 5, "{report}");
    assert_eq!(error_kinds(&report), ["conflict-marker"], "{report}");
    let (code, err) = team.tickets_fails("b", &["list", "--all"]);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("contains a git conflict marker"), "{err}");
    merged
}

#[test]
fn a_side_that_is_not_utf8_left_ours_without_conflict_markers_and_check_passed() {
    let team = Team::with_config(CONFIG);
    let id = team.shared_case_opened_with(&OPEN_BRIEF, NOW, &[]);
    team.tickets_ok("a", &at(1), &["investigate", &id]);
    // A hand edit in a's clone leaves a byte that is not UTF-8 in a comment.
    let path = team.case_path("a", &id);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"# caf\xe9 note from a Latin-1 editor\n");
    std::fs::write(&path, &bytes).unwrap();
    team.tickets_ok("b", &at(2), &["request-info", &id, "--message", "Which version?"]);
    let out = team.merge_a_into_b();
    let merged = assert_conflict_keeps_both(&team, &id, &out, "theirs is not valid UTF-8 text");
    assert!(holds(&merged, b"caf\xe9 note"));
    assert!(holds(&merged, b"Which version?"));

    // Keeping theirs restores a's bytes exactly; b's event was not lost either:
    // git still has it.
    team.git_ok(
        &team.repo("b"),
        &["checkout", "--theirs", "--", &format!("tickets/{id}.yaml")],
    );
    assert_eq!(std::fs::read(team.case_path("b", &id)).unwrap(), bytes);
}

#[test]
fn a_side_over_the_size_cap_left_ours_without_conflict_markers() {
    let team = Team::with_config(CONFIG);
    let id = team.shared_case_opened_with(&OPEN_BRIEF, NOW, &[]);
    team.tickets_ok("a", &at(1), &["investigate", &id]);
    // A 1.1 MB comment appended by hand in a's clone.
    let path = team.case_path("a", &id);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(format!("# {}\n", "x".repeat(1_100_000)).as_bytes());
    std::fs::write(&path, &bytes).unwrap();
    team.tickets_ok("b", &at(2), &["request-info", &id, "--message", "Which version?"]);
    let out = team.merge_a_into_b();
    let merged = assert_conflict_keeps_both(&team, &id, &out, "over the 1048576-byte cap of a case file");
    assert!(merged.len() > 1_100_000, "the whole of theirs is kept");
    // The conflicted file is over the cap itself: commands say it is a conflict.
    let (_, err) = team.tickets_fails("b", &["list", "--all"]);
    assert!(err.contains("theirs is ") && err.contains("bytes, over the"), "{err}");
}

#[test]
fn two_sides_under_the_cap_merged_cleanly_into_a_case_over_it() {
    let team = Team::with_config(CONFIG);
    let id = team.shared_case_opened_with(&OPEN_BRIEF, NOW, &[]);
    // Each side adds 8 events of 100 KB: about 800 KB each, under the
    // 960 KiB a case that is not closed may reach; together 1.6 MB.
    let words = "w".repeat(100_000);
    for hour in 1..=8 {
        team.tickets_ok("a", &at(hour), &["reply", &id, "--message", &words]);
        team.tickets_ok("b", &at(10 + hour), &["request-info", &id, "--message", &words]);
    }
    for side in ["a", "b"] {
        let size = std::fs::metadata(team.case_path(side, &id)).unwrap().len();
        assert!((800_000..983_040).contains(&size), "{side}: {size}");
    }
    let out = team.merge_a_into_b();
    let merged = assert_conflict_keeps_both(&team, &id, &out, "the merged case file would be");
    assert!(merged.len() > 1_600_000);
    assert!(
        stderr(&out).contains("over the 983040-byte cap of a case that is not closed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_sweep_merged_after_a_new_request_auto_closed_the_case_three_days_into_its_new_wait() {
    let team = Team::with_config(CONFIG);
    let id = team.shared_case_opened_with(&OPEN_BRIEF, NOW, &[&["request-info", "--message", "Which version?"]]);
    // a's cron sweep closes the case after 7 days of waiting; in b the
    // customer had replied on day 3 and the analyst asked again on day 4.
    assert_eq!(team.tickets_ok("a", &at(7 * DAY), &["sweep"]).trim(), id);
    team.tickets_ok("b", &at(3 * DAY), &["reply", &id, "--message", "Version 7.2"]);
    team.tickets_ok("b", &at(4 * DAY), &["request-info", &id, "--message", "Logs, please?"]);
    let out = team.merge_a_into_b();
    let merged = assert_conflict_keeps_both(
        &team,
        &id,
        &out,
        "auto-closed after waiting for the customer only 3 days 0 hours",
    );
    let text = String::from_utf8(merged).unwrap();
    assert!(
        text.contains("closed too early: keep the version without the auto-close"),
        "{text}"
    );
}

#[test]
fn the_auto_close_rule_is_the_stores_configured_one_found_from_the_case_path() {
    // With a 10-day rule, an auto-close 8 days into the new wait is too early;
    // the default 7-day rule would have let it through.
    let team = Team::with_config(&CONFIG.replace("auto_close_after_days: 7", "auto_close_after_days: 10"));
    let id = team.shared_case_opened_with(&OPEN_BRIEF, NOW, &[&["request-info", "--message", "Which version?"]]);
    assert_eq!(team.tickets_ok("a", &at(10 * DAY), &["sweep"]).trim(), id);
    team.tickets_ok("b", &at(DAY), &["reply", &id, "--message", "Version 7.2"]);
    team.tickets_ok("b", &at(2 * DAY), &["request-info", &id, "--message", "Logs, please?"]);
    let out = team.merge_a_into_b();
    assert_conflict_keeps_both(&team, &id, &out, "the auto-close rule is 10 day(s)");
}

#[test]
fn a_driver_registered_without_the_case_path_still_keeps_both_sides_and_names_the_case() {
    let team = Team::with_config(CONFIG);
    // A clone set up by an older git-setup: `%O %A %B`.
    team.git_ok(
        &team.repo("b"),
        &["config", "merge.tickets.driver", "tickets merge-driver %O %A %B"],
    );
    let id = team.shared_case_opened_with(&OPEN_BRIEF, NOW, &[]);
    team.tickets_ok("a", &at(1), &["investigate", &id]);
    let path = team.case_path("a", &id);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"# \xff\n");
    std::fs::write(&path, &bytes).unwrap();
    team.tickets_ok("b", &at(2), &["request-info", &id, "--message", "Which version?"]);
    let out = team.merge_a_into_b();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!("tickets merge-driver: {id}: theirs is not valid UTF-8")),
        "{}",
        stderr(&out)
    );
    let merged = std::fs::read(team.case_path("b", &id)).unwrap();
    assert!(holds(&merged, &bytes) && holds(&merged, &team.committed("b", &id)));
    assert_eq!(team.check("b").0, 5);
}

/// A command at an instant, the case ID left out (it goes after the command name).
type Step = (String, Vec<String>);

fn step(now: &str, args: &[&str]) -> Step {
    (now.to_string(), args.iter().map(|a| a.to_string()).collect())
}

/// Three versions of one case for direct driver runs: the ancestor after
/// `setup`, then what `ours` and `theirs` each do to it.
struct Versions {
    store: TestStore,
    dir: TempDir,
    id: String,
}

impl Versions {
    fn new(config: &str, setup: &[Step], ours: &[Step], theirs: &[Step]) -> Versions {
        let store = TestStore::with_config(config);
        let id = store.open_simple();
        let dir = tempfile::tempdir().unwrap();
        let run = |steps: &[Step]| {
            for (now, args) in steps {
                let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
                all.insert(1, &id);
                store.run_at(now, &all).success();
            }
        };
        run(setup);
        let ancestor = store.file(&id);
        std::fs::write(dir.path().join("O"), &ancestor).unwrap();
        run(ours);
        std::fs::write(dir.path().join("A"), store.file(&id)).unwrap();
        std::fs::write(store.case_path(&id), &ancestor).unwrap();
        run(theirs);
        std::fs::write(dir.path().join("B"), store.file(&id)).unwrap();
        Versions { store, dir, id }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `tickets merge-driver O A B [extra...]` from `cwd`, TICKETS_DIR unset.
    fn driver(&self, cwd: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
        self.store
            .cmd()
            .env_remove("TICKETS_DIR")
            .current_dir(cwd)
            .arg("merge-driver")
            .args([self.file("O"), self.file("A"), self.file("B")])
            .args(extra)
            .assert()
    }
}

#[test]
fn a_merged_case_between_the_open_cap_and_the_cap_conflicts_unless_it_is_closed() {
    let words = "w".repeat(99_000);
    let ours: Vec<Step> = (1..=5)
        .map(|hour| step(&at(hour), &["reply", "--message", &words]))
        .collect();
    let mut theirs: Vec<Step> = (6..=10)
        .map(|hour| step(&at(hour), &["request-info", "--message", &words]))
        .collect();

    // Still waiting: about 990 KB merged, over the 960 KiB of a case that is
    // not closed (the last 64 KiB are kept for closing it), under 1 MiB.
    let waiting = Versions::new(CONFIG, &[], &ours, &theirs);
    let [ancestor, a, b] = ["O", "A", "B"].map(|n| std::fs::metadata(waiting.file(n)).unwrap().len());
    let estimate = a + b - ancestor;
    assert!((983_040..1_048_576).contains(&estimate), "{estimate}");
    let a_bytes = std::fs::read(waiting.file("A")).unwrap();
    let b_bytes = std::fs::read(waiting.file("B")).unwrap();
    waiting
        .driver(waiting.store.path(), &[])
        .code(1)
        .stderr(contains(format!(
            "tickets merge-driver: {}: {}: the merged case file would be",
            waiting.id, waiting.id
        )))
        .stderr(contains("over the 983040-byte cap of a case that is not closed"));
    let merged = std::fs::read(waiting.file("A")).unwrap();
    assert!(holds(&merged, &a_bytes) && holds(&merged, &b_bytes));

    // The same history closed at the end fits the whole cap: a clean merge
    // that every command reads.
    theirs.push(step(&at(11), &["close", "--resolution", "Fixed"]));
    let closed = Versions::new(CONFIG, &[], &ours, &theirs);
    closed.driver(closed.store.path(), &[]).code(0);
    let merged = std::fs::read(closed.file("A")).unwrap();
    assert!(
        (983_040..=1_048_576).contains(&(merged.len() as u64)),
        "{}",
        merged.len()
    );
    std::fs::write(closed.store.case_path(&closed.id), merged).unwrap();
    assert_eq!(closed.store.status(&closed.id), "closed");
    closed.store.run(&["check"]).success();
}

#[test]
fn the_driver_finds_the_auto_close_rule_from_the_case_path_or_the_store_and_else_takes_seven_days() {
    // Under the store's 10-day rule the sweep of the first wait lands 8 days
    // into the second: too early. Under the default 7 days it would not be.
    let ten_days = CONFIG.replace("auto_close_after_days: 7", "auto_close_after_days: 10");
    let versions = Versions::new(
        &ten_days,
        &[step(NOW, &["request-info", "--message", "Which version?"])],
        &[
            step(&at(DAY), &["reply", "--message", "7.2"]),
            step(&at(2 * DAY), &["request-info", "--message", "Logs?"]),
        ],
        &[],
    );
    // `theirs` is the sweep: write it from the ancestor by hand with the library.
    let ancestor = case_from_bytes(&std::fs::read(versions.file("O")).unwrap());
    let swept = tickets::core::lifecycle::apply(
        &ancestor,
        &tickets::core::lifecycle::Action::AutoClose {
            resolution: tickets::core::lifecycle::auto_close_resolution(10),
        },
        "sweep",
        instant(&at(10 * DAY)),
    )
    .unwrap();
    let ours = std::fs::read(versions.file("A")).unwrap();
    let theirs = tickets::format::to_yaml(&swept).unwrap();
    let driver = |cwd: &Path, tickets_dir: Option<&Path>, extra: &[&str]| {
        std::fs::write(versions.file("A"), &ours).unwrap();
        std::fs::write(versions.file("B"), &theirs).unwrap();
        let mut cmd = versions.store.cmd();
        cmd.env_remove("TICKETS_DIR");
        if let Some(dir) = tickets_dir {
            cmd.env("TICKETS_DIR", dir);
        }
        cmd.current_dir(cwd)
            .arg("merge-driver")
            .args([versions.file("O"), versions.file("A"), versions.file("B")])
            .args(extra)
            .assert()
    };
    let store_dir = versions.store.path();
    let top = store_dir.parent().unwrap();
    let case_path = format!(
        "{}/{}.yaml",
        store_dir.file_name().unwrap().to_str().unwrap(),
        versions.id
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let too_early = "the auto-close rule is 10 day(s)";

    // %P, relative to the top of the work tree, where git runs the driver.
    driver(top, None, &[&case_path]).code(1).stderr(contains(too_early));
    // No %P (an older registration): --dir / TICKETS_DIR, else the current directory.
    driver(elsewhere.path(), Some(store_dir), &[])
        .code(1)
        .stderr(contains(too_early));
    driver(store_dir, None, &[]).code(1).stderr(contains(too_early));
    // No config to be found: the default 7 days, under which the merge is clean.
    driver(elsewhere.path(), None, &[]).code(0);
    // An unreadable config: the default, with a warning naming it.
    std::fs::write(store_dir.join("config.yaml"), "auto_close_after_days: [\n").unwrap();
    driver(top, None, &[&case_path])
        .code(0)
        .stderr(contains("config.yaml"))
        .stderr(contains("merging under the default auto-close rule of 7 days"));
}

fn instant(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().into()
}

#[test]
fn an_unreadable_version_is_merged_into_a_conflict_not_left_as_ours() {
    let t = TestStore::new();
    let id = t.open_simple();
    let dir = tempfile::tempdir().unwrap();
    let (o, a) = (dir.path().join("O"), dir.path().join("A"));
    std::fs::write(&o, t.file(&id)).unwrap();
    std::fs::write(&a, t.file(&id)).unwrap();
    t.cmd()
        .arg("merge-driver")
        .arg(&o)
        .arg(&a)
        .arg(dir.path().join("missing"))
        .arg(format!("tickets/{id}.yaml"))
        .assert()
        .code(1)
        .stderr(contains(format!(
            "tickets merge-driver: tickets/{id}.yaml: theirs could not be read"
        )));
    let merged = std::fs::read_to_string(&a).unwrap();
    assert!(merged.starts_with("<<<<<<< ours\n# tickets merge-driver: theirs could not be read"));
    assert!(merged.contains("git checkout --ours (or --theirs)"), "{merged}");
    assert!(holds(merged.as_bytes(), &t.file(&id)));
}

#[test]
fn check_flagged_no_auto_close_that_came_before_the_case_had_waited_the_configured_days() {
    use tickets::core::lifecycle::{apply, auto_close_resolution, Action};
    let t = TestStore::new();
    let id = t.open_simple();
    t.run(&["request-info", &id, "--message", "Which version?"]).success();
    t.run_at(&at(3 * DAY), &["reply", &id, "--message", "Version 7.2"])
        .success();
    t.run_at(&at(4 * DAY), &["request-info", &id, "--message", "Logs?"])
        .success();
    // What an earlier driver merged cleanly: the 7-day sweep of the first
    // wait, three days into the second.
    let case: tickets::Case = case_from_bytes(&t.file(&id));
    let closed = apply(
        &case,
        &Action::AutoClose {
            resolution: auto_close_resolution(7),
        },
        "sweep",
        instant(&at(7 * DAY)),
    )
    .unwrap();
    std::fs::write(t.case_path(&id), tickets::format::to_yaml(&closed).unwrap()).unwrap();
    t.run(&["check"])
        .code(5)
        .stdout(contains("history"))
        .stdout(contains("only 3 days 0 hours since 2026-11-23T10:00:00Z"))
        .stdout(contains("the auto-close rule is 7 day(s)"));

    // Under a 3-day rule the same history is legal.
    let three_days = CONFIG.replace("auto_close_after_days: 7", "auto_close_after_days: 3");
    std::fs::write(t.path().join("config.yaml"), three_days).unwrap();
    t.run(&["check"]).success();
}

fn case_from_bytes(bytes: &[u8]) -> tickets::Case {
    tickets::format::parse_case(Path::new("x"), std::str::from_utf8(bytes).unwrap(), None).unwrap()
}

#[test]
fn two_clones_adding_the_same_file_and_others_merge_without_conflict_keeping_both_lists() {
    let team = Team::with_config(crate::support::CONFIG);
    let id = team.shared_case_opened_with(&OPEN_BRIEF, NOW, &[]);
    let files = team.root().join("files");
    std::fs::create_dir(&files).unwrap();
    let same = files.join("console.log");
    std::fs::write(&same, b"the same log in both clones\n").unwrap();
    let only_b = files.join("screen.png");
    std::fs::write(&only_b, b"\x89PNG only in b").unwrap();
    let (same, only_b) = (same.to_str().unwrap(), only_b.to_str().unwrap());
    team.tickets_ok("a", &at(1), &["reply", &id, "-m", "from a", "--attach", same]);
    team.tickets_ok(
        "b",
        &at(2),
        &[
            "request-info",
            &id,
            "-m",
            "from b",
            "--attach",
            same,
            "--attach",
            only_b,
        ],
    );
    let out = team.merge_a_into_b();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(team.unmerged("b"), "");
    let shown: serde_json::Value =
        serde_json::from_str(&team.tickets_ok("b", &at(3), &["show", &id, "--format", "json"])).unwrap();
    let lists: Vec<Vec<String>> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["attachments"]
                .as_array()
                .map(|a| a.iter().map(|a| a["name"].as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        lists,
        vec![
            vec![],
            vec!["console.log".to_string()],
            vec!["console.log".to_string(), "screen.png".to_string()]
        ]
    );
    let fetched = team.tickets_ok("b", &at(3), &["attachment", &id, "console.log"]);
    assert_eq!(fetched, "the same log in both clones\n");
    let (code, report) = team.check("b");
    assert_eq!(code, 0, "{report}");
}
