//! Adversarial checks of the performance layer: hand-edited case files the
//! fast reader must decline or read exactly as the full parser does, and
//! index staleness, concurrency and memory corners.

use crate::support::*;
use std::path::Path;

/// A canonical case file, as the program writes it.
const BASE: &str = "id: RC-TEST0001
summary: Push fails
customer: Acme Corp
email: a@b.example
channel: email
severity: medium
status: waiting-for-customer
level: l1
assignee: alice
created_at: 2026-11-19T10:00:00Z
updated_at: 2026-11-19T10:00:00Z
waiting_since: 2026-11-19T10:00:00Z
message_id: <x@y>
description: |
  Line one
  Line two
history:
- at: 2026-11-19T10:00:00Z
  actor: alice
  action: open
  to: open
  level: l1
  assignee: alice
  severity: medium
- at: 2026-11-19T10:00:00Z
  actor: alice
  action: request-info
  from: open
  to: waiting-for-customer
  message: |-
    Which version?
";

/// Whether the fast reader declines `text` or agrees exactly with the full
/// parser (it must never accept what the full parser refuses, nor panic);
/// the disagreement otherwise.
fn fast_disagreement(label: &str, text: &str) -> Option<String> {
    let Ok(fast) = std::panic::catch_unwind(|| tickets::format::fast_reader::read_digest(text)) else {
        return Some(format!("{label}: the fast reader panicked on {text:?}"));
    };
    let full = tickets::format::parse_case(Path::new("x.yaml"), text, None);
    // `check`'s whole-case reader: declines, or gives exactly the full case.
    let Ok(fast_case) = std::panic::catch_unwind(|| tickets::format::fast_reader::read_case(text)) else {
        return Some(format!("{label}: the fast case reader panicked on {text:?}"));
    };
    match (fast_case, &full) {
        (Some(fast), Ok(case)) if fast != *case => {
            return Some(format!("{label}: fast case {fast:?} but full {case:?} for {text:?}"));
        }
        (Some(_), Err(e)) => {
            return Some(format!(
                "{label}: the fast case reader accepts what the full parser refuses ({e}): {text:?}"
            ));
        }
        _ => {}
    }
    match (fast, full) {
        (None, _) => None,
        (Some(fast), Ok(case)) if fast == tickets::core::digest::Digest::of(&case) => None,
        (Some(fast), Ok(case)) => Some(format!(
            "{label}: fast {fast:?} but full {:?} for {text:?}",
            tickets::core::digest::Digest::of(&case)
        )),
        (Some(_), Err(e)) => Some(format!(
            "{label}: the fast reader accepts what the full parser refuses ({e}): {text:?}"
        )),
    }
}

/// (what, replaced, by): hand edits of [`BASE`].
const HAND_EDITS: &[(&str, &str, &str)] = &[
    // Raw characters YAML refuses anywhere in a file.
    ("raw escape character", "Push fails", "Push \u{1b}[31m fails"),
    ("raw control character", "Push fails", "Push \u{1} fails"),
    ("raw DEL", "Push fails", "Push \u{7f} fails"),
    ("raw C1 control", "Push fails", "Push \u{90} fails"),
    ("raw U+FFFE", "Push fails", "Push \u{fffe} fails"),
    ("raw U+FFFF", "Push fails", "Push \u{ffff} fails"),
    ("raw control in the description", "Line two", "Line \u{7} two"),
    ("raw control in a message", "Which version?", "Which \u{1b} version?"),
    // Escapes YAML reads differently or not at all.
    ("signed hex escape", "summary: Push fails", "summary: \"a\\x+1\""),
    ("signed unicode escape", "summary: Push fails", "summary: \"a\\u+041\""),
    ("signed long escape", "summary: Push fails", "summary: \"a\\U+0000041\""),
    ("hex escape", "summary: Push fails", "summary: \"\\x41\\u00e9\""),
    // Block scalars: leading blank lines deeper than the content.
    (
        "deep leading blank line",
        "summary: Push fails",
        "summary: |\n     \n  text",
    ),
    ("deep leading blank description", "  Line one", "     \n  Line one"),
    (
        "trailing deep blank line",
        "summary: Push fails",
        "summary: |\n  text\n     ",
    ),
    (
        "shallow leading blank line",
        "summary: Push fails",
        "summary: |\n \n  text",
    ),
    // Block scalars: a less indented line that starts with a multi-byte character.
    ("multi-byte under-indented line", "  Line two", " \u{e9}Line two"),
    (
        "multi-byte under-indented kept line",
        "summary: Push fails",
        "summary: |\n    text\n  \u{e9}x",
    ),
    (
        "multi-byte under-indented message",
        "    Which version?",
        "    Which\n   \u{e9}version?",
    ),
    // Plain scalars YAML reads as strings anyway.
    ("number", "summary: Push fails", "summary: 123"),
    ("boolean", "summary: Push fails", "summary: true"),
    ("float", "summary: Push fails", "summary: .inf"),
    ("hash inside", "summary: Push fails", "summary: a#b"),
    ("flow characters inside", "summary: Push fails", "summary: a,b]{"),
    ("quotes inside", "summary: Push fails", "summary: a'b\"c"),
    ("empty quoted", "email: a@b.example", "email: ''"),
    ("merge key text", "summary: Push fails", "summary: <<"),
    // Things that must be declined or agree.
    ("comment", "summary: Push fails", "summary: Push fails # note"),
    ("document end", "summary: Push fails", "summary: Push fails\n..."),
    ("document start", "id: RC-TEST0001", "---\nid: RC-TEST0001"),
    ("anchor", "summary: Push fails", "summary: &a Push fails"),
    ("tilde", "email: a@b.example", "email: ~"),
    ("null", "email: a@b.example", "email: null"),
    ("empty", "email: a@b.example", "email:"),
    (
        "repeated key",
        "customer: Acme Corp",
        "customer: Acme Corp\ncustomer: Globex",
    ),
    ("trailing space", "summary: Push fails", "summary: Push fails "),
    (
        "trailing space after quote",
        "summary: Push fails",
        "summary: 'Push fails' ",
    ),
    ("no-break space", "summary: Push fails", "summary: Push fails\u{a0}"),
    ("keep chomping", "description: |", "description: |+"),
    ("strip chomping", "description: |", "description: |-"),
    ("explicit indentation", "description: |", "description: |1"),
    (
        "explicit indentation and chomping",
        "description: |",
        "description: |2-",
    ),
    ("folded", "description: |", "description: >"),
    ("continuation line", "summary: Push fails", "summary: Push\n  fails"),
];

#[test]
fn hand_edited_case_files_are_declined_or_read_as_the_full_parser_reads_them() {
    assert!(
        tickets::format::fast_reader::read_digest(BASE).is_some(),
        "the canonical shape is read fast"
    );
    let long = BASE.replacen("Push fails", &"y".repeat(200_000), 1);
    let mut failures: Vec<String> = [("canonical", BASE.to_string()), ("very long line", long)]
        .iter()
        .filter_map(|(what, text)| fast_disagreement(what, text))
        .collect();
    for (what, from, to) in HAND_EDITS {
        assert!(BASE.contains(from), "{what}: {from:?} not in the base");
        failures.extend(fast_disagreement(what, &BASE.replacen(from, to, 1)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A hand edit that the full parser refuses is reported by `list` and
/// `sweep` (path, exit 5) exactly as by `show`: the fast reader neither
/// crashes on it nor reads it as a good case.
#[test]
fn hand_edits_the_yaml_parser_refuses_are_reported_by_list_not_read_or_crashed_on() {
    let t = TestStore::new();
    let good = t.open_simple();
    for (what, from, to) in [
        (
            "a multi-byte under-indented line",
            "  since update",
            " \u{e9}since update",
        ),
        (
            "a raw control character",
            "summary: Push fails on iOS",
            "summary: Push \u{1b}[2J fails",
        ),
        (
            "a signed hex escape",
            "summary: Push fails on iOS",
            "summary: \"Push \\x+1\"",
        ),
    ] {
        let id = t.open(&[
            "--customer",
            "Acme Corp",
            "--summary",
            "Push fails on iOS",
            "--description",
            "No push\nsince update",
        ]);
        let text = String::from_utf8(t.file(&id)).expect("utf-8");
        assert!(text.contains(from), "{what}: {text}");
        std::fs::write(t.case_path(&id), text.replacen(from, to, 1)).expect("edit");
        t.run(&["show", &id]).code(5);
        let listed = t.run(&["list", "--format", "json"]).code(5);
        let stderr = String::from_utf8_lossy(&listed.get_output().stderr).to_string();
        assert!(stderr.contains(&format!("{id}.yaml")), "{what}: {stderr}");
        let cases: Vec<serde_json::Value> = serde_json::from_slice(&listed.get_output().stdout).expect("json");
        assert_eq!(ids(&cases), vec![good.clone()], "{what}");
        std::fs::remove_file(t.case_path(&id)).expect("remove");
    }
}

fn index_lines_per_case(t: &TestStore, ids: &[String]) -> Vec<usize> {
    let text = std::fs::read_to_string(index_path(t)).expect("index");
    ids.iter()
        .map(|id| text.lines().filter(|l| l.starts_with(&format!("{id}\t"))).count())
        .collect()
}

/// Compaction keeps one line per case: the fresh one, not also the old line
/// whose payload was unreadable (which, copied after it, would win again).
#[test]
fn compaction_keeps_one_valid_line_per_case() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    let good = t.stdout(&["list", "--all", "--format", "json"]);
    assert_eq!(index_lines_per_case(&t, &ids), vec![1; ids.len()]);
    // The first case's line keeps its stamp but loses its payload, and more
    // than a thousand dead lines follow: the next scan compacts.
    let text = std::fs::read_to_string(index_path(&t)).expect("index");
    let mut broken: String = text
        .lines()
        .map(|line| match line.strip_prefix(&format!("{}\t", ids[0])) {
            Some(_) => format!(
                "{}\t{{\"id\":\"{}\"}}\n",
                line.rsplit_once('\t').expect("tabs").0,
                ids[0]
            ),
            None => format!("{line}\n"),
        })
        .collect();
    for n in 0..1500 {
        broken.push_str(&format!("RC-GONE{n:04}\topen\t1\t2\t3\t4\t{{}}\n"));
    }
    std::fs::write(index_path(&t), broken).expect("write");
    assert_eq!(t.stdout(&["list", "--all", "--format", "json"]), good);
    let compacted = std::fs::read_to_string(index_path(&t)).expect("index");
    assert!(!compacted.contains("RC-GONE"), "dead lines dropped");
    assert_eq!(index_lines_per_case(&t, &ids), vec![1; ids.len()], "{compacted}");
    assert_eq!(t.stdout(&["list", "--all", "--format", "json"]), good);
}

/// Every summary, read through the index as it stands.
fn scan_all(t: &TestStore) -> Vec<tickets::core::digest::Digest> {
    let (summaries, errors) = tickets::store::Store::new(t.path()).scan(&|_| true).expect("scan");
    assert!(errors.is_empty(), "{errors:?}");
    summaries
}

/// An index cut at any byte (a crash mid-write), or cut and then appended
/// to by the next writer (a torn line glued to a whole one), never changes
/// an answer.
#[test]
fn an_index_cut_anywhere_or_glued_to_the_next_append_changes_no_answer() {
    let (t, ids) = busy_store();
    age_case_files(&t);
    let expected = scan_all(&t);
    assert_eq!(expected.len(), ids.len());
    let whole = std::fs::read(index_path(&t)).expect("index");
    assert_eq!(scan_all(&t), expected);
    let lines: Vec<&[u8]> = whole.split_inclusive(|b| *b == b'\n').collect();
    let last_line = lines.last().expect("a line");
    for cut in 0..whole.len() {
        std::fs::write(index_path(&t), &whole[..cut]).expect("cut");
        assert_eq!(scan_all(&t), expected, "cut at {cut}");
        let glued = [&whole[..cut], last_line].concat();
        std::fs::write(index_path(&t), &glued).expect("glue");
        assert_eq!(scan_all(&t), expected, "cut at {cut}, then an append");
    }
}

/// One case that the auto-close event would push over the size cap is
/// reported and left as it was; it does not stop the sweep of the others
/// (before, every sweep failed on it, so nothing was ever auto-closed again).
#[test]
fn a_case_too_big_to_close_does_not_block_the_sweep_of_the_others() {
    let t = TestStore::new();
    let big = t.open_simple();
    t.run(&["request-info", &big, "--message", "Which version?"]).success();
    let others: Vec<String> = (0..3).map(|_| t.open_simple()).collect();
    for id in &others {
        t.run_at(
            "2026-11-19T11:00:00Z",
            &["request-info", id, "--message", "Which version?"],
        )
        .success();
    }
    // A hand edit that keeps the schema, just under the cap.
    let text = String::from_utf8(t.file(&big)).expect("utf-8");
    let line = "description: No push since update\n";
    assert!(text.contains(line), "{text}");
    let cap = tickets::format::MAX_FILE_BYTES as usize;
    let padding = cap - 40 - text.len();
    let edited = text.replacen(line, &format!("description: |-\n  {}\n", "x".repeat(padding)), 1);
    assert!(edited.len() < cap && edited.len() > cap - 100);
    std::fs::write(t.case_path(&big), &edited).expect("edit");
    assert_eq!(t.status(&big), "waiting-for-customer");

    let later = "2026-11-27T12:00:00Z";
    let swept = t.run_at(later, &["sweep"]).failure();
    let stdout = String::from_utf8_lossy(&swept.get_output().stdout).to_string();
    let stderr = String::from_utf8_lossy(&swept.get_output().stderr).to_string();
    assert!(stderr.contains(&big) && stderr.contains("cap"), "{stderr}");
    let mut closed: Vec<&str> = stdout.lines().collect();
    closed.sort();
    let mut expected: Vec<&str> = others.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(closed, expected, "{stderr}");
    for id in &others {
        assert_eq!(t.status(id), "closed");
    }
    assert_eq!(t.status(&big), "waiting-for-customer");
    assert_eq!(t.file(&big), edited.as_bytes(), "left as it was");
    let leftovers: Vec<_> = std::fs::read_dir(t.path())
        .expect("store")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
