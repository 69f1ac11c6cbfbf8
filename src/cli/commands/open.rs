//! `tickets open`: create a case, routed to an available L1 analyst; prints
//! the new ID alone on stdout. With `--from-email` the case comes from an
//! e-mail message on stdin (see [`crate::mail::intake`]).

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, report_bad_files, warn, warn_about, Context};
use crate::core::nearest::nearest_name;
use crate::core::vocabulary::{Channel, Severity};
use crate::operations::{self, OpenRequest, Opening};
use clap::Args;

/// Arguments of `open`.
#[derive(Debug, Args)]
#[command(
    override_usage = "tickets open --customer <NAME> --summary <SUMMARY> [OPTIONS]\n       \
    tickets open --follow-up-of <ID> --summary <SUMMARY> [OPTIONS]\n       \
    tickets open --from-email [OPTIONS] < message.eml"
)]
pub struct OpenArgs {
    /// The customer's name, as in config.yaml; without it, the customer
    /// whose `domains` hold --email's domain. A name not in config.yaml is
    /// refused with the nearest one unless --new-customer. A follow-up takes
    /// the customer of the case it follows.
    #[arg(
        long,
        value_name = "NAME",
        value_parser = crate::cli::non_empty,
        required_unless_present_any = ["from_email", "follow_up_of", "email"]
    )]
    pub customer: Option<String>,
    /// Take a --customer that is not in config.yaml (it gets the standard
    /// plan, and its contacts cannot sign in to the portal).
    #[arg(long, requires = "customer")]
    pub new_customer: bool,
    /// One line saying what is wrong.
    #[arg(long, value_parser = crate::cli::non_empty, required_unless_present = "from_email")]
    pub summary: Option<String>,
    /// The customer's description.
    #[arg(long, default_value = "")]
    pub description: String,
    /// The contact's e-mail address (a follow-up: the followed case's).
    #[arg(long)]
    pub email: Option<String>,
    /// How the customer reached support [default: phone, the analyst took
    /// it (with severity medium); a follow-up: the followed case's]. The
    /// portal and e-mail intake record their own channel.
    #[arg(long, value_enum)]
    pub channel: Option<Channel>,
    /// Severity (default: high for --channel phone, medium otherwise).
    #[arg(long, value_enum)]
    pub severity: Option<Severity>,
    /// The closed case this one follows up; its customer, contact and
    /// channel are taken unless given (another customer's case is refused).
    #[arg(long, value_name = "ID")]
    pub follow_up_of: Option<String>,
    /// Read an e-mail message (at most 10 MiB, more when attachments.max_message_bytes allows) on stdin: Subject -> summary,
    /// text body -> description, sender's domain -> customer (config
    /// `domains`), channel email. Unknown domains are refused (exit 2).
    #[arg(
        long,
        conflicts_with_all = ["customer", "summary", "description", "email", "channel", "follow_up_of"]
    )]
    pub from_email: bool,
    /// Attach a file (repeatable): stored in the store, listed by `show`.
    #[arg(long = "attach", value_name = "FILE", conflicts_with = "from_email")]
    pub attach: Vec<std::path::PathBuf>,
}

/// Runs `open`.
pub fn run(ctx: &Context, args: OpenArgs) -> Result<ExitCode> {
    let opening = if args.from_email {
        // In a mail pipe $USER means nothing; the sender acted unless --as says otherwise.
        let session = ctx.session();
        operations::open_from_email(&session, std::io::stdin().lock(), ctx.actor.as_deref())?
    } else {
        let session = ctx.analyst_session();
        // A follow-up continues the conversation: same customer, contact and
        // channel unless told otherwise.
        let previous = match &args.follow_up_of {
            Some(id) => Some(operations::case(&session, id)?),
            None => None,
        };
        let email = args.email.or_else(|| previous.as_ref().and_then(|p| p.email.clone()));
        let customer = match (args.customer, &previous) {
            (Some(customer), _) => Some(known_customer(ctx, customer, email.as_deref(), args.new_customer)?),
            (None, Some(previous)) => Some(previous.customer.clone()),
            (None, None) => email
                .as_deref()
                .map(|email| customer_of_address(ctx, email))
                .transpose()?,
        };
        // A case typed in the shell came to an analyst, not through the
        // portal: phone, but at medium, since nobody said it was the hotline.
        let given = args.channel.or(previous.as_ref().map(|p| p.channel));
        let channel = given.unwrap_or(Channel::Phone);
        let severity = args.severity.or(given.is_none().then_some(Severity::Medium));
        let (Some(customer), Some(summary)) = (customer, args.summary) else {
            return Err(CliError::Usage(
                "--customer (or --email) and --summary are required".into(),
            ));
        };
        let request = OpenRequest {
            customer,
            summary,
            description: args.description,
            email,
            channel,
            severity,
            follow_up_of: args.follow_up_of,
            message_id: None,
            automatic: false,
        };
        let enclosures = super::attachment::enclosures(ctx, &args.attach)?;
        operations::open(&session, request, enclosures)?
    };
    match opening {
        Opening::AlreadyOpened { id } => {
            // A mail server redelivering the same message must not open a second case.
            warn(&format!("this message already opened {id}; not opening another"));
            emit(&format!("{id}\n"))?;
            Ok(ExitCode::Success)
        }
        Opening::Opened(opened) => {
            opened.warnings.iter().for_each(warn_about);
            emit(&format!("{}\n", opened.case.id))?;
            Ok(report_bad_files(&opened.errors))
        }
    }
}

/// The domain of an address, lower-cased: what follows the last `@`.
fn domain_of(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, domain)| domain.trim().trim_end_matches('>').to_ascii_lowercase())
        .filter(|domain| !domain.is_empty())
}

/// The customer whose `domains` hold the address's domain; refused (exit 2)
/// when no customer or several do.
fn customer_of_address(ctx: &Context, email: &str) -> Result<String> {
    let config = ctx.store.config()?;
    let domain = domain_of(email).unwrap_or_default();
    let names: Vec<String> = crate::mail::intake::customers_of_domain(&config, &domain)
        .into_iter()
        .map(|c| c.name.clone())
        .collect();
    match names.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(CliError::Usage(format!(
            "no customer in config.yaml has the domain of {email:?}; give --customer NAME (and --new-customer for a customer not in config.yaml)"
        ))),
        several => Err(CliError::Usage(format!(
            "the domain of {email:?} belongs to several customers ({}); give --customer NAME",
            several.join(", ")
        ))),
    }
}

/// `--customer` when config.yaml knows it (in any case); a name not there is
/// refused with the nearest known one, unless `--new-customer` takes it.
fn known_customer(ctx: &Context, typed: String, email: Option<&str>, new_customer: bool) -> Result<String> {
    let config = ctx.store.config()?;
    if new_customer || config.customer(&typed).is_some() {
        return Ok(typed);
    }
    let from_domain = email
        .and_then(domain_of)
        .map(|domain| crate::mail::intake::customers_of_domain(&config, &domain))
        .unwrap_or_default();
    let names: Vec<&str> = config.customers.iter().map(|c| c.name.as_str()).collect();
    let nearest = match from_domain.as_slice() {
        [one] => Some(format!(
            "{:?} (the domain of {:?})",
            one.name,
            email.unwrap_or_default()
        )),
        _ => nearest_name(&typed, &names).map(|name| format!("{name:?}")),
    };
    let escaped = crate::core::terminal::escape_line(&typed);
    Err(CliError::Usage(match nearest {
        Some(nearest) => format!(
            "customer \"{escaped}\" is not in config.yaml; did you mean {}? (--new-customer opens it for a new customer, on the standard plan)",
            crate::core::terminal::escape_line(&nearest)
        ),
        None => format!(
            "customer \"{escaped}\" is not in config.yaml; add it there, or pass --new-customer (the standard plan)"
        ),
    }))
}
