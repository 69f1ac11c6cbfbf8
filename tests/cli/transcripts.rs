//! The manual's transcripts are checked examples: every fenced block of
//! README.md and docs/*.md whose first line starts with `$ ` is run, command
//! by command, by `sh` with the real binary on PATH and the clock pinned,
//! and what each command prints (stdout, then stderr) must be the lines
//! below it. Intra-repository links of the same pages must resolve.
//!
//! A block runs in a fresh sandbox, a temp dir that stands for `/` in what
//! the commands print (its path is removed from their output). The setup is
//! named by an HTML comment on the line before the block's fence,
//! `<!-- transcript: SETUP [copy=SRC:DEST ...] [now=RFC3339] -->`:
//!
//! - `example` (the default, without a comment): the working directory holds
//!   a copy of `tickets.example/`, and `TICKETS_DIR=desk` is another copy to
//!   change at will, as each page says. (A relative path, so that tables
//!   naming files are as wide as a reader's.)
//! - `new`: no store; the working directory is `$HOME` (`/home/alice`).
//!
//! Both set `USER=alice`, `HOME=/home/alice`, `TICKETS_NOW=2026-11-26T12:00:00Z`
//! (unless `now=` says otherwise), `COLUMNS=80`, `NO_COLOR=1`, `PAGER=cat` and
//! nothing else. `copy=SRC:DEST` copies a file of the repository (SRC) to DEST
//! in the working directory first.
//!
//! `export` and `cd` lines carry over to the block's later commands. A
//! command that exits non-zero must be followed by `$ echo $?`, which prints
//! its status. Case IDs are random, so an ID in a transcript that names no
//! case of tickets.example stands for whatever ID the binary printed in its
//! place; later commands get the real one (prefixes too, e.g. `RC-8K`).
//!
//! `TICKETS_UPDATE_DOCS=1 cargo test --test cli transcripts` rewrites the
//! outputs that differ, in place, and lists them; review the diff and commit.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned instant of every transcript (the example store's Thursday).
const TRANSCRIPT_NOW: &str = "2026-11-26T12:00:00Z";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every docs/*.md, as paths relative to the repository.
fn manual_pages() -> Vec<PathBuf> {
    let mut pages = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(repo()).expect("under the repository").to_path_buf())
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// One `$ ` command of a transcript and the lines documented below it.
#[derive(Debug)]
struct Step {
    /// 1-based line of the `$ ` line in the page.
    line: usize,
    /// The command as `sh` reads it (continuation lines included).
    command: String,
    /// The documented output, and its 0-based line range in the page.
    expected: Vec<String>,
    output_start: usize,
    output_end: usize,
}

/// A fenced block that is a transcript.
#[derive(Debug)]
struct Transcript {
    page: PathBuf,
    /// 1-based line of the opening fence.
    line: usize,
    setup: String,
    steps: Vec<Step>,
}

/// A fenced block: its annotation, its 1-based fence line, and its body
/// lines with their 0-based indexes in the page.
type Block = (Option<String>, usize, Vec<(usize, String)>);

/// New output lines for a 0-based range of a page's lines (end exclusive).
type Update = (usize, usize, Vec<String>);

/// The fenced blocks of a page.
fn fenced_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if let Some(fence) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            let indent = lines[i].len() - trimmed.len();
            let annotation = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .and_then(|l| l.trim().strip_prefix("<!-- transcript:"))
                .and_then(|l| l.strip_suffix("-->"))
                .map(|l| l.trim().to_string());
            let open = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with(fence) {
                let line = lines[i];
                let cut = line.len() - line.trim_start().len();
                body.push((i, line[cut.min(indent)..].to_string()));
                i += 1;
            }
            blocks.push((annotation, open + 1, body));
        }
        i += 1;
    }
    blocks
}

/// Every transcript of a page.
fn transcripts(page: &Path) -> Vec<Transcript> {
    let text = std::fs::read_to_string(repo().join(page)).expect("a manual page");
    let mut found = Vec::new();
    for (annotation, line, body) in fenced_blocks(&text) {
        let first = body.iter().find(|(_, l)| !l.trim().is_empty());
        if !first.is_some_and(|(_, l)| l.starts_with("$ ")) {
            assert!(
                annotation.is_none(),
                "{}:{line}: a transcript annotation on a block that is not a transcript",
                page.display()
            );
            continue;
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut continued = false;
        for (index, text) in body {
            if continued {
                let step = steps.last_mut().expect("a step");
                step.command.push('\n');
                step.command.push_str(&text);
                continued = text.ends_with('\\');
                step.output_start = index + 1;
                step.output_end = index + 1;
            } else if let Some(command) = text.strip_prefix("$ ") {
                continued = command.ends_with('\\');
                steps.push(Step {
                    line: index + 1,
                    command: command.to_string(),
                    expected: Vec::new(),
                    output_start: index + 1,
                    output_end: index + 1,
                });
            } else {
                let step = steps.last_mut().expect("a step");
                step.expected.push(text);
                step.output_end = index + 1;
            }
        }
        found.push(Transcript {
            page: page.to_path_buf(),
            line,
            setup: annotation.unwrap_or_else(|| "example".to_string()),
            steps,
        });
    }
    found
}

/// The IDs of tickets.example's cases: a transcript's ID that is one of them is literal.
fn example_ids() -> BTreeSet<String> {
    std::fs::read_dir(repo().join("tickets.example"))
        .expect("tickets.example/")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.strip_suffix(".yaml").map(str::to_string)
        })
        .filter(|name| name != "config")
        .collect()
}

/// The case-ID-shaped words of a line, with their byte ranges.
fn id_words(line: &str) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if word_start && bytes[i].is_ascii_uppercase() {
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_uppercase() {
                j += 1;
            }
            let body = j + 1;
            let end = body + 8;
            if j - i <= 10
                && bytes.get(j) == Some(&b'-')
                && end <= bytes.len()
                && bytes[body..end]
                    .iter()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
            {
                words.push((i, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    words
}

/// Random case IDs: documented ID -> the ID this run printed in its place.
#[derive(Default)]
struct Bindings {
    documented_to_actual: BTreeMap<String, String>,
}

impl Bindings {
    /// Whether `expected` is `actual` once the documented IDs stand for the
    /// printed ones; binds the new ones it meets.
    fn matches(&mut self, expected: &str, actual: &str, literal: &BTreeSet<String>) -> bool {
        if expected == actual {
            return true;
        }
        let (ew, aw) = (id_words(expected), id_words(actual));
        if ew.len() != aw.len() || ew.is_empty() {
            return false;
        }
        // The text around the IDs must be equal.
        let mut e_at = 0;
        let mut a_at = 0;
        let mut pairs = Vec::new();
        for (&(es, ee), &(as_, ae)) in ew.iter().zip(&aw) {
            if expected[e_at..es] != actual[a_at..as_] {
                return false;
            }
            pairs.push((&expected[es..ee], &actual[as_..ae]));
            e_at = ee;
            a_at = ae;
        }
        if expected[e_at..] != actual[a_at..] {
            return false;
        }
        let mut new = BTreeMap::new();
        for (documented, printed) in pairs {
            if documented == printed {
                continue;
            }
            match self.documented_to_actual.get(documented).or(new.get(documented)) {
                Some(bound) if bound == printed => {}
                Some(_) => return false,
                None => {
                    let taken = self.documented_to_actual.values().any(|v| v == printed);
                    if literal.contains(documented) || literal.contains(printed) || taken {
                        return false;
                    }
                    new.insert(documented.to_string(), printed.to_string());
                }
            }
        }
        self.documented_to_actual.extend(new);
        true
    }

    /// The command with documented IDs (and prefixes of them, 4 characters
    /// and more) replaced by the printed ones.
    fn apply(&self, command: &str) -> String {
        let mut out = String::new();
        let mut rest = command;
        'scan: while !rest.is_empty() {
            let boundary = out.chars().last().is_none_or(|c| !c.is_ascii_alphanumeric());
            if boundary {
                for (documented, actual) in &self.documented_to_actual {
                    for len in (4..=documented.len()).rev() {
                        let prefix = &documented[..len];
                        if rest.starts_with(prefix)
                            && rest[len..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric())
                        {
                            out.push_str(&actual[..len]);
                            rest = &rest[len..];
                            continue 'scan;
                        }
                    }
                }
            }
            let c = rest.chars().next().expect("non-empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    /// Printed IDs back to their documented names (for update mode).
    fn unapply(&self, line: &str) -> String {
        let mut line = line.to_string();
        for (documented, actual) in &self.documented_to_actual {
            line = line.replace(actual.as_str(), documented);
        }
        line
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a copy");
    for entry in std::fs::read_dir(from).expect("read the example store") {
        let entry = entry.expect("entry");
        let kind = entry.file_type().expect("file type");
        if kind.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a file");
        } else if kind.is_dir() {
            // templates/answers/ and the like.
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        }
    }
}

/// The sandbox for one transcript: (temp root, working directory, environment).
fn sandbox(setup: &str, at: &str) -> (tempfile::TempDir, PathBuf, Vec<(String, String)>) {
    let root = tempfile::tempdir().expect("temp dir");
    let base = root.path().canonicalize().expect("canonical temp dir");
    let home = base.join("home/alice");
    std::fs::create_dir_all(&home).expect("home");
    let bin = Path::new(env!("CARGO_BIN_EXE_tickets")).parent().expect("bin dir");
    let mut env = vec![
        ("PATH".to_string(), format!("{}:/usr/bin:/bin", bin.display())),
        ("HOME".to_string(), home.display().to_string()),
        ("USER".to_string(), "alice".to_string()),
        ("LOGNAME".to_string(), "alice".to_string()),
        ("TICKETS_NOW".to_string(), TRANSCRIPT_NOW.to_string()),
        ("COLUMNS".to_string(), "80".to_string()),
        ("NO_COLOR".to_string(), "1".to_string()),
        ("PAGER".to_string(), "cat".to_string()),
    ];
    let mut words = setup.split_whitespace();
    let cwd = match words.next() {
        Some("example") => {
            copy_dir(&repo().join("tickets.example"), &base.join("tickets.example"));
            copy_dir(&repo().join("tickets.example"), &base.join("desk"));
            env.push(("TICKETS_DIR".to_string(), "desk".to_string()));
            base.clone()
        }
        Some("new") => home,
        other => panic!("{at}: unknown transcript setup {other:?} (example, new)"),
    };
    for word in words {
        if let Some(spec) = word.strip_prefix("copy=") {
            let (from, to) = spec
                .split_once(':')
                .unwrap_or_else(|| panic!("{at}: copy=SRC:DEST, not {spec}"));
            let dest = cwd.join(to);
            std::fs::create_dir_all(dest.parent().expect("a parent")).expect("create DEST's folder");
            std::fs::copy(repo().join(from), &dest).unwrap_or_else(|e| panic!("{at}: copy {from}: {e}"));
        } else if let Some(now) = word.strip_prefix("now=") {
            env.retain(|(k, _)| k != "TICKETS_NOW");
            env.push(("TICKETS_NOW".to_string(), now.to_string()));
        } else {
            panic!("{at}: unknown transcript option {word}");
        }
    }
    (root, cwd, env)
}

/// Runs one transcript; returns its failures and the outputs to write back.
fn run(transcript: &Transcript, literal: &BTreeSet<String>) -> (Vec<String>, Vec<Update>) {
    let at = format!("{}:{}", transcript.page.display(), transcript.line);
    let (root, cwd, env) = sandbox(&transcript.setup, &at);
    let base = root
        .path()
        .canonicalize()
        .expect("canonical temp dir")
        .display()
        .to_string();
    let mut bindings = Bindings::default();
    let mut state = String::new();
    let mut last_status = 0;
    let mut failures = Vec::new();
    let mut updates = Vec::new();
    for (n, step) in transcript.steps.iter().enumerate() {
        let here = format!("{}:{}", transcript.page.display(), step.line);
        if last_status != 0 && !step.command.contains("$?") {
            failures.push(format!(
                "{here}: the command before exits {last_status}; show it with `$ echo $?`"
            ));
        }
        let command = bindings.apply(&step.command);
        let script = format!("{state}(exit {last_status}); {{ {command}\n}} 2>&1");
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(&script)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .current_dir(&cwd)
            .output()
            .expect("run sh");
        last_status = out.status.code().unwrap_or(-1);
        let first = command.split_whitespace().next().unwrap_or("");
        if first == "export" || first == "cd" {
            state.push_str(&command);
            state.push('\n');
        }
        let printed = String::from_utf8_lossy(&out.stdout).replace(&base, "");
        let actual: Vec<String> = printed.lines().map(|l| l.trim_end().to_string()).collect();
        let expected: Vec<String> = step.expected.iter().map(|l| l.trim_end().to_string()).collect();
        let mut same = actual.len() == expected.len();
        let mut first_difference = None;
        for (i, (e, a)) in expected.iter().zip(&actual).enumerate() {
            if !bindings.matches(e, a, literal) {
                same = false;
                first_difference.get_or_insert(i);
            }
        }
        if !same {
            let i = first_difference.unwrap_or(expected.len().min(actual.len()));
            failures.push(format!(
                "{here}: `$ {}` printed other lines than documented, first at {}:{}:\n  documented: {:?}\n  printed:    {:?}\n--- printed in full ---\n{}",
                step.command,
                transcript.page.display(),
                step.output_start + i + 1,
                expected.get(i),
                actual.get(i),
                actual.join("\n")
            ));
            let rewritten = actual.iter().map(|l| bindings.unapply(l)).collect();
            updates.push((step.output_start, step.output_end, rewritten));
        }
        if n + 1 == transcript.steps.len() && last_status != 0 {
            failures.push(format!("{here}: exits {last_status}; show it with `$ echo $?`"));
        }
    }
    (failures, updates)
}

/// Replaces line ranges of a page (0-based, end exclusive), last first.
fn rewrite(page: &Path, mut updates: Vec<Update>) {
    let path = repo().join(page);
    let text = std::fs::read_to_string(&path).expect("the page");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    updates.sort_by_key(|u| std::cmp::Reverse(u.0));
    for (start, end, new) in updates {
        lines.splice(start..end, new);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    std::fs::write(&path, out).expect("write the page");
}

#[test]
fn every_transcript_of_the_manual_is_what_the_binary_prints() {
    let update = std::env::var_os("TICKETS_UPDATE_DOCS").is_some_and(|v| v == "1");
    let literal = example_ids();
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in manual_pages() {
        let mut page_updates = Vec::new();
        for transcript in transcripts(&page) {
            checked += 1;
            let (f, u) = run(&transcript, &literal);
            failures.extend(f);
            page_updates.extend(u);
        }
        if update && !page_updates.is_empty() {
            for (start, _, _) in &page_updates {
                eprintln!("updated {}:{}", page.display(), start + 1);
            }
            rewrite(&page, page_updates);
        }
    }
    if update {
        return;
    }
    assert!(
        failures.is_empty(),
        "{} difference(s) between the manual and the binary (TICKETS_UPDATE_DOCS=1 rewrites the outputs):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(checked >= 10, "only {checked} transcripts found in the manual");
}

#[test]
fn the_readme_has_transcripts_and_each_page_parses() {
    let readme = transcripts(Path::new("README.md"));
    assert!(!readme.is_empty(), "README.md shows no transcript");
    for page in manual_pages() {
        for t in transcripts(&page) {
            assert!(!t.steps.is_empty(), "{}:{}", page.display(), t.line);
        }
    }
}

#[test]
fn documented_ids_stand_for_printed_ones_but_not_for_example_cases() {
    let literal = BTreeSet::from(["RC-G6K8WT3Z".to_string()]);
    let mut b = Bindings::default();
    assert!(b.matches("RC-8KXPMB8X", "RC-1234ABCD", &literal));
    assert!(b.matches("RC-8KXPMB8X: investigate", "RC-1234ABCD: investigate", &literal));
    assert!(!b.matches("RC-8KXPMB8X", "RC-9999ZZZZ", &literal), "bound once");
    assert!(
        !b.matches("RC-G6K8WT3Z", "RC-5555AAAA", &literal),
        "an example case is literal"
    );
    assert!(!b.matches("RC-8KXPMB8X: close", "RC-1234ABCD: reply", &literal));
    assert_eq!(
        b.apply("tickets show RC-8K --x RC-8KXPMB8X"),
        "tickets show RC-12 --x RC-1234ABCD"
    );
    assert_eq!(b.apply("RC-8KXPMB8Y"), "RC-8KXPMB8Y");
    assert_eq!(b.unapply("RC-1234ABCD"), "RC-8KXPMB8X");
}

/// GitHub's anchor for a heading.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page's headings (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut anchors = BTreeSet::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#').replace('`', "");
        let base = slug(&heading);
        let n = seen.entry(base.clone()).or_insert(0);
        anchors.insert(if *n == 0 { base.clone() } else { format!("{base}-{n}") });
        *n += 1;
    }
    anchors
}

/// The targets of a page's markdown links (outside code blocks), with their lines.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_code = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push((n + 1, after[..end].to_string()));
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_link_between_manual_pages_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in manual_pages() {
        let text = std::fs::read_to_string(repo().join(&page)).expect("page");
        for (line, target) in links(&text) {
            if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let path = if file.is_empty() {
                repo().join(&page)
            } else {
                repo().join(&page).parent().expect("a folder").join(file)
            };
            if !path.exists() {
                broken.push(format!("{}:{line}: {target}: no such file", page.display()));
                continue;
            }
            if !anchor.is_empty() {
                let target_text = std::fs::read_to_string(&path).unwrap_or_default();
                if !anchors(&target_text).contains(anchor) {
                    broken.push(format!("{}:{line}: {target}: no such heading", page.display()));
                }
            }
        }
    }
    assert!(checked > 10, "only {checked} links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
