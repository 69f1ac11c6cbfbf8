//! `tickets sweep [--dry-run]`: auto-close every case that has waited for the
//! customer `auto_close_after_days` or more; prints their IDs one a line.

use super::{due_of, emit, policy, report_bad_files, Context};
use crate::case::Case;
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::fields::Status;
use crate::lifecycle::{self, auto_close_due, auto_close_resolution, due_for_auto_close, Action};
use crate::output::{serialize, CaseView};
use crate::summary::Summary;
use chrono::Duration;
use clap::Args;
use rayon::prelude::*;

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Print what would be closed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `sweep`.
pub fn run(ctx: &Context, args: SweepArgs) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let after = Duration::days(i64::from(config.auto_close_after_days));
    let due_now = |s: &Summary| auto_close_due(s.status, s.waiting_since, ctx.now, after);
    let lock = if args.dry_run {
        None
    } else {
        Some(ctx.store.lock(ctx.lock_wait)?)
    };
    if let Some(lock) = &lock {
        ctx.store.clean_temp_files(lock)?;
    }
    let (summaries, mut errors) = ctx.store.scan(&|status| status == Status::WaitingForCustomer)?;
    let mut due: Vec<&Summary> = summaries.iter().filter(|s| due_now(s)).collect();
    due.sort_by(|a, b| (a.waiting_since, &a.id).cmp(&(b.waiting_since, &b.id)));
    let actor = ctx.actor.clone().unwrap_or_else(|| "sweep".to_string());
    let action = Action::AutoClose {
        resolution: auto_close_resolution(config.auto_close_after_days),
    };
    let mut closed: Vec<Summary> = Vec::new();
    let mut written = Vec::new();
    // A failed write stops the sweep, but what was written before is still
    // reported and committed.
    let mut failed = None;
    if args.dry_run && ctx.format == crate::output::Format::Table {
        // The IDs are all a dry run prints for people, and the index's
        // summaries (checked against the files) already say which are due.
        emit(
            &due.iter()
                .map(|summary| format!("{}\n", summary.id))
                .collect::<String>(),
        )?;
        return Ok(report_bad_files(&errors));
    }
    // In batches, so memory stays flat however many cases are due.
    for batch in due.chunks(256) {
        // Re-read under the lock (the summary may predate another writer), in parallel.
        let loaded: Vec<Result<Case>> = batch.par_iter().map(|summary| ctx.store.load(&summary.id)).collect();
        let mut changed = Vec::with_capacity(batch.len());
        for case in loaded {
            let case = match case {
                Ok(case) => case,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if !due_for_auto_close(&case, ctx.now, after) {
                continue;
            }
            changed.push(lifecycle::apply(&case, &action, &actor, ctx.now)?);
        }
        if !args.dry_run {
            match ctx.store.save_many(&changed) {
                Ok((paths, refused)) => {
                    errors.extend(refused);
                    let saved: std::collections::HashSet<&std::path::PathBuf> = paths.iter().collect();
                    changed.retain(|case| saved.contains(&ctx.store.case_path(&case.id)));
                    written.extend(paths);
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        closed.extend(changed.iter().map(Summary::of));
    }
    crate::git::commit_if_enabled(
        &config,
        ctx.store.root(),
        &written,
        &crate::git::sweep_message(written.len()),
    );
    let policy = policy(&ctx.store, &config)?;
    let views: Vec<CaseView> = match ctx.format {
        crate::output::Format::Table => Vec::new(),
        _ => closed
            .iter()
            .map(|summary| CaseView::of_summary(summary, &due_of(&config, &policy, summary), ctx.now))
            .collect(),
    };
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => emit(
            &closed
                .iter()
                .map(|summary| format!("{}\n", summary.id))
                .collect::<String>(),
        )?,
    }
    drop(lock);
    let code = report_bad_files(&errors);
    match failed {
        Some(e) => Err(e),
        None => Ok(code),
    }
}
