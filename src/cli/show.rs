//! `tickets show ID`: one case with its history.

use super::{due_of, emit, policy, Context};
use crate::error::Result;
use crate::exit_code::ExitCode;
use crate::output::{serialize, show_text, CaseView};
use crate::summary::Summary;
use clap::Args;

/// Arguments of `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
}

/// Runs `show`.
pub fn run(ctx: &Context, args: ShowArgs) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let policy = policy(&ctx.store, &config)?;
    let id = ctx.store.resolve(&args.id)?;
    let case = ctx.store.load(&id)?;
    let due = due_of(&config, &policy, &Summary::of(&case));
    match serialize(ctx.format, &CaseView::of_case(&case, &due, ctx.now))? {
        Some(text) => emit(&text)?,
        None => emit(&show_text(&case, &due, ctx.now, &ctx.style))?,
    }
    Ok(ExitCode::Success)
}
