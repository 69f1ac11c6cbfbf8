//! `tickets remind [--dry-run]`: waiting cases due a reminder before
//! auto-close (`remind_after_days` in config). A case is due when its
//! waiting clock started `remind_after_days` or more ago and it is not yet
//! due for auto-close (then `sweep` closes it; a reminder would be too late).
//! Records one `remind` event per waiting period and never restarts the
//! auto-close clock: the reminder is ours, not the customer's response.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::fitted::FittedTable;
use crate::cli::render::truncate_chars;
use crate::cli::{emit, report_bad_files, Context};
use crate::core::terminal::escape_line;
use crate::core::time::format_instant;
use crate::operations;
use crate::views::RemindView;
use crate::views::{serialize, CaseView};
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
    // Signed by the command, never by `$TICKETS_ACTOR`: see `sweep`.
    let session = ctx.session_as("remind".to_string());
    let Some(reminded) = operations::remind(&session, mode(args.dry_run))? else {
        crate::core::error::diagnostic(
            "reminders are off: config.yaml has no remind_after_days (e.g. remind_after_days: 5)",
        );
        if let Some(text) = serialize(ctx.format, &Vec::<RemindView>::new())? {
            emit(&text)?;
        }
        return Ok(ExitCode::Success);
    };
    let views: Vec<RemindView> = reminded
        .reminders
        .iter()
        .map(|reminder| RemindView {
            case: CaseView::of_digest(&reminder.summary, &reminder.due, ctx.now),
            auto_close_at: format_instant(&reminder.auto_close_at),
        })
        .collect();
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None if views.is_empty() => {}
        None => emit(&remind_table(&views, &ctx.style))?,
    }
    reminded.warnings.iter().for_each(crate::cli::warn_about);
    Ok(report_bad_files(&reminded.errors))
}

/// `--dry-run` previews; otherwise the reminders are recorded.
pub(super) fn mode(dry_run: bool) -> operations::Mode {
    if dry_run {
        operations::Mode::Preview
    } else {
        operations::Mode::Apply
    }
}

fn remind_table(views: &[RemindView], style: &crate::cli::render::color::Style) -> String {
    // One case a line: the auto-close date (the waiting date plus the
    // store's rule) goes first, then the customer (the address names it).
    let header = ["ID", "CUSTOMER", "EMAIL", "WAITING SINCE", "AUTO-CLOSE AT", "SUMMARY"];
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|view| {
            vec![
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
            ]
        })
        .collect();
    FittedTable::new(&header).droppable(&[4, 1]).render(&rows, style.width)
}
