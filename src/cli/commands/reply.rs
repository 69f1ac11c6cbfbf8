//! `tickets reply ID --message M`: the customer spoke; any status but closed
//! -> open, and the waiting clock is cleared. `reply --from-email` reads the
//! customer's e-mail on stdin and finds the case itself.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, print_transition, print_transitioned, warn, Context};
use crate::operations::{self, Replied};
use clap::Args;

/// Arguments of `reply`.
#[derive(Debug, Args)]
pub struct ReplyArgs {
    /// The case ID (a unique prefix is enough); with --from-email, found from the message.
    #[arg(required_unless_present = "from_email")]
    pub id: Option<String>,
    /// What the customer said.
    #[arg(long, short, value_parser = crate::cli::non_empty, required_unless_present = "from_email")]
    pub message: Option<String>,
    /// Read the customer's e-mail (at most 10 MiB, more when attachments.max_message_bytes allows) on stdin: the case is the
    /// `[ID]` tag in the Subject, else the one whose Message-ID the
    /// In-Reply-To/References name; quoted text is dropped; the sender's
    /// domain must be the case's customer's.
    #[arg(long, conflicts_with = "message")]
    pub from_email: bool,
    /// Attach a file (repeatable): stored in the store and listed by `show`.
    #[arg(long = "attach", value_name = "FILE", conflicts_with = "from_email")]
    pub attach: Vec<std::path::PathBuf>,
}

/// Runs `reply`.
pub fn run(ctx: &Context, args: ReplyArgs) -> Result<ExitCode> {
    if args.from_email {
        return run_from_email(ctx, args.id);
    }
    let (Some(id), Some(message)) = (args.id, args.message) else {
        return Err(CliError::Usage(
            "reply needs an ID and --message (or --from-email)".into(),
        ));
    };
    let enclosures = super::attachment::enclosures(ctx, &args.attach)?;
    print_transitioned(
        ctx,
        &operations::reply(&ctx.analyst_session(), &id, message, enclosures)?,
    )
}

fn run_from_email(ctx: &Context, id: Option<String>) -> Result<ExitCode> {
    // In a mail pipe $USER means nothing; the sender acted unless --as says otherwise.
    let session = ctx.session();
    let stdin = std::io::stdin().lock();
    let replied = operations::reply_from_email(&session, stdin, id.as_deref(), ctx.actor.as_deref())?;
    report_replied(ctx, replied)
}

/// Says what a reply by e-mail did (also `intake`'s, for a reply).
pub fn report_replied(ctx: &Context, replied: Replied) -> Result<ExitCode> {
    match replied {
        Replied::Recorded(transitioned) => print_transitioned(ctx, &transitioned),
        Replied::AlreadyRecorded(case) => {
            // A mail server retrying a delivery: recorded once is enough.
            warn(&format!(
                "this message was already recorded on {}; not recording it again",
                case.id
            ));
            print_case(ctx, &case)
        }
        Replied::Noted { transitioned, reason } => {
            warn(&format!(
                "an automatic message ({}): recorded on {} as an internal note; the status stays {}",
                crate::core::terminal::escape_line(&reason),
                transitioned.case.id,
                transitioned.case.status
            ));
            print_transitioned(ctx, &transitioned)
        }
        Replied::Ignored { case, reason } => {
            warn(&format!(
                "an automatic message ({}) to {}, which is closed: nothing recorded",
                crate::core::terminal::escape_line(&reason),
                case.id
            ));
            print_case(ctx, &case)
        }
    }
}

/// A case as a mail command leaves it: its ID for people, its view for scripts.
pub fn print_case(ctx: &Context, case: &crate::core::case::Case) -> Result<ExitCode> {
    if ctx.format == crate::views::Format::Table {
        emit(&format!("{}\n", case.id))?;
    } else {
        print_transition(ctx, None, case)?;
    }
    Ok(ExitCode::Success)
}
