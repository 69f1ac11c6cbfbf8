//! Reads a case's [`Digest`] from its file text without a full YAML parse.
//!
//! Listing 100,000 cases on a fresh clone must stay within a few times the
//! cost of reading the files, and a general YAML parser is ten times slower
//! than that. Case files are written in one canonical shape, so this reader
//! understands exactly that shape: block mappings of `key: scalar` lines,
//! plain, quoted and literal-block scalars. Whenever the text strays from it
//! (a hand edit with comments, flow style, an unknown or repeated key, a
//! scalar that YAML would read as something other than a string) it returns
//! `None`, and the caller falls back to the full parser, whose answer is
//! authoritative. It never accepts a file the full parser would refuse.

use crate::core::case::{Case, Event};
use crate::core::digest::Digest;
use crate::core::list_change::ListChange;
use crate::core::time::parse_instant;
use crate::core::vocabulary::{ActionKind, Channel, Impact, Level, Severity, Status};
use chrono::{DateTime, Utc};
use std::borrow::Cow;

const CASE_KEYS: &[&str] = &[
    "id",
    "summary",
    "customer",
    "email",
    "channel",
    "severity",
    "status",
    "level",
    "assignee",
    "impact",
    "created_at",
    "updated_at",
    "waiting_since",
    "escalated_at",
    "first_response_at",
    "resolution",
    "follow_up_of",
    "message_id",
    "description",
];

const EVENT_KEYS: &[&str] = &[
    "at",
    "actor",
    "action",
    "from",
    "to",
    "message",
    "level",
    "assignee",
    "severity",
    "impact",
    "message_id",
    "customer",
];

/// Keys whose text is only checked, never used: building it would be waste.
fn is_unused(key: &str) -> bool {
    matches!(key, "description" | "actor" | "message")
}

/// The position of a key in its list. A `match` rather than a search: this
/// runs for every line of every case file on a fresh clone.
fn position(keys: &[&str], key: &str) -> Option<usize> {
    if std::ptr::eq(keys, CASE_KEYS) {
        return Some(match key {
            "id" => 0,
            "summary" => 1,
            "customer" => 2,
            "email" => 3,
            "channel" => 4,
            "severity" => 5,
            "status" => 6,
            "level" => 7,
            "assignee" => 8,
            "impact" => 9,
            "created_at" => 10,
            "updated_at" => 11,
            "waiting_since" => 12,
            "escalated_at" => 13,
            "first_response_at" => 14,
            "resolution" => 15,
            "follow_up_of" => 16,
            "message_id" => 17,
            "description" => 18,
            _ => return None,
        });
    }
    Some(match key {
        "at" => 0,
        "actor" => 1,
        "action" => 2,
        "from" => 3,
        "to" => 4,
        "message" => 5,
        "level" => 6,
        "assignee" => 7,
        "severity" => 8,
        "impact" => 9,
        "message_id" => 10,
        "customer" => 11,
        _ => return None,
    })
}

/// One mapping's values, by position in its key list, and its lists of
/// strings (`tags`, `cc`), format 3.
struct Fields<'a> {
    keys: &'static [&'static str],
    values: Vec<Option<Cow<'a, str>>>,
    tags: Option<Vec<String>>,
    cc: Option<Vec<String>>,
}

impl<'a> Fields<'a> {
    fn new(keys: &'static [&'static str]) -> Self {
        Fields {
            keys,
            values: vec![None; keys.len()],
            tags: None,
            cc: None,
        }
    }

    /// Stores a list of strings; `None` for another key or a repeated one.
    fn set_list(&mut self, key: &str, items: Vec<String>) -> Option<()> {
        let slot = match key {
            "tags" => &mut self.tags,
            "cc" => &mut self.cc,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(items);
        Some(())
    }

    /// Stores a value; `None` for an unknown or repeated key.
    fn set(&mut self, key: &str, value: Cow<'a, str>) -> Option<()> {
        let index = position(self.keys, key)?;
        if self.values[index].is_some() {
            return None;
        }
        self.values[index] = Some(value);
        Some(())
    }

    fn get(&self, key: &str) -> Option<&str> {
        let index = position(self.keys, key)?;
        self.values[index].as_deref()
    }

    fn take(&mut self, key: &str) -> Option<String> {
        let index = position(self.keys, key)?;
        self.values[index].take().map(Cow::into_owned)
    }
}

struct Lines<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Lines<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.lines.get(self.next).copied()
    }

    fn advance(&mut self) -> Option<&'a str> {
        let line = self.peek()?;
        self.next += 1;
        Some(line)
    }
}

/// Whether the text holds a character left to the full parser: those YAML
/// refuses anywhere in a file (C0 and C1 controls, DEL, U+FFFE, U+FFFF: the
/// file is invalid), those it treats as line breaks or layout (NEL and the
/// Unicode line and paragraph separators fold inside quoted scalars), tabs,
/// carriage returns and byte-order marks. One pass over the bytes: this runs
/// on every case file of a fresh clone.
fn has_unusual_characters(bytes: &[u8]) -> bool {
    // First, in blocks the compiler vectorizes, whether any byte could start
    // one (a control, DEL, or the lead byte 0xc2, 0xe2 or 0xef): most case
    // files have none, and the exact walk below is five times slower.
    let suspect = |b: u8| (b < 0x20 && b != b'\n') | (b == 0x7f) | (b == 0xc2) | (b == 0xe2) | (b == 0xef);
    let any_suspect = bytes
        .chunks(64)
        .any(|block| block.iter().fold(false, |found, &b| found | suspect(b)));
    if !any_suspect {
        return false;
    }
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\n' => false,
        0..=0x1f | 0x7f => true,
        // U+0080..U+009F: C1 controls, NEL among them.
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        // U+2028, U+2029.
        0xe2 => matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xa8 | 0xa9])),
        // U+FEFF, U+FFFE, U+FFFF.
        0xef => matches!(bytes.get(i + 1..i + 3), Some([0xbb, 0xbf] | [0xbf, 0xbe | 0xbf])),
        _ => false,
    })
}

/// Reads a summary from canonical case text; `None` means "use the full parser".
pub fn read_digest(text: &str) -> Option<Digest> {
    let (case, events) = read_fields(text, false)?;
    build(case, events)
}

/// Reads a whole case from canonical case text, every text kept; `None`
/// means "use the full parser". When it gives a case, it is the case the
/// full parser gives (`check` relies on it to validate a large store fast).
pub fn read_case(text: &str) -> Option<Case> {
    let (case, events) = read_fields(text, true)?;
    build_case(case, events)
}

/// The case's and the events' fields, in canonical shape only. With
/// `keep_all` false the texts no summary needs are checked but not built.
fn read_fields(text: &str, keep_all: bool) -> Option<(Fields<'_>, Vec<Fields<'_>>)> {
    if has_unusual_characters(text.as_bytes()) {
        return None;
    }
    let mut lines = Lines {
        lines: text.split('\n').collect(),
        next: 0,
    };
    // A final newline leaves one empty last element.
    if lines.lines.last() == Some(&"") {
        lines.lines.pop();
    }
    let mut case = Fields::new(CASE_KEYS);
    let mut events: Vec<Fields> = Vec::new();
    let mut saw_history = false;
    while let Some(line) = lines.advance() {
        if saw_history {
            return None;
        }
        let (key, rest) = split_key(line)?;
        if rest.is_empty() && matches!(key, "tags" | "cc") {
            let items = list_items(&mut lines, "- ")?;
            case.set_list(key, items)?;
            continue;
        }
        if key == "history" {
            if !rest.is_empty() {
                return None;
            }
            saw_history = true;
            while lines.peek().is_some_and(|l| l.starts_with("- ")) {
                events.push(event(&mut lines, keep_all)?);
            }
            continue;
        }
        let value = scalar(rest, &mut lines, 0, keep_all || !is_unused(key))?;
        case.set(key, value)?;
    }
    if !saw_history || events.is_empty() {
        return None;
    }
    Some((case, events))
}

fn event<'a>(lines: &mut Lines<'a>, keep_all: bool) -> Option<Fields<'a>> {
    let mut fields = Fields::new(EVENT_KEYS);
    let first = lines.advance()?.strip_prefix("- ")?;
    let (key, rest) = split_key(first)?;
    let value = scalar(rest, lines, 2, keep_all || !is_unused(key))?;
    fields.set(key, value)?;
    while let Some(line) = lines.peek() {
        let Some(inner) = line.strip_prefix("  ") else { break };
        if inner.starts_with(' ') {
            return None;
        }
        lines.advance();
        let (key, rest) = split_key(inner)?;
        if rest.is_empty() && matches!(key, "tags" | "cc") {
            let items = list_items(lines, "  - ")?;
            fields.set_list(key, items)?;
            continue;
        }
        let value = scalar(rest, lines, 2, keep_all || !is_unused(key))?;
        fields.set(key, value)?;
    }
    Some(fields)
}

/// The items of a block sequence of plain or quoted one-line strings, each
/// line starting with `prefix`; `None` for an empty one or anything else.
fn list_items(lines: &mut Lines<'_>, prefix: &str) -> Option<Vec<String>> {
    let mut items = Vec::new();
    while let Some(item) = lines.peek().and_then(|l| l.strip_prefix(prefix)) {
        lines.advance();
        if item.starts_with(['|', '>']) {
            return None;
        }
        let mut none = Lines {
            lines: Vec::new(),
            next: 0,
        };
        items.push(scalar(item, &mut none, 0, true)?.into_owned());
    }
    (!items.is_empty()).then_some(items)
}

/// `key: rest` or `key:` at the start of a line.
fn split_key(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let rest = &line[colon + 1..];
    if rest.is_empty() {
        return Some((key, ""));
    }
    Some((key, rest.strip_prefix(' ')?))
}

/// A scalar value starting at `rest`; block scalars consume following lines
/// indented deeper than `indent`. With `keep` false the text is checked but
/// not built (an empty string stands for it).
fn scalar<'a>(rest: &'a str, lines: &mut Lines<'a>, indent: usize, keep: bool) -> Option<Cow<'a, str>> {
    match rest.as_bytes().first()? {
        b'|' => block(rest, lines, indent, keep),
        b'\'' => single_quoted(rest),
        b'"' => double_quoted(rest),
        _ => plain(rest),
    }
}

fn block<'a>(header: &str, lines: &mut Lines<'a>, indent: usize, keep: bool) -> Option<Cow<'a, str>> {
    let mut chomp = b' ';
    let mut explicit = None;
    for b in header.bytes().skip(1) {
        match b {
            b'-' | b'+' if chomp == b' ' => chomp = b,
            b'1'..=b'9' if explicit.is_none() => explicit = Some(usize::from(b - b'0')),
            _ => return None,
        }
    }
    let mut body: Vec<&str> = Vec::new();
    while let Some(line) = lines.peek() {
        let blank = line.bytes().all(|b| b == b' ');
        let depth = line.len() - line.trim_start_matches(' ').len();
        if !blank && depth <= indent {
            break;
        }
        body.push(line);
        lines.advance();
    }
    if body.iter().all(|l| l.bytes().all(|b| b == b' ')) {
        // Empty blocks are unusual enough to leave to the full parser.
        return None;
    }
    let content_indent = match explicit {
        Some(n) => indent + n,
        None => {
            let first = body.iter().position(|l| !l.bytes().all(|b| b == b' '))?;
            let detected = body[first].len() - body[first].trim_start_matches(' ').len();
            // Leading blank lines longer than the detected indentation are an
            // error in YAML (they would set it).
            if body[..first].iter().any(|l| l.len() > detected) {
                return None;
            }
            detected
        }
    };
    if !keep {
        let shape_ok = body.iter().all(|line| {
            let blank = line.bytes().all(|b| b == b' ');
            blank || indented_by(line, content_indent)
        });
        return shape_ok.then_some(Cow::Borrowed(""));
    }
    let mut text = String::new();
    for line in &body {
        if line.len() < content_indent {
            if !line.bytes().all(|b| b == b' ') {
                return None;
            }
            // Leading blank lines longer than the content indent are an error in YAML.
            text.push('\n');
            continue;
        }
        if !indented_by(line, content_indent) {
            return None;
        }
        text.push_str(&line[content_indent..]);
        text.push('\n');
    }
    match chomp {
        b'+' => {}
        b'-' => {
            let kept = text.trim_end_matches('\n').len();
            text.truncate(kept);
        }
        _ => {
            let kept = text.trim_end_matches('\n').len();
            text.truncate(kept);
            if kept > 0 {
                text.push('\n');
            }
        }
    }
    Some(Cow::Owned(text))
}

/// Whether `line` starts with `indent` spaces (a byte test: a shorter line,
/// or one with a multi-byte character inside the indent, is not).
fn indented_by(line: &str, indent: usize) -> bool {
    line.as_bytes()
        .get(..indent)
        .is_some_and(|lead| lead.iter().all(|b| *b == b' '))
}

fn single_quoted(rest: &str) -> Option<Cow<'_, str>> {
    let inner = rest.strip_prefix('\'')?.strip_suffix('\'')?;
    if !inner.contains('\'') {
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(Cow::Owned(out))
}

fn double_quoted(rest: &str) -> Option<Cow<'_, str>> {
    let inner = rest.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains(['\\', '"']) {
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                let escaped = match chars.next()? {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'r' => '\r',
                    'e' => '\u{1b}',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => hex(&mut chars, 2)?,
                    'u' => hex(&mut chars, 4)?,
                    'U' => hex(&mut chars, 8)?,
                    _ => return None,
                };
                out.push(escaped);
            }
            c => out.push(c),
        }
    }
    Some(Cow::Owned(out))
}

fn hex(chars: &mut std::str::Chars, digits: usize) -> Option<char> {
    let text: String = chars.take(digits).collect();
    // Only hex digits: `from_str_radix` would also take a sign, which YAML refuses.
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(&text, 16).ok()?)
}

/// A plain scalar, only when YAML would certainly read it as this string.
/// (The full parser reads every plain scalar as a string for a text field,
/// numbers and booleans included; `null` and `~` mean "absent".)
fn plain(rest: &str) -> Option<Cow<'_, str>> {
    let first = rest.chars().next()?;
    if rest != rest.trim() || "-?:,[]{}#&*!|>'\"%@`~".contains(first) {
        return None;
    }
    // One pass for ": " (a mapping) and " #" (a comment): both end a plain scalar.
    let bytes = rest.as_bytes();
    if bytes.ends_with(b":") || bytes.windows(2).any(|w| matches!(w, [b':', b' '] | [b' ', b'#'])) {
        return None;
    }
    if matches!(rest, "null" | "Null" | "NULL") {
        return None;
    }
    Some(Cow::Borrowed(rest))
}

/// An event's recorded list changes, each `+item` or `-item` as the full
/// parser reads them; `None` when one is not.
fn changes(items: &Option<Vec<String>>) -> Option<Vec<ListChange>> {
    let Some(items) = items else {
        return Some(Vec::new());
    };
    items
        .iter()
        .map(|item| match item.split_at_checked(1) {
            Some(("+", rest)) if !rest.is_empty() => Some(ListChange::Add(rest.to_string())),
            Some(("-", rest)) if !rest.is_empty() => Some(ListChange::Remove(rest.to_string())),
            _ => None,
        })
        .collect()
}

fn instant(text: Option<&str>) -> Option<Option<DateTime<Utc>>> {
    match text {
        None => Some(None),
        Some(t) => parse_instant(t).ok().map(Some),
    }
}

fn vocabulary<T: std::str::FromStr>(text: Option<&str>) -> Option<Option<T>> {
    match text {
        None => Some(None),
        Some(t) => t.parse().ok().map(Some),
    }
}

fn build(mut case: Fields, events: Vec<Fields>) -> Option<Digest> {
    // Every event must be one the full parser accepts.
    let mut parsed = Vec::with_capacity(events.len());
    for e in &events {
        let at = instant(Some(e.get("at")?))??;
        e.get("actor")?;
        let action: ActionKind = vocabulary(Some(e.get("action")?))??;
        vocabulary::<Status>(e.get("from"))?;
        vocabulary::<Status>(Some(e.get("to")?))??;
        vocabulary::<Level>(e.get("level"))?;
        vocabulary::<Severity>(e.get("severity"))?;
        vocabulary::<Impact>(e.get("impact"))?;
        changes(&e.tags)?;
        changes(&e.cc)?;
        parsed.push((at, action));
    }
    let waiting_since = instant(case.get("waiting_since"))?;
    // As Case::reminded_since_waiting: a reminder after the last request-info.
    let reminded = waiting_since.is_some()
        && parsed
            .iter()
            .rev()
            .take_while(|(_, action)| *action != ActionKind::RequestInfo)
            .any(|(_, action)| *action == ActionKind::Remind);
    case.get("description")?;
    Some(Digest {
        id: case.take("id")?,
        summary: case.take("summary")?,
        customer: case.take("customer")?,
        email: case.take("email"),
        channel: vocabulary::<Channel>(case.get("channel"))??,
        severity: vocabulary::<Severity>(case.get("severity"))??,
        status: vocabulary::<Status>(case.get("status"))??,
        level: vocabulary::<Level>(case.get("level"))??,
        assignee: case.take("assignee"),
        impact: vocabulary::<Impact>(case.get("impact"))?,
        created_at: instant(case.get("created_at"))??,
        updated_at: instant(case.get("updated_at"))??,
        waiting_since,
        escalated_at: instant(case.get("escalated_at"))?,
        first_response_at: instant(case.get("first_response_at"))?,
        resolution: case.take("resolution"),
        follow_up_of: case.take("follow_up_of"),
        // Not one of CASE_KEYS: a merged case is left to the full parser.
        merged_into: None,
        message_id: case.take("message_id"),
        last_action: parsed.last()?.1,
        reminded,
        tags: case.tags.take().unwrap_or_default(),
        cc: case.cc.take().unwrap_or_default(),
    })
}

/// The whole case, when every field is one the full parser accepts.
fn build_case(mut case: Fields, events: Vec<Fields>) -> Option<Case> {
    let mut history = Vec::with_capacity(events.len());
    for mut e in events {
        history.push(Event {
            at: instant(Some(e.get("at")?))??,
            actor: e.take("actor")?,
            action: vocabulary(Some(e.get("action")?))??,
            from: vocabulary(e.get("from"))?,
            to: vocabulary(Some(e.get("to")?))??,
            message: e.take("message"),
            level: vocabulary(e.get("level"))?,
            assignee: e.take("assignee"),
            severity: vocabulary(e.get("severity"))?,
            impact: vocabulary(e.get("impact"))?,
            message_id: e.take("message_id"),
            // Not one of EVENT_KEYS: an event with attachments (or a
            // clock) is left to the full parser.
            attachments: Vec::new(),
            clock: None,
            // Nor these: a merge's events are left to the full parser.
            merged_into: None,
            merged_from: None,
            customer: e.take("customer"),
            tags: changes(&e.tags)?,
            cc: changes(&e.cc)?,
        });
    }
    Some(Case {
        id: case.take("id")?,
        summary: case.take("summary")?,
        customer: case.take("customer")?,
        email: case.take("email"),
        channel: vocabulary(case.get("channel"))??,
        severity: vocabulary(case.get("severity"))??,
        status: vocabulary(case.get("status"))??,
        level: vocabulary(case.get("level"))??,
        assignee: case.take("assignee"),
        impact: vocabulary(case.get("impact"))?,
        created_at: instant(case.get("created_at"))??,
        updated_at: instant(case.get("updated_at"))??,
        waiting_since: instant(case.get("waiting_since"))?,
        escalated_at: instant(case.get("escalated_at"))?,
        first_response_at: instant(case.get("first_response_at"))?,
        resolution: case.take("resolution"),
        follow_up_of: case.take("follow_up_of"),
        // Not one of CASE_KEYS: a merged case is left to the full parser.
        merged_into: None,
        message_id: case.take("message_id"),
        tags: case.tags.take().unwrap_or_default(),
        cc: case.cc.take().unwrap_or_default(),
        description: case.take("description")?,
        history,
    })
}
