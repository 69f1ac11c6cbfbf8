//! `tickets note ID --message M`: an internal comment; the status stays and
//! the customer never sees it.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{print_transitioned, Context};
use crate::operations;
use clap::Args;

/// Arguments of `note`.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The comment, for support only.
    #[arg(long, short, value_parser = crate::cli::non_empty)]
    pub message: String,
}

/// Runs `note`.
pub fn run(ctx: &Context, args: NoteArgs) -> Result<ExitCode> {
    print_transitioned(ctx, &operations::note(&ctx.analyst_session(), &args.id, args.message)?)
}
