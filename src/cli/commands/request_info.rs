//! `tickets request-info ID --message M`: -> waiting-for-customer; the
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
    /// What was answered or asked.
    #[arg(long, short, value_parser = crate::cli::non_empty)]
    pub message: String,
    /// Attach a file (repeatable): stored in the store, listed by `show`
    /// and sent with the event's message to the customer.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<std::path::PathBuf>,
}

/// Runs `request-info`.
pub fn run(ctx: &Context, args: RequestInfoArgs) -> Result<ExitCode> {
    let enclosures = super::attachment::enclosures(ctx, &args.attach)?;
    print_transitioned(
        ctx,
        &operations::request_info(&ctx.analyst_session(), &args.id, args.message, enclosures)?,
    )
}
