//! The bundled tickets.example store: readable, sweepable at the README's
//! pinned instant, and every case equal to the replay of its history.

use crate::support::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tickets::core::lifecycle::replay;
use tickets::store::load_case_file;

/// The manual's pinned instant for the example store (README's set-up, docs/).
const README_NOW: &str = "2026-11-26T12:00:00Z";

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tickets.example")
}

fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".yaml") && name != "config.yaml"
        })
        .collect();
    files.sort();
    files
}

/// A copy of tickets.example in a temp dir, so the test writes nothing tracked.
fn copy() -> TestStore {
    let t = TestStore {
        dir: tempfile::tempdir().unwrap(),
    };
    for entry in std::fs::read_dir(example_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), t.path().join(entry.file_name())).unwrap();
        }
    }
    t
}

#[test]
fn list_all_reads_every_case_of_the_example_store() {
    let t = copy();
    let files = case_files(t.path());
    assert!(files.len() >= 12, "{} case files", files.len());
    let listed = t.list(&["--all"]);
    assert_eq!(listed.len(), files.len());
    let statuses: BTreeSet<&str> = listed.iter().map(|c| c["status"].as_str().unwrap()).collect();
    let levels: BTreeSet<&str> = listed.iter().map(|c| c["level"].as_str().unwrap()).collect();
    assert_eq!(
        statuses,
        BTreeSet::from([
            "open",
            "at-investigation",
            "waiting-for-customer",
            "escalated",
            "closed"
        ]),
        "every status"
    );
    assert_eq!(levels, BTreeSet::from(["l1", "l2", "rnd"]), "every tier");
    assert!(listed.iter().any(|c| !c["follow_up_of"].is_null()), "a follow-up case");
    t.run(&["list", "--all"]).success();
    t.run(&["queue"]).success();
}

#[test]
fn the_readme_sweep_finds_a_due_case_but_not_every_waiting_one() {
    let t = copy();
    let waiting = t.list(&["--status", "waiting-for-customer"]).len();
    let out = t.stdout(&["--now", README_NOW, "sweep", "--dry-run"]);
    let due: Vec<&str> = out.lines().collect();
    assert!(!due.is_empty(), "at least one waiting case is old enough");
    assert!(due.len() < waiting, "and at least one is not: {due:?} of {waiting}");
    for id in due {
        assert_eq!(t.status(id), "waiting-for-customer");
    }
}

#[test]
fn every_example_case_equals_the_replay_of_its_history() {
    let files = case_files(&example_dir());
    assert!(!files.is_empty());
    for path in files {
        let case = load_case_file(&path, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(replay(&case), Ok(case.clone()), "{}", path.display());
        assert_eq!(path.file_stem().unwrap().to_string_lossy(), case.id);
    }
}

#[test]
fn the_example_store_ignores_what_init_ignores() {
    let text = std::fs::read_to_string(example_dir().join(".gitignore")).unwrap();
    assert_eq!(text, tickets::store::GITIGNORE);
}

/// The compacted JSON of `stats` in docs/commands.md (the text transcripts
/// of that page, `reassess`, `queue` and `stats` among them, are checked by
/// `transcripts`; this block is JSON reflowed by hand, so it is compared as
/// JSON).
#[test]
fn the_documented_stats_json_is_what_stats_prints_on_the_example_store() {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/commands.md")).unwrap();
    let start = page
        .find("```json\n{\"since\"")
        .expect("the stats JSON in docs/commands.md")
        + "```json\n".len();
    let documented: serde_json::Value =
        serde_json::from_str(&page[start..][..page[start..].find("```").unwrap()]).unwrap();
    let actual: serde_json::Value = serde_json::from_str(&copy().stdout(&[
        "--now",
        README_NOW,
        "stats",
        "--since",
        "2026-11-01T00:00:00Z",
        "--until",
        "2026-12-01T00:00:00Z",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(actual, documented);
}
