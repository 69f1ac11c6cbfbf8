//! `tickets remind [--dry-run]`: waiting cases due a reminder before
//! auto-close (`remind_after_days` in config). Records one `remind` event per
//! waiting period and never restarts the auto-close clock.

use super::{due_of, emit, policy, report_bad_files, Context};
use crate::error::Result;
use crate::fields::Status;
use crate::lifecycle::{self, Action};
use crate::output::{serialize, CaseView};
use crate::summary::Summary;
use crate::time::format_instant;
use chrono::Duration;
use clap::Args;

/// Arguments of `remind`.
#[derive(Debug, Args)]
pub struct RemindArgs {
    /// List the cases due a reminder; record nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `remind`.
pub fn run(ctx: &Context, args: RemindArgs) -> Result<i32> {
    let config = ctx.store.config()?;
    let Some(remind_days) = config.remind_after_days else {
        eprintln!("reminders are off: config.yaml has no remind_after_days");
        if let Some(text) = serialize(ctx.format, &Vec::<RemindView>::new())? {
            emit(&text)?;
        }
        return Ok(0);
    };
    let remind_after = Duration::days(i64::from(remind_days));
    let close_after = Duration::days(i64::from(config.auto_close_after_days));
    let is_due = |s: &Summary| {
        s.status == Status::WaitingForCustomer
            && !s.reminded
            && s.waiting_since
                .is_some_and(|since| ctx.now - since >= remind_after && ctx.now - since < close_after)
    };
    let lock = if args.dry_run {
        None
    } else {
        Some(ctx.store.lock(ctx.lock_wait)?)
    };
    let (summaries, mut errors) = ctx.store.summaries()?;
    let mut due: Vec<&Summary> = summaries.iter().filter(|s| is_due(s)).collect();
    due.sort_by(|a, b| (a.waiting_since, &a.id).cmp(&(b.waiting_since, &b.id)));
    let actor = ctx.actor.clone().unwrap_or_else(|| "remind".to_string());
    let policy = policy(&ctx.store, &config)?;
    let mut views = Vec::new();
    for summary in due {
        let case = match ctx.store.load(&summary.id) {
            Ok(case) => case,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if !is_due(&Summary::of(&case)) {
            continue;
        }
        let message = format!(
            "reminder: no response for {remind_days} days; auto-close after {} days",
            config.auto_close_after_days
        );
        let next = lifecycle::apply(&case, &Action::Remind { message: Some(message) }, &actor, ctx.now)?;
        if !args.dry_run {
            ctx.store.save(&next)?;
        }
        let summary = Summary::of(&next);
        let auto_close_at = next.waiting_since.map(|since| format_instant(&(since + close_after)));
        views.push(RemindView {
            case: CaseView::of_summary(&summary, &due_of(&config, &policy, &summary), ctx.now),
            auto_close_at,
        });
    }
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => emit(&views.iter().map(|v| format!("{}\n", v.case.id)).collect::<String>())?,
    }
    drop(lock);
    Ok(report_bad_files(&errors))
}

/// A case due a reminder, for a mail script.
#[derive(Debug, serde::Serialize)]
pub struct RemindView {
    /// The case.
    #[serde(flatten)]
    pub case: CaseView,
    /// When `sweep` will auto-close it if the customer stays silent.
    pub auto_close_at: Option<String>,
}
