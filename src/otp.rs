//! `OtpService` for JS: codes sent through an `SmsClient`, verified once.

use crate::error::throw;
use crate::hooks::Attached;
use crate::promise::promise;
use crate::sms::SmsClient;
use napi::bindgen_prelude::*;
use napi::Env;
use std::sync::Arc;
use std::time::Duration;
use uzgate_core::otp::{self as core, MemoryOtpStore, OtpStore, RedisOtpStore};
use uzgate_core::store::RedisConnection;
use uzgate_core::{Error as CoreError, Secret};

#[napi(object)]
pub struct OtpStoreOptions {
    /// `memory` (default, one process) or `redis` (attempts, cooldowns and single use shared by
    /// every replica).
    #[napi(ts_type = "'memory' | 'redis'")]
    pub r#type: String,
    pub url: Option<String>,
    /// Key prefix in Redis (default `uzgate:otp`).
    pub prefix: Option<String>,
}

#[napi(object)]
pub struct OtpOptions {
    /// Digits per code, 4–10 (default 6).
    pub length: Option<u32>,
    /// Lifetime of a code (default 300).
    pub ttl_seconds: Option<u32>,
    /// Wrong guesses a code survives (default 5); then a new send is needed.
    pub max_attempts: Option<u32>,
    /// Minimum time between two sends to one number (default 60).
    pub resend_cooldown_seconds: Option<u32>,
    /// Sends per number per rolling hour (default 5).
    pub max_sends_per_hour: Option<u32>,
    /// HMAC key for stored codes, at least 16 characters. Never logged.
    pub secret: String,
    /// Message text with `{code}` (and optionally `{app}`, `{minutes}`).
    pub template: Option<String>,
    /// Fills `{app}` of the default template: "<App> tasdiqlash kodi: 123456. …".
    pub app_name: Option<String>,
    /// Returns the code (`devCode`) and logs it. Refused with a real provider unless
    /// `forceDevMode`.
    pub dev_mode: Option<bool>,
    pub force_dev_mode: Option<bool>,
    /// Region of numbers written without a country code (default `UZ`).
    pub default_region: Option<String>,
    pub store: Option<OtpStoreOptions>,
    #[napi(ts_type = "'debug' | 'info' | 'warn' | 'error'")]
    pub log_level: Option<String>,
}

#[napi(object)]
pub struct OtpSendResult {
    pub expires_in_seconds: u32,
    pub resend_in_seconds: u32,
    /// Only in dev mode.
    pub dev_code: Option<String>,
    /// The SMS id.
    pub message_id: String,
}

impl From<core::SendOutcome> for OtpSendResult {
    fn from(o: core::SendOutcome) -> Self {
        OtpSendResult {
            expires_in_seconds: o.expires_in_seconds as u32,
            resend_in_seconds: o.resend_in_seconds as u32,
            dev_code: o.dev_code,
            message_id: o.message_id,
        }
    }
}

#[napi(object)]
pub struct OtpVerifyResult {
    pub ok: bool,
    #[napi(ts_type = "'invalid' | 'expired' | 'not_found' | 'too_many_attempts'")]
    pub reason: Option<String>,
    pub attempts_left: Option<u32>,
}

impl From<core::VerifyOutcome> for OtpVerifyResult {
    fn from(v: core::VerifyOutcome) -> Self {
        OtpVerifyResult {
            ok: v.ok,
            reason: v.reason.map(Into::into),
            attempts_left: v.attempts_left,
        }
    }
}

#[napi]
pub struct OtpService {
    inner: Arc<core::OtpService>,
    attached: Arc<Attached>,
}

fn build(
    sms: &SmsClient,
    o: OtpOptions,
    attached: &Attached,
) -> uzgate_core::Result<core::OtpService> {
    let mut config = core::OtpConfig::new(Secret::from(o.secret));
    if let Some(n) = o.length {
        config.length = n.min(255) as u8;
    }
    if let Some(s) = o.ttl_seconds {
        config.ttl = Duration::from_secs(s as u64);
    }
    if let Some(n) = o.max_attempts {
        config.max_attempts = n;
    }
    if let Some(s) = o.resend_cooldown_seconds {
        config.resend_cooldown = Duration::from_secs(s as u64);
    }
    if let Some(n) = o.max_sends_per_hour {
        config.max_sends_per_hour = n;
    }
    config.template = o.template;
    config.app_name = o.app_name;
    config.dev_mode = o.dev_mode.unwrap_or(false);
    config.force_dev_mode = o.force_dev_mode.unwrap_or(false);
    if let Some(r) = o.default_region {
        config.default_region = r;
    }
    let store: Arc<dyn OtpStore> = match o.store {
        None => Arc::new(MemoryOtpStore::new()),
        Some(s) => match s.r#type.as_str() {
            "memory" => Arc::new(MemoryOtpStore::new()),
            "redis" => {
                let url = s
                    .url
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| CoreError::config("store { type: 'redis' } needs a url"))?;
                Arc::new(RedisOtpStore::new(RedisConnection::new(&url)?, s.prefix))
            }
            other => {
                return Err(CoreError::config(format!(
                    "store.type {other:?} must be memory or redis"
                )))
            }
        },
    };
    core::OtpService::new(sms.core(), store, config, attached.logger.clone())
}

#[napi]
impl OtpService {
    /// `sms` sends the codes; the options are validated here (no I/O).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        sms: &SmsClient,
        options: OtpOptions,
        logger: Option<Function<'_, crate::logger::LogLine, ()>>,
    ) -> Result<Self> {
        let attached = Arc::new(Attached::new(logger, None, options.log_level.as_deref())?);
        match build(sms, options, &attached) {
            Ok(inner) => Ok(OtpService {
                inner: Arc::new(inner),
                attached,
            }),
            Err(e) => throw(&env, e),
        }
    }

    /// Sends a fresh code (the previous one of the number stops working).
    #[napi(ts_return_type = "Promise<OtpSendResult>")]
    pub fn send<'e>(&self, env: &'e Env, phone: String) -> Result<PromiseRaw<'e, OtpSendResult>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.send(&phone).await })
    }

    /// `{ ok: true }` once for the right code; otherwise why not.
    #[napi(ts_return_type = "Promise<OtpVerifyResult>")]
    pub fn verify<'e>(
        &self,
        env: &'e Env,
        phone: String,
        code: String,
    ) -> Result<PromiseRaw<'e, OtpVerifyResult>> {
        let inner = self.inner.clone();
        promise(env, async move { inner.verify(&phone, &code).await })
    }

    /// Releases the logger callback. Idempotent.
    #[napi]
    pub fn close(&self) {
        self.attached.detach();
    }
}
