//! `tickets set-customer ID NAME`: correct a case's customer (an internal
//! event; the portal's visibility follows the customer).

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::Context;
use crate::operations;
use clap::Args;

/// Arguments of `set-customer`.
#[derive(Debug, Args)]
pub struct SetCustomerArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The customer's name, as config.yaml lists it (any case).
    pub name: String,
    /// Why, recorded in history.
    #[arg(long, short, value_parser = crate::cli::non_empty)]
    pub message: Option<String>,
}

/// Runs `set-customer`.
pub fn run(ctx: &Context, args: SetCustomerArgs) -> Result<ExitCode> {
    let outcome = operations::set_customer(&ctx.analyst_session(), &args.id, &args.name, args.message)?;
    super::tag::print_outcome(ctx, outcome, |case| {
        format!(
            "the customer already is {}",
            crate::core::terminal::escape_line(&case.customer)
        )
    })
}
