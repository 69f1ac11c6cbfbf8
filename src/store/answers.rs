//! Canned answers: `templates/answers/NAME.md`, plain text with the
//! outbound placeholders, versioned and reviewed with the rest of the store.
//! A name is a plain file name; the file is read by the store's
//! regular-file reader (never through a link, never past its cap).

use super::{read_text, real_folder, Store};
use crate::core::error::{Error, Result};
use std::fs;
use std::path::PathBuf;

/// The largest canned answer, in bytes: a reply, not a manual.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The longest name of a canned answer, in characters.
const MAX_NAME_CHARS: usize = 64;

/// Refuses a canned answer's name that is not a plain file name: empty,
/// too long, hidden, with a path separator, `..` or a character outside
/// letters, digits, `-`, `_` and `.`.
pub fn validate_answer_name(name: &str) -> Result<()> {
    let refuse = |reason| {
        Err(Error::InvalidAnswerName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return refuse("it is empty");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return refuse("it is over 64 characters");
    }
    if name.contains('/') || name.contains('\\') {
        return refuse("it names a path; give the file's name alone (without .md)");
    }
    if name.starts_with('.') {
        return refuse("it starts with a dot");
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return refuse("only letters, digits, '-', '_' and '.' are allowed");
    }
    Ok(())
}

impl Store {
    /// The folder of canned answers, `templates/answers/`.
    pub fn answers_dir(&self) -> PathBuf {
        self.root.join("templates").join("answers")
    }

    /// The file of canned answer `name` (not checked: see [`validate_answer_name`]).
    pub fn answer_path(&self, name: &str) -> PathBuf {
        self.answers_dir().join(format!("{name}.md"))
    }

    /// The names of the store's canned answers (`NAME` of each
    /// `templates/answers/NAME.md` with a valid name), sorted. None when
    /// the folder is missing; a folder that is a link is refused.
    pub fn answer_names(&self) -> Result<Vec<String>> {
        let templates = self.root.join("templates");
        let dir = self.answers_dir();
        if !real_folder(&templates)? || !real_folder(&dir)? {
            return Ok(Vec::new());
        }
        let mut names = Vec::new();
        for entry in fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".md")) else {
                continue;
            };
            if validate_answer_name(name).is_ok() {
                names.push(name.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    /// The text of canned answer `name`, with its file: refused unless the
    /// name is plain, the file a regular file inside the store (not a
    /// link), UTF-8 and at most [`MAX_ANSWER_BYTES`]. A name the store does
    /// not have is [`Error::UnknownAnswer`], with the nearest names.
    pub fn read_answer(&self, name: &str) -> Result<(PathBuf, String)> {
        validate_answer_name(name)?;
        let path = self.answer_path(name);
        let templates = self.root.join("templates");
        let present =
            real_folder(&templates)? && real_folder(&self.answers_dir())? && fs::symlink_metadata(&path).is_ok();
        if !present {
            let names = self.answer_names()?;
            return Err(Error::UnknownAnswer {
                name: name.to_string(),
                folder: self.answers_dir(),
                near: nearest(&names, name),
            });
        }
        let text = read_text(&path)?;
        if text.len() > MAX_ANSWER_BYTES {
            return Err(Error::invalid(
                &path,
                None,
                format!(
                    "is {} bytes, over the {MAX_ANSWER_BYTES}-byte cap of a canned answer",
                    text.len()
                ),
            ));
        }
        Ok((path, text))
    }
}

/// The names a typo away from `wanted`: the fewest edits (at most a third
/// of the name, and at least 2), or those starting with it; at most 3.
fn nearest(names: &[String], wanted: &str) -> Vec<String> {
    let wanted = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .map(|name| {
            let lower = name.to_lowercase();
            let distance = if lower.starts_with(&wanted) {
                0
            } else {
                crate::core::nearest::edit_distance(&lower, &wanted)
            };
            (distance, name)
        })
        .filter(|(distance, _)| *distance <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, name)| name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_a_plain_file_name() {
        for bad in ["", "../config", "a/b", ".hidden", "a b", "x\u{202e}y", &"n".repeat(65)] {
            assert!(validate_answer_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["password-reset", "logs_please", "v2.1"] {
            assert!(validate_answer_name(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn the_nearest_names_are_a_typo_away() {
        let names: Vec<String> = ["logs-please", "password-reset", "restart"].map(String::from).to_vec();
        assert_eq!(nearest(&names, "pasword-reset"), vec!["password-reset".to_string()]);
        assert_eq!(nearest(&names, "logs"), vec!["logs-please".to_string()]);
        assert!(nearest(&names, "zzz").is_empty());
    }
}
