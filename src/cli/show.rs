//! `tickets show ID`: one case with its history.

use super::{emit, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::operations;
use crate::output::{serialize, show_text, CaseView};
use clap::Args;

/// Arguments of `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
}

/// Runs `show`.
pub fn run(ctx: &Context, args: ShowArgs) -> Result<ExitCode> {
    let shown = operations::show(&ctx.session(), &args.id)?;
    match serialize(ctx.format, &CaseView::of_case(&shown.case, &shown.due, ctx.now))? {
        Some(text) => emit(&text)?,
        None => emit(&show_text(&shown.case, &shown.due, ctx.now, &ctx.style))?,
    }
    Ok(ExitCode::Success)
}
