//! Per-client counters rendered as Prometheus text by `metrics()`: requests by
//! provider/endpoint/status, latency histograms, refreshes by result, rate-limit waits, failed
//! or abandoned token-store calls.

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

const BUCKETS_SECS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS_SECS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (i, bound) in BUCKETS_SECS.iter().enumerate() {
            if secs <= *bound {
                self.counts[i] += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, &'static str, String), u64>,
    latency: BTreeMap<(&'static str, &'static str), Histogram>,
    refreshes: BTreeMap<(&'static str, &'static str), u64>,
    rate_limit_waits: BTreeMap<&'static str, (u64, f64)>,
    retries: BTreeMap<(&'static str, &'static str), u64>,
    otp_verifications: BTreeMap<&'static str, u64>,
    otp_refusals: BTreeMap<&'static str, u64>,
    store_failures: BTreeMap<(&'static str, &'static str, &'static str), u64>,
    /// The last polled balance per (provider, currency).
    balances: BTreeMap<(&'static str, String), f64>,
    balance_polls: BTreeMap<(&'static str, &'static str), u64>,
    alerts: BTreeMap<(String, String, String, String), u64>,
    /// Routed providers: breaker opened/closed counts, and whether each is open now.
    breaker_changes: BTreeMap<(&'static str, &'static str), u64>,
    breaker_open: BTreeMap<&'static str, bool>,
    /// Routed sends that moved on from a provider, by provider and reason.
    failovers: BTreeMap<(&'static str, &'static str), u64>,
}

/// One per client. Cheap enough for the hot path: one short uncontended lock per request.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// `status` is the HTTP status or a transport outcome (`timeout`, `network`).
    pub fn request(
        &self,
        provider: &'static str,
        endpoint: &'static str,
        status: &str,
        took: Duration,
    ) {
        let mut inner = self.inner.lock();
        *inner
            .requests
            .entry((provider, endpoint, status.to_string()))
            .or_default() += 1;
        inner
            .latency
            .entry((provider, endpoint))
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// `result`: `ok`, `login`, `adopted`, `failed`, `reauthorization_required`.
    pub fn refresh(&self, provider: &'static str, result: &'static str) {
        *self
            .inner
            .lock()
            .refreshes
            .entry((provider, result))
            .or_default() += 1;
    }

    pub fn rate_limit_wait(&self, provider: &'static str, waited: Duration) {
        let mut inner = self.inner.lock();
        let entry = inner.rate_limit_waits.entry(provider).or_default();
        entry.0 += 1;
        entry.1 += waited.as_secs_f64();
    }

    /// `reason`: `429`, `5xx`, `network`, `timeout`.
    pub fn retry(&self, provider: &'static str, reason: &'static str) {
        *self
            .inner
            .lock()
            .retries
            .entry((provider, reason))
            .or_default() += 1;
    }

    /// `result`: `ok`, `invalid`, `not_found`, `expired`, `too_many_attempts`. The precise
    /// outcome lives here and in the log; HTTP answers may merge them (no pending-code oracle).
    /// An OTP send refused before anything was stored or sent (`region_not_allowed`).
    pub fn otp_refused(&self, reason: &'static str) {
        *self.inner.lock().otp_refusals.entry(reason).or_default() += 1;
    }

    pub fn otp_verify(&self, result: &'static str) {
        *self
            .inner
            .lock()
            .otp_verifications
            .entry(result)
            .or_default() += 1;
    }

    /// A token-store call that failed (`outcome` `error`) or was abandoned at its deadline
    /// (`timeout`); `operation`: `load`, `save`, `lock`, `clear`.
    pub fn store_failure(
        &self,
        store: &'static str,
        operation: &'static str,
        outcome: &'static str,
    ) {
        *self
            .inner
            .lock()
            .store_failures
            .entry((store, operation, outcome))
            .or_default() += 1;
    }

    /// An alert's delivery to one sink (`-`: dropped before any sink, the queue being full).
    pub fn alert(&self, kind: &str, state: &str, sink: &str, result: &str) {
        *self
            .inner
            .lock()
            .alerts
            .entry((kind.into(), state.into(), sink.into(), result.into()))
            .or_default() += 1;
    }

    /// A routed provider's circuit breaker opened (`opened`) or closed (`closed`).
    pub fn breaker(&self, provider: &'static str, change: &'static str) {
        let mut inner = self.inner.lock();
        *inner.breaker_changes.entry((provider, change)).or_default() += 1;
        inner.breaker_open.insert(provider, change == "opened");
    }

    /// A routed send moved on from `provider` for `reason`.
    pub fn failover(&self, provider: &'static str, reason: &'static str) {
        *self
            .inner
            .lock()
            .failovers
            .entry((provider, reason))
            .or_default() += 1;
    }

    /// A balance poll: its value, or `None` when it failed.
    pub fn balance_polled(&self, provider: &'static str, currency: &str, value: Option<f64>) {
        let mut inner = self.inner.lock();
        let result = match value {
            Some(v) => {
                inner.balances.insert((provider, currency.to_string()), v);
                "ok"
            }
            None => "error",
        };
        *inner.balance_polls.entry((provider, result)).or_default() += 1;
    }

    pub fn render(&self) -> String {
        let inner = self.inner.lock();
        let mut out = String::new();
        out.push_str("# HELP uzgate_requests_total HTTP requests sent, by provider, endpoint and status.\n# TYPE uzgate_requests_total counter\n");
        for ((p, e, s), n) in &inner.requests {
            let _ = writeln!(
                out,
                "uzgate_requests_total{{provider=\"{p}\",endpoint=\"{e}\",status=\"{s}\"}} {n}"
            );
        }
        out.push_str("# HELP uzgate_request_duration_seconds Latency of HTTP requests.\n# TYPE uzgate_request_duration_seconds histogram\n");
        for ((p, e), h) in &inner.latency {
            for (i, bound) in BUCKETS_SECS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "uzgate_request_duration_seconds_bucket{{provider=\"{p}\",endpoint=\"{e}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "uzgate_request_duration_seconds_bucket{{provider=\"{p}\",endpoint=\"{e}\",le=\"+Inf\"}} {}\nuzgate_request_duration_seconds_sum{{provider=\"{p}\",endpoint=\"{e}\"}} {}\nuzgate_request_duration_seconds_count{{provider=\"{p}\",endpoint=\"{e}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        out.push_str("# HELP uzgate_token_refreshes_total Token refreshes, by result.\n# TYPE uzgate_token_refreshes_total counter\n");
        for ((p, r), n) in &inner.refreshes {
            let _ = writeln!(
                out,
                "uzgate_token_refreshes_total{{provider=\"{p}\",result=\"{r}\"}} {n}"
            );
        }
        out.push_str("# HELP uzgate_rate_limit_waits_total Waits imposed by rate limits.\n# TYPE uzgate_rate_limit_waits_total counter\n");
        for (p, (n, secs)) in &inner.rate_limit_waits {
            let _ = writeln!(
                out,
                "uzgate_rate_limit_waits_total{{provider=\"{p}\"}} {n}\nuzgate_rate_limit_wait_seconds_total{{provider=\"{p}\"}} {secs}"
            );
        }
        out.push_str("# HELP uzgate_retries_total Requests repeated, by reason.\n# TYPE uzgate_retries_total counter\n");
        for ((p, r), n) in &inner.retries {
            let _ = writeln!(
                out,
                "uzgate_retries_total{{provider=\"{p}\",reason=\"{r}\"}} {n}"
            );
        }
        if !inner.store_failures.is_empty() {
            out.push_str("# HELP uzgate_store_failures_total Token-store calls that failed or did not answer in time.\n# TYPE uzgate_store_failures_total counter\n");
            for ((store, op, outcome), n) in &inner.store_failures {
                let _ = writeln!(
                    out,
                    "uzgate_store_failures_total{{store=\"{store}\",operation=\"{op}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        if !inner.balance_polls.is_empty() {
            out.push_str("# HELP uzgate_balance The provider balance the last successful poll read.\n# TYPE uzgate_balance gauge\n");
            for ((p, currency), v) in &inner.balances {
                let _ = writeln!(
                    out,
                    "uzgate_balance{{provider=\"{p}\",currency=\"{currency}\"}} {v}"
                );
            }
            out.push_str("# HELP uzgate_balance_polls_total Balance polls, by result.\n# TYPE uzgate_balance_polls_total counter\n");
            for ((p, r), n) in &inner.balance_polls {
                let _ = writeln!(
                    out,
                    "uzgate_balance_polls_total{{provider=\"{p}\",result=\"{r}\"}} {n}"
                );
            }
        }
        if !inner.failovers.is_empty() {
            out.push_str("# HELP uzgate_failovers_total Routed sends that moved on to the next provider, by the provider left and why.\n# TYPE uzgate_failovers_total counter\n");
            for ((p, r), n) in &inner.failovers {
                let _ = writeln!(
                    out,
                    "uzgate_failovers_total{{provider=\"{p}\",reason=\"{r}\"}} {n}"
                );
            }
        }
        if !inner.breaker_open.is_empty() {
            out.push_str("# HELP uzgate_breaker_open Whether a routed provider's circuit breaker is open (sends skip it).\n# TYPE uzgate_breaker_open gauge\n");
            for (p, open) in &inner.breaker_open {
                let _ = writeln!(
                    out,
                    "uzgate_breaker_open{{provider=\"{p}\"}} {}",
                    u8::from(*open)
                );
            }
            out.push_str("# HELP uzgate_breaker_changes_total Circuit breakers opened and closed, by provider.\n# TYPE uzgate_breaker_changes_total counter\n");
            for ((p, c), n) in &inner.breaker_changes {
                let _ = writeln!(
                    out,
                    "uzgate_breaker_changes_total{{provider=\"{p}\",change=\"{c}\"}} {n}"
                );
            }
        }
        if !inner.alerts.is_empty() {
            out.push_str("# HELP uzgate_alerts_total Operator alerts, by kind, state, sink and delivery result.\n# TYPE uzgate_alerts_total counter\n");
            for ((kind, state, sink, result), n) in &inner.alerts {
                let _ = writeln!(
                    out,
                    "uzgate_alerts_total{{kind=\"{kind}\",state=\"{state}\",sink=\"{sink}\",result=\"{result}\"}} {n}"
                );
            }
        }
        if !inner.otp_refusals.is_empty() {
            out.push_str("# HELP uzgate_otp_refusals_total OTP sends refused before anything was stored or sent, by reason.\n# TYPE uzgate_otp_refusals_total counter\n");
            for (r, n) in &inner.otp_refusals {
                let _ = writeln!(out, "uzgate_otp_refusals_total{{reason=\"{r}\"}} {n}");
            }
        }
        if !inner.otp_verifications.is_empty() {
            out.push_str("# HELP uzgate_otp_verifications_total OTP checks, by result.\n# TYPE uzgate_otp_verifications_total counter\n");
            for (r, n) in &inner.otp_verifications {
                let _ = writeln!(out, "uzgate_otp_verifications_total{{result=\"{r}\"}} {n}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::new();
        m.request("eskiz", "sms/send", "200", Duration::from_millis(3));
        m.request("eskiz", "sms/send", "200", Duration::from_millis(30));
        m.refresh("eskiz", "ok");
        m.rate_limit_wait("amocrm", Duration::from_millis(100));
        let text = m.render();
        assert!(text.contains(
            "uzgate_requests_total{provider=\"eskiz\",endpoint=\"sms/send\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("uzgate_token_refreshes_total{provider=\"eskiz\",result=\"ok\"} 1"));
        assert!(text.contains("uzgate_rate_limit_waits_total{provider=\"amocrm\"} 1"));
    }
}
