//! How an accepted message's status evolves, and which numbers fail on purpose.
//!
//! A message is `NEW` when sent, `ACCEPTED` (handed to the operator) `acceptAfterMs`
//! later and final `deliverAfterMs` after sending. Status is computed from the clock when
//! asked, so no timer runs per message; only callbacks need a task.
//!
//! Special numbers (switch `specialNumbers`, on by default), by the last four digits:
//!
//! | ends with | final part state | message status |
//! |-----------|------------------|----------------|
//! | `0000`    | `REJECTD`        | `REJECTED`     |
//! | `0001`    | `UNDELIV`        | `REJECTED`     |
//! | `0002`    | `EXPIRED`        | `REJECTED`     |
//! | `0003`    | — (stays `ACCEPTED`, no final callback) | `ACCEPTED` |
//! | anything else | `DELIVRD`    | `DELIVERED`    |

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Delivered,
    /// Not delivered, with the per-part SMPP state that says why.
    Failed(&'static str),
    /// The operator never reports back.
    NoReport,
}

pub(crate) fn outcome_for(phone: &str, special_numbers: bool) -> Outcome {
    if !special_numbers || phone.len() < 4 {
        return Outcome::Delivered;
    }
    match &phone[phone.len() - 4..] {
        "0000" => Outcome::Failed("REJECTD"),
        "0001" => Outcome::Failed("UNDELIV"),
        "0002" => Outcome::Failed("EXPIRED"),
        "0003" => Outcome::NoReport,
        _ => Outcome::Delivered,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    New,
    Accepted,
    Final,
}

/// When a message reaches each stage, fixed at sending time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeline {
    pub created_ms: u64,
    pub accepted_ms: u64,
    pub final_ms: u64,
    pub outcome: Outcome,
}

impl Timeline {
    pub(crate) fn new(
        created_ms: u64,
        accept_after: u64,
        deliver_after: u64,
        outcome: Outcome,
    ) -> Self {
        Timeline {
            created_ms,
            accepted_ms: created_ms + accept_after,
            final_ms: created_ms + deliver_after.max(accept_after),
            outcome,
        }
    }

    pub(crate) fn stage(&self, now_ms: u64) -> Stage {
        if now_ms < self.accepted_ms {
            Stage::New
        } else if now_ms < self.final_ms || self.outcome == Outcome::NoReport {
            Stage::Accepted
        } else {
            Stage::Final
        }
    }

    /// Message-level status (`data.status`).
    pub(crate) fn status(&self, now_ms: u64) -> &'static str {
        match (self.stage(now_ms), self.outcome) {
            (Stage::New, _) => "NEW",
            (Stage::Accepted, _) => "ACCEPTED",
            (Stage::Final, Outcome::Delivered) => "DELIVERED",
            (Stage::Final, _) => "REJECTED",
        }
    }

    /// Per-part SMPP state (`dlr_state`, `smsc_data`, callback `status`).
    pub(crate) fn part_state(&self, now_ms: u64) -> &'static str {
        match (self.stage(now_ms), self.outcome) {
            (Stage::New, _) => "NEW",
            (Stage::Accepted, _) => "ACCEPTED",
            (Stage::Final, Outcome::Failed(state)) => state,
            (Stage::Final, _) => "DELIVRD",
        }
    }

    /// When the status last changed, for `updated_at`.
    pub(crate) fn updated_ms(&self, now_ms: u64) -> u64 {
        match self.stage(now_ms) {
            Stage::New => self.created_ms,
            Stage::Accepted => self.accepted_ms,
            Stage::Final => self.final_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_clock() {
        let t = Timeline::new(1000, 20, 100, Outcome::Delivered);
        assert_eq!(t.status(1000), "NEW");
        assert_eq!(t.status(1020), "ACCEPTED");
        assert_eq!(
            (t.status(1100), t.part_state(1100)),
            ("DELIVERED", "DELIVRD")
        );
        let r = Timeline::new(0, 0, 0, outcome_for("998901230000", true));
        assert_eq!((r.status(0), r.part_state(0)), ("REJECTED", "REJECTD"));
        let s = Timeline::new(0, 0, 0, outcome_for("998901230003", true));
        assert_eq!(s.status(u64::MAX / 2), "ACCEPTED");
        assert_eq!(outcome_for("998901230000", false), Outcome::Delivered);
    }
}
