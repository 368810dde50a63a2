//! Operator alerts: what went wrong, for which integration, since when, and what to do — to
//! Telegram, a signed webhook or a callback; one message per incident, a reminder after the
//! repeat interval, one "resolved" when the condition clears. Delivery runs beside the request
//! path and never blocks or fails a send or a lead.
//!
//! The engine listens to a client's token events; the options (`alerts`) build it.

mod alert;
mod delivery;
mod engine;
mod incidents;
mod shared;
mod sink;
mod telegram;
mod watch;
mod webhook;
mod window;

pub use alert::{Alert, AlertKind, AlertState, MAX_TEXT_CHARS};
pub use delivery::Delivery;
pub use engine::{AlertEngine, AlertRules};
pub use incidents::{Incidents, Transition};
pub use shared::window_key;
pub use sink::{AlertCallback, AlertSink, SinkReport};
pub use telegram::{TelegramSink, DEFAULT_API_ROOT};
pub use watch::{RateWatch, Rule as RateRule};
pub use webhook::{sign as sign_webhook, WebhookSink, SIGNATURE_HEADER, TIMESTAMP_HEADER};
pub use window::{Counts, RateWindow};
