//! Store files that cost far more to read than their size: YAML aliases that
//! repeat one large anchor thousands of times. Each is refused with exit 5
//! naming the file, under an address-space limit the unbounded reading
//! passes many times over (it aborts instead), while text that merely
//! contains `&` and `*` still reads.

use crate::support::*;
use std::fs;
use std::path::Path;
use std::process::Command;

/// KiB of address space a command may use on a hostile file: the refusal
/// takes a few MiB, the expansion it prevents 1.8 GB.
const MEMORY_KIB: u32 = 1024 * 1024;

/// CPU seconds a command may use on a hostile file.
const CPU_SECONDS: u32 = 20;

/// The size of the anchored text, and how often it is aliased: together
/// under the 1 MiB file cap, expanded 1.8 GB.
const ANCHOR_BYTES: usize = 600_000;
const ALIASES: usize = 3_000;

/// What the refusal says after the file's path (`check` puts it in a column).
const REFUSED: &str = "uses YAML aliases (*name) that expand it past";

/// The command named `path` and refused it with exit 5.
fn assert_refused(path: &Path, args: &[&str], (code, said): (Option<i32>, String)) {
    assert_eq!(code, Some(5), "{args:?}: {said}");
    let line = said
        .lines()
        .find(|l| l.contains(REFUSED))
        .unwrap_or_else(|| panic!("{args:?}: {said}"));
    assert!(line.contains(&path.display().to_string()), "{args:?}: {line}");
}

/// Runs the binary in `dir` under CPU and memory limits; (exit code, stdout
/// and stderr).
fn bounded(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let script = format!("ulimit -t {CPU_SECONDS}; ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\"");
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin!("tickets"))
        .args(args)
        .env_remove("TICKETS_LOCK_TIMEOUT")
        .env("TICKETS_DIR", dir)
        .env("TICKETS_NOW", NOW)
        .env("TICKETS_ACTOR", "tester")
        .output()
        .expect("sh");
    let said = [out.stdout, out.stderr].concat();
    (out.status.code(), String::from_utf8_lossy(&said).to_string())
}

/// A case file the program wrote, its description made a large anchor that
/// thousands of history messages alias.
fn amplifying_case(written: &str) -> String {
    let mut text = String::new();
    for line in written.lines() {
        if line.starts_with("description:") {
            text.push_str(&format!("description: &big {}\n", "x".repeat(ANCHOR_BYTES)));
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    for _ in 0..ALIASES {
        text.push_str("- {at: 2026-11-19T10:00:00Z, actor: tester, action: assign, to: open, message: *big}\n");
    }
    assert!(text.len() < 1024 * 1024, "under the file cap: {}", text.len());
    text
}

#[test]
fn aliases_that_amplify_a_case_file_are_refused_in_bounded_memory() {
    let t = TestStore::new();
    let id = t.open_simple();
    let good = t.open_simple();
    let written = String::from_utf8(t.file(&id)).unwrap();
    let hostile = amplifying_case(&written);
    fs::write(t.case_path(&id), &hostile).unwrap();
    for args in [vec!["list"], vec!["check"], vec!["show", id.as_str()], vec!["sweep"]] {
        assert_refused(&t.case_path(&id), &args, bounded(t.path(), &args));
    }
    // The other case still lists, and the refused file is untouched.
    let listed = t.run(&["list", "--format", "json"]).code(5).get_output().stdout.clone();
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed).unwrap();
    assert_eq!(ids(&listed), vec![good]);
    assert_eq!(fs::read_to_string(t.case_path(&id)).unwrap(), hostile);
}

#[test]
fn aliases_that_amplify_config_yaml_are_refused_in_bounded_memory() {
    let mut config = CONFIG.replacen(
        "name: Alice Souza",
        &format!("name: &big {}", "A".repeat(ANCHOR_BYTES)),
        1,
    );
    for n in 0..ALIASES {
        config.push_str(&format!(
            "  - {{name: *big, plan: standard, domains: [d{n}.example]}}\n"
        ));
    }
    assert!(config.len() < 1024 * 1024, "under the file cap: {}", config.len());
    let t = TestStore::new();
    fs::write(t.path().join("config.yaml"), &config).unwrap();
    // Every command reads the config, even on an empty store.
    for args in [vec!["list"], vec!["check"]] {
        assert_refused(&t.path().join("config.yaml"), &args, bounded(t.path(), &args));
    }
}

#[test]
fn merge_driver_refuses_a_side_whose_aliases_amplify_it() {
    let t = TestStore::new();
    let id = t.open_simple();
    let written = String::from_utf8(t.file(&id)).unwrap();
    let work = tempfile::tempdir().unwrap();
    let ancestor = work.path().join("ancestor");
    let ours = work.path().join("ours");
    let theirs = work.path().join("theirs");
    fs::write(&ancestor, &written).unwrap();
    fs::write(&ours, &written).unwrap();
    fs::write(&theirs, amplifying_case(&written)).unwrap();
    let paths = [&ancestor, &ours, &theirs].map(|p| p.to_str().unwrap().to_string());
    let (code, said) = bounded(t.path(), &["merge-driver", &paths[0], &paths[1], &paths[2]]);
    // A side that is not a valid case file is a conflict (exit 1), not a crash.
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!("theirs is not a valid case file: theirs: {REFUSED}")),
        "{said}"
    );
}

#[test]
fn ampersands_and_stars_in_case_text_are_not_aliases() {
    let t = TestStore::new();
    let tricky = "&anchor *star\n*bold* & *more*\n- *x\n&y: *z";
    let id = t.open(&[
        "--customer",
        "Acme Corp",
        "--summary",
        "*star &anchor",
        "--description",
        tricky,
    ]);
    t.run(&["reply", &id, "--message", "*a &b"]).success();
    assert_eq!(t.show(&id)["description"], tricky);
    t.run(&["check"]).success();

    // A hand edit in every scalar style: quoted, block, plain, and a plain
    // scalar whose continuation line starts with `*`.
    let written = String::from_utf8(t.file(&id)).unwrap();
    let description_at = written.find("description:").unwrap();
    let history_at = written.find("history:").unwrap();
    let hand = format!(
        "{}description: |-\n  &anchor text\n  *star text\n{}",
        &written[..description_at],
        &written[history_at..]
    )
    .replacen("summary: '*star &anchor'", "summary: \"*star &anchor\"", 1)
    .replacen(
        "customer: Acme Corp",
        "customer: Acme Corp\nemail: a*b&c@acme.example",
        1,
    )
    .replacen("  message: '*a &b'", "  message: a &b *c\n    *continued &here", 1);
    assert!(hand.contains("summary: \"*star &anchor\""), "{hand}");
    assert!(hand.contains("*continued &here"), "{hand}");
    fs::write(t.case_path(&id), &hand).unwrap();
    let shown = t.show(&id);
    assert_eq!(shown["description"], "&anchor text\n*star text");
    assert_eq!(shown["summary"], "*star &anchor");
    assert_eq!(shown["email"], "a*b&c@acme.example");
    let messages: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(messages.contains(&"a &b *c *continued &here"), "{messages:?}");
    t.run(&["list"]).success();
    t.run(&["check"]).success();
}
