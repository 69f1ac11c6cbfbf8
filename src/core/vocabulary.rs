//! The small vocabularies of a case: status, support tier, severity,
//! customer-base impact and channel. Their YAML/JSON spellings are stable.
//! Other modules declare theirs with the same [`vocabulary!`] macro.

/// Declares a small vocabulary: an enum whose variants have one stable
/// spelling each, used alike in files, JSON/YAML and on the command line,
/// with `ALL`, `as_str`, `Display` and `FromStr` from that one list.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize, ::clap::ValueEnum,
        )]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] #[value(name = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable spelling used in files, JSON and on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::string::String;
            fn from_str(s: &str) -> ::std::result::Result<Self, ::std::string::String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} {s:?} (expected one of: {})",
                        stringify!($name).to_lowercase(),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary! {
    /// Where a case stands in the support life cycle.
    Status {
        /// Received and assigned, or the customer just responded.
        Open => "open",
        /// An analyst is actively working on it.
        AtInvestigation => "at-investigation",
        /// The analyst answered or asked; auto-closed after the configured days.
        WaitingForCustomer => "waiting-for-customer",
        /// A product defect handed to R&D, in the resolution queue.
        Escalated => "escalated",
        /// Resolved or auto-closed. Terminal.
        Closed => "closed",
    }
}

vocabulary! {
    /// The support tier working the case.
    Level {
        /// Level 1 support analysts.
        L1 => "l1",
        /// Level 2 support analysts.
        L2 => "l2",
        /// Research and development.
        Rnd => "rnd",
    }
}

vocabulary! {
    /// How badly the customer is hurt.
    Severity {
        /// Minor bugs, questions, non-production, feature requests.
        Low => "low",
        /// Essential functions impaired, few users.
        Medium => "medium",
        /// System down, many users blocked, data loss.
        High => "high",
    }
}

vocabulary! {
    /// How much of the customer base a product defect touches (R&D queue order).
    Impact {
        /// Few customers.
        Low => "low",
        /// Several customers.
        Medium => "medium",
        /// Broad impact on the customer base.
        High => "high",
    }
}

vocabulary! {
    /// How the customer reached support.
    Channel {
        /// E-mail.
        Email => "email",
        /// The hotline (for high severity).
        Phone => "phone",
        /// The ticket portal.
        Portal => "portal",
    }
}

impl Channel {
    /// The severity a new case starts with when none is given: the hotline is
    /// for `high` only; e-mail and portal cases are `medium` until reassessed.
    pub fn default_severity(self) -> Severity {
        match self {
            Channel::Phone => Severity::High,
            Channel::Email | Channel::Portal => Severity::Medium,
        }
    }
}

vocabulary! {
    /// What a history event records: one per command that changed the case.
    ActionKind {
        /// The case was created.
        Open => "open",
        /// An analyst started working on it.
        Investigate => "investigate",
        /// The analyst answered or asked the customer for information.
        RequestInfo => "request-info",
        /// The customer responded.
        Reply => "reply",
        /// Handed to the next tier (L1 to L2, or to R&D's queue).
        Escalate => "escalate",
        /// Resolved by an analyst.
        Close => "close",
        /// Closed by `sweep` after waiting too long for the customer.
        AutoClose => "auto-close",
        /// Assigned by hand.
        Assign => "assign",
        /// Severity reassessed.
        Reassess => "reassess",
        /// A reminder before auto-close was recorded.
        Remind => "remind",
        /// An internal comment (or an automatic e-mail that was ignored); no status change.
        Note => "note",
        /// Closed as a duplicate of another case of the same customer
        /// (`merged_into` names it); the customer is told to reply there.
        Merge => "merge",
        /// Another case was merged into this one (`merged_from` names it); no status change.
        Merged => "merged",
        /// The case's customer corrected; no status change.
        SetCustomer => "set-customer",
        /// Tags added or removed; no status change.
        Tag => "tag",
        /// Addresses added to or removed from the case's CC list; no status change.
        Cc => "cc",
    }
}

vocabulary! {
    /// Who may see an event: the customer too, or support only (SPEC section 7).
    Visibility {
        /// The customer sees it (portal, mail).
        Public => "public",
        /// Support only: routing, assignments, reassessments, notes.
        Internal => "internal",
    }
}

impl ActionKind {
    /// Whether the customer sees events of this kind: what they said, what
    /// support said to them, and how the case ended (SPEC section 7). The
    /// visibility follows from the action alone, so case files written before
    /// it existed read the same.
    pub fn visibility(self) -> Visibility {
        match self {
            ActionKind::Open
            | ActionKind::RequestInfo
            | ActionKind::Reply
            | ActionKind::Close
            | ActionKind::AutoClose
            | ActionKind::Remind
            | ActionKind::Merge => Visibility::Public,
            ActionKind::Merged
            | ActionKind::Investigate
            | ActionKind::Escalate
            | ActionKind::Assign
            | ActionKind::Reassess
            | ActionKind::Note
            | ActionKind::SetCustomer
            | ActionKind::Tag
            | ActionKind::Cc => Visibility::Internal,
        }
    }

    /// Whether this action counts as the analyst's first response (SPEC section 2).
    pub fn is_first_response(self) -> bool {
        matches!(
            self,
            ActionKind::Investigate
                | ActionKind::RequestInfo
                | ActionKind::Escalate
                | ActionKind::Close
                | ActionKind::Merge
        )
    }
}

/// A status as a short label in the customer's words (SPEC section 8),
/// never the YAML spelling.
pub fn label_for_customer(status: Status) -> &'static str {
    match status {
        Status::Open => "Received",
        Status::AtInvestigation => "Being investigated",
        Status::WaitingForCustomer => "Waiting for you",
        Status::Escalated => "With R&D",
        Status::Closed => "Closed",
    }
}

/// The customer's words for a status (the seed's descriptions).
pub fn status_for_customer(status: Status) -> &'static str {
    match status {
        Status::Open => {
            "Your ticket has been received, and a Support Analyst has been assigned to analyze your case."
        }
        Status::AtInvestigation => {
            "A Support Analyst is investigating your case, and may discuss it internally with other analysts."
        }
        Status::WaitingForCustomer => {
            "The Support Analyst answered you or needs more information from you. Please reply: without an answer the ticket is closed automatically."
        }
        Status::Escalated => {
            "Your case was identified as a product defect and handed to R&D. It is in R&D's resolution queue, ordered by severity and by impact on the customer base."
        }
        Status::Closed => {
            "Your case was resolved and closed. If you need more help, write to us: a follow-up case will link this one."
        }
    }
}

/// The text of a message that has attachments and no text of its own.
pub const ATTACHMENTS_ONLY: &str = "(no text; attachments only)";
