//! `tickets investigate ID`: open or escalated -> at-investigation.

use super::{run_transition, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::lifecycle::Action;
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
    run_transition(ctx, &args.id, |_, _| Ok(Action::Investigate { note: args.note }))
}
