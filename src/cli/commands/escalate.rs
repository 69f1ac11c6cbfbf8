//! `tickets escalate ID [--impact low|medium|high]`: at L1, to L2 (re-routed
//! among available L2 analysts); at L2 or R&D, into R&D's resolution queue.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{print_transition, report_bad_files, warn, warn_about, Context};
use crate::core::vocabulary::Impact;
use crate::operations::{self, Warning};
use clap::Args;

/// Arguments of `escalate`.
#[derive(Debug, Args)]
pub struct EscalateArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// Impact on the customer base when entering R&D's queue (default low).
    #[arg(long, value_enum)]
    pub impact: Option<Impact>,
    /// A note recorded in history.
    #[arg(long)]
    pub note: Option<String>,
}

/// Runs `escalate`.
pub fn run(ctx: &Context, args: EscalateArgs) -> Result<ExitCode> {
    let escalated = operations::escalate(&ctx.analyst_session(), &args.id, args.impact, args.note)?;
    let transitioned = &escalated.transitioned;
    let (unassigned, others): (Vec<&Warning>, Vec<&Warning>) = transitioned
        .warnings
        .iter()
        .partition(|w| matches!(w, Warning::Unassigned { .. }));
    others.into_iter().for_each(warn_about);
    print_transition(ctx, Some(transitioned.before), &transitioned.case)?;
    for warning in unassigned {
        if let Warning::Unassigned { id, level, .. } = warning {
            warn(&format!(
                "no available {level} analyst; {id} is unassigned (tickets assign {id} ANALYST)"
            ));
        }
    }
    Ok(report_bad_files(&escalated.errors))
}
