//! One-time passwords over SMS (docs/providers/otp.md): codes from a CSPRNG, stored only as an
//! HMAC bound to the phone and the challenge, single use, expiring, at most `max_attempts`
//! evaluated guesses per code, a resend cooldown and an hourly cap per phone. Against SMS
//! pumping (numbers rotated through premium ranges) sends are also counted per client IP, per
//! block of numbers and against a global and per-region budget (`gates`, `windows`). The attempt is
//! reserved atomically in the store *before* the constant-time comparison, so parallel guesses
//! cannot exceed the budget, and a correct code is consumed by an atomic delete, so it passes
//! once.

mod budget_alert;
mod client_ip;
mod code;
mod gates;
mod memory;
mod redis;
mod redis_windows;
mod service;
mod store;
mod windows;

pub use client_ip::canonical as canonical_client_ip;
pub use gates::{PrefixLimit, SendBudget, DEFAULT_CLIENT_IP_PER_HOUR};
pub use memory::MemoryOtpStore;
pub use redis::RedisOtpStore;
pub use redis_windows::RedisSendWindows;
pub use service::{OtpConfig, OtpService, SendOutcome, VerifyOutcome};
pub use store::{Challenge, OtpStore, Reservation, SendDecision};
pub use windows::{MemorySendWindows, SendWindows, Take, WindowSlot, WINDOW_MS};
