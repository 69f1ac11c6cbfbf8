//! `tickets reply ID --message M`: the customer spoke; any status but closed
//! -> open, and the waiting clock is cleared. `reply --from-email` reads the
//! customer's e-mail on stdin and finds the case itself.

use super::{emit, print_transition, run_transition, warn, Context};
use crate::email;
use crate::error::{Error, Result};
use crate::exit_code::ExitCode;
use crate::fields::ActionKind;
use crate::lifecycle::Action;
use crate::terminal::escape_line;
use clap::Args;
use std::collections::HashMap;

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
pub fn run(ctx: &Context, args: ReplyArgs) -> Result<ExitCode> {
    if args.from_email {
        return run_from_email(ctx, args.id);
    }
    let (Some(id), Some(message)) = (args.id, args.message) else {
        return Err(Error::Usage("reply needs an ID and --message (or --from-email)".into()));
    };
    run_transition(ctx, &id, |_, _| {
        Ok(Action::Reply {
            message,
            message_id: None,
        })
    })
}

fn run_from_email(ctx: &Context, id: Option<String>) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let raw = email::read_message(std::io::stdin().lock())?;
    let mail = email::parse(&raw)?;
    let text = email::reply_text(&mail.body);
    if text.is_empty() {
        return Err(email::refuse("the reply has no text of its own (only quoted text)"));
    }
    // Before any look-up: a sender of no customer could otherwise learn from
    // the refusal which case (and whose) a copied Message-ID belongs to.
    if email::customers_of_domain(&config, &mail.domain).is_empty() {
        return Err(email::refuse(format!(
            "the sender's domain {} belongs to no customer",
            escape_line(&mail.domain)
        )));
    }
    let typed = match id {
        Some(id) => id,
        None => find_case(ctx, &config, &mail)?,
    };
    // In a mail pipe $USER means nothing; the sender acted unless --as says otherwise.
    let sender = ctx.actor.clone().unwrap_or_else(|| mail.from.clone());
    let id = ctx.store.resolve(&typed)?;
    // The read-modify-write of `transition`, but a message already recorded
    // is answered before the life cycle is asked: a closed case must not turn
    // a redelivery into exit 4 (the README's wrapper would open a new case).
    let _lock = ctx.store.lock(ctx.lock_wait)?;
    let case = ctx.store.load(&id)?;
    // The sender is checked against the case as loaded under the lock, and
    // before anything about it (whether it has the message) is said.
    if !email::domain_belongs_to(&config, &case.customer, &mail.domain) {
        return Err(email::refuse(format!(
            "the sender's domain {} is not one of the domains of the case's customer",
            escape_line(&mail.domain)
        )));
    }
    if let Some(message_id) = &mail.message_id {
        let recorded = case
            .history
            .iter()
            .any(|e| e.action == ActionKind::Reply && e.message_id.as_deref() == Some(message_id.as_str()));
        if recorded {
            // A mail server retrying a delivery: recorded once is enough.
            warn(&format!(
                "this message was already recorded on {}; not recording it again",
                case.id
            ));
            if ctx.format == crate::output::Format::Table {
                emit(&format!("{}\n", case.id))?;
            } else {
                print_transition(ctx, None, &case)?;
            }
            return Ok(ExitCode::Success);
        }
    }
    let action = Action::Reply {
        message: text,
        message_id: mail.message_id.clone(),
    };
    let next = crate::lifecycle::apply(&case, &action, &sender, ctx.now)?;
    let path = ctx.store.save(&next)?;
    let commit = crate::git::transition_message(&next, case.status, &sender);
    crate::git::commit_if_enabled(&config, ctx.store.root(), &[path], &commit);
    drop(_lock);
    print_transition(ctx, Some(case.status), &next)?;
    Ok(ExitCode::Success)
}

/// The case an e-mail answers: its Subject's `[ID]` tag, else the case whose
/// Message-ID is named by In-Reply-To or References.
/// Only the cases of the sender's customer are matched by Message-ID: another
/// customer's case is "not found", as if the ID named no case.
fn find_case(ctx: &Context, config: &crate::config::Config, mail: &email::Email) -> Result<String> {
    let tags = email::subject_tags(&mail.subject, &config.id_prefix);
    if tags.len() > email::MAX_SUBJECT_TAGS {
        return Err(email::refuse(format!(
            "the Subject carries more than {} case tags; a reply names its case with one",
            email::MAX_SUBJECT_TAGS
        )));
    }
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
    if mail.replied_to.is_empty() {
        return Err(not_found());
    }
    let (summaries, _errors) = ctx.store.summaries()?;
    // One pass over the cases, then one look-up per named message: a
    // References header can name thousands.
    let mut by_message: HashMap<String, Vec<&crate::summary::Summary>> = HashMap::new();
    for summary in summaries
        .iter()
        .filter(|s| email::domain_belongs_to(config, &s.customer, &mail.domain))
    {
        if let Some(id) = summary.message_id.as_deref().and_then(email::normalize_message_id) {
            by_message.entry(id).or_default().push(summary);
        }
    }
    for replied in &mail.replied_to {
        // Prefer a case still being worked, then the newest.
        let found = by_message.get(replied).and_then(|matches| {
            matches
                .iter()
                .max_by_key(|s| (s.status != crate::fields::Status::Closed, s.created_at))
        });
        if let Some(found) = found {
            return Ok(found.id.clone());
        }
    }
    Err(not_found())
}

fn not_found() -> Error {
    Error::NoSuchTicket {
        id: "(none found: the Subject has no [ID] tag and In-Reply-To/References name no case's Message-ID)".into(),
    }
}
