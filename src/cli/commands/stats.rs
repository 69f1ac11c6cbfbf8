//! `tickets stats [--since T] [--until T]`: the desk's numbers over the cases
//! opened in a window, as a table or JSON/YAML.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::render::{human_duration, render_table, table, wrap};
use crate::cli::{emit, policy, report_bad_files, Context};
use crate::operations::stats::{Accumulator, Window};
use crate::views::{serialize, Counts, Durations, Stats};
use chrono::{DateTime, Utc};
use clap::Args;

/// Arguments of `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Count cases opened at or after this instant.
    #[arg(long, value_name = "RFC3339", value_parser = crate::core::time::parse_instant)]
    pub since: Option<DateTime<Utc>>,
    /// Count cases opened before this instant.
    #[arg(long, value_name = "RFC3339", value_parser = crate::core::time::parse_instant)]
    pub until: Option<DateTime<Utc>>,
}

/// Runs `stats`.
pub fn run(ctx: &Context, args: StatsArgs) -> Result<ExitCode> {
    if let (Some(since), Some(until)) = (args.since, args.until) {
        if since >= until {
            return Err(CliError::Usage("--since must be before --until".into()));
        }
    }
    let config = ctx.store.config()?;
    let policy = policy(&ctx.store, &config)?;
    let window = Window {
        since: args.since,
        until: args.until,
    };
    // Streamed: the summaries are counted as they are read, never held.
    let mut accumulator = Accumulator::new(window, &policy, ctx.now);
    let errors = ctx.store.each_summary(&mut |summary| accumulator.add(&summary))?;
    let stats = accumulator.finish();
    match serialize(ctx.format, &stats)? {
        Some(text) => emit(&text)?,
        None => emit(&stats_text(&stats, ctx.style.width.map(usize::from)))?,
    }
    Ok(report_bad_files(&errors))
}

fn duration(seconds: Option<i64>) -> String {
    seconds
        .map(|s| human_duration(chrono::Duration::seconds(s)))
        .unwrap_or_else(|| "-".into())
}

/// `open 3, closed 4`; on a known width, wrapped between counts (a name
/// never apart from its number), continuing after `hang` spaces.
fn counts_line(counts: &Counts, width: Option<usize>, hang: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let items = counts.0.iter().map(|(k, n)| format!("{k} {n}"));
    let Some(width) = width else {
        return items.collect::<Vec<_>>().join(", ");
    };
    let room = width.saturating_sub(hang).max(20);
    let mut out = String::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && line.width() + 3 + item.width() > room {
            out.push_str(&line);
            out.push_str(",\n");
            out.extend(std::iter::repeat_n(' ', hang));
            line.clear();
        } else if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(&item);
    }
    out.push_str(&line);
    out
}

fn durations_row(name: &str, d: &Durations) -> Vec<String> {
    vec![
        name.to_string(),
        d.count.to_string(),
        duration(d.median_seconds),
        duration(d.p90_seconds),
    ]
}

/// The numbers for people; on a known width the long lines wrap at words,
/// under their own values.
fn stats_text(stats: &Stats, width: Option<usize>) -> String {
    let fit = |text: String, hang: usize| match width {
        Some(width) => wrap(&text, width, hang),
        None => text,
    };
    let mut out = String::new();
    let window = match (&stats.since, &stats.until) {
        (None, None) => "all cases".to_string(),
        (since, until) => format!(
            "cases opened from {} until {}",
            since.as_deref().unwrap_or("the start"),
            until.as_deref().unwrap_or("now")
        ),
    };
    out.push_str(&fit(format!("{window}: {}", stats.cases), 2));
    out.push('\n');
    for (name, counts) in [
        ("by status:", &stats.by_status),
        ("by level:", &stats.by_level),
        ("by severity:", &stats.by_severity),
    ] {
        out.push_str(&format!("  {name:<14}{}", counts_line(counts, width, 16)));
        out.push('\n');
    }
    out.push('\n');
    let mut times = table(&["TIME TO", "CASES", "MEDIAN", "90TH PERCENTILE"]);
    times.add_row(durations_row("first response", &stats.time_to_first_response));
    times.add_row(durations_row("close", &stats.time_to_close));
    out.push_str(&render_table(&times));
    let share = stats
        .auto_closed_share
        .map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "-".into());
    out.push_str(&format!(
        "\nauto-closed: {} of {} closed ({share})\n",
        stats.auto_closed, stats.closed
    ));
    out.push_str(&format!(
        "overdue first responses (no response yet): {}\n",
        stats.first_response_overdue
    ));
    out.push_str(&format!(
        "late first responses (after the target): {}\n",
        stats.first_response_late
    ));
    out
}
