//! The nesting guard: YAML nested too deep is refused before it reaches the
//! YAML parser.

/// YAML nested deeper than this is refused before it reaches the YAML
/// parser. The files the program writes nest three deep; the parser's cost
/// grows with the square of flow nesting (`[[[[...`), so a hostile file nested
/// thousands deep inside the size cap would otherwise take minutes to refuse.
pub const MAX_NESTING: usize = 64;

/// The 1-based line where the YAML nesting first exceeds [`MAX_NESTING`].
///
/// A small scanner that over-estimates, never under-estimates, what the YAML
/// parser will nest: every bracket inside a flow collection counts, as do
/// brackets and the compact indicators `- ` and `? ` where a node starts;
/// text inside quoted scalars, block scalars and comments does not count, so
/// the program's own files (any summary, any description) always pass.
pub(super) fn too_deep_line(text: &str) -> Option<usize> {
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    // While inside a block scalar (`|`, `>`): the column its content must pass.
    let mut block_scalar_parent: Option<usize> = None;
    let mut node_start = true;
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar_parent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar_parent = None;
        }
        if quote.is_none() && flow == 0 {
            node_start = true;
        }
        let mut rest = &line[indent..];
        if quote.is_none() && flow == 0 && (rest == "---" || rest.starts_with("--- ")) {
            rest = &rest[3..];
        }
        let mut compact = 0usize;
        let mut previous = ' ';
        let mut chars = rest.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if let Some(q) = quote {
                if c == q && q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                } else if c == q {
                    quote = None;
                    node_start = false;
                } else if q == '"' && c == '\\' {
                    chars.next();
                }
                previous = c;
                continue;
            }
            let blank_after = chars.peek().is_none_or(|(_, n)| *n == ' ' || *n == '\t');
            match c {
                ' ' | '\t' => {}
                '#' if previous == ' ' || previous == '\t' => break,
                '\'' | '"' if node_start => quote = Some(c),
                '[' | '{' if node_start || flow > 0 => {
                    flow += 1;
                    node_start = true;
                    if flow > MAX_NESTING {
                        return Some(index + 1);
                    }
                }
                ']' | '}' if flow > 0 => {
                    flow -= 1;
                    node_start = false;
                }
                ',' if flow > 0 => node_start = true,
                '-' | '?' if node_start && blank_after => {
                    compact += 1;
                    if compact > MAX_NESTING {
                        return Some(index + 1);
                    }
                }
                ':' if blank_after => node_start = true,
                '|' | '>' if node_start && flow == 0 => {
                    // The content must be indented past the node holding it.
                    let before = &rest[..at];
                    let holder = before.trim_start_matches(['-', '?', ' ']);
                    block_scalar_parent = Some(line.len() - rest.len() + before.len() - holder.len());
                    break;
                }
                '&' | '!' if node_start => {
                    while chars.peek().is_some_and(|(_, n)| *n != ' ' && *n != '\t') {
                        chars.next();
                    }
                }
                _ => node_start = false,
            }
            previous = c;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::parse_yaml;
    use std::path::Path;

    #[test]
    fn deep_flow_nesting_is_found_on_its_line() {
        let deep = format!("id: x\nsummary: {}\n", "[".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep_line(&deep), Some(2));
        let across_lines = format!("a:\n{}", "[\n".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep_line(&across_lines), Some(MAX_NESTING + 2));
        let compact = format!("{}x\n", "- ".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep_line(&compact), Some(1));
        let after_anchor = format!("a: &x {}\n", "{".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep_line(&after_anchor), Some(1));
        let after_quote_in_flow = format!("a: [b'{}\n", "[".repeat(MAX_NESTING));
        assert_eq!(too_deep_line(&after_quote_in_flow), Some(1));
    }

    #[test]
    fn brackets_in_text_are_not_nesting() {
        let many = "[{".repeat(10 * MAX_NESTING);
        let case = format!(
            "summary: a {many}\nplain: x - - - - {many}\nquoted: '{many}'\ndq: \"\\\"{many}\"\ndescription: |-\n  {many}\n\n  {many}\n# {many}\nhistory:\n- at: x\n  message: >\n    {many}\n"
        );
        assert_eq!(too_deep_line(&case), None, "{case}");
    }

    #[test]
    fn every_string_the_program_writes_reads_back() {
        let nasty = [
            "[[[[[[[[[[",
            "'[[[",
            "\"{{{{",
            "- - - -",
            "x: [",
            "|\n[[[[",
            "#[[[",
            "\\",
        ];
        for piece in nasty {
            let text: String = std::iter::repeat_n(piece, 20).collect::<Vec<_>>().join("\n ");
            let yaml = serde_yaml::to_string(&std::collections::BTreeMap::from([("summary", text.as_str())]))
                .expect("serialize");
            assert_eq!(too_deep_line(&yaml), None, "{yaml}");
            let back: std::collections::BTreeMap<String, String> = parse_yaml(Path::new("x"), &yaml).expect("parse");
            assert_eq!(back["summary"], text);
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Nothing a customer can type makes their own case unreadable.
        #[test]
        fn any_text_written_as_yaml_passes_the_nesting_scan(text in "[\\[\\]{}'\"|>:#&!?, \\n\\t\\\\a-z-]{0,200}") {
            let yaml = serde_yaml::to_string(&std::collections::BTreeMap::from([("summary", text.as_str()), ("description", text.as_str())]))
                .expect("serialize");
            prop_assert_eq!(too_deep_line(&yaml), None, "{}", yaml);
        }
    }
}
