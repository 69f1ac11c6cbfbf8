//! Portal sign-in links: one file per link in `.tickets/`
//! (`signin.<SHA-256 of the token, hex>.json`), derived, gitignored and
//! readable by the owner only (mode 0600). The token itself is never
//! stored: whoever reads the directory learns only hashes. Taking a link
//! removes its file, and only the remover gets it: a link works once even
//! when two requests race.

use super::atomic_write::Durability;
use super::derived_dir::DerivedDir;
use super::Store;
use crate::core::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::{ErrorKind, Read};

/// What the file names of sign-in links start with.
const PREFIX: &str = "signin.";

/// The largest sign-in file read.
const MAX_SIGN_IN_FILE_BYTES: u64 = 4096;

/// A sign-in link waiting to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The contact's address.
    pub email: String,
    /// When the link stops working.
    #[serde(with = "crate::core::time::rfc3339")]
    pub expires_at: DateTime<Utc>,
}

/// The file of the link whose token hashes to `token_hash`; `None` unless
/// the hash is 64 lowercase hex digits (it names a file).
fn file_name(token_hash: &str) -> Option<String> {
    let hex = token_hash.len() == 64
        && token_hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex.then(|| format!("{PREFIX}{token_hash}.json"))
}

impl Store {
    /// Records a sign-in link by its token's hash (mode 0600, synced), and
    /// removes the links that expired before `now`.
    pub fn save_sign_in(&self, token_hash: &str, sign_in: &SignIn, now: DateTime<Utc>) -> Result<()> {
        let name = file_name(token_hash).ok_or(Error::Internal {
            what: "a sign-in token hash must be 64 hex digits",
        })?;
        let derived = DerivedDir::create(&self.root)?;
        for old in derived.names_starting_with(PREFIX) {
            if read(&derived, &old).is_ok_and(|s| s.expires_at < now) {
                let _ = derived.remove(&old);
            }
        }
        let text = serde_json::to_vec(sign_in).map_err(|e| Error::Serialize {
            what: name.to_string(),
            detail: e.to_string(),
        })?;
        derived.write_private_file(&name, &text, Durability::Synced)
    }

    /// Takes the link whose token hashes to `token_hash`: its file is removed,
    /// and the link returned to this caller only. `None` when there is no such
    /// link (never was, or already taken); expiry is the caller's to check.
    pub fn take_sign_in(&self, token_hash: &str) -> Result<Option<SignIn>> {
        let Some(name) = file_name(token_hash) else {
            return Ok(None);
        };
        let Some(derived) = DerivedDir::open(&self.root)? else {
            return Ok(None);
        };
        if !derived.names_starting_with(&name).contains(&name) {
            return Ok(None);
        }
        let sign_in = read(&derived, &name);
        match derived.remove(&name) {
            Ok(()) => sign_in.map(Some),
            // Another request took it first.
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(derived.path().join(&name), e)),
        }
    }
}

fn read(derived: &DerivedDir, name: &str) -> Result<SignIn> {
    let path = derived.path().join(name);
    let file = derived.open_private_file(name)?;
    let mut bytes = Vec::new();
    file.take(MAX_SIGN_IN_FILE_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::invalid(&path, Some(e.line()), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_link_is_kept_private_and_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let now = crate::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap();
        let hash = "ab".repeat(32);
        let sign_in = SignIn {
            email: "ana@acme.example".into(),
            expires_at: now,
        };
        store.save_sign_in(&hash, &sign_in, now).unwrap();
        let file = dir.path().join(".tickets").join(format!("signin.{hash}.json"));
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(store.take_sign_in(&hash).unwrap(), Some(sign_in));
        assert_eq!(store.take_sign_in(&hash).unwrap(), None);
        assert_eq!(store.take_sign_in("../config.yaml").unwrap(), None);
    }
}
