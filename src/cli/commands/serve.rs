//! `tickets serve [--listen ADDR] [--base-url URL]`: the customer portal
//! (SPEC section 8), until SIGTERM or ctrl-c.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::Context;
use crate::core::error::Error;
use crate::portal::{parse_base_url, serve, PortalOptions};
use clap::Args;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (TLS is a reverse proxy's job).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
    /// The portal's public URL, as customers reach it (sign-in links, the
    /// origin every form must come from; https makes cookies Secure).
    #[arg(long, env = "TICKETS_PORTAL_URL", value_name = "URL")]
    pub base_url: Option<String>,
}

/// Runs `serve`.
pub fn run(ctx: &Context, args: ServeArgs) -> Result<ExitCode> {
    // A store that is not one is said now, not on the first request.
    ctx.store.config()?;
    let base_url = args
        .base_url
        .as_deref()
        .map(parse_base_url)
        .transpose()
        .map_err(CliError::Usage)?;
    let options = PortalOptions {
        store: ctx.store.clone(),
        listen: args.listen,
        base_url,
        fixed_now: std::env::var_os("TICKETS_NOW").map(|_| ctx.now),
        lock_wait: ctx.lock_wait,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("<tokio runtime>", e))?;
    runtime.block_on(serve(options))?;
    Ok(ExitCode::Success)
}
