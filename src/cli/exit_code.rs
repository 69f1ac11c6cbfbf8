//! The documented process exit codes: one enum, whose table feeds `--help`,
//! the man page's EXIT STATUS, and the mapping of the library's errors to them
//! ([`ExitCode::of`]): the command line's mapping, not the library's.

use crate::core::error::Error;

/// A documented exit code of `tickets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitCode {
    /// The command did what was asked.
    Success = 0,
    /// An unexpected failure (I/O and the like); also a merge driver's
    /// conflict, as git expects.
    Failure = 1,
    /// The command line or an environment variable is wrong.
    Usage = 2,
    /// No case has the given ID.
    NoSuchTicket = 3,
    /// The life cycle does not allow the command from the case's status.
    NotAllowed = 4,
    /// A file in the store does not parse or validate.
    InvalidData = 5,
    /// The store lock was not had in time.
    Busy = 6,
    /// `intake`: the message is refused, and the mail server bounces it
    /// with the reason (sysexits' EX_DATAERR).
    MessageRefused = 65,
    /// `intake`: the sender's domain is no customer's (EX_NOUSER).
    UnknownSender = 67,
    /// `intake`: the store cannot take the message now (busy, a disk, a
    /// clock behind the team's); the mail server keeps it and tries again
    /// (EX_TEMPFAIL).
    TryAgainLater = 75,
}

impl ExitCode {
    /// Every code, in numeric order.
    pub const ALL: [ExitCode; 10] = [
        ExitCode::Success,
        ExitCode::Failure,
        ExitCode::Usage,
        ExitCode::NoSuchTicket,
        ExitCode::NotAllowed,
        ExitCode::InvalidData,
        ExitCode::Busy,
        ExitCode::MessageRefused,
        ExitCode::UnknownSender,
        ExitCode::TryAgainLater,
    ];

    /// The number the process exits with.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The documented process exit code for an error (README, `--help`).
    pub fn of(error: &Error) -> ExitCode {
        match error {
            Error::Io { .. }
            | Error::Git(_)
            | Error::AutoCommitOff { .. }
            | Error::CannotList { .. }
            | Error::NotAnAttachmentFile { .. }
            | Error::Serialize { .. }
            | Error::Internal { .. }
            | Error::Unexpected { .. } => ExitCode::Failure,
            Error::ChangeBeforeLastChange { .. }
            | Error::NotAStore { .. }
            | Error::StoreExists { .. }
            | Error::UnknownAnalyst { .. }
            | Error::UnknownAnswer { .. }
            | Error::InvalidAnswerName { .. }
            | Error::UnknownCustomer { .. }
            | Error::UnknownTag { .. }
            | Error::CcOutsideDomains { .. }
            | Error::FollowUpOfOtherCustomer { .. }
            | Error::MergeAcrossCustomers { .. }
            | Error::MergeIntoItself { .. }
            | Error::ImpactBeforeL2 { .. }
            | Error::AttachmentsNotCarried { .. }
            | Error::AttachmentNotAFile { .. }
            | Error::NoSuchAttachment { .. }
            | Error::AmbiguousAttachment { .. }
            | Error::CaseTooLarge { .. }
            | Error::MailRefused(_)
            | Error::AddressNotCarried { .. }
            | Error::NotAContact { .. }
            | Error::CannotListen { .. } => ExitCode::Usage,
            Error::NoSuchTicket { .. }
            | Error::NoCaseTagged { .. }
            | Error::NoCaseReplied
            | Error::InvalidId { .. }
            | Error::AmbiguousId { .. } => ExitCode::NoSuchTicket,
            Error::Closed { .. }
            | Error::TransitionNotAllowed { .. }
            | Error::FollowUpOfOpenCase { .. }
            | Error::AlreadyMerged { .. } => ExitCode::NotAllowed,
            Error::NewerStore { .. } | Error::InvalidData { .. } | Error::MergeChainLoop { .. } => {
                ExitCode::InvalidData
            }
            Error::Busy { .. } => ExitCode::Busy,
        }
    }

    /// What the code means, as `--help` and the man page print it.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitCode::Success => "success",
            ExitCode::Failure => "unexpected failure (I/O and the like)",
            ExitCode::Usage => "usage error",
            ExitCode::NoSuchTicket => "no such ticket",
            ExitCode::NotAllowed => "transition not allowed from the ticket's current status",
            ExitCode::InvalidData => "invalid data in the store (a ticket or config that does not parse or validate)",
            ExitCode::Busy => "store busy: lock not acquired in time (TICKETS_LOCK_TIMEOUT seconds, default 10)",
            ExitCode::MessageRefused => "intake: message refused; the mail server bounces it (EX_DATAERR)",
            ExitCode::UnknownSender => "intake: the sender's domain is no customer's (EX_NOUSER)",
            ExitCode::TryAgainLater => "intake: the store cannot take it now; the mail server retries (EX_TEMPFAIL)",
        }
    }

    /// The table of (code, meaning), in numeric order.
    pub fn table() -> impl Iterator<Item = (i32, &'static str)> {
        ExitCode::ALL.into_iter().map(|code| (code.code(), code.meaning()))
    }

    /// The text `--help` prints after the options.
    pub fn help_text() -> String {
        let mut text = String::from("Exit codes:");
        for (code, meaning) in ExitCode::table() {
            text.push_str(&format!("\n  {code}  {meaning}"));
        }
        text
    }
}

/// A code compares equal to the number the process exits with.
impl PartialEq<i32> for ExitCode {
    fn eq(&self, number: &i32) -> bool {
        self.code() == *number
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_are_the_documented_numbers_in_order() {
        let numbers: Vec<i32> = ExitCode::table().map(|(code, _)| code).collect();
        assert_eq!(numbers, [0, 1, 2, 3, 4, 5, 6, 65, 67, 75]);
        assert_eq!(ExitCode::InvalidData.code(), 5);
        assert_eq!(ExitCode::Busy.code(), 6);
        assert_eq!(ExitCode::Usage, 2);
        assert_ne!(ExitCode::Usage, 0);
    }

    #[test]
    fn the_help_text_is_the_table_one_code_a_line() {
        let text = ExitCode::help_text();
        assert!(
            text.starts_with("Exit codes:\n  0  success\n  1  unexpected failure"),
            "{text}"
        );
        assert!(
            text.contains("\n  6  store busy: lock not acquired in time (TICKETS_LOCK_TIMEOUT seconds, default 10)\n")
        );
        assert!(text.ends_with("\n  75  intake: the store cannot take it now; the mail server retries (EX_TEMPFAIL)"));
        assert_eq!(text.lines().count(), 11);
    }
}
