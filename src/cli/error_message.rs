//! An error as the command line words it: the library's message, and for
//! the errors a person fixes on the command line, which option or command
//! to reach for (the library carries the data, never the option names).

use crate::core::error::Error;
use crate::core::terminal::escape_line;

/// The message printed for `error` (not yet escaped for the terminal: the
/// caller escapes the whole line once, and escaping twice changes nothing).
pub fn error_message(error: &Error) -> String {
    match error {
        Error::ChangeBeforeLastChange { .. } => format!("{error} (check --now / TICKETS_NOW)"),
        Error::NotAStore { path } => format!(
            "{error}; run `tickets init --dir {}` or pass --dir / TICKETS_DIR",
            path.display()
        ),
        Error::Closed { id, .. } => {
            format!("{error}. A customer coming back opens a follow-up case: tickets open --follow-up-of {id} ...")
        }
        // Escaped inside the quotes, as it always was: the quotes show where
        // a typed ID with odd characters starts and ends.
        Error::InvalidId { id, reason } => format!(
            "no such ticket: {:?} is not a valid ticket ID ({reason})",
            escape_line(id)
        ),
        Error::FollowUpOfOtherCustomer { .. } => format!("{error} (leave --customer out)"),
        Error::ImpactBeforeL2 { id } => {
            format!("--impact is for escalating into R&D's queue (from l2 or rnd); {id} is at l1 and goes to L2 first")
        }
        Error::AttachmentNotAFile { path } => format!("--attach {}: not a regular file", path.display()),
        Error::NoSuchAttachment { id, .. } => format!("{error} (tickets show {id} lists them)"),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_words_the_hints_the_library_leaves_out() {
        let at = |text| crate::core::time::parse_instant(text).unwrap();
        let late = Error::ChangeBeforeLastChange {
            id: "RC-7K3QX9MT".into(),
            last: at("2026-11-19T12:00:00Z"),
            now: at("2026-11-19T11:00:00Z"),
        };
        assert_eq!(
            error_message(&late),
            "RC-7K3QX9MT: the case last changed at 2026-11-19T12:00:00Z; a change dated 2026-11-19T11:00:00Z \
             would be out of order (check --now / TICKETS_NOW)"
        );
        assert!(!late.to_string().contains("--now"), "the library names no option");
        let nowhere = Error::NotAStore { path: "desk".into() };
        assert_eq!(
            error_message(&nowhere),
            "\"desk\" is not a tickets store (no config.yaml); run `tickets init --dir desk` or pass --dir / TICKETS_DIR"
        );
        assert!(!nowhere.to_string().contains("--dir"), "the library names no option");
        let closed = Error::Closed {
            id: "RC-7K3QX9MT".into(),
            action: "reply".into(),
        };
        assert!(error_message(&closed).ends_with("tickets open --follow-up-of RC-7K3QX9MT ..."));
        assert!(!closed.to_string().contains("tickets"), "the library names no command");
        assert_eq!(crate::cli::exit_code::ExitCode::of(&late), 2);
        assert_eq!(crate::cli::exit_code::ExitCode::of(&nowhere), 2);
    }
}
