//! `tickets check`: validate the whole store and config; every problem named
//! with path, line and reason. Exit 5 when there is any error (or, with
//! `--strict`, any warning), 0 otherwise.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::fitted::{FittedTable, Overflow};
use crate::cli::{emit, Context};
use crate::core::terminal::escape_line;
use crate::operations::check::{check, Report};
use crate::views::{serialize, CheckView, Format, Gravity};
use clap::Args;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Fail on warnings too (unknown customers, analysts who left the roster...).
    #[arg(long)]
    pub strict: bool,
    /// Remove the attachments no event names (orphans), under the store's
    /// lock; refused while the store has errors (a case file that cannot be
    /// read may name them).
    #[arg(long)]
    pub prune: bool,
}

/// Runs `check`.
pub fn run(ctx: &Context, args: CheckArgs) -> Result<ExitCode> {
    // With --prune the store is read under the lock, so no writer adds an
    // event naming a file between the check and the removal.
    let lock = if args.prune {
        Some(ctx.store.lock(ctx.session().lock_wait)?)
    } else {
        None
    };
    // An auto-commit killed half-way is finished before the store is judged.
    crate::git::recover_interrupted_commit(ctx.store.root())?;
    let report = check(&ctx.store)?;
    if let Some(lock) = &lock {
        if report.count(Gravity::Error) > 0 {
            crate::core::error::diagnostic(
                "error: --prune removed nothing: the store has errors (a case file that cannot be read may name the files); fix them first",
            );
        } else {
            let removed = crate::operations::attachment_check::prune(&ctx.store, lock, &report.orphans)?;
            crate::core::error::diagnostic(&format!("pruned {removed} unreferenced attachment file(s)"));
        }
    }
    let fails = report.fails(args.strict);
    match ctx.format {
        Format::Table => emit(&render(&report, &ctx.style))?,
        format => {
            let view = CheckView {
                ok: !fails,
                cases: report.cases,
                errors: report.count(Gravity::Error),
                warnings: report.count(Gravity::Warning),
                notes: report.count(Gravity::Note),
                problems: &report.problems,
            };
            if let Some(text) = serialize(format, &view)? {
                emit(&text)?;
            }
        }
    }
    if fails {
        crate::core::error::diagnostic(&format!(
            "error: the store has {} error(s) and {} warning(s){}",
            report.count(Gravity::Error),
            report.count(Gravity::Warning),
            if args.strict { " (--strict)" } else { "" }
        ));
        Ok(ExitCode::InvalidData)
    } else {
        Ok(ExitCode::Success)
    }
}

/// The table for people: one row per finding, then a count. Paths and
/// messages are escaped: file names and echoed values are untrusted.
fn render(report: &Report, style: &crate::cli::render::color::Style) -> String {
    let mut out = String::new();
    if !report.problems.is_empty() {
        let header = ["GRAVITY", "WHERE", "KIND", "MESSAGE"];
        let mut rows = Vec::with_capacity(report.problems.len());
        for problem in &report.problems {
            let place = match problem.line {
                Some(line) => format!("{}:{line}", problem.path),
                None => problem.path.clone(),
            };
            rows.push(vec![
                problem.gravity.as_str().to_string(),
                escape_line(&place),
                problem.kind.to_string(),
                escape_line(&problem.message),
            ]);
        }
        // A message is read whole: wrapped at words beside its place, or
        // under it when the place leaves it too narrow a column.
        out.push_str(
            &FittedTable::new(&header)
                .overflow(Overflow::Wrap, 30)
                .render(&rows, style.width),
        );
    }
    let count = format!(
        "checked config.yaml and {} case file(s): {} error(s), {} warning(s), {} note(s)",
        report.cases,
        report.count(Gravity::Error),
        report.count(Gravity::Warning),
        report.count(Gravity::Note)
    );
    match style.width {
        Some(width) => out.push_str(&crate::cli::render::wrap(&count, usize::from(width), 2)),
        None => out.push_str(&count),
    }
    out.push('\n');
    out
}
