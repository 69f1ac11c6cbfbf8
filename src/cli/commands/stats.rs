//! `tickets stats [--since T] [--until T]`: the desk's numbers over the cases
//! opened in a window, as a table or JSON/YAML.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::render::{human_duration, render_table, table, wrap};
use crate::cli::{emit, policy, report_bad_files, Context};
use crate::operations::stats::{Accumulator, Period, TagAccumulator, TrendAccumulator, Window};
use crate::views::{serialize, Counts, Durations, PeriodView, Stats, TrendView};
use chrono::{DateTime, Utc};
use clap::Args;

/// Arguments of `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Count cases opened at or after this instant: RFC 3339, a date
    /// (YYYY-MM-DD, the start of that day in business_hours.timezone) or a
    /// time before now (3d, 2w, 12h).
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub since: Option<When>,
    /// Count cases opened before this instant (as --since).
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub until: Option<When>,
    /// Show the trend per period instead: cases opened, closed and
    /// auto-closed, the median first response and the targets missed, and
    /// the backlog at each period's end.
    /// `--by tag`: the numbers per tag instead.
    #[arg(long, value_name = "week|month|tag", value_parser = parse_by)]
    pub by: Option<By>,
}

/// What `--by` splits the numbers by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The trend per period.
    Period(Period),
    /// One row per tag.
    Tag,
}

fn parse_by(text: &str) -> std::result::Result<By, String> {
    match text {
        "week" => Ok(By::Period(Period::Week)),
        "month" => Ok(By::Period(Period::Month)),
        "tag" => Ok(By::Tag),
        _ => Err("expected week, month or tag".into()),
    }
}

/// An instant as `--since`/`--until` take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// An RFC 3339 instant.
    Instant(DateTime<Utc>),
    /// The start of this day in the store's time zone.
    Day(chrono::NaiveDate),
    /// This long before *now*.
    Ago(chrono::Duration),
}

impl When {
    /// The instant: a day starts at midnight in `zone` (or the first
    /// instant after it, when a clock change skips midnight).
    pub fn instant(self, now: DateTime<Utc>, zone: chrono_tz::Tz) -> DateTime<Utc> {
        use chrono::TimeZone;
        match self {
            When::Instant(instant) => instant,
            When::Ago(span) => now - span,
            When::Day(day) => {
                let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
                (0..=180)
                    .step_by(15)
                    .find_map(|minutes| {
                        zone.from_local_datetime(&(midnight + chrono::Duration::minutes(minutes)))
                            .earliest()
                    })
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
            }
        }
    }
}

/// Parses `--since`/`--until`: RFC 3339, `YYYY-MM-DD`, or `N` followed by
/// `h`, `d` or `w`.
fn parse_when(text: &str) -> std::result::Result<When, String> {
    match crate::core::time::parse_instant(text) {
        Ok(instant) => return Ok(When::Instant(instant)),
        // A time of day means RFC 3339 was meant: its own refusal says why.
        Err(refusal) if text.contains(':') => return Err(refusal),
        Err(_) => {}
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(When::Day(day));
    }
    let unit = text.chars().last().unwrap_or(' ');
    let count = text[..text.len() - unit.len_utf8().min(text.len())].parse::<u32>().ok();
    let span = match (count, unit) {
        (Some(n), 'h') => Some(chrono::Duration::hours(i64::from(n))),
        (Some(n), 'd') => chrono::Duration::try_days(i64::from(n)),
        (Some(n), 'w') => chrono::Duration::try_weeks(i64::from(n)),
        _ => None,
    };
    span.filter(|span| *span <= chrono::Duration::days(100 * 366))
        .map(When::Ago)
        .ok_or_else(|| "expected an RFC 3339 instant, a date (YYYY-MM-DD) or a time before now (12h, 3d, 2w)".into())
}

/// Runs `stats`.
pub fn run(ctx: &Context, args: StatsArgs) -> Result<ExitCode> {
    let config = ctx.store.config()?;
    let zone = config.business_hours.timezone.parse().unwrap_or(chrono_tz::UTC);
    let since = args.since.map(|when| when.instant(ctx.now, zone));
    let until = args.until.map(|when| when.instant(ctx.now, zone));
    if let (Some(since), Some(until)) = (since, until) {
        if since >= until {
            return Err(CliError::Usage("--since must be before --until".into()));
        }
    }
    let policy = policy(&ctx.store, &config)?;
    let window = Window { since, until };
    match args.by {
        Some(By::Period(by)) => return trend(ctx, by, window, &policy),
        Some(By::Tag) => return by_tag(ctx, window, &config.tags),
        None => {}
    }
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

/// `stats --by`: the trend, streamed like the totals.
fn trend(ctx: &Context, by: Period, window: Window, policy: &crate::core::targets::Policy) -> Result<ExitCode> {
    let mut accumulator = TrendAccumulator::new(by, window, policy, ctx.now);
    let errors = ctx.store.each_summary(&mut |summary| accumulator.add(&summary))?;
    let view = accumulator.finish();
    match serialize(ctx.format, &view)? {
        Some(text) => emit(&text)?,
        None => emit(&trend_text(&view))?,
    }
    Ok(report_bad_files(&errors))
}

/// `stats --by tag`: the numbers per tag, streamed like the totals.
fn by_tag(ctx: &Context, window: Window, tags: &[String]) -> Result<ExitCode> {
    let mut accumulator = TagAccumulator::new(window, tags);
    let errors = ctx.store.each_summary(&mut |summary| accumulator.add(&summary))?;
    let view = accumulator.finish();
    match serialize(ctx.format, &view)? {
        Some(text) => emit(&text)?,
        None => {
            let header = ["TAG", "CASES", "ACTIVE", "CLOSED", "AUTO", "1ST REPLY", "CLOSE"];
            let rows: Vec<Vec<String>> = view
                .tags
                .iter()
                .map(|row| {
                    vec![
                        crate::core::terminal::escape_line(&row.tag),
                        row.cases.to_string(),
                        row.active.to_string(),
                        row.closed.to_string(),
                        row.auto_closed.to_string(),
                        duration(row.time_to_first_response.median_seconds),
                        duration(row.time_to_close.median_seconds),
                    ]
                })
                .collect();
            // A tag is never cut: on a narrow terminal the automatic
            // closes, then the closed and active counts, are left out.
            let mut out = crate::cli::render::fitted::FittedTable::new(&header)
                .droppable(&[4, 3, 2])
                .overflow(crate::cli::render::fitted::Overflow::Cut, 5)
                .render(&rows, ctx.style.width);
            out.push_str(&format!(
                "{} case(s), {} untagged (1ST REPLY and CLOSE are medians)\n",
                view.cases, view.untagged
            ));
            emit(&out)?;
        }
    }
    Ok(report_bad_files(&errors))
}

/// Eighths of a block, for sparklines and the ends of bars.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The widest the backlog's bar gets: the table fits 80 columns.
const BAR_WIDTH: usize = 15;

/// One sparkline character: `value` against the column's largest (blank for 0).
fn spark(value: u64, max: u64) -> char {
    if value == 0 || max == 0 {
        return ' ';
    }
    let level = (value * 8).div_ceil(max).clamp(1, 8);
    BLOCKS[level as usize - 1]
}

/// A horizontal bar of at most [`BAR_WIDTH`] cells, in eighths.
fn bar(value: u64, max: u64) -> String {
    if value == 0 || max == 0 {
        return String::new();
    }
    let eighths = (value * (BAR_WIDTH as u64) * 8).div_ceil(max).max(1);
    let mut out = "█".repeat((eighths / 8) as usize);
    const PARTIAL: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let rest = (eighths % 8) as usize;
    if rest > 0 {
        out.push(PARTIAL[rest]);
    }
    out
}

/// The trend as one line per period, each number with its sparkline and the
/// backlog with a bar: 79 columns at most.
fn trend_text(view: &TrendView) -> String {
    let max = |f: fn(&PeriodView) -> u64| view.periods.iter().map(f).max().unwrap_or(0);
    let opened = max(|p| p.opened as u64);
    let closed = max(|p| p.closed as u64);
    let auto = max(|p| p.auto_closed as u64);
    let median = max(|p| p.first_response_median_seconds.unwrap_or(0).max(0) as u64);
    let missed = max(|p| p.first_response_missed as u64);
    let backlog = max(|p| p.backlog as u64);
    let mut out = format!(
        "{:<8} {:>8} {:>8} {:>8} {:>10} {:>8} {:>7}\n",
        by_header(view.by),
        "OPENED",
        "CLOSED",
        "AUTO",
        "1ST REPLY",
        "MISSED",
        "BACKLOG"
    );
    for p in &view.periods {
        let reply = p.first_response_median_seconds;
        let line = format!(
            "{:<8} {:>6} {} {:>6} {} {:>6} {} {:>8} {} {:>6} {} {:>7} {}",
            p.period,
            p.opened,
            spark(p.opened as u64, opened),
            p.closed,
            spark(p.closed as u64, closed),
            p.auto_closed,
            spark(p.auto_closed as u64, auto),
            duration(reply),
            spark(reply.unwrap_or(0).max(0) as u64, median),
            p.first_response_missed,
            spark(p.first_response_missed as u64, missed),
            p.backlog,
            bar(p.backlog as u64, backlog),
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if view.periods.is_empty() {
        out.push_str("no cases\n");
    }
    out
}

fn by_header(by: &str) -> &'static str {
    match by {
        "month" => "MONTH",
        _ => "WEEK",
    }
}
