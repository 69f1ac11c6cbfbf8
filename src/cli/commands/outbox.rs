//! `tickets outbox`: the messages to customers: waiting for the mail host,
//! sent (the ledger), failed or being sent, and this clone's sign-in links.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::fitted::FittedTable;
use crate::cli::render::truncate_chars;
use crate::cli::{emit, report_bad_files, Context};
use crate::core::terminal::escape_line;
use crate::operations;
use crate::views::{serialize, OutboxView};
use clap::Args;

/// Arguments of `outbox`.
#[derive(Debug, Args)]
pub struct OutboxArgs {}

/// Runs `outbox`.
pub fn run(ctx: &Context, _args: OutboxArgs) -> Result<ExitCode> {
    let session = ctx.session();
    let (messages, errors) = operations::outbox(&session)?;
    if let Some(warning) = operations::unstarted_mail(&session)? {
        crate::cli::warn_about(&warning);
    }
    let views: Vec<OutboxView> = messages.iter().map(OutboxView::of).collect();
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None if views.is_empty() => {}
        None => emit(&outbox_table(&views, &ctx.style))?,
    }
    Ok(report_bad_files(&errors))
}

/// The table for people: one message a line.
pub fn outbox_table(views: &[OutboxView], style: &crate::cli::render::color::Style) -> String {
    let header = ["CASE", "STATE", "EVENT", "TO", "QUEUED", "SUBJECT", "ERROR"];
    let mut rows = Vec::with_capacity(views.len());
    for view in views {
        rows.push(vec![
            // A planted outbox file is text like any other; a sign-in link
            // is about no case.
            if view.case.is_empty() {
                "-".to_string()
            } else {
                escape_line(&view.case)
            },
            view.state.clone(),
            view.event.clone(),
            escape_line(&view.to),
            view.queued_at.clone(),
            // Fitted to a width, the subject's `[ID] ` (the first column
            // says it) makes room for its words and is never cut mid-ID.
            truncate_chars(
                &escape_line(match style.width {
                    Some(_) => view
                        .subject
                        .strip_prefix(&format!("[{}] ", view.case))
                        .unwrap_or(&view.subject),
                    None => &view.subject,
                }),
                40,
            ),
            view.error
                .as_deref()
                .map(|e| truncate_chars(&escape_line(e), 60))
                .unwrap_or_default(),
        ]);
    }
    // One message a line: the event, then the subject (`[ID] summary`, the
    // case is in the first column) go before the error moves under it.
    FittedTable::new(&header).droppable(&[2, 5]).render(&rows, style.width)
}
