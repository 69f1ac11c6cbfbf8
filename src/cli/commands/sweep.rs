//! `tickets sweep [--dry-run]`: auto-close every case that has waited for the
//! customer `auto_close_after_days` or more; prints their IDs one a line.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{due_of, emit, policy, report_bad_files, warn_about, Context};
use crate::operations;
use crate::views::{serialize, CaseView};
use clap::Args;

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Print what would be closed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `sweep`.
pub fn run(ctx: &Context, args: SweepArgs) -> Result<ExitCode> {
    // Signed by the command that did the work, never by `$TICKETS_ACTOR`
    // (an analyst's, when exported in the shell that runs it).
    let session = ctx.session_as("sweep".to_string());
    if args.dry_run && ctx.format == crate::views::Format::Table {
        // The IDs are all a dry run prints for people, and the index's
        // summaries (checked against the files) already say which are due.
        let found = operations::due_for_sweep(&session)?;
        emit(&found.due.iter().map(|id| format!("{id}\n")).collect::<String>())?;
        return Ok(report_bad_files(&found.errors));
    }
    // A table prints only the IDs; JSON and YAML the closed cases' summaries.
    let report = match ctx.format {
        crate::views::Format::Table => operations::Report::Ids,
        _ => operations::Report::Summaries,
    };
    let swept = operations::sweep(&session, super::remind::mode(args.dry_run), report)?;
    swept.warnings.iter().for_each(warn_about);
    let views: Vec<CaseView> = match ctx.format {
        crate::views::Format::Table => Vec::new(),
        _ => {
            let config = ctx.store.config()?;
            let policy = policy(&ctx.store, &config)?;
            swept
                .summaries
                .iter()
                .map(|summary| CaseView::of_digest(summary, &due_of(&config, &policy, summary), ctx.now))
                .collect()
        }
    };
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => emit(&swept.closed.iter().map(|id| format!("{id}\n")).collect::<String>())?,
    }
    let code = report_bad_files(&swept.errors);
    match swept.failed {
        Some(e) => Err(e.into()),
        None => Ok(code),
    }
}
