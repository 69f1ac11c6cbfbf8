//! `tickets man [--out-dir DIR]`: the man page (roff), built from the same
//! clap definitions as `--help`, with EXIT STATUS and ENVIRONMENT sections.
//! With `--out-dir` it writes tickets.1 and one page per subcommand, so that
//! the pages the SUBCOMMANDS section names exist.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, Cli};
use crate::core::error::Error;
use clap::{Args, CommandFactory};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write tickets.1 and tickets-COMMAND.1 into this directory instead of
    /// printing tickets.1 (e.g. /usr/local/share/man/man1).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// The environment variables the program reads, for the man page.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("TICKETS_DIR", "the store directory (--dir)"),
    ("TICKETS_NOW", "the clock, an RFC 3339 instant (--now)"),
    ("TICKETS_ACTOR", "who acts, recorded in history (--as)"),
    (
        "TICKETS_LOCK_TIMEOUT",
        "seconds (0 to 86400) to wait for the store lock before exit 6 (default 10)",
    ),
    ("NO_COLOR", "when set and not empty, no colour unless --color always"),
];

/// Escapes text for a roff line.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// A roff section of tagged paragraphs.
fn tagged_section(title: &str, items: &[(String, String)]) -> String {
    let mut out = format!(".SH \"{title}\"\n");
    for (tag, text) in items {
        out.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff_text(tag), roff_text(text)));
    }
    out
}

/// The exit codes as (code, meaning) pairs, from the table `--help` prints.
fn exit_codes() -> Vec<(String, String)> {
    ExitCode::table()
        .map(|(code, meaning)| (code.to_string(), meaning.to_string()))
        .collect()
}

/// The main page: clap_mangen's sections, then exit status and environment.
pub fn main_page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd);
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    page.write_all(tagged_section("EXIT STATUS", &exit_codes()).as_bytes())?;
    let environment: Vec<(String, String)> = ENVIRONMENT
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    page.write_all(tagged_section("ENVIRONMENT", &environment).as_bytes())?;
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// Runs `man`.
pub fn run(args: ManArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match args.out_dir {
        None => {
            let page = main_page(cmd).map_err(|e| Error::io("<man page>", e))?;
            emit(&String::from_utf8_lossy(&page))?;
        }
        Some(dir) => {
            let write = |name: &str, bytes: &[u8]| {
                let path = dir.join(name);
                std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
            };
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let man = clap_mangen::Man::new(sub.clone());
                let mut page = Vec::new();
                man.render(&mut page).map_err(|e| Error::io("<man page>", e))?;
                write(&man.get_filename(), &page)?;
            }
            let page = main_page(cmd).map_err(|e| Error::io("<man page>", e))?;
            write("tickets.1", &page)?;
        }
    }
    Ok(ExitCode::Success)
}
