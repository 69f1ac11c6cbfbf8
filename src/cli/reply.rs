//! `tickets reply ID --message M`: the customer spoke; any status but closed
//! -> open, and the waiting clock is cleared. `reply --from-email` reads the
//! customer's e-mail on stdin and finds the case itself.

use super::{print_transition, run_transition, transition, Context};
use crate::email;
use crate::error::{Error, Result};
use crate::lifecycle::Action;
use crate::terminal::escape_line;
use clap::Args;

/// Arguments of `reply`.
#[derive(Debug, Args)]
pub struct ReplyArgs {
    /// The case ID (a unique prefix is enough); with --from-email, found from the message.
    #[arg(required_unless_present = "from_email")]
    pub id: Option<String>,
    /// What the customer said.
    #[arg(long, short, value_parser = super::non_empty, required_unless_present = "from_email")]
    pub message: Option<String>,
    /// Read the customer's e-mail (at most 10 MiB) on stdin: the case is the
    /// `[ID]` tag in the Subject, else the one whose Message-ID the
    /// In-Reply-To/References name; quoted text is dropped; the sender's
    /// domain must be the case's customer's.
    #[arg(long, conflicts_with = "message")]
    pub from_email: bool,
}

/// Runs `reply`.
pub fn run(ctx: &Context, args: ReplyArgs) -> Result<i32> {
    if args.from_email {
        return run_from_email(ctx, args.id);
    }
    let (Some(id), Some(message)) = (args.id, args.message) else {
        return Err(Error::Usage("reply needs an ID and --message (or --from-email)".into()));
    };
    run_transition(ctx, &id, |_, _| Ok(Action::Reply { message }))
}

fn run_from_email(ctx: &Context, id: Option<String>) -> Result<i32> {
    let config = ctx.store.config()?;
    let raw = email::read_message(std::io::stdin().lock())?;
    let mail = email::parse(&raw)?;
    let text = email::reply_text(&mail.body);
    if text.is_empty() {
        return Err(email::refuse("the reply has no text of its own (only quoted text)"));
    }
    let id = match id {
        Some(id) => id,
        None => find_case(ctx, &config.id_prefix, &mail)?,
    };
    let mut before = None;
    // The sender is checked against the case as loaded under the lock.
    let sender = ctx.actor.clone().unwrap_or_else(|| mail.from.clone());
    let mut ctx_as_sender = ctx.clone();
    ctx_as_sender.actor = Some(sender);
    let case = transition(&ctx_as_sender, &id, |case, config| {
        before = Some(case.status);
        if !email::domain_belongs_to(config, &case.customer, &mail.domain) {
            return Err(email::refuse(format!(
                "the sender's domain {} is not one of {}'s domains, the customer of {}",
                escape_line(&mail.domain),
                escape_line(&case.customer),
                case.id
            )));
        }
        Ok(Action::Reply { message: text })
    })?;
    print_transition(ctx, before, &case)?;
    Ok(0)
}

/// The case an e-mail answers: its Subject's `[ID]` tag, else the case whose
/// Message-ID is named by In-Reply-To or References.
fn find_case(ctx: &Context, prefix: &str, mail: &email::Email) -> Result<String> {
    let tags = email::subject_tags(&mail.subject, prefix);
    if let Some(tag) = tags
        .iter()
        .find(|tag| crate::id::validate(tag).is_ok_and(|id| ctx.store.exists(&id)))
    {
        return Ok(tag.clone());
    }
    if let Some(first) = tags.first() {
        return Err(Error::NoSuchTicket {
            id: format!("{} (the Subject's tag)", escape_line(first)),
        });
    }
    let (summaries, _errors) = ctx.store.summaries()?;
    for replied in &mail.replied_to {
        let mut matches: Vec<_> = summaries
            .iter()
            .filter(|s| s.message_id.as_deref().and_then(email::normalize_message_id).as_ref() == Some(replied))
            .collect();
        // Prefer a case still being worked, then the newest.
        matches.sort_by_key(|s| (s.status != crate::fields::Status::Closed, s.created_at));
        if let Some(found) = matches.last() {
            return Ok(found.id.clone());
        }
    }
    Err(Error::NoSuchTicket {
        id: "(none found: the Subject has no [ID] tag and In-Reply-To/References name no case's Message-ID)".into(),
    })
}
