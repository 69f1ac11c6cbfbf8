//! `tickets close ID --resolution TEXT`: any status but closed -> closed.

use super::{print_transitioned, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::operations;
use clap::Args;

/// Arguments of `close`.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The resolution or solution given.
    #[arg(long, short, value_parser = super::non_empty)]
    pub resolution: String,
}

/// Runs `close`.
pub fn run(ctx: &Context, args: CloseArgs) -> Result<ExitCode> {
    print_transitioned(
        ctx,
        &operations::close(&ctx.analyst_session(), &args.id, args.resolution)?,
    )
}
