//! `tickets templates`: the store's canned answers (`templates/answers/NAME.md`),
//! each with its first line.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::fitted::FittedTable;
use crate::cli::{emit, report_bad_files, Context};
use crate::core::terminal::escape_line;
use crate::operations;
use crate::views::{serialize, AnswerView};
use clap::Args;

/// Arguments of `templates`.
#[derive(Debug, Args)]
pub struct TemplatesArgs {}

/// Runs `templates`: a file that cannot be used (unreadable, an unknown
/// placeholder) is named on stderr and the command exits 5 at the end.
pub fn run(ctx: &Context, _args: TemplatesArgs) -> Result<ExitCode> {
    let (answers, errors) = operations::answers::answers(&ctx.store)?;
    let views: Vec<AnswerView> = answers.iter().map(|a| AnswerView::of(&a.name, &a.first_line)).collect();
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None if views.is_empty() => {}
        None => emit(&templates_table(&views, ctx.style.width))?,
    }
    Ok(report_bad_files(&errors))
}

/// The table for people: one answer a line, its first line cut to fit.
pub fn templates_table(views: &[AnswerView], width: Option<u16>) -> String {
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|view| vec![escape_line(&view.name), escape_line(&view.first_line)])
        .collect();
    FittedTable::new(&["NAME", "FIRST LINE"]).render(&rows, width)
}
