//! The support life cycle: the transition table and the pure functions that
//! apply it. No I/O, no clock: callers pass the case, the action and *now*.

use crate::core::case::{Case, Event};
use crate::core::error::{Error, Result};
use crate::core::list_change::{apply_all, ListChange};
use crate::core::vocabulary::{ActionKind, Channel, Impact, Level, Severity, Status};
use chrono::{DateTime, Duration, Utc};

use Status::*;

/// The transition table (SPEC section 1): which statuses each command is
/// allowed from. `escalate` lands in `at-investigation` at L2 when the case
/// is at L1, and in `escalated` at R&D otherwise.
pub const TRANSITIONS: &[(ActionKind, &[Status])] = &[
    (ActionKind::Investigate, &[Open, Escalated]),
    (
        ActionKind::RequestInfo,
        &[Open, AtInvestigation, Escalated, WaitingForCustomer],
    ),
    (
        ActionKind::Reply,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (ActionKind::Escalate, &[Open, AtInvestigation]),
    (
        ActionKind::Close,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (ActionKind::AutoClose, &[WaitingForCustomer]),
    (
        ActionKind::Assign,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (
        ActionKind::Reassess,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (ActionKind::Remind, &[WaitingForCustomer]),
    (
        ActionKind::Note,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (
        ActionKind::Merge,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (
        ActionKind::Merged,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (
        ActionKind::SetCustomer,
        &[Open, AtInvestigation, WaitingForCustomer, Escalated],
    ),
    (ActionKind::Tag, &[Open, AtInvestigation, WaitingForCustomer, Escalated]),
    (ActionKind::Cc, &[Open, AtInvestigation, WaitingForCustomer, Escalated]),
];

/// The commands allowed from a status, in table order.
pub fn allowed_from(status: Status) -> Vec<ActionKind> {
    TRANSITIONS
        .iter()
        .filter(|(_, from)| from.contains(&status))
        .map(|(action, _)| *action)
        .collect()
}

/// The command a person types for an action (`auto-close` is what `sweep` does).
pub fn command_name(action: ActionKind) -> &'static str {
    match action {
        ActionKind::AutoClose => "sweep",
        other => other.as_str(),
    }
}

/// A change an analyst, the customer or the sweep asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start working on the case.
    Investigate {
        /// Optional internal note.
        note: Option<String>,
    },
    /// Answer or ask the customer; (re)starts the waiting clock.
    RequestInfo {
        /// What was sent to the customer.
        message: String,
    },
    /// The customer spoke; back to open, waiting clock cleared.
    Reply {
        /// What the customer said.
        message: String,
        /// The Message-ID of the e-mail it came in, if it came by e-mail.
        message_id: Option<String>,
    },
    /// Hand to the next tier.
    Escalate {
        /// Customer-base impact when entering R&D's queue (default low).
        impact: Option<Impact>,
        /// For an L1 case: the L2 analyst routing chose (None: nobody available).
        assignee: Option<String>,
        /// For an L1 case: why routing chose them; otherwise an optional note.
        note: Option<String>,
    },
    /// Resolve the case.
    Close {
        /// The resolution given.
        resolution: String,
    },
    /// Auto-close after waiting too long for the customer (the sweep).
    AutoClose {
        /// The resolution recorded.
        resolution: String,
    },
    /// Set or change the assignee by hand.
    Assign {
        /// The analyst.
        analyst: String,
        /// Why, recorded in history.
        note: Option<String>,
    },
    /// Change the severity.
    Reassess {
        /// The new severity.
        severity: Severity,
        /// Why, recorded in history.
        note: Option<String>,
    },
    /// Record that the customer was reminded before auto-close.
    Remind {
        /// What was said.
        message: Option<String>,
    },
    /// An internal comment; the status stays.
    Note {
        /// The comment.
        message: String,
    },
    /// Close this case as a duplicate of `into` (same customer): closed,
    /// with `merged_into` set; the customer is told to reply there.
    Merge {
        /// The case it is merged into (a full ID).
        into: String,
        /// What support says to the customer, if anything beyond the notice.
        note: Option<String>,
    },
    /// Record on this case that `from` was merged into it; the status stays.
    Merged {
        /// The case merged into this one (a full ID).
        from: String,
        /// Why, for support.
        note: Option<String>,
    },
    /// Corrects the case's customer; the status stays.
    SetCustomer {
        /// The customer's name, as in config.yaml.
        customer: String,
        /// Why, recorded in history.
        note: Option<String>,
    },
    /// Adds and removes tags; the status stays.
    Tag {
        /// The changes, in order.
        changes: Vec<ListChange>,
        /// Why, recorded in history.
        note: Option<String>,
    },
    /// Adds addresses to and removes them from the CC list; the status stays.
    Cc {
        /// The changes, in order.
        changes: Vec<ListChange>,
        /// Why, recorded in history.
        note: Option<String>,
    },
}

impl Action {
    /// The history action this request records.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Investigate { .. } => ActionKind::Investigate,
            Action::RequestInfo { .. } => ActionKind::RequestInfo,
            Action::Reply { .. } => ActionKind::Reply,
            Action::Escalate { .. } => ActionKind::Escalate,
            Action::Close { .. } => ActionKind::Close,
            Action::AutoClose { .. } => ActionKind::AutoClose,
            Action::Assign { .. } => ActionKind::Assign,
            Action::Reassess { .. } => ActionKind::Reassess,
            Action::Remind { .. } => ActionKind::Remind,
            Action::Note { .. } => ActionKind::Note,
            Action::Merge { .. } => ActionKind::Merge,
            Action::Merged { .. } => ActionKind::Merged,
            Action::SetCustomer { .. } => ActionKind::SetCustomer,
            Action::Tag { .. } => ActionKind::Tag,
            Action::Cc { .. } => ActionKind::Cc,
        }
    }
}

/// What a new case is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// The ID the store chose.
    pub id: String,
    /// The customer's name.
    pub customer: String,
    /// One line.
    pub summary: String,
    /// The customer's words.
    pub description: String,
    /// The contact's e-mail address.
    pub email: Option<String>,
    /// How the customer reached support.
    pub channel: Channel,
    /// Severity if given; otherwise the channel's default.
    pub severity: Option<Severity>,
    /// The closed case this follows up.
    pub follow_up_of: Option<String>,
    /// The Message-ID of the e-mail that opened it.
    pub message_id: Option<String>,
    /// The L1 analyst routing chose (None: nobody available).
    pub assignee: Option<String>,
    /// Why routing chose them.
    pub routing_reason: Option<String>,
}

/// Creates a case: status `open`, level `l1`, with its `open` event.
pub fn open(new: NewCase, actor: &str, now: DateTime<Utc>) -> Case {
    let severity = new.severity.unwrap_or_else(|| new.channel.default_severity());
    let mut event = Event::new(now, actor, ActionKind::Open, None, Open);
    event.level = Some(Level::L1);
    event.assignee = new.assignee.clone();
    event.severity = Some(severity);
    event.message = new.routing_reason;
    Case {
        id: new.id,
        summary: new.summary,
        customer: new.customer,
        email: new.email,
        channel: new.channel,
        severity,
        status: Open,
        level: Level::L1,
        assignee: new.assignee,
        impact: None,
        created_at: now,
        updated_at: now,
        waiting_since: None,
        escalated_at: None,
        first_response_at: None,
        resolution: None,
        follow_up_of: new.follow_up_of,
        merged_into: None,
        message_id: new.message_id,
        tags: Vec::new(),
        cc: Vec::new(),
        description: new.description,
        history: vec![event],
    }
}

/// [`apply`] where the writer's clock may be behind the case's last change
/// (a clone whose clock lags the team's): the event is dated at that change
/// and keeps the writer's clock in [`Event::clock`]. For what the customer
/// says (a reply) and notes, which must never be lost to a clock; the
/// second value says whether the clock was behind.
pub fn apply_despite_clock(case: &Case, action: &Action, actor: &str, now: DateTime<Utc>) -> Result<(Case, bool)> {
    if now >= case.updated_at {
        return apply(case, action, actor, now).map(|next| (next, false));
    }
    let mut next = apply(case, action, actor, case.updated_at)?;
    if let Some(event) = next.history.last_mut() {
        event.clock = Some(now);
    }
    Ok((next, true))
}

/// Applies an action to a case at `now`, returning the changed case with the
/// new event appended, or the reason it is not allowed.
pub fn apply(case: &Case, action: &Action, actor: &str, now: DateTime<Utc>) -> Result<Case> {
    let mut next = case.clone();
    apply_in_place(&mut next, action, actor, now)?;
    Ok(next)
}

/// [`apply`] to the case itself: replay takes each step this way, because a
/// copy of the case per event costs the square of the history's length.
/// On error the case is unchanged.
pub fn apply_in_place(next: &mut Case, action: &Action, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let case = &*next;
    let kind = action.kind();
    let from = case.status;
    if from == Closed {
        return Err(Error::Closed {
            id: case.id.clone(),
            action: kind.to_string(),
        });
    }
    if !allowed_from(from).contains(&kind) {
        return Err(Error::TransitionNotAllowed {
            id: case.id.clone(),
            action: kind.to_string(),
            status: from.to_string(),
            // Only what a person types on one case: `sweep` and `remind`
            // take no ID, so naming them would send nobody anywhere.
            allowed: allowed_from(from)
                .iter()
                .filter(|a| !matches!(a, ActionKind::AutoClose | ActionKind::Remind | ActionKind::Merged))
                .map(|a| command_name(*a))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if now < case.updated_at {
        // History is in time order; a change dated before the last one (a
        // stale clock) would make the case impossible to replay.
        return Err(Error::ChangeBeforeLastChange {
            id: case.id.clone(),
            last: case.updated_at,
            now,
        });
    }

    let from_level = case.level;
    let mut event = Event::new(now, actor, kind, Some(from), from);
    match action {
        Action::Investigate { note } => {
            next.status = AtInvestigation;
            event.message = note.clone();
        }
        Action::RequestInfo { message } => {
            next.status = WaitingForCustomer;
            next.waiting_since = Some(now);
            event.message = Some(message.clone());
        }
        Action::Reply { message, message_id } => {
            next.status = Open;
            event.message = Some(message.clone());
            event.message_id = message_id.clone();
        }
        Action::Escalate { impact, assignee, note } => {
            event.message = note.clone();
            if from_level == Level::L1 {
                next.status = AtInvestigation;
                next.level = Level::L2;
                next.assignee = assignee.clone();
                event.assignee = assignee.clone();
            } else {
                let impact = impact.unwrap_or(Impact::Low);
                next.status = Escalated;
                next.level = Level::Rnd;
                next.impact = Some(impact);
                next.escalated_at = Some(now);
                event.impact = Some(impact);
            }
            event.level = Some(next.level);
        }
        Action::Close { resolution } | Action::AutoClose { resolution } => {
            next.status = Closed;
            next.resolution = Some(resolution.clone());
            event.message = Some(resolution.clone());
        }
        Action::Assign { analyst, note } => {
            next.assignee = Some(analyst.clone());
            event.assignee = Some(analyst.clone());
            event.message = note.clone();
        }
        Action::Reassess { severity, note } => {
            next.severity = *severity;
            event.severity = Some(*severity);
            event.message = note.clone();
        }
        Action::Remind { message } => {
            event.message = message.clone();
        }
        Action::Note { message } => {
            event.message = Some(message.clone());
        }
        Action::Merge { into, note } => {
            next.status = Closed;
            next.resolution = Some(merge_resolution(into));
            next.merged_into = Some(into.clone());
            event.message = note.clone();
            event.merged_into = Some(into.clone());
        }
        Action::Merged { from, note } => {
            event.message = note.clone();
            event.merged_from = Some(from.clone());
        }
        Action::SetCustomer { customer, note } => {
            next.customer = customer.clone();
            event.customer = Some(customer.clone());
            event.message = note.clone();
        }
        Action::Tag { changes, note } => {
            apply_all(&mut next.tags, changes);
            event.tags = changes.clone();
            event.message = note.clone();
        }
        Action::Cc { changes, note } => {
            apply_all(&mut next.cc, changes);
            event.cc = changes.clone();
            event.message = note.clone();
        }
    }
    // The waiting clock runs only while waiting for the customer.
    if next.status != WaitingForCustomer {
        next.waiting_since = None;
    }
    if next.first_response_at.is_none() && kind.is_first_response() {
        next.first_response_at = Some(now);
    }
    event.to = next.status;
    next.updated_at = now;
    next.history.push(event);
    Ok(())
}

/// The auto-close rule, written once: a case waiting for the customer whose
/// clock started `after` or more before `now` is due. It reads only the
/// status and the waiting clock, so that a case and its summary (which
/// `sweep` and `remind` filter on before loading) answer alike.
pub fn auto_close_due(
    status: Status,
    waiting_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    after: Duration,
) -> bool {
    status == WaitingForCustomer && waiting_since.is_some_and(|since| now - since >= after)
}

/// When a case waiting for the customer is auto-closed under the rule
/// (`after` from its waiting clock's start); `None` when it does not wait.
pub fn auto_close_at(status: Status, waiting_since: Option<DateTime<Utc>>, after: Duration) -> Option<DateTime<Utc>> {
    waiting_since
        .filter(|_| status == WaitingForCustomer)
        .map(|since| since + after)
}

/// Whether a case is due for auto-close: [`auto_close_due`] of its fields.
pub fn due_for_auto_close(case: &Case, now: DateTime<Utc>, after: Duration) -> bool {
    auto_close_due(case.status, case.waiting_since, now, after)
}

/// The resolution `sweep` records.
pub fn auto_close_resolution(after_days: u32) -> String {
    format!("Auto-closed: no response from the customer for {after_days} days while waiting for customer.")
}

/// The number of days an auto-close's resolution says the rule was, when it
/// is the text [`auto_close_resolution`] writes.
pub fn auto_close_days_recorded(resolution: &str) -> Option<u32> {
    resolution
        .strip_prefix("Auto-closed: no response from the customer for ")?
        .strip_suffix(" days while waiting for customer.")?
        .parse()
        .ok()
}

/// Why an auto-close recorded at `at` with `resolution` came too early for
/// the auto-close rule, if it did; `state` is the case just before it.
///
/// The rule is the store's `after_days`, or the one the event itself records
/// (what `sweep` applied then) when that is shorter: a store that raises its
/// setting does not turn the auto-closes made under the old one into errors.
/// A history interleaved by a merge can put a customer's reply and a new
/// request between the request an auto-close answered and the auto-close;
/// the case then had not waited long enough, and this says so.
pub fn early_auto_close(state: &Case, at: DateTime<Utc>, resolution: Option<&str>, after_days: u32) -> Option<String> {
    let since = state.waiting_since?;
    let days = resolution
        .and_then(auto_close_days_recorded)
        .map_or(after_days, |recorded| recorded.min(after_days));
    let waited = at - since;
    if waited >= Duration::days(i64::from(days)) {
        return None;
    }
    Some(format!(
        "auto-closed after waiting for the customer only {} since {}; the auto-close rule is {days} day(s)",
        describe_duration(waited),
        crate::core::time::format_instant(&since)
    ))
}

/// "3 days 4 hours", "5 hours 2 minutes", "40 seconds".
fn describe_duration(duration: Duration) -> String {
    let (days, hours, minutes) = (
        duration.num_days(),
        duration.num_hours() % 24,
        duration.num_minutes() % 60,
    );
    let unit = |n: i64, name: &str| format!("{n} {name}{}", if n == 1 { "" } else { "s" });
    if days > 0 {
        format!("{} {}", unit(days, "day"), unit(hours, "hour"))
    } else if hours > 0 {
        format!("{} {}", unit(hours, "hour"), unit(minutes, "minute"))
    } else if minutes > 0 {
        unit(minutes, "minute")
    } else {
        unit(duration.num_seconds().max(0), "second")
    }
}

/// Rebuilds an action from a recorded event, so history can be replayed.
pub fn action_of(event: &Event) -> Option<Action> {
    let message = event.message.clone();
    Some(match event.action {
        ActionKind::Open => return None,
        ActionKind::Investigate => Action::Investigate { note: message },
        ActionKind::RequestInfo => Action::RequestInfo {
            message: message.unwrap_or_default(),
        },
        ActionKind::Reply => Action::Reply {
            message: message.unwrap_or_default(),
            message_id: event.message_id.clone(),
        },
        ActionKind::Escalate => Action::Escalate {
            impact: event.impact,
            assignee: event.assignee.clone(),
            note: message,
        },
        ActionKind::Close => Action::Close {
            resolution: message.unwrap_or_default(),
        },
        ActionKind::AutoClose => Action::AutoClose {
            resolution: message.unwrap_or_default(),
        },
        ActionKind::Assign => Action::Assign {
            analyst: event.assignee.clone().unwrap_or_default(),
            note: message,
        },
        ActionKind::Reassess => Action::Reassess {
            severity: event.severity?,
            note: message,
        },
        ActionKind::Remind => Action::Remind { message },
        ActionKind::Note => Action::Note {
            message: message.unwrap_or_default(),
        },
        ActionKind::Merge => Action::Merge {
            into: event.merged_into.clone()?,
            note: message,
        },
        ActionKind::Merged => Action::Merged {
            from: event.merged_from.clone()?,
            note: message,
        },
        ActionKind::SetCustomer => Action::SetCustomer {
            customer: event.customer.clone()?,
            note: message,
        },
        ActionKind::Tag => Action::Tag {
            changes: event.tags.clone(),
            note: message,
        },
        ActionKind::Cc => Action::Cc {
            changes: event.cc.clone(),
            note: message,
        },
    })
}

/// The resolution a `merge` records on the duplicate.
pub fn merge_resolution(into: &str) -> String {
    format!("Merged into {into}.")
}

/// The most links [`end_of_merge_chain`] follows: a chain longer than this
/// is taken for damage (a loop a hand edit or a merge of clones made).
pub const MAX_MERGE_CHAIN: usize = 32;

/// Follows `merged_into` links from `start` to the case at the end of its
/// chain (`start` itself when it was not merged). `merged_into` answers the
/// link of one case (`None` at the end). A loop, or a chain longer than
/// [`MAX_MERGE_CHAIN`], is [`Error::MergeChainLoop`]: the walk always ends.
pub fn end_of_merge_chain(start: &str, mut merged_into: impl FnMut(&str) -> Result<Option<String>>) -> Result<String> {
    let mut chain = vec![start.to_string()];
    loop {
        let current = chain.last().map(String::as_str).unwrap_or(start);
        let Some(next) = merged_into(current)? else {
            return Ok(current.to_string());
        };
        let looped = chain.contains(&next);
        chain.push(next);
        if looped || chain.len() > MAX_MERGE_CHAIN {
            return Err(Error::MergeChainLoop {
                id: start.to_string(),
                chain,
            });
        }
    }
}

/// Why a history cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    /// The 0-based index of the offending event.
    pub event: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// Replays a case's history from its `open` event through the transition
/// table. The result is what the case's fields must be; a history that the
/// table does not allow, or events that do not match what the table would
/// have recorded, are refused.
///
/// This checks the table only: an auto-close is taken as the sweep recorded
/// it. [`replay_under`] also checks that it came after the store's wait.
pub fn replay(case: &Case) -> Result<Case, ReplayError> {
    replay_checked(case, None, |_, _| {})
}

/// [`replay`], also refusing an auto-close that came before the case had
/// waited `auto_close_after_days` (see [`early_auto_close`]): what `check`
/// and the merge driver apply.
pub fn replay_under(case: &Case, auto_close_after_days: u32) -> Result<Case, ReplayError> {
    replay_checked(case, Some(auto_close_after_days), |_, _| {})
}

/// [`replay`], calling `on_step` with each event's index and the state it
/// produced (the `open` event first), so a caller can show the way there.
pub fn replay_with(case: &Case, on_step: impl FnMut(usize, &Case)) -> Result<Case, ReplayError> {
    replay_checked(case, None, on_step)
}

fn replay_checked(
    case: &Case,
    auto_close_after_days: Option<u32>,
    mut on_step: impl FnMut(usize, &Case),
) -> Result<Case, ReplayError> {
    let fail = |event: usize, reason: String| ReplayError { event, reason };
    let first = case
        .history
        .first()
        .ok_or_else(|| fail(0, "history is empty; it must start with an open event".into()))?;
    if first.action != ActionKind::Open || first.from.is_some() || first.to != Open {
        return Err(fail(0, "history must start with an open event (to: open)".into()));
    }
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
    if first.level.is_some_and(|l| l != Level::L1) || first.severity.is_none() {
        return Err(fail(0, "the open event must record level l1 and a severity".into()));
    }
    carry_attachments(&mut state, first).map_err(|why| fail(0, why))?;
    carry_cc(&mut state, first).map_err(|why| fail(0, why))?;
    on_step(0, &state);
    for (index, event) in case.history.iter().enumerate().skip(1) {
        if event.at < state.updated_at {
            return Err(fail(
                index,
                format!(
                    "event at {} is earlier than the event before it",
                    crate::core::time::format_instant(&event.at)
                ),
            ));
        }
        let action =
            action_of(event).ok_or_else(|| fail(index, format!("{} can only be the first event", event.action)))?;
        if let Some(after_days) = auto_close_after_days.filter(|_| event.action == ActionKind::AutoClose) {
            if let Some(why) = early_auto_close(&state, event.at, event.message.as_deref(), after_days) {
                return Err(fail(index, why));
            }
        }
        apply_in_place(&mut state, &action, &event.actor, event.at).map_err(|e| fail(index, e.to_string()))?;
        carry_attachments(&mut state, event).map_err(|why| fail(index, why))?;
        carry_clock(&mut state, event).map_err(|why| fail(index, why))?;
        if event.action != ActionKind::Cc {
            carry_cc(&mut state, event).map_err(|why| fail(index, why))?;
        }
        let produced = state.history.last();
        if produced != Some(event) {
            let produced =
                produced.map(|p| format!("{} {} -> {}", p.action, p.from.map(|s| s.as_str()).unwrap_or("-"), p.to));
            return Err(fail(
                index,
                format!(
                    "event does not match the transition table: recorded {} {} -> {}, the table gives {}",
                    event.action,
                    event.from.map(|s| s.as_str()).unwrap_or("-"),
                    event.to,
                    produced.unwrap_or_default()
                ),
            ));
        }
        on_step(index, &state);
    }
    Ok(state)
}

/// The events that may carry attachments (SPEC section 9).
pub fn may_carry_attachments(action: ActionKind) -> bool {
    matches!(
        action,
        ActionKind::Open | ActionKind::Reply | ActionKind::RequestInfo | ActionKind::Close
    )
}

/// Gives the last event of `state` (just produced by the life cycle) the
/// CC addresses `recorded` adds, and adds them to the case: an `open` or a
/// `reply` that came by e-mail copies the customer's people it was sent to.
/// Refused on other events (a `cc` event records its own), and for removals.
pub fn carry_cc(state: &mut Case, recorded: &Event) -> Result<(), String> {
    if recorded.cc.is_empty() {
        return Ok(());
    }
    if !matches!(recorded.action, ActionKind::Open | ActionKind::Reply) {
        return Err(format!(
            "a {} event carries cc changes; only cc, open and reply do",
            recorded.action
        ));
    }
    if recorded.cc.iter().any(|c| matches!(c, ListChange::Remove(_))) {
        return Err(format!(
            "a {} event removes a cc address; only cc does",
            recorded.action
        ));
    }
    apply_all(&mut state.cc, &recorded.cc);
    if let Some(last) = state.history.last_mut() {
        last.cc = recorded.cc.clone();
    }
    Ok(())
}

/// Gives the last event of `state` (just produced by the life cycle) the
/// writer's clock `recorded` keeps (see [`apply_despite_clock`]): data of
/// the event, taken as recorded. Refused on an event other than a reply or a
/// note, or with a clock not before the event's date.
pub fn carry_clock(state: &mut Case, recorded: &Event) -> Result<(), String> {
    let Some(clock) = recorded.clock else {
        return Ok(());
    };
    if !matches!(recorded.action, ActionKind::Reply | ActionKind::Note) {
        return Err(format!(
            "a {} event keeps a clock; only reply and note do",
            recorded.action
        ));
    }
    if clock >= recorded.at {
        return Err("an event's clock is not before its date".into());
    }
    if let Some(last) = state.history.last_mut() {
        last.clock = Some(clock);
    }
    Ok(())
}

/// Gives the last event of `state` (just produced by the life cycle) the
/// attachments `recorded` carries: the files are data of the event, not of
/// the transition table, so replay takes them as recorded. Refused on an
/// event that cannot carry them, or with a hash that cannot name a file.
pub fn carry_attachments(state: &mut Case, recorded: &Event) -> Result<(), String> {
    if recorded.attachments.is_empty() {
        return Ok(());
    }
    if !may_carry_attachments(recorded.action) {
        return Err(format!(
            "a {} event carries attachments; only open, reply, request-info and close do",
            recorded.action
        ));
    }
    if recorded.attachments.iter().any(|a| !a.has_valid_hash()) {
        return Err("an attachment's sha256 is not 64 lower-case hex digits".into());
    }
    if let Some(last) = state.history.last_mut() {
        last.attachments = recorded.attachments.clone();
    }
    Ok(())
}

#[cfg(test)]
impl NewCase {
    /// The unit tests' new case: a portal case of Acme Corp's, "Push fails",
    /// with no contact, severity, link or routing. A test sets the fields it
    /// cares about with `NewCase { email: ..., ..NewCase::example(id) }`.
    pub(crate) fn example(id: &str) -> NewCase {
        NewCase {
            id: id.into(),
            customer: "Acme Corp".into(),
            summary: "Push fails".into(),
            description: "No push".into(),
            email: None,
            channel: Channel::Portal,
            severity: None,
            follow_up_of: None,
            message_id: None,
            assignee: None,
            routing_reason: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .expect("instant")
            .with_timezone(&Utc)
            + Duration::days(days)
    }

    fn case() -> Case {
        open(NewCase::example("RC-7K3QX9MT"), "tester", at(0))
    }

    fn step(case: &Case, action: Action, days: i64) -> Case {
        apply(case, &action, "tester", at(days)).expect("allowed")
    }

    fn ask(case: &Case, days: i64) -> Case {
        step(case, Action::RequestInfo { message: "?".into() }, days)
    }

    fn sweep(case: &Case, days: i64, rule: u32) -> Case {
        step(
            case,
            Action::AutoClose {
                resolution: auto_close_resolution(rule),
            },
            days,
        )
    }

    #[test]
    fn a_case_is_due_for_auto_close_on_the_dot_of_the_rule_and_only_while_waiting() {
        let week = Duration::days(7);
        let asked = ask(&case(), 0);
        assert!(!due_for_auto_close(&asked, at(7) - Duration::seconds(1), week));
        assert!(due_for_auto_close(&asked, at(7), week));
        assert!(auto_close_due(asked.status, asked.waiting_since, at(7), week));
        assert!(!auto_close_due(Open, asked.waiting_since, at(30), week), "not waiting");
        assert!(!auto_close_due(WaitingForCustomer, None, at(30), week), "no clock");
    }

    #[test]
    fn an_auto_close_three_days_into_a_new_wait_does_not_replay_under_the_seven_day_rule() {
        let asked = ask(&case(), 0);
        let replied = step(
            &asked,
            Action::Reply {
                message: "v7".into(),
                message_id: None,
            },
            3,
        );
        let closed = sweep(&ask(&replied, 4), 7, 7);
        assert_eq!(replay(&closed), Ok(closed.clone()), "the table alone allows it");
        let refused = replay_under(&closed, 7).expect_err("too early");
        assert_eq!(refused.event, 4);
        assert!(
            refused
                .reason
                .contains("only 3 days 0 hours since 2026-11-05T10:00:00Z; the auto-close rule is 7 day(s)"),
            "{}",
            refused.reason
        );
    }

    #[test]
    fn an_auto_close_on_the_dot_replays_and_one_second_early_does_not() {
        let asked = ask(&case(), 0);
        let closed = sweep(&asked, 7, 7);
        assert_eq!(replay_under(&closed, 7), Ok(closed.clone()));
        let early = apply(
            &asked,
            &Action::AutoClose {
                resolution: auto_close_resolution(7),
            },
            "sweep",
            at(7) - Duration::seconds(1),
        )
        .expect("the table allows it");
        assert!(replay_under(&early, 7).is_err());
    }

    #[test]
    fn the_shorter_of_the_store_rule_and_the_recorded_rule_applies() {
        let asked = ask(&case(), 0);
        // Closed under a 3-day rule; the store has since moved to 7.
        let closed = sweep(&asked, 3, 3);
        assert_eq!(replay_under(&closed, 7), Ok(closed.clone()));
        // Recorded 7, but the store now says 3: the case is due under today's rule.
        let closed = sweep(&asked, 4, 7);
        assert_eq!(replay_under(&closed, 3), Ok(closed.clone()));
        assert!(replay_under(&closed, 7).is_err());
        // A hand-written resolution: the store's rule.
        let closed = step(
            &asked,
            Action::AutoClose {
                resolution: "gone quiet".into(),
            },
            5,
        );
        assert!(replay_under(&closed, 7).is_err());
        assert_eq!(replay_under(&closed, 5), Ok(closed.clone()));
    }

    #[test]
    fn set_customer_tag_and_cc_change_fields_not_the_status_and_replay() {
        let asked = ask(&case(), 0);
        let moved = step(
            &asked,
            Action::SetCustomer {
                customer: "Globex".into(),
                note: Some("wrong account".into()),
            },
            1,
        );
        let tagged = step(
            &moved,
            Action::Tag {
                changes: vec![ListChange::parse("+ios"), ListChange::parse("+billing")],
                note: None,
            },
            1,
        );
        let untagged = step(
            &tagged,
            Action::Tag {
                changes: vec![ListChange::parse("-ios")],
                note: None,
            },
            2,
        );
        let copied = step(
            &untagged,
            Action::Cc {
                changes: vec![ListChange::parse("+bo@globex.example")],
                note: None,
            },
            2,
        );
        assert_eq!(copied.customer, "Globex");
        assert_eq!(copied.tags, ["billing"]);
        assert_eq!(copied.cc, ["bo@globex.example"]);
        assert_eq!(copied.status, WaitingForCustomer, "no status change");
        assert_eq!(copied.waiting_since, asked.waiting_since, "the waiting clock runs on");
        assert_eq!(copied.history[2].customer.as_deref(), Some("Globex"));
        assert_eq!(replay(&copied), Ok(copied.clone()));
        for kind in [ActionKind::SetCustomer, ActionKind::Tag, ActionKind::Cc] {
            assert_eq!(kind.visibility(), crate::core::vocabulary::Visibility::Internal);
            assert!(!kind.is_first_response());
        }
    }

    #[test]
    fn a_reply_may_carry_cc_additions_and_nothing_else_does() {
        let mut replied = step(
            &case(),
            Action::Reply {
                message: "see Bo".into(),
                message_id: None,
            },
            1,
        );
        let mut carried = replied.history.last().cloned().unwrap();
        carried.cc = vec![ListChange::parse("+bo@acme.example")];
        carry_cc(&mut replied, &carried).unwrap();
        assert_eq!(replied.cc, ["bo@acme.example"]);
        assert_eq!(replay(&replied), Ok(replied.clone()));
        let mut note = step(&replied, Action::Note { message: "n".into() }, 2);
        note.history.last_mut().unwrap().cc = vec![ListChange::parse("+x@acme.example")];
        assert!(replay(&note).is_err(), "a note carries no cc");
    }

    #[test]
    fn the_recorded_rule_reads_back_from_the_resolution() {
        assert_eq!(auto_close_days_recorded(&auto_close_resolution(12)), Some(12));
        assert_eq!(auto_close_days_recorded("Auto-closed: soon"), None);
    }

    #[test]
    fn a_merge_closes_the_duplicate_into_the_target_and_replays() {
        let merge = Action::Merge {
            into: "RC-TARGET01".into(),
            note: Some("Same problem".into()),
        };
        let merged = apply(&case(), &merge, "alice", at(1)).unwrap();
        assert_eq!(merged.status, Closed);
        assert_eq!(merged.merged_into.as_deref(), Some("RC-TARGET01"));
        assert_eq!(merged.resolution.as_deref(), Some("Merged into RC-TARGET01."));
        let event = merged.history.last().unwrap();
        assert_eq!(
            (event.action, event.from, event.to),
            (ActionKind::Merge, Some(Open), Closed)
        );
        assert_eq!(event.action.visibility(), crate::core::vocabulary::Visibility::Public);
        assert_eq!(replay(&merged), Ok(merged.clone()));
        // Closed is terminal: a merged case merges no further.
        assert!(matches!(
            apply(&merged, &merge, "alice", at(2)),
            Err(Error::Closed { .. })
        ));
        // A hand edit of merged_into without the event does not replay as stored.
        let mut edited = case();
        edited.merged_into = Some("RC-OTHER001".into());
        assert_ne!(replay(&edited), Ok(edited.clone()));
    }

    #[test]
    fn the_target_records_the_merge_without_changing_status() {
        let waiting = apply(
            &case(),
            &Action::RequestInfo {
                message: "Which version?".into(),
            },
            "alice",
            at(1),
        )
        .unwrap();
        let target = apply(
            &waiting,
            &Action::Merged {
                from: "RC-SOURCE01".into(),
                note: None,
            },
            "alice",
            at(2),
        )
        .unwrap();
        assert_eq!(target.status, WaitingForCustomer);
        assert_eq!(target.waiting_since, waiting.waiting_since, "the clock is left alone");
        assert_eq!(target.merged_from(), vec!["RC-SOURCE01"]);
        let event = target.history.last().unwrap();
        assert_eq!(event.action.visibility(), crate::core::vocabulary::Visibility::Internal);
        assert_eq!(replay(&target), Ok(target.clone()));
        // `merged` is what a merge records, not a command: refusals do not offer it.
        let closed = apply(
            &target,
            &Action::Close {
                resolution: "done".into(),
            },
            "alice",
            at(3),
        )
        .unwrap();
        let refused = apply(&closed, &Action::Note { message: "x".into() }, "alice", at(4));
        assert!(refused.is_err());
        let at_investigation = apply(&case(), &Action::Investigate { note: None }, "alice", at(1)).unwrap();
        let Err(Error::TransitionNotAllowed { allowed, .. }) =
            apply(&at_investigation, &Action::Investigate { note: None }, "alice", at(2))
        else {
            panic!("investigate twice is refused");
        };
        assert!(allowed.contains("note, merge"), "{allowed}");
    }

    #[test]
    fn the_chain_of_merges_is_followed_to_its_end_and_a_loop_ends_the_walk() {
        let links = |pairs: &'static [(&'static str, &'static str)]| {
            move |id: &str| Ok(pairs.iter().find(|(from, _)| *from == id).map(|(_, to)| to.to_string()))
        };
        assert_eq!(end_of_merge_chain("A", links(&[])).unwrap(), "A");
        assert_eq!(end_of_merge_chain("A", links(&[("A", "B"), ("B", "C")])).unwrap(), "C");
        let Err(Error::MergeChainLoop { chain, .. }) = end_of_merge_chain("A", links(&[("A", "B"), ("B", "A")])) else {
            panic!("a loop is refused");
        };
        assert_eq!(chain, ["A", "B", "A"]);
        // A chain that never repeats but never ends (damage) is bounded too.
        let mut walked = 0;
        let endless = end_of_merge_chain("X0", |id: &str| {
            walked += 1;
            Ok(Some(format!("{id}x")))
        });
        assert!(matches!(endless, Err(Error::MergeChainLoop { .. })));
        assert!(walked <= MAX_MERGE_CHAIN, "{walked}");
    }
}
