//! `tickets request-info ID --message M`: -> waiting-for-customer; the
//! auto-close clock (re)starts now.

use super::{run_transition, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::lifecycle::Action;
use clap::Args;

/// Arguments of `request-info`.
#[derive(Debug, Args)]
pub struct RequestInfoArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// What was answered or asked.
    #[arg(long, short, value_parser = super::non_empty)]
    pub message: String,
}

/// Runs `request-info`.
pub fn run(ctx: &Context, args: RequestInfoArgs) -> Result<ExitCode> {
    run_transition(ctx, &args.id, |_, _| Ok(Action::RequestInfo { message: args.message }))
}
