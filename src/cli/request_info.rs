//! `tickets request-info ID --message M`: -> waiting-for-customer; the
//! auto-close clock (re)starts now.

use super::{print_transitioned, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::operations;
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
    print_transitioned(
        ctx,
        &operations::request_info(&ctx.analyst_session(), &args.id, args.message)?,
    )
}
