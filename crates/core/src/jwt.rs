//! Reads a JWT's `exp` without verifying it: we are not the audience, we only want to know when
//! the issuer will start refusing the token, so that we can refresh it a little before.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// `exp` (seconds since the Unix epoch) of a compact JWT, or `None` when the token is not a JWT
/// or carries no numeric `exp`.
pub fn expiry_unix_secs(token: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    // Some issuers pad; the URL-safe alphabet is the standard one.
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match claims.get("exp")? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_exp() {
        assert_eq!(
            expiry_unix_secs(&jwt(r#"{"exp":1754676541,"iat":1752084541,"sub":"1"}"#)),
            Some(1754676541)
        );
        assert_eq!(expiry_unix_secs(&jwt(r#"{"exp":"17"}"#)), Some(17));
        assert_eq!(expiry_unix_secs(&jwt(r#"{"exp":17.9}"#)), Some(17));
    }

    #[test]
    fn tolerates_non_jwts() {
        assert_eq!(expiry_unix_secs("opaque-token"), None);
        assert_eq!(expiry_unix_secs("a.b"), None);
        assert_eq!(expiry_unix_secs("a.b.c.d"), None);
        assert_eq!(expiry_unix_secs(&jwt(r#"{"sub":"1"}"#)), None);
        assert_eq!(expiry_unix_secs(&jwt(r#"{"exp":-5}"#)), None);
        assert_eq!(expiry_unix_secs("x.!!!.y"), None);
    }
}
