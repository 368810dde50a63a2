//! The one place where a uzgate error becomes a JS `Error`: `code`, `provider`, `status`,
//! `retryable`, `retryAfterMs`, `providerMessage`, `details` and `attempts` are set as properties, so callers
//! branch on `err.code`, never on message text.

use napi::bindgen_prelude::*;
use napi::{Env, JsValue};
use uzgate_core::Error as CoreError;

/// Builds the JS error on the JS thread; rejecting or throwing with the returned `napi::Error`
/// hands JS exactly this object.
pub fn js_error(env: &Env, e: CoreError) -> napi::Error {
    match build(env, &e) {
        Ok(err) => err,
        // Could not build the object (out of memory?): at least keep code and message.
        Err(_) => napi::Error::new(Status::GenericFailure, format!("{}: {}", e.code, e.message)),
    }
}

fn build(env: &Env, e: &CoreError) -> Result<napi::Error> {
    let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, e.message.clone()))?;
    obj.set("code", e.code.as_str())?;
    obj.set("retryable", e.retryable)?;
    if let Some(p) = e.provider {
        obj.set("provider", p.as_str())?;
    }
    if let Some(s) = e.status {
        obj.set("status", s as u32)?;
    }
    if let Some(ms) = e.retry_after_ms() {
        obj.set("retryAfterMs", ms as f64)?;
    }
    if let Some(m) = &e.provider_message {
        obj.set("providerMessage", m.as_str())?;
    }
    if let Some(d) = &e.details {
        obj.set("details", d.clone())?;
    }
    if !e.attempts().is_empty() {
        obj.set(
            "attempts",
            serde_json::to_value(e.attempts()).unwrap_or_default(),
        )?;
    }
    Ok(napi::Error::from(obj.to_unknown()))
}

/// For synchronous entry points (constructors): the same object, thrown.
pub fn throw<T>(env: &Env, e: CoreError) -> Result<T> {
    Err(js_error(env, e))
}

/// Every `err.code` uzgate can reject with, in core's order. `nest/errors.ts`'s `ERROR_CODES`
/// is tested against this list.
#[napi]
pub fn error_codes() -> Vec<String> {
    uzgate_core::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}
