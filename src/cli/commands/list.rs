//! `tickets list`: the cases that are not closed, filtered, in the order to
//! work them; streamed, so that memory stays flat in the store's size.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::render::pager::Output;
use crate::cli::render::ListTable;
use crate::cli::{report_bad_files, warn_about, Context};
use crate::core::vocabulary::{Level, Severity, Status};
use crate::operations::{self, ListFilter, ListOrder};
use crate::views::{CaseView, Format};
use clap::Args;

/// Arguments of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this status (closed cases show only when asked for); the table's
    /// short spellings are taken too: new, replied (both open), invest,
    /// waiting, escal.
    #[arg(long, value_parser = status_parser())]
    pub status: Option<Status>,
    /// Only this assignee (an analyst's roster ID).
    #[arg(long, conflicts_with_all = ["unassigned", "mine"])]
    pub assignee: Option<String>,
    /// Only cases nobody is assigned to.
    #[arg(long, conflicts_with = "mine")]
    pub unassigned: bool,
    /// Only the cases of the acting analyst (--as, TICKETS_ACTOR, $USER).
    #[arg(long)]
    pub mine: bool,
    /// Only this customer (as config.yaml names it; case-insensitive).
    #[arg(long)]
    pub customer: Option<String>,
    /// Only cases with this tag; repeatable (every one must match).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only this tier.
    #[arg(long, value_enum)]
    pub level: Option<Level>,
    /// Only this severity.
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// Only cases past their first-response target with no first response.
    #[arg(long)]
    pub overdue: bool,
    /// Only cases whose summary or description contains TEXT (ignoring case).
    #[arg(long, value_name = "TEXT", value_parser = crate::cli::non_empty)]
    pub grep: Option<String>,
    /// Include closed cases.
    #[arg(long)]
    pub all: bool,
    /// The order: triage (the table's default), created (json and yaml's
    /// default), updated, severity or id.
    #[arg(long, value_enum, value_name = "KEY")]
    pub sort: Option<ListOrder>,
    /// Every column, full spellings, nothing cut (the table only).
    #[arg(long)]
    pub wide: bool,
    /// Print directly, even on a terminal.
    #[arg(long)]
    pub no_pager: bool,
}

/// The spellings of `--status`: each status's own, and as the table prints
/// it (`invest`, `waiting`, `escal`; `new` and `replied` are open cases).
fn status_parser() -> impl clap::builder::TypedValueParser<Value = Status> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let short = |status: Status| -> &'static [&'static str] {
        match status {
            Status::Open => &["new", "replied"],
            Status::AtInvestigation => &["invest"],
            Status::WaitingForCustomer => &["waiting"],
            Status::Escalated => &["escal"],
            Status::Closed => &[],
        }
    };
    let values = Status::ALL
        .iter()
        .map(|&status| PossibleValue::new(status.as_str()).aliases(short(status).iter().copied()));
    PossibleValuesParser::new(values).map(move |text| {
        Status::ALL
            .iter()
            .copied()
            .find(|&status| status.as_str() == text || short(status).contains(&text.as_str()))
            .unwrap_or(Status::Open)
    })
}

/// Runs `list`.
pub fn run(ctx: &Context, args: ListArgs) -> Result<ExitCode> {
    let session = if args.mine {
        ctx.analyst_session()
    } else {
        ctx.session()
    };
    let filter = ListFilter {
        status: args.status,
        assignee: args.assignee,
        level: args.level,
        severity: args.severity,
        overdue: args.overdue,
        all: args.all,
        customer: args.customer,
        unassigned: args.unassigned,
        mine: args.mine,
        grep: args.grep,
        tags: args.tags,
    };
    // Scripts get a stable order that does not move with the clock; people
    // get the order to work the cases in.
    let order = args.sort.unwrap_or(match ctx.format {
        Format::Table => ListOrder::Triage,
        Format::Json | Format::Yaml => ListOrder::Created,
    });
    let after = chrono::Duration::days(i64::from(ctx.store.config()?.auto_close_after_days));
    let mut table = ListTable::new(ctx.now, after, ctx.style, args.wide);
    if filter.mine {
        table = table.without_assignee();
    }
    if filter.customer.is_some() {
        table = table.without_customer();
    }
    let listing = operations::list_streamed(&session, &filter, order, &mut |s, due| {
        if ctx.format == Format::Table {
            table.observe(s, due);
        }
    })?;
    listing.warnings.iter().for_each(warn_about);
    table.layout();
    let mut out = Output::paged(ctx.format == Format::Table && ctx.style.terminal && !args.no_pager);
    let mut errors = Vec::new();
    let mut first = true;
    match ctx.format {
        Format::Table => out.write(&table.header())?,
        Format::Json if listing.is_empty() => out.write("[]\n")?,
        Format::Json => out.write("[\n")?,
        Format::Yaml if listing.is_empty() => out.write("[]\n")?,
        Format::Yaml => {}
    }
    for row in listing.rows() {
        let (digest, due) = match row {
            Ok(row) => row,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match ctx.format {
            Format::Table => out.write(&table.row(&digest, &due))?,
            Format::Json => {
                let view = CaseView::of_digest(&digest, &due, ctx.now);
                let text = serde_json::to_string_pretty(&view)
                    .map_err(|e| CliError::Failure(format!("cannot write JSON: {e}")))?;
                out.write(&json_array_item(&text, std::mem::take(&mut first)))?;
            }
            Format::Yaml => {
                let view = CaseView::of_digest(&digest, &due, ctx.now);
                let text =
                    serde_yaml::to_string(&view).map_err(|e| CliError::Failure(format!("cannot write YAML: {e}")))?;
                out.write(&yaml_sequence_item(&text))?;
            }
        }
    }
    if ctx.format == Format::Json && !listing.is_empty() {
        out.write("\n]\n")?;
    }
    out.finish()?;
    errors.extend(listing.errors);
    Ok(report_bad_files(&errors))
}

/// One element of a pretty JSON array, as `serde_json` writes it inside the
/// whole array: indented two spaces, after a comma unless first.
pub fn json_array_item(pretty: &str, first: bool) -> String {
    let mut out = String::with_capacity(pretty.len() + 64);
    if !first {
        out.push_str(",\n");
    }
    for (i, line) in pretty.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("  ");
        out.push_str(line);
    }
    out
}

/// One element of a YAML sequence, as the emitter writes it inside the
/// whole sequence: `- ` before the first line, two spaces before the others
/// (blank lines of a block scalar stay blank).
pub fn yaml_sequence_item(mapping: &str) -> String {
    let mut out = String::with_capacity(mapping.len() + 64);
    for (i, line) in mapping.lines().enumerate() {
        if i == 0 {
            out.push_str("- ");
        } else if !line.is_empty() {
            out.push_str("  ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::serialize;

    fn view(id: &str, summary: &str, resolution: Option<&str>) -> CaseView {
        use crate::core::lifecycle::{open, NewCase};
        let now = crate::core::time::parse_instant("2026-11-19T10:00:00Z").expect("instant");
        let case = open(
            NewCase {
                customer: "Ação Ltda".into(),
                summary: summary.into(),
                description: String::new(),
                channel: crate::core::vocabulary::Channel::Email,
                ..NewCase::example(id)
            },
            "tester",
            now,
        );
        let mut digest = crate::core::digest::Digest::of(&case);
        digest.resolution = resolution.map(str::to_string);
        let due = crate::core::targets::Due {
            plan: "plus".into(),
            first_response_due: now,
        };
        CaseView::of_digest(&digest, &due, now)
    }

    /// The streamed machine formats are byte for byte what serializing the
    /// whole array at once gives, for awkward text too.
    #[test]
    fn streamed_json_and_yaml_equal_the_whole_array() {
        let views = vec![
            view("RC-AAAAAAAA", "plain", None),
            view(
                "RC-BBBBBBBB",
                "quotes \" and: colons # hash",
                Some("line one\n\nline three\n"),
            ),
            view("RC-CCCCCCCC", "- dash\ttab \u{1b}[31m", Some("  leading spaces\nnext")),
            view("RC-DDDDDDDD", "日本語", Some("|\n>\n")),
        ];
        let mut json = String::from("[\n");
        let mut yaml = String::new();
        for (i, v) in views.iter().enumerate() {
            json.push_str(&json_array_item(&serde_json::to_string_pretty(v).unwrap(), i == 0));
            yaml.push_str(&yaml_sequence_item(&serde_yaml::to_string(v).unwrap()));
        }
        json.push_str("\n]\n");
        assert_eq!(json, serialize(Format::Json, &views).unwrap().unwrap());
        assert_eq!(yaml, serialize(Format::Yaml, &views).unwrap().unwrap());
        let none: Vec<CaseView> = Vec::new();
        assert_eq!(serialize(Format::Json, &none).unwrap().unwrap(), "[]\n");
        assert_eq!(serialize(Format::Yaml, &none).unwrap().unwrap(), "[]\n");
    }
}
