//! The view of `tickets check`'s report: the counts and every finding.

use serde::Serialize;

/// `check`'s report for scripts.
#[derive(Debug, Serialize)]
pub struct CheckView<'a> {
    /// Whether the store passes (no error; no warning either with `--strict`).
    pub ok: bool,
    /// Case files looked at.
    pub cases: usize,
    /// Findings of gravity `error`.
    pub errors: usize,
    /// Findings of gravity `warning`.
    pub warnings: usize,
    /// Findings of gravity `note`.
    pub notes: usize,
    /// Every finding, by path then line.
    pub problems: &'a [Problem],
}

crate::core::vocabulary::vocabulary! {
    /// How serious a finding is (`gravity` in JSON, the GRAVITY column).
    Gravity {
        /// The store is wrong; `check` exits 5.
        Error => "error",
        /// Legal but suspect; exits 5 only with `--strict`.
        Warning => "warning",
        /// Harmless; never fails the check.
        Note => "note",
    }
}

/// One finding: where, what kind, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file concerned (lossy: a file name need not be UTF-8).
    pub path: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// How serious it is.
    pub gravity: Gravity,
    /// A stable kebab-case name for the kind of problem (`parse`,
    /// `history`, `state-mismatch`, `unknown-customer`...), for scripts.
    pub kind: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}
