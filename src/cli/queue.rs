//! `tickets queue`: R&D's resolution queue, in the order R&D takes the cases:
//! customer-base impact first, then severity, then the oldest escalation.

use super::{due_of, emit, policy, report_bad_files, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::fields::{Impact, Status};
use crate::output::{human_duration, render_table, serialize, table, truncate_chars, CaseView, QueueView};
use crate::summary::Summary;
use crate::terminal::escape_line;
use clap::Args;
use std::cmp::Reverse;

/// Arguments of `queue`.
#[derive(Debug, Args)]
pub struct QueueArgs {}

/// The queue order: impact (high first), severity (high first), oldest
/// escalation, then ID so that the order is total.
pub fn queue_order(cases: &mut [Summary]) {
    cases.sort_by_key(|s| {
        (
            Reverse(s.impact.unwrap_or(Impact::Low)),
            Reverse(s.severity),
            s.escalated_at.unwrap_or(s.updated_at),
            s.id.clone(),
        )
    });
}

/// Runs `queue`.
pub fn run(ctx: &Context, _args: QueueArgs) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let policy = policy(&ctx.store, &config)?;
    let (summaries, errors) = ctx.store.scan(&|status| status == Status::Escalated)?;
    let mut queue: Vec<Summary> = summaries
        .into_iter()
        .filter(|s| s.status == Status::Escalated)
        .collect();
    queue_order(&mut queue);
    if ctx.format == crate::output::Format::Table {
        let mut out = table(&["#", "ID", "IMPACT", "SEVERITY", "AGE", "CUSTOMER", "SUMMARY"]);
        crate::output::fit(&mut out, &ctx.style);
        for (position, s) in queue.iter().enumerate() {
            let since = s.escalated_at.unwrap_or(s.updated_at);
            out.add_row(vec![
                (position + 1).to_string(),
                s.id.clone(),
                s.impact.unwrap_or(Impact::Low).to_string(),
                s.severity.to_string(),
                human_duration(ctx.now - since),
                escape_line(&s.customer),
                escape_line(&truncate_chars(&s.summary, 60)),
            ]);
        }
        emit(&render_table(&out))?;
    } else {
        let views: Vec<QueueView> = queue
            .iter()
            .enumerate()
            .map(|(position, s)| QueueView {
                position: position + 1,
                case: CaseView::of_summary(s, &due_of(&config, &policy, s), ctx.now),
            })
            .collect();
        if let Some(text) = serialize(ctx.format, &views)? {
            emit(&text)?;
        }
    }
    Ok(report_bad_files(&errors))
}
