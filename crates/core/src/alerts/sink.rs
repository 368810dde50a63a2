//! One place an alert goes, with the delivery rules every sink shares: a 429's wait honoured up to
//! a minute, a few attempts with a short backoff on failures, and a refusal that stops the sink
//! for good (reported once, not retried forever).

use super::alert::Alert;
use super::delivery::{Delivery, ATTEMPTS, MAX_WAIT};
use super::telegram::TelegramSink;
use super::webhook::WebhookSink;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// The application's own function (the JS `alerts.onAlert`): handed the alert, it cannot refuse
/// or fail it — whatever it does with it is its business, its throws are contained by the caller.
pub type AlertCallback = Arc<dyn Fn(&Alert) + Send + Sync>;

pub enum Target {
    Telegram(TelegramSink),
    Webhook(WebhookSink),
    Callback(AlertCallback),
}

pub struct AlertSink {
    name: &'static str,
    target: Target,
    /// Why the receiver refused, once it has: the sink sends nothing more.
    refused: Mutex<Option<String>>,
}

/// How delivering one alert to one sink ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkReport {
    Sent,
    /// Given up after the attempts (network, server errors, waits too long).
    Dropped(String),
    /// The receiver refused; `first` is true the one time it happened (log it then).
    Refused {
        reason: String,
        first: bool,
    },
}

impl AlertSink {
    pub fn telegram(sink: TelegramSink) -> Self {
        Self::new("telegram", Target::Telegram(sink))
    }

    pub fn webhook(sink: WebhookSink) -> Self {
        Self::new("webhook", Target::Webhook(sink))
    }

    pub fn callback(f: AlertCallback) -> Self {
        Self::new("callback", Target::Callback(f))
    }

    fn new(name: &'static str, target: Target) -> Self {
        AlertSink {
            name,
            target,
            refused: Mutex::new(None),
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub async fn deliver(&self, alert: &Alert) -> SinkReport {
        if let Some(reason) = self.refused.lock().clone() {
            return SinkReport::Refused {
                reason,
                first: false,
            };
        }
        let text = alert.text();
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            let outcome = match &self.target {
                Target::Telegram(t) => t.send(&text).await,
                Target::Webhook(w) => w.send(alert).await,
                Target::Callback(f) => {
                    f(alert);
                    Delivery::Sent
                }
            };
            match outcome {
                Delivery::Sent => return SinkReport::Sent,
                Delivery::Refused(reason) => {
                    *self.refused.lock() = Some(reason.clone());
                    return SinkReport::Refused {
                        reason,
                        first: true,
                    };
                }
                Delivery::RetryAfter(wait) if wait <= MAX_WAIT => {
                    last = format!("asked to wait {} s", wait.as_secs());
                    tokio::time::sleep(wait).await;
                }
                Delivery::RetryAfter(wait) => {
                    return SinkReport::Dropped(format!(
                        "asked to wait {} s, longer than {} s",
                        wait.as_secs(),
                        MAX_WAIT.as_secs()
                    ))
                }
                Delivery::Failed(why) => {
                    last = why;
                    tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
                }
            }
        }
        SinkReport::Dropped(last)
    }
}
