//! `tickets assign ID ANALYST`: set or change the assignee by hand.

use super::{run_transition, Context};
use crate::error::{Error, Result};
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
pub fn run(ctx: &Context, args: AssignArgs) -> Result<i32> {
    run_transition(ctx, &args.id, |_, config| {
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
        let note = args
            .note
            .or_else(|| Some(format!("assigned by hand to {} ({})", analyst.id, analyst.level)));
        Ok(Action::Assign {
            analyst: analyst.id.clone(),
            note,
        })
    })
}

fn config_name(ctx: &Context) -> String {
    ctx.store.config_path().display().to_string()
}
