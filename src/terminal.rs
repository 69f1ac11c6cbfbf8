//! Untrusted text (summaries, messages) made safe for a terminal: control
//! characters, escape sequences and bidi overrides are shown escaped, never
//! sent raw. JSON and YAML output carry the exact text instead.

use std::fmt::Write;

fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width and directional marks
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061C}' | '\u{FEFF}'
        )
}

fn escape(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' if keep_newlines => out.push('\t'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_dangerous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for one table cell or one line: newlines become `\n`.
pub fn escape_line(text: &str) -> String {
    escape(text, false)
}

/// Escapes a multi-line block (a description, a message in `show`): newlines
/// and tabs stay, every other control character is escaped.
pub fn escape_block(text: &str) -> String {
    escape(text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_ansi_osc_cr_and_bidi() {
        assert_eq!(escape_line("a\u{1b}[31mred"), "a\\e[31mred");
        assert_eq!(escape_line("x\u{1b}]0;title\u{7}"), "x\\e]0;title\\u{7}");
        assert_eq!(escape_line("ok\rfake"), "ok\\rfake");
        assert_eq!(escape_line("abc\u{202E}def"), "abc\\u{202e}def");
        assert_eq!(escape_line("two\nlines"), "two\\nlines");
        assert_eq!(escape_block("two\nlines\u{9b}"), "two\nlines\\u{9b}");
        assert_eq!(escape_line("Ação — ok"), "Ação — ok");
    }
}
