//! The JS functions a client may be given (logger, custom token store, token events), turned into
//! the core's sinks. All are weak thread-safe functions, released on `close()`.

use crate::alert_callback::{AlertInfo, JsAlertCallback};
use crate::js_callback::JsCallback;
use crate::logger::{logger, JsLogSink, LogLine};
use crate::store::{LockRequest, SaveRecord, StoredRecord, UnlockRequest};
use napi::bindgen_prelude::*;
use std::sync::Arc;
use uzgate_core::auth::{EventSink, TokenEvent};
use uzgate_core::log::Logger;
use uzgate_core::options::{LogLevel, TokenStoreOptions};

#[napi(object, object_to_js = false)]
pub struct ClientHooks<'a> {
    /// Receives every log line, already masked.
    pub logger: Option<Function<'a, LogLine, ()>>,
    /// `custom` token store: the stored `{ version, data }` under a key, or null.
    pub store_load: Option<Function<'a, String, Promise<Option<StoredRecord>>>>,
    /// `custom` token store: write `data` as `expectedVersion + 1` if the stored version is
    /// still `expectedVersion`; resolve `false` when someone else wrote first.
    pub store_save: Option<Function<'a, SaveRecord, Promise<bool>>>,
    /// `custom` token store, optional: take the refresh lock of `key` for `leaseMs` unless
    /// someone holds it; resolve a unique owner string when taken, null when held.
    pub store_lock: Option<Function<'a, LockRequest, Promise<Option<String>>>>,
    /// `custom` token store, with `storeLock`: release the lock of `key` if `owner` holds it.
    pub store_unlock: Option<Function<'a, UnlockRequest, Promise<()>>>,
    /// Token lifecycle events (refreshed, refresh failed, re-authorisation required).
    pub on_event: Option<Function<'a, TokenEventInfo, ()>>,
    /// `alerts.onAlert`: each operator alert.
    pub on_alert: Option<Function<'a, AlertInfo, ()>>,
}

#[napi(object)]
pub struct TokenEventInfo {
    #[napi(
        ts_type = "'token_refreshed' | 'refresh_failed' | 'reauthorization_required' | 'token_unsaved' | 'rate_limited'"
    )]
    pub r#type: String,
    pub provider: String,
    pub generation: Option<f64>,
    /// How the token was obtained: `login`, `refresh`, `exchange`, `adopted`.
    pub how: Option<String>,
    pub expires_at_ms: Option<f64>,
    pub code: Option<String>,
    pub message: Option<String>,
    /// `rate_limited`: the endpoint that answered 429 and the wait it asked for.
    pub endpoint: Option<String>,
    pub retry_after_ms: Option<f64>,
}

pub struct JsEventSink {
    f: JsCallback<TokenEventInfo, 256>,
}

impl TokenEventInfo {
    /// The fields every event has; the rest are filled per kind.
    fn base(e: &TokenEvent, provider: uzgate_core::Provider) -> Self {
        TokenEventInfo {
            r#type: e.name().into(),
            provider: provider.as_str().into(),
            generation: None,
            how: None,
            expires_at_ms: None,
            code: None,
            message: None,
            endpoint: None,
            retry_after_ms: None,
        }
    }

    fn from_core(e: &TokenEvent) -> Self {
        match e {
            TokenEvent::Refreshed {
                provider,
                generation,
                how,
                expires_at_ms,
            } => TokenEventInfo {
                generation: Some(*generation as f64),
                how: Some((*how).into()),
                expires_at_ms: expires_at_ms.map(|v| v as f64),
                ..Self::base(e, *provider)
            },
            TokenEvent::RefreshFailed {
                provider,
                code,
                message,
            } => TokenEventInfo {
                code: Some((*code).into()),
                message: Some(message.clone()),
                ..Self::base(e, *provider)
            },
            TokenEvent::ReauthorizationRequired { provider, message } => TokenEventInfo {
                code: Some("REAUTHORIZATION_REQUIRED".into()),
                message: Some(message.clone()),
                ..Self::base(e, *provider)
            },
            TokenEvent::Unsaved {
                provider,
                generation,
                code,
                message,
            } => TokenEventInfo {
                generation: Some(*generation as f64),
                code: Some((*code).into()),
                message: Some(message.clone()),
                ..Self::base(e, *provider)
            },
            TokenEvent::Saved {
                provider,
                generation,
            } => TokenEventInfo {
                generation: Some(*generation as f64),
                ..Self::base(e, *provider)
            },
            TokenEvent::AccountRefused {
                provider,
                code,
                status: _,
            }
            | TokenEvent::AccountRestored { provider, code } => TokenEventInfo {
                code: Some((*code).into()),
                ..Self::base(e, *provider)
            },
            TokenEvent::RateLimited {
                provider,
                endpoint,
                retry_after_ms,
            } => TokenEventInfo {
                code: Some("RATE_LIMITED".into()),
                endpoint: Some((*endpoint).into()),
                retry_after_ms: retry_after_ms.map(|v| v as f64),
                ..Self::base(e, *provider)
            },
        }
    }
}

impl EventSink for JsEventSink {
    fn event(&self, e: &TokenEvent) {
        self.f.call(TokenEventInfo::from_core(e));
    }
}

/// The hooks taken apart: each goes to its own consumer.
pub struct SplitHooks<'a> {
    pub logger: Option<Function<'a, LogLine, ()>>,
    pub on_event: Option<Function<'a, TokenEventInfo, ()>>,
    pub on_alert: Option<Function<'a, AlertInfo, ()>>,
    pub custom_store: Option<crate::store::CustomCallbacks<'a>>,
}

impl<'a> ClientHooks<'a> {
    pub fn split(hooks: Option<Self>) -> SplitHooks<'a> {
        match hooks {
            None => SplitHooks {
                logger: None,
                on_event: None,
                on_alert: None,
                custom_store: None,
            },
            Some(h) => SplitHooks {
                custom_store: match (h.store_load, h.store_save) {
                    (Some(load), Some(save)) => Some(crate::store::CustomCallbacks {
                        load,
                        save,
                        lock: h.store_lock,
                        unlock: h.store_unlock,
                    }),
                    _ => None,
                },
                logger: h.logger,
                on_event: h.on_event,
                on_alert: h.on_alert,
            },
        }
    }
}

/// What every client built from JS options holds besides its core client: its hooks turned into
/// core pieces and its token store.
pub struct Resources {
    pub attached: Attached,
    pub store: crate::store::BuiltStore,
}

impl Resources {
    /// The hooks and the token store of a client; the JS error to throw when the options are bad.
    pub fn prepare(
        env: &napi::Env,
        hooks: Option<ClientHooks<'_>>,
        log_level: Option<LogLevel>,
        store: Option<&TokenStoreOptions>,
    ) -> Result<Arc<Self>> {
        let hooks = ClientHooks::split(hooks);
        let mut attached = Attached::new(hooks.logger, hooks.on_event, log_level)?;
        attached.alert_callback = hooks.on_alert.map(JsAlertCallback::new).transpose()?;
        match crate::store::build(store, hooks.custom_store)? {
            Ok(store) => Ok(Arc::new(Resources { attached, store })),
            Err(e) => crate::error::throw(env, e),
        }
    }

    /// Where the core client sends its events, if JS listens.
    pub fn events(&self) -> Option<Arc<dyn EventSink>> {
        self.attached
            .events
            .clone()
            .map(|e| e as Arc<dyn EventSink>)
    }

    /// The core sink of `alerts.onAlert`, if the client was given one.
    pub fn alert_callback(&self) -> Option<uzgate_core::alerts::AlertCallback> {
        self.attached.alert_callback.as_ref().map(|c| c.sink())
    }

    /// Releases every JS function the client holds, once the client itself has closed.
    pub fn release(&self) {
        self.attached.detach_all(&self.store);
    }
}

/// The hooks turned into core pieces, and what to release on close.
pub struct Attached {
    pub logger: Logger,
    pub log_sink: Option<Arc<JsLogSink>>,
    pub events: Option<Arc<JsEventSink>>,
    pub alert_callback: Option<Arc<JsAlertCallback>>,
}

impl Attached {
    pub fn new(
        log_fn: Option<Function<'_, LogLine, ()>>,
        on_event: Option<Function<'_, TokenEventInfo, ()>>,
        log_level: Option<LogLevel>,
    ) -> Result<Self> {
        let (logger, log_sink) = logger(log_fn, log_level)?;
        let events = match on_event {
            Some(f) => Some(Arc::new(JsEventSink {
                f: JsCallback::new(f)?,
            })),
            None => None,
        };
        Ok(Attached {
            logger,
            log_sink,
            events,
            alert_callback: None,
        })
    }

    pub fn detach(&self) {
        if let Some(s) = &self.log_sink {
            s.detach();
        }
        if let Some(e) = &self.events {
            e.f.detach();
        }
        if let Some(a) = &self.alert_callback {
            a.detach();
        }
    }

    /// Releases every JS function a client holds (logger, events, custom store), after the
    /// client itself has closed.
    pub fn detach_all(&self, store: &crate::store::BuiltStore) {
        self.detach();
        if let Some(js) = &store.js {
            js.detach();
        }
    }
}
