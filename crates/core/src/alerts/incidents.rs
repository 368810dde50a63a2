//! One alert per incident: a condition raised again and again sends nothing new until the repeat
//! interval has passed (then one reminder), and clearing an open incident sends one "resolved".
//! Pure bookkeeping with the time passed in, so it is tested without clocks; sharing the decision
//! between processes is the caller's (a store claim per incident).

use super::alert::{AlertKind, AlertState};
use std::collections::HashMap;
use std::time::Duration;

/// What to send after a raise or a clear, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub state: AlertState,
    /// When the incident began (Unix ms).
    pub since_ms: u64,
    /// A reminder of an incident already reported.
    pub repeat: bool,
}

struct Open {
    since_ms: u64,
    last_sent_ms: u64,
}

pub struct Incidents {
    repeat_after: Duration,
    open: HashMap<(AlertKind, String), Open>,
}

impl Incidents {
    pub fn new(repeat_after: Duration) -> Self {
        Incidents {
            repeat_after,
            open: HashMap::new(),
        }
    }

    /// The condition holds now.
    pub fn raise(&mut self, kind: AlertKind, integration: &str, now_ms: u64) -> Option<Transition> {
        let repeat_ms = self.repeat_after.as_millis() as u64;
        match self.open.get_mut(&(kind, integration.to_string())) {
            Some(open) if now_ms.saturating_sub(open.last_sent_ms) < repeat_ms => None,
            Some(open) => {
                open.last_sent_ms = now_ms;
                Some(Transition {
                    state: AlertState::Firing,
                    since_ms: open.since_ms,
                    repeat: true,
                })
            }
            None => {
                self.open.insert(
                    (kind, integration.to_string()),
                    Open {
                        since_ms: now_ms,
                        last_sent_ms: now_ms,
                    },
                );
                Some(Transition {
                    state: AlertState::Firing,
                    since_ms: now_ms,
                    repeat: false,
                })
            }
        }
    }

    /// The condition no longer holds: "resolved" once, if it was open.
    pub fn clear(&mut self, kind: AlertKind, integration: &str) -> Option<Transition> {
        self.open
            .remove(&(kind, integration.to_string()))
            .map(|open| Transition {
                state: AlertState::Resolved,
                since_ms: open.since_ms,
                repeat: false,
            })
    }

    pub fn is_open(&self, kind: AlertKind, integration: &str) -> bool {
        self.open.contains_key(&(kind, integration.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: AlertKind = AlertKind::ReauthorizationRequired;

    #[test]
    fn one_alert_per_incident_a_reminder_after_the_interval_one_resolved() {
        let mut i = Incidents::new(Duration::from_secs(3600));
        let first = i.raise(K, "amo a", 1_000).unwrap();
        assert_eq!(
            (first.state, first.since_ms, first.repeat),
            (AlertState::Firing, 1_000, false)
        );
        for t in [1_001, 50_000, 3_600_999] {
            assert_eq!(i.raise(K, "amo a", t), None, "at {t}");
        }
        let again = i.raise(K, "amo a", 3_601_000).unwrap();
        assert_eq!((again.since_ms, again.repeat), (1_000, true));
        assert_eq!(i.raise(K, "amo a", 3_601_001), None);
        let done = i.clear(K, "amo a").unwrap();
        assert_eq!((done.state, done.since_ms), (AlertState::Resolved, 1_000));
        assert_eq!(i.clear(K, "amo a"), None, "resolved once");
        assert!(!i.is_open(K, "amo a"));
        // A new incident after it resolved is reported again.
        assert_eq!(i.raise(K, "amo a", 4_000_000).unwrap().since_ms, 4_000_000);
    }

    #[test]
    fn kinds_and_integrations_are_separate_incidents() {
        let mut i = Incidents::new(Duration::from_secs(60));
        assert!(i.raise(K, "amo a", 0).is_some());
        assert!(i.raise(K, "amo b", 0).is_some());
        assert!(i.raise(AlertKind::TokenUnsaved, "amo a", 0).is_some());
        assert_eq!(i.clear(AlertKind::LowBalance, "amo a"), None);
        assert!(i.is_open(K, "amo b"));
    }
}
