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
        Error::Closed { action, .. } if action == "merge" => {
            format!("{error}: only cases that are not closed take part in a merge")
        }
        Error::AlreadyMerged { into, .. } => format!("{error} (tickets show {into})"),
        Error::MergeChainLoop { .. } => format!("{error} (tickets check names the files to fix)"),
        Error::Closed { id, .. } => {
            format!("{error}. A customer coming back opens a follow-up case: tickets open --follow-up-of {id} ...")
        }
        // Escaped inside the quotes, as it always was: the quotes show where
        // a typed ID with odd characters starts and ends.
        Error::InvalidId { id, reason } => format!(
            "no such ticket: {:?} is not a valid ticket ID ({reason})",
            escape_line(id)
        ),
        Error::FollowUpOfOpenCase { id, status } => format!(
            "{id}: `open --follow-up-of` is not allowed from status {status}; allowed from {status}: reply, \
             request-info and the rest on {id} itself; a follow-up is for a closed case"
        ),
        Error::FollowUpOfOtherCustomer { .. } => format!("{error} (leave --customer out)"),
        Error::ImpactBeforeL2 { id } => {
            format!("--impact is for escalating into R&D's queue (from l2 or rnd); {id} is at l1 and goes to L2 first")
        }
        Error::AttachmentNotAFile { path } => format!("--attach {}: not a regular file", path.display()),
        Error::NoSuchAttachment { id, .. } => format!("{error} (tickets show {id} lists them)"),
        Error::UnknownAnswer { .. } => format!("{error} (tickets templates lists them)"),
        Error::NewerStore { found, .. } => format!(
            "{error}: upgrade tickets on this clone to a version that writes format {found} or newer \
             (tickets --version says this one's); do not edit the store's files by hand"
        ),
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

    #[test]
    fn the_library_names_no_option_and_the_command_line_words_it_as_before() {
        let id = || "RC-7K3QX9MT".to_string();
        let cases: Vec<(Error, String)> = vec![
            (
                Error::ImpactBeforeL2 { id: id() },
                "--impact is for escalating into R&D's queue (from l2 or rnd); RC-7K3QX9MT is at l1 and goes to L2 first"
                    .into(),
            ),
            (
                Error::AttachmentNotAFile { path: "/dev/null".into() },
                "--attach /dev/null: not a regular file".into(),
            ),
            (
                Error::NoSuchAttachment { id: id(), name: "log.txt".into() },
                "RC-7K3QX9MT: no attachment named log.txt (tickets show RC-7K3QX9MT lists them)".into(),
            ),
            (
                Error::FollowUpOfOtherCustomer {
                    id: id(),
                    customer: "Acme Corp".into(),
                    given: "Globex".into(),
                },
                "RC-7K3QX9MT is a case of Acme Corp, not of Globex: a follow-up keeps the customer of the case it \
                 follows (leave --customer out)"
                    .into(),
            ),
            (
                Error::FollowUpOfOpenCase {
                    id: id(),
                    status: "open".into(),
                },
                "RC-7K3QX9MT: `open --follow-up-of` is not allowed from status open; allowed from open: reply, \
                 request-info and the rest on RC-7K3QX9MT itself; a follow-up is for a closed case"
                    .into(),
            ),
        ];
        for (error, message) in &cases {
            assert_eq!(&error_message(error), message);
            assert!(
                !error.to_string().contains("--"),
                "the library names no option: {error}"
            );
        }
    }

    #[test]
    fn untrusted_text_is_carried_raw_and_escaped_once_where_printed() {
        let hostile = "x\u{1b}[2J\u{202e}";
        let invalid = Error::InvalidId {
            id: hostile.into(),
            reason: "only letters, digits and '-' are allowed",
        };
        assert!(
            matches!(&invalid, Error::InvalidId { id, .. } if id == hostile),
            "the library keeps the raw text"
        );
        assert_eq!(
            error_message(&invalid),
            "no such ticket: \"x\\\\e[2J\\\\u{202e}\" is not a valid ticket ID (only letters, digits and '-' are allowed)"
        );
        let refused = Error::MailRefused(crate::core::error::MailRefusal::UnknownDomain {
            domain: hostile.into(),
            new_case: false,
        });
        assert_eq!(
            escape_line(&error_message(&refused)),
            "e-mail refused: the sender's domain x\\e[2J\\u{202e} belongs to no customer; nothing was created or changed"
        );
    }
}
