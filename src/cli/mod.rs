//! The command line: global options, the `Command` enum and its dispatch.
//! Each command lives in its own file with its `Args` and `run`.

pub mod cli_error;
mod commands;
mod error_message;
pub mod exit_code;
mod parse_error;
pub mod render;

use crate::cli::cli_error::CliError;
use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::render::color::{ColorChoice, Style};
use crate::core::case::Case;
use crate::core::digest::Digest;
use crate::core::error::Error;
use crate::operations::{Session, Warning};
use crate::store::Store;
use crate::views::Format;
use chrono::{DateTime, Utc};
use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use commands::*;
use error_message::error_message;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// The version `--version` prints: the crate's, and the commit it was built
/// from (`build.rs`), so that two builds of one version can be told apart.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("TICKETS_COMMIT"), ")");

/// `tickets`: a support desk in a directory of YAML files.
#[derive(Debug, Parser)]
#[command(name = "tickets", version = VERSION, about, after_help = ExitCode::help_text(), propagate_version = true)]
pub struct Cli {
    /// Options valid before or after the subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Global options, each with its environment variable.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The store directory.
    #[arg(
        long,
        global = true,
        env = "TICKETS_DIR",
        hide_env_values = true,
        default_value = "tickets",
        value_name = "PATH"
    )]
    pub dir: PathBuf,
    /// The clock: an RFC 3339 instant instead of the system clock.
    #[arg(
        long,
        global = true,
        env = "TICKETS_NOW",
        hide_env_values = true,
        value_name = "RFC3339"
    )]
    pub now: Option<String>,
    /// Who acts (recorded in history); default $USER.
    #[arg(
        long = "as",
        global = true,
        env = "TICKETS_ACTOR",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub actor: Option<String>,
    /// Output format: table for people, json or yaml for scripts.
    #[arg(
        long,
        global = true,
        default_value = "table",
        value_parser = clap::builder::EnumValueParser::<FormatChoice>::new().map(Format::from)
    )]
    pub format: Format,
    /// Colour: auto (a terminal without NO_COLOR), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `--format`'s values: the views' [`Format`], spelled for clap (the views
/// know nothing of the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatChoice {
    /// Aligned columns for people; untrusted text escaped.
    Table,
    /// JSON for scripts; text exact.
    Json,
    /// YAML for scripts; text exact.
    Yaml,
}

impl From<FormatChoice> for Format {
    fn from(choice: FormatChoice) -> Format {
        match choice {
            FormatChoice::Table => Format::Table,
            FormatChoice::Json => Format::Json,
            FormatChoice::Yaml => Format::Yaml,
        }
    }
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a store: a commented config.yaml and a .gitignore.
    Init(init::InitArgs),
    /// Open a new case; prints its ID.
    Open(open::OpenArgs),
    /// The mail server's command: take one message from stdin (a reply, a follow-up or a new case).
    Intake(intake::IntakeArgs),
    /// Start working on a case (open or escalated -> at-investigation).
    Investigate(investigate::InvestigateArgs),
    /// Answer or ask the customer (-> waiting-for-customer; starts the auto-close clock).
    RequestInfo(request_info::RequestInfoArgs),
    /// Record the customer's response (-> open; clears the clock).
    Reply(reply::ReplyArgs),
    /// Escalate: L1 -> L2 (re-routed), L2/R&D -> R&D's resolution queue.
    Escalate(escalate::EscalateArgs),
    /// Close a case with a resolution.
    Close(close::CloseArgs),
    /// Close a duplicate into another case of the same customer (SRC --into TARGET).
    Merge(merge::MergeArgs),
    /// Auto-close cases waiting for the customer too long; prints their IDs.
    Sweep(sweep::SweepArgs),
    /// List cases (not closed, unless --status or --all).
    List(list::ListArgs),
    /// Show one case with its history.
    Show(show::ShowArgs),
    /// Write one attachment's bytes to a file or a pipe (never a terminal).
    Attachment(attachment::AttachmentArgs),
    /// R&D's resolution queue, in the order R&D takes the cases.
    Queue(queue::QueueArgs),
    /// Set or change a case's assignee by hand.
    Assign(assign::AssignArgs),
    /// Record an internal comment (no status change; the customer never sees it).
    Note(note::NoteArgs),
    /// Change a case's severity (moves the first-response target).
    Reassess(reassess::ReassessArgs),
    /// Waiting cases due a reminder before auto-close.
    Remind(remind::RemindArgs),
    /// The messages to customers: queued, sent and failed.
    Outbox(outbox::OutboxArgs),
    /// On the mail host: send every clone's unsent messages (TICKETS_SMTP_URL or TICKETS_SENDMAIL).
    Deliver(deliver::DeliverArgs),
    /// Set up git in this clone: register the merge driver, write the store's .gitattributes.
    GitSetup(git_setup::GitSetupArgs),
    /// The git merge driver for case files (git runs it: `tickets merge-driver %O %A %B %P`).
    MergeDriver(merge_driver::MergeDriverArgs),
    /// Counts, response and close times, auto-close share, overdue cases.
    Stats(stats::StatsArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff) on stdout.
    Man(man::ManArgs),
    /// Validate the store and config (for CI); exit 5 on errors, or warnings with --strict.
    Check(check::CheckArgs),
    /// Serve the customer portal over HTTP until SIGTERM (TLS is a reverse proxy's job).
    Serve(serve::ServeArgs),
    /// The customer portal's sign-in links: `portal link --email ADDR`.
    Portal(portal::PortalArgs),
    /// The store's canned answers (templates/answers/NAME.md): name and first line.
    Templates(templates::TemplatesArgs),
    /// Correct a case's customer (internal; the portal's visibility follows it).
    SetCustomer(set_customer::SetCustomerArgs),
    /// Add (+TAG) and remove (-TAG) a case's tags (internal; config.yaml lists the tags).
    Tag(tag::TagArgs),
    /// Add and remove the customer's people copied on a case's mail (--add / --remove ADDR).
    Cc(cc::CcArgs),
}

/// What every command needs: the store, the clock, the actor, the format.
#[derive(Debug, Clone)]
pub struct Context {
    /// The store.
    pub store: Store,
    /// *Now*.
    pub now: DateTime<Utc>,
    /// Who acts, if given.
    pub actor: Option<String>,
    /// Output format.
    pub format: Format,
    /// How long to wait for the store lock.
    pub lock_wait: Duration,
    /// Colour and layout of output for people.
    pub style: Style,
}

/// The longest wait for the store lock that TICKETS_LOCK_TIMEOUT may ask
/// for, in seconds: one day.
pub const MAX_LOCK_TIMEOUT_SECONDS: f64 = 86_400.0;

impl Context {
    /// Builds the context from global options.
    pub fn new(global: &GlobalArgs) -> Result<Context> {
        let now = match &global.now {
            Some(text) => crate::core::time::parse_instant(text)
                .map_err(|e| CliError::Usage(format!("--now / TICKETS_NOW: {e}")))?,
            None => crate::core::time::truncate(Utc::now()),
        };
        let lock_wait = match std::env::var("TICKETS_LOCK_TIMEOUT") {
            Ok(text) => text
                .parse::<f64>()
                .ok()
                // Refused rather than clamped past a day: such a wait is a typo, and
                // `Duration::from_secs_f64` panics past 2^64 seconds.
                .filter(|s| (0.0..=MAX_LOCK_TIMEOUT_SECONDS).contains(s))
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "TICKETS_LOCK_TIMEOUT {text:?} must be a number of seconds from 0 to {MAX_LOCK_TIMEOUT_SECONDS}"
                    ))
                })?,
            Err(_) => Duration::from_secs(10),
        };
        if let Some(actor) = &global.actor {
            if actor.trim().is_empty() || actor.chars().any(char::is_control) {
                return Err(CliError::Usage(
                    "--as / TICKETS_ACTOR must be a non-empty name without control characters".into(),
                ));
            }
        }
        let mut store = Store::new(&global.dir);
        if let Some(progress) = render::progress::TerminalProgress::detect(global.format) {
            store = store.with_progress(progress);
        }
        Ok(Context {
            store,
            now,
            actor: global.actor.clone(),
            format: global.format,
            lock_wait,
            style: Style::detect(global.color),
        })
    }

    /// The actor: `--as`, TICKETS_ACTOR, $USER, or `fallback`.
    pub fn actor_or(&self, fallback: &str) -> String {
        self.actor
            .clone()
            .or_else(|| {
                std::env::var("USER")
                    .ok()
                    .filter(|u| !u.is_empty() && !u.chars().any(char::is_control))
            })
            .unwrap_or_else(|| fallback.to_string())
    }

    /// The acting person for analyst commands.
    pub fn actor(&self) -> String {
        self.actor_or("unknown")
    }

    /// The session of a command that reads: the store, `actor()`, *now*.
    pub fn session(&self) -> Session {
        self.session_as(self.actor())
    }

    /// The session of an analyst's command: as [`Context::session`], with a
    /// warning when the actor is not in the roster (a typo in `--as` or
    /// TICKETS_ACTOR would sign history with a name nobody has) or when no
    /// name was found at all and history is signed `unknown`. `sweep`,
    /// `remind` and mail actors do not come here.
    pub fn analyst_session(&self) -> Session {
        let actor = self.actor_or("");
        if actor.is_empty() {
            warn(
                "no --as, TICKETS_ACTOR or $USER: history is signed \"unknown\" (set TICKETS_ACTOR to your roster ID)",
            );
            return self.session_as("unknown".to_string());
        }
        if let Ok(config) = self.store.config() {
            if !config.analysts.is_empty() && config.analyst(&actor).is_none() {
                warn_about(&Warning::UnknownAnalyst {
                    analyst: format!("{actor} (--as / TICKETS_ACTOR / $USER)"),
                    known: config.analysts.iter().map(|a| a.id.clone()).collect(),
                });
            }
        }
        self.session_as(actor)
    }

    /// The session of a command where `actor` acts.
    pub fn session_as(&self, actor: String) -> Session {
        Session {
            store: self.store.clone(),
            actor,
            now: self.now,
            lock_wait: self.lock_wait,
        }
    }
}

pub use crate::operations::{due_of, policy};

/// Writes to stdout; a closed pipe (`tickets list | head`) is not an error.
pub fn emit(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e).into()),
    }
}

/// Prints a warning on stderr.
pub fn warn(text: &str) {
    crate::core::error::diagnostic(&format!("warning: {text}"));
}

/// Prints a warning an operation returned.
pub fn warn_about(warning: &Warning) {
    match warning {
        Warning::ClockBehind { id, clock, last } => warn(&format!(
            "this clone's clock ({}) is behind {id}'s last change ({}): recorded at {}, with the clock's date kept in the event; set the clock right (NTP)",
            crate::core::time::format_instant(clock),
            crate::core::time::format_instant(last),
            crate::core::time::format_instant(last),
        )),
        Warning::NotCommitted { files, error } => warn(&format!(
            "the change is saved but not committed ({}); commit {} by hand",
            crate::core::terminal::escape_line(&error_message(error)),
            files
                .iter()
                .map(|f| f.file_name().unwrap_or(f.as_os_str()).to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        )),
        // Unknown customers are allowed (SPEC), but a typo would silently
        // drop the customer to the slowest plan.
        Warning::UnknownCustomer { customer } => warn(&format!(
            "customer \"{}\" is not in config.yaml; the case gets the standard plan",
            crate::core::terminal::escape_line(customer)
        )),
        Warning::NoContact { id } => crate::core::error::diagnostic(&format!(
            "note: {id} has no contact address (--email): no message to the customer will be sent for it"
        )),
        Warning::MailNotQueued { id, reason } => warn(&format!(
            "{id}: no message to the customer will be sent for this change: {}",
            crate::core::terminal::escape_line(reason)
        )),
        Warning::AttachmentsLeftOut { id, left_out } => {
            for one in left_out {
                warn(&format!(
                    "{id}: attachment left out: {}",
                    crate::core::terminal::escape_line(&one.to_string())
                ));
            }
        }
        Warning::UnknownAnalyst { analyst, known } => warn(&format!(
            "{} is not in the roster of config.yaml; known analysts: {}",
            crate::core::terminal::escape_line(analyst),
            crate::core::terminal::escape_line(&known.join(", "))
        )),
        Warning::UnknownTagFilter { tag, known } => warn(&format!(
            "tag \"{}\" is not in the tags of config.yaml; known tags: {}",
            crate::core::terminal::escape_line(tag),
            crate::core::terminal::escape_line(&known.join(", "))
        )),
        Warning::UnknownCustomerFilter { customer, known } => warn(&format!(
            "customer \"{}\" is not in config.yaml; known customers: {}",
            crate::core::terminal::escape_line(customer),
            crate::core::terminal::escape_line(&known.join(", "))
        )),
        Warning::LedgerRewritten { reason } => warn(&crate::core::terminal::escape_line(reason)),
        Warning::MailNotStarted { cases } => warn(&format!(
            "no `tickets deliver` has started this store's sent ledger (sent/since is missing): \
             the first run mails only what happens after it, and the public events of {cases} case(s) \
             with a contact so far are never mailed; on a restored mail host, restore sent/ from git's \
             history (or .tickets/mail-host-* from its backup) first (see docs/git.md, Backup and restore)"
        )),
        Warning::Unassigned { id, reason, .. } => warn(&format!(
            "{}; {id} is unassigned (tickets assign {id} ANALYST)",
            crate::core::terminal::escape_line(reason)
        )),
    }
}

/// Reports bad files met while scanning; returns the exit code (invalid
/// data if any).
pub fn report_bad_files(errors: &[Error]) -> ExitCode {
    for error in errors {
        // Parse errors can echo a file's bytes (an unknown variant's value).
        crate::core::error::diagnostic(&format!(
            "error: {}",
            crate::core::terminal::escape_line(&error_message(error))
        ));
    }
    if errors.is_empty() {
        ExitCode::Success
    } else {
        crate::core::error::diagnostic(&format!(
            "error: {} file(s) in the store could not be read or written; the others were processed",
            errors.len()
        ));
        ExitCode::InvalidData
    }
}

/// Prints the result of a transition: a line for people, the case for scripts.
pub fn print_transition(ctx: &Context, before: Option<crate::core::vocabulary::Status>, case: &Case) -> Result<()> {
    let config = ctx.store.config()?;
    let policy = policy(&ctx.store, &config)?;
    let due = due_of(&config, &policy, &Digest::of(case));
    let view = crate::views::CaseView::of_case(case, &due, ctx.now);
    match crate::views::serialize(ctx.format, &view)? {
        Some(text) => emit(&text),
        None => {
            let event = case.history.last();
            let action = event.map(|e| e.action.as_str()).unwrap_or("");
            let from = before.map(|s| s.as_str()).unwrap_or("-");
            emit(&format!(
                "{}: {action}: {from} -> {} ({})\n",
                case.id, case.status, case.level
            ))
        }
    }
}

/// Prints a transition's warnings, then its result.
pub fn print_transitioned(ctx: &Context, transitioned: &crate::operations::Transitioned) -> Result<ExitCode> {
    transitioned.warnings.iter().for_each(warn_about);
    print_transition(ctx, Some(transitioned.before), &transitioned.case)?;
    Ok(ExitCode::Success)
}

/// The environment variables where an empty value means unset: a crontab
/// line or a systemd unit often sets a variable to nothing, and that must not
/// fail every run.
const EMPTY_MEANS_UNSET: [&str; 4] = ["TICKETS_DIR", "TICKETS_NOW", "TICKETS_ACTOR", "TICKETS_LOCK_TIMEOUT"];

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> ExitCode {
    for name in EMPTY_MEANS_UNSET {
        if std::env::var_os(name).is_some_and(|value| value.is_empty()) {
            // Edition 2021, and no other thread exists yet: removing is sound.
            std::env::remove_var(name);
        }
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Success
            };
            if e.use_stderr() {
                let plain = e.render().to_string();
                let text = parse_error::parse_error_text(&e, &plain);
                if text == plain {
                    let _ = e.print();
                } else {
                    crate::core::error::diagnostic(text.trim_end());
                }
            } else {
                let _ = e.print();
            }
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            crate::core::error::diagnostic(&format!("error: {}", crate::core::terminal::escape_line(&e.message())));
            e.exit_code()
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Built only by the commands that need a store or a clock: git runs the
    // merge driver in the user's environment, where a stale TICKETS_NOW must
    // not fail a merge, and neither may it fail `completions` or `man`.
    let ctx = || Context::new(&cli.global);
    match cli.command {
        Command::Init(args) => init::run(&ctx()?, args),
        Command::Open(args) => open::run(&ctx()?, args),
        Command::Intake(args) => intake::run(&cli.global, args),
        Command::Investigate(args) => investigate::run(&ctx()?, args),
        Command::RequestInfo(args) => request_info::run(&ctx()?, args),
        Command::Reply(args) => reply::run(&ctx()?, args),
        Command::Escalate(args) => escalate::run(&ctx()?, args),
        Command::Close(args) => close::run(&ctx()?, args),
        Command::Merge(args) => merge::run(&ctx()?, args),
        Command::Sweep(args) => sweep::run(&ctx()?, args),
        Command::List(args) => list::run(&ctx()?, args),
        Command::Show(args) => show::run(&ctx()?, args),
        Command::Attachment(args) => attachment::run(&ctx()?, args),
        Command::Queue(args) => queue::run(&ctx()?, args),
        Command::Assign(args) => assign::run(&ctx()?, args),
        Command::Reassess(args) => reassess::run(&ctx()?, args),
        Command::Note(args) => note::run(&ctx()?, args),
        Command::Outbox(args) => outbox::run(&ctx()?, args),
        Command::Deliver(args) => deliver::run(&ctx()?, args),
        Command::Remind(args) => remind::run(&ctx()?, args),
        Command::GitSetup(args) => git_setup::run(&ctx()?, args),
        Command::MergeDriver(args) => merge_driver::run(&cli.global.dir, args),
        Command::Stats(args) => stats::run(&ctx()?, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Check(args) => check::run(&ctx()?, args),
        Command::Serve(args) => serve::run(&ctx()?, args),
        Command::Portal(args) => portal::run(&ctx()?, args),
        Command::Templates(args) => templates::run(&ctx()?, args),
        Command::SetCustomer(args) => set_customer::run(&ctx()?, args),
        Command::Tag(args) => tag::run(&ctx()?, args),
        Command::Cc(args) => cc::run(&ctx()?, args),
    }
}

/// A clap value parser refusing empty text.
pub fn non_empty(text: &str) -> std::result::Result<String, String> {
    if text.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(text.to_string())
    }
}
