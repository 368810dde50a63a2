//! How a message's status evolves, and which destinations fail on purpose.
//!
//! Every status and the time it is reached are fixed when the message is created, so the
//! current status is computed from the clock when asked and only callbacks need a task:
//!
//! - without a Messaging Service: `queued` → `sending` → `sent` → `delivered`;
//! - with one: `accepted` → `queued` → …;
//! - scheduled (`ScheduleType=fixed`, with a Messaging Service): `scheduled` until `SendAt`,
//!   then `queued` → …
//!
//! The times come from `statusDelaysMs`, counted from the message's start (creation, or
//! `SendAt`). Special destinations (switch `specialNumbers`), by the last four digits:
//!
//! | `To` ends with | ends as | `error_code` |
//! |---|---|---|
//! | `3003` | `undelivered` | 30003 Unreachable destination handset |
//! | `3005` | `undelivered` | 30005 Unknown destination handset |
//! | `3006` | `undelivered` | 30006 Landline or unreachable carrier |
//! | `3008` | `failed` (instead of `sent`, never sent) | 30008 Unknown error |
//! | `3000` | stays `sent`: the carrier never reports | — |
//! | anything else | `delivered` | — |
//!
//! A `canceled` scheduled message is handled by the message itself (it is a later
//! decision, not part of the plan).

use super::config::StatusDelays;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Delivered,
    Undelivered(u32),
    Failed(u32),
    /// No delivery report ever comes: the message stays `sent`.
    NoReport,
}

pub(crate) fn outcome_for(to: &str, special_numbers: bool) -> Outcome {
    if !special_numbers || to.len() < 4 {
        return Outcome::Delivered;
    }
    match &to[to.len() - 4..] {
        "3003" => Outcome::Undelivered(30003),
        "3005" => Outcome::Undelivered(30005),
        "3006" => Outcome::Undelivered(30006),
        "3008" => Outcome::Failed(30008),
        "3000" => Outcome::NoReport,
        _ => Outcome::Delivered,
    }
}

/// `error_message` for the error codes the sandbox produces.
pub(crate) fn error_message(code: u32) -> &'static str {
    match code {
        30003 => "Unreachable destination handset",
        30005 => "Unknown destination handset",
        30006 => "Landline or unreachable carrier",
        _ => "Unknown error",
    }
}

/// A status and when it is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub at_ms: u64,
    pub status: &'static str,
}

/// How the message was sent, as far as its lifecycle is concerned.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Plan {
    pub via_service: bool,
    /// `SendAt` of a scheduled message.
    pub send_at_ms: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Timeline {
    /// Every status the message goes through, the initial one first, in time order.
    steps: Vec<Step>,
    pub outcome: Outcome,
}

impl Timeline {
    pub(crate) fn new(
        created_ms: u64,
        plan: Plan,
        delays: &StatusDelays,
        outcome: Outcome,
    ) -> Self {
        let start = plan.send_at_ms.unwrap_or(created_ms);
        let mut steps = Vec::with_capacity(5);
        let mut push = |at_ms: u64, status: &'static str| {
            let at_ms = steps.last().map_or(at_ms, |s: &Step| at_ms.max(s.at_ms));
            steps.push(Step { at_ms, status });
        };
        if plan.send_at_ms.is_some() {
            push(created_ms, "scheduled");
            push(start, "queued");
        } else if plan.via_service {
            push(created_ms, "accepted");
            push(start + delays.queued, "queued");
        } else {
            push(created_ms, "queued");
        }
        push(start + delays.sending, "sending");
        match outcome {
            Outcome::Failed(_) => push(start + delays.sent, "failed"),
            Outcome::NoReport => push(start + delays.sent, "sent"),
            Outcome::Delivered | Outcome::Undelivered(_) => {
                push(start + delays.sent, "sent");
                let last = if outcome == Outcome::Delivered {
                    "delivered"
                } else {
                    "undelivered"
                };
                push(start + delays.delivered, last);
            }
        }
        Timeline { steps, outcome }
    }

    pub(crate) fn created_ms(&self) -> u64 {
        self.steps[0].at_ms
    }

    /// The step in effect at `now_ms`.
    pub(crate) fn step(&self, now_ms: u64) -> Step {
        self.steps
            .iter()
            .rev()
            .find(|s| s.at_ms <= now_ms)
            .copied()
            .unwrap_or(self.steps[0])
    }

    /// The status changes after creation, in order: one status callback each.
    pub(crate) fn changes(&self) -> &[Step] {
        &self.steps[1..]
    }

    /// When the message left for the carrier, once it has.
    pub(crate) fn sent_ms(&self, now_ms: u64) -> Option<u64> {
        self.steps
            .iter()
            .find(|s| s.status == "sent")
            .map(|s| s.at_ms)
            .filter(|at| *at <= now_ms)
    }

    /// The time of the last planned status: nothing changes after it.
    pub(crate) fn final_ms(&self) -> u64 {
        self.steps[self.steps.len() - 1].at_ms
    }

    /// The error code, once the message has ended with one.
    pub(crate) fn error_code(&self, now_ms: u64) -> Option<u32> {
        if now_ms < self.final_ms() {
            return None;
        }
        match self.outcome {
            Outcome::Undelivered(code) | Outcome::Failed(code) => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delays() -> StatusDelays {
        StatusDelays {
            queued: 10,
            sending: 20,
            sent: 40,
            delivered: 80,
        }
    }

    fn statuses(t: &Timeline) -> Vec<(u64, &'static str)> {
        t.steps.iter().map(|s| (s.at_ms, s.status)).collect()
    }

    #[test]
    fn direct_messages_go_queued_sending_sent_delivered() {
        let t = Timeline::new(1000, Plan::default(), &delays(), Outcome::Delivered);
        assert_eq!(
            statuses(&t),
            [
                (1000, "queued"),
                (1020, "sending"),
                (1040, "sent"),
                (1080, "delivered")
            ]
        );
        assert_eq!(t.step(1019).status, "queued");
        assert_eq!(t.step(1040).status, "sent");
        assert_eq!(t.sent_ms(1039), None);
        assert_eq!(t.sent_ms(5000), Some(1040));
        assert_eq!(t.changes().len(), 3);
    }

    #[test]
    fn services_start_accepted_and_schedules_wait() {
        let via = Plan {
            via_service: true,
            send_at_ms: None,
        };
        let t = Timeline::new(0, via, &delays(), Outcome::Undelivered(30003));
        assert_eq!(t.step(0).status, "accepted");
        assert_eq!(t.step(10).status, "queued");
        assert_eq!(
            (t.step(80).status, t.error_code(80)),
            ("undelivered", Some(30003))
        );
        assert_eq!(t.error_code(79), None);

        let scheduled = Plan {
            via_service: true,
            send_at_ms: Some(1_000_000),
        };
        let s = Timeline::new(0, scheduled, &delays(), Outcome::Delivered);
        assert_eq!(s.step(999_999).status, "scheduled");
        assert_eq!(s.step(1_000_000).status, "queued");
        assert_eq!(s.final_ms(), 1_000_080);
    }

    #[test]
    fn failures_and_silence() {
        let f = Timeline::new(
            0,
            Plan::default(),
            &delays(),
            outcome_for("+15551113008", true),
        );
        assert_eq!(statuses(&f).last(), Some(&(40, "failed")));
        assert_eq!(f.sent_ms(1000), None);
        let n = Timeline::new(
            0,
            Plan::default(),
            &delays(),
            outcome_for("+15551113000", true),
        );
        assert_eq!(n.step(u64::MAX / 2).status, "sent");
        assert_eq!(outcome_for("+15551113003", false), Outcome::Delivered);
    }

    #[test]
    fn out_of_order_delays_are_raised() {
        let odd = StatusDelays {
            queued: 50,
            sending: 0,
            sent: 30,
            delivered: 10,
        };
        let t = Timeline::new(
            0,
            Plan {
                via_service: true,
                send_at_ms: None,
            },
            &odd,
            Outcome::Delivered,
        );
        assert_eq!(
            statuses(&t),
            [
                (0, "accepted"),
                (50, "queued"),
                (50, "sending"),
                (50, "sent"),
                (50, "delivered")
            ]
        );
    }
}
