//! Case IDs: `PREFIX-XXXXXXXX`, eight random Crockford base-32 characters.
//!
//! Random rather than sequential so that two clones of a store that open
//! cases independently do not collide when merged: 40 random bits make a
//! collision between two unsynchronised clones about one in a trillion per
//! pair of cases, and within one store a fresh ID is drawn until it is free.

use crate::core::error::{Error, Result};
use rand::Rng;

/// Crockford's base-32 alphabet: no I, L, O or U, so IDs read aloud well.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of random characters after the prefix.
pub const RANDOM_LEN: usize = 8;

/// Draws a new ID with the given prefix.
pub fn generate(prefix: &str, rng: &mut impl Rng) -> String {
    let mut id = String::with_capacity(prefix.len() + 1 + RANDOM_LEN);
    id.push_str(prefix);
    id.push('-');
    for _ in 0..RANDOM_LEN {
        id.push(ALPHABET[rng.random_range(0..32)] as char);
    }
    id
}

/// Whether `text` is letters, digits, `.`, `_` or `-` only (and not `.`-led).
pub fn is_plain_word(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('.')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Checks a user-typed ID before it goes near the file system and returns it
/// upper-cased. Anything that could be a path (separators, `..`, NUL) is refused.
pub fn validate(text: &str) -> Result<String> {
    let refuse = |reason| Error::InvalidId {
        id: text.to_string(),
        reason,
    };
    if text.is_empty() {
        return Err(refuse("it is empty"));
    }
    if text.len() > 64 {
        return Err(refuse("it is longer than 64 characters"));
    }
    if text.contains(['/', '\\']) {
        return Err(refuse("it contains a path separator"));
    }
    if text.contains('\0') {
        return Err(refuse("it contains a NUL byte"));
    }
    if text.contains("..") {
        return Err(refuse("it contains '..'"));
    }
    if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(refuse("only letters, digits and '-' are allowed"));
    }
    Ok(text.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_prefix_and_alphabet() {
        let mut rng = rand::rng();
        let id = generate("RC", &mut rng);
        assert!(id.starts_with("RC-"));
        assert_eq!(id.len(), 3 + RANDOM_LEN);
        assert!(id[3..].bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(validate(&id).unwrap(), id);
    }

    #[test]
    fn path_like_ids_are_refused() {
        for bad in ["../x", "RC-1/2", "a\\b", "RC\0", "..", "", "RC 1"] {
            assert!(validate(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(validate("rc-abc").unwrap(), "RC-ABC");
    }
}
