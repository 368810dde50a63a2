//! Runs a core future on napi's tokio runtime and settles a JS promise with its result; errors
//! are built on the JS thread (see `error.rs`) so every field reaches JS.

use crate::error::js_error;
use napi::bindgen_prelude::*;
use napi::Env;
use std::future::Future;

/// The future napi spawns. Boxed: every async wrapper around a future keeps a second copy of it
/// in its state (the captured value and the awaited one), and napi adds a wrapper of its own, so
/// an unboxed call future would be carried four times over in each spawned task — for every call
/// waiting in the queue.
fn settle<T, F>(fut: F) -> impl Future<Output = Result<uzgate_core::Result<T>>> + Send + 'static
where
    F: Future<Output = uzgate_core::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let fut = Box::pin(fut);
    async move { Ok(fut.await) }
}

pub fn promise<'e, T, V, F>(env: &'e Env, fut: F) -> Result<PromiseRaw<'e, V>>
where
    F: Future<Output = uzgate_core::Result<T>> + Send + 'static,
    T: Send + 'static,
    V: ToNapiValue + From<T>,
{
    env.spawn_future_with_callback(settle(fut), |env, result| {
        result.map(V::from).map_err(|e| js_error(env, e))
    })
}

/// `Vec<T>` results: `Vec<V>` has no `From<Vec<T>>`.
pub fn promise_vec<'e, T, V, F>(env: &'e Env, fut: F) -> Result<PromiseRaw<'e, Vec<V>>>
where
    F: Future<Output = uzgate_core::Result<Vec<T>>> + Send + 'static,
    T: Send + 'static,
    V: ToNapiValue + From<T>,
    Vec<V>: ToNapiValue,
{
    env.spawn_future_with_callback(settle(fut), |env, result| {
        result
            .map(|v| v.into_iter().map(V::from).collect())
            .map_err(|e| js_error(env, e))
    })
}

/// Results that need a conversion other than `From` (numbers, JSON values).
pub fn promise_with<'e, T, V, F, M>(env: &'e Env, fut: F, map: M) -> Result<PromiseRaw<'e, V>>
where
    F: Future<Output = uzgate_core::Result<T>> + Send + 'static,
    T: Send + 'static,
    V: ToNapiValue,
    M: FnOnce(T) -> V + 'static,
{
    env.spawn_future_with_callback(settle(fut), |env, result| {
        result.map(map).map_err(|e| js_error(env, e))
    })
}
