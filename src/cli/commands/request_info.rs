//! `tickets request-info ID --message M` (or `--template NAME`, a canned
//! answer, with `--message` added after it): -> waiting-for-customer; the
//! auto-close clock (re)starts now.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{print_transitioned, Context};
use crate::operations;
use clap::Args;

/// Arguments of `request-info`.
#[derive(Debug, Args)]
pub struct RequestInfoArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// What was answered or asked (after the canned answer, with --template).
    #[arg(long, short, value_parser = crate::cli::non_empty, required_unless_present = "template")]
    pub message: Option<String>,
    /// A canned answer, `templates/answers/NAME.md` of the store, filled
    /// for the case (`tickets templates` lists them).
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// Attach a file (repeatable): stored in the store, listed by `show`
    /// and sent with the event's message to the customer.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<std::path::PathBuf>,
}

/// Runs `request-info`.
pub fn run(ctx: &Context, args: RequestInfoArgs) -> Result<ExitCode> {
    let enclosures = super::attachment::enclosures(ctx, &args.attach)?;
    let session = ctx.analyst_session();
    let transitioned = match (&args.template, args.message) {
        (Some(name), extra) => operations::answers::request_info_answered(&session, &args.id, name, extra, enclosures)?,
        (None, Some(message)) => operations::request_info(&session, &args.id, message, enclosures)?,
        // clap requires one of them.
        (None, None) => {
            return Err(crate::cli::cli_error::CliError::Usage(
                "--message or --template is needed".into(),
            ))
        }
    };
    print_transitioned(ctx, &transitioned)
}
