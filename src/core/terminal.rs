//! Untrusted text (summaries, messages) made safe for a terminal: control
//! characters, escape sequences, bidi overrides and invisible characters are
//! shown escaped, never sent raw. JSON and YAML output carry the exact text instead.

use std::fmt::Write;

fn is_dangerous(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// Characters that draw nothing, or change how their neighbours draw, so
/// that what the terminal shows is not the text: Unicode's general category
/// Cf (format: zero-width spaces and joiners, soft hyphen, bidi controls,
/// invisible operators, interlinear annotation, tags) and the
/// Default_Ignorable_Code_Point property (Hangul fillers, the combining
/// grapheme joiner, Khmer inherent vowels, variation selectors), plus the
/// line and paragraph separators. Unicode 16.
///
/// The emoji and text presentation selectors U+FE0E and U+FE0F stay: they
/// only choose how the character before them is drawn, and they follow most
/// emoji people type (`❤️`).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' // soft hyphen
        | '\u{034F}' // combining grapheme joiner
        | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' // Arabic, Syriac format marks
        | '\u{0890}'..='\u{0891}' | '\u{08E2}'
        | '\u{115F}'..='\u{1160}' // Hangul choseong and jungseong fillers
        | '\u{17B4}'..='\u{17B5}' // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}' // Mongolian variation selectors and vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space, joiners, directional marks
        | '\u{2028}'..='\u{202E}' // line and paragraph separators, bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}' // word joiner, invisible operators, bidi isolates, deprecated format
        | '\u{3164}' // Hangul filler
        | '\u{FE00}'..='\u{FE0D}' // variation selectors 1 to 14
        | '\u{FEFF}' // zero-width no-break space (byte-order mark)
        | '\u{FFA0}' // halfwidth Hangul filler
        | '\u{FFF0}'..='\u{FFFB}' // unassigned ignorables, interlinear annotation
        | '\u{110BD}' | '\u{110CD}' // Kaithi number signs
        | '\u{13430}'..='\u{1343F}' // Egyptian hieroglyph format controls
        | '\u{1BCA0}'..='\u{1BCA3}' // shorthand format controls
        | '\u{1D173}'..='\u{1D17A}' // musical beam and phrase controls
        | '\u{E0000}'..='\u{E0FFF}' // tags and variation selectors 17 to 256
    )
}

/// Untrusted text for a web page: bidi overrides, invisible and control
/// characters (but line breaks and tabs) shown escaped (`\u{202e}`), as on
/// a terminal, so that "Invoice\u{202e}fdp.exe" cannot show as
/// "Invoiceexe.pdf". The page's template still escapes the HTML.
pub fn for_page(text: &str) -> String {
    escape(text, true)
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

/// The longest attachment name `show` prints, in characters.
pub const MAX_SHOWN_NAME_CHARS: usize = 100;

/// An attachment's name for display: cut to [`MAX_SHOWN_NAME_CHARS`]
/// (not yet escaped).
pub fn attachment_name_for_display(name: &str) -> String {
    let mut shown: String = name.chars().take(MAX_SHOWN_NAME_CHARS).collect();
    if name.chars().count() > MAX_SHOWN_NAME_CHARS {
        shown.push('…');
    }
    shown
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

    #[test]
    fn every_format_character_is_escaped() {
        // Unicode 16's general category Cf, range by range.
        let format_ranges = [
            (0x00AD, 0x00AD),
            (0x0600, 0x0605),
            (0x061C, 0x061C),
            (0x06DD, 0x06DD),
            (0x070F, 0x070F),
            (0x0890, 0x0891),
            (0x08E2, 0x08E2),
            (0x180E, 0x180E),
            (0x200B, 0x200F),
            (0x202A, 0x202E),
            (0x2060, 0x2064),
            (0x2066, 0x206F),
            (0xFEFF, 0xFEFF),
            (0xFFF9, 0xFFFB),
            (0x110BD, 0x110BD),
            (0x110CD, 0x110CD),
            (0x13430, 0x1343F),
            (0x1BCA0, 0x1BCA3),
            (0x1D173, 0x1D17A),
            (0xE0001, 0xE0001),
            (0xE0020, 0xE007F),
        ];
        for (first, last) in format_ranges {
            for code in first..=last {
                let c = char::from_u32(code).expect("a character");
                assert_eq!(escape_line(&format!("a{c}b")), format!("a\\u{{{code:x}}}b"));
            }
        }
    }

    #[test]
    fn invisible_fillers_and_selectors_are_escaped_but_emoji_presentation_stays() {
        for c in [
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
            '\u{034F}',
            '\u{FE00}',
            '\u{E0100}',
            '\u{E01EF}',
        ] {
            assert_eq!(escape_block(&c.to_string()), format!("\\u{{{:x}}}", c as u32));
        }
        assert_eq!(
            escape_line("\u{2764}\u{FE0F} ok \u{263A}\u{FE0E}"),
            "\u{2764}\u{FE0F} ok \u{263A}\u{FE0E}"
        );
        assert_eq!(escape_line("한국어 日本語 ⠀"), "한국어 日本語 ⠀");
    }
}
