//! `tickets tag ID +billing -ios`: add and remove a case's tags (internal;
//! the allowed tags are config.yaml's `tags`).

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{print_transition, print_transitioned, Context};
use crate::core::case::Case;
use crate::core::terminal::escape_line;
use crate::operations::{self, Outcome, Transitioned};
use clap::Args;

/// Arguments of `tag`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// `+name` adds a tag, `-name` removes one, a bare `name` adds it.
    #[arg(required = true, allow_hyphen_values = true, value_name = "+TAG|-TAG")]
    pub changes: Vec<String>,
    /// Why, recorded in history.
    #[arg(long, short, value_parser = crate::cli::non_empty)]
    pub message: Option<String>,
}

/// Runs `tag`.
pub fn run(ctx: &Context, args: TagArgs) -> Result<ExitCode> {
    let (changes, actor, message) = split_options(args.changes)?;
    let mut ctx = ctx.clone();
    if actor.is_some() {
        ctx.actor = actor;
    }
    let ctx = &ctx;
    let message = message.or(args.message);
    let outcome = operations::tag(&ctx.analyst_session(), &args.id, &changes, message)?;
    print_outcome(ctx, outcome, |case| {
        format!("the tags already are as asked ({})", escape_line(&listed(&case.tags)))
    })
}

/// The changes, and the `--as` and `--message` typed after them: the
/// changes take values starting with `-` (`-ios`), so clap hands over what
/// follows them too. A tag never starts with `-`, so `--NAME` is an option;
/// any other option must come before the changes.
fn split_options(tokens: Vec<String>) -> Result<(Vec<String>, Option<String>, Option<String>)> {
    let (mut changes, mut actor, mut message) = (Vec::new(), None, None);
    let mut tokens = tokens.into_iter();
    while let Some(token) = tokens.next() {
        let Some(option) = token.strip_prefix("--") else {
            changes.push(token);
            continue;
        };
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (option, None),
        };
        let slot = match name {
            "as" => &mut actor,
            "message" => &mut message,
            _ => {
                return Err(CliError::Usage(format!(
                    "tag: put {} before the tags (only --as and --message may follow them)",
                    escape_line(&token)
                )))
            }
        };
        let value = inline.or_else(|| tokens.next()).filter(|v| !v.trim().is_empty());
        *slot = Some(value.ok_or_else(|| CliError::Usage(format!("tag: --{name} needs a value")))?);
    }
    if changes.is_empty() {
        return Err(CliError::Usage("tag: give at least one +TAG or -TAG".into()));
    }
    Ok((changes, actor, message))
}

/// Prints a change of a case's data, or says (on stderr) why nothing
/// changed: `unchanged` words the case as it is.
pub fn print_outcome(
    ctx: &Context,
    outcome: Outcome<Transitioned>,
    unchanged: impl FnOnce(&Case) -> String,
) -> Result<ExitCode> {
    match outcome {
        Outcome::Changed(transitioned) => print_transitioned(ctx, &transitioned),
        Outcome::Unchanged(case) => {
            crate::core::error::diagnostic(&format!("{}: {}; nothing changed", case.id, unchanged(&case)));
            if ctx.format != crate::views::Format::Table {
                print_transition(ctx, Some(case.status), &case)?;
            }
            Ok(ExitCode::Success)
        }
    }
}

/// A list for people: `a, b`, or `none`.
pub fn listed(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}
