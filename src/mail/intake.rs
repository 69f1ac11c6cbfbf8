//! E-mail intake: a message read from a mail server's pipe (procmail, a
//! Postfix alias, fetchmail's mda) turned into what `open` and `reply` need.
//!
//! The MIME work (quoted-printable, base64, charsets, multipart) is the
//! mail-parser crate's; this module decides what we accept. Everything in a
//! message is untrusted: it is stored as text and escaped on display.
//! Every refusal is an [`Error::MailRefused`] with its [`MailRefusal`]: the
//! message is bad input, the store is fine, and nothing is created or changed.

use crate::core::config::{Config, Customer};
use crate::core::error::{Error, MailRefusal, Result};
use crate::core::vocabulary::ATTACHMENTS_ONLY;
use mail_parser::{Address, HeaderName, MessageParser, MimeHeaders, PartType};
use std::io::Read;

/// The smallest cap on a message read from stdin (10 MiB). The cap grows
/// with the store's `attachments.max_message_bytes` ([`message_cap`]), as
/// base64 makes attachments a third larger; larger messages are refused
/// before parsing, so a huge one cannot exhaust memory.
pub const MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;

/// The largest raw message read for a store whose attachments of one
/// message may take `max_attachment_bytes`: their base64 size and 1 MiB
/// for the rest, at least [`MAX_MESSAGE_BYTES`].
pub fn message_cap(max_attachment_bytes: u64) -> u64 {
    let encoded = max_attachment_bytes.saturating_add(max_attachment_bytes / 3);
    encoded.saturating_add(1024 * 1024).max(MAX_MESSAGE_BYTES)
}

/// The most text kept from one message (64 KiB): the rest is cut with a note,
/// so that a case file stays well under the store's 1 MiB cap.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The longest summary taken from a Subject, in characters. The `[ID]` tag
/// of a reply is looked for in the whole Subject, before the cut.
pub const MAX_SUBJECT_CHARS: usize = 200;

/// The most bytes of the description that the note naming attachments not
/// kept may take (4 KiB); further names are counted (`and N more`). The
/// body is cut shorter to leave room for it, so the whole description stays
/// within [`MAX_TEXT_BYTES`].
pub const MAX_ATTACHMENT_NOTE_BYTES: usize = 4 * 1024;

/// The most distinct `[ID]` tags a reply's Subject may carry; one with more
/// is refused rather than every tag looked up in the store.
pub const MAX_SUBJECT_TAGS: usize = 20;

/// The longest attachment name written in the note, in characters.
pub const MAX_ATTACHMENT_NAME_CHARS: usize = 100;

/// The longest sender address accepted, in bytes (RFC 5321's limit on a
/// path, less its angle brackets).
pub const MAX_ADDRESS_BYTES: usize = 254;

/// The longest Message-ID accepted, in bytes (RFC 5322's line limit).
pub const MAX_MESSAGE_ID_BYTES: usize = 998;

/// The headers the intake reads that RFC 5322 (section 3.6) allows at most
/// once. A message with two of one is refused: with two `From`, mail-parser
/// reads the last one while DMARC checks the first, so a forged first
/// `From` would pass the mail server's check and a customer's address in
/// the second would be trusted here.
pub const SINGLE_HEADERS: &[(HeaderName<'static>, &str)] = &[
    (HeaderName::From, "From"),
    (HeaderName::Subject, "Subject"),
    (HeaderName::MessageId, "Message-ID"),
    (HeaderName::InReplyTo, "In-Reply-To"),
    (HeaderName::References, "References"),
];

/// The most lines starting with `--` (MIME boundary delimiters, or text
/// that looks like one) a message may have. The parser keeps a record of
/// about 200 bytes per part: 10 MiB of empty parts (`--b` and a blank line
/// each) cost it 420 MB. 100,000 cost about 20 MB.
pub const MAX_DELIMITER_LINES: usize = 100_000;

/// The most lines the message's own header may take (folded lines count):
/// the parser keeps each header, and 1.5 million of them cost 190 MB.
pub const MAX_HEADER_LINES: usize = 10_000;

/// Refuses a message whose MIME structure would cost the parser far more
/// memory than its size: too many parts, or too many header lines.
fn check_structure(raw: &[u8]) -> Result<()> {
    let mut lines = raw.split(|b| *b == b'\n');
    let header_lines = lines
        .by_ref()
        .take_while(|line| !line.strip_suffix(b"\r").unwrap_or(line).is_empty())
        .take(MAX_HEADER_LINES + 1)
        .count();
    if header_lines > MAX_HEADER_LINES {
        return Err(refuse(MailRefusal::HeaderTooLong {
            limit: MAX_HEADER_LINES,
        }));
    }
    let delimiters = raw
        .split(|b| *b == b'\n')
        .filter(|line| line.starts_with(b"--"))
        .count();
    if delimiters > MAX_DELIMITER_LINES {
        return Err(refuse(MailRefusal::TooManyDelimiters {
            count: delimiters,
            limit: MAX_DELIMITER_LINES,
        }));
    }
    Ok(())
}

/// What a message says, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The sender's address (From).
    pub from: String,
    /// The sender's domain, lower case.
    pub domain: String,
    /// The whole Subject, on one line; empty when missing (see [`summary`]
    /// for the cut one a case keeps).
    pub subject: String,
    /// The text body: the text/plain part(s), or the HTML part as text when
    /// there is no text part; lines end with `\n`; trimmed.
    pub body: String,
    /// The Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To and References message IDs, most recent first.
    pub replied_to: Vec<String>,
    /// The attachments: every part that is not the text body, inline images included.
    pub attachments: Vec<MailAttachment>,
    /// Why the message was sent by a machine, when it was (an out-of-office,
    /// a bounce, a list): such a message is never taken as the customer
    /// speaking, and never answered (RFC 3834).
    pub automatic: Option<String>,
}

/// One attachment of a message, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// The file name the sender gave (untrusted; a label only).
    pub name: String,
    /// The declared content type, `type/subtype`, when there is one.
    pub content_type: Option<String>,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// Whether a message was sent by a machine (see [`Email::automatic`]).
pub fn is_automatic(mail: &Email) -> bool {
    mail.automatic.is_some()
}

/// Why a message is automatic: `Auto-Submitted` other than `no`,
/// `Precedence: bulk|junk|list|auto_reply`, an `X-Autoreply` or
/// `X-Autorespond` other than `no` (autoresponders that set nothing else),
/// an empty `Return-Path` (`<>`, a bounce), or a mailer-daemon or
/// postmaster sender. Every copy of a header counts (a second
/// `Auto-Submitted: no` does not undo the first), but for `Return-Path`,
/// whose first copy is the one the delivering server wrote.
fn automatic_reason(message: &mail_parser::Message<'_>, from: &str) -> Option<String> {
    let values = |name: &str| -> Vec<String> {
        message
            .headers_raw()
            .filter(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| one_line(value).trim().to_string())
            .collect()
    };
    // The keyword, without a comment or parameters (`auto-replied; x=y`, `bulk (list)`).
    let keyword = |value: &str| {
        value
            .split([';', '(', ' '])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    for name in ["Auto-Submitted", "X-Autoreply", "X-Autorespond"] {
        if let Some(value) = values(name).into_iter().find(|value| keyword(value) != "no") {
            return Some(format!("{name}: {value}"));
        }
    }
    if let Some(value) = values("Precedence")
        .into_iter()
        .find(|value| ["bulk", "junk", "list", "auto_reply"].contains(&keyword(value).as_str()))
    {
        return Some(format!("Precedence: {value}"));
    }
    if let Some(value) = values("Return-Path").into_iter().next() {
        if value
            .trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
            .is_empty()
        {
            return Some("an empty Return-Path (a bounce)".into());
        }
    }
    let local = from.split('@').next().unwrap_or("").to_ascii_lowercase();
    if local == "mailer-daemon" || local == "postmaster" {
        return Some(format!("sent by {local}"));
    }
    None
}

/// A refusal: bad input, nothing created or changed.
pub fn refuse(reason: MailRefusal) -> Error {
    Error::MailRefused(reason)
}

/// Reads a message from `input`, refusing one over [`MAX_MESSAGE_BYTES`].
pub fn read_message(input: impl Read) -> Result<Vec<u8>> {
    read_message_within(input, MAX_MESSAGE_BYTES)
}

/// Reads a message from `input`, refusing one over `cap` bytes ([`message_cap`]).
pub fn read_message_within(input: impl Read, cap: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("<stdin>", e))?;
    if bytes.len() as u64 > cap {
        return Err(refuse(MailRefusal::TooLarge { cap }));
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

/// Text without the spaces and tabs that end its lines. They draw nothing,
/// and YAML cannot keep them in a block scalar: the signature separator
/// `-- ` alone would turn the whole description into one long quoted
/// string in the case file.
fn without_trailing_blanks(text: &str) -> String {
    text.split('\n')
        .map(|line| line.trim_end_matches([' ', '\t']))
        .collect::<Vec<_>>()
        .join("\n")
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
    if address.len() > MAX_ADDRESS_BYTES {
        return Err(refuse(MailRefusal::AddressTooLong {
            bytes: address.len(),
            limit: MAX_ADDRESS_BYTES,
        }));
    }
    let (local, domain) = address.rsplit_once('@').ok_or_else(|| {
        refuse(MailRefusal::NotAnAddress {
            address: address.to_string(),
        })
    })?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    // A second `@` means the header was read as something other than one
    // address (`<a@x> <b@y>` comes out as `a@xb@y`): which one a mail server
    // checked is anyone's guess.
    let valid = !local.is_empty()
        && !local.contains('@')
        && !domain.is_empty()
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii());
    if !valid {
        return Err(refuse(MailRefusal::NotAnAddress {
            address: address.to_string(),
        }));
    }
    Ok((address.to_string(), domain))
}

/// Parses a raw message, refusing one with no sender, no body or broken MIME.
pub fn parse(raw: &[u8]) -> Result<Email> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(refuse(MailRefusal::Empty));
    }
    check_structure(raw)?;
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(refuse(MailRefusal::NoHeader))?;
    for (index, part) in message.parts.iter().enumerate() {
        let declared_multipart = part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"));
        if part.is_encoding_problem {
            return Err(refuse(MailRefusal::UndecodablePart { index }));
        }
        if declared_multipart && !matches!(part.body, PartType::Multipart(_)) {
            return Err(refuse(MailRefusal::MissingBoundary { index }));
        }
    }
    for (name, spelling) in SINGLE_HEADERS {
        let count = message.header_values(name.clone()).count();
        if count > 1 {
            return Err(refuse(MailRefusal::RepeatedHeader {
                header: spelling,
                count,
            }));
        }
    }
    let from = single_sender(message.from())?;
    let (from, domain) = sender_domain(from)?;
    let mut texts = Vec::new();
    for index in 0..message.text_body_count() {
        if let Some(text) = message.body_text(index) {
            texts.push(without_trailing_blanks(&unix_lines(&text)));
        }
    }
    let body = texts.join("\n\n").trim().to_string();
    if body.is_empty() && message.attachments().next().is_none() {
        return Err(refuse(MailRefusal::NoTextBody));
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
        .map(|part| MailAttachment {
            name: part.attachment_name().unwrap_or("(unnamed)").to_string(),
            content_type: part.content_type().map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{sub}", ct.ctype()),
                None => ct.ctype().to_string(),
            }),
            bytes: match &part.body {
                // A forwarded message is kept as the message it was.
                PartType::Message(inner) => inner.raw_message().to_vec(),
                _ => part.contents().to_vec(),
            },
        })
        .collect();
    let automatic = automatic_reason(&message, &from);
    // A message of files only still says something.
    let body = if body.is_empty() {
        ATTACHMENTS_ONLY.to_string()
    } else {
        body
    };
    Ok(Email {
        automatic,
        from,
        domain,
        subject: one_line(message.subject().unwrap_or("")),
        body,
        message_id: message_id(message.header(HeaderName::MessageId))?,
        replied_to,
        attachments,
    })
}

/// The one mailbox of the From header, or why there is not exactly one: a
/// list or a group (also what a From folded over a second `From:` line
/// parses as) would leave us picking one of several senders.
fn single_sender<'a>(from: Option<&'a Address<'a>>) -> Result<&'a str> {
    let none = || refuse(MailRefusal::NoSender);
    match from.ok_or_else(none)? {
        Address::List(list) if list.len() > 1 => Err(refuse(MailRefusal::SeveralSenders { count: list.len() })),
        Address::List(list) => list.first().and_then(|a| a.address()).ok_or_else(none),
        Address::Group(_) => Err(refuse(MailRefusal::SenderGroup)),
    }
}

/// The Message-ID without angle brackets; a header naming several IDs, or
/// one over [`MAX_MESSAGE_ID_BYTES`], is refused.
fn message_id(value: Option<&mail_parser::HeaderValue>) -> Result<Option<String>> {
    let ids: Vec<String> = match value {
        Some(mail_parser::HeaderValue::Text(id)) => strip_brackets(id).into_iter().collect(),
        Some(mail_parser::HeaderValue::TextList(ids)) => ids.iter().filter_map(|id| strip_brackets(id)).collect(),
        _ => Vec::new(),
    };
    if ids.len() > 1 {
        return Err(refuse(MailRefusal::SeveralMessageIds { count: ids.len() }));
    }
    let id = ids.into_iter().next();
    if let Some(id) = &id {
        if id.len() > MAX_MESSAGE_ID_BYTES {
            return Err(refuse(MailRefusal::MessageIdTooLong {
                bytes: id.len(),
                limit: MAX_MESSAGE_ID_BYTES,
            }));
        }
    }
    Ok(id)
}

/// The summary of a case opened by e-mail: the Subject cut to
/// [`MAX_SUBJECT_CHARS`], or `(no subject)`.
pub fn summary(email: &Email) -> String {
    if email.subject.is_empty() {
        return "(no subject)".to_string();
    }
    email.subject.chars().take(MAX_SUBJECT_CHARS).collect()
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

/// The description of a case opened by e-mail: the body cut to
/// [`MAX_TEXT_BYTES`], less `room` bytes kept for a note that follows it
/// (attachments left out).
pub fn description(email: &Email, room: usize) -> String {
    cap_text(&email.body, MAX_TEXT_BYTES.saturating_sub(room))
}

/// The names of a message's attachments.
pub fn attachment_names(email: &Email) -> Vec<String> {
    email.attachments.iter().map(|a| a.name.clone()).collect()
}

/// `\n\n[attachments not kept: a.pdf, b.png and 3 more]`, or nothing: what
/// an automatic message (never taken as the customer's) says of its files.
/// At most [`MAX_ATTACHMENT_NOTE_BYTES`]; the names past it are counted.
pub fn attachment_note(names: &[String]) -> String {
    let names: Vec<String> = names
        .iter()
        .map(|name| {
            let name = one_line(name);
            if name.chars().count() > MAX_ATTACHMENT_NAME_CHARS {
                name.chars().take(MAX_ATTACHMENT_NAME_CHARS).collect::<String>() + "…"
            } else {
                name
            }
        })
        .collect();
    capped_list(
        ("\n\n[attachments not kept: ", "]"),
        &names,
        ", ",
        MAX_ATTACHMENT_NOTE_BYTES,
        "attachments",
    )
}

/// `{head}a, b and 3 more{tail}`, or nothing for no items: the items in
/// order while the whole stays within `max_bytes`, the rest counted ("and
/// N more", or "N {noun}" when not even the first fits).
pub fn capped_list(
    (head, tail): (&str, &str),
    items: &[String],
    separator: &str,
    max_bytes: usize,
    noun: &str,
) -> String {
    if items.is_empty() {
        return String::new();
    }
    // Room for the longest "and N more" there can be.
    let more_room = format!(" and {} more", items.len()).len();
    let budget = max_bytes.saturating_sub(head.len() + tail.len() + more_room);
    let mut listed = String::new();
    let mut count = 0;
    for item in items {
        let gap = if count == 0 { "" } else { separator };
        if listed.len() + gap.len() + item.len() > budget {
            break;
        }
        listed.push_str(gap);
        listed.push_str(item);
        count += 1;
    }
    let more = match items.len() - count {
        0 => String::new(),
        rest if count == 0 => format!("{rest} {noun}"),
        rest => format!(" and {rest} more"),
    };
    format!("{head}{listed}{more}{tail}")
}

/// The case IDs tagged in a subject as `[PREFIX-XXXXXXXX]`, upper-cased, in
/// order, each once. The whole Subject is searched (it can be as long as
/// the message), in one pass; the search stops at one tag past
/// [`MAX_SUBJECT_TAGS`], enough to tell that there are too many.
pub fn subject_tags(subject: &str, prefix: &str) -> Vec<String> {
    let head = format!("{prefix}-");
    let mut tags: Vec<String> = Vec::new();
    let mut pieces = subject.split(']').peekable();
    while let Some(piece) = pieces.next() {
        // The last piece has no `]` after it.
        if pieces.peek().is_none() {
            break;
        }
        // A tag holds no `[`, so only the text after a piece's last `[` can be one.
        let Some(open) = piece.rfind('[') else { continue };
        let inner = piece[open + 1..].trim();
        let tagged = inner
            .get(..head.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(&head));
        let word = inner.len() > head.len() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if tagged && word {
            let tag = inner.to_ascii_uppercase();
            if !tags.contains(&tag) {
                tags.push(tag);
                if tags.len() > MAX_SUBJECT_TAGS {
                    break;
                }
            }
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
    #[test]
    fn a_description_ending_with_a_signature_stays_a_block_scalar_in_the_case_file() {
        let raw = "From: Ana <ana@acme.example>\r\nTo: support@desk.example\r\nSubject: Push fails\r\n\r\n\
                   Pushes arrive late.  \r\nSince Monday.\r\n\r\n-- \r\nAna Lima\r\nAcme Corp\r\n";
        let mail = parse(raw.as_bytes()).expect("parse");
        assert!(mail.body.contains("\n--\nAna Lima"), "{:?}", mail.body);
        let now = crate::core::time::parse_instant("2026-11-19T10:00:00Z").expect("instant");
        let case = crate::core::lifecycle::open(
            crate::core::lifecycle::NewCase {
                id: "RC-7Q2M9K4D".into(),
                customer: "Acme Corp".into(),
                summary: summary(&mail),
                description: description(&mail, 0),
                email: Some(mail.from.clone()),
                channel: crate::core::vocabulary::Channel::Email,
                severity: None,
                follow_up_of: None,
                message_id: None,
                assignee: None,
                routing_reason: None,
            },
            "ana@acme.example",
            now,
        );
        let yaml = crate::format::to_yaml(&case).expect("yaml");
        assert!(yaml.contains("description: |"), "{yaml}");
        assert!(yaml.contains("  --\n  Ana Lima\n"), "{yaml}");
    }

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
    fn tags_are_found_anywhere_in_a_long_subject_in_linear_time() {
        let late = format!("Re: {} [RC-7Q2M9K4D] [rc-7q2m9k4d]", "x".repeat(5000));
        assert_eq!(subject_tags(&late, "RC"), vec!["RC-7Q2M9K4D".to_string()]);
        assert_eq!(
            subject_tags("[a [RC-AAAAAAAA] b] [ RC-BBBBBBBB ]", "RC"),
            vec!["RC-AAAAAAAA".to_string(), "RC-BBBBBBBB".to_string()]
        );
        // Every `[` once open with the one `]` at the end: quadratic for a
        // search that restarts after each `[`.
        let brackets = format!("{}]", "[ ".repeat(5 * 1024 * 1024));
        let started = std::time::Instant::now();
        assert!(subject_tags(&brackets, "RC").is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let many: String = (0..100).map(|i| format!("[RC-{i:08}]")).collect();
        assert_eq!(subject_tags(&many, "RC").len(), MAX_SUBJECT_TAGS + 1);
    }

    #[test]
    fn the_attachment_note_is_capped_and_counts_the_rest() {
        let names: Vec<String> = (0..1000).map(|i| format!("{}-{i}.pdf", "n".repeat(200))).collect();
        let note = attachment_note(&names);
        assert!(note.len() <= MAX_ATTACHMENT_NOTE_BYTES, "{}", note.len());
        let listed = note.matches(".pdf").count() + note.matches('…').count();
        assert!(listed > 0);
        assert!(note.ends_with(&format!(" and {} more]", 1000 - listed)), "{note}");
        assert_eq!(
            attachment_note(&["a.pdf".into(), "b\nc.png".into()]),
            "\n\n[attachments not kept: a.pdf, b c.png]"
        );
        assert_eq!(attachment_note(&[]), "");
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
        assert!(matches!(sender_domain("nobody").unwrap_err(), Error::MailRefused(_)));
        assert!(matches!(
            sender_domain("@acme.example").unwrap_err(),
            Error::MailRefused(_)
        ));
        assert!(matches!(
            sender_domain("a b@acme.example").unwrap_err(),
            Error::MailRefused(_)
        ));
        assert!(matches!(
            sender_domain("a@evil.exampleb@acme.example").unwrap_err(),
            Error::MailRefused(_)
        ));
        let long = format!("{}@acme.example", "a".repeat(MAX_ADDRESS_BYTES));
        assert!(matches!(sender_domain(&long).unwrap_err(), Error::MailRefused(_)));
    }

    #[test]
    fn cap_text_cuts_on_a_character_boundary() {
        let text = "ação".repeat(10);
        let cut = cap_text(&text, 5);
        assert!(cut.starts_with("aç"));
        assert!(cut.contains("was 60 bytes"));
    }
}
