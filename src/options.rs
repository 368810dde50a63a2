//! What the binding tells JS about the core's option types (the core parses the options itself).

use crate::error::throw;
use napi::Env;
use uzgate_core::options::{keys_of, AmoCrmOptions, OtpOptions, SmsOptions};

/// The top-level option keys of each client's constructor.
#[napi(object)]
pub struct OptionKeys {
    pub sms: Vec<String>,
    pub amocrm: Vec<String>,
    pub otp: Vec<String>,
}

/// The top-level option keys each client's constructor accepts, from the core's option types:
/// the Nest modules check their own level against them before the environment completes it.
#[napi]
pub fn option_keys() -> OptionKeys {
    OptionKeys {
        sms: keys_of::<SmsOptions>(),
        amocrm: keys_of::<AmoCrmOptions>(),
        otp: keys_of::<OtpOptions>(),
    }
}

/// Throws the core's `CONFIG` error for SMS client options that break a rule (every rule the
/// constructor checks; nothing is built): the environment reader names its variables in it.
#[napi]
pub fn check_sms_options(
    env: Env,
    #[napi(ts_arg_type = "Record<string, unknown>")] options: serde_json::Value,
) -> napi::Result<()> {
    SmsOptions::check(options).or_else(|e| throw(&env, e))
}
