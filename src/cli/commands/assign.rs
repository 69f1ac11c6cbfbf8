//! `tickets assign ID ANALYST`: set or change the assignee by hand.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{print_transition, print_transitioned, Context};
use crate::core::terminal::escape_line;
use crate::operations::{self, Outcome};
use clap::Args;

/// Arguments of `assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The analyst's roster ID.
    pub analyst: String,
    /// Why, recorded in history.
    #[arg(long)]
    pub note: Option<String>,
}

/// Runs `assign`.
pub fn run(ctx: &Context, args: AssignArgs) -> Result<ExitCode> {
    match operations::assign(&ctx.analyst_session(), &args.id, &args.analyst, args.note)? {
        Outcome::Changed(transitioned) => print_transitioned(ctx, &transitioned),
        Outcome::Unchanged(case) => {
            crate::core::error::diagnostic(&format!(
                "{}: {} is already the assignee; nothing changed",
                case.id,
                escape_line(case.assignee.as_deref().unwrap_or_default())
            ));
            if ctx.format != crate::views::Format::Table {
                print_transition(ctx, Some(case.status), &case)?;
            }
            Ok(ExitCode::Success)
        }
    }
}
