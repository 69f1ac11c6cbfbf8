//! `tickets open`: create a case, routed to an available L1 analyst; prints
//! the new ID alone on stdout. With `--from-email` the case comes from an
//! e-mail message on stdin (see [`crate::mail::intake`]).

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, report_bad_files, warn, warn_about, Context};
use crate::core::vocabulary::{Channel, Severity};
use crate::operations::{self, OpenRequest, Opening};
use clap::Args;

/// Arguments of `open`.
#[derive(Debug, Args)]
#[command(
    override_usage = "tickets open --customer <NAME> --summary <SUMMARY> [OPTIONS]\n       \
    tickets open --follow-up-of <ID> --summary <SUMMARY> [OPTIONS]\n       \
    tickets open --from-email [OPTIONS] < message.eml"
)]
pub struct OpenArgs {
    /// The customer's name (as in config.yaml; unknown customers get the
    /// standard plan). A follow-up takes the customer of the case it follows.
    #[arg(
        long,
        value_name = "NAME",
        value_parser = crate::cli::non_empty,
        required_unless_present_any = ["from_email", "follow_up_of"]
    )]
    pub customer: Option<String>,
    /// One line saying what is wrong.
    #[arg(long, value_parser = crate::cli::non_empty, required_unless_present = "from_email")]
    pub summary: Option<String>,
    /// The customer's description.
    #[arg(long, default_value = "")]
    pub description: String,
    /// The contact's e-mail address (a follow-up: the followed case's).
    #[arg(long)]
    pub email: Option<String>,
    /// How the customer reached support [default: phone, the analyst took
    /// it (with severity medium); a follow-up: the followed case's]. The
    /// portal and e-mail intake record their own channel.
    #[arg(long, value_enum)]
    pub channel: Option<Channel>,
    /// Severity (default: high for --channel phone, medium otherwise).
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// The closed case this one follows up; its customer, contact and
    /// channel are taken unless given (another customer's case is refused).
    #[arg(long, value_name = "ID")]
    pub follow_up_of: Option<String>,
    /// Read an e-mail message (at most 10 MiB, more when attachments.max_message_bytes allows) on stdin: Subject -> summary,
    /// text body -> description, sender's domain -> customer (config
    /// `domains`), channel email. Unknown domains are refused (exit 2).
    #[arg(
        long,
        conflicts_with_all = ["customer", "summary", "description", "email", "channel", "follow_up_of"]
    )]
    pub from_email: bool,
    /// Attach a file (repeatable): stored in the store, listed by `show`.
    #[arg(long = "attach", value_name = "FILE", conflicts_with = "from_email")]
    pub attach: Vec<std::path::PathBuf>,
}

/// Runs `open`.
pub fn run(ctx: &Context, args: OpenArgs) -> Result<ExitCode> {
    let opening = if args.from_email {
        // In a mail pipe $USER means nothing; the sender acted unless --as says otherwise.
        let session = ctx.session();
        operations::open_from_email(&session, std::io::stdin().lock(), ctx.actor.as_deref())?
    } else {
        let session = ctx.analyst_session();
        // A follow-up continues the conversation: same customer, contact and
        // channel unless told otherwise.
        let previous = match &args.follow_up_of {
            Some(id) => Some(operations::case(&session, id)?),
            None => None,
        };
        let customer = args.customer.or_else(|| previous.as_ref().map(|p| p.customer.clone()));
        let email = args.email.or_else(|| previous.as_ref().and_then(|p| p.email.clone()));
        // A case typed in the shell came to an analyst, not through the
        // portal: phone, but at medium, since nobody said it was the hotline.
        let given = args.channel.or(previous.as_ref().map(|p| p.channel));
        let channel = given.unwrap_or(Channel::Phone);
        let severity = args.severity.or(given.is_none().then_some(Severity::Medium));
        let (Some(customer), Some(summary)) = (customer, args.summary) else {
            return Err(CliError::Usage("--customer and --summary are required".into()));
        };
        let request = OpenRequest {
            customer,
            summary,
            description: args.description,
            email,
            channel,
            severity,
            follow_up_of: args.follow_up_of,
            message_id: None,
            automatic: false,
        };
        let enclosures = super::attachment::enclosures(ctx, &args.attach)?;
        operations::open(&session, request, enclosures)?
    };
    match opening {
        Opening::AlreadyOpened { id } => {
            // A mail server redelivering the same message must not open a second case.
            warn(&format!("this message already opened {id}; not opening another"));
            emit(&format!("{id}\n"))?;
            Ok(ExitCode::Success)
        }
        Opening::Opened(opened) => {
            opened.warnings.iter().for_each(warn_about);
            emit(&format!("{}\n", opened.case.id))?;
            Ok(report_bad_files(&opened.errors))
        }
    }
}
