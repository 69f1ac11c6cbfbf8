//! Generates a realistic store through the library, for benchmarks:
//!
//! ```sh
//! cargo run --release --example gen_store -- --dir /tmp/big --count 100000 --now 2026-11-26T12:00:00Z --seed 7
//! ```
//!
//! 20% of the cases wait for the customer, half of those (10% of all) long
//! enough to be auto-closed at `--now`; the rest are spread over the other
//! statuses and tiers, with histories of 3 to 10 events. Deterministic for a
//! seed.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use tickets::core::config::{Analyst, Config, Customer, Plan};
use tickets::core::lifecycle::{self, Action};
use tickets::core::vocabulary::{Channel, Impact, Level, Severity};
use tickets::operations::{self, OpenRequest};
use tickets::store::Store;
use tickets::Case;

const PRODUCTS: &[&str] = &[
    "push notifications",
    "LDAP login",
    "SAML single sign-on",
    "file uploads",
    "the mobile app",
    "video calls",
    "the REST API",
    "message search",
    "read receipts",
    "the admin console",
    "email digests",
    "the desktop client",
];
const SYMPTOMS: &[&str] = &[
    "stopped working after the upgrade",
    "is very slow since Monday",
    "fails for some users",
    "returns an error 500",
    "crashes on startup",
    "shows the wrong time zone",
    "loses messages intermittently",
    "cannot be configured from the UI",
];
const SKILLS: &[&[&str]] = &[
    &["push", "notifications", "mobile"],
    &["ldap", "login", "saml"],
    &["uploads", "file", "storage"],
    &["video", "calls", "webrtc"],
    &["api", "rest", "integration"],
    &["search", "message", "database"],
    &["admin", "console", "configured"],
    &["desktop", "client", "email"],
];

fn main() {
    if let Err(message) = run() {
        eprintln!("gen_store: {message}");
        std::process::exit(2);
    }
}

struct Args {
    dir: String,
    count: usize,
    now: DateTime<Utc>,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut count, mut now, mut seed) = (None, None, None, 1u64);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--dir" => dir = Some(value()?),
            "--count" => count = Some(value()?.parse().map_err(|e| format!("--count: {e}"))?),
            "--now" => now = Some(tickets::core::time::parse_instant(&value()?)?),
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: --dir DIR --count N --now RFC3339 [--seed S]"
                ))
            }
        }
    }
    Ok(Args {
        dir: dir.ok_or("--dir is required")?,
        count: count.ok_or("--count is required")?,
        now: now.ok_or("--now is required")?,
        seed,
    })
}

fn config() -> Config {
    let mut analysts = Vec::new();
    for (index, skills) in SKILLS.iter().enumerate() {
        let level = match index % 4 {
            0 | 1 => Level::L1,
            2 => Level::L2,
            _ => Level::Rnd,
        };
        analysts.push(Analyst {
            id: format!("analyst{index:02}"),
            name: format!("Analyst {index}"),
            level,
            available: true,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            chat: None,
        });
    }
    let customers = (0..40)
        .map(|i| Customer {
            name: format!("Customer {i:02}"),
            plan: [Plan::Standard, Plan::Plus, Plan::MissionCritical][i % 3],
            domains: vec![format!("customer{i:02}.example")],
            portal: Default::default(),
            timezone: None,
            language: None,
        })
        .collect();
    Config {
        analysts,
        customers,
        ..Config::default()
    }
}

fn sentence(rng: &mut StdRng, words: usize) -> String {
    const WORDS: &[&str] = &[
        "the",
        "users",
        "report",
        "that",
        "server",
        "after",
        "restart",
        "logs",
        "show",
        "timeout",
        "again",
        "when",
        "opening",
        "channel",
        "we",
        "tried",
        "clearing",
        "cache",
        "version",
        "error",
        "since",
        "yesterday",
        "only",
        "on",
        "android",
        "devices",
        "please",
        "advise",
        "attached",
        "screenshot",
    ];
    let mut text: Vec<&str> = (0..words).map(|_| WORDS[rng.random_range(0..WORDS.len())]).collect();
    text[0] = "Users";
    text.join(" ") + "."
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let store = Store::new(&args.dir);
    let config = config();
    let yaml = serde_yaml::to_string(&config).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&args.dir).map_err(|e| format!("{}: {e}", args.dir))?;
    if !store.config_path().exists() {
        store.init(&yaml).map_err(|e| e.to_string())?;
    }
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut active: HashMap<String, usize> = HashMap::new();
    // On a terminal, the work shows its progress (stderr only; nothing in a pipe).
    let progress = tickets::cli::render::progress::TerminalProgress::detect(tickets::views::Format::Table)
        .unwrap_or_else(|| {
            std::sync::Arc::new(tickets::core::progress::Silent)
                as std::sync::Arc<dyn tickets::core::progress::Progress>
        });
    let underway = tickets::core::progress::Underway::start(progress.as_ref(), "writing cases", args.count as u64);
    for index in 0..args.count {
        underway.advance(1);
        let case = generate(&mut rng, &config, &active, args.now, index)?;
        if case.is_active() {
            if let Some(a) = &case.assignee {
                *active.entry(a.clone()).or_insert(0) += 1;
            }
        }
        store.save_unsynced(&case).map_err(|e| e.to_string())?;
    }
    drop(underway);
    eprintln!("gen_store: wrote {} cases to {}", args.count, args.dir);
    Ok(())
}

/// One case, built by replaying real actions through the life cycle.
fn generate(
    rng: &mut StdRng,
    config: &Config,
    active: &HashMap<String, usize>,
    now: DateTime<Utc>,
    index: usize,
) -> Result<Case, String> {
    // The target shape: 10% due for auto-close, 10% waiting but not due, the rest spread.
    let bucket = index % 10;
    let product = PRODUCTS[rng.random_range(0..PRODUCTS.len())];
    let summary = format!(
        "{} {}",
        capitalise(product),
        SYMPTOMS[rng.random_range(0..SYMPTOMS.len())]
    );
    let description = format!("{}\n\n{}\n", sentence(rng, 25), sentence(rng, 18));
    let customer = format!("Customer {:02}", rng.random_range(0..40));
    let channel = [Channel::Email, Channel::Phone, Channel::Portal][rng.random_range(0..3)];
    let mut id_rng = StdRng::seed_from_u64(rng.random());
    let id = tickets::core::id::generate(&config.id_prefix, &mut id_rng);
    // The waiting clock of the waiting buckets; earlier steps (at most 10 x 5 h) fit before it.
    let waiting_since = match bucket {
        0 => Some(now - Duration::days(7) - Duration::minutes(rng.random_range(0..60 * 24 * 5))),
        1 => Some(now - Duration::minutes(rng.random_range(1..60 * 24 * 6))),
        _ => None,
    };
    let opened = match waiting_since {
        Some(w) => w - Duration::days(3) - Duration::minutes(rng.random_range(0..60 * 24 * 30)),
        None => now - Duration::minutes(rng.random_range(60 * 24 * 15..60 * 24 * 400)),
    };
    let mut at = opened;
    // Opened as `open` opens, routed at L1 by the active counts so far; the
    // generator only writes the case itself, unsynced, when it is complete.
    let request = OpenRequest {
        customer,
        summary,
        description,
        email: Some(format!("user{}@customer.example", rng.random_range(0..500))),
        channel,
        severity: None,
        follow_up_of: None,
        message_id: None,
        automatic: false,
    };
    let mut case = operations::draft(config, request, id, active, "portal", at).case;
    let events = rng.random_range(3..=10usize);
    let step = |case: &Case, action: Action, actor: &str, at: &mut DateTime<Utc>, rng: &mut StdRng| {
        *at += Duration::minutes(rng.random_range(5..300));
        lifecycle::apply(case, &action, actor, *at).map_err(|e| e.to_string())
    };
    // Draw the closing steps first, so the rounds of questions and answers
    // can be sized to keep the whole history within 3 to 10 events.
    let reassess = rng
        .random_bool(0.2)
        .then(|| [Severity::Low, Severity::Medium, Severity::High][rng.random_range(0..3)]);
    let to_l2 = matches!(bucket, 2 | 3) && rng.random_bool(0.5);
    let closing = match bucket {
        4 => 2,
        2 | 3 => usize::from(to_l2),
        _ => 1,
    } + usize::from(reassess.is_some());
    // One open event, three per round, then the closing steps: the nearest
    // length to `events` that stays within 3 to 10.
    let mut rounds = (events.saturating_sub(1 + closing) + 1) / 3;
    if 1 + 3 * rounds + closing > 10 {
        rounds -= 1;
    }
    if 1 + 3 * rounds + closing < 3 {
        rounds += 1;
    }
    for _ in 0..rounds {
        let analyst = case.assignee.clone().unwrap_or_else(|| "analyst00".into());
        case = step(&case, Action::Investigate { note: None }, &analyst, &mut at, rng)?;
        case = step(
            &case,
            Action::RequestInfo {
                message: sentence(rng, 14),
            },
            &analyst,
            &mut at,
            rng,
        )?;
        case = step(
            &case,
            Action::Reply {
                message: sentence(rng, 20),
                message_id: None,
            },
            "customer",
            &mut at,
            rng,
        )?;
    }
    let analyst = case.assignee.clone().unwrap_or_else(|| "analyst00".into());
    if let Some(severity) = reassess {
        case = step(&case, Action::Reassess { severity, note: None }, &analyst, &mut at, rng)?;
    }
    match (bucket, waiting_since) {
        (0 | 1, Some(w)) => {
            // Bucket 0 waited 7 days or more at `now` (due for auto-close), bucket 1 less.
            let message = sentence(rng, 14);
            case = lifecycle::apply(&case, &Action::RequestInfo { message }, &analyst, w).map_err(|e| e.to_string())?;
        }
        (2 | 3, _) => {
            if to_l2 {
                case = step(&case, escalate(None), &analyst, &mut at, rng)?;
            }
        }
        (4, _) => {
            case = step(&case, escalate(None), &analyst, &mut at, rng)?;
            let impact = [Impact::Low, Impact::Medium, Impact::High][rng.random_range(0..3)];
            case = step(&case, escalate(Some(impact)), "l2team", &mut at, rng)?;
        }
        _ => {
            case = step(
                &case,
                Action::Close {
                    resolution: sentence(rng, 12),
                },
                &analyst,
                &mut at,
                rng,
            )?;
        }
    }
    Ok(case)
}

fn escalate(impact: Option<Impact>) -> Action {
    Action::Escalate {
        impact,
        assignee: Some("analyst02".into()),
        note: None,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_of(count: usize, seed: u64) -> Vec<Case> {
        let config = config();
        let now: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().expect("a valid instant");
        let mut rng = StdRng::seed_from_u64(seed);
        let active = HashMap::new();
        (0..count)
            .map(|index| generate(&mut rng, &config, &active, now, index).expect("every generated case is valid"))
            .collect()
    }

    #[test]
    fn histories_were_1_to_13_events_not_3_to_10() {
        let cases = store_of(2000, 3);
        let lengths: Vec<usize> = cases.iter().map(|c| c.history.len()).collect();
        assert!(lengths.iter().all(|n| (3..=10).contains(n)), "lengths outside 3..=10");
        // Both ends are reached, so the range is the documented one, not a narrower one.
        assert!(lengths.contains(&3) && lengths.contains(&10));
    }

    #[test]
    fn a_fifth_waits_and_a_tenth_is_due_at_now() {
        let now: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().expect("a valid instant");
        let cases = store_of(1000, 9);
        let waiting = cases
            .iter()
            .filter(|c| c.status == tickets::core::vocabulary::Status::WaitingForCustomer)
            .count();
        let due = cases
            .iter()
            .filter(|c| lifecycle::due_for_auto_close(c, now, Duration::days(7)))
            .count();
        assert_eq!((waiting, due), (200, 100));
    }
}
