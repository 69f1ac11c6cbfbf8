//! `tickets reassess ID --severity LEVEL [--note N]`: change the severity,
//! which moves the first-response target (it is recomputed from the case's
//! opening with the new severity).

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::first_response_cell;
use crate::cli::{due_of, emit, policy, warn_about, Context};
use crate::core::digest::Digest;
use crate::core::time::format_instant;
use crate::core::vocabulary::Severity;
use crate::operations::{self, Outcome, Reassessed};
use crate::views::{serialize, CaseView};
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
    let outcome = operations::reassess(&ctx.analyst_session(), &args.id, args.severity, args.note)?;
    if let Outcome::Changed(reassessed) = &outcome {
        reassessed.transitioned.warnings.iter().for_each(warn_about);
    }
    let config = ctx.store.config()?;
    let policy = policy(&ctx.store, &config)?;
    let Reassessed { before, transitioned } = match outcome {
        Outcome::Changed(reassessed) => reassessed,
        Outcome::Unchanged(case) => {
            crate::core::error::diagnostic(&format!(
                "{}: severity is already {}; nothing changed",
                case.id, case.severity
            ));
            let due = due_of(&config, &policy, &Digest::of(&case));
            if let Some(text) = serialize(ctx.format, &CaseView::of_case(&case, &due, ctx.now))? {
                emit(&text)?;
            }
            return Ok(ExitCode::Success);
        }
    };
    let case = transitioned.case;
    let summary = Digest::of(&case);
    let due = due_of(&config, &policy, &summary);
    match serialize(ctx.format, &CaseView::of_case(&case, &due, ctx.now))? {
        Some(text) => emit(&text)?,
        None => emit(&format!(
            "{}: severity {before} -> {}; first response due {} ({})\n",
            case.id,
            case.severity,
            format_instant(&due.first_response_due),
            first_response_cell(&summary, &due.first_response_due, ctx.now)
        ))?,
    }
    Ok(ExitCode::Success)
}
