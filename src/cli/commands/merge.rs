//! `tickets merge SRC --into TARGET [-m NOTE]`: close a duplicate into the
//! case that carries on (same customer only).

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, print_transition, warn, warn_about, Context, Format};
use crate::core::terminal::escape_line;
use crate::operations;
use clap::Args;

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The duplicate: closed, with `merged_into` (a unique prefix is enough).
    pub id: String,
    /// The case that carries on; a case that was itself merged is followed
    /// to the end of its chain.
    #[arg(long, value_name = "TARGET")]
    pub into: String,
    /// A word to the customer, sent with the notice that the case was merged.
    #[arg(long, short, value_parser = crate::cli::non_empty)]
    pub message: Option<String>,
}

/// Runs `merge`.
pub fn run(ctx: &Context, args: MergeArgs) -> Result<ExitCode> {
    let merged = operations::merge(&ctx.analyst_session(), &args.id, &args.into, args.message)?;
    merged.warnings.iter().for_each(warn_about);
    if let Some(given) = &merged.followed_from {
        warn(&format!(
            "{} was merged into {}: merged into the end of its chain",
            escape_line(given),
            merged.target.id
        ));
    }
    print_transition(ctx, Some(merged.before), &merged.source)?;
    if ctx.format == Format::Table {
        emit(&format!("{}: merged into {}\n", merged.source.id, merged.target.id))?;
    }
    Ok(ExitCode::Success)
}
