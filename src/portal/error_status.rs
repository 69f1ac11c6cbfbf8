//! The portal's wording of the library's errors: for each, the HTTP status
//! and the sentence a customer reads above the form. Errors that are not the
//! customer's to act on are 500s (logged, and answered with the generic
//! error page). Exhaustive on purpose: a new error needs a decision here.

use crate::core::error::Error;
use axum::http::StatusCode;

/// The status and the customer's sentence for an operation's refusal.
pub(super) fn status_of(error: &Error) -> (StatusCode, &'static str) {
    match error {
        Error::Busy { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Support's system is busy for a moment; nothing was saved. Your text is below: send it again in a few seconds.",
        ),
        // A full disk, a read-only store, a git that failed: the store's
        // state, not the customer's doing, and it passes; the page keeps
        // what they typed (a 500 page would drop it).
        Error::Io { .. } | Error::Git(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Support's system cannot save right now; nothing was saved. Your text is below: send it again in a few minutes.",
        ),
        Error::TransitionNotAllowed { .. }
        | Error::Closed { .. }
        | Error::FollowUpOfOpenCase { .. }
        | Error::AlreadyMerged { .. }
        | Error::ChangeBeforeLastChange { .. } => (
            StatusCode::CONFLICT,
            "The case changed meanwhile, so this could not be done. Your text is below.",
        ),
        Error::NoSuchTicket { .. }
        | Error::NoCaseTagged { .. }
        | Error::NoCaseReplied
        | Error::InvalidId { .. }
        | Error::AmbiguousId { .. }
        | Error::NoSuchAttachment { .. }
        | Error::AmbiguousAttachment { .. } => (
            StatusCode::NOT_FOUND,
            "What this refers to was not found, so nothing was saved. Your text is below.",
        ),
        Error::NotAContact { .. } => (
            StatusCode::FORBIDDEN,
            "This address is not one of a customer's contacts, so nothing was saved.",
        ),
        Error::CaseTooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "This case has grown too long to take this text, so nothing was saved. Your text is below: shorten it, \
             or write to support in a new case.",
        ),
        Error::MailRefused(_)
        | Error::AddressNotCarried { .. }
        | Error::AttachmentsNotCarried { .. }
        | Error::AttachmentNotAFile { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "This could not be accepted as it is, so nothing was saved. Your text is below.",
        ),
        Error::NewerStore { .. }
        | Error::NotAStore { .. }
        | Error::InvalidData { .. }
        | Error::UnknownAnalyst { .. }
        | Error::UnknownAnswer { .. }
        | Error::InvalidAnswerName { .. }
        | Error::UnknownCustomer { .. }
        | Error::UnknownTag { .. }
        | Error::CcOutsideDomains { .. }
        | Error::FollowUpOfOtherCustomer { .. }
        | Error::MergeAcrossCustomers { .. }
        | Error::MergeIntoItself { .. }
        | Error::MergeChainLoop { .. }
        | Error::ImpactBeforeL2 { .. }
        | Error::StoreExists { .. }
        | Error::CannotListen { .. }

        | Error::AutoCommitOff { .. }
        | Error::CannotList { .. }
        | Error::NotAnAttachmentFile { .. }
        | Error::Serialize { .. }
        | Error::Internal { .. }
        | Error::Unexpected { .. } => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side; nothing was saved. Please try again later.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_or_a_read_only_store_asks_to_send_again_not_a_server_error() {
        for kind in [std::io::ErrorKind::StorageFull, std::io::ErrorKind::ReadOnlyFilesystem] {
            let failed = Error::io("/srv/support/tickets/RC-7K3QX9MT.yaml", std::io::Error::from(kind));
            let (status, words) = status_of(&failed);
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{kind:?}");
            assert!(words.contains("Your text is below"), "{words}");
        }
    }

    #[test]
    fn a_case_over_its_size_cap_is_too_large_not_a_server_error() {
        let too_large = Error::CaseTooLarge {
            id: "RC-7K3QX9MT".into(),
            size: 1_000_000,
            limit: 983_040,
            cap: 1_048_576,
            closed: false,
        };
        assert_eq!(status_of(&too_large).0, StatusCode::PAYLOAD_TOO_LARGE);
        let busy = Error::Busy {
            path: "desk/.tickets.lock".into(),
            waited_ms: 10,
        };
        assert_eq!(status_of(&busy).0, StatusCode::SERVICE_UNAVAILABLE);
        let gone = Error::NoSuchTicket {
            id: "RC-1".into(),
            near: Vec::new(),
        };
        assert_eq!(status_of(&gone).0, StatusCode::NOT_FOUND);
        let refused = Error::MailRefused(crate::core::error::MailRefusal::Empty);
        assert_eq!(status_of(&refused).0, StatusCode::UNPROCESSABLE_ENTITY);
        let broken = Error::Internal { what: "a bug" };
        assert_eq!(status_of(&broken).0, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn no_sentence_names_an_option_or_a_path() {
        let samples = [
            Error::NotAContact { email: "a@b".into() },
            Error::Closed {
                id: "RC-1".into(),
                action: "reply".into(),
            },
            Error::Internal { what: "a bug" },
        ];
        for error in &samples {
            let (_, sentence) = status_of(error);
            assert!(!sentence.contains("--") && !sentence.contains('/'), "{sentence}");
        }
    }
}
