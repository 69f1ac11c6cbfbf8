//! The store's `config.yaml`: roster, customers and their plans, policy.

use crate::core::vocabulary::Level;
use serde::{Deserialize, Serialize};

/// The parsed `config.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The store's format: the version of the case files' schema it is
    /// written in (see [`FORMAT`]); absent in stores made before it was
    /// recorded, which are format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
    /// Every case ID starts with this prefix and a dash.
    #[serde(default = "default_prefix")]
    pub id_prefix: String,
    /// Waiting cases are auto-closed after this many days without a response.
    #[serde(default = "default_auto_close_days")]
    pub auto_close_after_days: u32,
    /// When set, `remind` flags waiting cases after this many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_after_days: Option<u32>,
    /// The analysts, in roster order (routing's last tie-break).
    #[serde(default)]
    pub analysts: Vec<Analyst>,
    /// The customers and their plans.
    #[serde(default)]
    pub customers: Vec<Customer>,
    /// First-response targets by plan and severity (defaults: SPEC section 2).
    #[serde(default)]
    pub targets: Targets,
    /// The calendar of the `standard` plan's covered hours.
    #[serde(default)]
    pub business_hours: BusinessHours,
    /// Git integration.
    #[serde(default)]
    pub git: GitConfig,
    /// Outbound mail: who messages to customers come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailConfig>,
    /// Limits on attachments (defaults: SPEC section 9).
    #[serde(default, skip_serializing_if = "AttachmentLimits::is_default")]
    pub attachments: AttachmentLimits,
    /// The tags analysts may put on cases (`tag ID +name`), format 3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// How large attachments may be (SPEC section 9): anything over a limit is
/// left out, and the event says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentLimits {
    /// The largest file, in bytes (default 10 MiB).
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// The most bytes of attachments one message (one event) may carry (default 25 MiB).
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: u64,
    /// The most bytes of attachments one case may carry in all (default 100 MiB).
    #[serde(default = "default_max_case_bytes")]
    pub max_case_bytes: u64,
}

const MIB: u64 = 1024 * 1024;

fn default_max_file_bytes() -> u64 {
    10 * MIB
}

fn default_max_message_bytes() -> u64 {
    25 * MIB
}

fn default_max_case_bytes() -> u64 {
    100 * MIB
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        AttachmentLimits {
            max_file_bytes: default_max_file_bytes(),
            max_message_bytes: default_max_message_bytes(),
            max_case_bytes: default_max_case_bytes(),
        }
    }
}

impl AttachmentLimits {
    /// Whether these are the defaults (left out of config.yaml when written).
    pub fn is_default(&self) -> bool {
        *self == AttachmentLimits::default()
    }
}

fn default_prefix() -> String {
    "RC".to_string()
}

fn default_auto_close_days() -> u32 {
    7
}

impl Default for Config {
    fn default() -> Self {
        Config {
            format: None,
            id_prefix: default_prefix(),
            auto_close_after_days: default_auto_close_days(),
            remind_after_days: None,
            analysts: Vec::new(),
            customers: Vec::new(),
            targets: Targets::default(),
            business_hours: BusinessHours::default(),
            git: GitConfig::default(),
            mail: None,
            attachments: AttachmentLimits::default(),
            tags: Vec::new(),
        }
    }
}

/// One analyst of the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Analyst {
    /// Short handle used in `assignee` and `--as`.
    pub id: String,
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// Tier.
    pub level: Level,
    /// Whether routing may pick them.
    #[serde(default = "yes")]
    pub available: bool,
    /// Words matched against a case's summary and description.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Their handle in the team's chat, mentioned as `@chat` by chat
    /// notifications (their `id` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<String>,
}

fn yes() -> bool {
    true
}

crate::core::vocabulary::vocabulary! {
    /// The support plans (SPEC section 2), in the order the README's table lists them.
    Plan {
        /// 12x5 business hours, one business day for every severity.
        Standard => "standard",
        /// 24x7: 8 h / 4 h / 2 h.
        Plus => "plus",
        /// 24x7: 4 h / 2 h / 30 min.
        MissionCritical => "mission-critical",
    }
}

/// A customer not on a plan in config.yaml is on the standard plan.
impl Default for Plan {
    fn default() -> Plan {
        Plan::Standard
    }
}

/// One customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The name cases refer to.
    pub name: String,
    /// The support plan (default `standard`).
    #[serde(default)]
    pub plan: Plan,
    /// E-mail domains that identify the customer's people.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// What the customer's contacts see in the portal (default: the organisation's cases).
    #[serde(default, skip_serializing_if = "PortalAccess::is_default")]
    pub portal: PortalAccess,
    /// The IANA time zone the customer's messages give dates in (default:
    /// the plan's coverage zone: `business_hours.timezone` on standard,
    /// UTC on the 24x7 plans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The language of the customer's messages, a language tag such as
    /// `pt-BR` (default: English). The store's `templates/<language>/` come
    /// first; built in are English and Brazilian Portuguese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Customer {
    /// The time zone the customer's messages give dates in, as validated.
    pub fn message_timezone(&self, business_hours: &BusinessHours) -> Option<chrono_tz::Tz> {
        match (&self.timezone, self.plan) {
            (Some(zone), _) => zone.parse().ok(),
            (None, Plan::Standard) => business_hours.timezone.parse().ok(),
            (None, _) => None,
        }
    }
}

/// Whether `tag` is a plausible language tag (`en`, `pt-BR`, `zh-Hant-TW`):
/// a folder name under `templates/`, so letters, digits and `-` only.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|part| (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

crate::core::vocabulary::vocabulary! {
    /// Which cases a customer's contact sees in the portal (SPEC section 8).
    PortalAccess {
        /// Every case of the customer.
        Organisation => "organisation",
        /// Only the cases whose contact address is the contact's own.
        Own => "own",
    }
}

/// A customer without `portal:` shares its cases among its contacts.
impl Default for PortalAccess {
    fn default() -> PortalAccess {
        PortalAccess::Organisation
    }
}

impl PortalAccess {
    /// Whether this is the default (left out of config.yaml when written).
    pub fn is_default(&self) -> bool {
        *self == PortalAccess::Organisation
    }
}

/// First-response target overrides by plan, each `{low, medium, high}`.
/// A target is a duration such as `30m`, `4h` or `1bd` (business day: the
/// covered hours of one working day on the business-hours calendar). Any
/// plan or severity left out keeps its default (`targets::default_target`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Targets {
    /// The `standard` plan (business hours).
    #[serde(default)]
    pub standard: SeverityTargets,
    /// The `plus` plan (24x7).
    #[serde(default)]
    pub plus: SeverityTargets,
    /// The `mission-critical` plan (24x7).
    #[serde(default)]
    pub mission_critical: SeverityTargets,
}

/// One plan's target overrides by severity; `None` keeps the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityTargets {
    /// Target for `low`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<String>,
    /// Target for `medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// Target for `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<String>,
}

/// The covered hours of the `standard` plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// IANA time zone name.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Local opening time, `HH:MM`.
    #[serde(default = "default_start")]
    pub start: String,
    /// Local closing time, `HH:MM`.
    #[serde(default = "default_end")]
    pub end: String,
    /// Holidays (local dates, `YYYY-MM-DD`) with no covered hours.
    #[serde(default)]
    pub holidays: Vec<String>,
}

fn default_timezone() -> String {
    "America/Sao_Paulo".to_string()
}

fn default_start() -> String {
    "08:00".to_string()
}

fn default_end() -> String {
    "20:00".to_string()
}

impl Default for BusinessHours {
    fn default() -> Self {
        BusinessHours {
            timezone: default_timezone(),
            start: default_start(),
            end: default_end(),
            holidays: Vec::new(),
        }
    }
}

/// Git integration settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitConfig {
    /// Commit each change the program makes.
    #[serde(default)]
    pub commit: bool,
}

/// The longest auto-close delay config.yaml may set (ten years).
pub const MAX_AUTO_CLOSE_AFTER_DAYS: u32 = 3650;

impl Config {
    /// The roster entry with this ID.
    pub fn analyst(&self, id: &str) -> Option<&Analyst> {
        self.analysts.iter().find(|a| a.id == id)
    }

    /// Whether `tag` is one of config.yaml's `tags` (exactly).
    pub fn knows_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }

    /// Whether `address` is at one of the customer's domains (case-insensitive),
    /// with a plain local part: a quoted or escaped one (`"eve@evil.example"@acme.example`)
    /// is not taken for the customer's person (a store's `cc:` may be edited by hand).
    pub fn is_address_of(&self, customer: &str, address: &str) -> bool {
        if address.contains(['"', '\\']) {
            return false;
        }
        let Some((_, domain)) = address.rsplit_once('@') else {
            return false;
        };
        self.customer(customer)
            .is_some_and(|c| c.domains.iter().any(|d| d.trim().eq_ignore_ascii_case(domain)))
    }

    /// The customer with this name (case-insensitive).
    pub fn customer(&self, name: &str) -> Option<&Customer> {
        self.customers.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The plan of a customer; unknown customers are on `standard`.
    pub fn plan_of(&self, customer: &str) -> Plan {
        self.customer(customer).map(|c| c.plan).unwrap_or_default()
    }

    /// Checks what serde cannot: a usable prefix, unique analyst IDs,
    /// customer names and customer domains.
    pub fn validate(&self) -> Result<(), String> {
        if self.id_prefix.is_empty() || !self.id_prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "id_prefix {:?} must be letters and digits only",
                self.id_prefix
            ));
        }
        // Bounded so that "waiting since + this many days" is always a valid instant.
        if self.auto_close_after_days == 0 || self.auto_close_after_days > MAX_AUTO_CLOSE_AFTER_DAYS {
            return Err(format!(
                "auto_close_after_days ({}) must be at least 1 and at most {MAX_AUTO_CLOSE_AFTER_DAYS}",
                self.auto_close_after_days
            ));
        }
        if let Some(remind) = self.remind_after_days {
            // A reminder on or after the auto-close day would never be sent.
            if remind == 0 || remind >= self.auto_close_after_days {
                return Err(format!(
                    "remind_after_days ({remind}) must be at least 1 and less than auto_close_after_days ({})",
                    self.auto_close_after_days
                ));
            }
        }
        if let Some(mail) = &self.mail {
            mail.validate()?;
        }
        let mut seen = std::collections::HashSet::new();
        for analyst in &self.analysts {
            if !crate::core::id::is_plain_word(&analyst.id) {
                return Err(format!(
                    "analyst id {:?} must be letters, digits, '.', '_' or '-'",
                    analyst.id
                ));
            }
            if !seen.insert(analyst.id.as_str()) {
                return Err(format!("analyst id {:?} appears twice in the roster", analyst.id));
            }
        }
        let mut tags = std::collections::HashSet::new();
        for tag in &self.tags {
            if !crate::core::id::is_plain_word(tag) || tag.starts_with(['+', '-']) {
                return Err(format!(
                    "tag {tag:?} must be letters, digits, '.', '_' or '-', and not start with '-' or '.'"
                ));
            }
            if !tags.insert(tag.as_str()) {
                return Err(format!("tag {tag:?} appears twice in tags"));
            }
        }
        // Cases name their customer case-insensitively, and e-mail intake
        // maps a domain to one customer: either ambiguity would attach a
        // case to whichever customer happens to come first.
        let mut names = std::collections::HashSet::new();
        let mut owner_of_domain = std::collections::HashMap::new();
        for customer in &self.customers {
            if let Some(zone) = &customer.timezone {
                if zone.parse::<chrono_tz::Tz>().is_err() {
                    return Err(format!(
                        "customer {:?}: timezone {zone:?} is not an IANA time zone name (e.g. America/Sao_Paulo)",
                        customer.name
                    ));
                }
            }
            if let Some(language) = &customer.language {
                if !is_language_tag(language) {
                    return Err(format!(
                        "customer {:?}: language {language:?} is not a language tag (e.g. en, pt-BR)",
                        customer.name
                    ));
                }
            }
            if !names.insert(customer.name.to_ascii_lowercase()) {
                return Err(format!("customer {:?} appears twice in customers", customer.name));
            }
            for domain in &customer.domains {
                let key = domain.trim().to_ascii_lowercase();
                match owner_of_domain.insert(key, customer.name.as_str()) {
                    Some(other) if !other.eq_ignore_ascii_case(&customer.name) => {
                        return Err(format!(
                            "domain {:?} is listed by more than one customer: {other}, {}",
                            domain.trim(),
                            customer.name
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

/// The store's `mail:` settings in config.yaml: who the messages come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// `From`, e.g. `Support <support@example.com>`.
    pub from: String,
    /// `Reply-To`, when answers go elsewhere than `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// The closing line of every message.
    #[serde(default = "default_signature")]
    pub signature: String,
    /// At most one acknowledgement to a sender in this many hours (RFC 3834
    /// section 2): a second case opened within it is not acknowledged, so no
    /// auto-responder can loop with the desk. 24 by default.
    #[serde(
        default = "default_acknowledge_hours",
        skip_serializing_if = "is_default_acknowledge_hours"
    )]
    pub acknowledge_once_in_hours: u32,
    /// A sender whose mail opens this many cases in an hour is held: each
    /// further case gets an internal note and no acknowledgement, until an
    /// analyst looks. 10 by default.
    #[serde(default = "default_hold_after", skip_serializing_if = "is_default_hold_after")]
    pub hold_after_cases_an_hour: u32,
}

fn default_hold_after() -> u32 {
    10
}

fn is_default_hold_after(cases: &u32) -> bool {
    *cases == default_hold_after()
}

/// The store format this build writes and reads: raised whenever a case file
/// or config.yaml gains a field an older build would refuse. 2 added the
/// event's `clock`, `mail.acknowledge_once_in_hours`,
/// `mail.hold_after_cases_an_hour` and a customer's `timezone` and `language`.
/// 3 added a merged case's `merged_into` and the events `merge` and
/// `merged`, a case's `tags` and `cc`, the event's `customer`, `tags` and
/// `cc` (`set-customer`, `tag`, `cc`), and config.yaml's `tags`.
pub const FORMAT: u32 = 3;

/// The format config.yaml says, read before the file is parsed (a newer
/// config may hold keys this build does not know): the first top-level
/// `format: N` line; 1 when there is none.
pub fn declared_format(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|line| line.strip_prefix("format:"))
        .and_then(|value| value.split('#').next())
        .and_then(|value| value.trim().parse().ok())
}

/// The most hours `mail.acknowledge_once_in_hours` may say (a year).
pub const MAX_ACKNOWLEDGE_HOURS: u32 = 24 * 366;

fn default_acknowledge_hours() -> u32 {
    24
}

fn is_default_acknowledge_hours(hours: &u32) -> bool {
    *hours == default_acknowledge_hours()
}

fn default_signature() -> String {
    "-- \nSupport".to_string()
}

impl MailConfig {
    /// Checks the addresses; the reason names the key.
    pub fn validate(&self) -> Result<(), String> {
        parse_mailbox("mail.from", &self.from)?;
        if let Some(reply_to) = &self.reply_to {
            parse_mailbox("mail.reply_to", reply_to)?;
        }
        if self.hold_after_cases_an_hour == 0 {
            return Err("mail.hold_after_cases_an_hour must be at least 1".to_string());
        }
        if self.acknowledge_once_in_hours == 0 || self.acknowledge_once_in_hours > MAX_ACKNOWLEDGE_HOURS {
            return Err(format!(
                "mail.acknowledge_once_in_hours ({}) must be at least 1 and at most {MAX_ACKNOWLEDGE_HOURS}",
                self.acknowledge_once_in_hours
            ));
        }
        Ok(())
    }
}

/// Parses an address as `Name <user@domain>` or `user@domain`; the reason names the key.
pub fn parse_mailbox(key: &str, text: &str) -> Result<lettre::message::Mailbox, String> {
    text.parse::<lettre::message::Mailbox>()
        .map_err(|e| format!("{key}: {text:?} is not an e-mail address ({e})"))
}
