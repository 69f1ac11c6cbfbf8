//! `tickets list`: the cases that are not closed, filtered.

use super::{due_of, emit, policy, report_bad_files, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::fields::{Level, Severity, Status};
use crate::output::{is_overdue, list_table, serialize, CaseView};
use clap::Args;

/// Arguments of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this status (closed cases show only when asked for).
    #[arg(long, value_enum)]
    pub status: Option<Status>,
    /// Only this assignee.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only this tier.
    #[arg(long, value_enum)]
    pub level: Option<Level>,
    /// Only this severity.
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// Only cases past their first-response target with no first response.
    #[arg(long)]
    pub overdue: bool,
    /// Include closed cases.
    #[arg(long)]
    pub all: bool,
}

/// Runs `list`.
pub fn run(ctx: &Context, args: ListArgs) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let policy = policy(&ctx.store, &config)?;
    let wanted = |status: Status| match args.status {
        Some(wanted) => status == wanted,
        None => args.all || status != Status::Closed,
    };
    let (summaries, errors) = ctx.store.scan(&wanted)?;
    let mut rows: Vec<_> = summaries
        .into_iter()
        .filter(|s| match args.status {
            Some(status) => s.status == status,
            None => args.all || s.status != Status::Closed,
        })
        .filter(|s| args.assignee.as_ref().is_none_or(|a| s.assignee.as_ref() == Some(a)))
        .filter(|s| args.level.is_none_or(|l| s.level == l))
        .filter(|s| args.severity.is_none_or(|v| s.severity == v))
        .map(|s| {
            let due = due_of(&config, &policy, &s);
            (s, due)
        })
        .filter(|(s, due)| !args.overdue || is_overdue(s, &due.first_response_due, ctx.now))
        .collect();
    rows.sort_by(|a, b| (a.0.created_at, &a.0.id).cmp(&(b.0.created_at, &b.0.id)));
    let views: Vec<CaseView> = match ctx.format {
        crate::output::Format::Table => Vec::new(),
        _ => rows
            .iter()
            .map(|(s, due)| CaseView::of_summary(s, due, ctx.now))
            .collect(),
    };
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => emit(&list_table(&rows, ctx.now, &ctx.style))?,
    }
    Ok(report_bad_files(&errors))
}
