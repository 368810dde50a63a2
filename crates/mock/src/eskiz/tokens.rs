//! Issued tokens and the Bearer check.
//!
//! Tokens are real HS256 JWTs. Each carries a random `sign` claim that keys its record
//! here; the record holds its generation (see [`crate::generations`]), its expiry and
//! whether it was revoked. Checking a token is one HMAC verification plus one map lookup.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::generations::{self, Generations};
use crate::hex::hex;
use crate::jwt::{Signer, MAX_PAYLOAD};
use crate::stats::Counter;

pub(crate) struct TokenRecord {
    pub generation: u64,
    /// Unix seconds.
    pub exp: u64,
    revoked: AtomicBool,
    /// Send requests authorised by this token (for `sendsByGeneration`).
    pub sends: Counter,
}

impl TokenRecord {
    pub(crate) fn revoke(&self) {
        self.revoked.store(true, Ordering::Release);
    }
}

pub(crate) enum TokenCheck {
    Valid(Arc<TokenRecord>),
    /// Genuine and not revoked, but past its `exp` or force-expired.
    Expired(Arc<TokenRecord>),
    /// Unknown, badly signed, malformed or revoked.
    Invalid,
}

#[derive(Serialize)]
struct ClaimsOut<'a> {
    exp: u64,
    iat: u64,
    role: &'a str,
    sign: &'a str,
    sub: &'a str,
}

#[derive(Deserialize)]
struct ClaimsIn<'a> {
    #[serde(borrow)]
    sign: &'a str,
}

pub(crate) struct TokenRegistry {
    signer: Signer,
    by_sign: RwLock<HashMap<String, Arc<TokenRecord>>>,
    pub generations: Generations,
}

impl TokenRegistry {
    pub(crate) fn new() -> Self {
        TokenRegistry {
            signer: Signer::random(),
            by_sign: RwLock::new(HashMap::new()),
            generations: Generations::default(),
        }
    }

    /// Issues a token valid for `ttl_secs` from now.
    pub(crate) fn issue(&self, ttl_secs: u64, role: &str, sub: &str) -> (String, Arc<TokenRecord>) {
        let iat = crate::time::now_secs();
        let exp = iat.saturating_add(ttl_secs);
        let sign = hex(&rand::random::<[u8; 20]>());
        let token = self.signer.sign(&ClaimsOut {
            exp,
            iat,
            role,
            sign: &sign,
            sub,
        });
        let mut map = self.by_sign.write();
        // Taken under the map lock so generations are registered in order.
        let generation = self.generations.next();
        let record = Arc::new(TokenRecord {
            generation,
            exp,
            revoked: AtomicBool::new(false),
            sends: Counter::default(),
        });
        map.insert(sign, record.clone());
        (token, record)
    }

    pub(crate) fn check(&self, token: &str) -> TokenCheck {
        let mut buf = [0u8; MAX_PAYLOAD];
        let Ok(payload) = self.signer.verify(token, &mut buf) else {
            return TokenCheck::Invalid;
        };
        let Ok(claims) = serde_json::from_slice::<ClaimsIn<'_>>(payload) else {
            return TokenCheck::Invalid;
        };
        let Some(record) = self.by_sign.read().get(claims.sign).cloned() else {
            return TokenCheck::Invalid;
        };
        if record.revoked.load(Ordering::Acquire) || self.generations.revoked(record.generation) {
            return TokenCheck::Invalid;
        }
        if crate::time::now_secs() >= record.exp || self.generations.expired(record.generation) {
            return TokenCheck::Expired(record);
        }
        TokenCheck::Valid(record)
    }

    /// `sendsByGeneration`.
    pub(crate) fn sends_by_generation(&self) -> Value {
        let by_sign = self.by_sign.read();
        generations::counts_json(by_sign.values().map(|r| (r.generation, r.sends.get())))
    }

    pub(crate) fn reset_sends(&self) {
        for r in self.by_sign.read().values() {
            r.sends.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_valid(c: &TokenCheck) -> bool {
        matches!(c, TokenCheck::Valid(_))
    }

    #[test]
    fn generations_expiry_and_revocation() {
        let reg = TokenRegistry::new();
        let (t1, r1) = reg.issue(60, "user", "1");
        let (t2, r2) = reg.issue(60, "user", "1");
        assert_eq!((r1.generation, r2.generation), (1, 2));
        assert!(is_valid(&reg.check(&t1)));
        reg.generations.expire_all();
        assert!(matches!(reg.check(&t1), TokenCheck::Expired(_)));
        assert!(matches!(reg.check(&t2), TokenCheck::Expired(_)));
        let (t3, _) = reg.issue(60, "user", "1");
        assert!(is_valid(&reg.check(&t3)));
        r2.revoke();
        assert!(matches!(reg.check(&t2), TokenCheck::Invalid));
        reg.generations.revoke_all();
        assert!(matches!(reg.check(&t3), TokenCheck::Invalid));
        assert!(matches!(reg.check("a.b.c"), TokenCheck::Invalid));
    }

    #[test]
    fn zero_ttl_is_expired_at_once() {
        let reg = TokenRegistry::new();
        let (t, _) = reg.issue(0, "user", "1");
        assert!(matches!(reg.check(&t), TokenCheck::Expired(_)));
    }
}
