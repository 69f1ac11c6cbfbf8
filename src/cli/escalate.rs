//! `tickets escalate ID [--impact low|medium|high]`: at L1, to L2 (re-routed
//! among available L2 analysts); at L2 or R&D, into R&D's resolution queue.

use super::{active_counts, report_bad_files, run_transition, warn, Context};
use crate::error::{Error, Result};
use crate::exit_code::ExitCode;
use crate::fields::{Impact, Level};
use crate::lifecycle::Action;
use crate::routing::route;
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
    let mut unassigned = false;
    let mut id = args.id.clone();
    let mut bad_files = Vec::new();
    let result = run_transition(ctx, &args.id, |case, config| {
        id = case.id.clone();
        if case.level != Level::L1 {
            return Ok(Action::Escalate {
                impact: args.impact,
                assignee: None,
                note: args.note,
            });
        }
        let allowed = crate::lifecycle::allowed_from(case.status).contains(&crate::fields::ActionKind::Escalate);
        if args.impact.is_some() && allowed {
            return Err(Error::Usage(format!(
                "--impact is for escalating into R&D's queue (from l2 or rnd); {} is at l1 and goes to L2 first",
                case.id
            )));
        }
        let (counts, unreadable) = active_counts(ctx)?;
        bad_files = unreadable;
        let routed = route(
            config,
            Level::L2,
            &format!("{}\n{}", case.summary, case.description),
            &counts,
        );
        unassigned = routed.assignee.is_none();
        let note = match args.note {
            Some(note) => format!("{note} ({})", routed.reason),
            None => routed.reason,
        };
        Ok(Action::Escalate {
            impact: args.impact,
            assignee: routed.assignee,
            note: Some(note),
        })
    });
    if unassigned && result.is_ok() {
        warn(&format!(
            "no available l2 analyst; {id} is unassigned (tickets assign {id} ANALYST)"
        ));
    }
    match result {
        Ok(ExitCode::Success) => Ok(report_bad_files(&bad_files)),
        other => other,
    }
}
