//! Whether amoCRM is refusing the account itself — blocked (403) or unpaid (402) — told once when
//! it starts and once when it ends, as events (operator alerts listen): a block ends with any
//! success, an unpaid account with a successful write (reads still work while unpaid). One
//! atomic on the hot path: a success costs a load unless something was refused.

use crate::error::Provider;
use crate::events::{Sinks, TokenEvent};
use std::sync::atomic::{AtomicU8, Ordering};

const BLOCKED: u8 = 1;
const UNPAID: u8 = 2;

#[derive(Default)]
pub(super) struct AccountState {
    refused: AtomicU8,
}

impl AccountState {
    /// After an answer with `status` to a request that writes (`write`) or reads.
    pub fn observe(&self, status: u16, write: bool, events: &Sinks) {
        let (flag, code) = match status {
            403 => (BLOCKED, "ACCESS_BLOCKED"),
            402 => (UNPAID, "ACCOUNT_UNPAID"),
            200..=299 => {
                let ends = if write { BLOCKED | UNPAID } else { BLOCKED };
                if self.refused.load(Ordering::Acquire) & ends != 0 {
                    let was = self.refused.fetch_and(!ends, Ordering::AcqRel) & ends;
                    for (flag, code) in [(BLOCKED, "ACCESS_BLOCKED"), (UNPAID, "ACCOUNT_UNPAID")] {
                        if was & flag != 0 {
                            events.emit(&TokenEvent::AccountRestored {
                                provider: Provider::AmoCrm,
                                code,
                            });
                        }
                    }
                }
                return;
            }
            _ => return,
        };
        if self.refused.fetch_or(flag, Ordering::AcqRel) & flag == 0 {
            events.emit(&TokenEvent::AccountRefused {
                provider: Provider::AmoCrm,
                code,
                status,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventSink;
    use parking_lot::Mutex;
    use std::sync::Arc;

    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);
    impl EventSink for Seen {
        fn event(&self, e: &TokenEvent) {
            let code = match e {
                TokenEvent::AccountRefused { code, .. }
                | TokenEvent::AccountRestored { code, .. } => *code,
                _ => "",
            };
            self.0.lock().push(format!("{} {code}", e.name()));
        }
    }

    #[test]
    fn told_once_when_refused_and_once_when_restored() {
        let sinks = Sinks::default();
        let seen = Arc::new(Seen::default());
        sinks.subscribe(seen.clone());
        let s = AccountState::default();
        for (status, write) in [
            (200, false),
            (403, false),
            (403, false),
            (402, true),
            (429, false),
            (403, false),
            (200, false), // a read ends the block, not the unpaid state
            (201, true),
            (200, true),
            (402, true),
        ] {
            s.observe(status, write, &sinks);
        }
        assert_eq!(
            *seen.0.lock(),
            [
                "account_refused ACCESS_BLOCKED",
                "account_refused ACCOUNT_UNPAID",
                "account_restored ACCESS_BLOCKED",
                "account_restored ACCOUNT_UNPAID",
                "account_refused ACCOUNT_UNPAID",
            ]
        );
    }
}
