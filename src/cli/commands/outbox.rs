//! `tickets outbox`: the messages to customers: waiting for the mail host,
//! sent (the ledger), failed or being sent, and this clone's sign-in links.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::{render_table, table, truncate_chars};
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
    let (messages, errors) = operations::outbox(&ctx.session())?;
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
    let mut out = table(&["CASE", "STATE", "EVENT", "TO", "QUEUED", "SUBJECT", "ERROR"]);
    crate::cli::render::fit(&mut out, style);
    for view in views {
        out.add_row(vec![
            // A planted outbox file is text like any other.
            escape_line(&view.case),
            view.state.clone(),
            view.event.clone(),
            escape_line(&view.to),
            view.queued_at.clone(),
            truncate_chars(&escape_line(&view.subject), 40),
            view.error
                .as_deref()
                .map(|e| truncate_chars(&escape_line(e), 60))
                .unwrap_or_default(),
        ]);
    }
    render_table(&out)
}
