//! A sandbox failure as a JS `Error` with `code` and `retryable`, the same shape the production
//! addon gives its errors, so callers branch on `err.code` whichever addon rejected.

use napi::bindgen_prelude::*;
use napi::{Env, JsValue};
use uzgate_core::ErrorCode;

/// Builds the JS error on the JS thread; rejecting or throwing with the returned `napi::Error`
/// hands JS exactly this object.
pub fn js_error(env: &Env, code: ErrorCode, message: String) -> napi::Error {
    match build(env, code, &message) {
        Ok(err) => err,
        // Could not build the object (out of memory?): at least keep code and message.
        Err(_) => napi::Error::new(
            Status::GenericFailure,
            format!("{}: {message}", code.as_str()),
        ),
    }
}

fn build(env: &Env, code: ErrorCode, message: &str) -> Result<napi::Error> {
    let mut obj = env.create_error(napi::Error::new(
        Status::GenericFailure,
        message.to_string(),
    ))?;
    obj.set("code", code.as_str())?;
    obj.set("retryable", false)?;
    Ok(napi::Error::from(obj.to_unknown()))
}
