//! `tickets open`: create a case, routed to an available L1 analyst; prints
//! the new ID alone on stdout.

use super::{active_counts, emit, warn, Context};
use crate::error::{Error, Result};
use crate::fields::{Channel, Level, Severity, Status};
use crate::lifecycle::{self, NewCase};
use crate::routing::route;
use crate::terminal::escape_line;
use clap::Args;

/// Arguments of `open`.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The customer's name (as in config.yaml; unknown customers get the standard plan).
    #[arg(long, value_parser = super::non_empty)]
    pub customer: String,
    /// One line saying what is wrong.
    #[arg(long, value_parser = super::non_empty)]
    pub summary: String,
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
}

/// Runs `open`.
pub fn run(ctx: &Context, args: OpenArgs) -> Result<i32> {
    let config = ctx.store.config()?;
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
    let counts = active_counts(ctx)?;
    let routed = route(
        &config,
        Level::L1,
        &format!("{}\n{}", args.summary, args.description),
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
            customer: args.customer,
            summary: args.summary,
            description: args.description,
            email: args.email,
            channel: args.channel,
            severity: args.severity,
            follow_up_of,
            message_id: None,
            assignee: routed.assignee.clone(),
            routing_reason: Some(routed.reason.clone()),
        },
        &ctx.actor(),
        ctx.now,
    );
    let path = ctx.store.save(&case)?;
    crate::git::commit_if_enabled(
        &config,
        ctx.store.root(),
        &[path],
        &crate::git::opened_message(&case, &ctx.actor()),
    );
    if routed.assignee.is_none() {
        warn(&format!(
            "{}; {id} is unassigned (tickets assign {id} ANALYST)",
            escape_line(&routed.reason)
        ));
    }
    emit(&format!("{id}\n"))?;
    Ok(0)
}
