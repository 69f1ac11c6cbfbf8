//! `tickets init`: create a store with a commented config.yaml and a
//! .gitignore for derived files.

use crate::cli::cli_error::Result;
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, Context};
use clap::Args;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {}

/// The config a new store starts with: every key, commented.
pub const CONFIG_TEMPLATE: &str = r#"# tickets store configuration. Case files (<ID>.yaml) sit beside this file.

# The format the store is written in: a tickets older than this format
# refuses the store and says to upgrade (raise it once every clone runs a
# tickets that writes it; `tickets --version` on each clone says which).
format: 3

# Every case ID starts with this prefix, e.g. RC-7K3QX9MT.
id_prefix: RC

# Cases waiting for the customer are auto-closed by `tickets sweep` after
# this many days without a response.
auto_close_after_days: 7

# Uncomment to have `tickets remind` flag waiting cases after this many days
# (once per waiting period, without restarting the auto-close clock).
# remind_after_days: 5

# The roster. Routing picks the available analyst of the right level whose
# skills best match the words of a case's summary and description; ties go
# to the fewest active cases, then to roster order.
analysts:
  - id: alice
    name: Alice Souza
    level: l1            # l1 | l2 | rnd
    available: true
    skills: [mobile, push, ios, android]
  - id: bruno
    name: Bruno Lima
    level: l1
    available: true
    skills: [ldap, sso, login, saml]
  - id: carla
    name: Carla Mendes
    level: l2
    available: true
    skills: [database, performance, mongodb]
  - id: diego
    name: Diego Rocha
    level: rnd
    available: true
    skills: [server, api]

# Customers and their plans: standard (12x5 business hours), plus (24x7),
# mission-critical (24x7). Unknown customers are on standard. `domains` lets
# `open --from-email` recognise a customer's people.
customers:
  - name: Acme Corp
    plan: mission-critical
    domains: [acme.example]
  - name: Globex
    plan: plus
    domains: [globex.example]

# First-response targets by plan and severity: m (minutes), h (hours),
# d (days: 24 h on plus and mission-critical, a business day on standard),
# bd (business days, standard only). Override only what you need, e.g.
# `targets: {plus: {high: 1h}}`; the rest keep these defaults:
# targets:
#   standard:         {low: 1bd, medium: 1bd, high: 1bd}
#   plus:             {low: 8h,  medium: 4h,  high: 2h}
#   mission-critical: {low: 4h,  medium: 2h,  high: 30m}

# The covered hours of the standard plan (a business day is one such day).
# business_hours:
#   timezone: America/Sao_Paulo
#   start: "08:00"
#   end: "20:00"
#   holidays: [2026-12-25, 2027-01-01]

# Commit every change to git (one commit per command). Off by default.
# git:
#   commit: true

# Outbound mail to customers (acknowledgement, questions, resolution,
# reminders, auto-close notices), sent by `tickets deliver`:
# mail:
#   from: "Support <support@example.com>"
#   reply_to: "support@example.com"
#   acknowledge_once_in_hours: 24   # one acknowledgement an address a day
#   hold_after_cases_an_hour: 10    # a sender's mail burst waits for an analyst

# The tags analysts may put on cases (`tickets tag ID +billing`), internal:
# customers never see them.
# tags: [billing, ios, android, sso]
"#;

/// Runs `init`.
pub fn run(ctx: &Context, _args: InitArgs) -> Result<ExitCode> {
    ctx.store.init(CONFIG_TEMPLATE)?;
    // The absolute path: `--dir tickets` says little once the shell moves on.
    let root = std::fs::canonicalize(ctx.store.root()).unwrap_or_else(|_| ctx.store.root().to_path_buf());
    emit(&format!(
        "initialised a tickets store in {}\n  config.yaml  roster, customers, policy (edit it)\n  .gitignore   derived files (.tickets/, temp files)\n  sent/        the sent ledger: what the mail host mailed (commit it)\n",
        root.display()
    ))?;
    Ok(ExitCode::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_store_declares_the_format_this_build_writes() {
        assert_eq!(
            crate::core::config::declared_format(CONFIG_TEMPLATE),
            Some(crate::core::config::FORMAT)
        );
    }
}
