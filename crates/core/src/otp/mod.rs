//! One-time passwords over SMS (docs/providers/otp.md): codes from a CSPRNG, stored only as an
//! HMAC bound to the phone and the challenge, single use, expiring, at most `max_attempts`
//! evaluated guesses per code, a resend cooldown and an hourly cap per phone. The attempt is
//! reserved atomically in the store *before* the constant-time comparison, so parallel guesses
//! cannot exceed the budget, and a correct code is consumed by an atomic delete, so it passes
//! once.

mod code;
mod memory;
mod redis;
mod service;
mod store;

pub use memory::MemoryOtpStore;
pub use redis::RedisOtpStore;
pub use service::{OtpConfig, OtpService, SendOutcome, VerifyOutcome};
pub use store::{Challenge, OtpStore, Reservation, SendDecision};
