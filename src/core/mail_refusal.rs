//! Why an e-mail was refused at intake: bad input, nothing created or
//! changed. The values are the message's own (unescaped); a front end words
//! and escapes them.

/// Why an incoming e-mail was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailRefusal {
    /// The raw message is empty.
    #[error("the message is empty")]
    Empty,

    /// The header has more lines than the parser is let to read.
    #[error("its header has more than {limit} lines")]
    HeaderTooLong {
        /// The most header lines read.
        limit: usize,
    },

    /// Too many lines look like MIME part delimiters.
    #[error("it has {count} lines starting with `--` (MIME part delimiters), over the limit of {limit}")]
    TooManyDelimiters {
        /// How many there are.
        count: usize,
        /// How many are allowed.
        limit: usize,
    },

    /// One header splits its parameters into too many RFC 2231 pieces
    /// (`name*0=`, `name*1=`...): the parser joins them in quadratic time.
    #[error("one header splits a parameter into {count} pieces (`name*N=`), over the limit of {limit}")]
    TooManyParameterPieces {
        /// How many there are in the header that has the most.
        count: usize,
        /// How many are allowed.
        limit: usize,
    },

    /// The message is larger than the configured cap.
    #[error("the message is over the {} MiB cap (a huge attachment?)", cap.div_ceil(1024 * 1024))]
    TooLarge {
        /// The cap, in bytes.
        cap: u64,
    },

    /// No header could be found.
    #[error("not an e-mail message (no header found)")]
    NoHeader,

    /// A MIME part cannot be decoded.
    #[error("broken MIME: part {index} cannot be decoded")]
    UndecodablePart {
        /// The part's index.
        index: usize,
    },

    /// A part declared multipart has no usable boundary.
    #[error("broken MIME: part {index} is multipart but its boundary is missing or never appears")]
    MissingBoundary {
        /// The part's index.
        index: usize,
    },

    /// A header that must appear once appears several times.
    #[error(
        "the message has {count} {header} headers; RFC 5322 allows one, and which one a mail server checked is unknown"
    )]
    RepeatedHeader {
        /// The header's name.
        header: &'static str,
        /// How many times it appears.
        count: usize,
    },

    /// The message has no text body.
    #[error("the message has no text body")]
    NoTextBody,

    /// The message has no From.
    #[error("the message has no sender (From)")]
    NoSender,

    /// The From header names several mailboxes.
    #[error("the From header names {count} mailboxes; only a message from one sender is accepted")]
    SeveralSenders {
        /// How many mailboxes it names.
        count: usize,
    },

    /// The From header is a group.
    #[error("the From header is a group (or a folded second From); only a message from one sender is accepted")]
    SenderGroup,

    /// The sender's address is longer than an e-mail address may be.
    #[error("the sender's address is {bytes} bytes, over the {limit}-byte limit of an e-mail address")]
    AddressTooLong {
        /// Its length.
        bytes: usize,
        /// The limit.
        limit: usize,
    },

    /// The sender is not an e-mail address.
    #[error("the sender {address:?} is not an e-mail address")]
    NotAnAddress {
        /// The sender as read.
        address: String,
    },

    /// The Message-ID header names several IDs.
    #[error("the Message-ID header names {count} IDs; a message has one")]
    SeveralMessageIds {
        /// How many.
        count: usize,
    },

    /// The Message-ID is longer than a header line may be.
    #[error("the Message-ID is {bytes} bytes, over the {limit}-byte limit of a header line")]
    MessageIdTooLong {
        /// Its length.
        bytes: usize,
        /// The limit.
        limit: usize,
    },

    /// The sender's domain is listed by no customer. `new_case` says whether
    /// the message would have opened a case (the refusal then names where
    /// domains are listed).
    #[error(
        "the sender's domain {domain} belongs to no customer{}",
        if *new_case { " (add it to a customer's `domains` in config.yaml)" } else { "" }
    )]
    UnknownDomain {
        /// The domain.
        domain: String,
        /// The message would have opened a case.
        new_case: bool,
    },

    /// A reply's sender is not of the case's customer.
    #[error("the sender's domain {domain} is not one of the domains of the case's customer")]
    NotTheCustomersDomain {
        /// The domain.
        domain: String,
    },

    /// A reply with nothing but quoted text.
    #[error("the reply has no text of its own (only quoted text)")]
    OnlyQuotedText,

    /// The Message-ID is already another sender's case's.
    #[error(
        "its Message-ID is already the Message-ID of another sender's case (a Message-ID names one message); \
         send it as a new message"
    )]
    MessageIdOfAnotherSender,

    /// The Subject carries too many case tags.
    #[error("the Subject carries more than {limit} case tags; a reply names its case with one")]
    TooManySubjectTags {
        /// The most tags allowed.
        limit: usize,
    },
}
