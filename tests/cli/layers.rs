//! The library's modules form layers: no two import each other, directly or
//! through others, and nothing imports the command line (`cli` is the top
//! layer and may import anything). Read from the sources: every `crate::x`
//! of a file under `src/` is an edge from its top-level module to `x`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level module of each file under `src/` (`src/store/index.rs`
/// belongs to `store`), except the crate roots `lib.rs` and `main.rs`.
fn files_by_module(src: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
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
            let relative = path.strip_prefix(src).expect("under src");
            let first = relative.components().next().expect("a component");
            let first = first.as_os_str().to_string_lossy();
            let module = first.strip_suffix(".rs").unwrap_or(&first).to_string();
            if module != "lib" && module != "main" {
                files.push((module, path));
            }
        }
    }
    files.sort();
    files
}

/// The modules `text` names as `crate::x` or inside `crate::{x, y::z}`,
/// outside comments.
fn references(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |rest: &str| -> String {
        rest.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The first name of each item at the group's own depth.
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 0 => {
                        found.insert(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = files_by_module(&src);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for (module, path) in &files {
        let text = fs::read_to_string(path).expect("read source");
        for target in references(&text) {
            if modules.contains(&target) && &target != module {
                graph.get_mut(module).expect("known module").insert(target);
            }
        }
    }
    graph
}

/// A cycle through `start`, as the list of modules along it, if any.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        let here = path.last().expect("a path").clone();
        for next in &graph[&here] {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if let Some(cycle) = walk(graph, start, path, seen) {
                    return Some(cycle);
                }
                path.pop();
            }
        }
        None
    }
    walk(graph, start, &mut vec![start.to_string()], &mut BTreeSet::new())
}

#[test]
fn no_two_library_modules_import_each_other_even_through_others() {
    let graph = module_graph();
    assert!(graph.len() > 10, "the sources were found: {graph:?}");
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|module| cycle_from(&graph, module))
        .map(|cycle| cycle.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "import cycles between modules:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn nothing_below_the_command_line_imports_it() {
    let graph = module_graph();
    assert!(graph.contains_key("cli"), "{graph:?}");
    let importers: Vec<&String> = graph
        .iter()
        .filter(|(module, targets)| *module != "cli" && targets.contains("cli"))
        .map(|(module, _)| module)
        .collect();
    assert!(importers.is_empty(), "modules importing cli: {importers:?}");
}

#[test]
fn the_scan_finds_plain_grouped_and_nested_references_but_not_comments() {
    let text = "use crate::store::Store;\nuse crate::{format::{parse_case, to_yaml}, case};\nlet x = crate::time::now();\n// crate::cli is only named here\nuse super::crate_like::x;\n";
    let found: Vec<String> = references(text).into_iter().collect();
    assert_eq!(found, ["case", "format", "store", "time"]);
}
