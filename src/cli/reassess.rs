//! `tickets reassess ID --severity LEVEL [--note N]`: change the severity,
//! which moves the first-response target.

use super::{run_transition, Context};
use crate::error::Result;
use crate::fields::Severity;
use crate::lifecycle::Action;
use clap::Args;

/// Arguments of `reassess`.
#[derive(Debug, Args)]
pub struct ReassessArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The new severity.
    #[arg(long, value_enum)]
    pub severity: Severity,
    /// Why, recorded in history.
    #[arg(long)]
    pub note: Option<String>,
}

/// Runs `reassess`.
pub fn run(ctx: &Context, args: ReassessArgs) -> Result<i32> {
    run_transition(ctx, &args.id, |_, _| {
        Ok(Action::Reassess {
            severity: args.severity,
            note: args.note,
        })
    })
}
