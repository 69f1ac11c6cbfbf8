//! The view of a canned answer (`tickets templates`).

/// One canned answer, for scripts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnswerView {
    /// Its name: what `--template` takes.
    pub name: String,
    /// Its first line that is not blank, as written.
    pub first_line: String,
    /// Its file, relative to the store (`templates/answers/NAME.md`).
    pub file: String,
}

impl AnswerView {
    /// The view of the canned answer `name`, whose first line is `first_line`.
    pub fn of(name: &str, first_line: &str) -> AnswerView {
        AnswerView {
            name: name.to_string(),
            first_line: first_line.to_string(),
            file: format!("templates/answers/{name}.md"),
        }
    }
}
