//! Replays one case file through the life cycle, event by event, using the
//! `tickets` library directly (no binary, no store, no clock):
//!
//! ```sh
//! cargo run --example replay -- tickets.example/RC-4H2XJR7C.yaml
//! ```
//!
//! It prints each transition as the life-cycle core produces it, flags any
//! event the transition table would not have recorded that way, and says
//! whether the case's stored fields equal the state the replay arrives at.
//! Exit status: 0 when they are equal, 1 when they differ or the history
//! cannot be replayed, 2 for a usage error or a file that cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;
use tickets::lifecycle::{action_of, apply, open, replay, NewCase};
use tickets::store::load_case_file;
use tickets::terminal::escape_line;
use tickets::time::format_instant;
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
    // The library's replay is stricter than the walk below (it also refuses
    // events out of time order); report its verdict too.
    let strict = replay(&case);
    match replay_step_by_step(&case) {
        Ok(state) if state == case && strict.is_err() => {
            let e = strict
                .err()
                .map(|e| format!("event {}: {}", e.event, e.reason))
                .unwrap_or_default();
            println!("\nthe fields match, but tickets::lifecycle::replay refuses the history at {e}");
            ExitCode::from(1)
        }
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
            if let Err(e) = strict {
                println!(
                    "  tickets::lifecycle::replay refuses it at event {}: {}",
                    e.event, e.reason
                );
            }
            ExitCode::from(1)
        }
        Err(reason) => {
            println!("\nthe history cannot be replayed: {reason}");
            ExitCode::from(1)
        }
    }
}

/// Rebuilds the case from its first event, then applies every later event's
/// action at its instant, printing each transition.
fn replay_step_by_step(case: &Case) -> Result<Case, String> {
    let first = case.history.first().ok_or("the history is empty")?;
    let mut state = open(
        NewCase {
            id: case.id.clone(),
            customer: case.customer.clone(),
            summary: case.summary.clone(),
            description: case.description.clone(),
            email: case.email.clone(),
            channel: case.channel,
            severity: first.severity,
            follow_up_of: case.follow_up_of.clone(),
            message_id: case.message_id.clone(),
            assignee: first.assignee.clone(),
            routing_reason: first.message.clone(),
        },
        &first.actor,
        first.at,
    );
    print_step(0, &state, first);
    for (index, event) in case.history.iter().enumerate().skip(1) {
        let action =
            action_of(event).ok_or_else(|| format!("event {index}: `{}` can only come first", event.action))?;
        let next = apply(&state, &action, &event.actor, event.at).map_err(|e| format!("event {index}: {e}"))?;
        print_step(index, &next, event);
        if next.history.last() != Some(event) {
            println!("      ! the recorded event differs from what the transition table produces");
        }
        state = next;
    }
    Ok(state)
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
