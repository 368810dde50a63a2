//! Turns a client's token events into alerts: amoCRM disconnected, refreshes failing N times in a
//! row, a token the store could not save — each one message per incident, a reminder after the
//! repeat interval, one "resolved" when the condition clears. `event` only does bookkeeping and
//! queues; a task of its own delivers, so a slow or dead receiver never holds up a send or a lead.

use super::alert::AlertState;
use super::alert::{Alert, AlertKind};
use super::incidents::{Incidents, Transition};
use super::shared::{Claim, SharedIncidents};
use super::sink::{AlertSink, SinkReport};
use crate::error::Provider;
use crate::events::{EventSink, TokenEvent};
use crate::log::Logger;
use crate::metrics::Metrics;
use crate::redis_client::RedisConnection;
use crate::time::unix_now_ms;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;

/// Alerts waiting for delivery; past this, new ones are dropped (and counted).
const QUEUE: usize = 64;

/// When alerts fire.
#[derive(Clone, Debug)]
pub struct AlertRules {
    pub repeat_after: Duration,
    pub refresh_failures: u32,
    /// What the amoCRM "disconnected" alert tells the operator to open.
    pub connect_url: Option<String>,
}

pub struct AlertEngine {
    integration: String,
    rules: AlertRules,
    sinks: Arc<Vec<AlertSink>>,
    incidents: Mutex<Incidents>,
    failures_in_a_row: AtomicU32,
    queue: OnceLock<mpsc::Sender<Queued>>,
    log: OnceLock<Logger>,
    metrics: OnceLock<Arc<Metrics>>,
    shared: OnceLock<Arc<SharedIncidents>>,
}

impl AlertEngine {
    pub fn new(integration: String, rules: AlertRules, sinks: Vec<AlertSink>) -> Arc<Self> {
        Arc::new(AlertEngine {
            integration,
            incidents: Mutex::new(Incidents::new(rules.repeat_after)),
            rules,
            sinks: Arc::new(sinks),
            failures_in_a_row: AtomicU32::new(0),
            queue: OnceLock::new(),
            log: OnceLock::new(),
            metrics: OnceLock::new(),
            shared: OnceLock::new(),
        })
    }

    /// Where delivery outcomes are logged and counted (the client's logger and metrics).
    pub fn attach(&self, log: Logger, metrics: Arc<Metrics>) {
        let _ = self.log.set(log);
        let _ = self.metrics.set(metrics);
    }

    /// Processes sharing this Redis (the token store's) send one message per incident between
    /// them; `scope` names what they share (the integration, or an OTP store's prefix with it).
    /// Call before the first alert.
    pub fn share_through(&self, conn: Arc<RedisConnection>, scope: &str) {
        let _ = self.shared.set(Arc::new(SharedIncidents::new(conn, scope)));
    }

    pub fn integration(&self) -> &str {
        &self.integration
    }

    /// The condition of `kind` holds now (`detail`, `action`: what was seen, what to do).
    pub fn raise(&self, kind: AlertKind, detail: String, action: String) {
        self.raise_keyed(kind, None, detail, action)
    }

    /// The condition of `kind` holds now for `subject` (one of several things the integration
    /// has, such as a routed SMS provider): an incident of its own, named in the alert.
    pub fn raise_about(&self, kind: AlertKind, subject: &str, detail: String, action: String) {
        self.raise_keyed(kind, Some(subject), detail, action)
    }

    fn raise_keyed(&self, kind: AlertKind, subject: Option<&str>, detail: String, action: String) {
        let integration = self.named(subject);
        let t = self
            .incidents
            .lock()
            .raise(kind, &integration, unix_now_ms());
        if let Some(t) = t {
            self.queue_alert(kind, subject, integration, t, detail, action);
        }
    }

    /// An incident of `kind` is open in this process.
    pub fn is_open(&self, kind: AlertKind) -> bool {
        self.incidents.lock().is_open(kind, &self.integration)
    }

    /// The condition of `kind` cleared.
    pub fn clear(&self, kind: AlertKind) {
        self.clear_keyed(kind, None)
    }

    /// The condition of `kind` cleared for `subject`.
    pub fn clear_about(&self, kind: AlertKind, subject: &str) {
        self.clear_keyed(kind, Some(subject))
    }

    fn clear_keyed(&self, kind: AlertKind, subject: Option<&str>) {
        let integration = self.named(subject);
        let t = self.incidents.lock().clear(kind, &integration);
        if let Some(t) = t {
            self.queue_alert(kind, subject, integration, t, String::new(), String::new());
        }
    }

    /// How the alert names what it is about: the integration, and the subject when there is one.
    fn named(&self, subject: Option<&str>) -> String {
        match subject {
            Some(s) => format!("{}, provider {s}", self.integration),
            None => self.integration.clone(),
        }
    }

    fn queue_alert(
        &self,
        kind: AlertKind,
        subject: Option<&str>,
        integration: String,
        t: Transition,
        detail: String,
        action: String,
    ) {
        let alert = Alert {
            kind,
            state: t.state,
            integration,
            since_ms: t.since_ms,
            detail,
            action,
            repeat: t.repeat,
        };
        let Some(queue) = self.queue() else {
            self.count(&alert, "-", "dropped");
            return;
        };
        let queued = Queued {
            alert,
            subject: subject.map(str::to_string),
        };
        if let Err(
            mpsc::error::TrySendError::Full(queued) | mpsc::error::TrySendError::Closed(queued),
        ) = queue.try_send(queued)
        {
            self.count(&queued.alert, "-", "dropped");
        }
    }

    /// The delivery task, started with the first alert (inside the runtime that emits events).
    fn queue(&self) -> Option<&mpsc::Sender<Queued>> {
        if let Some(q) = self.queue.get() {
            return Some(q);
        }
        let handle = tokio::runtime::Handle::try_current().ok()?;
        let (tx, rx) = mpsc::channel(QUEUE);
        if self.queue.set(tx).is_ok() {
            handle.spawn(deliver(
                rx,
                Delivering {
                    sinks: self.sinks.clone(),
                    log: self.log.get().cloned(),
                    metrics: self.metrics.get().cloned(),
                    shared: self.shared.get().cloned(),
                    repeat_after: self.rules.repeat_after,
                },
            ));
        }
        self.queue.get()
    }

    fn count(&self, alert: &Alert, sink: &str, result: &str) {
        if let Some(m) = self.metrics.get() {
            m.alert(alert.kind.as_str(), alert.state.as_str(), sink, result);
        }
    }

    fn disconnected_action(&self, provider: Provider) -> String {
        match (provider, &self.rules.connect_url) {
            (Provider::AmoCrm, Some(url)) => format!("Connect it again: open {url}"),
            (Provider::AmoCrm, None) => {
                "Connect it again through your amoCRM connect route (AmoCrmService.authorizationUrl())"
                    .into()
            }
            _ => "Check the account's credentials".into(),
        }
    }
}

/// An alert waiting for delivery, with the subject its shared incident is keyed by.
struct Queued {
    alert: Alert,
    subject: Option<String>,
}

/// What the delivery task works with.
struct Delivering {
    sinks: Arc<Vec<AlertSink>>,
    log: Option<Logger>,
    metrics: Option<Arc<Metrics>>,
    shared: Option<Arc<SharedIncidents>>,
    repeat_after: Duration,
}

/// Whether this process sends `alert`, asking the shared incident when there is one. A Redis that
/// does not answer (perhaps the very trouble being reported) lets it through: a duplicate beats
/// silence.
async fn claimed(d: &Delivering, alert: &mut Alert, subject: Option<&str>) -> bool {
    let Some(shared) = &d.shared else {
        return true;
    };
    let kind = match subject {
        Some(s) => format!("{}:{s}", alert.kind.as_str()),
        None => alert.kind.as_str().to_string(),
    };
    let claim = match alert.state {
        AlertState::Firing => shared.raise(&kind, d.repeat_after).await,
        AlertState::Resolved => shared.resolve(&kind).await,
    };
    match claim {
        Ok(Claim::Send { since_ms, repeat }) => {
            alert.since_ms = since_ms;
            alert.repeat = repeat;
            true
        }
        Ok(Claim::Elsewhere) => false,
        Err(_) => true,
    }
}

async fn deliver(mut rx: mpsc::Receiver<Queued>, d: Delivering) {
    let Delivering {
        sinks,
        log,
        metrics,
        ..
    } = &d;
    while let Some(Queued { mut alert, subject }) = rx.recv().await {
        if !claimed(&d, &mut alert, subject.as_deref()).await {
            if let Some(m) = metrics {
                m.alert(alert.kind.as_str(), alert.state.as_str(), "-", "elsewhere");
            }
            continue;
        }
        for sink in sinks.iter() {
            let report = sink.deliver(&alert).await;
            let result = match &report {
                SinkReport::Sent => "sent",
                SinkReport::Dropped(_) => "dropped",
                SinkReport::Refused { .. } => "refused",
            };
            if let Some(m) = &metrics {
                m.alert(
                    alert.kind.as_str(),
                    alert.state.as_str(),
                    sink.name(),
                    result,
                );
            }
            let Some(log) = &log else { continue };
            match report {
                SinkReport::Sent => {}
                SinkReport::Dropped(why) => log.warn(format_args!(
                    "{} alert ({} {}) not delivered: {why}",
                    sink.name(),
                    alert.kind.as_str(),
                    alert.state.as_str()
                )),
                SinkReport::Refused { reason, first: true } => log.warn(format_args!(
                    "{} alerts stopped: the receiver refused them ({reason}); fix the alert settings \
                     and restart",
                    sink.name()
                )),
                SinkReport::Refused { first: false, .. } => {}
            }
        }
    }
}

impl EventSink for AlertEngine {
    fn event(&self, event: &TokenEvent) {
        match event {
            TokenEvent::ReauthorizationRequired { provider, .. } => self.raise(
                AlertKind::ReauthorizationRequired,
                format!("{} refused the tokens: every call fails with REAUTHORIZATION_REQUIRED", provider.as_str()),
                self.disconnected_action(*provider),
            ),
            // A refusal is the "disconnected" incident, not a failing refresh.
            TokenEvent::RefreshFailed { code, .. } if *code == "REAUTHORIZATION_REQUIRED" => {}
            TokenEvent::RefreshFailed { code, .. } => {
                let n = self.failures_in_a_row.fetch_add(1, Ordering::AcqRel) + 1;
                if n >= self.rules.refresh_failures {
                    self.raise(
                        AlertKind::RefreshFailing,
                        format!("{n} token refreshes failed in a row, the last with {code}"),
                        "Check the provider's status and the credentials; calls fail until a refresh succeeds".into(),
                    );
                }
            }
            TokenEvent::Refreshed { .. } => {
                self.failures_in_a_row.store(0, Ordering::Release);
                self.clear(AlertKind::RefreshFailing);
                self.clear(AlertKind::ReauthorizationRequired);
            }
            TokenEvent::Unsaved { code, .. } => self.raise(
                AlertKind::TokenUnsaved,
                format!("The token store answered {code}: the token is in use but not saved; it is saved again until the store answers"),
                "Check the token store (Redis, the file, your database): a restart now would lose the token".into(),
            ),
            TokenEvent::Saved { .. } => self.clear(AlertKind::TokenUnsaved),
            TokenEvent::AccountRefused { code: "ACCESS_BLOCKED", .. } => self.raise(
                AlertKind::AccessBlocked,
                "amoCRM answered 403: the account blocked the integration; calls are paused so the block is not prolonged".into(),
                "Check the request rate (sharedRateLimit across replicas) and amoCRM's notices; the block lifts by itself".into(),
            ),
            TokenEvent::AccountRefused { .. } => self.raise(
                AlertKind::AccountUnpaid,
                "amoCRM answered 402: the account's subscription has ended; writes fail".into(),
                "Renew the amoCRM subscription".into(),
            ),
            TokenEvent::AccountRestored { code: "ACCESS_BLOCKED", .. } => {
                self.clear(AlertKind::AccessBlocked)
            }
            TokenEvent::AccountRestored { .. } => self.clear(AlertKind::AccountUnpaid),
            TokenEvent::RateLimited { .. } => {}
        }
    }
}
