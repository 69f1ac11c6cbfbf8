//! Clap's refusals made more helpful: a text given without `-m` gets a hint
//! at `-m`, and a usage line names no global option the user happened to give
//! (`--as` is never required, though clap's usage line shows it once given).

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The commands whose text goes after an option, and that option.
const TEXT_OPTIONS: [(&str, &str); 4] = [
    ("reply", "-m/--message"),
    ("request-info", "-m/--message"),
    ("note", "-m/--message"),
    ("close", "-r/--resolution"),
];

/// The global options, which clap's usage lines repeat when they were given.
const GLOBAL_OPTIONS: [&str; 5] = [
    "--as <NAME>",
    "--dir <PATH>",
    "--now <RFC3339>",
    "--format <FORMAT>",
    "--color <WHEN>",
];

/// The text to print for a clap error: clap's own, with a hint line for a
/// text given without its option and global options out of usage lines.
pub fn parse_error_text(error: &clap::Error, plain: &str) -> String {
    let mut text = plain
        .lines()
        .map(|line| match line.strip_prefix("Usage: ") {
            Some(usage) => {
                let mut usage = usage.to_string();
                for option in GLOBAL_OPTIONS {
                    usage = usage.replace(&format!(" {option}"), "");
                }
                format!("Usage: {usage}")
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    if plain.ends_with('\n') {
        text.push('\n');
    }
    if let Some(hint) = text_hint(error, &text) {
        text = match text.find("\n\nUsage: ") {
            Some(at) => format!("{}\n{hint}{}", &text[..at], &text[at..]),
            None => format!("{text}{hint}\n"),
        };
    }
    text
}

/// `  tip: ...` for a positional text given to a command that takes its
/// text after an option.
fn text_hint(error: &clap::Error, text: &str) -> Option<String> {
    if error.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(argument)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    if argument.starts_with('-') {
        return None;
    }
    let (command, option) = TEXT_OPTIONS
        .iter()
        .find(|(command, _)| text.contains(&format!("Usage: tickets {command} ")))?;
    let short = option.split('/').next().unwrap_or(option);
    Some(format!(
        "  tip: {command}'s text goes after {option}: tickets {command} ID {short} {}",
        shell_quote(argument)
    ))
}

/// `text` quoted for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
