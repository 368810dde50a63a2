//! The JS `alerts.onAlert`: each alert, as the webhook's JSON fields, handed to the
//! application's function on the JS thread. A weak thread-safe function, released on `close()`.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use parking_lot::Mutex;
use std::sync::Arc;
use uzgate_core::alerts::{Alert, AlertCallback};

#[napi(object)]
pub struct AlertInfo {
    #[napi(
        ts_type = "'reauthorization_required' | 'refresh_failing' | 'token_unsaved' | 'access_blocked' | 'account_unpaid' | 'low_balance' | 'delivery_failures' | 'otp_abuse' | 'otp_budget_exhausted'"
    )]
    pub kind: String,
    #[napi(ts_type = "'firing' | 'resolved'")]
    pub state: String,
    /// A reminder of an incident already reported.
    pub repeat: bool,
    /// Which integration (masked: `Eskiz o***@example.uz`, `amoCRM example.amocrm.ru`).
    pub integration: String,
    /// When the incident began (Unix ms).
    pub since_ms: f64,
    /// What was seen.
    pub detail: String,
    /// What to do; empty when resolved.
    pub action: String,
    /// The whole message, as Telegram receives it.
    pub text: String,
}

impl From<&Alert> for AlertInfo {
    fn from(a: &Alert) -> Self {
        AlertInfo {
            kind: a.kind.as_str().into(),
            state: a.state.as_str().into(),
            repeat: a.repeat,
            integration: a.integration.clone(),
            since_ms: a.since_ms as f64,
            detail: a.detail.clone(),
            action: a.action.clone(),
            text: a.text(),
        }
    }
}

type AlertFn = ThreadsafeFunction<AlertInfo, (), AlertInfo, Status, false, true, 64>;

pub struct JsAlertCallback {
    f: Mutex<Option<AlertFn>>,
}

impl JsAlertCallback {
    pub fn new(f: Function<'_, AlertInfo, ()>) -> Result<Arc<Self>> {
        Ok(Arc::new(JsAlertCallback {
            f: Mutex::new(Some(
                f.build_threadsafe_function::<AlertInfo>()
                    .callee_handled::<false>()
                    .weak::<true>()
                    .max_queue_size::<64>()
                    .build()?,
            )),
        }))
    }

    /// The core's sink function: queues the call to JS and returns at once.
    pub fn sink(self: &Arc<Self>) -> AlertCallback {
        let me = self.clone();
        Arc::new(move |alert: &Alert| {
            if let Some(f) = me.f.lock().as_ref() {
                f.call(
                    AlertInfo::from(alert),
                    ThreadsafeFunctionCallMode::NonBlocking,
                );
            }
        })
    }

    pub fn detach(&self) {
        self.f.lock().take();
    }
}
