//! Twilio SIDs: two letters naming the resource type and 32 hex digits.
//!
//! Every SID the sandbox issues, its own account's included, is minted from random bytes
//! when it is needed, so none is ever written down anywhere.

use crate::hex::hex;

/// A fresh SID such as `SM…`, `AC…`, `MG…` or `RQ…`.
pub(crate) fn mint(prefix: &str) -> String {
    format!("{prefix}{}", hex(&rand::random::<[u8; 16]>()))
}

/// Whether `s` is `prefix` followed by exactly 32 hex digits (either case, as the spec's
/// patterns allow).
pub(crate) fn is_sid(prefix: &str, s: &str) -> bool {
    s.len() == 34
        && s.starts_with(prefix)
        && s.as_bytes()[prefix.len()..]
            .iter()
            .all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_sids_match_their_pattern() {
        let sm = mint("SM");
        assert!(is_sid("SM", &sm), "{sm}");
        assert_ne!(sm, mint("SM"));
        assert!(!is_sid("MM", &sm));
        assert!(!is_sid("SM", &sm[..33]));
        assert!(!is_sid("SM", &format!("SM{}", "g".repeat(32))));
        assert!(is_sid("MG", &format!("MG{}", "AB".repeat(16))));
    }
}
