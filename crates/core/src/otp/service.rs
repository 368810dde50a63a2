//! `OtpService`: send a code by SMS, verify it once.

use super::budget_alert::BudgetAlert;
use super::client_ip;
use super::code;
use super::gates::{self, PrefixLimit, SendBudget};
use super::store::{Challenge, OtpStore, Reservation, SendDecision};
use super::windows::{MemorySendWindows, SendWindows, Take};
use crate::alerts::{AlertEngine, RateWatch};
use crate::ct;
use crate::error::{Error, ErrorCode, Provider, Result};
use crate::log::Logger;
use crate::phone;
use crate::secret::Secret;
use crate::sms::{SendInput, SmsClient};
use crate::store::unix_now_ms;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub struct OtpConfig {
    /// Digits per code, 4–10 (default 6).
    pub length: u8,
    pub ttl: Duration,
    /// Wrong guesses a code survives; then it is dead and a new send is needed.
    pub max_attempts: u32,
    pub resend_cooldown: Duration,
    /// Sends per phone per rolling hour (SMS-pumping protection).
    pub max_sends_per_hour: u32,
    /// The HMAC key; at least 16 bytes. Rotating it invalidates codes in flight.
    pub secret: Secret,
    /// Must contain `{code}`; may contain `{app}` and `{minutes}`. Default: [`DEFAULT_TEMPLATE`]
    /// with an app name, [`PLAIN_TEMPLATE`] without.
    pub template: Option<String>,
    pub app_name: Option<String>,
    /// Returns the code to the caller and logs it: for development only.
    pub dev_mode: bool,
    /// Allow `dev_mode` with a real provider (otherwise refused at construction).
    pub force_dev_mode: bool,
    /// Numbers written without a country code belong to this region (default `UZ`).
    pub default_region: String,
    /// Regions codes may be sent to (ISO, or `*` for every region); `None`: the SMS client's
    /// default (`UZ` for the usual setups, see `SmsClient::otp_default_regions`).
    pub allowed_regions: Option<Vec<String>>,
    /// Codes per rolling hour for the whole service and per region (off by default).
    pub budget: SendBudget,
    /// Codes per rolling hour to one block of numbers (on by default; `None`: off).
    pub prefix_limit: Option<PrefixLimit>,
    /// Codes per rolling hour asked for by one client IP, when the caller gives one (`None`:
    /// off).
    pub client_ip_per_hour: Option<u32>,
}

impl OtpConfig {
    pub fn new(secret: Secret) -> Self {
        OtpConfig {
            length: 6,
            ttl: Duration::from_secs(300),
            max_attempts: 5,
            resend_cooldown: Duration::from_secs(60),
            max_sends_per_hour: 5,
            secret,
            template: None,
            app_name: None,
            dev_mode: false,
            force_dev_mode: false,
            default_region: "UZ".into(),
            allowed_regions: None,
            budget: SendBudget::default(),
            prefix_limit: Some(PrefixLimit::default()),
            client_ip_per_hour: Some(gates::DEFAULT_CLIENT_IP_PER_HOUR),
        }
    }
}

/// In the style Uzbek services use: "<App> tasdiqlash kodi: 123456. Kodni hech kimga bermang."
pub const DEFAULT_TEMPLATE: &str = "{app} tasdiqlash kodi: {code}. Kodni hech kimga bermang.";
/// The same without an app name.
pub const PLAIN_TEMPLATE: &str = "Tasdiqlash kodi: {code}. Kodni hech kimga bermang.";

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendOutcome {
    pub expires_in_seconds: u64,
    pub resend_in_seconds: u64,
    /// Only in dev mode.
    pub dev_code: Option<String>,
    /// The SMS id.
    pub message_id: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VerifyOutcome {
    pub ok: bool,
    /// `invalid` | `expired` | `not_found` | `too_many_attempts`
    pub reason: Option<&'static str>,
    pub attempts_left: Option<u32>,
}

impl VerifyOutcome {
    fn fail(reason: &'static str, attempts_left: Option<u32>) -> Self {
        VerifyOutcome {
            ok: false,
            reason: Some(reason),
            attempts_left,
        }
    }
}

pub struct OtpService {
    sms: Arc<SmsClient>,
    store: Arc<dyn OtpStore>,
    config: OtpConfig,
    template: String,
    log: Logger,
    /// Regions codes go to; `*` for all.
    allowed_regions: Vec<String>,
    /// The OTP-abuse alert, told of every hourly-cap refusal.
    abuse: Option<Arc<RateWatch>>,
    /// The windows of the client-IP, prefix and budget gates (shared through Redis with a Redis
    /// store).
    windows: Arc<dyn SendWindows>,
    /// The budget alert, told of budget refusals and admissions.
    budget_alert: Option<BudgetAlert>,
}

impl OtpService {
    pub fn new(
        sms: Arc<SmsClient>,
        store: Arc<dyn OtpStore>,
        config: OtpConfig,
        log: Logger,
    ) -> Result<Self> {
        if !(4..=10).contains(&config.length) {
            return Err(Error::config("length must be between 4 and 10 digits"));
        }
        if config.ttl.is_zero() || config.ttl > Duration::from_secs(3600) {
            return Err(Error::config("ttlSeconds must be between 1 and 3600"));
        }
        if config.max_attempts == 0 || config.max_attempts > 100 {
            return Err(Error::config("maxAttempts must be between 1 and 100"));
        }
        if config.max_sends_per_hour == 0 {
            return Err(Error::config("maxSendsPerHour must be at least 1"));
        }
        if config.secret.expose().len() < 16 {
            return Err(Error::config(
                "secret must be at least 16 characters (it keys the HMAC of every code)",
            ));
        }
        let template = config
            .template
            .as_deref()
            .unwrap_or(if config.app_name.is_some() {
                DEFAULT_TEMPLATE
            } else {
                PLAIN_TEMPLATE
            });
        if !template.contains("{code}") {
            return Err(Error::config("template must contain {code}"));
        }
        if template.contains("{app}") && config.app_name.is_none() {
            return Err(Error::config(
                "the template uses {app}: set appName (or a template without it)",
            ));
        }
        let real = !matches!(sms.provider(), Provider::Console);
        if config.dev_mode && real && !config.force_dev_mode {
            return Err(Error::config(format!(
                "devMode returns and logs codes; it is refused with the real provider {:?} unless forceDevMode is set",
                sms.provider().as_str()
            )));
        }
        check_limits(&config)?;
        let template = template.to_string();
        let allowed_regions = match &config.allowed_regions {
            Some(list) => {
                if list.is_empty()
                    || list.iter().any(|r| {
                        r != "*" && !(r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
                    })
                {
                    return Err(Error::config(
                        "allowedRegions must list ISO regions in capitals (['UZ', 'KZ']) or ['*'] for every region",
                    ));
                }
                list.clone()
            }
            None => sms.otp_default_regions(&config.default_region),
        };
        Ok(OtpService {
            allowed_regions,
            sms,
            store,
            config,
            template,
            log: log.scoped("uzgate:otp"),
            abuse: None,
            windows: Arc::new(MemorySendWindows::new()),
            budget_alert: None,
        })
    }

    /// Counts the client-IP, prefix and budget gates in `windows` (Redis: every replica
    /// together) instead of this process's memory.
    pub fn with_send_windows(mut self, windows: Arc<dyn SendWindows>) -> Self {
        self.windows = windows;
        self
    }

    /// Raises `otp_budget_exhausted` through `engine` when a budget refuses a send.
    pub fn with_budget_alert(mut self, engine: Arc<AlertEngine>) -> Self {
        self.budget_alert = Some(BudgetAlert::new(engine));
        self
    }

    /// Tells `watch` (the OTP-abuse alert) of every send the hourly cap refuses.
    pub fn with_abuse_alert(mut self, watch: Arc<RateWatch>) -> Self {
        self.abuse = Some(watch);
        self
    }

    fn text(&self, code: &str) -> String {
        self.template
            .replace("{app}", self.config.app_name.as_deref().unwrap_or(""))
            .replace(
                "{minutes}",
                &self.config.ttl.as_secs().div_ceil(60).to_string(),
            )
            .replace("{code}", code)
            .trim()
            .to_string()
    }

    /// The regions codes go to (`*`: every region).
    pub fn allowed_regions(&self) -> &[String] {
        &self.allowed_regions
    }

    /// Sends a fresh code to `phone_input` (no client IP: the per-IP gate does not apply).
    pub async fn send(&self, phone_input: &str) -> Result<SendOutcome> {
        self.send_from(phone_input, None).await
    }

    /// Sends a fresh code, asked for by `client_ip` (the framework's `request.ip`, never a
    /// header read by hand). Gates in order: region, client IP, number prefix, budget, then the
    /// number's cooldown and hourly cap; a slot taken by an earlier gate is given back when a
    /// later one refuses or the SMS definitely failed.
    pub async fn send_from(
        &self,
        phone_input: &str,
        client_ip: Option<&str>,
    ) -> Result<SendOutcome> {
        let client_ip = client_ip.map(client_ip::canonical).transpose()?;
        let phone = phone::normalize(phone_input, &self.config.default_region)?;
        self.check_region(&phone)?;
        let now = unix_now_ms();
        let id = uuid::Uuid::new_v4().to_string();
        let held = self
            .pass_gates(&phone, client_ip.as_deref(), &id, now)
            .await?;
        let sent = self.send_code(&phone, id.clone(), now).await;
        if let Err(e) = &sent {
            // A definite failure (or a refusal by the number's own gate) frees the slots; an
            // unknown outcome keeps them: the SMS may have been sent and paid for.
            if e.code != ErrorCode::OutcomeUnknown && !held.is_empty() {
                let _ = self.windows.refund(&held, &id).await;
            }
        }
        sent
    }

    /// Takes a slot in each counting gate, in order; on a refusal gives back what earlier gates
    /// took. Returns the windows holding a slot of `id`.
    async fn pass_gates(
        &self,
        phone: &phone::Phone,
        client_ip: Option<&str>,
        id: &str,
        now: u64,
    ) -> Result<Vec<String>> {
        let mut held: Vec<String> = Vec::new();
        for gate in gates::gates(
            phone,
            client_ip,
            self.config.client_ip_per_hour,
            self.config.prefix_limit,
            &self.config.budget,
        ) {
            let taken = match self.windows.take(&gate.slots, id, now).await {
                Ok(t) => t,
                Err(e) => {
                    self.give_back(&held, id).await;
                    return Err(e);
                }
            };
            match taken {
                Take::Taken => {
                    if let Some(alert) = &self.budget_alert {
                        if gate.refusals.iter().any(|r| r.is_budget()) {
                            alert.admitted(&gate.slots);
                        }
                    }
                    held.extend(gate.slots.into_iter().map(|s| s.window));
                }
                Take::Refused { index, wait_ms } => {
                    self.give_back(&held, id).await;
                    let refusal = gate.refusals[index.min(gate.refusals.len() - 1)];
                    if refusal.is_budget() {
                        if let Some(alert) = &self.budget_alert {
                            alert.refused(refusal, &gate.slots[index]);
                        }
                    }
                    self.sms.metrics_registry().otp_refused(refusal.reason());
                    self.log.info(format_args!(
                        "code to {} refused: {}",
                        phone.masked(),
                        refusal.reason()
                    ));
                    return Err(limited_by(refusal.reason(), refusal.message(), wait_ms));
                }
            }
        }
        Ok(held)
    }

    async fn give_back(&self, held: &[String], id: &str) {
        if !held.is_empty() {
            let _ = self.windows.refund(held, id).await;
        }
    }

    /// The number's own gate (cooldown, hourly cap), then the SMS.
    async fn send_code(&self, phone: &phone::Phone, id: String, now: u64) -> Result<SendOutcome> {
        let code = code::generate(self.config.length);
        let challenge = Challenge {
            digest: code::digest(
                self.config.secret.expose().as_bytes(),
                &id,
                &phone.e164,
                &code,
            ),
            id: id.clone(),
            expires_at_ms: now + self.config.ttl.as_millis() as u64,
            attempts_left: self.config.max_attempts,
            sent_at_ms: now,
        };
        let cooldown = self.config.resend_cooldown.as_millis() as u64;
        match self
            .store
            .begin_send(
                &phone.e164,
                challenge,
                cooldown,
                self.config.max_sends_per_hour,
                now,
            )
            .await?
        {
            SendDecision::Allowed => {}
            SendDecision::Cooldown(ms) => {
                self.sms.metrics_registry().otp_refused("cooldown");
                return Err(limited("cooldown", ms));
            }
            SendDecision::HourlyCap(ms) => {
                if let Some(watch) = &self.abuse {
                    watch.observe(true);
                }
                self.sms.metrics_registry().otp_refused("hourly_cap");
                return Err(limited("hourly_cap", ms));
            }
        }
        let sent = self
            .sms
            .send(SendInput {
                to: phone.e164.clone(),
                text: self.text(&code),
                ..Default::default()
            })
            .await;
        let message_id = match sent {
            Ok(r) => r.id,
            Err(e) => {
                // A definite failure frees the phone for a retry; an unknown outcome keeps the
                // code valid (the SMS may have arrived) and the cooldown running.
                if e.code != ErrorCode::OutcomeUnknown {
                    let _ = self.store.cancel_send(&phone.e164, &id).await;
                }
                return Err(e);
            }
        };
        let dev_code = if self.config.dev_mode {
            // The one deliberate exception to "codes are never logged".
            self.log.warn(format_args!(
                "devMode: code for {} is {code}",
                phone.masked()
            ));
            Some(code)
        } else {
            self.log
                .info(format_args!("code sent to {}", phone.masked()));
            None
        };
        Ok(SendOutcome {
            expires_in_seconds: self.config.ttl.as_secs(),
            resend_in_seconds: self.config.resend_cooldown.as_secs(),
            dev_code,
            message_id,
        })
    }

    /// Refuses a number outside the allowed regions before anything is stored or sent: SMS
    /// pumping rotates through foreign (often premium) numbers that the app would pay for.
    fn check_region(&self, phone: &phone::Phone) -> Result<()> {
        let region = phone.country.as_deref().unwrap_or("");
        if self.allowed_regions.iter().any(|r| r == "*" || r == region) {
            return Ok(());
        }
        self.sms
            .metrics_registry()
            .otp_refused("region_not_allowed");
        Err(Error::new(
            ErrorCode::InvalidPhone,
            format!(
                "OTP codes are not sent to numbers of {}: allowed are {} (set allowedRegions to add regions; SMS pumping protection)",
                if region.is_empty() { "an unknown region" } else { region },
                self.allowed_regions.join(", ")
            ),
        )
        .with_provider(Provider::Otp)
        .with_details(json!({ "reason": "region_not_allowed" })))
    }

    /// Checks a code. The precise outcome (`invalid`, `not_found`, `expired`,
    /// `too_many_attempts`) goes to the log (masked number) and to metrics as well as to the
    /// caller; HTTP layers answer one public result for all of them (see the Nest `OtpService`).
    pub async fn verify(&self, phone_input: &str, candidate: &str) -> Result<VerifyOutcome> {
        let phone = phone::normalize(phone_input, &self.config.default_region)?;
        let outcome = self.check(&phone, candidate.trim()).await?;
        let result = outcome.reason.unwrap_or("ok");
        self.sms.metrics_registry().otp_verify(result);
        if outcome.ok {
            self.log
                .info(format_args!("code verified for {}", phone.masked()));
        } else {
            let left = outcome
                .attempts_left
                .map(|n| format!(" ({n} attempt(s) left)"))
                .unwrap_or_default();
            self.log.info(format_args!(
                "code check for {} failed: {result}{left}",
                phone.masked()
            ));
        }
        Ok(outcome)
    }

    async fn check(&self, phone: &phone::Phone, candidate: &str) -> Result<VerifyOutcome> {
        // A malformed code cannot be right; it costs no attempt and tells nothing.
        if candidate.len() != self.config.length as usize
            || !candidate.bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(VerifyOutcome::fail("invalid", None));
        }
        let now = unix_now_ms();
        let (id, digest, left) = match self.store.reserve_attempt(&phone.e164, now).await? {
            Reservation::NotFound => return Ok(VerifyOutcome::fail("not_found", None)),
            Reservation::Expired => return Ok(VerifyOutcome::fail("expired", None)),
            Reservation::Exhausted => return Ok(VerifyOutcome::fail("too_many_attempts", Some(0))),
            Reservation::Reserved { id, digest, left } => (id, digest, left),
        };
        let expected = code::digest(
            self.config.secret.expose().as_bytes(),
            &id,
            &phone.e164,
            candidate,
        );
        if !ct::eq(expected.as_bytes(), digest.as_bytes()) {
            return Ok(if left == 0 {
                VerifyOutcome::fail("too_many_attempts", Some(0))
            } else {
                VerifyOutcome::fail("invalid", Some(left))
            });
        }
        // Right code: exactly one concurrent verifier gets to consume it.
        if self.store.consume(&phone.e164, &id).await? {
            Ok(VerifyOutcome {
                ok: true,
                reason: None,
                attempts_left: None,
            })
        } else {
            Ok(VerifyOutcome::fail("not_found", None))
        }
    }
}

fn limited(reason: &str, wait_ms: u64) -> Error {
    let what = if reason == "cooldown" {
        "a code was sent to this number moments ago"
    } else {
        "too many codes were sent to this number in the last hour"
    };
    limited_by(reason, what, wait_ms)
}

fn limited_by(reason: &str, what: &str, wait_ms: u64) -> Error {
    Error::new(ErrorCode::RateLimited, format!("{what}; try again later"))
        .with_provider(Provider::Otp)
        .with_retry_after(Some(Duration::from_millis(wait_ms)))
        .with_details(json!({ "reason": reason }))
}

/// The gates' limits, refused as configuration when they cannot work.
fn check_limits(config: &OtpConfig) -> Result<()> {
    let b = &config.budget;
    if b.per_hour == Some(0) || b.per_region.values().any(|n| *n == 0) {
        return Err(Error::config(
            "budget.perHour and budget.perRegion limits must be at least 1 (leave a budget out to turn it off; allowedRegions keeps a region out)",
        ));
    }
    if b.per_region
        .keys()
        .any(|r| !(r.len() == 2 && r.bytes().all(|c| c.is_ascii_uppercase())))
    {
        return Err(Error::config(
            "budget.perRegion keys must be ISO regions in capitals ({ UZ: 500, KZ: 20 })",
        ));
    }
    if let Some(p) = config.prefix_limit {
        if !(1..=6).contains(&p.ignore_last_digits) || p.per_hour == 0 {
            return Err(Error::config(
                "prefixLimit: ignoreLastDigits must be between 1 and 6 and perHour at least 1 (enabled: false turns it off)",
            ));
        }
    }
    if config.client_ip_per_hour == Some(0) {
        return Err(Error::config(
            "perClientIp.perHour must be at least 1 (enabled: false turns it off)",
        ));
    }
    Ok(())
}
