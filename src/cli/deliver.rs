//! `tickets deliver [--dry-run]`: sends the queued messages. By SMTP when
//! `TICKETS_SMTP_URL` is set (with `TICKETS_SMTP_USER` and
//! `TICKETS_SMTP_PASSWORD` when the server wants them), else through a
//! sendmail-compatible command (`TICKETS_SENDMAIL`, default
//! `/usr/sbin/sendmail -t -oi`). Never configured from the store.

use super::{emit, report_bad_files, warn, Context};
use crate::delivery::{Transport, DEFAULT_SENDMAIL};
use crate::error::{Error, Result};
use crate::exit_code::ExitCode;
use crate::operations;
use crate::output::{serialize, OutboxView};
use crate::terminal::escape_line;
use clap::Args;

/// Arguments of `deliver`.
#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// Say what would be sent; send nothing and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Remove sent messages from the outbox after this many days.
    #[arg(long, default_value_t = 30, value_name = "DAYS")]
    pub prune_after: u32,
}

/// The transport the environment names.
fn transport() -> Result<Transport> {
    let variable = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    if let Some(url) = variable("TICKETS_SMTP_URL") {
        let credentials = match (variable("TICKETS_SMTP_USER"), variable("TICKETS_SMTP_PASSWORD")) {
            (Some(user), Some(password)) => Some((user, password)),
            (None, None) => None,
            _ => {
                return Err(Error::Usage(
                    "TICKETS_SMTP_USER and TICKETS_SMTP_PASSWORD go together".into(),
                ))
            }
        };
        return Ok(Transport::Smtp { url, credentials });
    }
    let command = variable("TICKETS_SENDMAIL").unwrap_or_else(|| DEFAULT_SENDMAIL.to_string());
    Transport::sendmail(&command).map_err(|e| Error::Usage(format!("TICKETS_SENDMAIL: {e}")))
}

/// Runs `deliver`: prints each message sent (its case and Message-ID), and
/// exits 1 when one failed.
pub fn run(ctx: &Context, args: DeliverArgs) -> Result<ExitCode> {
    let transport = transport()?;
    let delivered = operations::deliver(
        &ctx.session(),
        &transport,
        args.dry_run,
        chrono::Duration::days(i64::from(args.prune_after)),
    )?;
    for message in &delivered.dropped {
        warn(&format!(
            "{}: dropped {} unsent: its case does not have the event (a write that never finished)",
            escape_line(&message.case),
            escape_line(&message.message_id)
        ));
    }
    for message in &delivered.failed {
        warn(&format!(
            "{}: {} to {} not sent, kept for the next run: {}",
            escape_line(&message.case),
            escape_line(&message.message_id),
            escape_line(&message.to),
            escape_line(message.error.as_deref().unwrap_or(""))
        ));
    }
    let views: Vec<OutboxView> = delivered.sent.iter().map(OutboxView::of).collect();
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => {
            let verb = if args.dry_run { "would send" } else { "sent" };
            let lines: String = views
                .iter()
                .map(|v| {
                    format!(
                        "{}: {verb} {} to {}\n",
                        escape_line(&v.case),
                        escape_line(&v.message_id),
                        escape_line(&v.to)
                    )
                })
                .collect();
            emit(&lines)?;
        }
    }
    let bad_files = report_bad_files(&delivered.errors);
    if !delivered.failed.is_empty() {
        crate::error::diagnostic(&format!(
            "error: {} message(s) could not be sent through {}; they stay queued",
            delivered.failed.len(),
            escape_line(&transport.describe())
        ));
        return Ok(ExitCode::Failure);
    }
    Ok(bad_files)
}
