//! Git's conflict markers in a case file, and the explanation the merge
//! driver writes beside them.

use crate::core::error::Error;
use std::path::Path;

/// The start of the explanation lines the merge driver writes into a conflict.
pub const EXPLANATION_PREFIX: &str = "# tickets merge-driver: ";

/// The 1-based line of the first git conflict marker, if any.
pub fn conflict_marker_line(text: &str) -> Option<usize> {
    conflict_marker_line_in_bytes(text.as_bytes())
}

/// [`conflict_marker_line`] for bytes that need not be UTF-8: the merge
/// driver keeps both versions of a conflict byte for byte.
pub fn conflict_marker_line_in_bytes(bytes: &[u8]) -> Option<usize> {
    bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .position(|l| {
            l.starts_with(b"<<<<<<< ") || l == b"=======" || l.starts_with(b">>>>>>> ") || l.starts_with(b"||||||| ")
        })
        .map(|i| i + 1)
}

/// The error for a file holding a git conflict, with the merge driver's
/// explanation when it left one.
pub fn conflict_error(path: &Path, line: usize, text: &str) -> Error {
    let why = explanation_in(text)
        .map(|reason| format!(" (tickets merge-driver: {reason})"))
        .unwrap_or_default();
    Error::invalid(
        path,
        Some(line),
        format!("contains a git conflict marker; resolve the merge conflict first: keep one version, delete the markers, git add the file{why}"),
    )
}

/// The merge driver's explanation (reason and hint) in a file it left
/// conflicted, if any.
pub fn explanation_in(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix(EXPLANATION_PREFIX))
        .filter(|line| !line.starts_with("resolve:"))
        .collect();
    (!lines.is_empty()).then(|| lines.join("; "))
}
