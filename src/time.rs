//! Instants: parsing `--now`, and the one on-disk spelling (RFC 3339, UTC,
//! whole seconds) so that files stay stable and diffs small.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};

/// Parses an RFC 3339 instant with any offset, returning it in UTC truncated
/// to whole seconds.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| truncate(t.with_timezone(&Utc)))
        .map_err(|e| format!("{text:?} is not an RFC 3339 instant ({e}); example: 2026-11-26T09:30:00Z"))
}

/// Drops sub-second precision: files and JSON carry whole seconds.
pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// Formats an instant the one way files and JSON spell it.
pub fn format_instant(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Serde helpers for `DateTime<Utc>` in the stable spelling.
pub mod rfc3339 {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as RFC 3339 UTC with whole seconds.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_instant(t))
    }

    /// Deserializes any RFC 3339 instant.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        parse_instant(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for `Option<DateTime<Utc>>` in the stable spelling.
pub mod rfc3339_option {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as RFC 3339 UTC with whole seconds, or null.
    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_instant(t)),
            None => s.serialize_none(),
        }
    }

    /// Deserializes an optional RFC 3339 instant.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| parse_instant(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}
