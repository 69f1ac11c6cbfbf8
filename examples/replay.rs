//! Replays one case file through the life cycle, event by event, using the
//! `tickets` library directly (no binary, no store, no clock):
//!
//! ```sh
//! cargo run --example replay -- tickets.example/RC-4H2XJR7C.yaml
//! ```
//!
//! It prints each transition as the life-cycle core's replay
//! (`tickets::core::lifecycle::replay_with`) produces it, stops at the first event
//! the transition table would not have recorded that way, and says whether
//! the case's stored fields equal the state the replay arrives at.
//! Exit status: 0 when they are equal, 1 when they differ or the history
//! cannot be replayed, 2 for a usage error or a file that cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;
use tickets::core::lifecycle::replay_with;
use tickets::core::terminal::escape_line;
use tickets::core::time::format_instant;
use tickets::store::load_case_file;
use tickets::{Case, Event};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: cargo run --example replay -- PATH/TO/CASE.yaml");
        return ExitCode::from(2);
    };
    let path = PathBuf::from(path);
    let case = match load_case_file(&path, None) {
        Ok(case) => case,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{}  {}", case.id, escape_line(&case.summary));
    match replay_with(&case, |index, state| print_step(index, state, &case.history[index])) {
        Ok(state) if state == case => {
            println!(
                "\nthe stored case equals the replay of its {} events",
                case.history.len()
            );
            ExitCode::SUCCESS
        }
        Ok(state) => {
            println!("\nthe stored case differs from the replay of its history (edited by hand?):");
            for line in differences(&case, &state) {
                println!("  {line}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            let at = case
                .history
                .get(e.event)
                .map(|event| format_instant(&event.at))
                .unwrap_or_default();
            println!(
                "\nthe history cannot be replayed at event {} ({at}): {}",
                e.event, e.reason
            );
            ExitCode::from(1)
        }
    }
}

fn print_step(index: usize, state: &Case, event: &Event) {
    let from = event.from.map(|s| s.as_str()).unwrap_or("-");
    println!(
        "{index:>3}  {}  {:<34} {:<12} {from} -> {}  [{} {}]",
        format_instant(&event.at),
        escape_line(&event.actor),
        event.action.as_str(),
        state.status,
        state.level,
        state
            .assignee
            .as_deref()
            .map(escape_line)
            .unwrap_or_else(|| "unassigned".into()),
    );
    if let Some(since) = &state.waiting_since {
        println!("      waiting for the customer since {}", format_instant(since));
    }
}

/// The fields where the stored case and the replayed state disagree.
fn differences(stored: &Case, replayed: &Case) -> Vec<String> {
    let field = |name: &str, a: String, b: String| (a != b).then(|| format!("{name}: stored {a}, replay gives {b}"));
    [
        field("status", stored.status.to_string(), replayed.status.to_string()),
        field("level", stored.level.to_string(), replayed.level.to_string()),
        field("severity", stored.severity.to_string(), replayed.severity.to_string()),
        field(
            "assignee",
            format!("{:?}", stored.assignee),
            format!("{:?}", replayed.assignee),
        ),
        field(
            "impact",
            format!("{:?}", stored.impact),
            format!("{:?}", replayed.impact),
        ),
        field(
            "created_at",
            stored.created_at.to_string(),
            replayed.created_at.to_string(),
        ),
        field(
            "updated_at",
            stored.updated_at.to_string(),
            replayed.updated_at.to_string(),
        ),
        field(
            "waiting_since",
            format!("{:?}", stored.waiting_since),
            format!("{:?}", replayed.waiting_since),
        ),
        field(
            "escalated_at",
            format!("{:?}", stored.escalated_at),
            format!("{:?}", replayed.escalated_at),
        ),
        field(
            "first_response_at",
            format!("{:?}", stored.first_response_at),
            format!("{:?}", replayed.first_response_at),
        ),
        field(
            "resolution",
            format!("{:?}", stored.resolution),
            format!("{:?}", replayed.resolution),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}
