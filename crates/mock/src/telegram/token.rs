//! Bot tokens: `<bot id>:<secret>`. The shape check is the one Telegram's own Bot API server
//! applies before anything else (a malformed token is refused without looking it up), and the
//! sandbox mints its tokens per run so none is ever written down.

use rand::Rng;

/// What the secret part of a minted token is made of, as in real tokens.
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// Whether Telegram's server would even look `token` up: it starts with a non-zero digit, is
/// at most 80 characters, has no `/`, and its part before `:` is a bot id within 1..2^54.
pub(crate) fn is_well_formed(token: &str) -> bool {
    if token.starts_with('0') || token.len() > 80 || token.contains('/') {
        return false;
    }
    let Some((id, _)) = token.split_once(':') else {
        return false;
    };
    bot_id(id).is_some()
}

fn bot_id(digits: &str) -> Option<i64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id = digits.parse::<i64>().ok()?;
    (1..(1i64 << 54)).contains(&id).then_some(id)
}

/// The bot id a well-formed token names.
pub(crate) fn id_of(token: &str) -> Option<i64> {
    token.split_once(':').and_then(|(id, _)| bot_id(id))
}

/// A fresh token shaped like a real one (ten-digit id, 35-character secret), its secret
/// beginning with `SANDBOX` so nobody mistakes it for a live credential.
pub(crate) fn mint() -> String {
    let mut rng = rand::rng();
    let id: u64 = rng.random_range(1_000_000_000..9_000_000_000);
    let tail: String = (0..28)
        .map(|_| SECRET_ALPHABET[rng.random_range(0..SECRET_ALPHABET.len())] as char)
        .collect();
    format!("{id}:SANDBOX{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_rules_of_the_server() {
        let minted = mint();
        assert!(is_well_formed(&minted), "{minted}");
        assert_eq!(minted.len(), 10 + 1 + 35);
        assert_ne!(minted, mint());
        assert!(is_well_formed("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"));
        assert!(is_well_formed("1:"));
        for bad in [
            "",
            "0123:abc",
            "123456",
            "abc:def",
            ":abc",
            "12/3:abc",
            "18014398509481984:abc", // 2^54
            "-5:abc",
            "+5:abc",
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
        assert!(!is_well_formed(&format!("1:{}", "a".repeat(79))));
        assert!(is_well_formed(&format!("1:{}", "a".repeat(78))));
        assert_eq!(id_of("42:x"), Some(42));
    }
}
