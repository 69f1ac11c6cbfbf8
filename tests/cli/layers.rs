//! The library's folders are layers, and this test holds their order:
//!
//! ```text
//! core < format < store, git, mail < views < operations < portal < cli
//! ```
//!
//! Each folder may import only the folders its allow-list names (below it in
//! that order; `store`, `git` and `mail` sit side by side and `mail` may read
//! the store). Inside a folder, no two files import each other, directly or
//! through others. Read from the sources: every `crate::x::y` and `super::y`
//! outside comments is an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// What each top-level folder of `src/` may import, besides itself.
const ALLOWED: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("format", &["core"]),
    ("store", &["core", "format"]),
    ("git", &["core", "format"]),
    ("mail", &["core", "format", "store"]),
    ("views", &["core", "format", "store", "git", "mail"]),
    ("operations", &["core", "format", "store", "git", "mail", "views"]),
    (
        "portal",
        &["core", "format", "store", "git", "mail", "views", "operations"],
    ),
    (
        "cli",
        &[
            "core",
            "format",
            "store",
            "git",
            "mail",
            "views",
            "operations",
            "portal",
        ],
    ),
];

/// A source file: its path under `src/` as module segments
/// (`src/store/index.rs` is `["store", "index"]`, `src/store/mod.rs` is
/// `["store"]`), and its text without comments.
struct Source {
    segments: Vec<String>,
    is_mod: bool,
    code: String,
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The code before a file's `#[cfg(test)] mod`: unit tests may reach
/// anywhere below the front ends to set up what they check.
fn without_tests(code: &str) -> String {
    match code.find("#[cfg(test)]\nmod ") {
        Some(at) => code[..at].to_string(),
        None => code.to_string(),
    }
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut stack: Vec<PathBuf> = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).expect("under src");
            let mut segments: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            let is_mod = segments.last().is_some_and(|s| s == "mod");
            if is_mod {
                segments.pop();
            }
            found.push(Source {
                segments,
                is_mod,
                code: without_tests(&strip_comments(&fs::read_to_string(&path).expect("read source"))),
            });
        }
    }
    found.sort_by(|a, b| a.segments.cmp(&b.segments));
    found
}

fn ident(rest: &str) -> String {
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Every path `code` names after `prefix` (`crate::` or `super::`), as
/// segments, with groups (`{a::b, c}`) expanded one level deep per item.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == ':') {
            continue;
        }
        found.extend(expand(&code[at + prefix.len()..]));
    }
    found
}

/// The paths of one use-tree: `a::b::C`, or `a::{b::C, d}`.
fn expand(rest: &str) -> Vec<Vec<String>> {
    let mut head = Vec::new();
    let mut rest = rest;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut items = Vec::new();
            let mut depth = 0usize;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        items.push(&group[start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&group[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return items
                .into_iter()
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .flat_map(|item| {
                    expand(item).into_iter().map(|tail| {
                        let mut path = head.clone();
                        path.extend(tail);
                        path
                    })
                })
                .collect();
        }
        let name = ident(rest);
        if name.is_empty() {
            return vec![head];
        }
        rest = &rest[name.len()..];
        head.push(name);
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => return vec![head],
        }
    }
}

/// The file a path from the crate root lands in: the longest prefix that is
/// a file, and, for a name defined in a sibling file and re-exported by a
/// folder's `mod.rs`, that sibling.
fn resolve(files: &[Source], path: &[String]) -> Option<usize> {
    let longest = (1..=path.len())
        .rev()
        .find_map(|n| files.iter().position(|f| f.segments == path[..n]))?;
    let file = &files[longest];
    let consumed = file.segments.len();
    if file.is_mod && path.len() > consumed {
        let name = &path[consumed];
        let definers: Vec<usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.segments.len() == consumed + 1
                    && f.segments[..consumed] == file.segments[..]
                    && defines(&f.code, name)
            })
            .map(|(i, _)| i)
            .collect();
        if definers.len() == 1 {
            return Some(definers[0]);
        }
    }
    Some(longest)
}

fn defines(code: &str, name: &str) -> bool {
    ["fn", "struct", "enum", "const", "type", "trait", "static"]
        .iter()
        .any(|kind| code.contains(&format!("pub {kind} {name}")) || code.contains(&format!("pub(crate) {kind} {name}")))
}

/// Every file-to-file edge, as indices into `files`.
fn edges(files: &[Source]) -> BTreeMap<usize, BTreeSet<usize>> {
    let mut graph: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        let mut targets = BTreeSet::new();
        for path in paths_after(&file.code, "crate::") {
            targets.extend(resolve(files, &path));
        }
        // `super::` is the parent module: the folder for a plain file, the
        // folder above for a mod.rs.
        let parent: Vec<String> = if file.is_mod {
            file.segments[..file.segments.len().saturating_sub(1)].to_vec()
        } else {
            file.segments[..file.segments.len() - 1].to_vec()
        };
        for path in paths_after(&file.code, "super::") {
            let mut full = parent.clone();
            full.extend(path);
            targets.extend(resolve(files, &full));
        }
        targets.remove(&i);
        graph.insert(i, targets);
    }
    graph
}

fn name(file: &Source) -> String {
    if file.segments.is_empty() {
        "lib".into()
    } else {
        file.segments.join("/")
    }
}

fn folder(file: &Source) -> Option<&str> {
    file.segments.first().map(String::as_str)
}

/// A cycle through `start` among `graph`'s edges kept by `keep`, if any.
fn cycle_from(
    graph: &BTreeMap<usize, BTreeSet<usize>>,
    start: usize,
    keep: &dyn Fn(usize, usize) -> bool,
) -> Option<Vec<usize>> {
    fn walk(
        graph: &BTreeMap<usize, BTreeSet<usize>>,
        start: usize,
        keep: &dyn Fn(usize, usize) -> bool,
        path: &mut Vec<usize>,
        seen: &mut BTreeSet<usize>,
    ) -> Option<Vec<usize>> {
        let here = *path.last().expect("a path");
        for &next in graph.get(&here).into_iter().flatten() {
            if !keep(here, next) {
                continue;
            }
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next);
                return Some(cycle);
            }
            if seen.insert(next) {
                path.push(next);
                if let Some(cycle) = walk(graph, start, keep, path, seen) {
                    return Some(cycle);
                }
                path.pop();
            }
        }
        None
    }
    walk(graph, start, keep, &mut vec![start], &mut BTreeSet::new())
}

#[test]
fn every_folder_imports_only_the_folders_below_it() {
    let files = sources();
    let graph = edges(&files);
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut broken = Vec::new();
    for (i, file) in files.iter().enumerate() {
        // The crate roots and the snapshot tests stand above every layer.
        let Some(from) = folder(file).filter(|_| file.segments.len() > 1 || file.is_mod) else {
            continue;
        };
        let Some(may) = allowed.get(from) else {
            broken.push(format!("{}: a folder the layer list does not name", name(file)));
            continue;
        };
        for &target in &graph[&i] {
            let Some(to) = folder(&files[target]) else { continue };
            if to != from && !may.contains(&to) {
                broken.push(format!("{} imports {}", name(file), name(&files[target])));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layer order:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_library_root_holds_only_the_layer_folders() {
    let files = sources();
    let loose: Vec<String> = files
        .iter()
        .filter(|f| f.segments.len() == 1 && !f.is_mod)
        .map(name)
        .filter(|n| !["lib", "main", "snapshot_tests"].contains(&n.as_str()))
        .collect();
    assert!(loose.is_empty(), "loose files in src/: {loose:?}");
    let folders: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.is_mod && f.segments.len() == 1)
        .filter_map(folder)
        .collect();
    let listed: BTreeSet<&str> = ALLOWED.iter().map(|(f, _)| *f).collect();
    assert_eq!(folders, listed, "the folders of src/ and the layer list differ");
}

/// Whether `outer` is the `mod.rs` of a folder that holds `inner`: a folder's
/// face re-exports its files and they use its shared items, which is no
/// cycle between two files.
fn encloses(outer: &Source, inner: &Source) -> bool {
    outer.is_mod && inner.segments.len() > outer.segments.len() && inner.segments.starts_with(&outer.segments)
}

#[test]
fn no_two_files_import_each_other_even_through_others() {
    let files = sources();
    let graph = edges(&files);
    assert!(files.len() > 50, "the sources were found: {}", files.len());
    let cycles: Vec<String> = (0..files.len())
        .filter_map(|start| {
            cycle_from(&graph, start, &|a, b| {
                !encloses(&files[a], &files[b]) && !encloses(&files[b], &files[a])
            })
        })
        .map(|cycle| cycle.iter().map(|&i| name(&files[i])).collect::<Vec<_>>().join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles between files:\n{}", cycles.join("\n"));
}

#[test]
fn the_scan_finds_plain_grouped_and_nested_references_but_not_comments() {
    let text = strip_comments(
        "use crate::store::Store;\nuse crate::{format::{parse_case, to_yaml}, core::case};\nlet x = crate::core::time::now();\n// crate::cli is only named here\nuse super::crate_like::x;\n",
    );
    let found: Vec<String> = paths_after(&text, "crate::")
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        found,
        [
            "store::Store",
            "format::parse_case",
            "format::to_yaml",
            "core::case",
            "core::time::now"
        ]
    );
    let sup: Vec<String> = paths_after(&text, "super::")
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(sup, ["crate_like::x"]);
}
