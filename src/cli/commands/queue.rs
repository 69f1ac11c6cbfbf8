//! `tickets queue`: R&D's resolution queue, in the order R&D takes the cases:
//! customer-base impact first, then severity, then the oldest escalation.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::fitted::FittedTable;
use crate::cli::render::{human_duration, truncate_chars};
use crate::cli::{emit, report_bad_files, Context};
use crate::core::terminal::escape_line;
use crate::core::vocabulary::Impact;
use crate::operations;
use crate::views::QueueView;
use crate::views::{serialize, CaseView};
use clap::Args;

/// Arguments of `queue`.
#[derive(Debug, Args)]
pub struct QueueArgs {}

/// Runs `queue`.
pub fn run(ctx: &Context, _args: QueueArgs) -> Result<ExitCode> {
    let queue = operations::queue(&ctx.session())?;
    if ctx.format == crate::views::Format::Table {
        let header = ["#", "ID", "IMPACT", "SEVERITY", "AGE", "CUSTOMER", "SUMMARY"];
        let mut rows = Vec::with_capacity(queue.entries.len());
        for (position, (s, _)) in queue.entries.iter().enumerate() {
            let since = s.escalated_at.unwrap_or(s.updated_at);
            rows.push(vec![
                (position + 1).to_string(),
                s.id.clone(),
                s.impact.unwrap_or(Impact::Low).to_string(),
                s.severity.to_string(),
                human_duration(ctx.now - since),
                escape_line(&s.customer),
                escape_line(&truncate_chars(&s.summary, 60)),
            ]);
        }
        // One case a line: the customer goes before the summary is cut short.
        emit(&FittedTable::new(&header).droppable(&[5]).render(&rows, ctx.style.width))?;
    } else {
        let views: Vec<QueueView> = queue
            .entries
            .iter()
            .enumerate()
            .map(|(position, (s, due))| QueueView {
                position: position + 1,
                case: CaseView::of_digest(s, due, ctx.now),
            })
            .collect();
        if let Some(text) = serialize(ctx.format, &views)? {
            emit(&text)?;
        }
    }
    Ok(report_bad_files(&queue.errors))
}
