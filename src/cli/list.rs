//! `tickets list`: the cases that are not closed, filtered.

use super::{emit, report_bad_files, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::operations::{self, ListFilter};
use crate::output::{list_table, serialize, CaseView};
use crate::vocabulary::{Level, Severity, Status};
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
    let filter = ListFilter {
        status: args.status,
        assignee: args.assignee,
        level: args.level,
        severity: args.severity,
        overdue: args.overdue,
        all: args.all,
    };
    let listed = operations::list(&ctx.session(), &filter)?;
    let views: Vec<CaseView> = match ctx.format {
        crate::output::Format::Table => Vec::new(),
        _ => listed
            .rows
            .iter()
            .map(|(s, due)| CaseView::of_digest(s, due, ctx.now))
            .collect(),
    };
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => emit(&list_table(&listed.rows, ctx.now, &ctx.style))?,
    }
    Ok(report_bad_files(&listed.errors))
}
