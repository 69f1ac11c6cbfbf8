//! `tickets sweep [--dry-run]`: auto-close every case that has waited for the
//! customer `auto_close_after_days` or more; prints their IDs one a line.

use super::{due_of, emit, policy, report_bad_files, Context};
use crate::error::Result;
use crate::lifecycle::{self, auto_close_resolution, due_for_auto_close, Action};
use crate::output::{serialize, CaseView};
use crate::summary::Summary;
use chrono::Duration;
use clap::Args;

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Print what would be closed; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `sweep`.
pub fn run(ctx: &Context, args: SweepArgs) -> Result<i32> {
    let config = ctx.store.config()?;
    let after = Duration::days(i64::from(config.auto_close_after_days));
    let due_now = |s: &Summary| {
        s.status == crate::fields::Status::WaitingForCustomer
            && s.waiting_since.is_some_and(|since| ctx.now - since >= after)
    };
    let lock = if args.dry_run {
        None
    } else {
        Some(ctx.store.lock(ctx.lock_wait)?)
    };
    if let Some(lock) = &lock {
        ctx.store.clean_temp_files(lock)?;
    }
    let (summaries, mut errors) = ctx.store.summaries()?;
    let mut due: Vec<&Summary> = summaries.iter().filter(|s| due_now(s)).collect();
    due.sort_by(|a, b| (a.waiting_since, &a.id).cmp(&(b.waiting_since, &b.id)));
    let actor = ctx.actor.clone().unwrap_or_else(|| "sweep".to_string());
    let mut closed = Vec::new();
    let mut written = Vec::new();
    for summary in due {
        // Re-read under the lock: the summary may predate another writer.
        let case = match ctx.store.load(&summary.id) {
            Ok(case) => case,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if !due_for_auto_close(&case, ctx.now, after) {
            continue;
        }
        let action = Action::AutoClose {
            resolution: auto_close_resolution(config.auto_close_after_days),
        };
        let next = lifecycle::apply(&case, &action, &actor, ctx.now)?;
        if !args.dry_run {
            written.push(ctx.store.save(&next)?);
        }
        closed.push(next);
    }
    crate::git::commit_if_enabled(
        &config,
        ctx.store.root(),
        &written,
        &crate::git::sweep_message(written.len()),
    );
    let policy = policy(&ctx.store, &config)?;
    let views: Vec<CaseView> = closed
        .iter()
        .map(|case| {
            let summary = Summary::of(case);
            CaseView::of_summary(&summary, &due_of(&config, &policy, &summary), ctx.now)
        })
        .collect();
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => emit(&closed.iter().map(|case| format!("{}\n", case.id)).collect::<String>())?,
    }
    drop(lock);
    Ok(report_bad_files(&errors))
}
