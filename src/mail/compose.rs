//! Outbound mail, composed: the message a public event sends the customer.
//!
//! Pure: the case, the event's notice, the store's `mail:` settings, the
//! template text and *now* in; the message's bytes out. The operations queue
//! what this composes in the same locked write as the event; `deliver` hands
//! the bytes to a mail server. Messages are built with lettre's builder
//! (UTF-8, MIME-correct, headers encoded and folded by it).
//!
//! Templates are plain text with `{placeholder}`s, replaced in one pass:
//! text put in (a summary, a message) is never scanned again, so customer
//! text cannot expand a placeholder, and no code runs from a template.

use crate::core::case::Case;
use crate::core::config::{parse_mailbox, MailConfig};
use crate::core::vocabulary::{status_for_customer, ActionKind};
use crate::store::outbox::{DeliveryState, MessageKind, OutboxMessage};
use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0};
use serde::{Deserialize, Serialize};

/// What a message tells the customer: one per public event written by support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Notice {
    /// `open`: the case ID, what happens next, the first-response target.
    Acknowledgement,
    /// `request-info`: the analyst's message.
    RequestInfo,
    /// `close`: the resolution, and how to come back.
    Resolution,
    /// `remind`: the question still waits; the date the case will close.
    Reminder,
    /// `sweep`: the case closed for no response; how to come back.
    AutoClose,
    /// `merge`: the case was merged into another; reply there.
    Merged,
}

impl Notice {
    /// Every notice, in life-cycle order.
    pub const ALL: [Notice; 6] = [
        Notice::Acknowledgement,
        Notice::RequestInfo,
        Notice::Resolution,
        Notice::Reminder,
        Notice::AutoClose,
        Notice::Merged,
    ];

    /// The template's name: a store overrides it with `templates/<name>.txt`.
    pub fn template_name(self) -> &'static str {
        match self {
            Notice::Acknowledgement => "acknowledgement",
            Notice::RequestInfo => "request-info",
            Notice::Resolution => "resolution",
            Notice::Reminder => "reminder",
            Notice::AutoClose => "auto-close",
            Notice::Merged => "merged",
        }
    }

    /// RFC 3834's `Auto-Submitted` value: `auto-replied` for the answer to a
    /// customer's message, `auto-generated` for what a timer sends, none for
    /// what a person wrote.
    pub fn auto_submitted(self) -> Option<&'static str> {
        match self {
            Notice::Acknowledgement => Some("auto-replied"),
            Notice::Reminder | Notice::AutoClose => Some("auto-generated"),
            Notice::RequestInfo | Notice::Resolution | Notice::Merged => None,
        }
    }

    /// The built-in template in `language` (a tag such as `pt-BR`):
    /// Brazilian Portuguese for any `pt`, English for the rest.
    pub fn default_template_for(self, language: Option<&str>) -> &'static str {
        if !language.is_some_and(is_portuguese) {
            return self.default_template();
        }
        match self {
            Notice::Acknowledgement => ACKNOWLEDGEMENT_PT,
            Notice::RequestInfo => REQUEST_INFO_PT,
            Notice::Resolution => RESOLUTION_PT,
            Notice::Reminder => REMINDER_PT,
            Notice::AutoClose => AUTO_CLOSE_PT,
            Notice::Merged => MERGED_PT,
        }
    }

    /// The built-in template, in English.
    pub fn default_template(self) -> &'static str {
        match self {
            Notice::Acknowledgement => ACKNOWLEDGEMENT,
            Notice::RequestInfo => REQUEST_INFO,
            Notice::Resolution => RESOLUTION,
            Notice::Reminder => REMINDER,
            Notice::AutoClose => AUTO_CLOSE,
            Notice::Merged => MERGED,
        }
    }
}

const ACKNOWLEDGEMENT: &str = "\
Hello,

Your ticket {id} has been received, and a Support Analyst has been assigned to analyze your case. They will contact you to understand the business impact and collect the details.

Summary: {summary}
Severity: {severity}
First response by: {first_response_due}

Reply to this message to add anything; keep {id} in the subject.

{signature}
";

const REQUEST_INFO: &str = "\
Hello,

{message}

Your ticket {id} is waiting for your answer. Without an answer it will be closed on {closes_on}.

{signature}
";

const RESOLUTION: &str = "\
Hello,

Your ticket {id} has been resolved and closed:

{resolution}

If the problem comes back, reply to this message: we will open a follow-up case that links this one.

{signature}
";

const REMINDER: &str = "\
Hello,

We are still waiting for your answer on ticket {id} ({summary}). Without an answer it will be closed on {closes_on}.

{signature}
";

const AUTO_CLOSE: &str = "\
Hello,

Your ticket {id} ({summary}) was closed because we did not hear back from you for {auto_close_after_days} days.

If you still need help, reply to this message: we will open a follow-up
case that links this one.

{signature}
";

const ACKNOWLEDGEMENT_PT: &str = "\
Olá,

Seu chamado {id} foi recebido, e um Analista de Suporte foi designado para analisar o seu caso. Ele entrará em contato para entender o impacto no negócio e coletar os detalhes.

Resumo: {summary}
Severidade: {severity}
Primeira resposta até: {first_response_due}

Responda a esta mensagem para acrescentar qualquer informação; mantenha {id} no assunto.

{signature}
";

const REQUEST_INFO_PT: &str = "\
Olá,

{message}

Seu chamado {id} aguarda a sua resposta. Sem resposta, ele será encerrado em {closes_on}.

{signature}
";

const RESOLUTION_PT: &str = "\
Olá,

Seu chamado {id} foi resolvido e encerrado:

{resolution}

Se o problema voltar, responda a esta mensagem: abriremos um caso de acompanhamento vinculado a este.

{signature}
";

const REMINDER_PT: &str = "\
Olá,

Ainda aguardamos a sua resposta no chamado {id} ({summary}). Sem resposta, ele será encerrado em {closes_on}.

{signature}
";

const AUTO_CLOSE_PT: &str = "\
Olá,

Seu chamado {id} ({summary}) foi encerrado porque não tivemos retorno seu por {auto_close_after_days} dias.

Se ainda precisar de ajuda, responda a esta mensagem: abriremos um caso de acompanhamento vinculado a este.

{signature}
";

const MERGED: &str = "\
Hello,

Your case {id} ({summary}) was merged into {merged_into}, which is about the same problem. Please reply there: write to us with {merged_into} in the subject, or reply to this message and it will reach {merged_into}.

{message}

{signature}
";

const MERGED_PT: &str = "\
Olá,

Seu chamado {id} ({summary}) foi unido ao chamado {merged_into}, que trata do mesmo problema. Por favor, responda por lá: escreva com {merged_into} no assunto, ou responda a esta mensagem e ela chegará ao {merged_into}.

{message}

{signature}
";

/// A severity as the customer's language says it.
fn severity_word(severity: crate::core::vocabulary::Severity, language: Option<&str>) -> String {
    use crate::core::vocabulary::Severity;
    if !language.is_some_and(is_portuguese) {
        return severity.to_string();
    }
    match severity {
        Severity::Low => "baixa",
        Severity::Medium => "média",
        Severity::High => "alta",
    }
    .to_string()
}

/// Whether a language tag is Portuguese (`pt`, `pt-BR`, `pt-PT`...).
fn is_portuguese(language: &str) -> bool {
    language
        .split('-')
        .next()
        .is_some_and(|primary| primary.eq_ignore_ascii_case("pt"))
}

/// An instant as a customer reads it: in their time zone (UTC when none),
/// with the weekday and month in their language.
pub fn date_for_customer(at: DateTime<Utc>, timezone: Option<chrono_tz::Tz>, language: Option<&str>) -> String {
    use chrono::{Datelike, Timelike};
    let zone = timezone.unwrap_or(chrono_tz::UTC);
    let local = at.with_timezone(&zone);
    let zone_name = if zone == chrono_tz::UTC {
        "UTC".to_string()
    } else {
        zone.name().to_string()
    };
    let weekday = local.weekday().num_days_from_monday() as usize;
    let month = local.month0() as usize;
    if language.is_some_and(is_portuguese) {
        const DIAS: [&str; 7] = [
            "segunda-feira",
            "terça-feira",
            "quarta-feira",
            "quinta-feira",
            "sexta-feira",
            "sábado",
            "domingo",
        ];
        const MESES: [&str; 12] = [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ];
        format!(
            "{}, {} de {} de {}, {:02}:{:02} ({zone_name})",
            DIAS[weekday],
            local.day(),
            MESES[month],
            local.year(),
            local.hour(),
            local.minute()
        )
    } else if zone == chrono_tz::UTC {
        local.format("%A %-d %B %Y, %H:%M UTC").to_string()
    } else {
        format!("{} ({zone_name})", local.format("%A %-d %B %Y, %H:%M"))
    }
}

/// The values a template's placeholders take, besides the case's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    /// The event's public text: a question or an answer, a resolution, the
    /// customer's description for an acknowledgement (never a routing reason).
    pub message: Option<String>,
    /// When a waiting case will be auto-closed.
    pub closes_on: Option<DateTime<Utc>>,
    /// The first-response target.
    pub first_response_due: Option<DateTime<Utc>>,
    /// The store's auto-close rule, in days.
    pub auto_close_after_days: u32,
    /// What the event says of files it left out (over a limit), added to
    /// the message whatever its template: the sender must hear of it.
    pub left_out: Option<String>,
    /// The customer's time zone for dates (UTC when none).
    pub timezone: Option<chrono_tz::Tz>,
    /// The customer's language tag (English when none).
    pub language: Option<String>,
    /// The customer's people copied on the message (`Cc:`), plain addresses.
    pub cc: Vec<String>,
}

/// A composed message, ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The recipient's address, without a display name.
    pub to: String,
    /// The addresses copied (`Cc:`), plain, in the header's order.
    pub cc: Vec<String>,
    /// The subject, `[ID] summary`.
    pub subject: String,
    /// The message's own `Message-ID`, without angle brackets.
    pub message_id: String,
    /// The whole message, headers and body (CRLF line ends).
    pub bytes: Vec<u8>,
}

impl Composed {
    /// The outbox message that sends it, queued at `at` and not yet tried,
    /// from the store's envelope sender. It is about no case and no event (a
    /// sign-in link) until the caller names them:
    /// `OutboxMessage { case, action, .., ..composed.into_outbox(mail, at) }`.
    pub fn into_outbox(self, mail: &MailConfig, at: DateTime<Utc>) -> OutboxMessage {
        OutboxMessage {
            kind: MessageKind::SignIn,
            case: String::new(),
            action: ActionKind::Open,
            event_at: at,
            event_index: 0,
            event_actor: None,
            event_message: None,
            from: envelope_sender(mail).unwrap_or_default(),
            to: self.to,
            cc: self.cc,
            subject: self.subject,
            message_id: self.message_id,
            state: DeliveryState::Queued,
            queued_at: at,
            sent_at: None,
            attempts: 0,
            error: None,
            resent: false,
            message: String::from_utf8_lossy(&self.bytes).into_owned(),
            attachments: Vec::new(),
        }
    }
}

/// Why a message could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// The case has no contact address: nothing is queued.
    #[error("the case has no contact address")]
    NoContact,
    /// An address (the contact's or the store's) is not valid.
    #[error("{0}")]
    Address(String),
    /// lettre refused the message.
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// The Message-ID the case's thread hangs from: the customer's first message
/// when the case came by mail, else the acknowledgement's own ID.
pub fn thread_root(case: &Case, from_domain: &str) -> String {
    match &case.message_id {
        Some(id) => id.trim_matches(['<', '>']).to_string(),
        None => format!("{}@{}", case.id, from_domain),
    }
}

/// Whether a contact address (`Name <user@domain>` or `user@domain`) has a
/// non-ASCII local part, which no plain SMTP transport carries.
pub fn needs_smtputf8(email: &str) -> bool {
    parse_mailbox("the contact's address", email).is_ok_and(|mailbox| !mailbox.email.user().is_ascii())
}

/// The contact's mailbox, refused when its local part is not ASCII: such an
/// address needs SMTPUTF8 (RFC 6531) all along its path, which the desk
/// does not ask for, so every attempt would fail; refused, it is withheld
/// once instead of failing on every `deliver`.
fn contact_mailbox(to_text: &str) -> Result<lettre::message::Mailbox, ComposeError> {
    let to = parse_mailbox("the case's e-mail", to_text).map_err(ComposeError::Address)?;
    if !to.email.user().is_ascii() {
        return Err(ComposeError::Address(format!(
            "the case's e-mail {to_text:?} has a non-ASCII local part, which needs SMTPUTF8 (RFC 6531); the desk sends plain SMTP"
        )));
    }
    Ok(to)
}

/// The address alone of a case's contact (`Ana <ana@acme.example>` is
/// `ana@acme.example`): the envelope's recipient, which SMTP takes bare.
pub fn contact_address(email: &str) -> Option<String> {
    parse_mailbox("the case's e-mail", email)
        .ok()
        .map(|mailbox| mailbox.email.to_string())
}

/// The address of the store's `From`, for the envelope.
pub fn envelope_sender(mail: &MailConfig) -> Result<String, ComposeError> {
    let mailbox = parse_mailbox("mail.from", &mail.from).map_err(ComposeError::Address)?;
    Ok(mailbox.email.to_string())
}

/// The domain of the store's `From` address (for Message-IDs).
pub fn from_domain(mail: &MailConfig) -> Result<String, ComposeError> {
    let mailbox = parse_mailbox("mail.from", &mail.from).map_err(ComposeError::Address)?;
    Ok(mailbox.email.domain().to_string())
}

/// Composes the message of `notice` for `case`. `unique` makes the
/// Message-ID unique (the caller draws it at random); the acknowledgement of
/// a case that did not come by mail takes the thread root as its ID, so that
/// every later message threads under it.
pub fn compose(
    notice: Notice,
    case: &Case,
    details: &Details,
    mail: &MailConfig,
    template: &str,
    unique: &str,
    now: DateTime<Utc>,
) -> Result<Composed, ComposeError> {
    let to_text = case.email.as_deref().ok_or(ComposeError::NoContact)?;
    let to = contact_mailbox(to_text)?;
    let from = parse_mailbox("mail.from", &mail.from).map_err(ComposeError::Address)?;
    let domain = from.email.domain().to_string();
    let root = thread_root(case, &domain);
    let starts_thread = notice == Notice::Acknowledgement && case.message_id.is_none();
    let message_id = if starts_thread {
        root.clone()
    } else {
        format!("{}.{}.{unique}@{domain}", case.id, notice.template_name())
    };
    let subject = format!("[{}] {}", case.id, one_line(&case.summary));
    let mut body = wrap(&fill(template, case, details, &mail.signature)?, WRAP_COLUMNS);
    if notice == Notice::Merged {
        // The analyst's word is optional: without it, no gap of empty lines.
        body = without_blank_runs(&body);
    }
    if let Some(note) = &details.left_out {
        body = format!("{}\n\n{}\n", body.trim_end(), note.trim());
    }

    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to.clone())
        .subject(subject.clone())
        .date(now.into())
        .message_id(Some(format!("<{message_id}>")));
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(parse_mailbox("mail.reply_to", reply_to).map_err(ComposeError::Address)?);
    }
    let mut cc = Vec::new();
    for address in &details.cc {
        let copied = contact_mailbox(address)?;
        if copied.email != to.email && !cc.contains(&copied.email.to_string()) {
            cc.push(copied.email.to_string());
            builder = builder.cc(copied);
        }
    }
    if !starts_thread {
        builder = builder.in_reply_to(format!("<{root}>")).references(format!("<{root}>"));
    }
    if let Some(value) = notice.auto_submitted() {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            value.to_string(),
        ));
    }
    let mut composed = finish(builder, body, to.email.to_string(), subject, message_id)?;
    composed.cc = cc;
    Ok(composed)
}

/// `text` with every run of blank lines cut to one.
fn without_blank_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.split_inclusive('\n') {
        let is_blank = line.trim().is_empty();
        if !(is_blank && blank) {
            out.push_str(line);
        }
        blank = is_blank;
    }
    out
}

/// Customer text on one line, without control characters (a summary is a
/// header's value here).
/// The message that carries a portal sign-in link to `to`: plain text,
/// `Auto-Submitted: auto-replied` (it answers the contact's request).
pub fn compose_sign_in(
    to_text: &str,
    link: &str,
    code: &str,
    valid_minutes: i64,
    mail: &MailConfig,
    unique: &str,
    now: DateTime<Utc>,
) -> Result<Composed, ComposeError> {
    let to = parse_mailbox("the contact's address", to_text).map_err(ComposeError::Address)?;
    let from = parse_mailbox("mail.from", &mail.from).map_err(ComposeError::Address)?;
    let message_id = format!("sign-in.{unique}@{}", from.email.domain());
    let subject = "Your sign-in link to the support portal".to_string();
    let body = format!(
        "Hello,\n\nSomeone (we hope you) asked to sign in to the support portal as {to_text}.\n\
         This link signs you in once, within {valid_minutes} minutes:\n\n{link}\n\n\
         Reading this on another device? Type this one-time code on the page\n\
         where you asked for the link instead (it works once, within the same\n\
         {valid_minutes} minutes):\n\n    {code}\n\n\
         If you did not ask for it, ignore this message: nothing happens without the link or the code.\n\n{}\n",
        mail.signature
    );
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject.clone())
        .date(now.into())
        .message_id(Some(format!("<{message_id}>")))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-replied".to_string(),
        ));
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(parse_mailbox("mail.reply_to", reply_to).map_err(ComposeError::Address)?);
    }
    finish(builder, body, to_text.to_string(), subject, message_id)
}

/// The message with its plain-text, quoted-printable body: every message
/// the desk sends ends so.
fn finish(
    builder: lettre::message::MessageBuilder,
    body: String,
    to: String,
    subject: String,
    message_id: String,
) -> Result<Composed, ComposeError> {
    let message = builder
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .header(ContentTransferEncoding::QuotedPrintable)
        .body(body)
        .map_err(|e| ComposeError::Build(e.to_string()))?;
    Ok(Composed {
        to,
        cc: Vec::new(),
        subject,
        message_id,
        bytes: message.formatted(),
    })
}

/// The message `message` (headers and a single text body, as composed and
/// queued) with `files` attached: a `multipart/mixed` whose first part is
/// the original body with its own content headers, then one part per file
/// (base64, `Content-Disposition: attachment` with the file name encoded by
/// lettre). The files are read from the store at delivery, so the outbox
/// holds only their references.
pub fn with_attachments(
    message: &[u8],
    files: &[(crate::core::case::Attachment, Vec<u8>)],
) -> Result<Vec<u8>, ComposeError> {
    let split = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| ComposeError::Build("the queued message has no header".into()))?;
    let (head, body) = (&message[..split + 2], &message[split + 4..]);
    let head = String::from_utf8_lossy(head);
    let mut kept = String::new();
    let mut content = String::new();
    let mut in_content = false;
    for line in head.split_inclusive("\r\n") {
        let continued = line.starts_with([' ', '\t']);
        if !continued {
            let name = line.split(':').next().unwrap_or("").trim().to_ascii_lowercase();
            in_content = name == "content-type" || name == "content-transfer-encoding";
            if name == "mime-version" {
                continue;
            }
        }
        if in_content {
            content.push_str(line);
        } else {
            kept.push_str(line);
        }
    }
    use rand::distr::{Alphanumeric, SampleString};
    let boundary = format!("=_tickets_{}", Alphanumeric.sample_string(&mut rand::rng(), 24));
    let mut out = Vec::with_capacity(message.len() + files.iter().map(|(_, b)| b.len() * 4 / 3 + 512).sum::<usize>());
    out.extend_from_slice(kept.as_bytes());
    out.extend_from_slice(
        format!("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    out.extend_from_slice(content.as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    if !body.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    for (attachment, bytes) in files {
        let content_type = ContentType::parse(&leaf_content_type(&attachment.content_type))
            .or_else(|_| ContentType::parse("application/octet-stream"))
            .map_err(|e| ComposeError::Build(e.to_string()))?;
        // Base64 always: a text file goes out byte for byte (line ends, long lines, a missing last newline).
        let body = lettre::message::Body::new_with_encoding(
            bytes.clone(),
            lettre::message::header::ContentTransferEncoding::Base64,
        )
        .map_err(|_| ComposeError::Build("cannot encode an attachment".into()))?;
        let part = lettre::message::Attachment::new(attachment.name.clone()).body(body, content_type);
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(&part.formatted());
        if !out.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(out)
}

/// The content type a file goes out with: the recorded one (untrusted: a
/// case file is anyone's commit) as `type/subtype` only, parameters
/// dropped; `application/octet-stream` for one malformed, or for a
/// structure (`multipart/*`, `message/*`), which a base64 leaf cannot be.
fn leaf_content_type(recorded: &str) -> String {
    let essence = crate::store::attachments::content_type(Some(recorded));
    if essence.starts_with("multipart/") || essence.starts_with("message/") {
        crate::store::attachments::OCTET_STREAM.to_string()
    } else {
        essence
    }
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The width a message's lines are wrapped to, after its placeholders are
/// filled (RFC 5322 section 2.1.1 recommends 78 at most).
pub const WRAP_COLUMNS: usize = 72;

/// `text` with each line longer than `width` characters broken at spaces,
/// after placeholders are filled, so that a long date or summary does not
/// leave a ragged paragraph. A word longer than the width (a URL) is never
/// cut; quoted lines (`>`) and the signature delimiter stay as they are.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / width.max(1));
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if line.chars().count() <= width || line.starts_with('>') || line == "-- " {
            out.push_str(line);
            continue;
        }
        let mut column = 0;
        for (i, word) in line.split(' ').enumerate() {
            let length = word.chars().count();
            if i > 0 {
                if column + 1 + length > width && column > 0 {
                    out.push('\n');
                    column = 0;
                } else {
                    out.push(' ');
                    column += 1;
                }
            }
            out.push_str(word);
            column += length;
        }
    }
    out
}

/// The largest body a template may fill to: room for the longest message a
/// case can hold and a template of the store's file cap, not for a template
/// that repeats `{message}` (100,000 times 60 KiB is 6 GB).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The placeholders a canned answer (`templates/answers/NAME.md`) may use:
/// the outbound ones that describe the case. Not `{message}` nor
/// `{resolution}`: the answer itself becomes the event's message.
pub const ANSWER_PLACEHOLDERS: [&str; 9] = [
    "id",
    "summary",
    "customer",
    "severity",
    "status",
    "closes_on",
    "first_response_due",
    "auto_close_after_days",
    "signature",
];

/// The placeholders of `template` not among `known`, each once, with the
/// line (from 1) of its first use, in the order they first appear.
pub fn unknown_placeholders(template: &str, known: &[&str]) -> Vec<(usize, String)> {
    let mut unknown: Vec<String> = Vec::new();
    let _ = fill_with(template, &mut |name: &str| {
        if !known.contains(&name) && !unknown.iter().any(|seen| seen == name) {
            unknown.push(name.to_string());
        }
        Some(String::new())
    });
    unknown
        .into_iter()
        .map(|name| {
            let at = template.find(&format!("{{{name}}}")).unwrap_or(0);
            (template[..at].matches('\n').count() + 1, name)
        })
        .collect()
}

/// Fills a canned answer for `case`: only [`ANSWER_PLACEHOLDERS`] (the
/// caller refused any other with [`unknown_placeholders`]), through the
/// same one-pass engine as the messages; `{signature}` is the store's
/// `mail:` signature, empty without one.
pub fn fill_answer(
    template: &str,
    case: &Case,
    details: &Details,
    mail: Option<&MailConfig>,
) -> Result<String, ComposeError> {
    let details = Details {
        message: None,
        ..details.clone()
    };
    let mut without_resolution = case.clone();
    without_resolution.resolution = None;
    fill(
        template,
        &without_resolution,
        &details,
        mail.map_or("", |mail| &mail.signature),
    )
}

/// Replaces each `{name}` of `template` once; unknown names stay as written.
/// One pass, in linear time (a run of `{` is not scanned again for each
/// one), and never past [`MAX_BODY_BYTES`].
fn fill(template: &str, case: &Case, details: &Details, signature: &str) -> Result<String, ComposeError> {
    let date = |at: Option<DateTime<Utc>>| {
        at.map(|at| date_for_customer(at, details.timezone, details.language.as_deref()))
            .unwrap_or_else(|| "-".into())
    };
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "id" => case.id.clone(),
            "summary" => one_line(&case.summary),
            "customer" => case.customer.clone(),
            "severity" => severity_word(case.severity, details.language.as_deref()).to_string(),
            "status" => status_for_customer(case.status).to_string(),
            "message" => details.message.clone().unwrap_or_default(),
            "resolution" => case.resolution.clone().unwrap_or_default(),
            "merged_into" => case.merged_into.clone().unwrap_or_default(),
            "closes_on" => date(details.closes_on),
            "first_response_due" => date(details.first_response_due),
            "auto_close_after_days" => details.auto_close_after_days.to_string(),
            "signature" => signature.to_string(),
            _ => return None,
        })
    };
    fill_with(template, &mut |name: &str| value(name))
}

/// The engine of [`fill`]: `value` answers each `{name}` (`None`: it stays
/// as written).
fn fill_with(template: &str, value: &mut dyn FnMut(&str) -> Option<String>) -> Result<String, ComposeError> {
    let too_large = || {
        ComposeError::Build(format!(
            "the template fills to over {MAX_BODY_BYTES} bytes (a placeholder repeated?)"
        ))
    };
    let mut out = String::with_capacity(template.len().min(MAX_BODY_BYTES) + 256);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        let (name, tail) = after.split_at(name_len);
        match tail.strip_prefix('}') {
            Some(tail) => {
                match value(name) {
                    Some(text) if out.len() + text.len() > MAX_BODY_BYTES => return Err(too_large()),
                    Some(text) => out.push_str(&text),
                    None => out.push_str(&rest[open..open + name_len + 2]),
                }
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
        if out.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
    }
    out.push_str(rest);
    if out.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lifecycle::{open, NewCase};
    use crate::Channel;

    fn mail() -> MailConfig {
        MailConfig {
            from: "Acme Support <support@desk.example>".into(),
            reply_to: Some("replies@desk.example".into()),
            signature: "-- \nAcme Support".into(),
            acknowledge_once_in_hours: 24,
            hold_after_cases_an_hour: 10,
        }
    }

    #[test]
    fn the_sign_in_mail_carries_the_link_and_the_one_time_code() {
        let now = crate::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap();
        let link = format!("https://portal.example/login/{}", "a".repeat(64));
        let composed = compose_sign_in("ana@acme.example", &link, "K7QM-3XRT", 15, &mail(), "u1", now).unwrap();
        let text = String::from_utf8_lossy(&composed.bytes)
            .replace("=\r\n", "")
            .replace("=3D", "=");
        assert!(text.contains(&link), "{text}");
        assert!(
            text.contains("one-time code") && text.contains("    K7QM-3XRT"),
            "{text}"
        );
        assert!(text.contains("Auto-Submitted: auto-replied"), "{text}");
    }

    fn case(message_id: Option<&str>) -> Case {
        let now = crate::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap();
        open(
            NewCase {
                summary: "Push {id} fails \u{1b}[31m on iOS".into(),
                description: "Since the upgrade.".into(),
                email: Some("ana@acme.example".into()),
                channel: Channel::Email,
                message_id: message_id.map(String::from),
                assignee: Some("alice".into()),
                ..NewCase::example("RC-7K3QX9MT")
            },
            "mail",
            now,
        )
    }

    fn parsed(bytes: &[u8]) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(bytes).expect("a message")
    }

    fn header<'a>(message: &'a mail_parser::Message<'a>, name: &str) -> Option<String> {
        message.header_raw(name).map(|raw| raw.trim().to_string())
    }

    #[test]
    fn an_acknowledgement_of_a_mailed_case_threads_under_the_customers_message() {
        let case = case(Some("first@acme.example"));
        let now = case.created_at;
        let details = Details {
            auto_close_after_days: 7,
            ..Details::default()
        };
        let template = Notice::Acknowledgement.default_template();
        let composed = compose(Notice::Acknowledgement, &case, &details, &mail(), template, "u1", now).unwrap();
        let message = parsed(&composed.bytes);
        assert_eq!(composed.subject, "[RC-7K3QX9MT] Push {id} fails  [31m on iOS");
        assert_eq!(message.subject(), Some(composed.subject.as_str()));
        assert_eq!(
            message.message_id(),
            Some("RC-7K3QX9MT.acknowledgement.u1@desk.example")
        );
        assert_eq!(message.in_reply_to().as_text(), Some("first@acme.example"));
        assert_eq!(message.references().as_text(), Some("first@acme.example"));
        assert_eq!(header(&message, "Auto-Submitted").as_deref(), Some("auto-replied"));
        assert_eq!(header(&message, "MIME-Version").as_deref(), Some("1.0"), "RFC 2045");
        assert_eq!(
            message.from().and_then(|a| a.first()).and_then(|a| a.address()),
            Some("support@desk.example")
        );
        assert_eq!(
            message.reply_to().and_then(|a| a.first()).and_then(|a| a.address()),
            Some("replies@desk.example")
        );
        assert_eq!(
            message.to().and_then(|a| a.first()).and_then(|a| a.address()),
            Some("ana@acme.example")
        );
        let body = message.body_text(0).unwrap();
        assert!(body.contains("Your ticket RC-7K3QX9MT has been received"), "{body}");
        // The summary's own `{id}` is text, not a placeholder.
        assert!(body.contains("Summary: Push {id} fails"), "{body}");
        assert!(body.contains("Acme Support"), "{body}");
    }

    #[test]
    fn a_case_not_opened_by_mail_starts_its_thread_with_the_acknowledgement() {
        let case = case(None);
        let now = case.created_at;
        let details = Details {
            auto_close_after_days: 7,
            ..Details::default()
        };
        let ack = compose(Notice::Acknowledgement, &case, &details, &mail(), "{id}", "u1", now).unwrap();
        assert_eq!(ack.message_id, "RC-7K3QX9MT@desk.example");
        let ack = parsed(&ack.bytes);
        assert_eq!(ack.in_reply_to().as_text(), None);
        let details = Details {
            message: Some("Which version?".into()),
            closes_on: Some(now),
            ..details
        };
        let question = compose(
            Notice::RequestInfo,
            &case,
            &details,
            &mail(),
            Notice::RequestInfo.default_template(),
            "u2",
            now,
        )
        .unwrap();
        let message = parsed(&question.bytes);
        assert_eq!(message.in_reply_to().as_text(), Some("RC-7K3QX9MT@desk.example"));
        assert_eq!(header(&message, "Auto-Submitted"), None, "a person wrote it");
        assert!(message.body_text(0).unwrap().contains("Which version?"));
    }

    /// `notice` for `case` with its built-in template, at the case's opening.
    fn composed_at_opening(notice: Notice, case: &Case, details: &Details) -> Result<Composed, ComposeError> {
        compose(
            notice,
            case,
            details,
            &mail(),
            notice.default_template(),
            "u1",
            case.created_at,
        )
    }

    #[test]
    fn a_contact_with_a_non_ascii_local_part_is_refused_not_tried_forever() {
        let mut case = case(None);
        case.email = Some("joão@acme.example".into());
        let details = Details::default();
        let refused = composed_at_opening(Notice::Acknowledgement, &case, &details);
        assert!(
            matches!(&refused, Err(ComposeError::Address(reason)) if reason.contains("SMTPUTF8")),
            "{refused:?}"
        );
        case.email = Some("joao@ação.example".into());
        assert!(composed_at_opening(Notice::Acknowledgement, &case, &details).is_ok());
    }

    #[test]
    fn text_is_wrapped_after_the_placeholders_are_filled() {
        let case = case(Some("first@acme.example"));
        let details = Details {
            closes_on: Some(case.created_at),
            message: Some("Which version?".into()),
            ..Details::default()
        };
        let question = composed_at_opening(Notice::RequestInfo, &case, &details).unwrap();
        let body = parsed(&question.bytes).body_text(0).unwrap().replace("\r\n", "\n");
        let long: Vec<&str> = body
            .lines()
            .filter(|line| line.chars().count() > WRAP_COLUMNS)
            .collect();
        assert!(long.is_empty(), "{long:?}");
        assert!(
            body.contains("Without an answer it\nwill be closed on Thursday 19 November 2026, 10:00 UTC."),
            "{body}"
        );
        assert_eq!(
            wrap("a https://very.long/url/that/is/longer/than/the/width b", 10),
            "a\nhttps://very.long/url/that/is/longer/than/the/width\nb"
        );
        assert_eq!(wrap("> a quoted line that is long", 5), "> a quoted line that is long");
    }

    #[test]
    fn dates_are_in_the_customers_zone_and_language() {
        let at = crate::core::time::parse_instant("2026-11-26T10:00:00Z").unwrap();
        assert_eq!(
            date_for_customer(at, None, None),
            "Thursday 26 November 2026, 10:00 UTC"
        );
        let sao_paulo: chrono_tz::Tz = "America/Sao_Paulo".parse().unwrap();
        assert_eq!(
            date_for_customer(at, Some(sao_paulo), None),
            "Thursday 26 November 2026, 07:00 (America/Sao_Paulo)"
        );
        assert_eq!(
            date_for_customer(at, Some(sao_paulo), Some("pt-BR")),
            "quinta-feira, 26 de novembro de 2026, 07:00 (America/Sao_Paulo)"
        );
        // Past midnight in the zone, the day is the local one.
        let late = crate::core::time::parse_instant("2026-11-27T02:30:00Z").unwrap();
        assert_eq!(
            date_for_customer(late, Some(sao_paulo), Some("pt")),
            "quinta-feira, 26 de novembro de 2026, 23:30 (America/Sao_Paulo)"
        );
        assert_eq!(Notice::RequestInfo.default_template_for(Some("de")), REQUEST_INFO);
        assert_eq!(Notice::RequestInfo.default_template_for(Some("pt-BR")), REQUEST_INFO_PT);
    }

    #[test]
    fn timers_send_auto_generated_messages() {
        assert_eq!(Notice::Reminder.auto_submitted(), Some("auto-generated"));
        assert_eq!(Notice::AutoClose.auto_submitted(), Some("auto-generated"));
        assert_eq!(Notice::Resolution.auto_submitted(), None);
    }

    #[test]
    fn the_merge_notice_names_where_to_reply_with_or_without_a_word_from_support() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-19T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut case = crate::core::lifecycle::open(
            crate::core::lifecycle::NewCase {
                email: Some("ana@acme.example".into()),
                ..crate::core::lifecycle::NewCase::example("RC-SOURCE01")
            },
            "tester",
            now,
        );
        case.merged_into = Some("RC-TARGET01".into());
        let body = |message: Option<&str>| {
            let details = Details {
                message: message.map(str::to_string),
                ..Details::default()
            };
            let composed = compose(
                Notice::Merged,
                &case,
                &details,
                &mail(),
                Notice::Merged.default_template(),
                "u",
                now,
            )
            .unwrap();
            String::from_utf8(composed.bytes)
                .unwrap()
                .replace("=\r\n", "")
                .replace("\r\n", "\n")
        };
        let plain = body(None);
        assert!(plain.contains("was merged into RC-TARGET01"), "{plain}");
        assert!(plain.contains("Please reply there"), "{plain}");
        assert!(!plain.contains("\n\n\n"), "no gap where the word would be: {plain}");
        let with_word = body(Some("One case for both."));
        assert!(with_word.contains("\n\nOne case for both.\n\n"), "{with_word}");
        assert_eq!(Notice::Merged.auto_submitted(), None, "a person merged it");
    }

    #[test]
    fn placeholders_are_replaced_once_and_unknown_ones_stay() {
        let mut case = case(None);
        case.summary = "{message}".into();
        let details = Details {
            message: Some("{id}".into()),
            ..Details::default()
        };
        let text = fill(
            "{summary}/{message}/{unknown}/{ not one }/{",
            &case,
            &details,
            &mail().signature,
        )
        .unwrap();
        assert_eq!(text, "{message}/{id}/{unknown}/{ not one }/{");
    }

    #[test]
    fn unknown_placeholders_are_named_once_with_their_line() {
        let template = "Hi {contact},\n{id} {summary}\n{message} {contact} {not one}\n";
        assert_eq!(
            unknown_placeholders(template, &ANSWER_PLACEHOLDERS),
            vec![(1, "contact".to_string()), (3, "message".to_string())]
        );
        assert!(unknown_placeholders("{id} {signature}", &ANSWER_PLACEHOLDERS).is_empty());
    }

    #[test]
    fn an_answer_fills_case_placeholders_but_never_message_or_resolution() {
        let mut case = case(None);
        case.resolution = Some("secret".into());
        let details = Details {
            message: Some("inner".into()),
            ..Details::default()
        };
        let text = fill_answer("{id}|{message}|{resolution}|{signature}", &case, &details, None).unwrap();
        assert_eq!(text, format!("{}|||", case.id));
    }

    #[test]
    fn a_case_without_a_contact_composes_nothing() {
        let mut case = case(None);
        case.email = None;
        let now = case.created_at;
        assert_eq!(
            compose(Notice::Resolution, &case, &Details::default(), &mail(), "x", "u", now),
            Err(ComposeError::NoContact)
        );
    }
}
