//! Reminders: the waiting cases due a reminder (`remind_after_days` of
//! waiting, before auto-close), each recorded once per waiting period, so
//! that a mail script can nudge the customer.

use super::transaction::{Mode, Transaction};
use super::{due_of, policy, Session};
use crate::core::digest::Digest;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::Action;
use crate::core::targets::Due;
use crate::core::time::format_instant;
use crate::core::vocabulary::Status;
use chrono::{DateTime, Duration, Utc};

/// A case reminded (in [`Mode::Preview`], due a reminder).
#[derive(Debug)]
pub struct Reminder {
    /// The case after the reminder.
    pub summary: Digest,
    /// Its plan and first-response target.
    pub due: Due,
    /// When a sweep will auto-close it if the customer stays silent.
    pub auto_close_at: DateTime<Utc>,
}

/// What `remind` did.
#[derive(Debug)]
pub struct Reminded {
    /// The cases reminded, oldest wait first.
    pub reminders: Vec<Reminder>,
    /// Files that could not be read; the others were processed.
    pub errors: Vec<Error>,
    /// What a person should hear about (a reminder that could not be mailed).
    pub warnings: Vec<super::Warning>,
}

/// Records a reminder on every waiting case due one at *now*; in
/// [`Mode::Preview`], records nothing (nor locks). `None` when reminders are
/// off (config.yaml has no `remind_after_days`).
pub fn remind(session: &Session, mode: Mode) -> Result<Option<Reminded>> {
    let store = &session.store;
    let now = session.now;
    let config = store.config()?;
    let Some(remind_days) = config.remind_after_days else {
        return Ok(None);
    };
    let remind_after = Duration::days(i64::from(remind_days));
    let close_after = Duration::days(i64::from(config.auto_close_after_days));
    let is_due = |s: &Digest| {
        s.status == Status::WaitingForCustomer
            && !s.reminded
            && s.waiting_since.is_some_and(|since| now - since >= remind_after)
            && !crate::core::lifecycle::auto_close_due(s.status, s.waiting_since, now, close_after)
    };
    let mut tx = Transaction::start(session, config, mode)?;
    let policy = policy(store, tx.config())?;
    let (summaries, mut errors) = store.scan(&|status| status == Status::WaitingForCustomer)?;
    let mut due: Vec<&Digest> = summaries.iter().filter(|s| is_due(s)).collect();
    due.sort_by(|a, b| (a.waiting_since, &a.id).cmp(&(b.waiting_since, &b.id)));
    let mut reminders = Vec::new();
    for summary in due {
        // Re-read under the lock: the summary may predate another writer.
        let case = match tx.load(&summary.id) {
            Ok(case) => case,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if !is_due(&Digest::of(&case)) {
            continue;
        }
        let Some(since) = case.waiting_since else {
            continue;
        };
        let auto_close_at = since + close_after;
        let message = format!(
            "reminder: waiting for the customer since {}; auto-closes at {} without a response",
            format_instant(&since),
            format_instant(&auto_close_at)
        );
        let next = tx.apply(&case, &Action::Remind { message: Some(message) })?;
        tx.save(&next)?;
        let summary = Digest::of(&next);
        reminders.push(Reminder {
            due: due_of(tx.config(), &policy, &summary),
            summary,
            auto_close_at,
        });
    }
    // Like every write, one commit of all it wrote (with `git: {commit: true}`).
    let message = format!("remind: reminded {} case(s)", tx.written().len());
    let warnings = tx.finish(&message);
    Ok(Some(Reminded {
        reminders,
        errors,
        warnings,
    }))
}
