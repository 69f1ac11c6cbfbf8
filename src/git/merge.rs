//! The semantic three-way merge of one case file, behind `tickets
//! merge-driver`. Pure: texts in, text out.
//!
//! The merged case holds the union of both sides' histories: the events they
//! share (inherited from the common ancestor, or made identically on both
//! sides) once, then the rest in time order. Its fields are what replaying
//! that history through the life cycle gives. Fields the history does not
//! produce (summary, description, customer...) are merged three-way: the side
//! that changed one against the ancestor wins; both changing it differently is
//! a conflict. When the interleaved history cannot be replayed (both sides
//! closed the case, a reply landed on a case the other side auto-closed...) the
//! merge is a conflict for a person, with the reason written into the file.

use crate::core::case::{Case, Event};
use crate::core::lifecycle::{self, action_of};
use crate::core::terminal::escape_line;
use crate::core::time::format_instant;
use crate::core::vocabulary::{ActionKind, Status};
use crate::format::EXPLANATION_PREFIX;
use std::cmp::Ordering;
use std::path::Path;

/// What merging three versions of a case gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// A clean merge: the new file text.
    Clean(String),
    /// A conflict for a person: the file's bytes with conflict markers around
    /// both versions, kept byte for byte, and the explanation; and the reason
    /// on one line.
    Conflict {
        /// The bytes to leave in the working tree.
        text: Vec<u8>,
        /// Why the driver could not merge.
        reason: String,
    },
}

/// Which version an event of the merged history comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Shared,
    Ours,
    Theirs,
}

impl Side {
    fn label(self) -> &'static str {
        match self {
            Side::Shared => "both sides",
            Side::Ours => "ours",
            Side::Theirs => "theirs",
        }
    }
}

/// Why the driver refuses to merge: a reason and a hint for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeConflict {
    /// What is wrong, on one line.
    pub reason: String,
    /// What to do about it, on one line.
    pub hint: String,
}

/// Merges the three files git hands a merge driver: the common ancestor
/// (empty when there is none), ours and theirs, under the store's auto-close
/// rule (`auto_close_after_days`).
///
/// Whatever cannot be merged (a version that is not a case file, not UTF-8
/// or over the size cap; a history that does not replay; a merged case over
/// the cap its status allows) is a conflict whose text holds both versions
/// exactly: nothing of either side is lost, and every command refuses the
/// file until a person resolves it.
pub fn merge_files(ancestor: &[u8], ours: &[u8], theirs: &[u8], auto_close_after_days: u32) -> Merged {
    let merged = (|| {
        let ours_case = parse(ours, "ours")?;
        let theirs_case = parse(theirs, "theirs")?;
        // An unreadable ancestor only costs the three-way rule for the fields
        // history does not produce; both sides must then agree on them.
        let ancestor_case = if ancestor.trim_ascii().is_empty() {
            None
        } else {
            parse(ancestor, "ancestor").ok()
        };
        let case = merge_cases(ancestor_case.as_ref(), &ours_case, &theirs_case, auto_close_after_days)?;
        let text = crate::format::to_yaml(&case).map_err(|e| MergeConflict {
            reason: e.to_string(),
            hint: "report this as a bug".into(),
        })?;
        within_size_cap(&case, &text)?;
        Ok(text)
    })();
    match merged {
        Ok(text) => Merged::Clean(text),
        Err(conflict) => Merged::Conflict {
            text: conflict_text(ours, theirs, &conflict),
            reason: conflict.reason,
        },
    }
}

/// The merged file must fit the cap any writer keeps to (the whole cap once
/// closed, less the closing reserve before), or no command could read or
/// close it.
fn within_size_cap(case: &Case, text: &str) -> Result<(), MergeConflict> {
    let size = text.len() as u64;
    let cap = crate::format::size_cap(case.status);
    if size <= cap {
        return Ok(());
    }
    let which = if case.status == Status::Closed {
        String::new()
    } else {
        format!(
            " of a case that is not closed (the last {} bytes of the {}-byte cap are kept so that it can always be closed)",
            crate::format::CLOSING_RESERVE_BYTES,
            crate::format::MAX_FILE_BYTES
        )
    };
    Err(MergeConflict {
        reason: format!(
            "{}: the merged case file would be {size} bytes, over the {cap}-byte cap{which}",
            case.id
        ),
        hint: "keep one version; put the other side's changes in a follow-up case (close this one, then tickets open --follow-up-of ...)".into(),
    })
}

/// One version as a case: within the size cap, UTF-8, and a valid case file.
fn parse(bytes: &[u8], side: &str) -> Result<Case, MergeConflict> {
    let kept = "fix that version by hand (its bytes are kept as they are between the markers), then merge again";
    let size = bytes.len() as u64;
    if size > crate::format::MAX_FILE_BYTES {
        return Err(MergeConflict {
            reason: format!(
                "{side} is {size} bytes, over the {}-byte cap of a case file",
                crate::format::MAX_FILE_BYTES
            ),
            hint: kept.into(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        MergeConflict {
            reason: format!("{side} is not valid UTF-8 text (line {line})"),
            hint: kept.into(),
        }
    })?;
    parse_text(text, side)
}

fn parse_text(text: &str, side: &str) -> Result<Case, MergeConflict> {
    crate::format::parse_case(Path::new(side), text, None).map_err(|e| {
        let reason = format!("{side} is not a valid case file: {e}");
        // A field of a newer format: both sides stay between the markers,
        // and the cure is a newer tickets, not an edit.
        let hint = if reason.contains("unknown field") {
            "this version was written by a newer tickets: upgrade tickets on this clone and merge again \
             (both versions are kept between the markers; do not remove fields by hand)"
        } else {
            "fix that version by hand, then merge again"
        };
        MergeConflict {
            reason,
            hint: hint.into(),
        }
    })
}

/// Merges two versions of a case given their common ancestor (None when the
/// files were added on both sides), under the store's auto-close rule.
pub fn merge_cases(
    ancestor: Option<&Case>,
    ours: &Case,
    theirs: &Case,
    auto_close_after_days: u32,
) -> Result<Case, MergeConflict> {
    let id = ours.id.clone();
    if ours.id != theirs.id {
        return Err(MergeConflict {
            reason: format!("the two versions are different cases ({id} and {})", theirs.id),
            hint: "keep one file per case ID".into(),
        });
    }
    if let Some(base) = ancestor {
        for (side, case) in [("ours", ours), ("theirs", theirs)] {
            if !case.history.starts_with(&base.history) {
                return Err(MergeConflict {
                    reason: format!(
                        "{id}: the history on {side} does not extend the common ancestor's (history is append-only; was it edited by hand?)"
                    ),
                    hint: "restore the removed or changed events on that side, then merge again".into(),
                });
            }
        }
    }
    for (side, case) in [("ours", ours), ("theirs", theirs)] {
        reject_new_hand_edits(ancestor, case, side)?;
    }

    let mut merged = ours.clone();
    // The fields people set: each taken from the side that changed it.
    macro_rules! pick_fields {
        ($($field:ident),*) => {$(
            merged.$field = pick(
                stringify!($field),
                &id,
                ancestor.map(|a| &a.$field),
                &ours.$field,
                &theirs.$field,
            )?;
        )*};
    }
    pick_fields!(summary, email, channel, follow_up_of, message_id, description);
    // The customer is the history's once a side corrected it (`set-customer`):
    // the replay below ends at the last correction in time order.
    let corrected = |case: &Case| case.history.iter().any(|e| e.action == ActionKind::SetCustomer);
    if !corrected(ours) && !corrected(theirs) {
        pick_fields!(customer);
    }

    let history = union_in_time_order(&ours.history, &theirs.history);
    replay_merged(merged, history, auto_close_after_days)
}

/// Refuses a version whose fields differ from what its own history gives,
/// when the difference is new since the ancestor: a hand edit of a field the
/// history produces (status, assignee...) cannot survive a replay, and
/// dropping it silently would lose the edit.
fn reject_new_hand_edits(ancestor: Option<&Case>, case: &Case, side: &str) -> Result<(), MergeConflict> {
    let Ok(replayed) = lifecycle::replay(case) else {
        // Its own history does not replay: the merged replay will say why.
        return Ok(());
    };
    let stored = derived_fields(case);
    let from_history = derived_fields(&replayed);
    let before = ancestor.map(derived_fields);
    let edited: Vec<&str> = stored
        .iter()
        .zip(&from_history)
        .enumerate()
        .filter(|(i, (s, h))| s.1 != h.1 && before.as_ref().is_none_or(|b| b[*i].1 != s.1))
        .map(|(_, (s, _))| s.0)
        .collect();
    if edited.is_empty() {
        return Ok(());
    }
    Err(MergeConflict {
        reason: format!(
            "{}: {side} changed {} by hand, without a history event; a merge replays the history and would undo it",
            case.id,
            edited.join(", ")
        ),
        hint:
            "keep one version, then redo the change with a command (tickets assign / reassess / ...) so it is recorded"
                .into(),
    })
}

/// The fields a case's history produces, by name, in a comparable spelling.
fn derived_fields(case: &Case) -> [(&'static str, String); 13] {
    [
        ("severity", format!("{:?}", case.severity)),
        ("status", format!("{:?}", case.status)),
        ("level", format!("{:?}", case.level)),
        ("assignee", format!("{:?}", case.assignee)),
        ("impact", format!("{:?}", case.impact)),
        ("updated_at", format!("{:?}", case.updated_at)),
        ("waiting_since", format!("{:?}", case.waiting_since)),
        ("escalated_at", format!("{:?}", case.escalated_at)),
        ("first_response_at", format!("{:?}", case.first_response_at)),
        ("resolution", format!("{:?}", case.resolution)),
        ("merged_into", format!("{:?}", case.merged_into)),
        ("tags", format!("{:?}", case.tags)),
        ("cc", format!("{:?}", case.cc)),
    ]
}

/// The three-way rule for a field the history does not produce.
fn pick<T: PartialEq + Clone>(
    name: &str,
    id: &str,
    ancestor: Option<&T>,
    ours: &T,
    theirs: &T,
) -> Result<T, MergeConflict> {
    if ours == theirs || ancestor == Some(theirs) {
        return Ok(ours.clone());
    }
    if ancestor == Some(ours) {
        return Ok(theirs.clone());
    }
    Err(MergeConflict {
        reason: format!("{id}: both sides changed {name}, differently"),
        hint: format!("keep one version and copy the {name} you want into it"),
    })
}

/// The union of two histories: their common beginning once, then the events
/// only one side has (an event found on both sides counts once), merged in
/// time order. Each side's own order is kept; events at the same instant go
/// in the order of their text, so both merge directions give the same file.
fn union_in_time_order(ours: &[Event], theirs: &[Event]) -> Vec<(Side, Event)> {
    let shared = ours.iter().zip(theirs).take_while(|(a, b)| a == b).count();
    let ours_tail = &ours[shared..];
    let mut matched = vec![false; ours_tail.len()];
    let theirs_tail: Vec<&Event> = theirs[shared..]
        .iter()
        .filter(|event| {
            // Made identically on both sides (e.g. the same sweep at the same instant).
            match ours_tail
                .iter()
                .enumerate()
                .position(|(i, e)| !matched[i] && e == *event)
            {
                Some(i) => {
                    matched[i] = true;
                    false
                }
                None => true,
            }
        })
        .collect();

    let mut history: Vec<(Side, Event)> = ours[..shared].iter().map(|e| (Side::Shared, e.clone())).collect();
    let (mut i, mut j) = (0, 0);
    while i < ours_tail.len() || j < theirs_tail.len() {
        let take_ours = match (ours_tail.get(i), theirs_tail.get(j)) {
            (Some(a), Some(b)) => earlier(a, b) != Ordering::Greater,
            (Some(_), None) => true,
            _ => false,
        };
        if take_ours {
            let side = if matched[i] { Side::Shared } else { Side::Ours };
            history.push((side, ours_tail[i].clone()));
            i += 1;
        } else {
            history.push((Side::Theirs, theirs_tail[j].clone()));
            j += 1;
        }
    }
    history
}

/// Time order, then a deterministic tie-break that does not depend on which
/// side is "ours".
fn earlier(a: &Event, b: &Event) -> Ordering {
    a.at.cmp(&b.at).then_with(|| event_key(a).cmp(&event_key(b)))
}

fn event_key(event: &Event) -> String {
    serde_yaml::to_string(event).unwrap_or_default()
}

/// Replays the merged history from its `open` event. Events from one side may
/// now follow events from the other, so their recorded `from` is rewritten to
/// the status they really left; anything else they record must be what the
/// life cycle gives, or the merge is refused. An auto-close must still come
/// after the wait the rule asks for, counted from the request just before it
/// in the merged order.
fn replay_merged(fields: Case, history: Vec<(Side, Event)>, auto_close_after_days: u32) -> Result<Case, MergeConflict> {
    let id = fields.id.clone();
    let mut events = history.into_iter();
    let Some((_, first)) = events.next() else {
        return Err(MergeConflict {
            reason: format!("{id}: both versions have an empty history"),
            hint: "restore the case from git history".into(),
        });
    };
    let mut start = fields;
    start.history = vec![first];
    let mut state = lifecycle::replay(&start).map_err(|e| MergeConflict {
        reason: format!("{id}: the open event does not replay: {}", e.reason),
        hint: "fix the first event by hand".into(),
    })?;

    for (side, event) in events {
        let Some(action) = action_of(&event) else {
            return Err(refusal(&id, side, &event, &state, "a second open event".into()));
        };
        if is_repeated_auto_close(&state, &event) {
            // The sweep is idempotent: two clones auto-closing the same case
            // for the same reason closed it once, at the earlier instant.
            continue;
        }
        if event.at < state.updated_at {
            return Err(refusal(
                &id,
                side,
                &event,
                &state,
                format!(
                    "it is earlier than the event before it ({})",
                    format_instant(&state.updated_at)
                ),
            ));
        }
        if event.action == ActionKind::AutoClose {
            if let Some(why) =
                lifecycle::early_auto_close(&state, event.at, event.message.as_deref(), auto_close_after_days)
            {
                return Err(refusal(&id, side, &event, &state, why));
            }
        }
        let mut next = lifecycle::apply(&state, &action, &event.actor, event.at).map_err(|e| {
            let why = match e {
                crate::core::error::Error::Closed { .. } => "closed is terminal".to_string(),
                e => e.to_string(),
            };
            refusal(&id, side, &event, &state, why)
        })?;
        lifecycle::carry_attachments(&mut next, &event).map_err(|why| refusal(&id, side, &event, &state, why))?;
        lifecycle::carry_clock(&mut next, &event).map_err(|why| refusal(&id, side, &event, &state, why))?;
        if event.action != ActionKind::Cc {
            lifecycle::carry_cc(&mut next, &event).map_err(|why| refusal(&id, side, &event, &state, why))?;
        }
        let Some(produced) = next.history.last() else {
            return Err(refusal(&id, side, &event, &state, "it produced no event".into()));
        };
        let mut expected = event.clone();
        expected.from = produced.from;
        // Assign, reassess and remind keep the status, whatever it now is.
        if event.from == Some(event.to) && produced.from == Some(produced.to) {
            expected.to = produced.to;
        }
        if *produced != expected {
            return Err(refusal(
                &id,
                side,
                &event,
                &state,
                format!(
                    "after interleaving it would lead to {} at {} instead of the recorded {}{}",
                    produced.to,
                    next.level,
                    event.to,
                    event.level.map(|l| format!(" at {l}")).unwrap_or_default()
                ),
            ));
        }
        state = next;
    }
    // The merged file must pass the same replay any reader applies.
    match lifecycle::replay_under(&state, auto_close_after_days) {
        Ok(replayed) if replayed == state => Ok(state),
        Ok(_) => Err(MergeConflict {
            reason: format!("{id}: the merged case does not match its own replay"),
            hint: "report this as a bug; keep one version by hand".into(),
        }),
        Err(e) => Err(MergeConflict {
            reason: format!(
                "{id}: the merged history does not replay: event {}: {}",
                e.event + 1,
                e.reason
            ),
            hint: "keep one version and redo the other side's changes with tickets commands".into(),
        }),
    }
}

fn is_repeated_auto_close(state: &Case, event: &Event) -> bool {
    event.action == ActionKind::AutoClose
        && state.status == Status::Closed
        && state
            .history
            .last()
            .is_some_and(|last| last.action == ActionKind::AutoClose && last.message == event.message)
}

/// A replay refusal, with a hint for the patterns a team meets.
fn refusal(id: &str, side: Side, event: &Event, state: &Case, why: String) -> MergeConflict {
    let closing = |e: &Event| matches!(e.action, ActionKind::Close | ActionKind::AutoClose);
    let last = state.history.last();
    let hint = if state.status == Status::Closed && event.action == ActionKind::Reply {
        format!(
            "the customer replied after the case was closed: keep the closed version and open a follow-up with the reply (tickets open --follow-up-of {id} ...)"
        )
    } else if state.status == Status::Closed && closing(event) {
        "the case was closed on both sides: keep the version with the resolution you want".to_string()
    } else if event.action == ActionKind::AutoClose && last.is_some_and(|e| e.action == ActionKind::Reply) {
        "the customer replied before the auto-close, so by time order the case should not have been auto-closed: keep the version with the reply".to_string()
    } else if event.action == ActionKind::AutoClose && state.status == Status::WaitingForCustomer {
        "by time order the waiting clock restarted before the auto-close, so the case was closed too early: keep the version without the auto-close (the sweep closes the case again when it is due)".to_string()
    } else {
        "keep one version and redo the other side's changes with tickets commands".to_string()
    };
    MergeConflict {
        reason: format!(
            "cannot replay {id}: {} by {} at {} (from {}) is not possible after {} at {}: {}",
            event.action,
            event.actor,
            format_instant(&event.at),
            side.label(),
            last.map(|e| e.action.as_str()).unwrap_or("open"),
            format_instant(&state.updated_at),
            why
        ),
        hint,
    }
}

/// The text of a conflict: git's markers around both versions, byte for
/// byte, with the explanation as YAML comments at the top of ours, so that
/// keeping either version still parses. The explanation is escaped here, the
/// one place it is written: each line must stay one comment line, and the
/// file is shown on terminals by git itself.
pub fn conflict_text(ours: &[u8], theirs: &[u8], conflict: &MergeConflict) -> Vec<u8> {
    let mut text = b"<<<<<<< ours\n".to_vec();
    for line in [
        escape_line(&conflict.reason),
        format!("hint: {}", escape_line(&conflict.hint)),
        "resolve: keep one version (and these lines if you like; they are comments), delete the markers, git add the file".into(),
    ] {
        text.extend_from_slice(EXPLANATION_PREFIX.as_bytes());
        text.extend_from_slice(line.as_bytes());
        text.push(b'\n');
    }
    for (part, marker) in [(ours, "=======\n"), (theirs, ">>>>>>> theirs\n")] {
        text.extend_from_slice(part);
        if !part.is_empty() && !part.ends_with(b"\n") {
            text.push(b'\n');
        }
        text.extend_from_slice(marker.as_bytes());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::{Action, NewCase};
    use crate::core::vocabulary::Severity;
    use chrono::{DateTime, Duration, Utc};

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-19T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::hours(hours)
    }

    fn base() -> Case {
        lifecycle::open(
            NewCase {
                description: "No push since update".into(),
                assignee: Some("alice".into()),
                routing_reason: Some("skills".into()),
                ..NewCase::example("RC-7K3QX9MT")
            },
            "tester",
            at(0),
        )
    }

    /// The base case waiting for the customer since hour 0.
    fn waiting() -> Case {
        apply(&base(), Action::RequestInfo { message: "?".into() }, "alice", 0)
    }

    /// `case` auto-closed by the sweep at `hours` (the 7-day rule).
    fn swept(case: &Case, hours: i64) -> Case {
        apply(
            case,
            Action::AutoClose {
                resolution: lifecycle::auto_close_resolution(7),
            },
            "sweep",
            hours,
        )
    }

    /// `case` with the customer's reply `message` at `hours`.
    fn replied(case: &Case, message: &str, hours: i64) -> Case {
        apply(
            case,
            Action::Reply {
                message: message.into(),
                message_id: None,
            },
            "customer",
            hours,
        )
    }

    fn apply(case: &Case, action: Action, actor: &str, hours: i64) -> Case {
        lifecycle::apply(case, &action, actor, at(hours)).unwrap()
    }

    fn text(case: &Case) -> String {
        crate::format::to_yaml(case).unwrap()
    }

    fn merge(o: &Case, a: &Case, b: &Case) -> Merged {
        merge_files(text(o).as_bytes(), text(a).as_bytes(), text(b).as_bytes(), 7)
    }

    fn clean(m: Merged) -> Case {
        match m {
            Merged::Clean(t) => crate::format::parse_case(Path::new("x"), &t, None).unwrap(),
            Merged::Conflict { reason, .. } => panic!("unexpected conflict: {reason}"),
        }
    }

    fn conflict(m: Merged) -> (String, String) {
        match m {
            Merged::Clean(t) => panic!("expected a conflict, got\n{t}"),
            Merged::Conflict { text, reason } => (String::from_utf8(text).unwrap(), reason),
        }
    }

    #[test]
    fn tags_cc_and_a_customer_changed_on_both_sides_keep_both_in_both_directions() {
        use crate::core::list_change::ListChange;
        let changes = |items: &[&str]| items.iter().map(|i| ListChange::parse(i)).collect::<Vec<_>>();
        let o = apply(
            &base(),
            Action::Tag {
                changes: changes(&["+ios"]),
                note: None,
            },
            "alice",
            1,
        );
        let ours = apply(
            &apply(
                &o,
                Action::Tag {
                    changes: changes(&["+billing"]),
                    note: None,
                },
                "alice",
                2,
            ),
            Action::Cc {
                changes: changes(&["+bo@acme.example"]),
                note: None,
            },
            "alice",
            2,
        );
        let theirs = apply(
            &apply(
                &o,
                Action::Tag {
                    changes: changes(&["-ios", "+sso"]),
                    note: None,
                },
                "bruno",
                3,
            ),
            Action::Cc {
                changes: changes(&["+cy@acme.example"]),
                note: None,
            },
            "bruno",
            3,
        );
        let theirs = apply(
            &theirs,
            Action::SetCustomer {
                customer: "Globex".into(),
                note: None,
            },
            "bruno",
            4,
        );
        for (a, b) in [(&ours, &theirs), (&theirs, &ours)] {
            let merged = clean(merge(&o, a, b));
            assert_eq!(merged.tags, ["billing", "sso"]);
            assert_eq!(merged.cc, ["bo@acme.example", "cy@acme.example"]);
            assert_eq!(merged.customer, "Globex");
        }
    }

    #[test]
    fn interleaved_events_from_both_sides_replay_in_time_order_in_both_directions() {
        let o = base();
        let ours = apply(
            &o,
            Action::RequestInfo {
                message: "Which version?".into(),
            },
            "alice",
            2,
        );
        let theirs = apply(
            &o,
            Action::Reassess {
                severity: Severity::High,
                note: None,
            },
            "bruno",
            1,
        );
        let merged = clean(merge(&o, &ours, &theirs));
        let actions: Vec<_> = merged.history.iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [ActionKind::Open, ActionKind::Reassess, ActionKind::RequestInfo]
        );
        assert_eq!(merged.status, Status::WaitingForCustomer);
        assert_eq!(merged.severity, Severity::High);
        assert_eq!(merged.waiting_since, Some(at(2)));
        assert_eq!(
            merge(&o, &ours, &theirs),
            merge(&o, &theirs, &ours),
            "merge must not depend on direction"
        );
    }

    #[test]
    fn a_status_keeping_event_after_the_other_side_moved_records_the_status_it_really_had() {
        let o = base();
        let ours = apply(&o, Action::Investigate { note: None }, "alice", 1);
        let theirs = apply(
            &o,
            Action::Assign {
                analyst: "bruno".into(),
                note: None,
            },
            "lead",
            2,
        );
        let merged = clean(merge(&o, &ours, &theirs));
        let assign = &merged.history[2];
        assert_eq!(assign.action, ActionKind::Assign);
        assert_eq!(
            (assign.from, assign.to),
            (Some(Status::AtInvestigation), Status::AtInvestigation)
        );
        assert_eq!(merged.status, Status::AtInvestigation);
        assert_eq!(merged.assignee.as_deref(), Some("bruno"));
    }

    #[test]
    fn two_escalations_from_l1_conflict_because_the_second_would_reach_rnd() {
        let o = base();
        let escalate = |who: &str, hours| {
            apply(
                &o,
                Action::Escalate {
                    impact: None,
                    assignee: Some("carla".into()),
                    note: None,
                },
                who,
                hours,
            )
        };
        let (_, reason) = conflict(merge(&o, &escalate("alice", 1), &escalate("bruno", 2)));
        assert!(
            reason.contains("instead of the recorded at-investigation at l2"),
            "{reason}"
        );
    }

    #[test]
    fn both_closed_with_different_resolutions_conflicts_with_both_versions_in_the_file() {
        let o = base();
        let ours = apply(
            &o,
            Action::Close {
                resolution: "fixed".into(),
            },
            "alice",
            1,
        );
        let theirs = apply(
            &o,
            Action::Close {
                resolution: "duplicate".into(),
            },
            "bruno",
            2,
        );
        let (text, reason) = conflict(merge(&o, &ours, &theirs));
        assert!(
            reason.starts_with("cannot replay RC-7K3QX9MT: close by bruno"),
            "{reason}"
        );
        assert!(
            text.starts_with("<<<<<<< ours\n# tickets merge-driver: cannot replay"),
            "{text}"
        );
        assert!(text.contains("fixed") && text.contains("duplicate"));
        assert!(text.contains("\n=======\n") && text.ends_with(">>>>>>> theirs\n"));
        let explanation = crate::format::explanation_in(&text).unwrap();
        assert!(explanation.starts_with(&reason), "{explanation}");
        assert!(
            explanation.ends_with("keep the version with the resolution you want"),
            "{explanation}"
        );
        assert!(crate::format::conflict_marker_line(&text).is_some());
    }

    #[test]
    fn the_same_auto_close_at_two_instants_is_one_close() {
        let o = waiting();
        let merged = clean(merge(&o, &swept(&o, 7 * 24 + 1), &swept(&o, 7 * 24)));
        assert_eq!(merged.history.len(), 3);
        assert_eq!(merged.updated_at, at(7 * 24));
    }

    #[test]
    fn reply_after_the_auto_close_conflicts_and_suggests_a_follow_up() {
        let o = waiting();
        let swept = swept(&o, 7 * 24);
        let replied = replied(&o, "Still broken", 8 * 24);
        let (_, reason) = conflict(merge(&o, &swept, &replied));
        assert!(reason.contains("reply by customer"), "{reason}");
        let (text, _) = conflict(merge(&o, &replied, &swept));
        assert!(text.contains("--follow-up-of RC-7K3QX9MT"), "{text}");
    }

    #[test]
    fn reply_before_the_auto_close_conflicts_saying_the_reply_wins_by_time() {
        let o = waiting();
        let swept = swept(&o, 7 * 24);
        let replied = replied(&o, "Here", 3 * 24);
        let (text, reason) = conflict(merge(&o, &swept, &replied));
        assert!(reason.contains("auto-close by sweep"), "{reason}");
        assert!(text.contains("keep the version with the reply"), "{text}");
    }

    #[test]
    fn an_auto_close_that_interleaving_puts_three_days_into_a_new_wait_conflicts_in_both_directions() {
        let o = waiting();
        let swept = swept(&o, 7 * 24);
        let replied = replied(&o, "7.2", 3 * 24);
        let asked_again = apply(
            &replied,
            Action::RequestInfo {
                message: "Logs?".into(),
            },
            "alice",
            4 * 24,
        );
        for (ours, theirs) in [(&swept, &asked_again), (&asked_again, &swept)] {
            let (text, reason) = conflict(merge(&o, ours, theirs));
            assert!(
                reason.contains("only 3 days 0 hours") && reason.contains("rule is 7 day(s)"),
                "{reason}"
            );
            assert!(text.contains("closed too early"), "{text}");
        }
        // Under a 3-day rule the same interleaving is a clean merge.
        let merged = merge_files(
            text(&o).as_bytes(),
            text(&swept).as_bytes(),
            text(&asked_again).as_bytes(),
            3,
        );
        assert_eq!(clean(merged).status, Status::Closed);
    }

    #[test]
    fn a_side_that_is_not_utf8_or_over_the_cap_conflicts_with_its_bytes_kept() {
        let o = base();
        let ours = text(&apply(&o, Action::Investigate { note: None }, "alice", 1));
        let mut latin1 = text(&o).into_bytes();
        latin1.extend_from_slice(b"# caf\xe9\n");
        let huge = format!("{}# {}\n", text(&o), "x".repeat(1024 * 1024)).into_bytes();
        for (theirs, why) in [
            (&latin1, "theirs is not valid UTF-8 text"),
            (&huge, "over the 1048576-byte cap"),
        ] {
            let Merged::Conflict { text: merged, reason } =
                merge_files(text(&o).as_bytes(), ours.as_bytes(), theirs, 7)
            else {
                panic!("expected a conflict");
            };
            assert!(reason.contains(why), "{reason}");
            let tail = format!("{ours}=======\n").into_bytes();
            assert!(merged.windows(tail.len()).any(|w| w == tail));
            assert!(merged.ends_with(&[theirs.as_slice(), b">>>>>>> theirs\n"].concat()));
        }
    }

    #[test]
    fn a_description_edited_on_one_side_is_kept_and_on_both_conflicts() {
        let o = base();
        let mut ours = apply(&o, Action::Investigate { note: None }, "alice", 1);
        ours.description = "Corrected by hand".into();
        let theirs = apply(&o, Action::RequestInfo { message: "?".into() }, "bruno", 2);
        let merged = clean(merge(&o, &ours, &theirs));
        assert_eq!(merged.description, "Corrected by hand");
        assert_eq!(merged.history.len(), 3);
        // The edit is kept whichever side made it: the merge runs with either
        // clone as "ours".
        let reversed = clean(merge(&o, &theirs, &ours));
        assert_eq!(
            reversed.description, "Corrected by hand",
            "an edit on their side is kept"
        );
        assert_eq!(reversed, merged);
        let mut theirs = theirs;
        theirs.description = "Other words".into();
        let (_, reason) = conflict(merge(&o, &ours, &theirs));
        assert!(reason.contains("both sides changed description"), "{reason}");
    }

    #[test]
    fn a_new_hand_edit_of_a_history_field_conflicts_instead_of_being_undone() {
        let o = base();
        let mut ours = o.clone();
        ours.assignee = Some("bruno".into());
        let theirs = apply(&o, Action::Investigate { note: None }, "alice", 1);
        let (_, reason) = conflict(merge(&o, &ours, &theirs));
        assert!(reason.contains("ours changed assignee by hand"), "{reason}");
    }

    #[test]
    fn history_rewritten_on_one_side_conflicts() {
        let o = apply(&base(), Action::Investigate { note: None }, "alice", 1);
        let mut ours = o.clone();
        ours.history.pop();
        ours.status = Status::Open;
        ours.updated_at = at(0);
        ours.first_response_at = None;
        let theirs = apply(&o, Action::RequestInfo { message: "?".into() }, "bruno", 2);
        let (_, reason) = conflict(merge(&o, &ours, &theirs));
        assert!(reason.contains("does not extend the common ancestor"), "{reason}");
    }

    #[test]
    fn a_conflicted_side_is_not_merged_again() {
        let o = base();
        let (_, reason) = conflict(merge_files(
            text(&o).as_bytes(),
            b"<<<<<<< ours\n",
            text(&o).as_bytes(),
            7,
        ));
        assert!(reason.contains("ours is not a valid case file"), "{reason}");
    }
}
