//! The case file as YAML: the one canonical writer, and the parser with the
//! guards that run before the YAML library sees a byte.

use super::conflict_markers::{conflict_error, conflict_marker_line};
use super::nesting::{too_deep_line, MAX_NESTING};
use super::yaml_expansion;
use crate::core::case::Case;
use crate::core::error::{Error, Result};
use std::path::Path;

/// Serializes a case the one stable way.
pub fn to_yaml(case: &Case) -> Result<String> {
    serde_yaml::to_string(case).map_err(|e| Error::Serialize {
        what: case.id.clone(),
        detail: e.to_string(),
    })
}

/// Parses YAML text, reporting the path, line and reason on failure.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    if let Some(line) = conflict_marker_line(text) {
        return Err(conflict_error(path, line, text));
    }
    if text.trim().is_empty() {
        return Err(Error::invalid(path, Some(1), "is empty"));
    }
    if let Some(line) = too_deep_line(text) {
        return Err(Error::invalid(
            path,
            Some(line),
            format!("nests deeper than {MAX_NESTING} levels; refused"),
        ));
    }
    if yaml_expansion::exceeds_bound(text) {
        return Err(Error::invalid(
            path,
            None,
            format!(
                "uses YAML aliases (*name) that expand it past {} times its size; refused (tickets never writes anchors or aliases)",
                yaml_expansion::MAX_EXPANSION_FACTOR
            ),
        ));
    }
    serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        let reason = e.to_string();
        // The library appends "at line N column M"; the path:line prefix says it already.
        let mut reason = reason.split(" at line ").next().unwrap_or(&reason).to_string();
        if reason.contains("unknown field") {
            // A field of a newer format, more often than a typo: the cure is
            // an upgrade, never deleting the customer's data by hand.
            reason.push_str(
                " (written by a newer tickets? upgrade tickets on this clone; do not remove the field by hand)",
            );
        }
        Error::invalid(path, line, reason)
    })
}

/// Parses case text read from `path`.
pub fn parse_case(path: &Path, text: &str, expected_id: Option<&str>) -> Result<Case> {
    let case: Case = parse_yaml(path, text)?;
    if let Some(expected) = expected_id {
        if case.id != expected {
            return Err(Error::invalid(
                path,
                Some(1),
                format!("id {:?} does not match the file name {expected}.yaml", case.id),
            ));
        }
    }
    if case.history.is_empty() {
        return Err(Error::invalid(
            path,
            None,
            "history is empty; it must start with an open event",
        ));
    }
    Ok(case)
}
