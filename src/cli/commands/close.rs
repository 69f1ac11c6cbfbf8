//! `tickets close ID --resolution TEXT`: any status but closed -> closed.

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
    /// The resolution or solution given.
    #[arg(long, short, value_parser = crate::cli::non_empty)]
    pub resolution: String,
    /// Attach a file (repeatable): stored in the store, listed by `show`
    /// and sent with the event's message to the customer.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<std::path::PathBuf>,
}

/// Runs `close`.
pub fn run(ctx: &Context, args: CloseArgs) -> Result<ExitCode> {
    let enclosures = super::attachment::enclosures(ctx, &args.attach)?;
    print_transitioned(
        ctx,
        &operations::close(&ctx.analyst_session(), &args.id, args.resolution, enclosures)?,
    )
}
