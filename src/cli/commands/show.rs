//! `tickets show ID`: one case with its history.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::pager::Output;
use crate::cli::render::{merged_text, show_text, ShowContext};
use crate::cli::{emit, Context};
use crate::operations;
use crate::views::{serialize, CaseView, Format, MergedConversation};
use clap::Args;

/// Arguments of `show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// Print directly, even on a terminal.
    #[arg(long)]
    pub no_pager: bool,
}

/// Runs `show`.
pub fn run(ctx: &Context, args: ShowArgs) -> Result<ExitCode> {
    let shown = operations::show(&ctx.session(), &args.id)?;
    let mut view = CaseView::of_case(&shown.case, &shown.due, ctx.now);
    view.follow_ups = Some(shown.follow_ups.clone());
    if !shown.merged.is_empty() {
        view.merged_conversations = Some(shown.merged.iter().map(MergedConversation::of).collect());
    }
    match serialize(ctx.format, &view)? {
        Some(text) => emit(&text)?,
        None => {
            let extra = ShowContext {
                follow_ups: shown.follow_ups,
                auto_close_after: Some(shown.auto_close_after),
                merged: shown.merged.clone(),
            };
            let mut text = show_text(&shown.case, &shown.due, ctx.now, &ctx.style, &extra);
            text.push_str(&merged_text(&shown.merged, &ctx.style));
            let mut out = Output::paged(ctx.format == Format::Table && ctx.style.terminal && !args.no_pager);
            out.write(&text)?;
            out.finish()?;
        }
    }
    Ok(ExitCode::Success)
}
