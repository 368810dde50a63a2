//! The JS `alerts.onAlert`: each alert, as the webhook's JSON fields, handed to the
//! application's function on the JS thread (see js_callback.rs).

use crate::js_callback::JsCallback;
use napi::bindgen_prelude::*;
use std::sync::Arc;
use uzgate_core::alerts::{Alert, AlertCallback};

#[napi(object)]
pub struct AlertInfo {
    #[napi(
        ts_type = "'reauthorization_required' | 'refresh_failing' | 'token_unsaved' | 'access_blocked' | 'account_unpaid' | 'low_balance' | 'delivery_failures' | 'otp_abuse' | 'otp_budget_exhausted' | 'provider_down'"
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

pub struct JsAlertCallback {
    f: JsCallback<AlertInfo, 64>,
}

impl JsAlertCallback {
    pub fn new(f: Function<'_, AlertInfo, ()>) -> Result<Arc<Self>> {
        Ok(Arc::new(JsAlertCallback {
            f: JsCallback::new(f)?,
        }))
    }

    /// The core's sink function: queues the call to JS and returns at once.
    pub fn sink(self: &Arc<Self>) -> AlertCallback {
        let me = self.clone();
        Arc::new(move |alert: &Alert| {
            me.f.call(AlertInfo::from(alert));
        })
    }

    pub fn detach(&self) {
        self.f.detach();
    }
}
