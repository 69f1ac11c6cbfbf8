//! Broken and hostile input, each with its exit code and a message naming
//! the file, the line and the reason, and nothing written. Hostile files run
//! under `ulimit` (CPU seconds and address space), so "refused in bounded
//! time and memory" is checked by the kernel, not by a clock.
//!
//! Here: case files that are malformed, oversized, not UTF-8, links or
//! named like paths.

use crate::support::*;
use predicates::str::contains;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

/// CPU seconds and KiB of address space a command may use on a hostile file.
/// Generous: a refusal takes milliseconds and a few MiB.
const CPU_SECONDS: u32 = 20;
const MEMORY_KIB: u32 = 1024 * 1024;

/// A store with one case, whose file a test then replaces.
fn store_with_case() -> (TestStore, String) {
    let t = TestStore::new();
    let id = t.open_simple();
    (t, id)
}

/// Replaces a case file with `bytes`; returns its path.
fn plant(t: &TestStore, id: &str, bytes: &[u8]) -> PathBuf {
    let path = t.case_path(id);
    fs::write(&path, bytes).unwrap();
    path
}

/// `show` and a transition both refuse the file with exit 5 and `expected`
/// on stderr (after `path:line: ` when `line` is given), and nothing changes.
fn refused(t: &TestStore, id: &str, line: Option<usize>, expected: &str) {
    let path = t.case_path(id);
    let before = fs::read(&path).unwrap();
    let prefix = match line {
        Some(line) => format!("{}:{line}: ", path.display()),
        None => format!("{}: ", path.display()),
    };
    let wanted = format!("{prefix}{expected}");
    let show = t.run(&["show", id]).code(5);
    let stderr = String::from_utf8_lossy(&show.get_output().stderr).to_string();
    assert!(stderr.contains(&wanted), "want {wanted:?} in {stderr:?}");
    t.run(&["reply", id, "--message", "hello"])
        .code(5)
        .stderr(contains(&wanted));
    t.run(&["list"]).code(5).stderr(contains(&wanted));
    t.run(&["check"]).code(5);
    assert_eq!(fs::read(&path).unwrap(), before, "a refused file is never rewritten");
}

/// Runs the binary under CPU and memory limits; (exit code, stderr).
fn bounded(t: &TestStore, args: &[&str]) -> (Option<i32>, String) {
    let script = format!("ulimit -t {CPU_SECONDS}; ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\"");
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(args)
        .env("TICKETS_DIR", t.path())
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .output()
        .expect("sh");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
}

fn text(t: &TestStore, id: &str) -> String {
    String::from_utf8(t.file(id)).unwrap()
}

fn line_of(text: &str, start: &str) -> usize {
    text.lines().position(|l| l.starts_with(start)).expect(start) + 1
}

#[test]
fn malformed_yaml_names_the_line() {
    let (t, id) = store_with_case();
    let original = text(&t, &id);
    let broken = original.replacen("channel: phone", "channel: phone: oops", 1);
    plant(&t, &id, broken.as_bytes());
    refused(
        &t,
        &id,
        Some(line_of(&broken, "channel:")),
        "mapping values are not allowed in this context",
    );
    let tabbed = original.replacen("customer: Acme Corp", "customer: Acme Corp\n\tx: y", 1);
    plant(&t, &id, tabbed.as_bytes());
    refused(
        &t,
        &id,
        Some(line_of(&tabbed, "\tx")),
        "found a tab character that violates indentation",
    );
}

#[test]
fn wrong_types_are_named() {
    let (t, id) = store_with_case();
    let original = text(&t, &id);
    let cases = [
        (
            "created_at: 2026-11-19T10:00:00Z",
            "created_at: yesterday",
            "created_at: \"yesterday\" is not an RFC 3339 instant",
        ),
        (
            "summary: Push fails on iOS",
            "summary: [1, 2]",
            "summary: invalid type: sequence, expected a string",
        ),
        ("history:", "history: 12\nx:", "history: invalid type: integer `12`"),
    ];
    for (from, to, expected) in cases {
        let bad = original.replacen(from, to, 1);
        plant(&t, &id, bad.as_bytes());
        let line = line_of(&bad, to.split(':').next().unwrap());
        refused(&t, &id, Some(line), expected);
    }
}

#[test]
fn unknown_status_tier_and_severity_are_refused_with_the_allowed_values() {
    let (t, id) = store_with_case();
    let original = text(&t, &id);
    for (from, to, allowed) in [
        ("status: open", "status: pending", "`open`, `at-investigation`"),
        ("level: l1", "level: l4", "`l1`, `l2`, `rnd`"),
        (
            "severity: medium\nstatus",
            "severity: urgent\nstatus",
            "`low`, `medium`, `high`",
        ),
    ] {
        let bad = original.replacen(from, to, 1);
        plant(&t, &id, bad.as_bytes());
        let key = to.split(':').next().unwrap();
        let value = to.split(": ").nth(1).unwrap().split('\n').next().unwrap();
        refused(
            &t,
            &id,
            Some(line_of(&bad, key)),
            &format!("{key}: unknown variant `{value}`"),
        );
        t.run(&["show", &id]).stderr(contains(allowed));
    }
}

#[test]
fn a_missing_required_field_is_named() {
    let (t, id) = store_with_case();
    let without: String = text(&t, &id)
        .lines()
        .filter(|l| !l.starts_with("customer:"))
        .map(|l| format!("{l}\n"))
        .collect();
    plant(&t, &id, without.as_bytes());
    refused(&t, &id, Some(1), "missing field `customer`");
}

#[test]
fn a_duplicate_key_is_refused() {
    let (t, id) = store_with_case();
    let doubled = text(&t, &id).replacen("status: open", "status: open\nstatus: closed", 1);
    plant(&t, &id, doubled.as_bytes());
    refused(&t, &id, Some(1), "duplicate field `status`");
}

#[test]
fn alias_bombs_are_refused_in_bounded_time_and_memory() {
    let (t, id) = store_with_case();
    // Billion laughs: nine levels of ten aliases each, 10^9 strings expanded.
    let mut bomb =
        String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for level in b'b'..=b'i' {
        let (name, previous) = (level as char, (level - 1) as char);
        let refs = vec![format!("*{previous}"); 10].join(",");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let in_a_case = text(&t, &id).replacen(
        "description: No push since update",
        &format!("description: *i\nx:\n{}", indent(&bomb)),
        1,
    );
    plant(&t, &id, in_a_case.as_bytes());
    let (code, stderr) = bounded(&t, &["show", &id]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(stderr.contains(&t.case_path(&id).display().to_string()), "{stderr}");

    // In config.yaml, where lists of strings are allowed, the bomb is the skills list.
    let config = CONFIG.replacen(
        "    skills: [mobile, push, ios, android]",
        &format!("    skills: *i\n{}", "").to_string(),
        1,
    ) + &format!("x:\n{}", indent(&bomb));
    fs::write(t.path().join("config.yaml"), config).unwrap();
    let (code, stderr) = bounded(&t, &["list"]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(stderr.contains("config.yaml"), "{stderr}");
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

#[test]
fn deep_nesting_is_refused_in_bounded_time_and_memory() {
    let (t, id) = store_with_case();
    // 100,000 levels of flow nesting: before the nesting scan, the YAML
    // scanner took over a minute of CPU on this (quadratic in depth).
    let original = text(&t, &id);
    for deep in [
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("{}{}", "{a: ".repeat(50_000), "}".repeat(50_000)),
        format!("\n{}", "  [\"x\",\n".repeat(50_000)),
    ] {
        let bad = original.replacen("summary: Push fails on iOS", &format!("summary: {deep}"), 1);
        plant(&t, &id, bad.as_bytes());
        let (code, stderr) = bounded(&t, &["show", &id]);
        assert_eq!(code, Some(5), "{stderr}");
        assert!(stderr.contains("nests deeper than 64 levels; refused"), "{stderr}");
        let (code, _) = bounded(&t, &["check"]);
        assert_eq!(code, Some(5));
    }
    // Block nesting by indicators on one line.
    plant(&t, &id, format!("{}x\n", "- ".repeat(300_000)).as_bytes());
    let (code, stderr) = bounded(&t, &["list"]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:1: nests deeper", t.case_path(&id).display())),
        "{stderr}"
    );
}

#[test]
fn oversized_files_are_refused_at_the_documented_cap() {
    let (t, id) = store_with_case();
    let mut big = text(&t, &id);
    let pad = tickets::format::MAX_FILE_BYTES as usize + 1 - big.len();
    big = big.replacen(
        "description: No push since update",
        &format!("description: {}", "x".repeat(pad + 34)),
        1,
    );
    assert!(big.len() as u64 > tickets::format::MAX_FILE_BYTES);
    plant(&t, &id, big.as_bytes());
    refused(
        &t,
        &id,
        None,
        &format!("is {} bytes, over the 1048576-byte cap", big.len()),
    );
    let (code, _) = bounded(&t, &["show", &id]);
    assert_eq!(code, Some(5));
}

#[test]
fn a_case_never_grows_past_the_cap_it_could_not_be_read_back_from() {
    let (t, id) = store_with_case();
    let message = "y".repeat(120 * 1024);
    let mut saved = 0;
    let refusal = loop {
        let before = t.file(&id);
        let out = t.cmd().args(["reply", &id, "--message", &message]).output().unwrap();
        if out.status.success() {
            saved += 1;
            assert!(saved < 20, "the cap never applied");
            continue;
        }
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(t.file(&id), before, "nothing written");
        break String::from_utf8_lossy(&out.stderr).to_string();
    };
    assert!(
        refusal.contains("over the 983040-byte cap of a case that is not closed")
            && refusal.contains("nothing was written"),
        "{refusal}"
    );
    assert_eq!(
        t.show(&id)["history"].as_array().unwrap().len(),
        1 + saved,
        "the case still reads"
    );
}

#[test]
fn a_case_grown_to_the_cap_could_never_be_closed() {
    let (t, id) = store_with_case();
    // Fill the case to within a few hundred bytes of what replies may reach.
    let mut size = 100 * 1024;
    while size >= 16 {
        let message = "y".repeat(size);
        if !t
            .cmd()
            .args(["reply", &id, "--message", &message])
            .output()
            .unwrap()
            .status
            .success()
        {
            size /= 2;
        }
    }
    t.run(&["reply", &id, "--message", &"y".repeat(512)]).code(2);
    // The reserve under the cap is for this: a full case can still be closed.
    t.run(&["close", &id, "--resolution", "Answered by phone; follow-up opened"])
        .success();
    assert_eq!(t.status(&id), "closed");
    assert!(t.file(&id).len() as u64 <= tickets::format::MAX_FILE_BYTES);
}

#[test]
fn invalid_utf8_and_binary_garbage_are_refused() {
    let (t, id) = store_with_case();
    let mut bytes = text(&t, &id).into_bytes();
    let at = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    bytes.splice(at..at, b"summary: caf\xe9\n".iter().copied());
    plant(&t, &id, &bytes);
    refused(&t, &id, Some(2), "is not valid UTF-8 text");

    let garbage: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    plant(&t, &id, &garbage);
    let (code, stderr) = bounded(&t, &["show", &id]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(stderr.contains(&t.case_path(&id).display().to_string()), "{stderr}");

    // Valid UTF-8 full of control characters: refused as YAML, echoed escaped.
    plant(&t, &id, b"\x00\x01\x1b[2J\x07\x7f");
    let out = t.cmd().args(["show", &id]).output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(
        !out.stderr.contains(&0x1b),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_empty_file_is_refused() {
    let (t, id) = store_with_case();
    plant(&t, &id, b"");
    refused(&t, &id, Some(1), "is empty");
    plant(&t, &id, b"\n  \n");
    refused(&t, &id, Some(1), "is empty");
}

#[test]
fn a_symlinked_case_file_is_refused_and_never_followed() {
    let (t, id) = store_with_case();
    // A valid case outside the store, reached by a link inside it.
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join(format!("{id}.yaml"));
    fs::rename(t.case_path(&id), &target).unwrap();
    std::os::unix::fs::symlink(&target, t.case_path(&id)).unwrap();
    let before = fs::read(&target).unwrap();
    refused(&t, &id, None, "is a symbolic link; refused");
    t.run(&["sweep"]).code(5);
    assert_eq!(
        fs::read(&target).unwrap(),
        before,
        "the target is never written through the link"
    );
    assert!(
        fs::symlink_metadata(t.case_path(&id)).unwrap().file_type().is_symlink(),
        "nor the link replaced"
    );
    // A link to something that is not a case at all (a directory, /etc/passwd).
    fs::remove_file(t.case_path(&id)).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", t.case_path(&id)).unwrap();
    t.run(&["show", &id]).code(5).stderr(contains("symbolic link"));
}

#[test]
fn ids_that_could_be_paths_are_refused_with_exit_3() {
    let (t, id) = store_with_case();
    fs::write(t.path().join("..").join("RC-ESCAPE.yaml"), t.file(&id)).ok();
    for bad in ["../RC-ESCAPE", "RC-1/2", "RC-1\\2", "..", "RC-..-X", "/etc/passwd"] {
        t.run(&["show", bad])
            .code(3)
            .stderr(contains("is not a valid ticket ID"));
        t.run(&["reply", bad, "--message", "m"]).code(3);
        t.run(&[
            "open",
            "--customer",
            "Acme Corp",
            "--summary",
            "s",
            "--follow-up-of",
            bad,
        ])
        .code(3);
    }
    // NUL cannot pass through argv; the same check refuses it in the library.
    let error = tickets::core::id::validate("RC-1\0").unwrap_err();
    assert_eq!(tickets::ExitCode::of(&error), 3);
    assert!(error.to_string().contains("NUL"), "{error}");
    assert_eq!(ids(&t.list(&[])), vec![id]);
}
