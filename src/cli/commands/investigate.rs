//! `tickets investigate ID`: open or escalated -> at-investigation.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{print_transitioned, Context};
use crate::operations;
use clap::Args;

/// Arguments of `investigate`.
#[derive(Debug, Args)]
pub struct InvestigateArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// An internal note recorded in history.
    #[arg(long)]
    pub note: Option<String>,
}

/// Runs `investigate`.
pub fn run(ctx: &Context, args: InvestigateArgs) -> Result<ExitCode> {
    print_transitioned(
        ctx,
        &operations::investigate(&ctx.analyst_session(), &args.id, args.note)?,
    )
}
