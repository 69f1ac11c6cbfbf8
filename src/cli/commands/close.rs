//! `tickets close ID --resolution TEXT` (or `--template NAME`, a canned
//! answer, with `--resolution` added after it): any status but closed ->
//! closed.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{print_transitioned, Context};
use crate::operations;
use clap::Args;

/// Arguments of `close`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The resolution or solution given (after the canned answer, with --template).
    #[arg(long, short, value_parser = crate::cli::non_empty, required_unless_present = "template")]
    pub resolution: Option<String>,
    /// A canned answer, `templates/answers/NAME.md` of the store, filled
    /// for the case (`tickets templates` lists them).
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// Attach a file (repeatable): stored in the store, listed by `show`
    /// and sent with the event's message to the customer.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<std::path::PathBuf>,
}

/// Runs `close`.
pub fn run(ctx: &Context, args: CloseArgs) -> Result<ExitCode> {
    let enclosures = super::attachment::enclosures(ctx, &args.attach)?;
    let session = ctx.analyst_session();
    let transitioned = match (&args.template, args.resolution) {
        (Some(name), extra) => operations::answers::close_answered(&session, &args.id, name, extra, enclosures)?,
        (None, Some(resolution)) => operations::close(&session, &args.id, resolution, enclosures)?,
        // clap requires one of them.
        (None, None) => {
            return Err(crate::cli::cli_error::CliError::Usage(
                "--resolution or --template is needed".into(),
            ))
        }
    };
    print_transitioned(ctx, &transitioned)
}
