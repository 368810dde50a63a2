//! Node binding of uzgate: converts between JS values and `uzgate-core`; no logic of its own.

#[macro_use]
extern crate napi_derive;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod alert_callback;
pub mod alerts;
pub mod amocrm;
pub mod amocrm_types;
pub mod error;
pub mod hooks;
pub mod js_callback;
pub mod log_file;
pub mod logger;
pub mod options;
pub mod otp;
pub mod promise;
pub mod runtime;
pub mod sms;
pub mod sms_types;
pub mod store;
pub mod webhooks;
