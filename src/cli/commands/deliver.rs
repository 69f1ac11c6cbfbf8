//! `tickets deliver [--dry-run]`: on the mail host, sends every public
//! event's message not yet in the sent ledger, and this clone's sign-in
//! links. By SMTP when `TICKETS_SMTP_URL` is set (with `TICKETS_SMTP_USER`
//! and `TICKETS_SMTP_PASSWORD` when the server wants them), or through a
//! sendmail-compatible command named by `TICKETS_SENDMAIL` (for example
//! `/usr/sbin/sendmail -t -oi`). Never configured from the store.
//!
//! The mail host is the clone whose environment names a transport: one of
//! those two variables. Anywhere else `deliver` refuses (exit 2) and sends
//! nothing, so an analyst's clone never mails by accident.
//!
//! With `TICKETS_WEBHOOK_URL` (an incoming webhook of Rocket.Chat or
//! Slack) in its environment, the mail host also posts the chat
//! notifications not yet sent (`operations::chat`); never configured from
//! the store.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, report_bad_files, warn, Context};
use crate::core::terminal::escape_line;
use crate::mail::transport::Transport;
use crate::operations;
use crate::views::{serialize, OutboxView};
use clap::Args;

/// Arguments of `deliver`.
#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// Say what would be sent; send nothing and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Remove sent sign-in links from this clone's outbox after this many days (the sent ledger keeps case mail for good).
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
                return Err(CliError::Usage(
                    "TICKETS_SMTP_USER and TICKETS_SMTP_PASSWORD go together".into(),
                ))
            }
        };
        return Ok(Transport::Smtp { url, credentials });
    }
    match variable("TICKETS_SENDMAIL") {
        Some(command) => Transport::sendmail(&command).map_err(|e| CliError::Usage(format!("TICKETS_SENDMAIL: {e}"))),
        None => Err(CliError::Usage(NOT_THE_MAIL_HOST.into())),
    }
}

/// The chat webhook the environment names, if any.
fn webhook() -> Result<Option<crate::mail::webhook::Webhook>> {
    match std::env::var("TICKETS_WEBHOOK_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
    {
        None => Ok(None),
        Some(url) => crate::mail::webhook::Webhook::new(&url)
            .map(Some)
            .map_err(|reason| CliError::Usage(format!("TICKETS_WEBHOOK_URL {reason}"))),
    }
}

/// A chat notification in `deliver`'s list, as a message to `chat`.
fn chat_view(note: &operations::chat::ChatNote, state: &str, now: chrono::DateTime<chrono::Utc>) -> OutboxView {
    OutboxView {
        case: note.case.clone(),
        to: operations::chat::CHAT_RECIPIENT.to_string(),
        cc: Vec::new(),
        subject: note.text.clone(),
        message_id: format!("chat.{}.{}", note.case, note.key),
        state: state.to_string(),
        event: note.reason.to_string(),
        queued_at: crate::core::time::format_instant(&note.at),
        sent_at: (state == "sent").then(|| crate::core::time::format_instant(&now)),
        attempts: note.attempts,
        error: note.error.clone(),
    }
}

/// Why a clone without a transport sends nothing.
const NOT_THE_MAIL_HOST: &str = "this clone is not the mail host: its environment names no mail transport \
(TICKETS_SMTP_URL=smtp://host:port, or TICKETS_SENDMAIL=\"/usr/sbin/sendmail -t -oi\"); nothing was sent. \
Mail goes out from the one clone that has one, after it pulls: every clone's answers, once each \
(`tickets deliver --dry-run` shows what waits for it)";

/// Runs `deliver`: prints each message sent (its case and Message-ID), and
/// exits 1 when one failed.
pub fn run(ctx: &Context, args: DeliverArgs) -> Result<ExitCode> {
    // A dry run sends nothing, so it needs no transport (it shows what the
    // mail host would send).
    let transport = match transport() {
        Ok(transport) => Some(transport),
        Err(_) if args.dry_run => None,
        Err(e) => return Err(e),
    };
    let webhook = webhook()?;
    let delivered = operations::deliver(
        &ctx.session(),
        transport.as_ref(),
        args.dry_run,
        chrono::Duration::days(i64::from(args.prune_after)),
    )?;
    if let Some(at) = delivered.started_at {
        warn(&format!(
            "started the sent ledger (sent/since): public events from {} on are mailed by this clone; earlier ones never are",
            crate::core::time::format_instant(&at)
        ));
    }
    for message in &delivered.dropped {
        warn(&format!(
            "{}: dropped {} unsent: queued in this clone's outbox by an older version, before the sent ledger started",
            escape_line(&message.case),
            escape_line(&message.message_id)
        ));
    }
    delivered.warnings.iter().for_each(crate::cli::warn_about);
    for message in &delivered.failed {
        warn(&format!(
            "{}: {} to {} not sent, kept for the next run: {}",
            escape_line(&message.case),
            escape_line(&message.message_id),
            escape_line(&message.to),
            escape_line(message.error.as_deref().unwrap_or(""))
        ));
    }
    let notified = operations::chat::notify(&ctx.session(), webhook.as_ref(), args.dry_run)?;
    notified.warnings.iter().for_each(crate::cli::warn_about);
    for note in &notified.failed {
        warn(&format!(
            "{}: chat notification ({}) not posted, kept for the next run: {}",
            escape_line(&note.case),
            note.reason,
            escape_line(note.error.as_deref().unwrap_or(""))
        ));
    }
    let mut views: Vec<OutboxView> = delivered.sent.iter().map(OutboxView::of).collect();
    views.extend(notified.sent.iter().map(|note| chat_view(note, "sent", ctx.now)));
    match serialize(ctx.format, &views)? {
        Some(text) => emit(&text)?,
        None => {
            let verb = if args.dry_run { "would send" } else { "sent" };
            let lines: String = views
                .iter()
                .map(|v| {
                    // A sign-in link is about no case: no empty case column.
                    let case = if v.case.is_empty() {
                        String::new()
                    } else {
                        format!("{}: ", escape_line(&v.case))
                    };
                    let line = if v.to == operations::chat::CHAT_RECIPIENT {
                        let verb = if args.dry_run { "would post" } else { "posted" };
                        format!("{case}{verb} to the chat: {}", escape_line(&v.subject))
                    } else {
                        format!("{case}{verb} {} to {}", escape_line(&v.message_id), escape_line(&v.to))
                    };
                    // On a known width, at words: an address is never broken.
                    match ctx.style.width {
                        Some(width) => format!("{}\n", crate::cli::render::wrap(&line, usize::from(width), 4)),
                        None => format!("{line}\n"),
                    }
                })
                .collect();
            emit(&lines)?;
        }
    }
    let mut errors = delivered.errors;
    errors.extend(notified.errors);
    let bad_files = report_bad_files(&errors);
    if !notified.failed.is_empty() {
        crate::core::error::diagnostic(&format!(
            "error: {} chat notification(s) could not be posted to {}; they stay queued",
            notified.failed.len(),
            webhook.as_ref().map(|w| w.describe()).unwrap_or_default()
        ));
    }
    if !delivered.failed.is_empty() {
        crate::core::error::diagnostic(&format!(
            "error: {} message(s) could not be sent through {}; they stay queued",
            delivered.failed.len(),
            escape_line(&transport.as_ref().map(Transport::describe).unwrap_or_default())
        ));
        return Ok(ExitCode::Failure);
    }
    if !notified.failed.is_empty() {
        return Ok(ExitCode::Failure);
    }
    Ok(bad_files)
}
