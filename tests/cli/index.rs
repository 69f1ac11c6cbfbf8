//! The derived index (`.tickets/index`): answers are the same with and
//! without it, edits behind its back are seen, a corrupt index is rebuilt,
//! and the fast reader of case files agrees with the full YAML parser.

use crate::support::*;
use proptest::prelude::*;
use std::fs;
use std::time::{Duration, SystemTime};

const LATER: &str = "2026-11-27T12:00:00Z";

fn answers(t: &TestStore) -> Vec<String> {
    [
        vec!["list", "--all", "--format", "json"],
        vec!["list", "--status", "waiting-for-customer", "--format", "json"],
        vec!["list", "--overdue", "--format", "json"],
        vec!["queue", "--format", "json"],
        vec!["sweep", "--dry-run", "--format", "json"],
        vec!["stats", "--format", "json"],
    ]
    .iter()
    .map(|args| t.stdout_at(LATER, args))
    .collect()
}

#[test]
fn answers_are_identical_with_and_without_the_index() {
    let (t, _) = busy_store();
    age_case_files(&t);
    let _ = fs::remove_dir_all(t.path().join(".tickets"));
    let without = answers(&t);
    assert!(index_path(&t).exists(), "the first scan builds the index");
    let with = answers(&t);
    assert_eq!(with, without);
    assert!(without[0].contains("\"status\": \"escalated\""), "{}", without[0]);
    // And again after deleting it.
    fs::remove_file(index_path(&t)).expect("remove index");
    assert_eq!(answers(&t), with);
}

#[test]
fn an_index_in_any_line_order_serves_the_same_answers_from_its_lines() {
    let (t, _) = busy_store();
    age_case_files(&t);
    let expected = answers(&t);
    let text = fs::read_to_string(index_path(&t)).expect("index");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    // Written in ID order, its lines are found without a search; reversed,
    // every one is searched for.
    lines.reverse();
    let reversed = format!("{header}\n{}\n", lines.join("\n"));
    fs::write(index_path(&t), &reversed).expect("write index");
    assert_eq!(answers(&t), expected);
    assert_eq!(
        fs::read_to_string(index_path(&t)).expect("index"),
        reversed,
        "every line was found and believed: nothing read again, appended or rewritten"
    );
}

#[test]
fn the_index_caches_every_aged_case_and_is_not_rewritten_when_nothing_changed() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    t.stdout(&["list", "--all"]);
    let text = fs::read_to_string(index_path(&t)).expect("index");
    for id in &ids {
        assert!(text.contains(&format!("{id}\t")), "{id} cached in the index");
    }
    let before = fs::metadata(index_path(&t)).expect("index").modified().expect("mtime");
    std::thread::sleep(Duration::from_millis(20));
    t.stdout(&["list", "--all"]);
    let after = fs::metadata(index_path(&t)).expect("index").modified().expect("mtime");
    assert_eq!(before, after, "a scan with nothing changed must not rewrite the index");
}

#[test]
fn a_case_edited_behind_the_index_back_is_seen_even_with_its_old_mtime() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    t.stdout(&["list", "--all"]);
    let path = t.case_path(&ids[0]);
    let mtime = fs::metadata(&path).expect("case").modified().expect("mtime");
    // A hand edit that keeps the schema and the size, in place, then the old
    // mtime put back (as a careless tool or a checkout could): only ctime
    // tells (YAML drops the trailing spaces of a plain scalar).
    let text = fs::read_to_string(&path).expect("case");
    let edited = text.replace("severity: medium", "severity: low   ");
    assert_ne!(edited, text);
    assert_eq!(edited.len(), text.len(), "same size: the size column cannot tell");
    fs::write(&path, &edited).expect("edit");
    fs::File::options()
        .write(true)
        .open(&path)
        .expect("open")
        .set_modified(mtime)
        .expect("mtime");
    // Past the racy window, only the recorded stamp (ctime, size, inode) can tell.
    std::thread::sleep(Duration::from_millis(2100));
    let listed = t.list(&["--severity", "low"]);
    assert_eq!(ids_of(&listed), vec![ids[0].clone()]);
}

#[test]
fn a_case_changed_by_git_checkout_or_deleted_is_seen() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    t.stdout(&["list", "--all"]);
    // A checkout writes a new file and renames it over the old one; the new
    // version here has the same size and the old mtime.
    let path = t.case_path(&ids[1]);
    let mtime = fs::metadata(&path).expect("case").modified().expect("mtime");
    let text = fs::read_to_string(&path).expect("case");
    let checked_out = text.replace("fail on iOS, case 1", "fail on iOS, case X");
    assert_ne!(checked_out, text);
    assert_eq!(checked_out.len(), text.len());
    let temp = t.path().join("checkout.tmp");
    fs::write(&temp, &checked_out).expect("write");
    fs::File::options()
        .write(true)
        .open(&temp)
        .expect("open")
        .set_modified(mtime)
        .expect("mtime");
    fs::rename(&temp, &path).expect("rename");
    std::thread::sleep(Duration::from_millis(2100));
    fs::remove_file(t.case_path(&ids[5])).expect("delete");
    let listed = t.list(&["--all"]);
    let mut listed_ids = ids_of(&listed);
    listed_ids.sort();
    let mut expected = ids[..5].to_vec();
    expected.sort();
    assert_eq!(listed_ids, expected, "the deleted case is gone, no other");
    let changed = listed.iter().find(|c| c["id"] == ids[1].as_str()).expect("listed");
    assert_eq!(changed["summary"], "Push notifications fail on iOS, case X");
}

fn ids_of(cases: &[serde_json::Value]) -> Vec<String> {
    ids(cases)
}

#[test]
fn a_corrupt_index_is_ignored_and_rebuilt() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    let good = t.stdout(&["list", "--all", "--format", "json"]);
    for garbage in [
        "not an index at all\n".to_string(),
        format!(
            "tickets-index 3\n{}\topen\t1\t2\t3\t4\t{{broken json\n\u{0}\u{1}garbage\n",
            ids[0]
        ),
        String::new(),
    ] {
        fs::write(index_path(&t), garbage).expect("corrupt");
        assert_eq!(t.stdout(&["list", "--all", "--format", "json"]), good);
        let rebuilt = fs::read_to_string(index_path(&t)).expect("index");
        assert!(rebuilt.starts_with("tickets-index 3\n"), "{rebuilt}");
        assert_eq!(t.stdout(&["list", "--all", "--format", "json"]), good);
    }
}

#[test]
fn a_stale_index_line_with_the_right_stamp_but_wrong_id_is_not_trusted() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    t.stdout(&["list", "--all"]);
    // Swap the JSON payloads of two lines: stamps still match their files.
    let text = fs::read_to_string(index_path(&t)).expect("index");
    let swapped: String = text
        .lines()
        .map(|line| {
            if line.starts_with(&ids[0]) {
                line.replace(&ids[0], &ids[1])
            } else {
                line.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect();
    fs::write(index_path(&t), swapped).expect("write");
    let listed = ids_of(&t.list(&["--all"]));
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 6, "no case duplicated or lost: {listed:?}");
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.:'\"#!?-]{1,40}",
        "[ -~]{1,60}",
        any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
        "(line [a-z]{1,8}\n){1,4}",
        Just("null".to_string()),
        Just("123".to_string()),
        Just(" leading space".to_string()),
        Just("trailing space ".to_string()),
        Just("- dash".to_string()),
        Just("a: b".to_string()),
        Just("\u{1b}[31mred\r\u{202e}".to_string()),
        // Regression: YAML folds these line breaks inside quoted scalars.
        Just("\u{2028}".to_string()),
        Just("a\u{2029}b\u{85}c".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever the text, the fast reader either declines or agrees exactly
    /// with the full parser on what the store writes.
    #[test]
    fn the_fast_reader_agrees_with_the_full_parser(
        summary in text_strategy(),
        description in text_strategy(),
        customer in text_strategy(),
        message in text_strategy(),
        resolution in text_strategy(),
        actor in text_strategy(),
        close in any::<bool>(),
    ) {
        use tickets::core::lifecycle::{apply, open, Action, NewCase};
        let now = tickets::core::time::parse_instant(NOW).expect("now");
        let mut case = open(
            NewCase {
                id: "RC-TEST0001".into(),
                customer,
                summary,
                description,
                email: Some("a@b.example".into()),
                channel: tickets::Channel::Email,
                severity: None,
                follow_up_of: None,
                message_id: Some("<x@y>".into()),
                assignee: Some(actor.clone()),
                routing_reason: Some(message.clone()),
            },
            &actor,
            now,
        );
        case = apply(&case, &Action::RequestInfo { message: message.clone() }, &actor, now).expect("request-info");
        case = apply(&case, &Action::Remind { message: Some(message.clone()) }, &actor, now).expect("remind");
        if close {
            case = apply(&case, &Action::Close { resolution }, &actor, now).expect("close");
        }
        let text = tickets::format::to_yaml(&case).expect("yaml");
        let full = tickets::format::parse_case(std::path::Path::new("x.yaml"), &text, None).expect("parses");
        prop_assert_eq!(&full, &case);
        if let Some(fast) = tickets::format::fast_reader::read_digest(&text) {
            prop_assert_eq!(fast, tickets::core::digest::Digest::of(&case));
        }
        // `check` reads whole cases the same way: they must be the case.
        if let Some(fast) = tickets::format::fast_reader::read_case(&text) {
            prop_assert_eq!(fast, case);
        }
    }
}

#[test]
fn the_fast_reader_reads_ordinary_case_files() {
    let (t, ids) = busy_store();
    for id in &ids {
        let text = String::from_utf8(t.file(id)).expect("utf-8");
        let fast = tickets::format::fast_reader::read_digest(&text);
        let full = tickets::format::parse_case(&t.case_path(id), &text, Some(id)).expect("parses");
        assert_eq!(fast, Some(tickets::core::digest::Digest::of(&full)), "{text}");
        assert_eq!(tickets::format::fast_reader::read_case(&text), Some(full), "{text}");
    }
}

#[test]
fn the_fast_reader_declined_nothing_when_a_quoted_scalar_held_nul_bytes() {
    // Found by the case_loader fuzzer: raw NUL (and other control characters)
    // inside a quoted scalar; the YAML parser refuses the file, so the fast
    // reader must not accept it.
    let text = include_str!("../data/fast-reader-nul-in-quoted-scalar.yaml");
    assert!(text.contains('\0'));
    assert!(tickets::format::parse_case(std::path::Path::new("x.yaml"), text, None).is_err());
    assert_eq!(tickets::format::fast_reader::read_digest(text), None);
    assert_eq!(tickets::format::fast_reader::read_case(text), None);
    for control in [
        '\u{1}', '\u{7f}', '\u{9b}', '\u{85}', '\u{2028}', '\u{feff}', '\u{ffff}',
    ] {
        let edited = text.replace('\0', &control.to_string());
        assert_eq!(tickets::format::fast_reader::read_digest(&edited), None, "{control:?}");
        assert_eq!(tickets::format::fast_reader::read_case(&edited), None, "{control:?}");
    }
}

#[test]
fn a_tampered_index_line_neither_hides_a_case_nor_changes_its_summary() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    let due = t.stdout_at(LATER, &["sweep", "--dry-run"]);
    assert_eq!(due, format!("{}\n", ids[2]), "the waiting case is due");
    let good = t.stdout(&["list", "--all", "--format", "json"]);
    let text = fs::read_to_string(index_path(&t)).expect("index");
    // The waiting case's status column says closed: a sweep would skip it.
    let hidden = text.replace(
        &format!("{}\twaiting-for-customer\t", ids[2]),
        &format!("{}\tclosed\t", ids[2]),
    );
    assert_ne!(hidden, text);
    fs::write(index_path(&t), &hidden).expect("tamper");
    assert_eq!(t.stdout_at(LATER, &["sweep", "--dry-run"]), due);
    // A summary changed inside the JSON, the line otherwise intact.
    let text = fs::read_to_string(index_path(&t)).expect("index");
    let renamed = text.replace(
        "Push notifications fail on iOS, case 0",
        "Pish notifications fail on iOS, case 0",
    );
    assert_ne!(renamed, text);
    fs::write(index_path(&t), &renamed).expect("tamper");
    assert_eq!(t.stdout(&["list", "--all", "--format", "json"]), good);
}

#[test]
fn an_index_rebuild_killed_midway_leaves_a_temp_file_that_sweep_removes_once_old() {
    let (t, _) = busy_store();
    let derived = t.path().join(".tickets");
    fs::create_dir_all(&derived).expect("derived dir");
    let old_temp = derived.join("index.4242.deadbeef.tmp");
    let fresh_temp = derived.join("index.4343.cafebabe.tmp");
    fs::write(&old_temp, "tickets-index 2\npartial").expect("temp");
    fs::write(&fresh_temp, "tickets-index 2\nbeing written").expect("temp");
    let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
    fs::File::options()
        .write(true)
        .open(&old_temp)
        .expect("open")
        .set_modified(two_hours_ago)
        .expect("mtime");
    t.run(&["sweep"]).success();
    assert!(!old_temp.exists(), "an abandoned index temp file is removed");
    assert!(
        fresh_temp.exists(),
        "a recent one may belong to a running rebuild and stays"
    );
}
