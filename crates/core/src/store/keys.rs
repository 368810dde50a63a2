//! Names of records in a store. A default key carries no e-mail address or client id in clear
//! (store keys show up in `redis-cli KEYS`, file dumps, backups and error messages): it is the
//! provider's prefix plus a short SHA-256 of the account's identifier. Older releases used the
//! identifier itself; that name is kept as the legacy key so a record stored under it is found
//! and moved once, never silently lost.

use sha2::{Digest, Sha256};

/// Where a manager keeps its token, and where an older release may have left it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey {
    pub current: String,
    /// The pre-hash default key; `None` when the operator chose the key.
    pub legacy: Option<String>,
}

impl StoreKey {
    /// The key of a record the operator named (no legacy lookup).
    pub fn explicit(key: impl Into<String>) -> Self {
        StoreKey {
            current: key.into(),
            legacy: None,
        }
    }

    /// The default key for `identifier` under `prefix` (`uzgate:eskiz`, `uzgate:amocrm`), with
    /// the older clear-text name as legacy.
    pub fn derived(prefix: &str, identifier: &str) -> Self {
        StoreKey {
            current: default_key(prefix, identifier),
            legacy: Some(legacy_key(prefix, identifier)),
        }
    }

    /// The operator's key when given, the derived default otherwise.
    pub fn chosen_or_derived(chosen: Option<String>, prefix: &str, identifier: &str) -> Self {
        match chosen {
            Some(k) => Self::explicit(k),
            None => Self::derived(prefix, identifier),
        }
    }
}

impl From<String> for StoreKey {
    fn from(key: String) -> Self {
        Self::explicit(key)
    }
}

impl From<&str> for StoreKey {
    fn from(key: &str) -> Self {
        Self::explicit(key)
    }
}

/// `prefix:` + the first 16 hex digits of SHA-256(identifier). A pseudonym, not a secret: it
/// keeps the address out of listings, not from someone who guesses it.
pub fn default_key(prefix: &str, identifier: &str) -> String {
    let digest = Sha256::digest(identifier.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}:{hex}")
}

/// The default key of releases before keys were hashed.
pub fn legacy_key(prefix: &str, identifier: &str) -> String {
    format!("{prefix}:{identifier}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keys_hold_no_identifier() {
        let key = StoreKey::derived("uzgate:eskiz", "ops@example.uz");
        assert!(!key.current.contains("ops") && !key.current.contains('@'));
        assert_eq!(key.current.len(), "uzgate:eskiz:".len() + 16);
        assert!(key.current.starts_with("uzgate:eskiz:"));
        // Stable: every process and every release derive the same name.
        assert_eq!(key.current, default_key("uzgate:eskiz", "ops@example.uz"));
        assert_ne!(key.current, default_key("uzgate:eskiz", "other@example.uz"));
        assert_eq!(key.legacy.as_deref(), Some("uzgate:eskiz:ops@example.uz"));
    }

    #[test]
    fn a_chosen_key_has_no_legacy_name() {
        let key = StoreKey::chosen_or_derived(Some("mine".into()), "uzgate:amocrm", "id");
        assert_eq!((key.current.as_str(), key.legacy), ("mine", None));
    }
}
