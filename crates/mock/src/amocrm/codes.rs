//! Authorization codes: short-lived, single use.
//!
//! A used code is kept (marked) until it expires, so presenting it again is told apart from
//! presenting garbage. Expired codes are swept when the table grows, which bounds it by the
//! number of codes minted within one code lifetime.

use std::collections::HashMap;

use parking_lot::Mutex;

/// Sweep expired codes once the table holds this many.
const SWEEP_AT: usize = 1024;

struct Code {
    exp_ms: u64,
    client_id: String,
    used: bool,
}

/// Why a code cannot be exchanged, in the order league checks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CodeRefusal {
    Unknown,
    Expired,
    Revoked,
    OtherClient,
}

#[derive(Default)]
pub(crate) struct Codes {
    map: Mutex<HashMap<String, Code>>,
}

impl Codes {
    /// Mints a code for `client_id`, valid `ttl_secs` from now.
    pub(crate) fn issue(&self, client_id: &str, ttl_secs: u64) -> String {
        let now = crate::time::now_ms();
        // Live codes look like refresh tokens: `def50200` and a long encrypted blob.
        let code = format!("def50200{}", crate::hex::hex(&rand::random::<[u8; 64]>()));
        let mut map = self.map.lock();
        if map.len() >= SWEEP_AT {
            map.retain(|_, c| c.exp_ms > now);
        }
        map.insert(
            code.clone(),
            Code {
                exp_ms: now.saturating_add(ttl_secs.saturating_mul(1000)),
                client_id: client_id.to_owned(),
                used: false,
            },
        );
        code
    }

    /// Checks `code` for `client_id` and, if it may be exchanged, uses it up.
    pub(crate) fn redeem(&self, code: &str, client_id: &str) -> Result<(), CodeRefusal> {
        let mut map = self.map.lock();
        let entry = map.get_mut(code).ok_or(CodeRefusal::Unknown)?;
        if crate::time::now_ms() >= entry.exp_ms {
            return Err(CodeRefusal::Expired);
        }
        if entry.used {
            return Err(CodeRefusal::Revoked);
        }
        if entry.client_id != client_id {
            return Err(CodeRefusal::OtherClient);
        }
        entry.used = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_use_and_expiry() {
        let codes = Codes::default();
        let c = codes.issue("client", 60);
        assert_eq!(codes.redeem(&c, "other"), Err(CodeRefusal::OtherClient));
        assert_eq!(codes.redeem(&c, "client"), Ok(()));
        assert_eq!(codes.redeem(&c, "client"), Err(CodeRefusal::Revoked));
        assert_eq!(codes.redeem("nope", "client"), Err(CodeRefusal::Unknown));
        let expired = codes.issue("client", 0);
        assert_eq!(codes.redeem(&expired, "client"), Err(CodeRefusal::Expired));
    }
}
