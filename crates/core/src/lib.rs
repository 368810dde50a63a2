//! uzgate core: SMS through Eskiz.uz and Twilio, amoCRM leads, OTP — with token management that
//! survives concurrency, several processes, rotating refresh tokens, rate limits and faults.
//! Pure Rust; the Node binding (root crate) only converts values.

pub mod alerts;
pub mod attempt;
pub mod auth;
pub mod ct;
pub mod deadline;
pub mod diagnostics;
pub mod error;
pub mod events;
pub mod http;
pub mod jwt;
pub mod log;
pub mod mac;
pub mod metrics;
pub mod options;
pub mod otp;
pub mod phone;
pub mod providers;
pub mod ratelimit;
pub mod redis_client;
pub mod secret;
pub mod segments;
pub mod sms;
pub mod store;
pub mod time;

pub use error::{Error, ErrorCode, Provider, Result};
pub use secret::Secret;
