//! Canned answers (SPEC section 10): `templates/answers/NAME.md` in the
//! store, filled with the outbound placeholders and used as the message of
//! `request-info` or the resolution of `close`. A template with a
//! placeholder the desk does not know is refused before anything is
//! written, and `check` reports it.

use super::transaction::{Edit, Transaction};
use super::{Enclosures, Outcome, Session, Transitioned};
use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::lifecycle::Action;
use crate::mail::compose::{fill_answer, unknown_placeholders, Details, ANSWER_PLACEHOLDERS};
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use std::path::PathBuf;

/// One canned answer, as `templates` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Its name (`NAME` of `templates/answers/NAME.md`).
    pub name: String,
    /// Its file.
    pub path: PathBuf,
    /// Its first line that is not blank, as written.
    pub first_line: String,
}

/// The store's canned answers, sorted by name, with the files that could
/// not be read or hold an unknown placeholder.
pub fn answers(store: &Store) -> Result<(Vec<Answer>, Vec<Error>)> {
    store.ensure_exists()?;
    listed_answers(store)
}

fn listed_answers(store: &Store) -> Result<(Vec<Answer>, Vec<Error>)> {
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    for name in store.answer_names()? {
        match answer_text(store, &name) {
            Ok((path, text)) => listed.push(Answer {
                first_line: text
                    .lines()
                    .find(|line| !line.trim().is_empty())
                    .unwrap_or("")
                    .to_string(),
                name,
                path,
            }),
            Err(e) => errors.push(e),
        }
    }
    Ok((listed, errors))
}

/// Every canned answer that cannot be used (unreadable, or with an unknown
/// placeholder), for `check`.
pub fn check_answers(store: &Store) -> Vec<Error> {
    match listed_answers(store) {
        Ok((_, errors)) => errors,
        Err(e) => vec![e],
    }
}

/// The text of canned answer `name`, refused when it names a placeholder
/// the desk does not know (invalid data naming the file, the line and the
/// placeholder).
pub fn answer_text(store: &Store, name: &str) -> Result<(PathBuf, String)> {
    let (path, text) = store.read_answer(name)?;
    if let Some((line, unknown)) = unknown_placeholders(&text, &ANSWER_PLACEHOLDERS).into_iter().next() {
        let known: Vec<String> = ANSWER_PLACEHOLDERS.iter().map(|n| format!("{{{n}}}")).collect();
        return Err(Error::invalid(
            &path,
            Some(line),
            format!(
                "unknown placeholder {{{unknown}}}; a canned answer may use {}",
                known.join(", ")
            ),
        ));
    }
    Ok((path, text))
}

/// The message of a canned answer for `case` at `now`: its filled text,
/// then `extra` after a blank line. `closes_on` is when the case will
/// auto-close if it waits from now (for `request-info`).
fn filled(
    store: &Store,
    config: &Config,
    case: &Case,
    text: &str,
    extra: Option<&str>,
    now: DateTime<Utc>,
    waits: bool,
) -> Result<String> {
    let policy = super::policy(store, config)?;
    let customer = config.customer(&case.customer);
    let details = Details {
        closes_on: waits.then(|| now + Duration::days(i64::from(config.auto_close_after_days))),
        first_response_due: Some(policy.first_response_due(&case.customer, case.severity, case.created_at)),
        auto_close_after_days: config.auto_close_after_days,
        timezone: match customer {
            Some(customer) => customer.message_timezone(&config.business_hours),
            None => config.business_hours.timezone.parse().ok(),
        },
        language: customer.and_then(|c| c.language.clone()),
        ..Details::default()
    };
    let answer = fill_answer(text, case, &details, config.mail.as_ref()).map_err(|e| Error::Unexpected {
        context: "filling the canned answer",
        detail: e.to_string(),
    })?;
    let answer = answer.trim_end();
    Ok(match extra.map(str::trim).filter(|e| !e.is_empty()) {
        Some(extra) => format!("{answer}\n\n{extra}"),
        None => answer.to_string(),
    })
}

/// `request-info ID --template NAME [--message M]`: the canned answer,
/// filled for the case, then `extra`, as the message to the customer.
pub fn request_info_answered(
    session: &Session,
    typed_id: &str,
    name: &str,
    extra: Option<String>,
    enclosures: Enclosures,
) -> Result<Transitioned> {
    let (_, text) = answer_text(&session.store, name)?;
    Transaction::edit_case(session, typed_id, enclosures, |case, config| {
        let message = filled(&session.store, config, case, &text, extra.as_deref(), session.now, true)?;
        Ok(Edit::Apply(Action::RequestInfo { message }))
    })
    .map(Outcome::changed)
}

/// `close ID --template NAME [--resolution TEXT]`: the canned answer,
/// filled for the case, then `extra`, as the resolution.
pub fn close_answered(
    session: &Session,
    typed_id: &str,
    name: &str,
    extra: Option<String>,
    enclosures: Enclosures,
) -> Result<Transitioned> {
    let (_, text) = answer_text(&session.store, name)?;
    Transaction::edit_case(session, typed_id, enclosures, |case, config| {
        let resolution = filled(
            &session.store,
            config,
            case,
            &text,
            extra.as_deref(),
            session.now,
            false,
        )?;
        Ok(Edit::Apply(Action::Close { resolution }))
    })
    .map(Outcome::changed)
}
