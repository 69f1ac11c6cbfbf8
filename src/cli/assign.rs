//! `tickets assign ID ANALYST`: set or change the assignee by hand.

use super::{print_transition, transition_unless_unchanged, Context, Outcome};
use crate::error::{Error, Result};
use crate::exit_code::ExitCode;
use crate::lifecycle::Action;
use crate::terminal::escape_line;
use clap::Args;

/// Arguments of `assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The analyst's roster ID.
    pub analyst: String,
    /// Why, recorded in history.
    #[arg(long)]
    pub note: Option<String>,
}

/// Runs `assign`.
pub fn run(ctx: &Context, args: AssignArgs) -> Result<ExitCode> {
    let mut before = None;
    let outcome = transition_unless_unchanged(ctx, &args.id, |case, config| {
        before = Some(case.status);
        let analyst = config.analyst(&args.analyst).ok_or_else(|| {
            Error::Usage(format!(
                "{} is not in the roster of {}; known analysts: {}",
                escape_line(&args.analyst),
                config_name(ctx),
                config
                    .analysts
                    .iter()
                    .map(|a| a.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let already = case.assignee.as_deref() == Some(analyst.id.as_str());
        let note = args
            .note
            .or_else(|| Some(format!("assigned by hand to {} ({})", analyst.id, analyst.level)));
        let action = Action::Assign {
            analyst: analyst.id.clone(),
            note,
        };
        Ok((action, already))
    })?;
    match outcome {
        Outcome::Changed(case) => print_transition(ctx, before, &case)?,
        Outcome::Unchanged(case) => {
            crate::error::diagnostic(&format!(
                "{}: {} is already the assignee; nothing changed",
                case.id,
                escape_line(case.assignee.as_deref().unwrap_or_default())
            ));
            if ctx.format != crate::output::Format::Table {
                print_transition(ctx, before, &case)?;
            }
        }
    }
    Ok(ExitCode::Success)
}

fn config_name(ctx: &Context) -> String {
    ctx.store.config_path().display().to_string()
}
