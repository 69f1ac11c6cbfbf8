//! `tickets open`: create a case, routed to an available L1 analyst; prints
//! the new ID alone on stdout. With `--from-email` the case comes from an
//! e-mail message on stdin (see [`crate::email`]).

use super::{active_counts, emit, report_bad_files, warn, Context};
use crate::config::Config;
use crate::email::{self, Email};
use crate::error::{Error, Result};
use crate::exit_code::ExitCode;
use crate::fields::{Channel, Level, Severity, Status};
use crate::lifecycle::{self, NewCase};
use crate::routing::route;
use crate::terminal::escape_line;
use clap::Args;

/// Arguments of `open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The customer's name (as in config.yaml; unknown customers get the standard plan).
    #[arg(long, value_parser = super::non_empty, required_unless_present = "from_email")]
    pub customer: Option<String>,
    /// One line saying what is wrong.
    #[arg(long, value_parser = super::non_empty, required_unless_present = "from_email")]
    pub summary: Option<String>,
    /// The customer's description.
    #[arg(long, default_value = "")]
    pub description: String,
    /// The contact's e-mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// How the customer reached support.
    #[arg(long, value_enum, default_value_t = Channel::Portal)]
    pub channel: Channel,
    /// Severity (default: high for phone, medium otherwise).
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// The closed case this one follows up.
    #[arg(long, value_name = "ID")]
    pub follow_up_of: Option<String>,
    /// Read an e-mail message (at most 10 MiB) on stdin: Subject -> summary,
    /// text body -> description, sender's domain -> customer (config
    /// `domains`), channel email. Unknown domains are refused (exit 2).
    #[arg(
        long,
        conflicts_with_all = ["customer", "summary", "description", "email", "channel", "follow_up_of"]
    )]
    pub from_email: bool,
}

/// Runs `open`.
pub fn run(ctx: &Context, args: OpenArgs) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let mut message_id = None;
    let mut actor = ctx.actor();
    let args = if args.from_email {
        let (args, email) = from_email(&config, args)?;
        message_id = email.message_id.clone();
        // In a mail pipe $USER means nothing; the sender acted unless --as says otherwise.
        actor = ctx.actor.clone().unwrap_or(email.from);
        args
    } else {
        args
    };
    let (Some(customer), Some(summary)) = (args.customer, args.summary) else {
        return Err(Error::Usage("--customer and --summary are required".into()));
    };
    let follow_up_of = match &args.follow_up_of {
        Some(typed) => {
            let id = ctx.store.resolve(typed)?;
            let previous = ctx.store.load(&id)?;
            if previous.status != Status::Closed {
                return Err(Error::TransitionNotAllowed {
                    id: id.clone(),
                    action: "open --follow-up-of".into(),
                    status: previous.status.to_string(),
                    allowed: format!(
                        "reply, request-info and the rest on {id} itself; a follow-up is for a closed case"
                    ),
                });
            }
            Some(id)
        }
        None => None,
    };
    let _lock = ctx.store.lock(ctx.lock_wait)?;
    if let Some(existing) = opened_by_message(ctx, message_id.as_deref(), &customer, args.email.as_deref())? {
        // A mail server redelivering the same message must not open a second case.
        warn(&format!("this message already opened {existing}; not opening another"));
        emit(&format!("{existing}\n"))?;
        return Ok(ExitCode::Success);
    }
    let (counts, bad_files) = active_counts(ctx)?;
    let routed = route(
        &config,
        Level::L1,
        &format!("{}\n{}", summary, args.description),
        &counts,
    );
    let mut rng = rand::rng();
    let id = loop {
        let id = crate::id::generate(&config.id_prefix, &mut rng);
        if !ctx.store.exists(&id) {
            break id;
        }
    };
    let case = lifecycle::open(
        NewCase {
            id: id.clone(),
            customer,
            summary,
            description: args.description,
            email: args.email,
            channel: args.channel,
            severity: args.severity,
            follow_up_of,
            message_id,
            assignee: routed.assignee.clone(),
            routing_reason: Some(routed.reason.clone()),
        },
        &actor,
        ctx.now,
    );
    let path = ctx.store.save(&case)?;
    crate::git::commit_if_enabled(
        &config,
        ctx.store.root(),
        &[path],
        &crate::git::opened_message(&case, &ctx.actor()),
    );
    if config.customer(&case.customer).is_none() {
        // Unknown customers are allowed (SPEC), but a typo would silently
        // drop the customer to the slowest plan.
        warn(&format!(
            "customer \"{}\" is not in config.yaml; the case gets the standard plan",
            escape_line(&case.customer)
        ));
    }
    if routed.assignee.is_none() {
        warn(&format!(
            "{}; {id} is unassigned (tickets assign {id} ANALYST)",
            escape_line(&routed.reason)
        ));
    }
    emit(&format!("{id}\n"))?;
    Ok(report_bad_files(&bad_files))
}

/// The arguments an e-mail on stdin stands for, and the e-mail.
fn from_email(config: &Config, mut args: OpenArgs) -> Result<(OpenArgs, Email)> {
    let raw = email::read_message(std::io::stdin().lock())?;
    let mail = email::parse(&raw)?;
    // Config::validate refuses a domain listed by two customers, so the first is the only one.
    let customer = match email::customers_of_domain(config, &mail.domain).first() {
        Some(one) => one.name.clone(),
        None => {
            return Err(email::refuse(format!(
                "the sender's domain {} belongs to no customer (add it to a customer's `domains` in config.yaml)",
                escape_line(&mail.domain)
            )))
        }
    };
    args.customer = Some(customer);
    args.summary = Some(email::summary(&mail));
    args.description = email::description(&mail);
    args.email = Some(mail.from.clone());
    args.channel = Channel::Email;
    Ok((args, mail))
}

/// The case an e-mail with this Message-ID already opened, if any: the same
/// message delivered again. Only a case of the same customer and sender
/// counts; a Message-ID already on another sender's case is refused without
/// naming that case, or anyone could learn (and have the mail server
/// confirm) another customer's case ID by copying a Message-ID.
fn opened_by_message(
    ctx: &Context,
    message_id: Option<&str>,
    customer: &str,
    sender: Option<&str>,
) -> Result<Option<String>> {
    let Some(wanted) = message_id.and_then(email::normalize_message_id) else {
        return Ok(None);
    };
    let (summaries, _errors) = ctx.store.summaries()?;
    let mut same_id = summaries
        .into_iter()
        .filter(|s| s.message_id.as_deref().and_then(email::normalize_message_id).as_deref() == Some(&wanted))
        .peekable();
    if same_id.peek().is_none() {
        return Ok(None);
    }
    let same_sender = |s: &crate::summary::Summary| {
        s.customer == customer
            && s.email
                .as_deref()
                .zip(sender)
                .is_some_and(|(was, now)| was.eq_ignore_ascii_case(now))
    };
    match same_id.find(same_sender) {
        Some(existing) => Ok(Some(existing.id)),
        None => Err(email::refuse(
            "its Message-ID is already the Message-ID of another sender's case (a Message-ID names one message); \
             send it as a new message",
        )),
    }
}
