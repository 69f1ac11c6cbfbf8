//! Portal sign-in links: one file per link in `.tickets/`
//! (`signin.<SHA-256 of the token, hex>.json`), derived, gitignored and
//! readable by the owner only (mode 0600). The token itself is never
//! stored: whoever reads the directory learns only hashes. Taking a link
//! removes its file, and only the remover gets it: a link works once even
//! when two requests race.
//!
//! The one-time code that travels with a link lives beside it, one file per
//! address (`signcode.<SHA-256 of the address, hex>.json`, the newest code
//! only), also hashed, also taken by removing the file: a wrong code puts
//! the file back with one more wrong try counted, until the caller locks it.

use super::atomic_write::Durability;
use super::derived_dir::DerivedDir;
use super::Store;
use crate::core::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::{ErrorKind, Read};

/// What the file names of sign-in links start with.
const PREFIX: &str = "signin.";

/// What the file names of sign-in codes start with.
const CODE_PREFIX: &str = "signcode.";

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

/// A sign-in code waiting to be typed, for one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInCode {
    /// The contact's address.
    pub email: String,
    /// The SHA-256 of the address and the code (hex); never the code.
    pub code_hash: String,
    /// The hash of the link sent with it: using the code spends the link.
    pub token_hash: String,
    /// When the code stops working (the link's expiry).
    #[serde(with = "crate::core::time::rfc3339")]
    pub expires_at: DateTime<Utc>,
    /// How many wrong codes were typed for it.
    #[serde(default)]
    pub wrong_tries: u32,
}

/// Whether `hash` is 64 lowercase hex digits (it names a file).
fn is_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file of the link whose token hashes to `token_hash`; `None` unless
/// the hash is 64 lowercase hex digits (it names a file).
fn file_name(token_hash: &str) -> Option<String> {
    is_hash(token_hash).then(|| format!("{PREFIX}{token_hash}.json"))
}

/// The file of the code of the address that hashes to `address_hash`.
fn code_file_name(address_hash: &str) -> Option<String> {
    is_hash(address_hash).then(|| format!("{CODE_PREFIX}{address_hash}.json"))
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

impl Store {
    /// Records the sign-in code of the address that hashes to `address_hash`
    /// (mode 0600, synced), replacing any earlier one, and removes the codes
    /// that expired before `now`. A wrong try is recorded the same way.
    pub fn save_sign_in_code(&self, address_hash: &str, code: &SignInCode, now: DateTime<Utc>) -> Result<()> {
        let name = code_file_name(address_hash).ok_or(Error::Internal {
            what: "a sign-in address hash must be 64 hex digits",
        })?;
        let derived = DerivedDir::create(&self.root)?;
        for old in derived.names_starting_with(CODE_PREFIX) {
            if read_as::<SignInCode>(&derived, &old).is_ok_and(|c| c.expires_at < now) {
                let _ = derived.remove(&old);
            }
        }
        let text = serde_json::to_vec(code).map_err(|e| Error::Serialize {
            what: name.to_string(),
            detail: e.to_string(),
        })?;
        derived.write_private_file(&name, &text, Durability::Synced)
    }

    /// Takes the sign-in code of the address that hashes to `address_hash`:
    /// its file is removed and the code returned to this caller only (a
    /// wrong try is the caller's to put back). `None` when there is none.
    pub fn take_sign_in_code(&self, address_hash: &str) -> Result<Option<SignInCode>> {
        let Some(name) = code_file_name(address_hash) else {
            return Ok(None);
        };
        let Some(derived) = DerivedDir::open(&self.root)? else {
            return Ok(None);
        };
        if !derived.names_starting_with(&name).contains(&name) {
            return Ok(None);
        }
        let code = read_as::<SignInCode>(&derived, &name);
        match derived.remove(&name) {
            Ok(()) => code.map(Some),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(derived.path().join(&name), e)),
        }
    }
}

fn read(derived: &DerivedDir, name: &str) -> Result<SignIn> {
    read_as(derived, name)
}

fn read_as<T: serde::de::DeserializeOwned>(derived: &DerivedDir, name: &str) -> Result<T> {
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

    #[test]
    fn a_code_is_kept_private_replaced_by_a_newer_one_and_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let now = crate::core::time::parse_instant("2026-11-19T10:00:00Z").unwrap();
        let address = "cd".repeat(32);
        let code = |hash: &str| SignInCode {
            email: "ana@acme.example".into(),
            code_hash: hash.repeat(32),
            token_hash: "ab".repeat(32),
            expires_at: now,
            wrong_tries: 0,
        };
        store.save_sign_in_code(&address, &code("01"), now).unwrap();
        store.save_sign_in_code(&address, &code("02"), now).unwrap();
        let file = dir.path().join(".tickets").join(format!("signcode.{address}.json"));
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(store.take_sign_in_code(&address).unwrap(), Some(code("02")));
        assert_eq!(store.take_sign_in_code(&address).unwrap(), None);
        assert_eq!(store.take_sign_in_code("../config.yaml").unwrap(), None);
    }
}
