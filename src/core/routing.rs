//! Routing (SPEC section 3): the available analyst of a tier whose skills best
//! match the words of a case; ties to the fewest active cases, then roster
//! order. Pure and deterministic.

use crate::core::config::Config;
use crate::core::vocabulary::Level;
use std::collections::{HashMap, HashSet};

/// Routing's choice and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    /// The chosen analyst, or None when nobody of the tier is available.
    pub assignee: Option<String>,
    /// A sentence for people: what matched, and how ties were broken.
    pub reason: String,
}

/// The lower-cased words of a text (letters and digits).
pub fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// Chooses an analyst of `level` for a case whose summary and description are
/// `text`. `active` counts each analyst's active (not closed) cases.
pub fn route(config: &Config, level: Level, text: &str, active: &HashMap<String, usize>) -> Routed {
    let case_words = words(text);
    let mut best: Option<(usize, usize, usize, Vec<String>)> = None; // (score, active, roster index, matched)
    let mut candidates = 0;
    for (index, analyst) in config.analysts.iter().enumerate() {
        if analyst.level != level || !analyst.available {
            continue;
        }
        candidates += 1;
        let matched: Vec<String> = analyst
            .skills
            .iter()
            .filter(|skill| {
                let skill_words = words(skill);
                !skill_words.is_empty() && skill_words.iter().all(|w| case_words.contains(w))
            })
            .cloned()
            .collect();
        let load = active.get(&analyst.id).copied().unwrap_or(0);
        let better = match &best {
            None => true,
            Some((score, best_load, _, _)) => matched.len() > *score || (matched.len() == *score && load < *best_load),
        };
        if better {
            best = Some((matched.len(), load, index, matched));
        }
    }
    match best {
        None => Routed {
            assignee: None,
            reason: format!("no available {level} analyst in the roster; left unassigned"),
        },
        Some((score, load, index, matched)) => {
            let analyst = &config.analysts[index];
            let skills = if score == 0 {
                "no skill matched the case's words".to_string()
            } else {
                format!("skills matched: {}", matched.join(", "))
            };
            Routed {
                assignee: Some(analyst.id.clone()),
                reason: format!(
                    "routed to {} ({level}): {skills}; {load} active case(s); best of {candidates} available {level} analyst(s), ties to fewest active cases then roster order",
                    analyst.id
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Analyst;

    fn analyst(id: &str, level: Level, available: bool, skills: &[&str]) -> Analyst {
        Analyst {
            id: id.into(),
            name: id.into(),
            level,
            available,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            chat: None,
        }
    }

    fn config() -> Config {
        Config {
            analysts: vec![
                analyst("alice", Level::L1, true, &["mobile", "push", "ios"]),
                analyst("bob", Level::L1, true, &["ldap", "sso"]),
                analyst("carol", Level::L1, false, &["ios", "push", "mobile", "android"]),
                analyst("dave", Level::L2, true, &["database"]),
            ],
            ..Config::default()
        }
    }

    #[test]
    fn best_skill_match_wins_and_unavailable_are_skipped() {
        let routed = route(&config(), Level::L1, "Push notifications fail on iOS", &HashMap::new());
        assert_eq!(routed.assignee.as_deref(), Some("alice"));
        assert!(routed.reason.contains("push"), "{}", routed.reason);
    }

    #[test]
    fn ties_go_to_fewest_active_then_roster_order() {
        let text = "nothing relevant";
        assert_eq!(
            route(&config(), Level::L1, text, &HashMap::new()).assignee.as_deref(),
            Some("alice")
        );
        let busy = HashMap::from([("alice".to_string(), 3)]);
        assert_eq!(
            route(&config(), Level::L1, text, &busy).assignee.as_deref(),
            Some("bob")
        );
    }

    #[test]
    fn nobody_available_leaves_unassigned() {
        let routed = route(&config(), Level::Rnd, "x", &HashMap::new());
        assert_eq!(routed.assignee, None);
    }
}
