//! `check`: validates a whole store and names every problem, for people and
//! for CI. Read-only: it never rewrites, moves or deletes a file.
//!
//! Errors are what makes the store wrong (a file that does not parse, a
//! state its history does not give, a conflict marker...). Warnings are
//! legal but suspect (a customer not in config.yaml, which `open` allows; an
//! analyst no longer on the roster named in an old event). Notes are
//! harmless leftovers (temp files of an interrupted write).

use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::lifecycle;
use crate::core::vocabulary::Status;
use crate::format::{line_of_event, line_of_key};
use crate::store::bits::Bits;
use crate::store::case_names::CaseNames;
use crate::store::{self, Store};
use crate::views::{Gravity, Problem};
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
    // A ledger that does not read stops all mail at the mail host: CI says
    // so before it is merged.
    if let Err(e) = store.sent_ledger() {
        push_error(&mut report, "sent-ledger", e);
    }
    // A canned answer that cannot be used (an unknown placeholder, a link)
    // would refuse every `--template` naming it: CI says so first.
    for e in super::answers::check_answers(store) {
        push_error(&mut report, "answer-template", e);
    }
    let names = CaseNames::entries(store.root())?;
    let auto_close_after_days = config
        .as_ref()
        .map_or(Config::default().auto_close_after_days, |c| c.auto_close_after_days);
    let mut case_files: Vec<u32> = Vec::new();
    for index in 0..names.len() {
        let name = names.name(index);
        let path = store.root().join(name);
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
        if store::case_id_of(name).is_none() {
            report.push(
                &path,
                None,
                Gravity::Warning,
                "file-name",
                "not named like a case file (PREFIX-XXXXXXXX.yaml, upper case); every command ignores it".into(),
            );
            continue;
        }
        report.cases += 1;
        case_files.push(index as u32);
    }

    // Every case file is read in full (the index is never trusted here), on
    // every core. The cross-case checks keep compact facts (hashes, file
    // numbers), never the cases, so memory stays flat in the store's size.
    let underway = crate::core::progress::Underway::start(store.progress(), "checking cases", case_files.len() as u64);
    let facts = check_case_files(store, &names, &case_files, config.as_ref(), auto_close_after_days);
    drop(underway);
    report.problems.extend(facts.file_problems);
    let ids = Ids::of(&names, &facts.named_after, facts.odd_ids);
    check_unique_ids(store, &names, &ids, &mut report);
    report.problems.extend(facts.reference_problems);
    if config.is_some() {
        check_follow_ups(store, &names, &ids, &facts.follow_ups, &mut report);
    }
    check_unique_message_ids(store, &names, facts.message_ids, &mut report);
    check_merges(store, &names, &facts.merges, &mut report);
    let orphans = facts.attachments.orphans(store)?;
    report
        .problems
        .extend(orphans.iter().map(|(problem, _)| problem.clone()));
    report.orphans = orphans
        .into_iter()
        .filter(|(problem, _)| crate::operations::attachment_check::is_prunable(problem))
        .map(|(_, file)| file)
        .collect();
    report
        .problems
        .sort_by(|a, b| (&a.path, a.line, a.gravity).cmp(&(&b.path, b.line, b.gravity)));
    Ok(report)
}

/// A directory entry's path.
fn path_of(store: &Store, names: &CaseNames, file: u32) -> PathBuf {
    store.root().join(names.name(file as usize))
}

/// A case file's stem: the ID its name gives.
fn stem_of(names: &CaseNames, file: u32) -> String {
    let name = names.name(file as usize).to_string_lossy();
    name.strip_suffix(".yaml").unwrap_or(&name).to_string()
}

/// The ID of a (rare) case file whose ID is not its file name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct OddId {
    file: u32,
    /// The line of `id:` (0 when not found).
    line: u32,
    id: String,
}

/// A follow-up's reference, looked up once every ID is known.
struct FollowUp {
    file: u32,
    line: Option<usize>,
    previous: String,
}

/// A merged case's link, followed once every case was read.
struct MergeLink {
    file: u32,
    line: Option<usize>,
    id: String,
    customer: String,
    into: String,
}

/// Each case file's own findings, and what the cross-case checks need.
#[derive(Default)]
struct Facts {
    file_problems: Vec<Problem>,
    reference_problems: Vec<Problem>,
    /// The case files that parsed and hold the ID their name gives: one
    /// bit each. Their IDs are their names, unique in the directory.
    named_after: Bits,
    /// The IDs of the (rare) case files whose ID is not their file name.
    odd_ids: Vec<OddId>,
    follow_ups: Vec<FollowUp>,
    /// The merged cases' links (few: only duplicates have one).
    merges: Vec<MergeLink>,
    /// Hashes of the normalized Message-IDs that opened cases.
    message_ids: Vec<(u64, u32)>,
    /// The attachments the cases name, each content verified once.
    attachments: crate::operations::attachment_check::AttachmentCheck,
}

impl Facts {
    fn merge(&mut self, other: Facts) {
        self.file_problems.extend(other.file_problems);
        self.reference_problems.extend(other.reference_problems);
        self.named_after.merge(&other.named_after);
        self.odd_ids.extend(other.odd_ids);
        self.follow_ups.extend(other.follow_ups);
        self.merges.extend(other.merges);
        self.message_ids.extend(other.message_ids);
        self.attachments.merge(other.attachments);
    }
}

fn hash_of(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Checks every case file on its own, on every core, keeping the facts the
/// cross-case checks need, in file order.
fn check_case_files(
    store: &Store,
    names: &CaseNames,
    case_files: &[u32],
    config: Option<&Config>,
    auto_close_after_days: u32,
) -> Facts {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const BATCH: usize = 64;
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let work = || {
        let mut facts = Facts::default();
        loop {
            let start = next.fetch_add(BATCH, Ordering::Relaxed);
            if start >= case_files.len() {
                break;
            }
            let batch = &case_files[start..(start + BATCH).min(case_files.len())];
            for &file in batch {
                check_one(store, names, file, config, auto_close_after_days, &mut facts);
            }
            store.progress().advance(batch.len() as u64);
        }
        facts
    };
    let mut all = Facts::default();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
        all.merge(work());
        for helper in helpers {
            match helper.join() {
                Ok(facts) => all.merge(facts),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    // Back in file order: findings then come out as they always did (the
    // final sort is stable).
    all.file_problems.sort_by(|a, b| a.path.cmp(&b.path));
    all.reference_problems.sort_by(|a, b| a.path.cmp(&b.path));
    all.odd_ids.sort();
    all.follow_ups.sort_by_key(|follow_up| follow_up.file);
    all.merges.sort_by_key(|link| link.file);
    all
}

/// One case file: its own findings, then its facts.
fn check_one(
    store: &Store,
    names: &CaseNames,
    file: u32,
    config: Option<&Config>,
    auto_close_after_days: u32,
    facts: &mut Facts,
) {
    let path = path_of(store, names, file);
    let id = stem_of(names, file);
    let mut own = Report::default();
    let checked = check_case_file(
        &path,
        &id,
        names.is_link(file as usize),
        auto_close_after_days,
        &mut own,
    );
    facts.file_problems.append(&mut own.problems);
    let Some((case, text)) = checked else {
        return;
    };
    let found = facts.attachments.case(store, &path, &case, &text);
    facts.file_problems.extend(found);
    if case.id == id {
        facts.named_after.set(file as usize);
    } else {
        facts.odd_ids.push(OddId {
            file,
            line: line_of_key(&text, "id").map_or(0, |line| line as u32),
            id: case.id.clone(),
        });
    }
    if let Some(message_id) = case
        .message_id
        .as_deref()
        .and_then(crate::mail::intake::normalize_message_id)
    {
        facts.message_ids.push((hash_of(&message_id), file));
    }
    if let Some(into) = &case.merged_into {
        facts.merges.push(MergeLink {
            file,
            line: line_of_key(&text, "merged_into"),
            id: case.id.clone(),
            customer: case.customer.clone(),
            into: into.clone(),
        });
    }
    if let Some(config) = config {
        let mut own = Report::default();
        check_references(&path, &case, &text, config, &mut own);
        facts.reference_problems.append(&mut own.problems);
        if let Some(previous) = &case.follow_up_of {
            facts.follow_ups.push(FollowUp {
                file,
                line: line_of_key(&text, "follow_up_of"),
                previous: previous.clone(),
            });
        }
    }
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
/// rule; `is_symlink` as the directory listing says); the case and its text
/// when it parsed.
fn check_case_file(
    path: &Path,
    id: &str,
    is_symlink: bool,
    auto_close_after_days: u32,
    report: &mut Report,
) -> Option<(Case, String)> {
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
    let text = match store::read_listed_text(path) {
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
    // The fast reader takes canonical files only, and gives what the full
    // parser gives; anything else goes to the full parser, for its findings.
    let parsed = match crate::format::fast_reader::read_case(&text) {
        Some(case) => Ok(case),
        None => crate::format::parse_case(path, &text, None),
    };
    let case = match parsed {
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
            format!("id {} does not match the file name {id}.yaml", case.id),
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
            // Equal cases serialize alike: the key by key comparison only
            // runs to name what differs.
            let differing = if replayed == case {
                Vec::new()
            } else {
                differing_keys(&case, &replayed)
            };
            for key in differing {
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
            text.trim_end().to_string()
        }
    }
}

/// Every checked case's ID, compactly and exactly. A case file that holds
/// the ID its name gives is one bit: its ID is its name, which the directory
/// keeps unique and which is in upper case (as every case file name is), so
/// it is found by a binary search of the names. Only the rare files holding
/// another ID keep it as text, grouped by its upper case (IDs match
/// case-insensitively). No hash decides anything here.
struct Ids<'a> {
    names: &'a CaseNames,
    named_after: &'a Bits,
    /// The odd IDs by their upper case, each group in file order.
    odd: BTreeMap<String, Vec<OddId>>,
}

impl<'a> Ids<'a> {
    /// From the facts; `odd_ids` in file order.
    fn of(names: &'a CaseNames, named_after: &'a Bits, odd_ids: Vec<OddId>) -> Ids<'a> {
        let mut odd: BTreeMap<String, Vec<OddId>> = BTreeMap::new();
        for fact in odd_ids {
            odd.entry(fact.id.to_ascii_uppercase()).or_default().push(fact);
        }
        Ids {
            names,
            named_after,
            odd,
        }
    }

    /// The checked case file named `upper` (an ID in upper case) that holds that ID.
    fn named(&self, upper: &str) -> Option<u32> {
        self.names
            .position(&format!("{upper}.yaml"))
            .filter(|file| self.named_after.get(*file))
            .map(|file| file as u32)
    }

    /// Whether some checked case file holds the ID `upper` (in upper case).
    fn contains(&self, upper: &str) -> bool {
        self.odd.contains_key(upper) || self.named(upper).is_some()
    }
}

/// Two files whose IDs differ only in letter case would be one ticket to a
/// person typing it (IDs are matched case-insensitively). The file whose
/// name matches the ID is the original; the others are flagged. Files named
/// after their IDs cannot share one, so every duplicate involves an odd ID.
fn check_unique_ids(store: &Store, names: &CaseNames, ids: &Ids, report: &mut Report) {
    for (upper, odd) in &ids.odd {
        // (file, line of `id:`, named after its ID, the ID), in file order.
        let mut group: Vec<(u32, u32, bool, &str)> = odd
            .iter()
            .map(|fact| (fact.file, fact.line, false, fact.id.as_str()))
            .collect();
        if let Some(file) = ids.named(upper) {
            group.push((file, 0, true, upper.as_str()));
        }
        if group.len() < 2 {
            continue;
        }
        group.sort_by_key(|member| member.0);
        let has_original = group.iter().any(|member| member.2);
        for &(file, line, _, id) in group.iter().filter(|member| !has_original || !member.2) {
            let others: Vec<String> = group
                .iter()
                .filter(|other| other.0 != file)
                .map(|other| path_of(store, names, other.0).display().to_string())
                .collect();
            report.push(
                &path_of(store, names, file),
                (line > 0).then_some(line as usize),
                Gravity::Error,
                "duplicate-id",
                format!("id {} is also the id of {}", id, others.join(", ")),
            );
        }
    }
}

/// A follow-up must name a case of this store (matched as IDs are,
/// case-insensitively), looked up exactly in [`Ids`].
fn check_follow_ups(store: &Store, names: &CaseNames, ids: &Ids, follow_ups: &[FollowUp], report: &mut Report) {
    for follow_up in follow_ups {
        if !ids.contains(&follow_up.previous.to_ascii_uppercase()) {
            report.push(
                &path_of(store, names, follow_up.file),
                follow_up.line,
                Gravity::Warning,
                "unknown-case",
                format!(
                    "follow_up_of names {}, which is not a case in this store",
                    follow_up.previous
                ),
            );
        }
    }
}

/// A merged case must name a case of this store, of the same customer,
/// and its chain of merges must end (no loop): everything that names the
/// case follows that chain. Errors on the merged case's file.
fn check_merges(store: &Store, names: &CaseNames, merges: &[MergeLink], report: &mut Report) {
    let links: BTreeMap<&str, &MergeLink> = merges.iter().map(|link| (link.id.as_str(), link)).collect();
    for link in merges {
        let path = path_of(store, names, link.file);
        let target = crate::core::id::validate(&link.into)
            .ok()
            .and_then(|id| store.load(&id).ok());
        let Some(target) = target else {
            report.push(
                &path,
                link.line,
                Gravity::Error,
                "unknown-case",
                format!(
                    "merged_into names {}, which is not a case in this store (or cannot be read)",
                    link.into
                ),
            );
            continue;
        };
        if target.customer != link.customer {
            report.push(
                &path,
                link.line,
                Gravity::Error,
                "merge-customer",
                format!(
                    "merged into {}, a case of {}; {} is {}'s: a merge stays within one customer",
                    target.id, target.customer, link.id, link.customer
                ),
            );
        }
        let walked = lifecycle::end_of_merge_chain(&link.id, |id| Ok(links.get(id).map(|next| next.into.clone())));
        if let Err(Error::MergeChainLoop { chain, .. }) = walked {
            report.push(
                &path,
                link.line,
                Gravity::Error,
                "merge-loop",
                format!("its chain of merges does not end: {}", chain.join(" -> ")),
            );
        }
    }
}

/// A Message-ID names one message, so two cases opened by the same one are
/// the same e-mail opened twice (two clones that each took it in, merged):
/// replies thread to one of them only. A warning on each. Candidates are
/// found by hash; only they are read again, to compare exactly.
fn check_unique_message_ids(store: &Store, names: &CaseNames, mut message_ids: Vec<(u64, u32)>, report: &mut Report) {
    message_ids.sort_unstable();
    let mut groups: BTreeMap<String, Vec<(u32, Option<usize>)>> = BTreeMap::new();
    for run in message_ids.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        for &(_, file) in run {
            let path = path_of(store, names, file);
            let Ok(text) = store::read_text(&path) else { continue };
            let Some(case) = read_case(&path, &text) else { continue };
            if let Some(message_id) = case
                .message_id
                .as_deref()
                .and_then(crate::mail::intake::normalize_message_id)
            {
                groups
                    .entry(message_id)
                    .or_default()
                    .push((file, line_of_key(&text, "message_id")));
            }
        }
    }
    let mut found = Vec::new();
    for (message_id, group) in groups.iter().filter(|(_, g)| g.len() > 1) {
        for &(file, line) in group {
            let others: Vec<String> = group
                .iter()
                .filter(|(other, _)| *other != file)
                .map(|(other, _)| path_of(store, names, *other).display().to_string())
                .collect();
            found.push((file, line, message_id, others));
        }
    }
    found.sort_by_key(|(file, ..)| *file);
    for (file, line, message_id, others) in found {
        report.push(
            &path_of(store, names, file),
            line,
            Gravity::Warning,
            "duplicate-message-id",
            format!(
                "message_id <{}> is also the message_id of {}: one e-mail opened two cases",
                message_id,
                others.join(", ")
            ),
        );
    }
}

/// A case from its text: the fast reader when the file is in canonical
/// shape (it gives what the full parser gives), the full parser otherwise.
fn read_case(path: &Path, text: &str) -> Option<Case> {
    crate::format::fast_reader::read_case(text).or_else(|| crate::format::parse_case(path, text, None).ok())
}

/// Roster and customers: an active case's assignee must be on the roster
/// (nobody else can work it). Names in older events and closed cases may
/// have left the roster since, so those are warnings, as is a customer not
/// in config.yaml (`open` allows it: such a customer is on the standard plan).
/// Follow-ups are looked up across the store: [`check_follow_ups`].
fn check_references(path: &Path, case: &Case, text: &str, config: &Config, report: &mut Report) {
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
                format!("assignee {} is not on the roster in config.yaml", assignee),
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
                        assignee
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
                case.customer
            ),
        );
    }
    check_case_fields(path, case, text, config, report);
}

/// Tags, CC and customer corrections (format 3): a tag config.yaml no
/// longer lists and a correction to a customer it does not list are
/// warnings (the lists change; the history stays); an address copied on an
/// active case outside its customer's domains is an error (the desk does
/// not copy it on mail nor show it the case, and nobody would know why).
fn check_case_fields(path: &Path, case: &Case, text: &str, config: &Config, report: &mut Report) {
    for tag in case.tags.iter().filter(|t| !config.knows_tag(t)) {
        report.push(
            path,
            line_of_key(text, "tags"),
            Gravity::Warning,
            "unknown-tag",
            format!("tag {tag} is not in the tags of config.yaml"),
        );
    }
    for address in case.cc.iter().filter(|a| !config.is_address_of(&case.customer, a)) {
        let gravity = if case.status == Status::Closed {
            Gravity::Warning
        } else {
            Gravity::Error
        };
        report.push(
            path,
            line_of_key(text, "cc"),
            gravity,
            "cc-outside-domains",
            format!(
                "cc {address} is not at a domain of customer {} in config.yaml; it is neither copied on mail nor shown the case",
                case.customer
            ),
        );
    }
    for (index, event) in case.history.iter().enumerate() {
        if let Some(customer) = &event.customer {
            if config.customer(customer).is_none() && *customer != case.customer {
                report.push(
                    path,
                    line_of_event(text, index),
                    Gravity::Warning,
                    "unknown-customer",
                    format!("history event {index} sets customer {customer}, who is not in config.yaml"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{self, OpenRequest, Opening, Session};

    const CONFIG: &str =
        "analysts: [{id: alice, name: Alice, level: l1}]\ncustomers: [{name: Acme Corp, plan: plus}]\n";

    /// A store with one case of a known customer, opened by alice: its
    /// directory (kept alive), the store and the case's ID.
    fn store_with_a_case() -> (tempfile::TempDir, Store, String) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store.init(CONFIG).unwrap();
        let id = open(&store, OpenRequest::new("Acme Corp", "Login fails"));
        (dir, store, id)
    }

    fn session(store: &Store) -> Session {
        Session {
            store: store.clone(),
            actor: "alice".into(),
            now: crate::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap(),
            lock_wait: std::time::Duration::from_secs(1),
        }
    }

    fn open(store: &Store, request: OpenRequest) -> String {
        let Opening::Opened(opened) =
            operations::open(&session(store), request, operations::Enclosures::none(store)).unwrap()
        else {
            unreachable!("opened")
        };
        opened.case.id
    }

    fn case_path(store: &Store, id: &str) -> PathBuf {
        store.root().join(format!("{id}.yaml"))
    }

    /// Rewrites a case file's text.
    fn edit(store: &Store, id: &str, change: impl FnOnce(String) -> String) {
        let path = case_path(store, id);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, change(text)).unwrap();
    }

    /// The findings' (gravity, kind), in report order.
    fn kinds(report: &Report) -> Vec<(Gravity, &'static str)> {
        report.problems.iter().map(|p| (p.gravity, p.kind)).collect()
    }

    fn only(report: &Report, kind: &str) -> Problem {
        let found: Vec<&Problem> = report.problems.iter().filter(|p| p.kind == kind).collect();
        assert_eq!(found.len(), 1, "{:?}", report.problems);
        found[0].clone()
    }

    #[test]
    fn a_sound_store_has_no_finding() {
        let (_dir, store, _) = store_with_a_case();
        let report = check(&store).unwrap();
        assert_eq!(report.cases, 1);
        assert_eq!(kinds(&report), []);
        assert!(!report.fails(true));
    }

    #[test]
    fn a_directory_without_config_is_not_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let report = check(&Store::new(dir.path())).unwrap();
        assert_eq!(kinds(&report), [(Gravity::Error, "config")]);
        assert!(report.problems[0].message.starts_with("missing"));
        assert!(check(&Store::new(dir.path().join("absent"))).is_err());
    }

    #[test]
    fn a_config_with_a_conflict_marker_or_bad_yaml_is_an_error() {
        let (_dir, store, _) = store_with_a_case();
        fs::write(
            store.config_path(),
            format!("<<<<<<< ours\n{CONFIG}=======\n>>>>>>> theirs\n"),
        )
        .unwrap();
        let marker = only(&check(&store).unwrap(), "conflict-marker");
        assert_eq!((marker.gravity, marker.line), (Gravity::Error, Some(1)));
        fs::write(store.config_path(), "analysts: [\n").unwrap();
        assert_eq!(only(&check(&store).unwrap(), "config").gravity, Gravity::Error);
    }

    #[test]
    fn temp_files_are_notes_and_odd_names_warnings() {
        let (_dir, store, _) = store_with_a_case();
        fs::write(store.root().join(".RC-7K3QX9MT.yaml.1.abcdefgh.tmp"), "x").unwrap();
        fs::write(store.root().join("notes.yaml"), "x").unwrap();
        fs::write(store.root().join("readme.txt"), "x").unwrap();
        let report = check(&store).unwrap();
        assert_eq!(
            kinds(&report),
            [(Gravity::Note, "temp-file"), (Gravity::Warning, "file-name")]
        );
        assert_eq!(report.cases, 1);
        assert!(!report.fails(false) && report.fails(true));
    }

    #[test]
    fn a_case_file_that_is_a_link_is_refused_unread() {
        let (_dir, store, id) = store_with_a_case();
        let elsewhere = store.root().join("elsewhere.txt");
        fs::rename(case_path(&store, &id), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, case_path(&store, &id)).unwrap();
        let problem = only(&check(&store).unwrap(), "symlink");
        assert_eq!(problem.gravity, Gravity::Error);
        assert!(problem.path.ends_with(&format!("{id}.yaml")));
    }

    #[test]
    fn a_conflict_marker_in_a_case_stops_its_other_checks() {
        let (_dir, store, id) = store_with_a_case();
        edit(&store, &id, |text| {
            text.replacen("summary:", "<<<<<<< ours\nsummary:", 1)
        });
        let report = check(&store).unwrap();
        assert_eq!(kinds(&report), [(Gravity::Error, "conflict-marker")]);
        assert_eq!(report.problems[0].line, Some(2));
    }

    #[test]
    fn a_case_that_does_not_parse_is_an_error() {
        let (_dir, store, id) = store_with_a_case();
        edit(&store, &id, |text| text.replacen("summary:", "summary: [\n", 1));
        assert_eq!(kinds(&check(&store).unwrap()), [(Gravity::Error, "parse")]);
    }

    #[test]
    fn a_case_whose_id_is_not_its_name_is_an_error() {
        let (_dir, store, id) = store_with_a_case();
        let other = format!("{id}X");
        fs::rename(case_path(&store, &id), case_path(&store, &other)).unwrap();
        let problem = only(&check(&store).unwrap(), "id-mismatch");
        assert_eq!(problem.line, Some(1));
        assert!(problem
            .message
            .contains(&format!("does not match the file name {other}.yaml")));
    }

    #[test]
    fn a_state_its_history_does_not_give_is_named_key_by_key() {
        let (_dir, store, id) = store_with_a_case();
        edit(&store, &id, |text| {
            text.replacen("status: open", "status: at-investigation", 1)
        });
        let problem = only(&check(&store).unwrap(), "state-mismatch");
        assert_eq!(
            problem.message,
            "status is at-investigation, but replaying the history gives open"
        );
        assert_eq!(
            problem.line,
            line_of_key(&fs::read_to_string(case_path(&store, &id)).unwrap(), "status")
        );
    }

    #[test]
    fn a_history_the_life_cycle_refuses_is_an_error_at_its_event() {
        let (_dir, store, id) = store_with_a_case();
        edit(&store, &id, |text| text.replacen("action: open", "action: close", 1));
        let problem = only(&check(&store).unwrap(), "history");
        assert!(
            problem.message.starts_with("history event 0 (0-based)"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn two_files_holding_one_id_in_any_letter_case_are_duplicates() {
        let (_dir, store, id) = store_with_a_case();
        // A copy under another name, holding the same ID in lower case.
        let copy = format!("{}Z", id);
        let text = fs::read_to_string(case_path(&store, &id)).unwrap();
        fs::write(
            case_path(&store, &copy),
            text.replacen(&format!("id: {id}"), &format!("id: {}", id.to_lowercase()), 1),
        )
        .unwrap();
        let report = check(&store).unwrap();
        let duplicate = only(&report, "duplicate-id");
        assert!(
            duplicate.path.ends_with(&format!("{copy}.yaml")),
            "the original is not flagged"
        );
        assert!(duplicate.message.contains(&format!("{id}.yaml")));
        assert_eq!(only(&report, "id-mismatch").path, duplicate.path);
    }

    #[test]
    fn a_follow_up_of_no_case_in_the_store_is_a_warning() {
        let (_dir, store, id) = store_with_a_case();
        operations::close(
            &session(&store),
            &id,
            "Fixed".into(),
            operations::Enclosures::none(&store),
        )
        .unwrap();
        let mut request = OpenRequest::new("Acme Corp", "Again");
        request.follow_up_of = Some(id.clone());
        let follow_up = open(&store, request);
        assert_eq!(kinds(&check(&store).unwrap()), [], "the case it follows is there");
        fs::remove_file(case_path(&store, &id)).unwrap();
        let problem = only(&check(&store).unwrap(), "unknown-case");
        assert_eq!(problem.gravity, Gravity::Warning);
        assert!(problem.path.ends_with(&format!("{follow_up}.yaml")));
    }

    #[test]
    fn a_merge_into_a_missing_case_another_customer_or_a_loop_is_an_error() {
        let (_dir, store, id) = store_with_a_case();
        let target = open(&store, OpenRequest::new("Acme Corp", "The same, again"));
        operations::merge(&session(&store), &id, &target, None).unwrap();
        assert_eq!(kinds(&check(&store).unwrap()), [], "a merge as made is clean");

        // The target now belongs to another customer (a hand edit).
        let original = fs::read_to_string(case_path(&store, &target)).unwrap();
        edit(&store, &target, |text| {
            text.replacen("customer: Acme Corp", "customer: Globex", 1)
        });
        let problem = only(&check(&store).unwrap(), "merge-customer");
        assert_eq!(problem.gravity, Gravity::Error);
        assert!(problem.path.ends_with(&format!("{id}.yaml")), "{problem:?}");

        // The target merged back into the source: a loop.
        fs::write(case_path(&store, &target), &original).unwrap();
        edit(&store, &target, |text| {
            text.replacen("description:", &format!("merged_into: {id}\ndescription:"), 1)
        });
        let report = check(&store).unwrap();
        let loops: Vec<&Problem> = report.problems.iter().filter(|p| p.kind == "merge-loop").collect();
        assert_eq!(loops.len(), 2, "both files of the loop: {:?}", report.problems);
        assert!(loops[0].message.contains(" -> "), "{}", loops[0].message);

        // The target is gone.
        fs::remove_file(case_path(&store, &target)).unwrap();
        let problem = only(&check(&store).unwrap(), "unknown-case");
        assert_eq!(problem.gravity, Gravity::Error);
        assert!(problem.message.contains(&target), "{}", problem.message);
    }

    #[test]
    fn two_cases_opened_by_one_message_id_are_warned_about_both() {
        let (_dir, store, _) = store_with_a_case();
        for summary in ["First", "Second"] {
            let mut request = OpenRequest::new("Acme Corp", summary);
            request.message_id = Some("<same@mail.example>".into());
            open(&store, request);
            // The second open of one Message-ID is a redelivery: rename the
            // first away so that the store's own guard does not see it.
            if summary == "First" {
                let first = store.case_ids().unwrap().into_iter().find(|id| {
                    fs::read_to_string(case_path(&store, id))
                        .unwrap()
                        .contains("same@mail.example")
                });
                let first = first.unwrap();
                fs::rename(case_path(&store, &first), store.root().join("aside")).unwrap();
            }
        }
        let aside = fs::read_to_string(store.root().join("aside")).unwrap();
        let first_id = aside.lines().next().unwrap().trim_start_matches("id: ").to_string();
        fs::rename(store.root().join("aside"), case_path(&store, &first_id)).unwrap();
        let report = check(&store).unwrap();
        let warned: Vec<&Problem> = report
            .problems
            .iter()
            .filter(|p| p.kind == "duplicate-message-id")
            .collect();
        assert_eq!(warned.len(), 2, "{:?}", report.problems);
        assert!(warned.iter().all(|p| p.gravity == Gravity::Warning));
    }

    #[test]
    fn an_assignee_off_the_roster_is_an_error_while_active_and_a_warning_once_closed() {
        let (_dir, store, active) = store_with_a_case();
        let closed = open(&store, OpenRequest::new("Acme Corp", "Other"));
        operations::close(
            &session(&store),
            &closed,
            "Fixed".into(),
            operations::Enclosures::none(&store),
        )
        .unwrap();
        fs::write(
            store.config_path(),
            "analysts: [{id: bob, name: Bob, level: l1}]\ncustomers: [{name: Acme Corp, plan: plus}]\n",
        )
        .unwrap();
        let report = check(&store).unwrap();
        let mut found: Vec<(Gravity, bool)> = report
            .problems
            .iter()
            .filter(|p| p.kind == "unknown-analyst")
            .map(|p| (p.gravity, p.path.ends_with(&format!("{active}.yaml"))))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [(Gravity::Error, true), (Gravity::Warning, false)],
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn an_unknown_customer_is_a_warning() {
        let (_dir, store, _) = store_with_a_case();
        open(&store, OpenRequest::new("Initech", "Printer"));
        let problem = only(&check(&store).unwrap(), "unknown-customer");
        assert_eq!(problem.gravity, Gravity::Warning);
        assert!(problem.message.starts_with("customer Initech is not in config.yaml"));
    }

    #[test]
    fn unknown_tags_and_cc_outside_the_domains_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        store
            .init("tags: [ios]\ncustomers: [{name: Acme Corp, domains: [acme.example]}, {name: Globex, domains: [globex.example]}]\n")
            .unwrap();
        let id = open(&store, OpenRequest::new("Acme Corp", "Push"));
        let session = Session {
            store: store.clone(),
            actor: "alice".into(),
            now: crate::core::time::parse_instant("2026-11-19T11:00:00Z").unwrap(),
            lock_wait: std::time::Duration::from_secs(1),
        };
        operations::tag(&session, &id, &["+ios".into()], None).unwrap();
        operations::cc(&session, &id, &["bo@acme.example".into()], &[], None).unwrap();
        assert!(check(&store).unwrap().problems.is_empty());
        operations::set_customer(&session, &id, "globex", None).unwrap();
        fs::write(
            store.config_path(),
            "customers: [{name: Acme Corp, domains: [acme.example]}, {name: Globex, domains: [globex.example]}]\n",
        )
        .unwrap();
        let report = check(&store).unwrap();
        assert_eq!(only(&report, "unknown-tag").gravity, Gravity::Warning);
        let outside = only(&report, "cc-outside-domains");
        assert_eq!(outside.gravity, Gravity::Error);
        assert!(outside.message.contains("bo@acme.example"), "{}", outside.message);
    }

    #[test]
    fn a_derived_lock_that_is_a_link_is_an_error() {
        let (_dir, store, _) = store_with_a_case();
        let derived = store.root().join(crate::store::DERIVED_DIR);
        fs::create_dir_all(&derived).unwrap();
        let _ = fs::remove_file(derived.join("lock"));
        std::os::unix::fs::symlink("/dev/null", derived.join("lock")).unwrap();
        assert_eq!(only(&check(&store).unwrap(), "derived-dir").gravity, Gravity::Error);
    }
}
