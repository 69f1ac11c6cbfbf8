//! `tickets reply ID --message M`: the customer spoke; any status but closed
//! -> open, and the waiting clock is cleared.

use super::{run_transition, Context};
use crate::error::Result;
use crate::lifecycle::Action;
use clap::Args;

/// Arguments of `reply`.
#[derive(Debug, Args)]
pub struct ReplyArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// What the customer said.
    #[arg(long, short, value_parser = super::non_empty)]
    pub message: String,
}

/// Runs `reply`.
pub fn run(ctx: &Context, args: ReplyArgs) -> Result<i32> {
    run_transition(ctx, &args.id, |_, _| Ok(Action::Reply { message: args.message }))
}
