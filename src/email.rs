//! E-mail intake: a message read from a mail server's pipe (procmail, a
//! Postfix alias, fetchmail's mda) turned into what `open` and `reply` need.
//!
//! The MIME work (quoted-printable, base64, charsets, multipart) is the
//! mail-parser crate's; this module decides what we accept. Everything in a
//! message is untrusted: it is stored as text and escaped on display.
//! Every refusal is a [`Error::Usage`] (exit 2): the message is bad input,
//! the store is fine, and nothing is created or changed.

use crate::config::{Config, Customer};
use crate::error::{Error, Result};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use std::io::Read;

/// The largest message read from stdin (10 MiB); larger ones are refused
/// before parsing, so a huge attachment cannot exhaust memory.
pub const MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;

/// The most text kept from one message (64 KiB): the rest is cut with a note,
/// so that a case file stays well under the store's 1 MiB cap.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The longest summary taken from a Subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// What a message says, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The sender's address (From).
    pub from: String,
    /// The sender's domain, lower case.
    pub domain: String,
    /// The Subject, on one line; empty when missing.
    pub subject: String,
    /// The text body: the text/plain part(s), or the HTML part as text when
    /// there is no text part; lines end with `\n`; trimmed.
    pub body: String,
    /// The Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To and References message IDs, most recent first.
    pub replied_to: Vec<String>,
    /// The names of attachments (not kept).
    pub attachments: Vec<String>,
}

/// A refusal: bad input, exit 2, nothing created or changed.
pub fn refuse(reason: impl std::fmt::Display) -> Error {
    Error::Usage(format!("e-mail refused: {reason}; nothing was created or changed"))
}

/// Reads a message from `input`, refusing one over [`MAX_MESSAGE_BYTES`].
pub fn read_message(input: impl Read) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input
        .take(MAX_MESSAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("<stdin>", e))?;
    if bytes.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(refuse(format!(
            "the message is over the {} MiB cap (a huge attachment?)",
            MAX_MESSAGE_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

fn strip_brackets(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Normalises a Message-ID for comparison: no angle brackets, no spaces.
pub fn normalize_message_id(id: &str) -> Option<String> {
    strip_brackets(id)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unix_lines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Cuts text to at most `max` bytes on a character boundary, with a note.
pub fn cap_text(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}\n[... cut: the message text was {} bytes; {} kept]",
        &text[..cut],
        text.len(),
        max
    )
}

/// The sender's address and its lower-case domain, or why there is none.
pub fn sender_domain(address: &str) -> Result<(String, String)> {
    let address = address.trim();
    let (local, domain) = address
        .rsplit_once('@')
        .ok_or_else(|| refuse(format!("the sender {address:?} is not an e-mail address")))?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let valid = !local.is_empty()
        && !domain.is_empty()
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii());
    if !valid {
        return Err(refuse(format!("the sender {address:?} is not an e-mail address")));
    }
    Ok((address.to_string(), domain))
}

/// Parses a raw message, refusing one with no sender, no body or broken MIME.
pub fn parse(raw: &[u8]) -> Result<Email> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(refuse("the message is empty"));
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| refuse("not an e-mail message (no header found)"))?;
    for (index, part) in message.parts.iter().enumerate() {
        let declared_multipart = part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"));
        if part.is_encoding_problem {
            return Err(refuse(format!("broken MIME: part {index} cannot be decoded")));
        }
        if declared_multipart && !matches!(part.body, PartType::Multipart(_)) {
            return Err(refuse(format!(
                "broken MIME: part {index} is multipart but its boundary is missing or never appears"
            )));
        }
    }
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .ok_or_else(|| refuse("the message has no sender (From)"))?;
    let (from, domain) = sender_domain(from)?;
    let mut texts = Vec::new();
    for index in 0..message.text_body_count() {
        if let Some(text) = message.body_text(index) {
            texts.push(unix_lines(&text));
        }
    }
    let body = texts.join("\n\n").trim().to_string();
    if body.is_empty() {
        return Err(refuse("the message has no text body"));
    }
    let mut replied_to = Vec::new();
    let ids = |value: &mail_parser::HeaderValue| -> Vec<String> {
        value
            .as_text_list()
            .map(|list| list.iter().filter_map(|id| strip_brackets(id)).collect())
            .unwrap_or_default()
    };
    replied_to.extend(ids(message.in_reply_to()).into_iter().rev());
    replied_to.extend(ids(message.references()).into_iter().rev());
    let attachments = message
        .attachments()
        .map(|part| part.attachment_name().unwrap_or("(unnamed)").to_string())
        .collect();
    let mut subject = one_line(message.subject().unwrap_or(""));
    if subject.chars().count() > MAX_SUBJECT_CHARS {
        subject = subject.chars().take(MAX_SUBJECT_CHARS).collect();
    }
    Ok(Email {
        from,
        domain,
        subject,
        body,
        message_id: message.message_id().and_then(strip_brackets),
        replied_to,
        attachments,
    })
}

/// The customers whose `domains` include `domain` (case-insensitive).
pub fn customers_of_domain<'a>(config: &'a Config, domain: &str) -> Vec<&'a Customer> {
    config
        .customers
        .iter()
        .filter(|c| c.domains.iter().any(|d| d.trim().eq_ignore_ascii_case(domain)))
        .collect()
}

/// Whether `domain` is one of the customer's domains in config.
pub fn domain_belongs_to(config: &Config, customer: &str, domain: &str) -> bool {
    config
        .customer(customer)
        .is_some_and(|c| c.domains.iter().any(|d| d.trim().eq_ignore_ascii_case(domain)))
}

/// The description of a case opened by e-mail: the body, and the names of
/// attachments that were not kept.
pub fn description(email: &Email) -> String {
    let mut text = cap_text(&email.body, MAX_TEXT_BYTES);
    if !email.attachments.is_empty() {
        text.push_str(&format!("\n\n[attachments not kept: {}]", email.attachments.join(", ")));
    }
    text
}

/// The case IDs tagged in a subject as `[PREFIX-XXXXXXXX]`, upper-cased, in order.
pub fn subject_tags(subject: &str, prefix: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find(']') else { break };
        let inner = rest[..close].trim();
        let tagged = inner
            .get(..prefix.len() + 1)
            .is_some_and(|head| head.eq_ignore_ascii_case(&format!("{prefix}-")));
        let word = inner.len() > prefix.len() + 1 && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if tagged && word {
            tags.push(inner.to_ascii_uppercase());
        }
    }
    tags
}

fn is_attribution(line: &str) -> bool {
    let line = line.trim();
    let lower = line.to_lowercase();
    let starts = ["on ", "em ", "el ", "le ", "am ", "op "];
    let ends = [
        "wrote:",
        "escreveu:",
        "escribió:",
        "a écrit :",
        "a écrit:",
        "schrieb:",
        "schreef:",
    ];
    starts.iter().any(|s| lower.starts_with(s)) && ends.iter().any(|e| lower.ends_with(e))
}

fn is_separator(line: &str) -> bool {
    let trimmed = line.trim();
    let lower = trimmed.to_lowercase();
    line == "-- "
        || line == "--"
        || (trimmed.starts_with("-----") && lower.contains("original"))
        || (trimmed.len() >= 10 && trimmed.chars().all(|c| c == '_'))
        || lower.starts_with("begin forwarded message")
}

fn is_header_block(lines: &[&str], at: usize) -> bool {
    let header = |l: &str, names: &[&str]| {
        let lower = l.trim().to_lowercase();
        names.iter().any(|n| lower.starts_with(n))
    };
    header(lines[at], &["from:", "de:", "von:"])
        && lines[at + 1..]
            .iter()
            .take(4)
            .any(|l| header(l, &["sent:", "date:", "enviado:", "enviada:", "data:", "gesendet:"]))
}

/// The new text of a reply: quoted lines (`>`) dropped, and everything from
/// the attribution line ("On ... wrote:"), a reply separator ("-----Original
/// Message-----", an Outlook rule or header block) or the signature
/// delimiter (`-- `) on cut.
pub fn reply_text(body: &str) -> String {
    let body = unix_lines(body);
    let lines: Vec<&str> = body.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        // Clients wrap a long attribution over two lines.
        let joined = lines
            .get(index + 1)
            .filter(|next| !is_attribution(next))
            .map(|next| format!("{} {}", line.trim(), next.trim()));
        if is_attribution(line)
            || (line.trim().len() > 3 && joined.as_deref().is_some_and(is_attribution))
            || is_separator(line)
            || is_header_block(&lines, index)
        {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        kept.push(line);
    }
    let text = kept.join("\n");
    cap_text(text.trim(), MAX_TEXT_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_found_case_insensitively_and_others_ignored() {
        assert_eq!(
            subject_tags("Re: [rc-7q2m9k4d] Push fails [ext] [RC-]", "RC"),
            vec!["RC-7Q2M9K4D".to_string()]
        );
        assert!(subject_tags("Re: RC-7Q2M9K4D no brackets", "RC").is_empty());
        assert!(subject_tags("[XY-12345678]", "RC").is_empty());
    }

    #[test]
    fn reply_text_drops_quotes_attribution_and_signature() {
        let body = "Thanks, that worked.\r\n\r\n> old text\r\nStill one thing.\r\n\r\nOn Thu, 19 Nov 2026 at 10:00, Support <support@desk.example>\r\nwrote:\r\n> quoted\r\n";
        assert_eq!(reply_text(body), "Thanks, that worked.\n\nStill one thing.");
        assert_eq!(reply_text("Fine now.\n-- \nAna\nAcme"), "Fine now.");
        assert_eq!(
            reply_text("Ok.\n\nEm qui., 19 de nov. de 2026 às 10:00, Suporte escreveu:\n> x"),
            "Ok."
        );
        assert_eq!(
            reply_text("Yes.\n\nFrom: Support\nSent: Thursday\nTo: Ana\n\nold"),
            "Yes."
        );
        assert_eq!(reply_text("See below.\n-----Original Message-----\nold"), "See below.");
    }

    #[test]
    fn a_line_starting_with_on_is_not_an_attribution_by_itself() {
        assert_eq!(
            reply_text("On my phone it still fails.\nThe app crashes."),
            "On my phone it still fails.\nThe app crashes."
        );
    }

    #[test]
    fn sender_domain_is_lower_case_and_bad_addresses_are_refused() {
        assert_eq!(
            sender_domain("Ana@ACME.example").unwrap(),
            ("Ana@ACME.example".to_string(), "acme.example".to_string())
        );
        assert_eq!(sender_domain("nobody").unwrap_err().exit_code(), 2);
        assert_eq!(sender_domain("@acme.example").unwrap_err().exit_code(), 2);
        assert_eq!(sender_domain("a b@acme.example").unwrap_err().exit_code(), 2);
    }

    #[test]
    fn cap_text_cuts_on_a_character_boundary() {
        let text = "ação".repeat(10);
        let cut = cap_text(&text, 5);
        assert!(cut.starts_with("aç"));
        assert!(cut.contains("was 60 bytes"));
    }
}
