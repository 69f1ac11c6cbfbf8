//! `tickets reassess ID --severity LEVEL [--note N]`: change the severity,
//! which moves the first-response target (it is recomputed from the case's
//! opening with the new severity).

use super::{due_of, emit, policy, transition_unless_unchanged, Context, Outcome};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::fields::Severity;
use crate::lifecycle::Action;
use crate::output::{first_response_cell, serialize, CaseView};
use crate::summary::Summary;
use crate::time::format_instant;
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
pub fn run(ctx: &Context, args: ReassessArgs) -> Result<ExitCode> {
    let mut before = None;
    let outcome = transition_unless_unchanged(ctx, &args.id, |case, _| {
        before = Some(case.severity);
        let action = Action::Reassess {
            severity: args.severity,
            note: args.note,
        };
        Ok((action, case.severity == args.severity))
    })?;
    let config = ctx.store.config()?;
    let policy = policy(&ctx.store, &config)?;
    let case = match outcome {
        Outcome::Changed(case) => case,
        Outcome::Unchanged(case) => {
            crate::error::diagnostic(&format!(
                "{}: severity is already {}; nothing changed",
                case.id, case.severity
            ));
            let due = due_of(&config, &policy, &Summary::of(&case));
            if let Some(text) = serialize(ctx.format, &CaseView::of_case(&case, &due, ctx.now))? {
                emit(&text)?;
            }
            return Ok(ExitCode::Success);
        }
    };
    let summary = Summary::of(&case);
    let due = due_of(&config, &policy, &summary);
    match serialize(ctx.format, &CaseView::of_case(&case, &due, ctx.now))? {
        Some(text) => emit(&text)?,
        None => emit(&format!(
            "{}: severity {} -> {}; first response due {} ({})\n",
            case.id,
            before.map(|s| s.as_str()).unwrap_or("-"),
            case.severity,
            format_instant(&due.first_response_due),
            first_response_cell(&summary, &due.first_response_due, ctx.now)
        ))?,
    }
    Ok(ExitCode::Success)
}
