//! The "SMS provider unavailable" alert: a routed provider's breaker opening raises an incident
//! of its own (one per provider), its closing resolves it. The text names the provider, the
//! failures, the last error code and when the probe goes — never a credential or a number.

use super::{BreakerEvent, BreakerListener, Change};
use crate::alerts::{AlertEngine, AlertKind};
use crate::time::iso8601_utc;
use std::sync::Arc;

/// A breaker listener that reports into `engine`.
pub fn breaker_alerts(engine: Arc<AlertEngine>) -> BreakerListener {
    Arc::new(move |e: &BreakerEvent| match e.change {
        Change::Opened => engine.raise_about(
            AlertKind::ProviderDown,
            e.provider,
            detail(e),
            format!(
                "Sends go through the route's next providers meanwhile. Check {}'s status, the \
                 account's balance and credentials; the breaker closes by itself when a probe \
                 succeeds (providerStatus() shows it)",
                e.provider
            ),
        ),
        Change::Closed => engine.clear_about(AlertKind::ProviderDown, e.provider),
    })
}

fn detail(e: &BreakerEvent) -> String {
    let mut d = format!(
        "{} sends in a row failed for the provider's sake",
        e.failures
    );
    if let Some(code) = &e.last_code {
        d.push_str(&format!(", the last with {code}"));
    }
    d.push_str("; sends skip it without a request");
    if let Some(at) = e.probe_at_ms {
        d.push_str(&format!(" until one probe at {}", iso8601_utc(at)));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detail_names_the_failures_the_code_and_the_probe() {
        let e = BreakerEvent {
            provider: "playmobile",
            change: Change::Opened,
            failures: 3,
            last_code: Some("PROVIDER_UNAVAILABLE".into()),
            probe_at_ms: Some(1_796_544_030_000),
            shared: false,
        };
        assert_eq!(
            detail(&e),
            "3 sends in a row failed for the provider's sake, the last with PROVIDER_UNAVAILABLE; \
             sends skip it without a request until one probe at 2026-12-06T08:00:30.000Z"
        );
    }
}
