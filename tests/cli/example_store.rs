//! The bundled tickets.example store: readable, sweepable at the README's
//! pinned instant, and every case equal to the replay of its history.

use crate::support::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tickets::lifecycle::replay;
use tickets::store::load_case_file;

/// The README's pinned instant for the example sweep.
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

/// The README's transcript that starts with `$ tickets {command}`: the
/// arguments and the printed lines, up to the end of the code block.
fn readme_transcript(command: &str) -> (Vec<String>, String) {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find(&format!("\n$ tickets {command}"))
        .unwrap_or_else(|| panic!("no `$ tickets {command}` in README.md"));
    let block = &readme[start + 1..];
    let block = &block[..block.find("```").unwrap()];
    let (line, output) = block.split_once('\n').unwrap();
    // Words, with double quotes grouping (as the README's examples use them).
    let mut args = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.trim_start_matches("$ tickets ").chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    args.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    args.push(word);
    (args, output.to_string())
}

#[test]
fn readme_examples_named_cases_and_numbers_not_in_the_example_store() {
    for command in ["reassess", "queue", "stats"] {
        let t = copy();
        let (args, expected) = readme_transcript(command);
        let mut all = vec!["--now".to_string(), README_NOW.to_string()];
        all.extend(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        assert_eq!(t.stdout(&all), expected, "tickets {all:?}");
    }
    // The JSON stats block is the same report.
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("```json\n{\"since\"").unwrap() + "```json\n".len();
    let documented: serde_json::Value =
        serde_json::from_str(&readme[start..][..readme[start..].find("```").unwrap()]).unwrap();
    let (mut args, _) = readme_transcript("stats");
    args.extend(["--format".to_string(), "json".to_string()]);
    let mut all = vec!["--now", README_NOW];
    all.extend(args.iter().map(String::as_str));
    let actual: serde_json::Value = serde_json::from_str(&copy().stdout(&all)).unwrap();
    assert_eq!(actual, documented);
}
