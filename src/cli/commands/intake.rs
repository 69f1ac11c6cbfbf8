//! `tickets intake < message.eml`: the one command a mail server runs for
//! each message to the support address (a Postfix alias, procmail,
//! fetchmail's mda, a systemd socket). It decides: a reply to the case the
//! message names, a follow-up of a closed case, or a new case; automatic
//! mail is never a new case. Exit codes are the mail server's (sysexits):
//! 0 taken, 65 or 67 refused (bounced with the reason), 75 try again later.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{warn, warn_about, Context, GlobalArgs};
use crate::core::error::{Error, MailRefusal};
use crate::core::terminal::escape_line;
use crate::operations::{self, Opening, Taken};
use clap::Args;

/// Arguments of `intake`.
#[derive(Debug, Args)]
#[command(after_help = "Exit codes of intake (sysexits, as mail servers read them):
  0   taken: a reply, a note, a follow-up, a new case, or an automatic message dropped
  65  refused: not a message the desk can take; the reason is on stderr, for the bounce
  67  refused: the sender's domain is no customer's
  75  the store cannot take it now (busy, disk, clock, git): the mail server keeps it and retries")]
pub struct IntakeArgs {}

/// Runs `intake`: reads one message on stdin.
pub fn run(global: &GlobalArgs, _args: IntakeArgs) -> Result<ExitCode> {
    let taken = Context::new(global).and_then(|ctx| {
        // In a mail pipe $USER means nothing: the sender acts.
        let taken = operations::intake(&ctx.session(), std::io::stdin().lock())?;
        report(&ctx, taken)
    });
    match taken {
        Ok(code) => Ok(code),
        Err(e) => {
            crate::core::error::diagnostic(&format!("error: {}", escape_line(&e.message())));
            Ok(exit_code_of(&e))
        }
    }
}

/// The sysexits code a mail server understands for `e`: the message's own
/// fault bounces (65, 67), anything of the store's is retried (75).
fn exit_code_of(e: &CliError) -> ExitCode {
    let CliError::Library(e) = e else {
        // A bad TICKETS_NOW or the like: the host's, not the sender's.
        return ExitCode::TryAgainLater;
    };
    match e {
        Error::MailRefused(MailRefusal::UnknownDomain { .. } | MailRefusal::NotTheCustomersDomain { .. }) => {
            ExitCode::UnknownSender
        }
        Error::MailRefused(_)
        | Error::AddressNotCarried { .. }
        | Error::NoSuchTicket { .. }
        | Error::NoCaseTagged { .. }
        | Error::NoCaseReplied
        | Error::InvalidId { .. }
        | Error::AmbiguousId { .. }
        | Error::Closed { .. }
        | Error::TransitionNotAllowed { .. }
        | Error::FollowUpOfOpenCase { .. }
        | Error::FollowUpOfOtherCustomer { .. }
        | Error::MergeAcrossCustomers { .. }
        | Error::MergeIntoItself { .. }
        | Error::AlreadyMerged { .. }
        | Error::AttachmentsNotCarried { .. }
        | Error::ImpactBeforeL2 { .. }
        | Error::CaseTooLarge { .. } => ExitCode::MessageRefused,
        Error::ChangeBeforeLastChange { .. }
        | Error::NotAStore { .. }
        | Error::InvalidData { .. }
        | Error::MergeChainLoop { .. }
        | Error::NewerStore { .. }
        | Error::Busy { .. }
        | Error::UnknownAnalyst { .. }
        | Error::UnknownAnswer { .. }
        | Error::InvalidAnswerName { .. }
        | Error::UnknownCustomer { .. }
        | Error::UnknownTag { .. }
        | Error::CcOutsideDomains { .. }
        | Error::AttachmentNotAFile { .. }
        | Error::NoSuchAttachment { .. }
        | Error::AmbiguousAttachment { .. }
        | Error::StoreExists { .. }
        | Error::NotAContact { .. }
        | Error::CannotListen { .. }
        | Error::Git(_)
        | Error::AutoCommitOff { .. }
        | Error::CannotList { .. }
        | Error::NotAnAttachmentFile { .. }
        | Error::Serialize { .. }
        | Error::Io { .. }
        | Error::Internal { .. }
        | Error::Unexpected { .. } => ExitCode::TryAgainLater,
    }
}

/// Says what was done: the case's ID (or the new case's) on stdout, a line
/// on stderr for anything but a plain reply or a new case.
fn report(ctx: &Context, taken: Taken) -> Result<ExitCode> {
    match taken {
        Taken::Replied(replied) => super::reply::report_replied(ctx, replied),
        Taken::Opened(opening) => opened(ctx, opening, None),
        Taken::FollowedUp { of, opening } => opened(ctx, opening, Some(&of)),
        Taken::Dropped { reason } => {
            warn(&format!(
                "an automatic message ({}) that names no open case: nothing recorded, nothing answered",
                escape_line(&reason)
            ));
            Ok(ExitCode::Success)
        }
    }
}

fn opened(ctx: &Context, opening: Opening, follows: Option<&str>) -> Result<ExitCode> {
    match opening {
        Opening::Opened(opened) => {
            if let Some(previous) = follows {
                warn(&format!(
                    "{previous} is closed: this message opens {}, which follows it up",
                    opened.case.id
                ));
            }
            opened.warnings.iter().for_each(warn_about);
            // A bad file elsewhere in the store does not refuse the message.
            let _ = crate::cli::report_bad_files(&opened.errors);
            super::reply::print_case(ctx, &opened.case)
        }
        Opening::AlreadyOpened { id } => {
            warn(&format!("this message already opened {id}; nothing recorded"));
            crate::cli::emit(&format!("{id}\n"))?;
            Ok(ExitCode::Success)
        }
    }
}
