//! `check`: validates a whole store and names every problem, for people and
//! for CI. Read-only: it never rewrites, moves or deletes a file.
//!
//! Errors are what makes the store wrong (a file that does not parse, a
//! state its history does not give, a conflict marker...). Warnings are
//! legal but suspect (a customer not in config.yaml, which `open` allows; an
//! analyst no longer on the roster named in an old event). Notes are
//! harmless leftovers (temp files of an interrupted write).

use crate::case::Case;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::lifecycle;
use crate::output::{Gravity, Problem};
use crate::store::{self, Store};
use crate::vocabulary::Status;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Everything `check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Case files looked at (whether or not they parsed).
    pub cases: usize,
    /// Every finding, by path then line.
    pub problems: Vec<Problem>,
    /// The files of `attachments/` no event names (and old temp files
    /// there), for `check --prune`.
    pub orphans: Vec<crate::store::attachments::StoredFile>,
}

impl Report {
    /// How many findings of this gravity.
    pub fn count(&self, gravity: Gravity) -> usize {
        self.problems.iter().filter(|p| p.gravity == gravity).count()
    }

    /// Whether the store fails the check (any error; any warning too when strict).
    pub fn fails(&self, strict: bool) -> bool {
        self.problems
            .iter()
            .any(|p| p.gravity == Gravity::Error || (strict && p.gravity == Gravity::Warning))
    }

    fn push(&mut self, path: &Path, line: Option<usize>, gravity: Gravity, kind: &'static str, message: String) {
        self.problems.push(Problem {
            path: path.display().to_string(),
            line,
            gravity,
            kind,
            message,
        });
    }
}

/// Checks the store's config and every case file, reporting every problem.
/// Fails only when the store directory itself cannot be read.
pub fn check(store: &Store) -> Result<Report> {
    if !store.root().is_dir() {
        // Not a store at all (a typo in --dir): a usage error, with the hint.
        store.ensure_exists()?;
    }
    let mut report = Report::default();
    let config = check_config(store, &mut report);
    // The lock is refused through a link or as a special file (so is
    // `.tickets` itself): every writer stops there until it is removed.
    match crate::store::derived_dir::DerivedDir::open(store.root()) {
        Err(e) => push_error(&mut report, "derived-dir", e),
        Ok(Some(derived)) => {
            if let Err(e @ Error::InvalidData { .. }) =
                derived.open_file("lock", crate::store::derived_dir::Access::Read)
            {
                push_error(&mut report, "derived-dir", e);
            }
        }
        Ok(None) => {}
    }
    let entries = fs::read_dir(store.root()).map_err(|e| Error::io(store.root(), e))?;
    let mut names: Vec<_> = entries
        .map(|entry| entry.map(|e| e.file_name()).map_err(|e| Error::io(store.root(), e)))
        .collect::<Result<_>>()?;
    names.sort();

    let mut cases: Vec<Checked> = Vec::new();
    let mut attachments = crate::attachment_check::AttachmentCheck::default();
    for name in names {
        let path = store.root().join(&name);
        let text_name = name.to_string_lossy();
        if store::is_temp_name(&text_name) {
            report.push(
                &path,
                None,
                Gravity::Note,
                "temp-file",
                "temp file of an interrupted write; every command ignores it and `tickets sweep` removes it".into(),
            );
            continue;
        }
        if text_name.starts_with('.') || text_name == "config.yaml" || !text_name.ends_with(".yaml") {
            continue;
        }
        let Some(id) = store::case_id_of(&name) else {
            report.push(
                &path,
                None,
                Gravity::Warning,
                "file-name",
                "not named like a case file (PREFIX-XXXXXXXX.yaml, upper case); every command ignores it".into(),
            );
            continue;
        };
        report.cases += 1;
        let auto_close_after_days = config
            .as_ref()
            .map_or(Config::default().auto_close_after_days, |c| c.auto_close_after_days);
        if let Some((case, text)) = check_case_file(&path, &id, auto_close_after_days, &mut report) {
            report.problems.extend(attachments.case(store, &path, &case, &text));
            cases.push(Checked { path, case, text });
        }
    }

    let orphans = attachments.orphans(store)?;
    report
        .problems
        .extend(orphans.iter().map(|(problem, _)| problem.clone()));
    report.orphans = orphans
        .into_iter()
        .filter(|(problem, _)| crate::attachment_check::is_prunable(problem))
        .map(|(_, file)| file)
        .collect();
    check_unique_ids(&cases, &mut report);
    if let Some(config) = &config {
        for checked in &cases {
            check_references(checked, config, &cases, &mut report);
        }
    }
    report
        .problems
        .sort_by(|a, b| (&a.path, a.line, a.gravity).cmp(&(&b.path, b.line, b.gravity)));
    Ok(report)
}

/// A case file that parsed, with its text for finding lines.
struct Checked {
    path: PathBuf,
    case: Case,
    text: String,
}

fn check_config(store: &Store, report: &mut Report) -> Option<Config> {
    let path = store.config_path();
    if fs::symlink_metadata(&path).is_err() {
        report.push(
            &path,
            None,
            Gravity::Error,
            "config",
            "missing: this is not a tickets store (run `tickets init`)".into(),
        );
        return None;
    }
    let text = match store::read_text(&path) {
        Ok(text) => text,
        Err(e) => {
            push_error(report, "unreadable", e);
            return None;
        }
    };
    if let Some(line) = crate::format::conflict_marker_line(&text) {
        report.push(
            &path,
            Some(line),
            Gravity::Error,
            "conflict-marker",
            "git conflict marker; resolve the merge conflict".into(),
        );
        return None;
    }
    match store.config() {
        Ok(config) => Some(config),
        Err(e) => {
            push_error(report, "config", e);
            None
        }
    }
}

fn push_error(report: &mut Report, kind: &'static str, error: Error) {
    match error {
        Error::InvalidData { path, line, reason } => report.push(&path, line, Gravity::Error, kind, reason),
        Error::Io { path, source } => report.push(&path, None, Gravity::Error, "unreadable", source.to_string()),
        other => report.push(Path::new(""), None, Gravity::Error, kind, other.to_string()),
    }
}

/// Reads, parses and replays one case file (under the store's auto-close
/// rule); the case and its text when it parsed.
fn check_case_file(path: &Path, id: &str, auto_close_after_days: u32, report: &mut Report) -> Option<(Case, String)> {
    let is_symlink = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_symlink {
        report.push(
            path,
            None,
            Gravity::Error,
            "symlink",
            "is a symbolic link; refused and never followed (files of the store must be regular files inside it)"
                .into(),
        );
        return None;
    }
    let conflict = |report: &mut Report, line| {
        report.push(
            path,
            Some(line),
            Gravity::Error,
            "conflict-marker",
            "git conflict marker; resolve the merge conflict (the other lines were not checked)".into(),
        )
    };
    let text = match store::read_text(path) {
        Ok(text) => text,
        Err(e) => {
            // The merge driver keeps both versions of a conflict byte for
            // byte, so a conflicted file may be over the cap or not UTF-8.
            match store::conflict_in_file(path) {
                Some(Error::InvalidData { line: Some(line), .. }) => conflict(report, line),
                _ => push_error(report, "unreadable", e),
            }
            return None;
        }
    };
    if let Some(line) = crate::format::conflict_marker_line(&text) {
        conflict(report, line);
        return None;
    }
    let case = match crate::format::parse_case(path, &text, None) {
        Ok(case) => case,
        Err(e) => {
            push_error(report, "parse", e);
            return None;
        }
    };
    if case.id != id {
        report.push(
            path,
            line_of_key(&text, "id"),
            Gravity::Error,
            "id-mismatch",
            format!(
                "id {} does not match the file name {id}.yaml",
                crate::terminal::escape_line(&case.id)
            ),
        );
    }
    match lifecycle::replay_under(&case, auto_close_after_days) {
        Err(e) => report.push(
            path,
            line_of_event(&text, e.event),
            Gravity::Error,
            "history",
            format!("history event {} (0-based): {}", e.event, e.reason),
        ),
        Ok(replayed) => {
            for key in differing_keys(&case, &replayed) {
                report.push(
                    path,
                    line_of_key(&text, &key),
                    Gravity::Error,
                    "state-mismatch",
                    format!(
                        "{key} is {}, but replaying the history gives {}",
                        value_of(&case, &key),
                        value_of(&replayed, &key)
                    ),
                );
            }
        }
    }
    Some((case, text))
}

fn as_mapping(case: &Case) -> BTreeMap<String, serde_yaml::Value> {
    serde_yaml::to_value(case)
        .ok()
        .and_then(|v| serde_yaml::from_value(v).ok())
        .unwrap_or_default()
}

fn differing_keys(stored: &Case, replayed: &Case) -> Vec<String> {
    let (stored, replayed) = (as_mapping(stored), as_mapping(replayed));
    let mut keys: Vec<String> = stored
        .keys()
        .chain(replayed.keys())
        .filter(|k| stored.get(*k) != replayed.get(*k))
        .cloned()
        .collect();
    keys.dedup();
    keys.sort();
    keys.dedup();
    keys
}

fn value_of(case: &Case, key: &str) -> String {
    match as_mapping(case).get(key) {
        None | Some(serde_yaml::Value::Null) => "absent".into(),
        Some(value) => {
            let text = serde_yaml::to_string(value).unwrap_or_default();
            crate::terminal::escape_line(text.trim_end())
        }
    }
}

/// The line of a top-level `key:` in a case file.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let wanted = format!("{key}:");
    text.lines().position(|l| l.starts_with(&wanted)).map(|i| i + 1)
}

/// The line where the `index`-th (0-based) history event starts.
fn line_of_event(text: &str, index: usize) -> Option<usize> {
    let start = line_of_key(text, "history")?;
    text.lines()
        .enumerate()
        .skip(start)
        .filter(|(_, l)| l.starts_with("- ") || l.starts_with("  - "))
        .nth(index)
        .map(|(i, _)| i + 1)
}

/// Two files whose IDs differ only in letter case would be one ticket to a
/// person typing it (IDs are matched case-insensitively). The file whose
/// name matches the ID is the original; the others are flagged.
fn check_unique_ids(cases: &[Checked], report: &mut Report) {
    let mut groups: BTreeMap<String, Vec<&Checked>> = BTreeMap::new();
    for checked in cases {
        groups
            .entry(checked.case.id.to_ascii_uppercase())
            .or_default()
            .push(checked);
    }
    for group in groups.values().filter(|g| g.len() > 1) {
        let named_after = |c: &Checked| c.path.file_stem().is_some_and(|s| s.to_string_lossy() == c.case.id);
        let has_original = group.iter().any(|c| named_after(c));
        for checked in group.iter().filter(|c| !has_original || !named_after(c)) {
            let others: Vec<String> = group
                .iter()
                .filter(|o| o.path != checked.path)
                .map(|o| o.path.display().to_string())
                .collect();
            report.push(
                &checked.path,
                line_of_key(&checked.text, "id"),
                Gravity::Error,
                "duplicate-id",
                format!(
                    "id {} is also the id of {}",
                    crate::terminal::escape_line(&checked.case.id),
                    crate::terminal::escape_line(&others.join(", "))
                ),
            );
        }
    }
}

/// Roster and customers: an active case's assignee must be on the roster
/// (nobody else can work it). Names in older events and closed cases may
/// have left the roster since, so those are warnings, as is a customer not
/// in config.yaml (`open` allows it: such a customer is on the standard plan).
fn check_references(checked: &Checked, config: &Config, cases: &[Checked], report: &mut Report) {
    let Checked { path, case, text } = checked;
    if let Some(assignee) = &case.assignee {
        if config.analyst(assignee).is_none() {
            let gravity = if case.status == Status::Closed {
                Gravity::Warning
            } else {
                Gravity::Error
            };
            report.push(
                path,
                line_of_key(text, "assignee"),
                gravity,
                "unknown-analyst",
                format!(
                    "assignee {} is not on the roster in config.yaml",
                    crate::terminal::escape_line(assignee)
                ),
            );
        }
    }
    for (index, event) in case.history.iter().enumerate() {
        if let Some(assignee) = &event.assignee {
            if config.analyst(assignee).is_none() && case.assignee.as_ref() != Some(assignee) {
                report.push(
                    path,
                    line_of_event(text, index),
                    Gravity::Warning,
                    "unknown-analyst",
                    format!(
                        "history event {index} names analyst {}, who is not on the roster in config.yaml",
                        crate::terminal::escape_line(assignee)
                    ),
                );
            }
        }
    }
    if config.customer(&case.customer).is_none() {
        report.push(
            path,
            line_of_key(text, "customer"),
            Gravity::Warning,
            "unknown-customer",
            format!(
                "customer {} is not in config.yaml (allowed: such a customer is on the standard plan)",
                crate::terminal::escape_line(&case.customer)
            ),
        );
    }
    if let Some(previous) = &case.follow_up_of {
        let found = cases.iter().any(|c| c.case.id.eq_ignore_ascii_case(previous));
        if !found {
            report.push(
                path,
                line_of_key(text, "follow_up_of"),
                Gravity::Warning,
                "unknown-case",
                format!(
                    "follow_up_of names {}, which is not a case in this store",
                    crate::terminal::escape_line(previous)
                ),
            );
        }
    }
}
