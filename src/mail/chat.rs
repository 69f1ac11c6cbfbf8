//! Chat notifications, composed: the one-line text an incoming webhook
//! (Rocket.Chat, Slack) receives as `{"text": ...}` when a case needs an
//! analyst. Pure: the case's words in, the text and the JSON body out.
//!
//! The text names the analyst as `@handle`, the case by its ID, severity
//! and summary, and nothing else: no link, no address, no file path. The
//! summary is the customer's text: it is put on one line, cut, its bidi and
//! invisible characters shown escaped, and anything a chat reads as markup
//! (`@all`, `@here`, `<!channel>`, `[text](link)`) made inert.

use crate::core::terminal::for_page;
use crate::core::vocabulary::{Impact, Severity};
use chrono::{DateTime, Utc};

/// The longest summary a notification quotes, in characters.
pub const MAX_SUMMARY_CHARS: usize = 80;

/// Why a case needs an analyst now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatReason {
    /// A new case routed to them.
    Routed,
    /// Assigned to them by hand.
    Assigned,
    /// Escalated to L2 and routed to them.
    EscalatedToL2,
    /// Escalated into R&D's resolution queue, with this impact.
    EscalatedToRnd(Impact),
    /// The customer replied.
    Replied,
    /// The first-response target is near: due at this instant.
    TargetNear(DateTime<Utc>),
    /// The first-response target was missed: it was due at this instant.
    TargetMissed(DateTime<Utc>),
}

impl ChatReason {
    /// The word the ledger and `deliver` use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatReason::Routed => "routed",
            ChatReason::Assigned => "assigned",
            ChatReason::EscalatedToL2 => "escalated-l2",
            ChatReason::EscalatedToRnd(_) => "escalated-rnd",
            ChatReason::Replied => "replied",
            ChatReason::TargetNear(_) => "target-near",
            ChatReason::TargetMissed(_) => "target-missed",
        }
    }
}

/// The names chats read as a mention of everyone: never used as a handle.
const MASS_MENTIONS: [&str; 5] = ["all", "here", "channel", "everyone", "group"];

/// `@handle` for an analyst's chat handle (from config.yaml, so checked
/// too): letters, digits, `.`, `-` and `_` only, and never a mass mention;
/// `None` when the handle is not one.
pub fn mention(handle: &str) -> Option<String> {
    let handle = handle.trim().trim_start_matches('@');
    let plain = !handle.is_empty()
        && handle.len() <= 64
        && handle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    (plain && !MASS_MENTIONS.contains(&handle.to_ascii_lowercase().as_str())).then(|| format!("@{handle}"))
}

/// Customer text made safe to quote in a chat message: one line, at most
/// [`MAX_SUMMARY_CHARS`], bidi and invisible characters escaped, and the
/// characters chats read as mentions, links or markup replaced by look-alikes
/// that mean nothing (`@` by `＠`, `<` `>` by `‹` `›`, `[` `]` by `(` `)`,
/// `` ` `` by `'`, the slashes of a URL's `://` by `∕∕`).
pub fn neutralise(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let cut: String = if line.chars().count() > MAX_SUMMARY_CHARS {
        let mut cut: String = line.chars().take(MAX_SUMMARY_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        line
    };
    let inert: String = for_page(&cut)
        .chars()
        .map(|c| match c {
            '@' => '＠',
            '<' => '‹',
            '>' => '›',
            '[' => '(',
            ']' => ')',
            '`' => '\'',
            c => c,
        })
        .collect();
    // A URL is linked, and previewed (fetched by the chat's server), by the
    // chats: its `://` is shown with division slashes, which link nothing.
    inert.replace("://", ":\u{2215}\u{2215}")
}

/// The notification's text: whom it is for, why, and the case.
pub fn chat_text(reason: ChatReason, who: Option<&str>, id: &str, severity: Severity, summary: &str) -> String {
    let who = who.map_or_else(|| "(unassigned)".to_string(), str::to_string);
    let case = format!("{id} ({severity})");
    let time = |at: DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let what = match reason {
        ChatReason::Routed => format!("new case {case} routed to you"),
        ChatReason::Assigned => format!("{case} assigned to you"),
        ChatReason::EscalatedToL2 => format!("{case} escalated to L2 and routed to you"),
        ChatReason::EscalatedToRnd(impact) => format!("{case} escalated to R&D, impact {impact}"),
        ChatReason::Replied => format!("the customer replied on {case}"),
        ChatReason::TargetNear(due) => format!("first response on {case} due at {}", time(due)),
        ChatReason::TargetMissed(due) => format!("first response on {case} missed its target ({})", time(due)),
    };
    format!("{who} {what}: {}", neutralise(summary))
}

/// The webhook's JSON body, `{"text": ...}`, as Rocket.Chat and Slack take it.
pub fn webhook_body(text: &str) -> String {
    serde_json::json!({ "text": text }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mass_mentions_and_markup_in_a_summary_are_inert() {
        let text = neutralise("@all <!here> [click](http://x.example)\nnext line `code` \u{202e}evil");
        assert!(
            !text.contains('@') && !text.contains('<') && !text.contains('[') && !text.contains('`'),
            "{text}"
        );
        assert!(!text.contains('\n') && !text.contains('\u{202e}'), "{text}");
        assert!(text.contains("\\u{202e}"), "{text}");
        assert_eq!(neutralise(&"x".repeat(200)).chars().count(), MAX_SUMMARY_CHARS);
        let linked = neutralise("see https://evil.example/x and <http://a.example|click> ![i](ftp://b.example)");
        assert!(!linked.contains("://"), "{linked}");
        assert!(linked.contains("https:\u{2215}\u{2215}evil.example/x"), "{linked}");
    }

    #[test]
    fn a_handle_is_mentioned_unless_it_would_reach_everyone() {
        assert_eq!(mention("alice.s").as_deref(), Some("@alice.s"));
        assert_eq!(mention("@bob").as_deref(), Some("@bob"));
        assert_eq!(mention("here"), None);
        assert_eq!(mention("ALL"), None);
        assert_eq!(mention("a b"), None);
    }

    #[test]
    fn the_text_names_whom_why_and_the_case() {
        let text = chat_text(
            ChatReason::Replied,
            Some("@alice"),
            "RC-1",
            Severity::High,
            "Push *down*",
        );
        assert_eq!(text, "@alice the customer replied on RC-1 (high): Push *down*");
        assert_eq!(webhook_body("a\"b"), r#"{"text":"a\"b"}"#);
    }
}
