//! Instants: parsing `--now`, and the one on-disk spelling (RFC 3339, UTC,
//! whole seconds) so that files stay stable and diffs small.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};

/// Parses an RFC 3339 instant with any offset, returning it in UTC truncated
/// to whole seconds.
///
/// The instant must fall in the years 0000 to 9999 once in UTC, the years
/// RFC 3339 can write: `9999-12-31T23:00:00-05:00` is in the year 10000 in
/// UTC, which would be written `+10000-...` and never read back.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let t = DateTime::parse_from_rfc3339(text.trim())
        .map(|t| truncate(t.with_timezone(&Utc)))
        .map_err(|e| format!("{text:?} is not an RFC 3339 instant ({e}); example: 2026-11-26T09:30:00Z"))?;
    if !(0..=9999).contains(&t.year()) {
        return Err(format!(
            "{text:?} is in the year {} in UTC; instants must fall in the years 0000 to 9999 in UTC",
            t.year()
        ));
    }
    Ok(t)
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
        Instant::deserialize(d).map(|i| i.0)
    }

    /// Parses inside the deserializer's visitor, so that a bad instant is
    /// reported with the field, line and column like any other error.
    pub(super) struct Instant(pub(super) DateTime<Utc>);

    impl<'de> Deserialize<'de> for Instant {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl serde::de::Visitor<'_> for Visitor {
                type Value = Instant;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an RFC 3339 instant such as 2026-11-26T09:30:00Z")
                }
                fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Instant, E> {
                    parse_instant(text).map(Instant).map_err(E::custom)
                }
            }
            d.deserialize_str(Visitor)
        }
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
        Ok(Option::<super::rfc3339::Instant>::deserialize(d)?.map(|i| i.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_outside_the_years_rfc_3339_writes_are_refused() {
        for text in ["9999-12-31T23:00:00-05:00", "0000-01-01T00:30:00+01:00"] {
            let refused = parse_instant(text).expect_err(text);
            assert!(
                refused.contains("instants must fall in the years 0000 to 9999 in UTC"),
                "{refused}"
            );
        }
        for text in [
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:00:00+05:00",
            "0000-01-01T00:00:00Z",
        ] {
            let t = parse_instant(text).expect(text);
            assert_eq!(parse_instant(&format_instant(&t)), Ok(t), "{text} reads back");
        }
    }
}
