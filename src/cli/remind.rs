//! `tickets remind [--dry-run]`: waiting cases due a reminder before
//! auto-close (`remind_after_days` in config). A case is due when its
//! waiting clock started `remind_after_days` or more ago and it is not yet
//! due for auto-close (then `sweep` closes it; a reminder would be too late).
//! Records one `remind` event per waiting period and never restarts the
//! auto-close clock: the reminder is ours, not the customer's response.

use super::{due_of, emit, policy, report_bad_files, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::fields::Status;
use crate::lifecycle::{self, Action};
use crate::output::{render_table, serialize, table, truncate_chars, CaseView, RemindView};
use crate::summary::Summary;
use crate::terminal::escape_line;
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
pub fn run(ctx: &Context, args: RemindArgs) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let Some(remind_days) = config.remind_after_days else {
        crate::error::diagnostic("reminders are off: config.yaml has no remind_after_days (e.g. remind_after_days: 5)");
        if let Some(text) = serialize(ctx.format, &Vec::<RemindView>::new())? {
            emit(&text)?;
        }
        return Ok(ExitCode::Success);
    };
    let remind_after = Duration::days(i64::from(remind_days));
    let close_after = Duration::days(i64::from(config.auto_close_after_days));
    // Not once due for auto-close: then `sweep` closes it, and a reminder
    // would come too late.
    let is_due = |s: &Summary| {
        s.status == Status::WaitingForCustomer
            && !s.reminded
            && s.waiting_since.is_some_and(|since| ctx.now - since >= remind_after)
            && !lifecycle::auto_close_due(s.status, s.waiting_since, ctx.now, close_after)
    };
    let lock = if args.dry_run {
        None
    } else {
        Some(ctx.store.lock(ctx.lock_wait)?)
    };
    let policy = policy(&ctx.store, &config)?;
    let (summaries, mut errors) = ctx.store.scan(&|status| status == Status::WaitingForCustomer)?;
    let mut due: Vec<&Summary> = summaries.iter().filter(|s| is_due(s)).collect();
    due.sort_by(|a, b| (a.waiting_since, &a.id).cmp(&(b.waiting_since, &b.id)));
    let actor = ctx.actor.clone().unwrap_or_else(|| "remind".to_string());
    let mut views = Vec::new();
    for summary in due {
        // Re-read under the lock: the summary may predate another writer.
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
        let Some(since) = case.waiting_since else {
            continue;
        };
        let auto_close_at = format_instant(&(since + close_after));
        let message = format!(
            "reminder: waiting for the customer since {}; auto-closes at {auto_close_at} without a response",
            format_instant(&since)
        );
        let next = lifecycle::apply(&case, &Action::Remind { message: Some(message) }, &actor, ctx.now)?;
        if !args.dry_run {
            ctx.store.save(&next)?;
        }
        let summary = Summary::of(&next);
        views.push(RemindView {
            case: CaseView::of_summary(&summary, &due_of(&config, &policy, &summary), ctx.now),
            auto_close_at,
        });
    }
    drop(lock);
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None if views.is_empty() => {}
        None => emit(&remind_table(&views, &ctx.style))?,
    }
    Ok(report_bad_files(&errors))
}

fn remind_table(views: &[RemindView], style: &crate::color::Style) -> String {
    let mut out = table(&["ID", "CUSTOMER", "EMAIL", "WAITING SINCE", "AUTO-CLOSE AT", "SUMMARY"]);
    crate::output::fit(&mut out, style);
    for view in views {
        out.add_row(vec![
            view.case.id.clone(),
            escape_line(&view.case.customer),
            view.case
                .email
                .as_deref()
                .map(escape_line)
                .unwrap_or_else(|| "-".into()),
            view.case.waiting_since.clone().unwrap_or_default(),
            view.auto_close_at.clone(),
            escape_line(&truncate_chars(&view.case.summary, 60)),
        ]);
    }
    render_table(&out)
}
