//! HS256 JSON Web Tokens signed with a per-sandbox random key.
//!
//! Verification is on the hot path of every authenticated request, so it works without
//! heap allocation: the keyed HMAC state is prepared once and cloned, and the signature and
//! payload are decoded into caller-provided buffers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// `{"alg":"HS256","typ":"JWT"}`, already encoded: every token carries the same header.
const HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Upper bound of a payload we issue; anything longer cannot be ours.
pub(crate) const MAX_PAYLOAD: usize = 512;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JwtError {
    Malformed,
    BadSignature,
}

pub(crate) struct Signer {
    mac: HmacSha256,
}

impl Signer {
    pub(crate) fn random() -> Self {
        let key: [u8; 32] = rand::random();
        Signer {
            mac: HmacSha256::new_from_slice(&key).expect("HMAC accepts any key length"),
        }
    }

    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> String {
        let payload = serde_json::to_vec(claims).expect("claims serialise");
        let mut token = String::with_capacity(HEADER_B64.len() + payload.len() * 2 + 48);
        token.push_str(HEADER_B64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let sig = self
            .mac
            .clone()
            .chain_update(token.as_bytes())
            .finalize()
            .into_bytes();
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(sig, &mut token);
        token
    }

    /// Checks the signature and returns the decoded payload (JSON bytes) inside `buf`.
    pub(crate) fn verify<'b>(
        &self,
        token: &str,
        buf: &'b mut [u8; MAX_PAYLOAD],
    ) -> Result<&'b [u8], JwtError> {
        let (signed, sig_b64) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
        let (_, payload_b64) = signed.split_once('.').ok_or(JwtError::Malformed)?;
        let mut sig = [0u8; 48];
        let sig_len = URL_SAFE_NO_PAD
            .decode_slice(sig_b64, &mut sig)
            .map_err(|_| JwtError::Malformed)?;
        self.mac
            .clone()
            .chain_update(signed.as_bytes())
            .verify_slice(&sig[..sig_len])
            .map_err(|_| JwtError::BadSignature)?;
        let len = URL_SAFE_NO_PAD
            .decode_slice(payload_b64, &mut buf[..])
            .map_err(|_| JwtError::Malformed)?;
        Ok(&buf[..len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_constant_matches() {
        assert_eq!(
            URL_SAFE_NO_PAD.decode(HEADER_B64).unwrap(),
            br#"{"alg":"HS256","typ":"JWT"}"#
        );
    }

    #[test]
    fn sign_then_verify() {
        let s = Signer::random();
        let token = s.sign(&serde_json::json!({"exp": 2, "sub": "1"}));
        let mut buf = [0u8; MAX_PAYLOAD];
        let payload = s.verify(&token, &mut buf).unwrap();
        assert_eq!(payload, br#"{"exp":2,"sub":"1"}"#);
    }

    #[test]
    fn rejects_foreign_and_tampered_tokens() {
        let a = Signer::random();
        let b = Signer::random();
        let token = a.sign(&serde_json::json!({"sub": "1"}));
        let mut buf = [0u8; MAX_PAYLOAD];
        assert_eq!(b.verify(&token, &mut buf), Err(JwtError::BadSignature));
        let tampered = token.replacen("eyJzdWIiOiIxIn0", "eyJzdWIiOiIyIn0", 1);
        assert_eq!(a.verify(&tampered, &mut buf), Err(JwtError::BadSignature));
        assert_eq!(a.verify("nonsense", &mut buf), Err(JwtError::Malformed));
    }
}
