//! `OtpService` for JS: codes sent through an `SmsClient`, verified once.

use crate::alert_callback::{AlertInfo, JsAlertCallback};
use crate::alerts;
use crate::error::throw;
use crate::hooks::Attached;
use crate::promise::promise;
use crate::sms::SmsClient;
use napi::bindgen_prelude::*;
use napi::Env;
use std::sync::Arc;
use uzgate_core::diagnostics::ConfigView;
use uzgate_core::options::OtpOptions;
use uzgate_core::otp as core;

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

/// Who asked for a code.
#[napi(object)]
pub struct OtpSendOptions {
    /// The client's IP address as the framework computed it (`request.ip`, which honours the
    /// app's trust-proxy setting). Counted by `perClientIp`; not an IP address → INVALID_ARGUMENT.
    pub client_ip: Option<String>,
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
    /// The masked configuration view, computed once from the options.
    view: serde_json::Value,
}

fn build(
    sms: &SmsClient,
    options: OtpOptions,
    attached: &Attached,
) -> uzgate_core::Result<core::OtpService> {
    let label = format!("OTP via {}", sms.alert_label());
    let callback = attached.alert_callback.as_ref().map(|c| c.sink());
    let engine = alerts::engine(options.alerts.as_ref(), label, callback)?;
    let abuse_rule = options
        .alerts
        .as_ref()
        .map(|a| a.otp_abuse_rule())
        .transpose()?;
    let parts = options.into_config()?;
    let service = core::OtpService::new(
        sms.core(),
        parts.store,
        parts.config,
        attached.logger.clone(),
    )?
    .with_send_windows(parts.windows);
    let (Some(engine), Some(rule)) = (engine, abuse_rule) else {
        return Ok(service);
    };
    let service = service.with_budget_alert(engine.clone());
    // Replicas share incidents and counts under the store's prefix: two OTP services with
    // their own prefixes in one Redis are two integrations.
    let redis = parts
        .redis
        .map(|(conn, prefix)| (conn, format!("{prefix} {}", engine.integration())));
    let watch = alerts::rate_watch(&engine, rule, &redis, "otp_abuse");
    alerts::attach(
        Some(engine),
        attached.logger.clone(),
        sms.core().metrics_handle(),
        redis,
        |_| {},
    );
    Ok(service.with_abuse_alert(watch))
}

#[napi]
impl OtpService {
    /// `sms` sends the codes; the core checks the options (no I/O). `onAlert`: the
    /// `alerts.onAlert` of the options.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        sms: &SmsClient,
        #[napi(ts_arg_type = "Record<string, unknown>")] options: serde_json::Value,
        logger: Option<Function<'_, crate::logger::LogLine, ()>>,
        on_alert: Option<Function<'_, AlertInfo, ()>>,
    ) -> Result<Self> {
        let options = match OtpOptions::from_json(options) {
            Ok(o) => o,
            Err(e) => return throw(&env, e),
        };
        let view = match ConfigView::of_otp(&options) {
            Ok(v) => v.with_alert_callback(on_alert.is_some()),
            Err(e) => return throw(&env, e),
        };
        let mut attached = Attached::new(logger, None, options.log_level)?;
        attached.alert_callback = on_alert.map(JsAlertCallback::new).transpose()?;
        let attached = Arc::new(attached);
        match build(sms, options, &attached) {
            Ok(inner) => Ok(OtpService {
                view: view.with_otp_regions(inner.allowed_regions()).to_json(),
                inner: Arc::new(inner),
                attached,
            }),
            Err(e) => throw(&env, e),
        }
    }

    /// The effective configuration for operators, every value masked (no secret, nor any part
    /// of one): provider, hosts, credentials set or missing, token store, limits, findings.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn configuration(&self) -> serde_json::Value {
        self.view.clone()
    }

    /// Sends a fresh code (the previous one of the number stops working); `options.clientIp`
    /// counts the send against the per-IP limit.
    #[napi(ts_return_type = "Promise<OtpSendResult>")]
    pub fn send<'e>(
        &self,
        env: &'e Env,
        phone: String,
        options: Option<OtpSendOptions>,
    ) -> Result<PromiseRaw<'e, OtpSendResult>> {
        let inner = self.inner.clone();
        let client_ip = options.and_then(|o| o.client_ip);
        promise(env, async move {
            inner.send_from(&phone, client_ip.as_deref()).await
        })
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

    /// Releases the logger and alert callbacks. Idempotent.
    #[napi]
    pub fn close(&self) {
        self.attached.detach();
    }
}
