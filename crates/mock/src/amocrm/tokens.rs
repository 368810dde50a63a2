//! Issued token pairs: an access token (HS256 JWT) and an opaque refresh token.
//!
//! Every code exchange and every refresh issues a pair; pairs are numbered in issue order
//! (their generation, see [`crate::generations`]). The access token is found by its `jti`
//! claim, the refresh token by its own text.
//!
//! Rotation: a pair remembers the pair it was refreshed from until its own refresh token is
//! first presented; at that moment the parent is spent for good. Under `strict` rotation a
//! refresh token is also spent by its own exchange, so it works once; under `docGrace` it
//! keeps working until its successor shows up.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::{AmocrmConfig, Rotation};
use crate::generations::{self, Generations};
use crate::hex::hex;
use crate::jwt::{Signer, MAX_PAYLOAD};
use crate::stats::Counter;

/// The scopes an integration with full access gets.
const SCOPES: [&str; 5] = [
    "crm",
    "files",
    "files_delete",
    "notifications",
    "push_notifications",
];

pub(crate) struct Pair {
    pub generation: u64,
    client_id: String,
    access_exp_ms: u64,
    refresh_exp_ms: u64,
    /// The refresh token may no longer be exchanged.
    spent: AtomicBool,
    /// The pair this one was refreshed from, until this pair's refresh token is presented.
    parent: Mutex<Option<Arc<Pair>>>,
    /// API requests this access token authorised.
    pub requests: Counter,
    /// Successful refreshes that presented this refresh token.
    pub refreshes: Counter,
}

pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: String,
}

/// Why a refresh token cannot be exchanged, in the order league checks.
pub(crate) enum RefreshCheck {
    Usable(Arc<Pair>),
    /// Not a refresh token we issued.
    Unknown,
    /// Issued to another client id (the integration's id changed since).
    OtherClient,
    Expired,
    /// Revoked by `revoke_tokens` or by rotation (`spent`: presented again after it was
    /// used up).
    Revoked {
        spent: bool,
    },
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    jti: &'a str,
    iat: u64,
    nbf: u64,
    exp: u64,
    sub: String,
    grant_type: &'a str,
    account_id: u64,
    base_domain: &'a str,
    version: u8,
    scopes: [&'a str; 5],
    api_domain: &'a str,
}

#[derive(Deserialize)]
struct ClaimsIn<'a> {
    #[serde(borrow)]
    jti: &'a str,
}

#[derive(Default)]
struct Maps {
    by_jti: HashMap<String, Arc<Pair>>,
    by_refresh: HashMap<String, Arc<Pair>>,
}

pub(crate) struct TokenRegistry {
    signer: Signer,
    maps: RwLock<Maps>,
    /// Expiry applies to access tokens only, so a client whose tokens were all expired can
    /// still recover by refreshing; revocation applies to both tokens of a pair.
    pub generations: Generations,
}

impl TokenRegistry {
    pub(crate) fn new() -> Self {
        TokenRegistry {
            signer: Signer::random(),
            maps: RwLock::new(Maps::default()),
            generations: Generations::default(),
        }
    }

    /// Issues a pair; `parent` is the pair whose refresh token was exchanged for it.
    pub(crate) fn issue(&self, cfg: &AmocrmConfig, parent: Option<Arc<Pair>>) -> Issued {
        let now_ms = crate::time::now_ms();
        let iat = now_ms / 1000;
        let jti = uuid::Uuid::new_v4().to_string();
        let access_token = self.signer.sign(&Claims {
            aud: &cfg.client_id,
            jti: &jti,
            iat,
            nbf: iat,
            exp: iat.saturating_add(cfg.access_token_ttl_secs),
            sub: cfg.user_id.to_string(),
            grant_type: "",
            account_id: cfg.account_id,
            base_domain: &cfg.top_level_domain,
            version: 2,
            scopes: SCOPES,
            api_domain: &cfg.api_domain(),
        });
        // The live tokens are `def50200` + a long encrypted blob; only the shape matters.
        let refresh_token = format!("def50200{}", hex(&rand::random::<[u8; 96]>()));
        let mut maps = self.maps.write();
        // Taken under the map lock so generations are registered in order.
        let generation = self.generations.next();
        let pair = Arc::new(Pair {
            generation,
            client_id: cfg.client_id.clone(),
            access_exp_ms: ttl_from(now_ms, cfg.access_token_ttl_secs),
            refresh_exp_ms: ttl_from(now_ms, cfg.refresh_token_ttl_secs),
            spent: AtomicBool::new(false),
            parent: Mutex::new(parent),
            requests: Counter::default(),
            refreshes: Counter::default(),
        });
        maps.by_jti.insert(jti, pair.clone());
        maps.by_refresh.insert(refresh_token.clone(), pair);
        Issued {
            access_token,
            refresh_token,
        }
    }

    /// The pair of a genuine, unexpired, unrevoked access token.
    pub(crate) fn check_access(&self, token: &str) -> Option<Arc<Pair>> {
        let mut buf = [0u8; MAX_PAYLOAD];
        let payload = self.signer.verify(token, &mut buf).ok()?;
        let claims = serde_json::from_slice::<ClaimsIn<'_>>(payload).ok()?;
        let pair = self.maps.read().by_jti.get(claims.jti).cloned()?;
        let expired = crate::time::now_ms() >= pair.access_exp_ms
            || self.generations.expired(pair.generation);
        (!expired && !self.generations.revoked(pair.generation)).then_some(pair)
    }

    /// Whether `token` may be exchanged by `client_id` now.
    pub(crate) fn check_refresh(&self, token: &str, client_id: &str) -> RefreshCheck {
        let Some(pair) = self.maps.read().by_refresh.get(token).cloned() else {
            return RefreshCheck::Unknown;
        };
        if pair.client_id != client_id {
            return RefreshCheck::OtherClient;
        }
        if crate::time::now_ms() >= pair.refresh_exp_ms {
            return RefreshCheck::Expired;
        }
        if self.generations.revoked(pair.generation) {
            return RefreshCheck::Revoked { spent: false };
        }
        if pair.spent.load(Ordering::Acquire) {
            return RefreshCheck::Revoked { spent: true };
        }
        RefreshCheck::Usable(pair)
    }

    /// Applies rotation to a refresh token being exchanged. False if it was spent in the
    /// meantime (two exchanges racing under `strict`: exactly one wins).
    pub(crate) fn rotate(&self, pair: &Pair, rotation: Rotation) -> bool {
        let won = match rotation {
            Rotation::Strict => pair
                .spent
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok(),
            Rotation::DocGrace => !pair.spent.load(Ordering::Acquire),
        };
        if won {
            // The successor has been presented: the grace of its predecessor is over.
            if let Some(parent) = pair.parent.lock().take() {
                parent.spent.store(true, Ordering::Release);
            }
        }
        won
    }

    /// A per-pair counter by generation (`requestsByGeneration`, `refreshesByGeneration`).
    pub(crate) fn by_generation(&self, counter: fn(&Pair) -> &Counter) -> Value {
        let maps = self.maps.read();
        generations::counts_json(
            maps.by_jti
                .values()
                .map(|p| (p.generation, counter(p).get())),
        )
    }

    pub(crate) fn reset_counters(&self) {
        for p in self.maps.read().by_jti.values() {
            p.requests.reset();
            p.refreshes.reset();
        }
    }
}

fn ttl_from(now_ms: u64, ttl_secs: u64) -> u64 {
    now_ms.saturating_add(ttl_secs.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usable(c: &RefreshCheck) -> bool {
        matches!(c, RefreshCheck::Usable(_))
    }

    fn pair(reg: &TokenRegistry, issued: &Issued) -> Arc<Pair> {
        reg.maps.read().by_refresh[&issued.refresh_token].clone()
    }

    #[test]
    fn longest_claims_fit_the_verifier() {
        let cfg = AmocrmConfig {
            client_id: "x".repeat(64),
            top_level_domain: "d".repeat(32),
            account_id: u64::MAX,
            user_id: u64::MAX,
            access_token_ttl_secs: u64::MAX,
            ..AmocrmConfig::default()
        };
        let reg = TokenRegistry::new();
        let t = reg.issue(&cfg, None);
        assert!(reg.check_access(&t.access_token).is_some());
    }

    #[test]
    fn strict_rotation_spends_at_once() {
        let cfg = AmocrmConfig::default();
        let reg = TokenRegistry::new();
        let first = reg.issue(&cfg, None);
        let p1 = pair(&reg, &first);
        assert!(reg.rotate(&p1, Rotation::Strict));
        assert!(!reg.rotate(&p1, Rotation::Strict));
        assert!(matches!(
            reg.check_refresh(&first.refresh_token, &cfg.client_id),
            RefreshCheck::Revoked { spent: true }
        ));
    }

    #[test]
    fn grace_lasts_until_the_successor_is_presented() {
        let cfg = AmocrmConfig::default();
        let reg = TokenRegistry::new();
        let first = reg.issue(&cfg, None);
        let p1 = pair(&reg, &first);
        assert!(reg.rotate(&p1, Rotation::DocGrace));
        let second = reg.issue(&cfg, Some(p1.clone()));
        assert!(usable(
            &reg.check_refresh(&first.refresh_token, &cfg.client_id)
        ));
        let p2 = pair(&reg, &second);
        assert!(reg.rotate(&p2, Rotation::DocGrace));
        assert!(matches!(
            reg.check_refresh(&first.refresh_token, &cfg.client_id),
            RefreshCheck::Revoked { spent: true }
        ));
        assert!(usable(
            &reg.check_refresh(&second.refresh_token, &cfg.client_id)
        ));
    }

    #[test]
    fn expiry_revocation_and_clients() {
        let cfg = AmocrmConfig::default();
        let reg = TokenRegistry::new();
        let t = reg.issue(&cfg, None);
        assert_eq!(reg.check_access(&t.access_token).unwrap().generation, 1);
        reg.generations.expire_all();
        assert!(reg.check_access(&t.access_token).is_none());
        assert!(usable(&reg.check_refresh(&t.refresh_token, &cfg.client_id)));
        assert!(matches!(
            reg.check_refresh(&t.refresh_token, "someone-else"),
            RefreshCheck::OtherClient
        ));
        reg.generations.revoke_all();
        assert!(matches!(
            reg.check_refresh(&t.refresh_token, &cfg.client_id),
            RefreshCheck::Revoked { spent: false }
        ));
        assert!(matches!(
            reg.check_refresh("def50200ff", &cfg.client_id),
            RefreshCheck::Unknown
        ));
        let short = AmocrmConfig {
            refresh_token_ttl_secs: 0,
            ..cfg
        };
        let t = reg.issue(&short, None);
        assert!(matches!(
            reg.check_refresh(&t.refresh_token, &short.client_id),
            RefreshCheck::Expired
        ));
    }
}
