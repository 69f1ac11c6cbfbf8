//! `tickets cc ID --add ADDR --remove ADDR`: the customer's people copied
//! on every public message about the case (and who see it in the portal).

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::Context;
use crate::core::terminal::escape_line;
use crate::operations;
use clap::Args;

/// Arguments of `cc`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("change").required(true).multiple(true).args(["add", "remove"])))]
pub struct CcArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// An address to copy (one of the customer's domains); repeatable.
    #[arg(long, value_name = "ADDR")]
    pub add: Vec<String>,
    /// An address to stop copying; repeatable.
    #[arg(long, value_name = "ADDR")]
    pub remove: Vec<String>,
    /// Why, recorded in history.
    #[arg(long, short, value_parser = crate::cli::non_empty)]
    pub message: Option<String>,
}

/// Runs `cc`.
pub fn run(ctx: &Context, args: CcArgs) -> Result<ExitCode> {
    let outcome = operations::cc(&ctx.analyst_session(), &args.id, &args.add, &args.remove, args.message)?;
    super::tag::print_outcome(ctx, outcome, |case| {
        format!(
            "the CC list already is as asked ({})",
            escape_line(&super::tag::listed(&case.cc))
        )
    })
}
