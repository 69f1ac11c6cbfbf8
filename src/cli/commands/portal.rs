//! `tickets portal link --email ADDR`: a sign-in link for a customer's
//! contact, for an analyst to hand over.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, Context};
use crate::operations::portal::sign_in_link;
use crate::portal::parse_base_url;
use clap::{Args, Subcommand};

/// Arguments of `portal`.
#[derive(Debug, Args)]
pub struct PortalArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PortalCommand,
}

/// The portal's commands.
#[derive(Debug, Subcommand)]
pub enum PortalCommand {
    /// Print a one-time sign-in URL (15 minutes) for a customer's contact.
    Link(LinkArgs),
}

/// Arguments of `portal link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The contact's address; its domain must be in a customer's `domains`.
    #[arg(long, value_name = "ADDR")]
    pub email: String,
    /// The portal's public URL (as given to `serve --base-url`).
    #[arg(
        long,
        env = "TICKETS_PORTAL_URL",
        default_value = "http://127.0.0.1:8080",
        value_name = "URL"
    )]
    pub base_url: String,
    /// Also print the one-time code (`code: ABCD-EFGH`, a second line) to
    /// read out to the contact, who types it on the sign-in page.
    #[arg(long)]
    pub code: bool,
}

/// Runs `portal`.
pub fn run(ctx: &Context, args: PortalArgs) -> Result<ExitCode> {
    match args.command {
        PortalCommand::Link(link) => {
            let base_url = parse_base_url(&link.base_url).map_err(CliError::Usage)?;
            let grant = sign_in_link(&ctx.session(), &link.email, &base_url)?;
            emit(&format!("{}\n", grant.link))?;
            if link.code {
                emit(&format!("code: {}\n", grant.code))?;
            }
            Ok(ExitCode::Success)
        }
    }
}
