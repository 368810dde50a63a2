//! Alerts on a rate over a window: OTP sends refused by the hourly cap (someone pumping SMS
//! through the OTP route) and delivery reports that failed. Each observation is counted on a task
//! of its own (a refused OTP or a delivery callback never waits for Redis); the incident is raised
//! when the window's counts cross the rule, and while it is open the window is looked at again
//! every tenth of it, so the "resolved" comes when the counts fall back, not at the next event.

use super::alert::AlertKind;
use super::engine::AlertEngine;
use super::window::{Counts, RateWindow};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// When the window's counts make an incident.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// At least this many hourly-cap refusals in the window.
    CapHits { threshold: u64 },
    /// At least `min_reports` final delivery reports, and the failed share of them at or above
    /// `ratio` (0–1).
    FailureRatio { ratio: f64, min_reports: u64 },
}

impl Rule {
    fn kind(self) -> AlertKind {
        match self {
            Rule::CapHits { .. } => AlertKind::OtpAbuse,
            Rule::FailureRatio { .. } => AlertKind::DeliveryFailures,
        }
    }

    fn fires(self, c: Counts) -> bool {
        match self {
            Rule::CapHits { threshold } => c.marked >= threshold,
            Rule::FailureRatio { ratio, min_reports } => {
                c.total >= min_reports && c.total > 0 && c.marked as f64 >= ratio * c.total as f64
            }
        }
    }

    /// What was seen and what to do; counts only, never a number or a code.
    fn words(self, c: Counts, window: Duration) -> (String, String) {
        let minutes = window.as_secs().div_ceil(60);
        match self {
            Rule::CapHits { threshold } => (
                format!(
                    "{} OTP sends were refused by the per-number hourly cap in the last {minutes} min \
                     (alert threshold {threshold}): someone may be sending codes to many numbers to \
                     make you pay for the SMS",
                    c.marked
                ),
                "Check who calls the OTP route (client IPs in your access log), add a per-IP limit \
                 or a CAPTCHA in front of it, and lower maxSendsPerHour if needed"
                    .into(),
            ),
            Rule::FailureRatio { ratio, .. } => (
                format!(
                    "{} of {} delivery reports in the last {minutes} min are failures ({:.0} %, alert \
                     threshold {:.0} %)",
                    c.marked,
                    c.total,
                    c.marked as f64 * 100.0 / c.total.max(1) as f64,
                    ratio * 100.0
                ),
                "Check the provider's status page and the sender name; the failed reports' error \
                 codes are in the delivery events"
                    .into(),
            ),
        }
    }
}

pub struct RateWatch {
    rule: Rule,
    window: RateWindow,
    engine: Arc<AlertEngine>,
    /// A task is looking at the open incident again.
    rechecking: AtomicBool,
}

impl RateWatch {
    pub fn new(rule: Rule, window: RateWindow, engine: Arc<AlertEngine>) -> Arc<Self> {
        Arc::new(RateWatch {
            rule,
            window,
            engine,
            rechecking: AtomicBool::new(false),
        })
    }

    /// An hourly-cap refusal (`CapHits`), or a final delivery report (`FailureRatio`; `failed`
    /// marks it). Counted on a task of its own; nothing happens outside a tokio runtime.
    pub fn observe(self: &Arc<Self>, failed: bool) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let add = Counts {
            total: 1,
            marked: failed as u64,
        };
        let me = self.clone();
        handle.spawn(async move { me.look(add).await });
    }

    /// Counts `add`, then raises, reminds or clears.
    async fn look(self: Arc<Self>, add: Counts) {
        let counts = self.window.add(add).await;
        let kind = self.rule.kind();
        if self.rule.fires(counts) {
            let (detail, action) = self.rule.words(counts, self.window.window());
            self.engine.raise(kind, detail, action);
            self.recheck_while_open();
        } else {
            self.engine.clear(kind);
        }
    }

    /// While the incident is open, looks again every tenth of the window (at least 100 ms, at
    /// most a minute); the task holds the watch weakly, so a dropped client ends it.
    fn recheck_while_open(self: &Arc<Self>) {
        if self.rechecking.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            self.rechecking.store(false, Ordering::Release);
            return;
        };
        let every =
            (self.window.window() / 10).clamp(Duration::from_millis(100), Duration::from_secs(60));
        let weak: Weak<Self> = Arc::downgrade(self);
        handle.spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(me) = weak.upgrade() else { return };
                me.clone().look(Counts::default()).await;
                if !me.engine.is_open(me.rule.kind()) {
                    me.rechecking.store(false, Ordering::Release);
                    return;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(total: u64, marked: u64) -> Counts {
        Counts { total, marked }
    }

    #[test]
    fn cap_hits_fire_at_the_threshold() {
        let r = Rule::CapHits { threshold: 10 };
        assert!(!r.fires(c(9, 9)));
        assert!(r.fires(c(10, 10)));
    }

    #[test]
    fn a_failure_ratio_needs_enough_reports() {
        let r = Rule::FailureRatio {
            ratio: 0.5,
            min_reports: 10,
        };
        assert!(!r.fires(c(9, 9)), "too few reports to judge");
        assert!(r.fires(c(10, 5)));
        assert!(!r.fires(c(10, 4)));
        assert!(!r.fires(c(0, 0)));
    }

    #[test]
    fn the_words_give_counts_and_what_to_do() {
        let (detail, action) = Rule::FailureRatio {
            ratio: 0.2,
            min_reports: 5,
        }
        .words(c(40, 12), Duration::from_secs(900));
        assert_eq!(
            detail,
            "12 of 40 delivery reports in the last 15 min are failures (30 %, alert threshold 20 %)"
        );
        assert!(action.starts_with("Check the provider's status page"));
        let (detail, _) = Rule::CapHits { threshold: 3 }.words(c(7, 7), Duration::from_secs(3600));
        assert!(detail.starts_with(
            "7 OTP sends were refused by the per-number hourly cap in the last 60 min"
        ));
    }
}
