//! A bound on how far YAML aliases may expand a file.
//!
//! An alias (`*name`) repeats the node its anchor (`&name`) marks, and the
//! YAML library builds every repetition in full: one anchor of 600 KB
//! aliased 3,000 times fits in a 1 MiB case file and costs 1.8 GB to read.
//! The program never writes anchors or aliases, so a store file whose
//! aliases multiply its size is refused before it is deserialized.
//!
//! The measure is taken by the same parser that reads the file, walking the
//! document as the deserializer will (aliases followed) with a visitor that
//! keeps nothing and stops at the bound. A file without aliases never comes
//! near the bound: each node and each byte of a scalar's value comes from at
//! least half a byte of text, so its expanded size stays under twice its own.

use serde::de::{DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use std::fmt;

/// A YAML text may expand to this many units (one per node, one per byte of
/// a scalar's value) per byte of its own, plus [`EXPANSION_ALLOWANCE`].
pub const MAX_EXPANSION_FACTOR: usize = 4;

/// Units every text may expand to whatever its size, so that a tiny file
/// with a few harmless aliases still reads.
pub const EXPANSION_ALLOWANCE: usize = 4096;

/// Whether reading `text` would expand it past the bound: nodes plus scalar
/// bytes over [`MAX_EXPANSION_FACTOR`] times its length plus
/// [`EXPANSION_ALLOWANCE`].
///
/// Only a text with an alias can expand, and an alias needs a `*` and its
/// anchor a `&`, so text without both is answered at once. A text the parser refuses for another
/// reason is not judged here: the deserializer reports that reason.
pub fn exceeds_bound(text: &str) -> bool {
    if !(text.contains('*') && text.contains('&')) {
        return false;
    }
    let limit = text
        .len()
        .saturating_mul(MAX_EXPANSION_FACTOR)
        .saturating_add(EXPANSION_ALLOWANCE);
    walk(text, limit).exceeded
}

/// Walks the document of `text` with `limit` units to spend.
fn walk(text: &str, limit: usize) -> Budget {
    let mut budget = Budget {
        left: limit,
        exceeded: false,
    };
    // Other errors (syntax, recursion) are the deserializer's to report.
    let _ = Walk(&mut budget).deserialize(serde_yaml::Deserializer::from_str(text));
    budget
}

/// What is left of the bound.
struct Budget {
    left: usize,
    exceeded: bool,
}

impl Budget {
    /// Takes `units`, or fails once the bound is passed.
    fn take<E: serde::de::Error>(&mut self, units: usize) -> Result<(), E> {
        match self.left.checked_sub(units) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.exceeded = true;
                Err(E::custom("the expansion bound is passed"))
            }
        }
    }
}

/// Walks one node and everything under it, aliases followed, keeping nothing.
struct Walk<'b>(&'b mut Budget);

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any YAML node")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<(), E> {
        self.0.take(value.len().saturating_add(1))
    }

    fn visit_bytes<E: serde::de::Error>(self, value: &[u8]) -> Result<(), E> {
        self.0.take(value.len().saturating_add(1))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.take(1)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.take(1)?;
        while seq.next_element_seed(Walk(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.take(1)?;
        while map.next_key_seed(Walk(&mut *self.0))?.is_some() {
            map.next_value_seed(Walk(&mut *self.0))?;
        }
        Ok(())
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged node (`!tag value`): the tag names the variant, the value follows.
        let ((), variant) = data.variant_seed(Walk(&mut *self.0))?;
        variant.newtype_variant_seed(Walk(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_aliased_many_times_passes_the_bound() {
        let text = format!("a: &x {}\nb: [{}]\n", "y".repeat(10_000), vec!["*x"; 100].join(", "));
        assert!(exceeds_bound(&text));
    }

    #[test]
    fn nested_aliases_pass_the_bound() {
        let mut text = String::from("l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
        for level in 1..12 {
            let previous = format!("*l{}", level - 1);
            text.push_str(&format!(
                "l{level}: &l{level} [{}]\n",
                [previous.as_str(); 10].join(", ")
            ));
        }
        assert!(exceeds_bound(&text));
    }

    #[test]
    fn text_with_stars_and_ampersands_but_no_amplification_is_within() {
        let text = "summary: '*x &y'\ndescription: |-\n  *bold* &amp; *x\n  - *y\nhistory:\n- message: a * b & c\n";
        assert!(!exceeds_bound(text));
        let small_alias = "a: &x hello\nb: *x\nc: *x\n";
        assert!(!exceeds_bound(small_alias));
    }

    #[test]
    fn text_the_parser_refuses_is_left_to_the_parser() {
        assert!(!exceeds_bound("a: *missing\n"));
        assert!(!exceeds_bound("a: [*x\n"));
    }

    #[test]
    fn escapes_and_empty_nodes_stay_within_the_bound() {
        // The densest alias-free texts: escapes that grow (`\L` is 3 bytes),
        // and nodes of one or two bytes each.
        let dense = [
            format!("a: \"{}\" # *&\n", "\\L".repeat(20_000)),
            format!("a: [{}] # *&\n", vec!["a"; 20_000].join(",")),
            format!("a: {{{}}} # *&\n", vec!["a"; 20_000].join(",")),
            format!("{}# *&\n", "-\n".repeat(20_000)),
            format!("{}# *&\n", "?\n".repeat(20_000)),
        ];
        for text in dense {
            let used = usize::MAX - walk(&text, usize::MAX).left;
            assert!(used > text.len() / 3, "the walk saw the document: {used}");
            assert!(
                used <= 2 * text.len(),
                "{used} units for {} bytes: {}",
                text.len(),
                &text[..40]
            );
            assert!(!exceeds_bound(&text));
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Nothing a customer can type is taken for an alias that expands.
        #[test]
        fn any_text_written_as_yaml_is_within_the_bound(text in "[*&a-z |>:#'\"\\[\\]{},\\n-]{0,300}") {
            let yaml = serde_yaml::to_string(&std::collections::BTreeMap::from([("summary", text.as_str()), ("description", text.as_str())]))
                .expect("serialize");
            prop_assert!(!exceeds_bound(&yaml), "{}", yaml);
        }
    }
}
