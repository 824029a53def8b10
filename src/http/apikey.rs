//! API keys: made from the operating system's random source, stored only as
//! sha256 hashes, looked up by hash.
//!
//! Keys carry 256 random bits, so a plain sha256 is enough to keep them
//! safe at rest: there is nothing to brute-force, unlike a password.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::config::{KeySettings, Scope};

/// Prefix of every key, so a leaked one is recognisable in a scan.
pub const KEY_PREFIX: &str = "csk_";

/// A new key and its configuration entry.
pub struct NewKey {
    /// Shown once; never stored.
    pub secret: String,
    pub settings: KeySettings,
}

/// Creates a key with the given id and scopes.
///
/// # Errors
///
/// The operating system's random source failing ([`getrandom::Error`]).
pub fn create(id: &str, scopes: &[Scope]) -> Result<NewKey, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let secret = format!("{KEY_PREFIX}{}", crate::lists::hex(&bytes));
    let settings = KeySettings { id: id.to_string(), sha256: hash(&secret), scopes: scopes.to_vec() };
    Ok(NewKey { secret, settings })
}

/// Lower-case hex sha256 of a presented key.
pub fn hash(secret: &str) -> String {
    crate::lists::hex(&Sha256::digest(secret.as_bytes()))
}

/// The configured keys, by hash.
#[derive(Debug, Default, Clone)]
pub struct Keyring {
    by_hash: HashMap<String, KeyInfo>,
}

/// Who a key belongs to and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: String,
    pub scopes: Vec<Scope>,
}

impl KeyInfo {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

impl Keyring {
    pub fn new(keys: &[KeySettings]) -> Keyring {
        let by_hash = keys
            .iter()
            .map(|k| (k.sha256.to_ascii_lowercase(), KeyInfo { id: k.id.clone(), scopes: k.scopes.clone() }))
            .collect();
        Keyring { by_hash }
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// The key's owner, if the key is configured. Comparing hashes rather
    /// than secrets means the lookup time says nothing about the secret.
    pub fn lookup(&self, secret: &str) -> Option<&KeyInfo> {
        self.by_hash.get(&hash(secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_key_is_found_by_its_hash_only() {
        let k = create("ops", &[Scope::Screen]).unwrap();
        assert!(k.secret.starts_with(KEY_PREFIX));
        assert_eq!(k.secret.len(), KEY_PREFIX.len() + 64);
        assert_ne!(k.settings.sha256, k.secret);
        let ring = Keyring::new(std::slice::from_ref(&k.settings));
        let info = ring.lookup(&k.secret).unwrap();
        assert_eq!(info.id, "ops");
        assert!(info.allows(Scope::Screen));
        assert!(!info.allows(Scope::Admin));
        assert!(ring.lookup("csk_wrong").is_none());
        assert!(ring.lookup(&k.settings.sha256).is_none(), "the hash itself is not a key");
    }

    #[test]
    fn two_keys_differ() {
        let a = create("a", &[Scope::Admin]).unwrap();
        let b = create("a", &[Scope::Admin]).unwrap();
        assert_ne!(a.secret, b.secret);
    }
}
