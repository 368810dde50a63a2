//! Token generations, shared by Eskiz's tokens and amoCRM's token pairs: every token (pair)
//! is numbered 1, 2, 3… in issue order. "Expire/revoke everything issued so far" is a
//! watermark on generations, so it costs nothing however many tokens exist.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};

#[derive(Default)]
pub(crate) struct Generations {
    last: AtomicU64,
    /// Generations up to this one count as expired (`expire_tokens`).
    expired_upto: AtomicU64,
    /// Generations up to this one count as revoked (`revoke_tokens`).
    revoked_upto: AtomicU64,
}

impl Generations {
    /// Numbers a new token. Take it under the lock of the map the token is registered in,
    /// so generations are registered in order.
    pub(crate) fn next(&self) -> u64 {
        self.last.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// The generation of the latest token (0 before the first).
    pub(crate) fn last(&self) -> u64 {
        self.last.load(Ordering::Acquire)
    }

    /// Every token issued so far counts as expired from now on.
    pub(crate) fn expire_all(&self) {
        self.expired_upto.fetch_max(self.last(), Ordering::AcqRel);
    }

    /// Every token issued so far counts as revoked from now on.
    pub(crate) fn revoke_all(&self) {
        self.revoked_upto.fetch_max(self.last(), Ordering::AcqRel);
    }

    pub(crate) fn expired(&self, generation: u64) -> bool {
        generation <= self.expired_upto.load(Ordering::Acquire)
    }

    pub(crate) fn revoked(&self, generation: u64) -> bool {
        generation <= self.revoked_upto.load(Ordering::Acquire)
    }
}

/// A per-token counter as the stats show it, `{"1": n, …}`: `(generation, count)` pairs in
/// generation order, generations with zero left out.
pub(crate) fn counts_json(counts: impl Iterator<Item = (u64, u64)>) -> Value {
    let by_generation: BTreeMap<u64, u64> = counts.filter(|&(_, n)| n > 0).collect();
    Value::Object(
        by_generation
            .into_iter()
            .map(|(g, n)| (g.to_string(), Value::from(n)))
            .collect::<Map<String, Value>>(),
    )
}
