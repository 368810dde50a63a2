//! Fault injection: rules that make matching requests slow, failing or broken.
//!
//! A fault is given as JSON (see [`FaultSpec`]). Faults are checked in the order they were
//! added; the first that matches a request's method and path prefix (and wins its
//! `probability` draw) applies to it and uses up one of its `times`. What each kind does to
//! the exchange is in [`apply`].

mod apply;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use parking_lot::RwLock;
use serde::Deserialize;
use serde_json::Value;

pub(crate) use apply::{inject, Injected};

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) enum FaultKind {
    /// Delay, then answer normally.
    Latency,
    /// Answer with `status` (default 500) and `body`, optionally `Retry-After`.
    Status,
    /// Close the connection without any response.
    Reset,
    /// Send the headers and part of the body, then close.
    ResetMidBody,
    /// Never answer: hold the request (for `latencyMs`, else until the client gives up),
    /// then close the connection.
    Timeout,
    /// 200 with a truncated JSON body.
    Malformed,
    /// An nginx HTML error page with `status` (default 502).
    Html,
}

/// Whether the request is processed before the response is broken.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Phase {
    /// The request is not processed: nothing is sent, counted or charged.
    #[default]
    Before,
    /// The request is processed (an SMS is accepted and charged), then the answer is lost.
    After,
}

/// The JSON shape of a fault.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultSpec {
    path: Option<String>,
    method: Option<String>,
    kind: FaultKind,
    latency_ms: Option<u64>,
    status: Option<u16>,
    retry_after: Option<u64>,
    body: Option<Value>,
    phase: Option<Phase>,
    times: Option<u64>,
    probability: Option<f64>,
}

pub(crate) struct Fault {
    pub(crate) id: u64,
    path: Option<String>,
    method: Option<Method>,
    pub(crate) kind: FaultKind,
    pub(crate) latency: Option<Duration>,
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<u64>,
    pub(crate) body: Option<Value>,
    pub(crate) phase: Phase,
    /// `None` = unlimited.
    remaining: Option<AtomicU64>,
    probability: f64,
}

impl Fault {
    fn parse(value: Value) -> Result<Fault, String> {
        let spec: FaultSpec =
            serde_json::from_value(value).map_err(|e| format!("invalid fault: {e}"))?;
        let default_status = match spec.kind {
            FaultKind::Html => 502,
            FaultKind::Malformed => 200,
            _ => 500,
        };
        let status = StatusCode::from_u16(spec.status.unwrap_or(default_status))
            .map_err(|_| "invalid fault: status must be 100..=999".to_string())?;
        if spec.kind == FaultKind::Latency && spec.latency_ms.is_none() {
            return Err("invalid fault: kind latency needs latencyMs".into());
        }
        let probability = spec.probability.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&probability) {
            return Err("invalid fault: probability must be within 0..=1".into());
        }
        let method = match spec.method {
            Some(m) => Some(
                Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                    .map_err(|_| format!("invalid fault: bad method {m:?}"))?,
            ),
            None => None,
        };
        let path = spec.path.map(|p| {
            // Requests are matched after their doubled slashes are collapsed; do the same
            // to the rule so `//report/` and `/report/` mean the same thing.
            let p = crate::server::collapse_slashes(&p).into_owned();
            if p.starts_with('/') {
                p
            } else {
                format!("/{p}")
            }
        });
        Ok(Fault {
            id: 0,
            path,
            method,
            kind: spec.kind,
            latency: spec.latency_ms.map(Duration::from_millis),
            status,
            retry_after: spec.retry_after,
            body: spec.body,
            phase: spec.phase.unwrap_or_default(),
            remaining: spec.times.map(AtomicU64::new),
            probability,
        })
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method)
            && self.path.as_deref().is_none_or(|p| path.starts_with(p))
    }

    /// Takes one use; false once `times` is used up.
    fn consume(&self) -> bool {
        match &self.remaining {
            None => true,
            Some(left) => left
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
                .is_ok(),
        }
    }

    fn exhausted(&self) -> bool {
        self.remaining
            .as_ref()
            .is_some_and(|n| n.load(Ordering::Acquire) == 0)
    }
}

#[derive(Default)]
pub(crate) struct FaultSet {
    /// Lets the common no-fault case skip the lock entirely.
    armed: AtomicBool,
    list: RwLock<Vec<Arc<Fault>>>,
    next_id: AtomicU64,
}

impl FaultSet {
    pub(crate) fn add(&self, value: Value) -> Result<u64, String> {
        let mut fault = Fault::parse(value)?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        fault.id = id;
        let mut list = self.list.write();
        list.retain(|f| !f.exhausted());
        list.push(Arc::new(fault));
        self.armed.store(true, Ordering::Release);
        Ok(id)
    }

    pub(crate) fn clear(&self) {
        let mut list = self.list.write();
        list.clear();
        self.armed.store(false, Ordering::Release);
    }

    /// The fault that applies to this request, if any, with one of its uses taken.
    pub(crate) fn take(&self, method: &Method, path: &str) -> Option<Arc<Fault>> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let (found, spent) = {
            let list = self.list.read();
            let found = list
                .iter()
                .find(|f| {
                    f.matches(method, path)
                        && (f.probability >= 1.0 || rand::random::<f64>() < f.probability)
                        && f.consume()
                })
                .cloned();
            let spent = list.iter().any(|f| f.exhausted());
            (found, spent)
        };
        if spent {
            let mut list = self.list.write();
            list.retain(|f| !f.exhausted());
            if list.is_empty() {
                self.armed.store(false, Ordering::Release);
            }
        }
        found
    }

    /// The active faults, for the control API.
    pub(crate) fn describe(&self) -> Value {
        let list = self.list.read();
        Value::Array(
            list.iter()
                .filter(|f| !f.exhausted())
                .map(|f| {
                    serde_json::json!({
                        "id": f.id,
                        "kind": f.kind,
                        "path": f.path,
                        "method": f.method.as_ref().map(Method::as_str),
                        "phase": f.phase,
                        "remaining": f.remaining.as_ref().map(|n| n.load(Ordering::Relaxed)),
                    })
                })
                .collect(),
        )
    }
}

impl serde::Serialize for FaultKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            FaultKind::Latency => "latency",
            FaultKind::Status => "status",
            FaultKind::Reset => "reset",
            FaultKind::ResetMidBody => "resetMidBody",
            FaultKind::Timeout => "timeout",
            FaultKind::Malformed => "malformed",
            FaultKind::Html => "html",
        })
    }
}

impl serde::Serialize for Phase {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Phase::Before => "before",
            Phase::After => "after",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_by_prefix_and_method_and_runs_out() {
        let set = FaultSet::default();
        set.add(
            json!({"path": "/message/sms/send", "method": "post", "kind": "status", "times": 2}),
        )
        .unwrap();
        assert!(set.take(&Method::GET, "/message/sms/send").is_none());
        assert!(set.take(&Method::POST, "/auth/login").is_none());
        assert!(set.take(&Method::POST, "/message/sms/send-batch").is_some());
        assert!(set.take(&Method::POST, "/message/sms/send").is_some());
        assert!(set.take(&Method::POST, "/message/sms/send").is_none());
        assert!(!set.armed.load(Ordering::Acquire));
    }

    #[test]
    fn rejects_bad_specs() {
        let set = FaultSet::default();
        assert!(set.add(json!({"kind": "explode"})).is_err());
        assert!(set.add(json!({"kind": "latency"})).is_err());
        assert!(set.add(json!({"kind": "status", "colour": "red"})).is_err());
        assert!(set
            .add(json!({"kind": "status", "probability": 2}))
            .is_err());
        assert_eq!(set.add(json!({"kind": "reset"})), Ok(1));
    }
}
