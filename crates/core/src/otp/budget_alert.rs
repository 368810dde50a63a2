//! The `otp_budget_exhausted` alert: raised when the global or a region's budget refuses a send,
//! resolved when every budget that tripped has admitted a send again. Through the OTP service's
//! alert engine, so replicas sharing a Redis store send one message per incident.

use super::gates::Refusal;
use super::windows::WindowSlot;
use crate::alerts::{AlertEngine, AlertKind};
use parking_lot::Mutex;
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct BudgetAlert {
    engine: Arc<AlertEngine>,
    /// Budget windows that refused a send and have not admitted one since.
    tripped: Mutex<BTreeSet<String>>,
}

impl BudgetAlert {
    pub fn new(engine: Arc<AlertEngine>) -> Self {
        BudgetAlert {
            engine,
            tripped: Mutex::new(BTreeSet::new()),
        }
    }

    /// `slot`'s budget refused a send.
    pub fn refused(&self, refusal: Refusal, slot: &WindowSlot) {
        self.tripped.lock().insert(slot.window.clone());
        let whose = match slot.window.strip_prefix("budget:region:") {
            Some(region) if refusal == Refusal::RegionBudget => format!("to {region} numbers "),
            _ => String::new(),
        };
        self.engine.raise(
            AlertKind::OtpBudgetExhausted,
            format!(
                "The budget of {} OTP codes per hour {whose}is used up: further codes are refused \
                 (RATE_LIMITED, reason {}) until earlier sends leave the hour",
                slot.limit,
                refusal.reason()
            ),
            "If this is real traffic, raise budget.perHour / budget.perRegion; if not, someone is \
             sending codes to numbers you pay for: check the client IPs of the OTP route, add a \
             CAPTCHA, narrow allowedRegions"
                .into(),
        );
    }

    /// The budget windows in `slots` admitted a send: resolved once none is tripped.
    pub fn admitted(&self, slots: &[WindowSlot]) {
        let now_clear = {
            let mut tripped = self.tripped.lock();
            if tripped.is_empty() {
                return;
            }
            let before = tripped.len();
            for s in slots {
                tripped.remove(&s.window);
            }
            tripped.len() < before && tripped.is_empty()
        };
        if now_clear {
            self.engine.clear(AlertKind::OtpBudgetExhausted);
        }
    }
}
