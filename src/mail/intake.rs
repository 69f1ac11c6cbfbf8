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

/// The most RFC 2231 parameter pieces (`filename*0=`, `filename*1*=`...)
/// one header field may hold. The parser joins each piece to the value so
/// far by copying it: 300,000 pieces in one 8 MB header took 40 seconds. A
/// real client splits a long file name into a handful.
pub const MAX_PARAMETER_PIECES: usize = 100;

/// The number of RFC 2231 pieces (`*N=` or `*N*=` after a parameter name)
/// in `field`.
fn parameter_pieces(field: &[u8]) -> usize {
    let mut count = 0;
    for (at, _) in field.iter().enumerate().filter(|(_, b)| **b == b'*') {
        let named = at > 0 && (field[at - 1].is_ascii_alphanumeric() || matches!(field[at - 1], b'-' | b'_' | b'.'));
        let digits = field[at + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = &field[at + 1 + digits..];
        if named && digits > 0 && (rest.starts_with(b"=") || rest.starts_with(b"*=")) {
            count += 1;
        }
    }
    count
}

/// The most RFC 2231 pieces in one header field of `raw` (the message's
/// own, or a part's); a folded line belongs to the field above it.
fn most_parameter_pieces(raw: &[u8]) -> usize {
    let mut most = 0;
    let mut field = 0;
    for line in raw.split(|b| *b == b'\n') {
        if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            field = 0;
        }
        field += parameter_pieces(line);
        most = most.max(field);
    }
    most
}

/// Refuses a message whose MIME structure would cost the parser far more
/// memory than its size: too many parts, or too many header lines, in the
/// message's own header or in any part's; or far more time: a parameter in
/// too many pieces.
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
    // One pass: the delimiter lines, and the header lines of each part
    // (after a `--` line, up to the blank line that ends the part's header).
    let mut delimiters = 0;
    let mut part_header: Option<usize> = None;
    for line in raw.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.starts_with(b"--") {
            delimiters += 1;
            part_header = Some(0);
        } else if line.is_empty() {
            part_header = None;
        } else if let Some(count) = part_header.as_mut() {
            *count += 1;
            if *count > MAX_HEADER_LINES {
                return Err(refuse(MailRefusal::HeaderTooLong {
                    limit: MAX_HEADER_LINES,
                }));
            }
        }
    }
    if delimiters > MAX_DELIMITER_LINES {
        return Err(refuse(MailRefusal::TooManyDelimiters {
            count: delimiters,
            limit: MAX_DELIMITER_LINES,
        }));
    }
    let pieces = most_parameter_pieces(raw);
    if pieces > MAX_PARAMETER_PIECES {
        return Err(refuse(MailRefusal::TooManyParameterPieces {
            count: pieces,
            limit: MAX_PARAMETER_PIECES,
        }));
    }
    Ok(())
}

/// The most addresses of a message's `To:` and `Cc:` that are looked at
/// for copying on its case: a message to a crowd copies nobody past these.
pub const MAX_COPIED: usize = 50;

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
    /// The other addresses the message went to (`To:` and `Cc:`), plain and
    /// lower case, each once: the customer's people among them are copied
    /// on the case (untrusted: checked against the customer's domains).
    pub copied: Vec<String>,
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
    /// Whether its transfer encoding was broken (a corrupt base64 body): its
    /// bytes are then not the sender's file, and it is left out and noted.
    pub undecodable: bool,
}

/// Whether a message was sent by a machine (see [`Email::automatic`]).
pub fn is_automatic(mail: &Email) -> bool {
    mail.automatic.is_some()
}

/// Why a message is automatic, by the first signal found:
/// - RFC 3834: `Auto-Submitted` other than `no`, and the autoresponders'
///   own `X-Autoreply`, `X-Autorespond`, `X-Autogenerated`,
///   `X-AutoReply-From`, `X-Mail-Autoreply` other than `no`;
/// - `Precedence: bulk|junk|list|auto_reply`;
/// - RFC 3464 and RFC 5965: a message that is a `multipart/report`
///   (delivery status, abuse and feedback reports, read receipts), or a
///   report part alone (a report attached to a customer's text is theirs);
/// - a mailing list: `List-Id` or another RFC 2369 `List-*` header, or
///   `X-Mailman-Version`;
/// - an empty `Return-Path` (`<>`, a bounce);
/// - a well-known automatic sender: mailer-daemon, postmaster,
///   `Mail.Delivery.System`, no-reply and its spellings, a list's
///   `*-request`, `*-bounces` or `owner-*` address;
/// - an out-of-office or bounce subject, as clients word it in several
///   languages ("Automatic reply:", "Out of office", "Abwesenheitsnotiz",
///   "Resposta automática", "Undeliverable:"...), at the subject's start.
///
/// Every copy of a header counts (a second `Auto-Submitted: no` does not
/// undo the first), but for `Return-Path`, whose first copy is the one the
/// delivering server wrote.
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
    for name in AUTORESPONDER_HEADERS {
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
    // The message itself, not a part of it: a customer who attaches the
    // delivery report they got, to say our mail bounces, is speaking.
    if let Some(kind) = message.parts.first().and_then(|part| {
        let ct = part.content_type()?;
        let kind = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase();
        REPORT_TYPES.contains(&kind.as_str()).then_some(kind)
    }) {
        return Some(format!("a report ({kind})"));
    }
    if let Some((name, value)) = message
        .headers_raw()
        .find(|(name, _)| is_list_header(name))
        .map(|(name, value)| (name.to_string(), one_line(value).trim().to_string()))
    {
        return Some(format!("a mailing list ({name}: {value})"));
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
    if is_automatic_sender(&local) {
        return Some(format!("sent by {local}"));
    }
    let subject = one_line(message.subject().unwrap_or(""));
    if let Some(prefix) = automatic_subject(&subject) {
        return Some(format!("an automatic subject ({prefix})"));
    }
    None
}

/// Headers autoresponders set, whose value other than `no` marks a message
/// automatic.
const AUTORESPONDER_HEADERS: [&str; 6] = [
    "Auto-Submitted",
    "X-Autoreply",
    "X-Autorespond",
    "X-Autogenerated",
    "X-AutoReply-From",
    "X-Mail-Autoreply",
];

/// Content types of machine reports: RFC 3462/6522 (`multipart/report`),
/// RFC 3464 delivery status, RFC 5965 feedback (abuse) reports, RFC 8098
/// read receipts.
const REPORT_TYPES: [&str; 5] = [
    "multipart/report",
    "message/delivery-status",
    "message/global-delivery-status",
    "message/feedback-report",
    "message/disposition-notification",
];

/// RFC 2369 and RFC 2919 list headers, and Mailman's own.
fn is_list_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "list-id" | "list-unsubscribe" | "list-subscribe" | "list-post" | "list-help" | "list-owner" | "list-archive"
    ) || lower == "x-mailman-version"
}

/// Local parts of senders that are machines: bounce daemons, no-reply
/// addresses, and list robots (`foo-request`, `foo-bounces`, `owner-foo`).
fn is_automatic_sender(local: &str) -> bool {
    const EXACT: [&str; 10] = [
        "mailer-daemon",
        "postmaster",
        "mail.delivery.system",
        "no-reply",
        "noreply",
        "no_reply",
        "do-not-reply",
        "donotreply",
        "do_not_reply",
        "bounce",
    ];
    EXACT.contains(&local)
        || local.ends_with("-request")
        || local.ends_with("-bounces")
        || local.ends_with("-bounce")
        || local.starts_with("owner-")
        || local.starts_with("bounce+")
        || local.starts_with("bounces+")
}

/// Subject openings of out-of-office replies and bounces, lower case, as
/// common clients and servers word them: English, German, Portuguese,
/// Spanish, French, Italian, Dutch, Swedish/Norwegian/Danish.
const AUTOMATIC_SUBJECTS: [&str; 29] = [
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "automatic reply",
    "automatic response",
    "out of office",
    "out of office autoreply",
    "out of the office",
    "out-of-office",
    "undeliverable",
    "undelivered mail returned to sender",
    "delivery status notification",
    "mail delivery failed: returning message to sender",
    "returned mail",
    "failure notice",
    "abwesenheitsnotiz",
    "automatische antwort",
    "unzustellbar",
    "resposta automática",
    "resposta automatica",
    "respuesta automática",
    "fuera de la oficina",
    "réponse automatique",
    "risposta automatica",
    "automatisch antwoord",
    "afwezigheidsmelding",
    "autosvar",
];

/// The opening of `subject` that marks it automatic, if any. The subject
/// must start with it, followed by nothing, a colon or a parenthesis, as
/// responders write them ("Automatic reply: ...", "Delivery Status
/// Notification (Failure)"): a customer's "Out of office hours support
/// fails" or "Re: out of office?" stays theirs.
fn automatic_subject(subject: &str) -> Option<&'static str> {
    let lower = subject.trim().to_lowercase();
    AUTOMATIC_SUBJECTS.into_iter().find(|prefix| {
        lower.starts_with(prefix)
            && lower[prefix.len()..]
                .trim_start()
                .chars()
                .next()
                .is_none_or(|c| c == ':' || c == '(')
    })
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
    let spelled = domain.trim_end_matches('.');
    let domain = spelled.to_ascii_lowercase();
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
    // A trailing dot (`ana@acme.example.`) is no address to mail back to.
    Ok((format!("{local}@{spelled}"), domain))
}

/// Parses a raw message, refusing one with no sender, no body or broken MIME.
pub fn parse(raw: &[u8]) -> Result<Email> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(refuse(MailRefusal::Empty));
    }
    check_structure(raw)?;
    let raw = first_copy_only(raw, &["content-type", "content-transfer-encoding"]);
    let raw = close_unclosed_multiparts(raw.as_ref());
    let raw = raw.as_ref();
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(refuse(MailRefusal::NoHeader))?;
    for (index, part) in message.parts.iter().enumerate() {
        let declared_multipart = part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"));
        // A broken attachment is left out and noted (below); broken text is
        // the message itself.
        if part.is_encoding_problem && is_text_body(&message, index) {
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
    // RFC 2045 section 5.2: a text part without a subtype is text/plain.
    // The parser keeps such a part as an attachment; a nameless one is
    // the text when there is no other.
    let untyped_text = |part: &mail_parser::MessagePart<'_>| {
        part.attachment_name().is_none()
            && part
                .content_type()
                .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("text") && ct.subtype().is_none())
    };
    let mut text_parts = Vec::new();
    if texts.is_empty() {
        for &at in &message.attachments {
            if let Some(part) = message.parts.get(at as usize).filter(|part| untyped_text(part)) {
                if let PartType::Text(text) = &part.body {
                    texts.push(without_trailing_blanks(&unix_lines(text)));
                    text_parts.push(at);
                }
            }
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
        .attachments
        .iter()
        .filter(|at| !text_parts.contains(at))
        .filter_map(|&at| message.parts.get(at as usize))
        .map(|part| MailAttachment {
            undecodable: part.is_encoding_problem,
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
    let mut copied: Vec<String> = Vec::new();
    for header in [message.to(), message.cc()] {
        for address in header.into_iter().flat_map(|a| a.iter()).filter_map(|a| a.address()) {
            let address = address.trim().to_ascii_lowercase();
            if address != from.to_ascii_lowercase() && !copied.contains(&address) && copied.len() < MAX_COPIED {
                copied.push(address);
            }
        }
    }
    Ok(Email {
        automatic,
        copied,
        from,
        domain,
        subject: one_line(message.subject().unwrap_or("")),
        body,
        message_id: message_id(message.header(HeaderName::MessageId))?,
        replied_to,
        attachments,
    })
}

/// `raw` with only the first copy of each of the message's own `names`
/// headers (lower case), as Python's email package and most clients read
/// a message that repeats one: a second `Content-Type` must not decide how
/// the body reads.
fn first_copy_only<'a>(raw: &'a [u8], names: &[&str]) -> std::borrow::Cow<'a, [u8]> {
    // The header ends at its first blank line, whatever its line ends: a
    // header in `\n` lines and a CRLF blank line further down (a part's
    // text) used to take every part's header for the message's, so their
    // Content-Type and encoding were dropped as second copies.
    let mut end = raw.len();
    let mut at = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if line == b"\n" || line == b"\r\n" {
            end = at;
            break;
        }
        at += line.len();
    }
    let mut seen = Vec::new();
    let mut kept = Vec::with_capacity(raw.len());
    let mut dropping = false;
    let mut changed = false;
    for line in raw[..end].split_inclusive(|&b| b == b'\n') {
        if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            let name = line
                .split(|&b| b == b':')
                .next()
                .map(|name| String::from_utf8_lossy(name).trim().to_ascii_lowercase())
                .unwrap_or_default();
            dropping = names.contains(&name.as_str()) && seen.contains(&name);
            if names.contains(&name.as_str()) {
                seen.push(name);
            }
        }
        if dropping {
            changed = true;
        } else {
            kept.extend_from_slice(line);
        }
    }
    if !changed {
        return std::borrow::Cow::Borrowed(raw);
    }
    kept.extend_from_slice(&raw[end..]);
    std::borrow::Cow::Owned(kept)
}

/// The most multiparts [`close_unclosed_multiparts`] follows at once; deeper
/// ones are left to the parser as they are.
const MAX_OPEN_MULTIPARTS: usize = 64;

/// `raw` with every multipart closed where its parent's next delimiter
/// comes: a forwarded message whose inner multipart never writes its
/// closing `--boundary--` otherwise swallows every part after it (three
/// forwarded messages became one attachment). Python's email package, and
/// mail clients, close it there too.
fn close_unclosed_multiparts(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut open: Vec<Vec<u8>> = Vec::new();
    let mut inserts: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut in_content_type = false;
    let mut offset = 0;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let start = offset;
        offset += line.len();
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let continued = text.starts_with(b" ") || text.starts_with(b"\t");
        if !continued {
            in_content_type = text.len() >= 13 && text[..13].eq_ignore_ascii_case(b"content-type:");
        }
        if in_content_type {
            if let Some(boundary) = boundary_parameter(text) {
                if open.len() < MAX_OPEN_MULTIPARTS && !open.contains(&boundary) {
                    open.push(boundary);
                }
            }
            continue;
        }
        let Some(rest) = text.strip_prefix(b"--") else { continue };
        let closing = rest.ends_with(b"--");
        let name = if closing { &rest[..rest.len() - 2] } else { rest };
        let name = name.trim_ascii_end();
        let Some(level) = open.iter().position(|b| b.as_slice() == name) else {
            continue;
        };
        // Every multipart opened inside this one and still open ends here.
        for inner in open.drain(level + 1..).rev() {
            let mut close = b"--".to_vec();
            close.extend_from_slice(&inner);
            close.extend_from_slice(b"--\r\n");
            inserts.push((start, close));
        }
        if closing {
            open.truncate(level);
        }
    }
    if inserts.is_empty() {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len() + inserts.iter().map(|(_, b)| b.len()).sum::<usize>());
    let mut from = 0;
    for (at, bytes) in inserts {
        out.extend_from_slice(&raw[from..at]);
        // The closing delimiter must start a line of its own.
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(&bytes);
        from = at;
    }
    out.extend_from_slice(&raw[from..]);
    std::borrow::Cow::Owned(out)
}

/// The `boundary` parameter of a Content-Type header line, if it has one.
fn boundary_parameter(line: &[u8]) -> Option<Vec<u8>> {
    let lower: Vec<u8> = line.to_ascii_lowercase();
    let at = lower.windows(9).position(|w| w == b"boundary=")?;
    let value = &line[at + 9..];
    let value = match value.strip_prefix(b"\"") {
        Some(quoted) => &quoted[..quoted.iter().position(|&b| b == b'"')?],
        None => {
            let end = value
                .iter()
                .position(|&b| b == b';' || b.is_ascii_whitespace())
                .unwrap_or(value.len());
            &value[..end]
        }
    };
    (!value.is_empty()).then(|| value.to_vec())
}

/// Whether part `index` is (one of) the message's text or HTML body.
fn is_text_body(message: &mail_parser::Message<'_>, index: usize) -> bool {
    u32::try_from(index).is_ok_and(|index| message.text_body.contains(&index) || message.html_body.contains(&index))
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
    cut_at_word(&email.subject, MAX_SUBJECT_CHARS)
}

/// `text` in at most `max` characters: whole when it fits, else cut at the
/// last space within the limit (or mid-word when a single word is longer
/// than a quarter of it) and ended with "…".
pub fn cut_at_word(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match kept.rfind(char::is_whitespace) {
        Some(space) if kept[space..].chars().count() <= max / 4 => kept[..space].trim_end().to_string(),
        _ => kept,
    };
    format!("{at_word}…")
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

/// The subject of a follow-up: `subject` without the closed case's `[ID]`
/// tag (any case, any spaces inside the brackets) and without the reply
/// and forward prefixes clients put before it ("Re:", "RE:", "Fwd:", "AW:",
/// "SV:", "Res:", "Enc:"...), so the new case's messages carry one tag.
pub fn without_tag(subject: &str, id: &str) -> String {
    let mut out = String::with_capacity(subject.len());
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else { break };
        let inner = rest[open + 1..open + close].trim();
        out.push_str(&rest[..open]);
        if !inner.eq_ignore_ascii_case(id) {
            out.push_str(&rest[open..=open + close]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let mut text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let lower = text.to_lowercase();
        let Some(prefix) = REPLY_PREFIXES.iter().find(|p| lower.starts_with(*p)) else {
            break;
        };
        text = text[prefix.len()..].trim_start().to_string();
    }
    if text.is_empty() {
        "(no subject)".to_string()
    } else {
        text
    }
}

/// Reply and forward prefixes of common clients, lower case, with their colon.
const REPLY_PREFIXES: [&str; 10] = ["re:", "fwd:", "fw:", "aw:", "wg:", "sv:", "vs:", "res:", "enc:", "rv:"];

/// The refusal of a message whose sender's domain is no customer's.
pub fn unknown_sender(domain: &str) -> Error {
    refuse(MailRefusal::UnknownDomain {
        domain: domain.to_string(),
        new_case: true,
    })
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
/// delimiter (`-- `) on cut. An answer written between or below the quoted
/// lines after the attribution (an inline or bottom-posted reply) is kept.
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
        let attribution = if is_attribution(line) {
            Some(index + 1)
        } else if line.trim().len() > 3 && joined.as_deref().is_some_and(is_attribution) {
            Some(index + 2)
        } else {
            None
        };
        if let Some(rest) = attribution {
            let answers = inline_answers(&lines[rest.min(lines.len())..]);
            let after_blank = kept.last().is_none_or(|last| last.trim().is_empty());
            kept.extend(answers.into_iter().skip(usize::from(after_blank)));
            break;
        }
        if is_separator(line) || is_header_block(&lines, index) {
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

/// The customer's own lines after an attribution, when they answered
/// between or below the quoted lines: the unquoted lines up to a
/// separator, a signature or another attribution, with one blank line
/// where quoted lines were. None (the rest is the quoted message) unless
/// some unquoted text follows a quoted line: a top-posted reply's quote
/// only has a client's footer below, and an HTML message's quote (a
/// blockquote, read as text) has no `>` at all.
fn inline_answers<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let mut kept: Vec<&'a str> = vec![""];
    let mut quoted = false;
    let mut answered = false;
    for (index, line) in rest.iter().enumerate() {
        if is_attribution(line) || is_separator(line) || is_header_block(rest, index) {
            break;
        }
        if line.trim_start().starts_with('>') {
            quoted = true;
            if kept.last().is_some_and(|last| !last.trim().is_empty()) {
                kept.push("");
            }
            continue;
        }
        if line.trim().is_empty() && kept.last().is_some_and(|last| last.trim().is_empty()) {
            continue;
        }
        answered |= quoted && !line.trim().is_empty();
        kept.push(line);
    }
    if answered {
        kept
    } else {
        Vec::new()
    }
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
                summary: summary(&mail),
                description: description(&mail, 0),
                email: Some(mail.from.clone()),
                channel: crate::core::vocabulary::Channel::Email,
                ..crate::core::lifecycle::NewCase::example("RC-7Q2M9K4D")
            },
            "ana@acme.example",
            now,
        );
        let yaml = crate::format::to_yaml(&case).expect("yaml");
        assert!(yaml.contains("description: |"), "{yaml}");
        assert!(yaml.contains("  --\n  Ana Lima\n"), "{yaml}");
    }

    use super::*;

    /// A plain customer's message, with `headers` added and `subject`.
    fn message_with(headers: &str, from: &str, subject: &str) -> Vec<u8> {
        format!(
            "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\nMessage-ID: <m1@acme.example>\r\n{headers}\r\nThe export still fails.\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn each_automatic_signal_alone_marks_a_message_automatic() {
        let customer = "ana.souza@acme.example";
        let report = "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n";
        let headers = [
            "Auto-Submitted: auto-replied\r\n",
            "X-Autoreply: yes\r\n",
            "X-Autorespond: yes\r\n",
            "X-Autogenerated: Reply\r\n",
            "X-AutoReply-From: ana.souza@acme.example\r\n",
            "X-Mail-Autoreply: yes\r\n",
            "Precedence: bulk\r\n",
            "Precedence: auto_reply\r\n",
            "List-Id: <users.lists.acme.example>\r\n",
            "List-Unsubscribe: <mailto:leave@acme.example>\r\n",
            "X-Mailman-Version: 2.1.39\r\n",
            "Return-Path: <>\r\n",
        ];
        for header in headers {
            let mail = parse(&message_with(header, customer, "Export fails")).unwrap();
            assert!(mail.automatic.is_some(), "not seen as automatic: {header}");
        }
        let body = "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.example\r\n\r\nFinal-Recipient: rfc822; x@y.example\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n";
        let raw = format!("From: {customer}\r\nSubject: Export fails\r\n{report}\r\n{body}");
        let mail = parse(raw.as_bytes()).unwrap();
        assert!(
            mail.automatic
                .as_deref()
                .is_some_and(|r| r.contains("multipart/report")),
            "{:?}",
            mail.automatic
        );
        let arf = raw
            .replace("report-type=delivery-status", "report-type=feedback-report")
            .replace("message/delivery-status", "message/feedback-report");
        assert!(parse(arf.as_bytes()).unwrap().automatic.is_some());
        for sender in [
            "MAILER-DAEMON@mx.acme.example",
            "postmaster@acme.example",
            "Mail.Delivery.System@acme.example",
            "no-reply@sns.amazonaws.com",
            "noreply@acme.example",
            "do-not-reply@acme.example",
            "users-request@lists.acme.example",
            "users-bounces@lists.acme.example",
            "owner-users@lists.acme.example",
        ] {
            let mail = parse(&message_with("", sender, "Export fails")).unwrap();
            assert!(mail.automatic.is_some(), "not seen as automatic: {sender}");
        }
        for subject in [
            "Auto reply: Export fails",
            "Automatic reply: [RC-7K3QX9MT] Export fails",
            "AutoReply: Export fails",
            "Out of office",
            "Out of Office: Re: Export fails",
            "Out of Office AutoReply: Export fails",
            "Abwesenheitsnotiz: Export fails",
            "Resposta automática: Export fails",
            "Respuesta automática: Export fails",
            "Réponse automatique : Export fails",
            "Risposta automatica: Export fails",
            "Automatisch antwoord: Export fails",
            "Autosvar: Export fails",
            "Undeliverable: Export fails",
            "Undelivered Mail Returned to Sender",
            "Delivery Status Notification (Failure)",
            "Mail delivery failed: returning message to sender",
            "Returned mail: see transcript for details",
            "failure notice",
        ] {
            let mail = parse(&message_with("", customer, subject)).unwrap();
            assert!(mail.automatic.is_some(), "not seen as automatic: {subject}");
        }
    }

    #[test]
    fn a_customers_own_words_are_not_taken_for_a_machines() {
        let customer = "ana.souza@acme.example";
        for (headers, subject) in [
            ("", "Export fails"),
            ("Auto-Submitted: no\r\n", "Export fails"),
            ("Precedence: first-class\r\n", "Export fails"),
            ("", "Re: out of office tomorrow?"),
            ("", "Out of office hours support does not answer"),
            ("", "Undeliverable push notifications on iOS"),
            ("", "Autoreplies from our own app are broken"),
            ("", "Delivery failure of invoices"),
        ] {
            let mail = parse(&message_with(headers, customer, subject)).unwrap();
            assert_eq!(mail.automatic, None, "{headers:?} {subject:?}");
        }
        for sender in [
            "noreply.fan@acme.example",
            "request@acme.example",
            "ana-request-team@acme.example",
        ] {
            let mail = parse(&message_with("", sender, "Export fails")).unwrap();
            assert_eq!(mail.automatic, None, "{sender}");
        }
    }

    #[test]
    fn a_long_summary_is_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(cut_at_word("Export fails", 200), "Export fails");
        let long = format!("{} tail", "word ".repeat(60));
        let cut = cut_at_word(&long, 200);
        assert!(cut.chars().count() <= 200, "{}", cut.chars().count());
        assert!(cut.ends_with("word…"), "{cut}");
        let one_word = "x".repeat(300);
        assert_eq!(cut_at_word(&one_word, 10), "xxxxxxxxx…");
        assert_eq!(cut_at_word("ação ação ação", 12), "ação ação…");
    }

    #[test]
    fn a_follow_ups_subject_loses_the_old_tag_and_the_reply_prefixes() {
        assert_eq!(
            without_tag("Re: [RC-7K3QX9MT] Export fails", "RC-7K3QX9MT"),
            "Export fails"
        );
        assert_eq!(
            without_tag("RE: AW: [ rc-7k3qx9mt ] Export fails", "RC-7K3QX9MT"),
            "Export fails"
        );
        assert_eq!(
            without_tag("Re: [RC-OTHER1] and [RC-7K3QX9MT]", "RC-7K3QX9MT"),
            "[RC-OTHER1] and"
        );
        assert_eq!(without_tag("Re: [RC-7K3QX9MT]", "RC-7K3QX9MT"), "(no subject)");
        assert_eq!(without_tag("Export [fails", "RC-7K3QX9MT"), "Export [fails");
    }

    #[test]
    fn a_part_with_too_many_header_lines_is_refused_and_a_long_body_is_not() {
        let mut raw = String::from(
            "From: a@acme.example\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n",
        );
        raw.push_str(&"X-Filler: x\r\n".repeat(MAX_HEADER_LINES + 1));
        raw.push_str("\r\nbody\r\n--b--\r\n");
        assert!(matches!(
            parse(raw.as_bytes()),
            Err(Error::MailRefused(MailRefusal::HeaderTooLong { .. }))
        ));
        let mut fine = String::from("From: a@acme.example\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n");
        fine.push_str(&"a line of text\r\n".repeat(MAX_HEADER_LINES + 1));
        fine.push_str("--b--\r\n");
        assert!(parse(fine.as_bytes()).is_ok());
    }

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
    fn an_inline_or_bottom_posted_answer_is_kept() {
        let inline = "Hi,\n\nOn Thu, 19 Nov 2026, Support <support@desk.example> wrote:\n> Which version?\n\n7.2\n\n> And which OS?\n> (all of them)\nWindows 11.\n\n-- \nAna";
        assert_eq!(reply_text(inline), "Hi,\n\n7.2\n\nWindows 11.");
        let bottom = "On Thu, 19 Nov 2026, Support <support@desk.example> wrote:\n> Which version?\n\n7.3";
        assert_eq!(reply_text(bottom), "7.3");
        // A top-posted reply keeps only its top, footer or not.
        let top = "Fixed.\n\nOn Thu, Support wrote:\n> Which version?\n>\n> Support";
        assert_eq!(reply_text(top), "Fixed.");
        // An HTML reply's quote, read as text, has no `>`: cut as before.
        let html = "Fixed.\n\nOn Thu, Support wrote:\nWhich version?\nSupport";
        assert_eq!(reply_text(html), "Fixed.");
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
        assert_eq!(
            sender_domain("ana@acme.example.").unwrap(),
            ("ana@acme.example".to_string(), "acme.example".to_string())
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
    fn rfc_2231_pieces_are_counted_per_header_field() {
        assert_eq!(parameter_pieces(b"attachment; filename*0=ab; filename*1*=cd"), 2);
        assert_eq!(parameter_pieces(b"a*2=b and 3 * 4 = 12 and x*=y and *1=z"), 1);
        let raw = b"Content-Type: text/plain; name*0=a;\r\n name*1=b\r\nX: y*0=1\r\n\r\nq*1=2 q*2=3 q*3=4\r\n";
        assert_eq!(most_parameter_pieces(raw), 3);
    }

    #[test]
    fn only_the_messages_own_header_loses_second_copies_whatever_its_line_ends() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\nContent-Type: text/html\n\n--b\nContent-Type: text/plain; charset=iso-8859-1\n\nx\r\n\r\ny\n--b--\n";
        let kept = first_copy_only(raw, &["content-type"]);
        assert_eq!(
            kept.as_ref(),
            b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=iso-8859-1\n\nx\r\n\r\ny\n--b--\n"
        );
    }

    #[test]
    fn cap_text_cuts_on_a_character_boundary() {
        let text = "ação".repeat(10);
        let cut = cap_text(&text, 5);
        assert!(cut.starts_with("aç"));
        assert!(cut.contains("was 60 bytes"));
    }
}
