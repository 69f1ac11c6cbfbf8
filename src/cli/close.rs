//! `tickets close ID --resolution TEXT`: any status but closed -> closed.

use super::{run_transition, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::lifecycle::Action;
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
    run_transition(ctx, &args.id, |_, _| {
        Ok(Action::Close {
            resolution: args.resolution,
        })
    })
}
